/** Generated workstreams for the benchmarks: set-based, deterministic, in a scratch database. */
import type pg from 'pg';
import { type HealthWindows, loadConfig } from '@pledgewatch/config';
import type { PrismaClient, PrismaService } from '@pledgewatch/database';
import type { EventsDispatcher } from '@pledgewatch/events';
import { StatusCheckService } from '@pledgewatch/status';
// eslint-disable-next-line no-restricted-imports -- the check's repository, internal to the library, is wired by hand here (no Nest injector)
import { StatusCheckRepository } from '../../libs/status/src/status-check.repository';

/** The tracker's countries and sectors (as seeded), as [code or slug, name]. */
export const COUNTRIES: [string, string][] = [
  ['BN', 'Brunei'], ['KH', 'Cambodia'], ['ID', 'Indonesia'], ['LA', 'Laos'], ['MY', 'Malaysia'], ['MM', 'Myanmar'],
  ['PH', 'Philippines'], ['SG', 'Singapore'], ['TH', 'Thailand'], ['VN', 'Viet Nam'], ['TL', 'Timor-Leste'], ['JP', 'Japan'],
];
export const SECTORS: [string, string][] = [
  ['diplomatic-relations', 'Diplomatic relations'], ['maritime-security', 'Maritime security'], ['defense', 'Defense'],
  ['economic-security', 'Economic security'], ['supply-chains', 'Supply chains'], ['trade-investment', 'Trade and investment'],
  ['energy-climate', 'Energy and climate'], ['digital', 'Digital'], ['space', 'Space'], ['connectivity', 'Connectivity'],
  ['people-to-people', 'People-to-people'],
];
/**
 * Set-based generation, deterministic (hashes of the row number, no random()): stages mostly
 * active, creation and last progress spread over two years, due dates within ±250 days of asOf,
 * statuses as editors leave them (some already `overdue` from earlier checks), completions before
 * and after asOf.
 */
export async function generateWorkstreams(client: pg.Client, n: number, asOf: Date): Promise<void> {
  await client.query(`
    INSERT INTO "Summit" (id, slug, name, "startDate", "endDate", location)
    VALUES (gen_random_uuid(), 'bench', 'Bench summit', '2023-12-16', '2023-12-18', 'Tokyo')`);
  await client.query(
    `
    INSERT INTO "Workstream" (id, slug, title, summary, "summitId", instrument, stage, "createdAt", "updatedAt", "lastProgressAt")
    SELECT gen_random_uuid(), 'ws-' || g, 'Workstream ' || g, 'Generated for the benchmark.',
           (SELECT id FROM "Summit" WHERE slug = 'bench'), 'initiative',
           (ARRAY['implementation', 'implementation', 'implementation', 'implementation', 'implementation',
                  'pipeline', 'finalisation', 'closed', 'cancelled', 'suspended'])[1 + abs(hashint4(g)) % 10]::"Stage",
           $1::timestamp - make_interval(days => 30 + abs(hashint4(g + 1)) % 700, secs => abs(hashint4(g + 2)) % 86400),
           $1::timestamp,
           CASE WHEN abs(hashint4(g + 3)) % 4 = 0 THEN NULL
                ELSE $1::timestamp - make_interval(days => abs(hashint4(g + 4)) % 400, secs => abs(hashint4(g + 5)) % 86400) END
    FROM generate_series(1, $2::int) g`,
    [asOf.toISOString().replace('Z', ''), n],
  );
  await client.query(
    `
    INSERT INTO "Milestone" (id, "workstreamId", title, "dueDate", status, "completedOn", "dateBasis", position, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), m.id, 'Milestone ' || m.p, m.due, m.status,
           CASE WHEN m.status = 'completed' THEN m.due + (m.h % 40) - 20 END,
           (ARRAY['sourced', 'planned', 'assumed'])[1 + m.h % 3]::"DateBasis",
           m.p, $1::timestamp, $1::timestamp
    FROM (
      SELECT w.id, p, $1::date + (abs(hashtext(w.slug || p)) % 500) - 250 AS due, abs(hashtext(w.slug || p || 'c')) AS h,
             (ARRAY['not_started', 'not_started', 'not_started', 'not_started', 'not_started', 'not_started',
                    'in_progress', 'in_progress', 'in_progress', 'in_progress', 'in_progress',
                    'completed', 'completed', 'completed', 'completed', 'completed', 'completed',
                    'deferred', 'cancelled', 'overdue'])[1 + abs(hashtext(w.slug || p || 's')) % 20]::"MilestoneStatus" AS status
      FROM "Workstream" w CROSS JOIN generate_series(1, 5) p
    ) m`,
    [asOf.toISOString().replace('Z', '')],
  );
}


/**
 * What the public API shows beside the check's own columns, for generateWorkstreams' rows: the
 * countries and sectors (1–2 of each per workstream, every 12th or so in Malaysia), a summary and a
 * source of typical length, and one `workstream.created` event each (dispatched: nothing to fan out).
 */
export async function addTopicsAndText(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO "Country" (code, name, "group") SELECT c, n, CASE WHEN c = 'JP' THEN 'partner' ELSE 'asean' END::"CountryGroup"
       FROM unnest($1::text[], $2::text[]) AS x(c, n) ON CONFLICT DO NOTHING`,
    [COUNTRIES.map((c) => c[0]), COUNTRIES.map((c) => c[1])],
  );
  await client.query(`INSERT INTO "Sector" (slug, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    SECTORS.map((s) => s[0]),
    SECTORS.map((s) => s[1]),
  ]);
  const numbered = `WITH w AS (SELECT id, substring(slug FROM 4)::int AS i FROM "Workstream")`;
  await client.query(
    `${numbered}
     INSERT INTO "WorkstreamCountry" ("workstreamId", "countryCode")
     SELECT DISTINCT w.id, c FROM w CROSS JOIN LATERAL (VALUES (($1::text[])[1 + abs(hashint4(w.i + 7)) % 12]),
                                                             (CASE WHEN w.i % 2 = 0 THEN ($1::text[])[1 + abs(hashint4(w.i + 8)) % 12] END)) AS x(c)
     WHERE c IS NOT NULL`,
    [COUNTRIES.map((c) => c[0])],
  );
  await client.query(
    `${numbered}
     INSERT INTO "WorkstreamSector" ("workstreamId", "sectorSlug")
     SELECT DISTINCT w.id, s FROM w CROSS JOIN LATERAL (VALUES (($1::text[])[1 + abs(hashint4(w.i + 9)) % 11]),
                                                             (CASE WHEN w.i % 3 = 0 THEN ($1::text[])[1 + abs(hashint4(w.i + 10)) % 11] END)) AS x(s)
     WHERE s IS NOT NULL`,
    [SECTORS.map((s) => s[0])],
  );
  await client.query(`
    UPDATE "Workstream" SET
      title = 'Commitment ' || substring(slug FROM 4) || ': patrol vessels, coastal radars and training for the coast guard',
      summary = 'Japan will provide patrol vessels, coastal surveillance radars and crew training under a grant agreement, '
             || 'with delivery of the first vessels and the radar sites planned over the next two years and reviewed yearly. '
             || 'Progress is tracked against the dated milestones below, as announced by the governments concerned.',
      source = jsonb_build_object('quote', 'Japan will continue to support the enhancement of maritime law enforcement capabilities.',
                                  'title', 'Joint Vision Statement on ASEAN-Japan Friendship and Cooperation', 'url', 'https://www.mofa.go.jp/files/100597792.pdf',
                                  'publisher', 'Ministry of Foreign Affairs of Japan', 'date', '2023-12-17')`);
  await client.query(`
    INSERT INTO "Event" (id, type, "workstreamId", "from", "to", reason, actor, "occurredAt", notify, "dispatchedAt")
    SELECT gen_random_uuid(), 'workstream.created', id, NULL, stage::text, 'Workstream created.', 'bench', "createdAt", false, "createdAt"
    FROM "Workstream"`);
}

/**
 * The status check service over the benchmark's own Prisma client, with `windows`; dispatching the
 * events after commit is left out (the benchmarks time or need only the check's transaction).
 */
export function statusCheck(prisma: PrismaClient, databaseUrl: string, windows: HealthWindows): StatusCheckService {
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' });
  Object.assign(config, { healthWindows: windows });
  const noDispatch = { dispatchOccurredAt: async () => 0 } as unknown as EventsDispatcher;
  return new StatusCheckService(new StatusCheckRepository(prisma as unknown as PrismaService), config, noDispatch);
}
