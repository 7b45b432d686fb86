import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { TemplateLibrary } from './template-library';

export interface RenderedMail {
  html: string;
  text: string;
}

/**
 * Beside the compiled code: `libs/mail/src/templates` under jest and tsx, and the copy the build
 * puts in `dist/apps/<app>/libs/mail/src/templates` (nest-cli.json "assets").
 */
export const MAIL_TEMPLATES_DIR = path.join(__dirname, 'templates');

/** Renders an email's HTML and plain-text bodies from `templates/<name>.{html,text}.hbs`. */
@Injectable()
export class MailRenderer {
  private readonly templates = new TemplateLibrary(MAIL_TEMPLATES_DIR);

  /** `data` values are raw; the HTML template escapes them. */
  render(name: string, data: object): RenderedMail {
    return { html: this.templates.render(name, 'html', data), text: this.templates.render(name, 'text', data) };
  }
}
