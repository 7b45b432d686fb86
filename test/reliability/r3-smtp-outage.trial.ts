import { queueBackends } from './support/backends';
import { FanoutRun } from './support/fanout-run';
import { record } from './support/report';
import { knob, sleep, sql } from './support/stack';

/**
 * R3: the SMTP server goes away for OUTAGE seconds in the middle of a fan-out, then comes back
 * answering `421` to one message in ten → every alert is delivered once it is back, none is lost
 * or failed, and the retries are recorded on the delivery rows: the outage's failed connections in
 * `attempts`, the 421s (a throttling answer: re-queued without using an attempt) in
 * `throttledCount`.
 */
const N = knob('R3_SUBSCRIBERS', 10_000);
const OUTAGE_MS = knob('R3_OUTAGE_SECONDS', 60) * 1000;
const TIMEOUT_MS = knob('R3_TIMEOUT_SECONDS', 600) * 1000;

describe.each(queueBackends())('R3 SMTP down, then 421 one in ten (%s queues)', (backend) => {
  let flaky = false;
  const run = new FanoutRun(backend, N, { failWith: (attempt) => (flaky && attempt % 10 === 0 ? 421 : null) });
  afterAll(() => run.stop());

  it(`all ${N} alerts delivered after a ${OUTAGE_MS / 1000} s outage and one 421 in ten, attempts recorded`, async () => {
    await run.start();
    await run.trigger();
    await run.waitUntilReceived(Math.floor(run.expected * 0.3), TIMEOUT_MS);
    await run.sink.stop();
    const inFlight = await run.acceptedButUnmarked();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    flaky = true;
    await run.sink.start();
    const backAt = Date.now();
    const lastAt = await run.waitUntilAllDelivered(TIMEOUT_MS);
    await sleep(3_000);
    const { delivered, duplicated, unexpected } = run.sink.tally(run.audience, run.perRecipient);
    const refusedIds = [...new Set(run.sink.refused.map((m) => /^<([0-9a-f-]{36})@/.exec(m)?.[1]).filter(Boolean))];
    const [rows] = await sql<{ failed: number; retried: number; refusedRecorded: number; throttled: number; maxAttempts: number }>(
      run.db.url,
      `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE attempts > 1)::int AS retried,
              count(*) FILTER (WHERE "throttledCount" > 0 AND id = ANY($1::uuid[]))::int AS "refusedRecorded",
              coalesce(sum("throttledCount"), 0)::int AS throttled,
              coalesce(max(attempts), 0)::int AS "maxAttempts"
         FROM "Delivery" WHERE kind = 'alert'`,
      [refusedIds],
    );
    const broken = record({
      trial: 'R3',
      backend,
      title: `SMTP down ${OUTAGE_MS / 1000} s, then 421 one in ten`,
      figures: {
        expected: run.expected,
        delivered: delivered * run.perRecipient,
        duplicated,
        inFlightAtKill: inFlight,
        refused421: run.sink.refused.length,
        rowsRetried: rows.retried,
        rowsThrottled: rows.throttled,
        maxAttempts: rows.maxAttempts,
        recoverSeconds: (lastAt - backAt) / 1000,
        outageSeconds: (backAt - downAt) / 1000,
      },
      checks: {
        'every subscriber received the alert': delivered === N,
        'no delivery failed': rows.failed === 0,
        'every message refused with 421 has it recorded (throttledCount > 0)': rows.refusedRecorded === refusedIds.length,
        'the throttles recorded are the 421s the server gave': rows.throttled === run.sink.refused.length,
        'duplicates ≤ sends in flight when the server went down': duplicated <= inFlight,
        'no message to anyone else': unexpected === 0,
      },
    });
    expect(broken).toEqual([]);
  });
});
