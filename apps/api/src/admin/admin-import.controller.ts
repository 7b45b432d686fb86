import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import { IMPORT_SCHEMA, WorkstreamEditorService } from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';

@Controller('v1/admin/import')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
export class AdminImportController {
  constructor(private readonly workstreams: WorkstreamEditorService) {}

  /** `{ workstreams: [<create body>…], notify? }`, at most 500, all in one transaction. */
  @Post()
  async import(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const { eventIds: _eventIds, ...counts } = await this.workstreams.import(parse(IMPORT_SCHEMA, body), actor);
    return counts;
  }
}
