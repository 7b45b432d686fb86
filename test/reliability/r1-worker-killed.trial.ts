import { queueBackends } from './support/backends';
import { FanoutRun } from './support/fanout-run';
import { record } from './support/report';
import { knob, sleep } from './support/stack';

/**
 * R1: `kill -9` of the worker in the middle of fanning one event out to N subscribers, then a new
 * worker → everyone gets the alert; copies beyond one only for the sends in flight at the kill
 * (accepted by the SMTP server, not yet marked sent in Postgres), which are counted.
 */
const N = knob('R1_SUBSCRIBERS', 10_000);
const KILL_AT = knob('R1_KILL_AT_FRACTION', 0.3);
const TIMEOUT_MS = knob('R1_TIMEOUT_SECONDS', 300) * 1000;

describe.each(queueBackends())('R1 worker killed mid fan-out (%s queues)', (backend) => {
  const run = new FanoutRun(backend, N);
  afterAll(() => run.stop());

  it(`every one of ${N} subscribers gets the alert; duplicates at most the sends in flight at the kill`, async () => {
    await run.start();
    await run.trigger();
    await run.waitUntilReceived(Math.floor(run.expected * KILL_AT), TIMEOUT_MS);
    await run.worker.kill();
    const receivedAtKill = run.sink.received.length;
    await sleep(500); // sockets the dead worker held are closed by now
    const inFlight = await run.acceptedButUnmarked();
    const restartedAt = Date.now();
    await run.worker.start();
    const lastAt = await run.waitUntilAllDelivered(TIMEOUT_MS);
    await sleep(3_000); // a late second copy would land now
    const { delivered, duplicated, unexpected } = run.sink.tally(run.audience, run.perRecipient);
    const broken = record({
      trial: 'R1',
      backend,
      title: 'worker kill -9 mid fan-out',
      figures: {
        expected: run.expected,
        delivered: delivered * run.perRecipient,
        duplicated,
        inFlightAtKill: inFlight,
        receivedAtKill,
        recoverSeconds: (lastAt - restartedAt) / 1000,
      },
      checks: {
        'every subscriber received the alert': delivered === N,
        'duplicates ≤ sends in flight at the kill': duplicated <= inFlight,
        'no message to anyone else': unexpected === 0,
      },
    });
    expect(broken).toEqual([]);
  });
});
