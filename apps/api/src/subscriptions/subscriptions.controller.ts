import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@pledgewatch/problems';
import { SubscriberLinks } from '@pledgewatch/subscriber-links';
import {
  parseUpdateForm,
  parseUpdateJson,
  SubscriberRecord,
  SubscriptionPages,
  SubscriptionsService,
  toView,
} from '@pledgewatch/subscriptions';
import { RequestBody } from '../http/input-boundary';
import { setLinkPageHeaders, tokenOf, wantsJson } from './link-page';
import { SubscriptionPageFilter } from './subscription-page.filter';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { SUBSCRIBE_BODY, UPDATE_BODY } from '@pledgewatch/subscriptions';
import { ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { ConfirmationPending, Erased, SubscribeAccepted, SubscriptionAnswer } from '../http/response-schemas';

/** One answer for every address, so nobody learns who subscribes. */
export const SUBSCRIBE_ACCEPTED = {
  status: 'accepted',
  message: 'Check your inbox: if this address can receive email, a message with a confirmation link is on its way.',
} as const;

/** POST /v1/subscriptions (JSON API) and the pages the links in emails open (HTML or JSON). */
@ApiTags('subscriptions')
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly pages: SubscriptionPages,
    private readonly links: SubscriberLinks,
  ) {}

  @ApiOperation({ summary: 'Subscribe (double opt-in): the same 202 whether or not the address is known' })
  @ApiJsonBody(SUBSCRIBE_BODY)
  @ApiAnswer(202, SubscribeAccepted, 'Accepted: a confirmation email is on its way')
  @ApiProblems(400, 422, 429, 503)
  @Post()
  @HttpCode(202)
  async subscribe(@Body() body: unknown, @Req() request: Request) {
    await this.subscriptions.subscribe(body, request.ip ?? request.socket.remoteAddress ?? 'unknown');
    return SUBSCRIBE_ACCEPTED;
  }

  /**
   * Shows what the link's POST would do, and changes nothing: mail scanners and link previews open
   * every link in an email (GET and HEAD), and must neither subscribe an address nor apply a change.
   */
  @ApiOperation({ summary: 'Confirm page (GET never confirms): what the POST would do' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, ConfirmationPending)
  @ApiProblems(400, 410)
  @Get('confirm')
  @UseFilters(SubscriptionPageFilter)
  async confirmPage(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const { action, subscriber, topics } = await this.subscriptions.confirmation(tokenOf(token));
    if (wantsJson(request)) return { status: 'awaiting_post', action, subscription: toView(subscriber) };
    return this.html(response, this.pages.confirm(subscriber, action, topics, tokenOf(token)!));
  }

  /** The page's button: activates a pending subscription, or applies an active subscriber's requested change. */
  @ApiOperation({ summary: 'Confirm: activate the subscription or apply the requested change (once)' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 410)
  @Post('confirm')
  @RequestBody('form', 'json')
  @HttpCode(200)
  @UseFilters(SubscriptionPageFilter)
  async confirm(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const { outcome, subscriber } = await this.subscriptions.confirm(tokenOf(token));
    const manageUrl = this.links.manageUrl(subscriber);
    if (wantsJson(request)) {
      const status = { confirmed: 'confirmed', already_active: 'already_confirmed', changed: 'changes_applied' }[outcome];
      return { status, subscription: toView(subscriber), manageUrl };
    }
    return this.html(response, this.pages.confirmed(subscriber, outcome, manageUrl));
  }

  /** Shows what a POST would do: mail scanners prefetch links, so GET never unsubscribes. */
  @ApiOperation({ summary: 'Unsubscribe page (GET never unsubscribes)' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 404, 410)
  @Get('unsubscribe')
  @UseFilters(SubscriptionPageFilter)
  async unsubscribePage(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const subscriber = await this.subscriptions.subscriberFor('unsubscribe', tokenOf(token));
    if (wantsJson(request)) return { subscription: toView(subscriber) };
    return this.html(response, this.pages.unsubscribe(subscriber, tokenOf(token)!, this.links.manageUrl(subscriber)));
  }

  /** RFC 8058 one-click (`List-Unsubscribe=One-Click`) and the page's button; idempotent. */
  @ApiOperation({ summary: 'Unsubscribe: RFC 8058 one-click (List-Unsubscribe=One-Click) or the page button' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 404, 410)
  @Post('unsubscribe')
  @RequestBody('form', 'multipart', 'json')
  @HttpCode(200)
  @UseFilters(SubscriptionPageFilter)
  async unsubscribe(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const subscriber = await this.subscriptions.unsubscribe(tokenOf(token));
    if (wantsJson(request)) return { status: 'unsubscribed', subscription: toView(subscriber) };
    return this.html(response, this.pages.unsubscribed(subscriber.email, this.links.manageUrl(subscriber)));
  }

  @ApiOperation({ summary: 'Manage page / current preferences' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 404, 410)
  @Get('manage')
  @UseFilters(SubscriptionPageFilter)
  async managePage(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const subscriber = await this.subscriptions.subscriberFor('manage', tokenOf(token));
    if (wantsJson(request)) return { subscription: toView(subscriber), held: await this.subscriptions.heldAbout(subscriber) };
    return this.html(response, this.pages.manage(subscriber, await this.subscriptions.catalog(), tokenOf(token)!));
  }

  /** "Delete my data", reached from the manage page (the manage link's token): shows what a POST erases. */
  @ApiOperation({ summary: 'Delete-my-data page (GET erases nothing)' })
  @ApiQuery({ name: 'token', required: true, description: 'The token of the manage link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 404, 410)
  @Get('erase')
  @UseFilters(SubscriptionPageFilter)
  async erasePage(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const subscriber = await this.subscriptions.subscriberFor('manage', tokenOf(token));
    if (wantsJson(request)) return { subscription: toView(subscriber) };
    return this.html(response, this.pages.erase(subscriber, tokenOf(token)!, this.links.manageUrl(subscriber)));
  }

  /** Erases the subscriber and everything held about them (docs/privacy.md); the link stops working. */
  @ApiOperation({ summary: 'Delete my data: erase the subscriber, topics, tokens and deliveries' })
  @ApiQuery({ name: 'token', required: true, description: 'The token of the manage link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, Erased)
  @ApiProblems(400, 404, 410)
  @Post('erase')
  @RequestBody('form', 'json')
  @HttpCode(200)
  @UseFilters(SubscriptionPageFilter)
  async erase(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const subscriber = await this.subscriptions.erase(tokenOf(token));
    if (wantsJson(request)) return { status: 'erased' };
    return this.html(response, this.pages.erased(subscriber.email));
  }

  /**
   * The page's form (form-encoded: the whole form is the new state) or JSON (a partial update);
   * `action=leave` unsubscribes. A form with a mistake comes back with the message, not a dead end.
   */
  @ApiOperation({ summary: 'Save preferences (JSON: a partial update; form: the whole form) or leave' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link', schema: { type: 'string', maxLength: 200 } })
  @ApiProduces('text/html', 'application/json')
  @ApiJsonBody(UPDATE_BODY)
  @ApiAnswer(200, SubscriptionAnswer)
  @ApiProblems(400, 404, 410, 422)
  @Post('manage')
  @RequestBody('form', 'json')
  @HttpCode(200)
  @UseFilters(SubscriptionPageFilter)
  async manage(@Query('token') token: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    setLinkPageHeaders(response);
    const fromForm = Boolean(request.is('application/x-www-form-urlencoded'));
    if (!fromForm || wantsJson(request)) {
      const update = fromForm ? parseUpdateForm(request.body ?? {}) : parseUpdateJson(request.body);
      const { left, subscriber } = await this.subscriptions.updatePreferences(tokenOf(token), update);
      return { status: left ? 'unsubscribed' : 'saved', subscription: toView(subscriber) };
    }

    const current = await this.subscriptions.subscriberFor('manage', tokenOf(token));
    let saved: { left: boolean; subscriber: SubscriberRecord };
    try {
      saved = await this.subscriptions.updatePreferences(tokenOf(token), parseUpdateForm(request.body ?? {}));
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500 || error.status === 429) throw error;
      const errors = ((error.details.errors as { message: string }[] | undefined) ?? []).map((e) => e.message);
      response.status(error.status);
      const page = this.pages.manage(current, await this.subscriptions.catalog(), tokenOf(token)!, {
        error: `Nothing was saved: ${error.message}`,
        errors,
      });
      return this.html(response, page);
    }
    if (saved.left) return this.html(response, this.pages.unsubscribed(saved.subscriber.email, this.links.manageUrl(saved.subscriber)));
    const page = this.pages.manage(saved.subscriber, await this.subscriptions.catalog(), tokenOf(token)!, {
      notice: 'Your preferences are saved.',
    });
    return this.html(response, page);
  }

  private html(response: Response, page: string): string {
    response.type('html');
    return page;
  }
}
