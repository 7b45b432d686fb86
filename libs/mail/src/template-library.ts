import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

export type TemplateFormat = 'html' | 'text';

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const PARTIAL_FILE = /^([a-z0-9][a-z0-9-]*)\.(html|text)\.hbs$/;

/**
 * A directory of Handlebars templates, `<name>.html.hbs` and `<name>.text.hbs`, with partials in
 * `partials/<name>.<format>.hbs` (e.g. the shared HTML layout, used as `{{#> layout}}…{{/layout}}`).
 *
 * HTML templates escape every `{{value}}`; text templates do not (a plain-text body must not read
 * `&amp;`). Each template is compiled on first use and cached for the life of the process.
 */
export class TemplateLibrary {
  private readonly engines: Record<TemplateFormat, typeof Handlebars> = {
    html: Handlebars.create(),
    text: Handlebars.create(),
  };
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  /** `sharedPartials`: further partial directories (a layout shared by several libraries). */
  constructor(
    readonly directory: string,
    sharedPartials: string[] = [],
  ) {
    if (!existsSync(directory)) {
      // The build copies templates next to the compiled code (nest-cli.json "assets"); fail at boot.
      throw new Error(`Template directory ${directory} does not exist: are the .hbs files copied into the build?`);
    }
    for (const shared of sharedPartials) {
      if (!existsSync(shared)) throw new Error(`Partial directory ${shared} does not exist: are the .hbs files copied into the build?`);
    }
    for (const partials of [...sharedPartials, path.join(directory, 'partials')]) {
      if (!existsSync(partials)) continue;
      for (const file of readdirSync(partials)) {
        const match = PARTIAL_FILE.exec(file);
        if (!match) continue;
        const format = match[2] as TemplateFormat;
        this.engines[format].registerPartial(match[1], this.compile(format, path.join(partials, file)));
      }
    }
  }

  has(name: string, format: TemplateFormat): boolean {
    return TEMPLATE_NAME.test(name) && existsSync(this.fileOf(name, format));
  }

  render(name: string, format: TemplateFormat, data: object): string {
    const key = `${name}.${format}`;
    let template = this.compiled.get(key);
    if (!template) {
      if (!this.has(name, format)) throw new Error(`No ${format} template "${name}" in ${this.directory}`);
      template = this.compile(format, this.fileOf(name, format));
      this.compiled.set(key, template);
    }
    return template(data);
  }

  private fileOf(name: string, format: TemplateFormat): string {
    return path.join(this.directory, `${name}.${format}.hbs`);
  }

  private compile(format: TemplateFormat, file: string): Handlebars.TemplateDelegate {
    return this.engines[format].compile(readFileSync(file, 'utf8'), { noEscape: format === 'text' });
  }
}
