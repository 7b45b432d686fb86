import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { DigestPreviewService } from '@pledgewatch/digest';
import { parse } from '@pledgewatch/problems';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { dateOrInstant, single } from '../public/query-params';
import { ApiKeyGuard } from './api-key.guard';
import { Roles } from './roles.decorator';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiAdmin, ApiAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { DigestPreview } from '../http/response-schemas';

const PREVIEW_PARAMETERS = z.strictObject({
  /** A subscriber id or email address. */
  subscriber: single().max(254, 'at most 254 characters'),
  /** Default: now. */
  asOf: dateOrInstant().optional(),
});

/** The rendered email is the subscriber's: nothing from elsewhere may run or load inside it. */
const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A digest shows what a subscriber follows and their address: admins only. */
@ApiTags('admin')
@Controller('v1/admin/digests')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminDigestsController {
  constructor(private readonly previews: DigestPreviewService) {}

  /**
   * `?subscriber=<id or email>&asOf=<ISO>`: the digest that subscriber would get, rendered and not
   * sent (nothing is written). The HTML itself by default; `{ subject, html, text }` to
   * `Accept: application/json`.
   */
  @ApiAdmin('The digest a subscriber would get: HTML, or JSON to Accept: application/json; sends nothing', ['admin'])
  @ApiQueryOf(PREVIEW_PARAMETERS)
  @ApiProduces('text/html', 'application/json')
  @ApiAnswer(200, DigestPreview)
  @ApiProblems(400, 404)
  @Get('preview')
  async preview(@Query() query: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { subscriber, asOf } = parse(PREVIEW_PARAMETERS, query, 'The query has invalid parameters.');
    const preview = await this.previews.preview(subscriber, asOf ?? new Date());
    res.setHeader('Cache-Control', 'no-store');
    res.vary('Accept');
    if (req.accepts(['html', 'json']) === 'json') return preview;
    res.type('html');
    res.setHeader('Content-Security-Policy', PREVIEW_CSP);
    return preview.html;
  }
}
