import { ADMIN_KEY, call, sql } from './stack';

/** `YYYY-MM-DD`, `days` from today (UTC). */
export const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export const audienceAddress = (i: number) => `reader${i}@reliability.example`;

/** Reference data (a country, a sector, a summit), inserted directly: the trials do not assume the seed. */
export async function insertReference(databaseUrl: string): Promise<void> {
  await sql(databaseUrl, `INSERT INTO "Country" (code, name, "group") VALUES ('PH', 'Philippines', 'asean'), ('JP', 'Japan', 'partner') ON CONFLICT DO NOTHING`);
  await sql(databaseUrl, `INSERT INTO "Sector" (slug, name) VALUES ('maritime-security', 'Maritime security') ON CONFLICT DO NOTHING`);
  await sql(
    databaseUrl,
    `INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
     VALUES (gen_random_uuid(), 'reliability-summit', 'Reliability summit', '2023-12-16', '2023-12-18', 'Tokyo') ON CONFLICT DO NOTHING`,
  );
}

/**
 * `n` confirmed subscribers following Philippines × maritime security, set-based (confirming
 * 10,000 through double opt-in is not what these trials measure). Answers their addresses.
 */
export async function insertAudience(databaseUrl: string, n: number, from = 0): Promise<string[]> {
  await sql(
    databaseUrl,
    `WITH s AS (
       INSERT INTO "Subscriber" (id, email, state, alerts, digest, "confirmedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'reader' || i || '@reliability.example', 'active', true, false, now(), now(), now()
         FROM generate_series($1::int, $2::int) AS i
       RETURNING id)
     INSERT INTO "Subscription" (id, "subscriberId", "countryCode", "sectorSlug", "createdAt")
     SELECT gen_random_uuid(), s.id, 'PH', 'maritime-security', now() FROM s`,
    [from, from + n - 1],
  );
  await sql(databaseUrl, 'ANALYZE');
  return Array.from({ length: n }, (_, i) => audienceAddress(from + i));
}

export interface CreatedWorkstream {
  id: string;
  slug: string;
  version: number;
  milestones: { id: string; title: string; dueDate: string }[];
}

/** A workstream followed by the audience, through the admin API, with one far-off planned milestone. */
export async function createWorkstream(base: string, title: string, overrides: Record<string, unknown> = {}): Promise<CreatedWorkstream> {
  const res = await call(base, 'POST', '/v1/admin/workstreams', {
    key: ADMIN_KEY,
    body: {
      title,
      summary: 'Japan provides patrol vessels to the Philippine Coast Guard.',
      summit: 'reliability-summit',
      countries: ['PH', 'JP'],
      sectors: ['maritime-security'],
      instrument: 'oda',
      stage: 'implementation',
      milestones: [{ title: 'Vessel handed over', dueDate: day(200), dateBasis: 'planned' }],
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`creating the workstream answered ${res.status}: ${res.text}`);
  return res.json as CreatedWorkstream;
}

/**
 * The change a trial alerts on: the milestone's due date moves (one `milestone.rescheduled`, an
 * instant alert; the health stays on track). Answers the alerting events it recorded.
 */
export async function rescheduleMilestone(base: string, databaseUrl: string, milestoneId: string, dueInDays: number): Promise<number> {
  const before = await alertingEvents(databaseUrl);
  const res = await call(base, 'PATCH', `/v1/admin/milestones/${milestoneId}`, { key: ADMIN_KEY, body: { dueDate: day(dueInDays) } });
  if (res.status !== 200) throw new Error(`rescheduling answered ${res.status}: ${res.text}`);
  return (await alertingEvents(databaseUrl)) - before;
}

/** Events that send an instant alert (docs/api.md#instant-alerts) and are not quiet corrections. */
export async function alertingEvents(databaseUrl: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    databaseUrl,
    `SELECT count(*)::int AS n FROM "Event" WHERE notify AND type::text IN
       ('workstream.health_changed','workstream.stage_changed','milestone.completed','milestone.overdue','milestone.rescheduled')`,
  );
  return row.n;
}

export async function deliveryStatuses(databaseUrl: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>(databaseUrl, `SELECT status::text, count(*)::int AS n FROM "Delivery" WHERE kind = 'alert' GROUP BY 1`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
