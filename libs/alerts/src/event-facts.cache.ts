import { Injectable } from '@nestjs/common';
import type { AlertFacts } from './alert-message';
import { AlertDeliveriesRepository } from './alert-deliveries.repository';

const TTL_MS = 60_000;
const MAX_ENTRIES = 500;

/**
 * An event's facts, loaded once for all of its deliveries rather than once per email: one event
 * can mean 100,000 sends. Events are immutable; the workstream's title may change meanwhile,
 * which a minute-long cache tolerates.
 */
@Injectable()
export class EventFactsCache {
  private readonly entries = new Map<string, { at: number; facts: Promise<AlertFacts | null> }>();

  constructor(private readonly deliveries: AlertDeliveriesRepository) {}

  get(eventId: string): Promise<AlertFacts | null> {
    const now = Date.now();
    const hit = this.entries.get(eventId);
    if (hit && now - hit.at < TTL_MS) return hit.facts;
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [key, entry] of this.entries) if (now - entry.at >= TTL_MS) this.entries.delete(key);
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    }
    const facts = this.load(eventId);
    this.entries.set(eventId, { at: now, facts });
    // A failed load is not remembered: the next send tries again.
    facts.catch(() => this.entries.delete(eventId));
    return facts;
  }

  private async load(eventId: string): Promise<AlertFacts | null> {
    const row = await this.deliveries.findEventFacts(eventId);
    if (!row) return null;
    return {
      eventId: row.id,
      type: row.type,
      from: row.from,
      to: row.to,
      reason: row.reason,
      actor: row.actor,
      note: row.note,
      evidenceUrl: row.eventEvidenceUrl,
      occurredAt: row.occurredAt,
      workstream: { id: row.workstreamId, slug: row.slug, title: row.title, health: row.health, healthReason: row.healthReason },
      countries: row.countries,
      milestone: row.milestone,
      siblings: row.siblings,
    };
  }
}
