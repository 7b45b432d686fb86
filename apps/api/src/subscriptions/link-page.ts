import type { Request, Response } from 'express';

/** Browsers get HTML; `Accept: application/json` gets JSON (the same URLs serve both). `*\/*` counts as a browser. */
export function wantsJson(request: Request): boolean {
  return request.accepts(['html', 'json']) === 'json';
}

/**
 * Headers for every answer of the email-link endpoints. The token is in the URL, so nothing may
 * leak it onward (Referrer-Policy), keep it (no-store) or index it; the pages need no script, their one stylesheet is the site's.
 */
export function setLinkPageHeaders(response: Response): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Robots-Tag', 'noindex, nofollow');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/** The token query parameter, when it is one string. */
export function tokenOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
}
