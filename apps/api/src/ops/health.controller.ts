import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessChecks } from '@pledgewatch/observability';
import { DomainError } from '@pledgewatch/problems';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems } from '../http/openapi.decorators';
import { HealthReport, Liveness } from '../http/response-schemas';

/** 503 naming what is down, with terminus's report; the one ProblemFilter writes it. */
class NotReadyError extends DomainError {
  constructor(down: string[], report: unknown) {
    super('not_ready', 503, down.length ? `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.` : 'Not ready: shutting down.', {
      down,
      checks: report,
    });
  }
}

/**
 * Probes for orchestrators: liveness (the process answers) and readiness (PostgreSQL and the
 * queue backend answer). `/v1/status` is kept as an alias of readiness for older probes.
 */
@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessChecks) {}

  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiAnswer(200, Liveness)
  @ApiProblems(400)
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @ApiOperation({ summary: 'Readiness: PostgreSQL and the queue backend answer; 503 names what is down. /v1/status is an alias.' })
  @ApiAnswer(200, HealthReport)
  @ApiProblems(400, 503)
  @Get(['health/ready', 'v1/status'])
  async ready(@Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    const result = await this.readiness.ready(['postgres', 'queue']);
    if (!result.ready) throw new NotReadyError(result.down, result.report);
    return result.report;
  }
}
