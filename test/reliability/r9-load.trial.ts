import { queueBackends } from './support/backends';
import { alertingEvents, createWorkstream, day, insertAudience } from './support/fixtures';
import { record } from './support/report';
import { SmallStack } from './support/small-stack';
import { ADMIN_KEY, call, knob, p99, sleep, until } from './support/stack';

/**
 * R9: CONNECTIONS concurrent clients for SECONDS on the public list, a workstream and the events
 * feed, a subscribe every 200 ms, an editor change every second, the check run once → no 5xx,
 * every alert of the editor changes delivered, p99 per route.
 */
const CONNECTIONS = knob('R9_CONNECTIONS', 64);
const SECONDS = knob('R9_SECONDS', 60);
const AUDIENCE = knob('R9_AUDIENCE', 20);

describe.each(queueBackends())('R9 load (%s queues)', (backend) => {
  const stack = new SmallStack(backend, { worker: true, env: { SUBSCRIBE_LIMIT_PER_IP: '100000/60' } });
  afterAll(() => stack.stop());

  it(`${CONNECTIONS} connections for ${SECONDS} s with writes and the check: no 5xx, every alert delivered`, async () => {
    await stack.start();
    const audience = new Set(await insertAudience(stack.db.url, AUDIENCE));
    const ws = await createWorkstream(stack.api.base, 'Patrol vessels for the Philippine Coast Guard');
    const alertsBefore = await alertingEvents(stack.db.url);
    const samples = new Map<string, number[]>();
    const statuses = new Map<string, number>();
    let fivexx = 0;
    const fiveSamples: string[] = [];
    const note = (route: string, status: number, ms: number, text: string) => {
      if (!samples.has(route)) samples.set(route, []);
      samples.get(route)!.push(ms);
      statuses.set(`${route} ${status}`, (statuses.get(`${route} ${status}`) ?? 0) + 1);
      if (status >= 500 || status === 0) {
        fivexx += 1;
        if (fiveSamples.length < 5) fiveSamples.push(`${route} → ${status} ${text.slice(0, 100)}`);
      }
    };
    const reads = ['/v1/workstreams', `/v1/workstreams/${ws.slug}`, '/v1/events'];
    const endAt = Date.now() + SECONDS * 1000;
    const reader = async (i: number) => {
      for (let n = i; Date.now() < endAt; n++) {
        const route = reads[n % reads.length];
        const a = await call(stack.api.base, 'GET', route);
        note(`GET ${route.replace(ws.slug, '{slug}')}`, a.status, a.ms, a.text);
      }
    };
    const every = async (ms: number, work: (n: number) => Promise<void>) => {
      for (let n = 0; Date.now() < endAt; n++) {
        const started = Date.now();
        await work(n);
        await sleep(Math.max(0, ms - (Date.now() - started)));
      }
    };
    let changes = 0;
    let changesTried = 0;
    const writers = [
      every(200, async (n) => {
        const a = await call(stack.api.base, 'POST', '/v1/subscriptions', { body: { email: `load${n}-${Date.now()}@reliability.example`, countries: ['PH'], timezone: 'Asia/Manila' } });
        note('POST /v1/subscriptions', a.status, a.ms, a.text);
      }),
      every(1000, async (n) => {
        const a = await call(stack.api.base, 'PATCH', `/v1/admin/milestones/${ws.milestones[0].id}`, { key: ADMIN_KEY, body: { dueDate: day(200 + (n % 2 ? 30 : 60) + n) } });
        note('PATCH /v1/admin/milestones/{id}', a.status, a.ms, a.text);
        changesTried += 1;
        if (a.status === 200) changes += 1;
      }),
      (async () => {
        await sleep((SECONDS * 1000) / 2);
        const a = await call(stack.api.base, 'POST', '/v1/admin/checks', { key: ADMIN_KEY });
        note('POST /v1/admin/checks', a.status, a.ms, a.text);
      })(),
    ];
    await Promise.all([...Array.from({ length: CONNECTIONS }, (_, i) => reader(i)), ...writers]);
    const alerts = (await alertingEvents(stack.db.url)) - alertsBefore;
    const deliveredAll = await until('every alert of the editor changes', 180_000, async () => stack.sink.deliveredTo(audience, alerts) === AUDIENCE).then(
      () => true,
      () => false,
    );
    const { duplicated } = stack.sink.tally(audience, alerts);
    const p99s = Object.fromEntries([...samples].map(([route, ms]) => [`p99 ${route}`, Math.round(p99(ms))]));
    const requests = [...samples.values()].reduce((n, s) => n + s.length, 0);
    const broken = record({
      trial: 'R9',
      backend,
      title: `load: ${CONNECTIONS} connections × ${SECONDS} s`,
      figures: {
        expected: AUDIENCE * alerts,
        delivered: stack.sink.deliveredTo(audience, alerts) * alerts,
        duplicated,
        requests,
        fivexx,
        p99: Math.max(...Object.values(p99s)),
        editorChanges: changes,
        ...p99s,
        answers: [...statuses].map(([k, n]) => `${k}×${n}`).join(', '),
      },
      checks: {
        'no 5xx': fivexx === 0,
        'every editor change was accepted and recorded an alert': changes === changesTried && alerts >= changes,
        'every alert of the editor changes delivered': deliveredAll,
        'no duplicate alert': duplicated === 0,
      },
      note: fiveSamples.length ? `5xx: ${fiveSamples.join('; ')}` : undefined,
    });
    expect(broken).toEqual([]);
  });
});
