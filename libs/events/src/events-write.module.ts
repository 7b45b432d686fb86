import { Module } from '@nestjs/common';
import { EventsOutboxRepository } from './events-outbox.repository';
import { EventsDispatcher } from './events.dispatcher';
import { EventsRecorder } from './events.recorder';

/** Writing events (inside a transaction) and handing them over after commit. */
@Module({ providers: [EventsOutboxRepository, EventsRecorder, EventsDispatcher], exports: [EventsRecorder, EventsDispatcher] })
export class EventsWriteModule {}
