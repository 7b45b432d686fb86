import { Module } from '@nestjs/common';
import { WorkstreamsOverviewQuery } from './workstreams-overview.query';
import { WorkstreamsQuery } from './workstreams.query';

/** The public, read-only side of workstreams. */
@Module({ providers: [WorkstreamsQuery, WorkstreamsOverviewQuery], exports: [WorkstreamsQuery, WorkstreamsOverviewQuery] })
export class WorkstreamsReadModule {}
