import { Body, Controller, Get, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { parse, UnprocessableError } from '@pledgewatch/problems';
import { StatusCheckRequests, StatusCheckService } from '@pledgewatch/status';
import { z } from 'zod';
import { dateOrInstant } from '../public/query-params';
import { ApiKeyGuard } from './api-key.guard';
import { EDITORS, Roles } from './roles.decorator';
import { ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { CheckRequest, CheckResult } from '../http/response-schemas';

const CHECK_REQUEST = z.strictObject({
  dryRun: z.boolean().optional(),
  /** Dry runs only: a date (`2026-12-01`, its start in UTC) or an instant. Default now. */
  asOf: dateOrInstant().optional(),
});

/** Changes listed by a dry run at most; the counts cover all of them. */
const DRY_RUN_CHANGES = 500;

@ApiTags('admin')
@Controller('v1/admin/checks')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
export class ChecksController {
  constructor(
    private readonly check: StatusCheckService,
    private readonly requests: StatusCheckRequests,
  ) {}

  /**
   * A real check is queued for the worker (`status.check`): 202 with the check's id and a
   * Location to follow. With `dryRun: true` (and optionally `asOf`) answers at once, 200, what it
   * would change, `changes` included (500 at most), and writes nothing. A real run is always as
   * of now: backdating one would rewrite health history with events in the past.
   */
  @ApiAdmin('Run the status check now, or a dry run (dryRun, asOf) that writes nothing', EDITORS)
  @ApiJsonBody(CHECK_REQUEST)
  @ApiAnswer(202, CheckRequest, 'Queued; Location names GET /v1/admin/checks/{id}')
  @ApiAnswer(200, CheckResult, 'A dry run: what it would change')
  @ApiProblems(400, 422)
  @Post()
  async run(@Body() body: unknown, @Res({ passthrough: true }) response: Response) {
    const { dryRun = false, asOf } = parse(CHECK_REQUEST, body ?? {}, 'The request has invalid fields.');
    if (asOf && !dryRun) {
      throw new UnprocessableError('as_of_requires_dry_run', 'asOf is only accepted with dryRun: true; a real check runs as of now.', [
        { field: 'asOf', code: 'as_of_requires_dry_run', message: 'only with dryRun: true' },
      ]);
    }
    if (!dryRun) {
      const queued = await this.requests.request();
      response.status(202).location(`/v1/admin/checks/${queued.id}`);
      return queued;
    }
    response.status(200);
    const result = await this.check.run({ asOf, dryRun, trigger: 'admin', changesLimit: DRY_RUN_CHANGES });
    return { ...result, dryRun };
  }

  /** `{ id, status: queued | running | completed | failed, startedAt, finishedAt, checked, events, … }`. */
  @ApiAdmin('A queued status check: status, started, finished, checked, events', EDITORS)
  @ApiAnswer(200, CheckRequest)
  @ApiProblems(404)
  @Get(':id')
  find(@Param('id') id: string) {
    return this.requests.find(id);
  }
}
