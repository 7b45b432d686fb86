import { withClient, createScratchDatabase, dropScratchDatabase } from '../bench/support/harness';
import { addTopicsAndText, generateWorkstreams } from '../bench/support/workstreams';
async function main() {
  const name = 'h29_explain';
  if (process.env.REUSE) return;
  await dropScratchDatabase(name).catch(() => undefined);
  const url = createScratchDatabase(name);
  await withClient(url, async (db) => {
    const t = Date.now();
    await generateWorkstreams(db, Number(process.env.N ?? 20000), new Date());
    await addTopicsAndText(db);
    await db.query('VACUUM ANALYZE');
    console.log('seeded', Date.now() - t, 'ms');
    for (const q of ['Malaysia', '4242', '"coastal radars" Malaysia']) {
      const sql = `EXPLAIN (ANALYZE, BUFFERS) WITH page AS (SELECT * FROM (SELECT w.id, ts_rank(w."searchDocument", websearch_to_tsquery('english', pw_search_units($1))) AS k0 FROM "Workstream" w WHERE w."archivedAt" IS NULL AND w."searchDocument" @@ websearch_to_tsquery('english', pw_search_units($1))) k ORDER BY k.k0 DESC, k.id DESC LIMIT 21) SELECT w.id, page.k0::text FROM page JOIN "Workstream" w ON w.id = page.id ORDER BY page.k0 DESC, page.id DESC`;
      for (let i = 0; i < 2; i++) await db.query(sql, [q]);
      const { rows } = await db.query(sql, [q]);
      console.log(q, rows.map((r) => r['QUERY PLAN']).filter((l: string) => /Execution Time|Bitmap Heap|rows=/.test(l)).slice(0, 4).join('\n'));
    }
  });
  if (!process.env.KEEP) await dropScratchDatabase(name);
}
main();
