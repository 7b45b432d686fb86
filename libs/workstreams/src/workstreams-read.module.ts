import { Module } from '@nestjs/common';
import { WorkstreamsQuery } from './workstreams.query';

/** The public, read-only side of workstreams. */
@Module({ providers: [WorkstreamsQuery], exports: [WorkstreamsQuery] })
export class WorkstreamsReadModule {}
