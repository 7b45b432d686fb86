import { ArgumentsHost, Catch, HttpException, Injectable, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@pledgewatch/problems';
import { ProblemFilter } from '../http/problem.filter';
import { wantsJson } from '../subscriptions/link-page';
import { PageRenderer } from './page-renderer';
import { sendPage } from './page-response';

const HEADINGS: Record<number, [heading: string, hint?: string]> = {
  400: ['This address is not quite right', 'A filter or date in it is not one this page understands.'],
  404: ['Page not found', 'The code or name in the address may be mistyped, or the commitment may have been withdrawn from the tracker.'],
  415: ['This form could not be read'],
  429: ['Too many requests', 'Wait a minute and try again.'],
};

/**
 * Errors of the pages as pages: a 404 for an unknown country, sector or workstream says so and
 * offers the way on; a bad filter is a 400 page. Server faults stay problem+json (logged with an
 * error id by the one filter), and a client that asks for JSON gets problem+json as everywhere.
 */
@Catch()
@Injectable()
export class PageErrorFilter extends ProblemFilter {
  constructor(private readonly renderer: PageRenderer) {
    super();
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const status = error instanceof DomainError ? error.status : error instanceof HttpException ? error.getStatus() : 500;
    const request = host.switchToHttp().getRequest<Request>();
    if (status >= 500 || wantsJson(request)) return super.catch(error, host);
    const response = host.switchToHttp().getResponse<Response>();
    const [heading, hint] = HEADINGS[status] ?? ['Something is not right'];
    const detail = error instanceof DomainError ? error.message : 'There is no page at this address.';
    if (error instanceof DomainError && error.code === 'rate_limited') response.setHeader('Retry-After', String(error.details.retryAfter));
    // A bad parameter is named, with what is wrong with its value.
    const errors = error instanceof DomainError ? ((error.details as { errors?: { field: string; message: string }[] }).errors ?? []) : [];
    const page = this.renderer.render('error', null, { title: heading, description: detail, noindex: true, heading, detail, hint, errors }, status);
    sendPage(request, response, page, 'no-store');
  }
}

/**
 * An address that matches no route: a browser outside the JSON API gets the helpful 404 page,
 * everyone else problem+json as before.
 */
@Catch(NotFoundException)
export class PageNotFoundFilter extends ProblemFilter {
  constructor(private readonly renderer: PageRenderer) {
    super();
  }

  override catch(error: NotFoundException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const browser = ['GET', 'HEAD'].includes(request.method) && !request.path.startsWith('/v1/') && request.accepts(['json', 'html']) === 'html';
    if (!browser) return super.catch(error, host);
    const [heading, hint] = HEADINGS[404];
    const page = this.renderer.render('error', null, { title: heading, description: 'There is no page at this address.', noindex: true, heading, detail: 'There is no page at this address.', hint }, 404);
    sendPage(request, host.switchToHttp().getResponse<Response>(), page, 'no-store');
  }
}
