import { Module } from '@nestjs/common';
import { EventsDispatcher } from './events.dispatcher';
import { EventsRecorder } from './events.recorder';

/** Writing events (inside a transaction) and handing them over after commit. */
@Module({ providers: [EventsRecorder, EventsDispatcher], exports: [EventsRecorder, EventsDispatcher] })
export class EventsWriteModule {}
