import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { ExportService } from '@pledgewatch/export';
import { parse } from '@pledgewatch/problems';
import { toWorkstreamFilter, WORKSTREAM_FILTER_PARAMETERS } from '../public/filter-params';
import { sendStream } from './http-streams';

const CSV = 'text/csv; charset=utf-8; header=present';

/** Open data: the tracker with the filters of `GET /v1/workstreams`, streamed. */
@Controller('v1/export')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Get('workstreams.csv')
  async workstreams(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const body = await this.exports.workstreamsCsv(this.filter(query));
    await this.send(res, body, CSV, 'workstreams.csv');
  }

  @Get('milestones.csv')
  async milestones(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const body = await this.exports.milestonesCsv(this.filter(query));
    await this.send(res, body, CSV, 'milestones.csv');
  }

  /** In the format `POST /v1/admin/import` takes. */
  @Get('tracker.json')
  async tracker(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const body = await this.exports.trackerJson(this.filter(query));
    await this.send(res, body, 'application/json; charset=utf-8', 'tracker.json');
  }

  private filter(query: unknown) {
    return toWorkstreamFilter(parse(WORKSTREAM_FILTER_PARAMETERS, query, 'The query has invalid parameters.'));
  }

  private async send(res: Response, body: Readable, contentType: string, filename: string): Promise<void> {
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    await sendStream(res, body);
  }
}
