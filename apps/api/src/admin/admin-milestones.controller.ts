import { Body, Controller, Param, Patch, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import { MilestoneEditorService, PATCH_MILESTONE_SCHEMA } from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { IfMatch, VersionedViewInterceptor } from './if-match';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { Milestone } from '../http/response-schemas';

@ApiTags('admin')
@Controller('v1/admin/milestones')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
@UseInterceptors(VersionedViewInterceptor)
export class AdminMilestonesController {
  constructor(private readonly milestones: MilestoneEditorService) {}

  /** If-Match and ETag are the milestone's own version. */
  @ApiAdmin('Update a milestone (status, dates, evidence); notify: false for a quiet correction', EDITORS)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read: 3, "3" or W/"3"; stale → 409 version_conflict' })
  @ApiJsonBody(PATCH_MILESTONE_SCHEMA)
  @ApiAnswer(200, Milestone)
  @ApiProblems(400, 404, 409, 422)
  @Patch(':id')
  patch(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.milestones.patch(id, parse(PATCH_MILESTONE_SCHEMA, body), actor, expectedVersion);
  }
}
