import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import {
  ADD_MILESTONE_SCHEMA,
  CREATE_WORKSTREAM_SCHEMA,
  MilestoneEditorService,
  PATCH_WORKSTREAM_SCHEMA,
  REVIEW_SCHEMA,
  ReviewsService,
  WorkstreamEditorService,
} from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { IfMatch, VersionedViewInterceptor } from './if-match';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';
import { ApiHeader, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { EditedWorkstream, Milestone, Review } from '../http/response-schemas';

/**
 * `{id}` accepts a workstream's id or its slug. Writes answer the new version as ETag. Bodies are
 * parsed here, at the edge; the editor services take typed commands.
 */
@ApiTags('admin')
@Controller('v1/admin/workstreams')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
@UseInterceptors(VersionedViewInterceptor)
export class AdminWorkstreamsController {
  constructor(
    private readonly workstreams: WorkstreamEditorService,
    private readonly milestones: MilestoneEditorService,
    private readonly reviews: ReviewsService,
  ) {}

  @ApiAdmin('Create a workstream (and its milestones); 201 with ETag and Location', EDITORS)
  @ApiJsonBody(CREATE_WORKSTREAM_SCHEMA)
  @ApiAnswer(201, EditedWorkstream, 'Created')
  @ApiProblems(400, 409, 422)
  @Post()
  async create(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const created = await this.workstreams.create(parse(CREATE_WORKSTREAM_SCHEMA, body), actor);
    res.setHeader('Location', `/v1/workstreams/${created.view.slug}`);
    return created;
  }

  @ApiAdmin('Update a workstream', EDITORS)
  @ApiParam({ name: 'id', description: 'The id or the slug' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read: 3, "3" or W/"3"; stale → 409 version_conflict' })
  @ApiJsonBody(PATCH_WORKSTREAM_SCHEMA)
  @ApiAnswer(200, EditedWorkstream)
  @ApiProblems(400, 404, 409, 422)
  @Patch(':id')
  patch(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.workstreams.patch(id, parse(PATCH_WORKSTREAM_SCHEMA, body), actor, expectedVersion);
  }

  /** Archiving hides a workstream from every reader and has no undo over HTTP: admins only. */
  @ApiAdmin('Archive a workstream (hidden from every reader)', ['admin'])
  @ApiParam({ name: 'id', description: 'The id or the slug' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read: 3, "3" or W/"3"; stale → 409 version_conflict' })
  @ApiResponse({ status: 204, description: 'Archived' })
  @ApiProblems(404, 409)
  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async archive(@Param('id') id: string, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    await this.workstreams.archive(id, actor, expectedVersion);
  }

  /** If-Match here is the workstream's version; the ETag answered is the new milestone's. */
  @ApiAdmin('Add a milestone; If-Match is the workstream version, the ETag the new milestone version', EDITORS)
  @ApiParam({ name: 'id', description: 'The workstream id or slug' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read: 3, "3" or W/"3"; stale → 409 version_conflict' })
  @ApiJsonBody(ADD_MILESTONE_SCHEMA)
  @ApiAnswer(201, Milestone, 'Created')
  @ApiProblems(400, 404, 409, 422)
  @Post(':id/milestones')
  addMilestone(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.milestones.add(id, parse(ADD_MILESTONE_SCHEMA, body), actor, expectedVersion);
  }

  /** "Checked, nothing new": stamps the last review and may change the health (a missed date found missed). */
  @ApiAdmin('Record a review of a workstream against its sources (note required); 201 with the health it leaves', EDITORS)
  @ApiParam({ name: 'id', description: 'The workstream id or slug' })
  @ApiJsonBody(REVIEW_SCHEMA)
  @ApiAnswer(201, Review, 'Recorded')
  @ApiProblems(400, 404, 422)
  @Post(':id/reviews')
  review(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.reviews.review(id, parse(REVIEW_SCHEMA, body), actor);
  }
}
