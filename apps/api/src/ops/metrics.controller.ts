import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '@pledgewatch/config';
import { metricsAuthorized, renderMetrics } from '@pledgewatch/observability';
import { UnauthenticatedError } from '@pledgewatch/problems';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/openapi.decorators';

/** Prometheus scrape endpoint; with METRICS_TOKEN set, `Authorization: Bearer <METRICS_TOKEN>` only. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: AppConfig) {}

  @ApiOperation({ summary: 'Prometheus metrics (text exposition format); bearer METRICS_TOKEN when set' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiBearerAuth('metricsToken')
  @ApiProblems(401)
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response) {
    if (!metricsAuthorized(req.headers.authorization, this.config.metricsToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthenticatedError('Authorization: Bearer <METRICS_TOKEN> is required.');
    }
    const { contentType, body } = await renderMetrics();
    res.type(contentType).send(body);
  }
}
