import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@pledgewatch/problems';
import { ManageCatalog, SubscriptionsService } from '@pledgewatch/subscriptions';
import { wantsJson } from '../subscriptions/link-page';
import { SUBSCRIBE_ACCEPTED } from '../subscriptions/subscriptions.controller';
import { PageCache } from './page-cache';
import { RequestBody } from '../http/input-boundary';
import { PageErrorFilter } from './page-error.filter';
import { queryString, refuseUnknownParameters } from './page-query';
import { PageRenderer } from './page-renderer';
import { sendPage } from './page-response';
import { emptyForm, formErrorsOf, formFromBody, formView, SubscribeFormState, subscribeRequestOf } from './subscribe-form';

const one = (value: unknown) => (typeof value === 'string' && value.length <= 200 ? value.trim() : undefined);

/**
 * The subscribe form: a page that posts (form-encoded, works without script) to the same
 * SubscriptionsService.subscribe as POST /v1/subscriptions, and the same answer for every address.
 */
@Controller('subscribe')
@UseFilters(PageErrorFilter)
export class SubscribePageController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly cache: PageCache,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /** `?country=PH&sector=maritime-security` (the pair), `?country=MY`, `?sector=space`, `?workstream=<slug>` prefill it. */
  @Get()
  async form(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response) {
    refuseUnknownParameters(query, ['country', 'sector', 'workstream']);
    const prefill = { country: one(query.country)?.toUpperCase(), sector: one(query.sector), workstream: one(query.workstream) };
    const page = await this.cache.get(`/subscribe${queryString(prefill)}`, async () =>
      this.page(emptyForm(prefill), await this.subscriptions.catalog()),
    );
    sendPage(request, response, page);
  }

  /** Form encoding only (the input boundary answers 415 to anything else): JSON goes to POST /v1/subscriptions. */
  @Post()
  @RequestBody('form')
  async subscribe(@Req() request: Request, @Res() response: Response) {
    const form = formFromBody((request.body ?? {}) as Record<string, string | string[]>);
    try {
      await this.subscriptions.subscribe(subscribeRequestOf(form), request.ip ?? request.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      // An API client (Accept: application/json) gets problem+json, as from POST /v1/subscriptions.
      if (!(error instanceof DomainError) || error.status >= 500 || wantsJson(request)) throw error;
      if (error.code === 'rate_limited') response.setHeader('Retry-After', String(error.details.retryAfter));
      const errors = error.code === 'rate_limited' ? { fields: {}, summary: [{ message: error.message, href: null }] } : formErrorsOf(error);
      return sendPage(request, response, this.page(form, await this.subscriptions.catalog(), errors, error.status), 'no-store');
    }
    // Post/redirect/get: reloading the answer does not post the form again.
    response.redirect(303, '/subscribe/sent');
  }

  /** `@Query()`: the page checks its parameters itself (a shared link's tracking parameters pass). */
  @Get('sent')
  sent(@Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    refuseUnknownParameters(query, []);
    const page = this.renderer.render('subscribe-sent', null, {
      title: 'Check your inbox',
      description: 'A confirmation link is on its way.',
      noindex: true,
      nav: { subscribe: true },
      message: SUBSCRIBE_ACCEPTED.message,
    });
    sendPage(request, response, page);
  }

  private page(
    form: SubscribeFormState,
    catalog: ManageCatalog,
    errors: ReturnType<typeof formErrorsOf> = { fields: {}, summary: [] },
    status = 200,
  ) {
    return this.renderer.render(
      'subscribe',
      '/subscribe',
      {
        title: errors.summary.length ? 'Subscribe: please check the form' : 'Subscribe to email alerts',
        description: 'Follow a country, a sector, a country in one sector or a single commitment: instant alerts and a weekly digest, by email.',
        nav: { subscribe: true },
        form: formView(form, catalog),
        errors: errors.summary,
        manyErrors: errors.summary.length > 1,
        fieldErrors: errors.fields,
      },
      status,
    );
  }
}
