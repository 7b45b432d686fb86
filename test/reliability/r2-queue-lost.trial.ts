import pg from 'pg';
import { queueBackends, type QueueBackend } from './support/backends';
import { FanoutRun } from './support/fanout-run';
import { record } from './support/report';
import { knob, sleep } from './support/stack';

/**
 * R2: the queue loses everything in the middle of a fan-out — Redis flushed, or Redis restarted
 * without persistence (on the PostgreSQL backend: every job table emptied) → every subscriber
 * still gets the alert, through the outbox relay and the delivery reconciler (Postgres holds the
 * work). The worker keeps running throughout.
 *
 * "During fan-out" hits earlier: while the fan-out job itself is creating the delivery rows (the
 * first keyset batch is in, the rest is not), the worker is killed and the queue wiped with its
 * job. No job and no row remain for the subscribers after the first batch: only the event's
 * `fanoutPending` mark tells the outbox relay to fan it out again.
 */
const N = knob('R2_SUBSCRIBERS', 10_000);
const FAULT_AT = knob('R2_FAULT_AT_FRACTION', 0.3);
const TIMEOUT_MS = knob('R2_TIMEOUT_SECONDS', 300) * 1000;

type Fault = 'flushed' | 'restarted empty' | 'job tables emptied' | 'wiped during fan-out, worker killed';
const cases: [QueueBackend, Fault][] = queueBackends().flatMap((backend): [QueueBackend, Fault][] => [
  ...(backend === 'redis' ? ([[backend, 'flushed'], [backend, 'restarted empty']] as [QueueBackend, Fault][]) : [[backend, 'job tables emptied'] as [QueueBackend, Fault]]),
  [backend, 'wiped during fan-out, worker killed'],
]);

/** Alert rows in the trial's database, polled every 10 ms on one connection until `done` says stop. */
async function pollAlertRows(databaseUrl: string, done: (rows: number) => boolean, timeoutMs: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE kind = 'alert'`);
      if (done(rows[0].n)) return rows[0].n;
      if (Date.now() > deadline) throw new Error(`no alert rows within ${timeoutMs / 1000} s`);
      await sleep(10);
    }
  } finally {
    await client.end();
  }
}

describe.each(cases)('R2 queue lost mid fan-out (%s queues, %s)', (backend, fault) => {
  const run = new FanoutRun(backend, N);
  afterAll(() => run.stop());

  it(`every one of ${N} subscribers still gets the alert`, async () => {
    await run.start();
    let rowsAtFault: number | undefined;
    if (fault === 'wiped during fan-out, worker killed') {
      // Watching before the trigger: the fan-out may start before the PATCH answers.
      const firstRows = pollAlertRows(run.db.url, (rows) => rows > 0, TIMEOUT_MS);
      await run.trigger();
      await firstRows;
      await run.worker.kill();
      rowsAtFault = await pollAlertRows(run.db.url, () => true, 1_000);
    } else {
      await run.trigger();
      await run.waitUntilReceived(Math.floor(run.expected * FAULT_AT), TIMEOUT_MS);
    }
    if (rowsAtFault !== undefined) await sleep(500); // sockets the dead worker held are closed by now
    const inFlight = await run.acceptedButUnmarked();
    const receivedAtFault = run.sink.received.length;
    const faultAt = Date.now();
    if (fault === 'restarted empty') {
      await run.redis!.stop();
      await sleep(2_000);
      await run.redis!.start();
    } else {
      await run.wipeQueue();
    }
    if (rowsAtFault !== undefined) await run.worker.start();
    const lastAt = await run.waitUntilAllDelivered(TIMEOUT_MS);
    await sleep(3_000);
    const { delivered, duplicated, unexpected } = run.sink.tally(run.audience, run.perRecipient);
    const broken = record({
      trial: 'R2',
      backend,
      title: rowsAtFault !== undefined ? `queue ${fault}` : `queue ${fault} mid fan-out`,
      figures: {
        expected: run.expected,
        delivered: delivered * run.perRecipient,
        duplicated,
        inFlightAtKill: inFlight,
        receivedAtFault,
        ...(rowsAtFault !== undefined ? { alertRowsAtFault: rowsAtFault } : {}),
        recoverSeconds: (lastAt - faultAt) / 1000,
      },
      checks: {
        ...(rowsAtFault !== undefined ? { 'the fault hit while the fan-out was still creating rows': rowsAtFault < run.expected } : {}),
        'every subscriber received the alert': delivered === N,
        'duplicates ≤ sends in flight at the fault': duplicated <= inFlight,
        'no message to anyone else': unexpected === 0,
      },
    });
    expect(broken).toEqual([]);
  });
});
