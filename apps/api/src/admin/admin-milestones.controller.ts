import { Body, Controller, Param, Patch, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { parse } from '@pledgewatch/problems';
import { MilestoneEditorService, PATCH_MILESTONE_SCHEMA } from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { IfMatch, VersionedViewInterceptor } from './if-match';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';

@Controller('v1/admin/milestones')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
@UseInterceptors(VersionedViewInterceptor)
export class AdminMilestonesController {
  constructor(private readonly milestones: MilestoneEditorService) {}

  /** If-Match and ETag are the milestone's own version. */
  @Patch(':id')
  patch(@Param('id') id: string, @Body() body: unknown, @IfMatch() expectedVersion: number | undefined, @CurrentActor() actor: Actor) {
    return this.milestones.patch(id, parse(PATCH_MILESTONE_SCHEMA, body), actor, expectedVersion);
  }
}
