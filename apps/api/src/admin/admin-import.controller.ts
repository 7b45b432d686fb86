import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import { IMPORT_SCHEMA, WorkstreamEditorService } from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';
import { ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { ImportResult } from '../http/response-schemas';

@ApiTags('admin')
@Controller('v1/admin/import')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
export class AdminImportController {
  constructor(private readonly workstreams: WorkstreamEditorService) {}

  /** `{ workstreams: [<create body>…], notify? }`, at most 500, all in one transaction. */
  @ApiAdmin('Bulk import workstreams and milestones, all in one transaction (at most 500)', EDITORS)
  @ApiJsonBody(IMPORT_SCHEMA)
  @ApiAnswer(201, ImportResult, 'Created')
  @ApiProblems(400, 409, 422)
  @Post()
  async import(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const { eventIds: _eventIds, ...counts } = await this.workstreams.import(parse(IMPORT_SCHEMA, body), actor);
    return counts;
  }
}
