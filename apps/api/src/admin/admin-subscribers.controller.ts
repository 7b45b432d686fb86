import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { SubscribersAdminService } from '@pledgewatch/subscriptions';
import { parse } from '@pledgewatch/problems';
import { z } from 'zod';
import { cursor, enumList, limit, single } from '../public/query-params';
import { ApiKeyGuard } from './api-key.guard';
import { Roles } from './roles.decorator';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { NoRequestBody } from '../http/input-boundary';
import { ApiAdmin, ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { AdminSubscriberPage } from '../http/response-schemas';

const SUBSCRIBER_PARAMETERS = z.strictObject({
  state: enumList(['pending', 'active', 'unsubscribed'] as const, 'a subscriber state').optional(),
  email: single().max(254, 'at most 254 characters').optional(),
  limit: limit(),
  cursor: cursor().optional(),
});

/** Subscribers hold personal data: admins only. */
@ApiTags('admin')
@Controller('v1/admin/subscribers')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminSubscribersController {
  constructor(private readonly subscribers: SubscribersAdminService) {}

  /** `?state=active,pending&email=example.org&limit=&cursor=`, newest first. */
  @ApiAdmin('Subscribers, newest first (personal data)', ['admin'])
  @ApiQueryOf(SUBSCRIBER_PARAMETERS)
  @ApiAnswer(200, AdminSubscriberPage)
  @ApiProblems(400)
  @Get()
  list(@Query() query: unknown) {
    return this.subscribers.list(parse(SUBSCRIBER_PARAMETERS, query, 'The query has invalid parameters.'));
  }

  @ApiAdmin('Revoke every manage and unsubscribe link sent to the subscriber (the next email carries new ones)', ['admin'])
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(404)
  @Post(':id/revoke-links')
  @NoRequestBody()
  @HttpCode(204)
  async revokeLinks(@Param('id') id: string): Promise<void> {
    await this.subscribers.revokeLinks(id);
  }

  @ApiAdmin('Erase the subscriber: the address, topics, tokens and deliveries (docs/privacy.md)', ['admin'])
  @ApiResponse({ status: 204, description: 'Erased' })
  @ApiProblems(404)
  @Delete(':id')
  @HttpCode(204)
  async erase(@Param('id') id: string): Promise<void> {
    await this.subscribers.erase(id);
  }
}
