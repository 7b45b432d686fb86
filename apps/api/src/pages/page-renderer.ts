import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import { LayoutData, pageTemplates, stylesheet } from '@pledgewatch/page-layout';
import { NONCE_PLACEHOLDER, RenderedPage, renderedPage } from './page-response';

/** Beside the compiled code; the build copies them (nest-cli.json "assets"). */
export const PAGE_TEMPLATES_DIR = path.join(__dirname, 'templates');

export type PageData = Omit<LayoutData, 'stylesheet' | 'nonce' | 'canonicalUrl'> & Record<string, unknown>;

/** Renders `templates/<name>.html.hbs` in the shared layout; every value is escaped by Handlebars. */
@Injectable()
export class PageRenderer {
  private readonly templates = pageTemplates(PAGE_TEMPLATES_DIR);
  private readonly base: string;

  constructor(config: AppConfig) {
    this.base = config.publicBaseUrl.replace(/\/+$/, '');
  }

  /** `canonicalPath`: the page's stable address (path and the query that matters), for og:url. */
  render(name: string, canonicalPath: string | null, data: PageData, status = 200): RenderedPage {
    const html = this.templates.render(name, 'html', {
      ...data,
      canonicalUrl: canonicalPath === null ? undefined : `${this.base}${canonicalPath}`,
      stylesheet: stylesheet().href,
      nonce: NONCE_PLACEHOLDER,
    });
    return renderedPage(html, status);
  }
}
