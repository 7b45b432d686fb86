import { Body, Controller, Param, Patch, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@pledgewatch/audit';
import { MilestoneEditorService } from '@pledgewatch/workstreams';
import { ApiKeyGuard } from './api-key.guard';
import { etag, IfMatch } from './if-match';
import { CurrentActor } from './principal.decorator';
import { EDITORS, Roles } from './roles.decorator';

@Controller('v1/admin/milestones')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
export class AdminMilestonesController {
  constructor(private readonly milestones: MilestoneEditorService) {}

  /** If-Match and ETag are the milestone's own version. */
  @Patch(':id')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() expectedVersion: number | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { view, version } = await this.milestones.patch(id, body, actor, expectedVersion);
    res.setHeader('ETag', etag(version));
    return view;
  }
}
