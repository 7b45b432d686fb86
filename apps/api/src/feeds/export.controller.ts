import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { ExportService } from '@pledgewatch/export';
import { parse } from '@pledgewatch/problems';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiDocumentAnswer, ApiProblems, ApiQueryOf } from '../http/openapi.decorators';
import { toWorkstreamFilter, WORKSTREAM_FILTER_PARAMETERS } from '../public/filter-params';
import { sendStream } from './http-streams';

const CSV = 'text/csv; charset=utf-8; header=present';

/** Open data: the tracker with the filters of `GET /v1/workstreams`, streamed. */
@ApiTags('export')
@Controller('v1/export')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @ApiOperation({ summary: 'Workstreams as CSV (RFC 4180), the filters of /v1/workstreams' })
  @ApiQueryOf(WORKSTREAM_FILTER_PARAMETERS)
  @ApiDocumentAnswer('text/csv', 'One header row, UTF-8; formula cells neutralised')
  @ApiProblems(400)
  @Get('workstreams.csv')
  async workstreams(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const body = await this.exports.workstreamsCsv(this.filter(query));
    await this.send(res, body, CSV, 'workstreams.csv');
  }

  @ApiOperation({ summary: 'Milestones as CSV (RFC 4180), the filters of /v1/workstreams' })
  @ApiQueryOf(WORKSTREAM_FILTER_PARAMETERS)
  @ApiDocumentAnswer('text/csv', 'One header row, UTF-8; formula cells neutralised')
  @ApiProblems(400)
  @Get('milestones.csv')
  async milestones(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const body = await this.exports.milestonesCsv(this.filter(query));
    await this.send(res, body, CSV, 'milestones.csv');
  }

  /** In the format `POST /v1/admin/import` takes. */
  @ApiOperation({ summary: 'The tracker in the format POST /v1/admin/import accepts (export → import round-trips)' })
  @ApiQueryOf(WORKSTREAM_FILTER_PARAMETERS)
  @ApiDocumentAnswer('application/json', 'The import document, streamed')
  @ApiProblems(400)
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
