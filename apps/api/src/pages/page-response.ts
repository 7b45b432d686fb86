import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Response headers of the public pages: a per-response CSP nonce (the only inline script a page
 * may run is its own, marked with it), no framing, a referrer policy, and caching a CDN can use.
 *
 * Pages are rendered with NONCE_PLACEHOLDER where the nonce goes, so the rendered HTML and its
 * ETag stay the same from one request to the next; each response then gets a fresh nonce.
 */
export const NONCE_PLACEHOLDER = '__pledgewatch_csp_nonce__';

export interface RenderedPage {
  status: number;
  /** With NONCE_PLACEHOLDER in place of the nonce. */
  html: string;
  etag: string;
}

export function renderedPage(html: string, status = 200): RenderedPage {
  return { status, html, etag: `"${createHash('sha1').update(html).digest('base64url')}"` };
}

export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function setPageSecurityHeaders(response: Response, nonce: string): void {
  response.setHeader('Content-Security-Policy', pageCsp(nonce));
  response.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
}

export type PageCaching = 'public' | 'no-store';

/**
 * Sends a page. `public`: a shared cache (CDN) may keep it for a minute, and a client that already
 * has this version (If-None-Match) gets 304 without a body (Express's freshness check, on our ETag).
 */
export function sendPage(request: Request, response: Response, page: RenderedPage, caching: PageCaching = 'public'): void {
  const nonce = randomBytes(16).toString('base64');
  setPageSecurityHeaders(response, nonce);
  if (caching === 'public') {
    response.setHeader('Cache-Control', 'public, max-age=60');
    response.setHeader('ETag', page.etag);
  } else {
    response.setHeader('Cache-Control', 'no-store');
  }
  response.status(page.status).type('html');
  if (caching === 'public' && request.fresh) {
    response.status(304).end();
    return;
  }
  response.send(page.html.replaceAll(NONCE_PLACEHOLDER, nonce));
}
