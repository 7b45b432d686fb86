import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@pledgewatch/problems';
import { SubscriptionPages } from '@pledgewatch/subscriptions';
import { ProblemFilter } from '../http/problem.filter';
import { setLinkPageHeaders, wantsJson } from './link-page';

/**
 * A person who followed a link from an email sees a page that says what went wrong ("this link
 * has already been used"), with the right status; API clients get problem+json as everywhere.
 */
@Catch()
@Injectable()
export class SubscriptionPageFilter extends ProblemFilter {
  constructor(private readonly pages: SubscriptionPages) {
    super();
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    setLinkPageHeaders(response);
    if (!(error instanceof DomainError) || wantsJson(request)) return super.catch(error, host);
    if (error.code === 'rate_limited') response.setHeader('Retry-After', String(error.details.retryAfter));
    response.status(error.status).type('html').send(this.pages.problem(error.code, error.message));
  }
}
