import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { DeliveriesAdminService } from '@pledgewatch/deliveries';
import { parse } from '@pledgewatch/problems';
import { z } from 'zod';
import { NoRequestBody } from '../http/input-boundary';
import { cursor, enumList, limit } from '../public/query-params';
import { ApiKeyGuard } from './api-key.guard';
import { Roles } from './roles.decorator';
import { ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { Delivery, DeliveryPage } from '../http/response-schemas';

const DELIVERY_PARAMETERS = z.strictObject({
  status: enumList(['queued', 'sent', 'failed', 'suppressed'] as const, 'a delivery status').optional(),
  kind: enumList(['confirmation', 'alert', 'digest', 'webhook'] as const, 'a delivery kind').optional(),
  limit: limit(),
  cursor: cursor().optional(),
});

@ApiTags('admin')
@Controller('v1/admin/deliveries')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminDeliveriesController {
  constructor(private readonly deliveries: DeliveriesAdminService) {}

  /** `?status=failed&kind=alert&limit=&cursor=`, newest first. */
  @ApiAdmin('Deliveries, newest first', ['admin'])
  @ApiQueryOf(DELIVERY_PARAMETERS)
  @ApiAnswer(200, DeliveryPage)
  @ApiProblems(400)
  @Get()
  list(@Query() query: unknown) {
    return this.deliveries.list(parse(DELIVERY_PARAMETERS, query, 'The query has invalid parameters.'));
  }

  /** A failed or suppressed delivery back to `queued`, with a send job: 202, the email goes out from the worker. */
  @ApiAdmin('Retry a failed or suppressed delivery: back to queued with a send job', ['admin'])
  @ApiAnswer(202, Delivery, 'Accepted')
  @ApiProblems(404, 409)
  @Post(':id/retry')
  @NoRequestBody()
  @HttpCode(202)
  retry(@Param('id') id: string) {
    return this.deliveries.retry(id);
  }
}
