import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TemplateLibrary } from '@pledgewatch/mail';

/**
 * Beside the compiled code: `libs/page-layout/src` under jest and tsx, and the copy the build puts
 * in `dist/apps/api/libs/page-layout/src` (nest-cli.json "assets").
 */
export const LAYOUT_PARTIALS_DIR = path.join(__dirname, 'partials');
const STYLESHEET_FILE = path.join(__dirname, 'site.css');

/** What the shared `{{#> page}}…{{/page}}` layout reads from a page's data. */
export interface LayoutData {
  /** The page's own title; the layout adds " · Pledgewatch". */
  title: string;
  /** Meta description and Open Graph description: one sentence a shared link previews with. */
  description: string;
  /** Absolute URL of the page (canonical link and og:url); absent for pages reached by a private link. */
  canonicalUrl?: string;
  /** Pages behind a private link (confirm, manage, unsubscribe) are kept out of search and previews. */
  noindex?: boolean;
  /** The stylesheet's URL, `stylesheet().href`. */
  stylesheet: string;
  /** Which main-navigation entry is the current page. */
  nav?: Partial<Record<'home' | 'workstreams' | 'due' | 'changes' | 'subscribe', true>>;
  /** Feeds of this page: `<link rel="alternate">`. */
  alternates?: { type: string; title: string; href: string }[];
  /** The CSP nonce of this response, for a page's own inline script. */
  nonce?: string;
}

export interface Stylesheet {
  /** Content-addressed, so it can be cached for a year: a change gets a new URL. */
  href: string;
  body: string;
  etag: string;
}

function loadStylesheet(): Stylesheet {
  const body = readFileSync(STYLESHEET_FILE, 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { href: `/assets/site.${hash}.css`, body, etag: `"${hash}"` };
}

let loaded: Stylesheet | undefined;

/**
 * The one stylesheet of every page (pages send `style-src 'self'`, no inline styles). Read on
 * first use, so a process that renders no page (the worker) never needs the file.
 */
export function stylesheet(): Stylesheet {
  return (loaded ??= loadStylesheet());
}

/** A directory of page templates that can use the shared layout (`{{#> page}}`). */
export function pageTemplates(directory: string): TemplateLibrary {
  return new TemplateLibrary(directory, [LAYOUT_PARTIALS_DIR]);
}
