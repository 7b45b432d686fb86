/** Generated workstreams for the benchmarks: set-based, deterministic, in a scratch database. */
import type pg from 'pg';

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
    INSERT INTO "Milestone" (id, "workstreamId", title, "dueDate", status, "completedOn", position, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), m.id, 'Milestone ' || m.p, m.due, m.status,
           CASE WHEN m.status = 'completed' THEN m.due + (m.h % 40) - 20 END,
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

