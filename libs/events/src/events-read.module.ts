import { Module } from '@nestjs/common';
import { EventsQuery } from './events.query';

/** The public change log. */
@Module({ providers: [EventsQuery], exports: [EventsQuery] })
export class EventsReadModule {}
