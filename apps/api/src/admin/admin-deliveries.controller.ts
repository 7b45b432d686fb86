import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { DeliveriesAdminService } from '@pledgewatch/alerts';
import { parse } from '@pledgewatch/problems';
import { z } from 'zod';
import { NoRequestBody } from '../http/input-boundary';
import { cursor, enumList, limit } from '../public/query-params';
import { ApiKeyGuard } from './api-key.guard';
import { Roles } from './roles.decorator';

const DELIVERY_PARAMETERS = z.strictObject({
  status: enumList(['queued', 'sent', 'failed', 'suppressed'] as const, 'a delivery status').optional(),
  kind: enumList(['confirmation', 'alert', 'digest'] as const, 'a delivery kind').optional(),
  limit: limit(),
  cursor: cursor().optional(),
});

@Controller('v1/admin/deliveries')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminDeliveriesController {
  constructor(private readonly deliveries: DeliveriesAdminService) {}

  /** `?status=failed&kind=alert&limit=&cursor=`, newest first. */
  @Get()
  list(@Query() query: unknown) {
    return this.deliveries.list(parse(DELIVERY_PARAMETERS, query, 'The query has invalid parameters.'));
  }

  /** A failed or suppressed delivery back to `queued`, with a send job: 202, the email goes out from the worker. */
  @Post(':id/retry')
  @NoRequestBody()
  @HttpCode(202)
  retry(@Param('id') id: string) {
    return this.deliveries.retry(id);
  }
}
