import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const DETAIL = /^\/v1\/workstreams\/([^/]+)\/?$/;

/**
 * A person who opens a workstream's JSON address in a browser (an old link, a copied URL) is sent
 * to its page: `303 See Other` to `/workstreams/{slug}`, `?asOf=` carried over. Only a request that
 * prefers HTML to JSON goes (a browser's `Accept: text/html,…` with any type at a lower quality);
 * an Accept of any type, no Accept, or JSON listed first get the JSON as before.
 */
@Injectable()
export class WorkstreamPageRedirectMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const match = DETAIL.exec(request.path);
    if (!match || (request.method !== 'GET' && request.method !== 'HEAD')) {
      next();
      return;
    }
    // The answer depends on Accept, whichever it is: a shared cache must not hand a browser the JSON.
    response.vary('Accept');
    if (request.accepts(['application/json', 'text/html']) !== 'text/html') {
      next();
      return;
    }
    const asOf = typeof request.query.asOf === 'string' ? `?asOf=${encodeURIComponent(request.query.asOf)}` : '';
    response.redirect(303, `/workstreams/${match[1]}${asOf}`);
  }
}
