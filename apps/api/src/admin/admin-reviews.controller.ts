import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { parse } from '@pledgewatch/problems';
import { ReviewsService } from '@pledgewatch/workstreams';
import { z } from 'zod';
import { ApiAdmin, ApiAnswer, ApiProblems } from '../http/openapi.decorators';
import { ReviewDueList } from '../http/response-schemas';
import { ApiKeyGuard } from './api-key.guard';
import { EDITORS, Roles } from './roles.decorator';

const DUE_QUERY = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** The editors' review queue: what nobody has checked against its sources for too long. */
@ApiTags('admin')
@Controller('v1/admin/reviews')
@UseGuards(ApiKeyGuard)
@Roles(...EDITORS)
export class AdminReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @ApiAdmin('Workstreams not reviewed within HEALTH_REVIEW_DAYS, the longest unreviewed first', EDITORS)
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  @ApiAnswer(200, ReviewDueList)
  @ApiProblems(400)
  @Get('due')
  due(@Query() query: unknown) {
    return this.reviews.due(parse(DUE_QUERY, query).limit);
  }
}
