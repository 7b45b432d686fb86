import { Injectable } from '@nestjs/common';
import { Page } from '@pledgewatch/pagination';
import { NotFoundError } from '@pledgewatch/problems';
import { AdminSubscriberRow, SubscriberFilter, SubscriptionsRepository } from './subscriptions.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A subscriber as an editor sees one: preferences and topics, grouped the way POST /v1/subscriptions takes them. */
export function toAdminSubscriberView(row: AdminSubscriberRow) {
  const countries: string[] = [];
  const sectors: string[] = [];
  const intersections: { country: string; sector: string }[] = [];
  const workstreams: string[] = [];
  for (const s of row.subscriptions) {
    if (s.workstream) workstreams.push(s.workstream.slug);
    else if (s.countryCode && s.sectorSlug) intersections.push({ country: s.countryCode, sector: s.sectorSlug });
    else if (s.countryCode) countries.push(s.countryCode);
    else if (s.sectorSlug) sectors.push(s.sectorSlug);
  }
  return {
    id: row.id,
    email: row.email,
    state: row.state,
    alerts: row.alerts,
    digest: row.digest,
    timezone: row.timezone,
    digestDay: row.digestDay,
    digestHour: row.digestHour,
    topics: { countries, sectors, intersections, workstreams },
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    unsubscribedAt: row.unsubscribedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type AdminSubscriberView = ReturnType<typeof toAdminSubscriberView>;

@Injectable()
export class SubscribersAdminService {
  constructor(private readonly repository: SubscriptionsRepository) {}

  async list(filter: SubscriberFilter): Promise<Page<AdminSubscriberView>> {
    const page = await this.repository.listSubscribers(filter);
    return { items: page.items.map(toAdminSubscriberView), nextCursor: page.nextCursor };
  }

  /** Every manage and unsubscribe link sent to the subscriber stops working; the next email carries new ones. */
  async revokeLinks(id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repository.revokeLinks(id.toLowerCase()))) throw new NotFoundError('Subscriber', id);
  }

  /** Erases the subscriber and everything held about them (docs/privacy.md). */
  async erase(id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repository.erase(id.toLowerCase()))) throw new NotFoundError('Subscriber', id);
  }
}
