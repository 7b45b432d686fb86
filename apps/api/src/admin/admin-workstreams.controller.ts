import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import {
  ADD_MILESTONE_SCHEMA,
  CREATE_WORKSTREAM_SCHEMA,
  MilestoneEditorService,
  PATCH_WORKSTREAM_SCHEMA,
  WorkstreamEditorService,
} from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { IfMatch, VersionedViewInterceptor } from './if-match';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';

/**
 * `{id}` accepts a workstream's id or its slug. Writes answer the new version as ETag. Bodies are
 * parsed here, at the edge; the editor services take typed commands.
 */
@Controller('v1/admin/workstreams')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
@UseInterceptors(VersionedViewInterceptor)
export class AdminWorkstreamsController {
  constructor(
    private readonly workstreams: WorkstreamEditorService,
    private readonly milestones: MilestoneEditorService,
  ) {}

  @Post()
  async create(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const created = await this.workstreams.create(parse(CREATE_WORKSTREAM_SCHEMA, body), actor);
    res.setHeader('Location', `/v1/workstreams/${created.view.slug}`);
    return created;
  }

  @Patch(':id')
  patch(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.workstreams.patch(id, parse(PATCH_WORKSTREAM_SCHEMA, body), actor, expectedVersion);
  }

  /** Archiving hides a workstream from every reader and has no undo over HTTP: admins only. */
  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async archive(@Param('id') id: string, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    await this.workstreams.archive(id, actor, expectedVersion);
  }

  /** If-Match here is the workstream's version; the ETag answered is the new milestone's. */
  @Post(':id/milestones')
  addMilestone(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.milestones.add(id, parse(ADD_MILESTONE_SCHEMA, body), actor, expectedVersion);
  }
}
