import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { CREATE_WEBHOOK_BODY, UPDATE_WEBHOOK_BODY, WebhooksAdminService } from '@pledgewatch/webhooks';
import { NoRequestBody } from '../http/input-boundary';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { Delivery, WebhookEndpointDetail, WebhookEndpointList, WebhookEndpoint, WebhookEndpointWithSecret } from '../http/response-schemas';
import { ApiKeyGuard } from './api-key.guard';
import { Roles } from './roles.decorator';

/**
 * Webhook endpoints (docs/api.md#webhooks): each matching event is POSTed to them, signed per Standard Webhooks.
 * Admins only: an endpoint receives every event of its topics, and its URL is where the service
 * connects to.
 */
@ApiTags('admin')
@Controller('v1/admin/webhooks')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminWebhooksController {
  constructor(private readonly webhooks: WebhooksAdminService) {}

  @ApiAdmin('Register a webhook endpoint; the answer shows its signing secret, this once', ['admin'])
  @ApiJsonBody(CREATE_WEBHOOK_BODY, 'url: https (http and loopback outside production only), resolving to public addresses only; topics as a subscription’s')
  @ApiAnswer(201, WebhookEndpointWithSecret, 'Created')
  @ApiProblems(400, 422)
  @Post()
  create(@Body() body: unknown) {
    return this.webhooks.create(body);
  }

  @ApiAdmin('Webhook endpoints, newest first (secrets never shown)', ['admin'])
  @ApiAnswer(200, WebhookEndpointList)
  @Get()
  list() {
    return this.webhooks.list();
  }

  /** Declared before `:id` routes so `deliveries` is never taken for an endpoint id. */
  @ApiAdmin('Retry a webhook delivery: back to queued with a fresh send job and retry span', ['admin'])
  @ApiAnswer(202, Delivery, 'Accepted')
  @ApiProblems(404, 409)
  @Post('deliveries/:id/retry')
  @NoRequestBody()
  @HttpCode(202)
  retry(@Param('id') id: string) {
    return this.webhooks.retryDelivery(id);
  }

  @ApiAdmin('A webhook endpoint with its delivery log (latest 50 deliveries, each attempt)', ['admin'])
  @ApiAnswer(200, WebhookEndpointDetail)
  @ApiProblems(404)
  @Get(':id')
  get(@Param('id') id: string) {
    return this.webhooks.get(id);
  }

  @ApiAdmin('Enable or disable (with a reason) a webhook endpoint, or change its description', ['admin'])
  @ApiJsonBody(UPDATE_WEBHOOK_BODY)
  @ApiAnswer(200, WebhookEndpoint)
  @ApiProblems(400, 404, 422)
  @Patch(':id')
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.webhooks.update(id, body);
  }

  @ApiAdmin('Delete a webhook endpoint with its deliveries and log', ['admin'])
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(404)
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @ApiAdmin('Rotate the signing secret: the new one is shown this once and signs every attempt from now on', ['admin'])
  @ApiAnswer(200, WebhookEndpointWithSecret)
  @ApiProblems(404)
  @Post(':id/rotate-secret')
  @NoRequestBody()
  @HttpCode(200)
  rotate(@Param('id') id: string) {
    return this.webhooks.rotateSecret(id);
  }
}
