import { queueBackends, type QueueBackend } from './support/backends';
import { FanoutRun } from './support/fanout-run';
import { record } from './support/report';
import { knob, sleep } from './support/stack';

/**
 * R2: the queue loses everything in the middle of a fan-out — Redis flushed, or Redis restarted
 * without persistence (on the PostgreSQL backend: every job table emptied) → every subscriber
 * still gets the alert, through the outbox relay and the delivery reconciler (Postgres holds the
 * work). The worker keeps running throughout.
 */
const N = knob('R2_SUBSCRIBERS', 10_000);
const FAULT_AT = knob('R2_FAULT_AT_FRACTION', 0.3);
const TIMEOUT_MS = knob('R2_TIMEOUT_SECONDS', 300) * 1000;

type Fault = 'flushed' | 'restarted empty' | 'job tables emptied';
const cases: [QueueBackend, Fault][] = queueBackends().flatMap((backend): [QueueBackend, Fault][] =>
  backend === 'redis' ? [[backend, 'flushed'], [backend, 'restarted empty']] : [[backend, 'job tables emptied']],
);

describe.each(cases)('R2 queue lost mid fan-out (%s queues, %s)', (backend, fault) => {
  const run = new FanoutRun(backend, N);
  afterAll(() => run.stop());

  it(`every one of ${N} subscribers still gets the alert`, async () => {
    await run.start();
    await run.trigger();
    await run.waitUntilReceived(Math.floor(run.expected * FAULT_AT), TIMEOUT_MS);
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
    const lastAt = await run.waitUntilAllDelivered(TIMEOUT_MS);
    await sleep(3_000);
    const { delivered, duplicated, unexpected } = run.sink.tally(run.audience, run.perRecipient);
    const broken = record({
      trial: 'R2',
      backend,
      title: `queue ${fault} mid fan-out`,
      figures: {
        expected: run.expected,
        delivered: delivered * run.perRecipient,
        duplicated,
        inFlightAtKill: inFlight,
        receivedAtFault,
        recoverSeconds: (lastAt - faultAt) / 1000,
      },
      checks: {
        'every subscriber received the alert': delivered === N,
        'duplicates ≤ sends in flight at the fault': duplicated <= inFlight,
        'no message to anyone else': unexpected === 0,
      },
    });
    expect(broken).toEqual([]);
  });
});
