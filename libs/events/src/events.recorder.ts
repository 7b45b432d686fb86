import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@pledgewatch/database';
import { metrics } from '@pledgewatch/observability';
import { EventTypeName, eventTypeFromName } from './event-type';

export interface NewEvent {
  type: EventTypeName;
  workstreamId: string;
  milestoneId?: string | null;
  from?: string | null;
  to?: string | null;
  reason: string;
  actor: string;
  /** false: recorded for the history and feeds, nobody is emailed (an editor's quiet correction). */
  notify: boolean;
  /** The editor's change note and the evidence the change rests on, shown with the alert. */
  note?: string | null;
  evidenceUrl?: string | null;
}

/**
 * Writes Event rows inside the caller's transaction: an event exists if and only if its change
 * committed. dispatchedAt stays null; the outbox relay dispatches after commit.
 */
@Injectable()
export class EventsRecorder {
  /** Records the events in the given order, all at `occurredAt`; answers their ids in the same order. */
  async record(tx: Prisma.TransactionClient, events: NewEvent[], occurredAt: Date): Promise<string[]> {
    if (events.length === 0) return [];
    const rows = events.map((event) => ({
      id: randomUUID(),
      type: eventTypeFromName(event.type),
      workstreamId: event.workstreamId,
      milestoneId: event.milestoneId ?? null,
      from: event.from ?? null,
      to: event.to ?? null,
      reason: event.reason,
      actor: event.actor,
      notify: event.notify,
      note: event.note ?? null,
      evidenceUrl: event.evidenceUrl ?? null,
      occurredAt,
    }));
    await tx.event.createMany({ data: rows });
    // Counted when written inside the caller's transaction (a rolled-back write is rare: it fails before recording).
    for (const event of events) metrics.eventsWritten.inc({ type: event.type });
    return rows.map((row) => row.id);
  }
}
