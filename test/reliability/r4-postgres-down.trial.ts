import { execFileSync } from 'node:child_process';
import { ROOT } from '../support/processes';
import { freePort, TestRedis } from '../support/redis-server';
import { queueBackends } from './support/backends';
import { createWorkstream, insertAudience, insertReference, rescheduleMilestone } from './support/fixtures';
import { MailSink } from './support/mail-sink';
import { PrivatePostgres } from './support/private-postgres';
import { record } from './support/report';
import { ADMIN_KEY, ApiProcess, call, knob, sleep, stackEnv, until, WorkerProcess, type HttpAnswer } from './support/stack';

/**
 * R4: the database (a private PostgreSQL cluster) stops for DOWN seconds right after an editor's
 * change → while it is down the API answers 503 problem+json within 5 s (never 500, never a hang)
 * and readiness (/health/ready) says 503; when it is back, API and worker recover without a
 * restart, and the change made before the stop is delivered.
 */
const DOWN_MS = knob('R4_DOWN_SECONDS', 20) * 1000;
const AUDIENCE = 20;
const PROBES: [method: string, route: string, body?: unknown][] = [
  ['GET', '/v1/workstreams'],
  ['GET', '/v1/events'],
  ['GET', '/v1/admin/subscribers'],
  ['PATCH', '/v1/admin/workstreams/patrol-vessels-for-the-philippine-coast-guard', { summary: 'Written while the database is down.' }],
];

describe.each(queueBackends())('R4 PostgreSQL stopped (%s queues)', (backend) => {
  const pgc = new PrivatePostgres();
  const sink = new MailSink();
  let redis: TestRedis | undefined;
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    await Promise.all([api?.kill(), worker?.kill()]);
    await redis?.stop();
    await sink.stop();
    await pgc.destroy();
  });

  it(`answers 503 problem+json within 5 s for ${DOWN_MS / 1000} s, readiness says so, both processes recover, nothing written before is lost`, async () => {
    await pgc.init();
    await pgc.start();
    const databaseUrl = pgc.url('pledgewatch');
    execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [ROOT] }), 'scripts/db.ts', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await insertReference(databaseUrl);
    const audience = new Set(await insertAudience(databaseUrl, AUDIENCE));
    if (backend === 'redis') {
      redis = new TestRedis(await freePort());
      await redis.start();
    }
    await sink.start();
    const env = stackEnv({ backend, databaseUrl, redisUrl: redis?.url, smtpUrl: sink.url });
    api = await ApiProcess.create(env);
    worker = new WorkerProcess(env);
    await Promise.all([api.start(), worker.start()]);
    const [apiPid, workerPid] = [api.child!.pid, worker.child!.pid];

    // The change written before the stop: its alerts must go out after the database is back.
    const ws = await createWorkstream(api.base, 'Patrol vessels for the Philippine Coast Guard');
    const before = await rescheduleMilestone(api.base, databaseUrl, ws.milestones[0].id, 260);
    await pgc.stop();
    const downAt = Date.now();

    const answers: (HttpAnswer & { route: string })[] = [];
    const readiness: HttpAnswer[] = [];
    while (Date.now() - downAt < DOWN_MS) {
      const round = PROBES.map(([method, route, body]) => call(api!.base, method, route, { key: ADMIN_KEY, body, timeoutMs: 10_000 }).then((a) => ({ ...a, route: `${method} ${route}` })));
      const [ready, ...rest] = await Promise.all([call(api.base, 'GET', '/health/ready', { timeoutMs: 10_000 }), ...round]);
      readiness.push(ready);
      answers.push(...rest);
      await sleep(500);
    }
    await pgc.start();
    const upAt = Date.now();

    const apiBack = await until('the API answering 200 again', 60_000, async () => (await call(api!.base, 'GET', '/v1/workstreams')).status === 200 && Date.now());
    await until('the alerts of the change made before the stop', 120_000, async () => sink.deliveredTo(audience, before) === AUDIENCE);
    // The worker recovered too: a change made after the restart is fanned out and sent.
    const after = await rescheduleMilestone(api.base, databaseUrl, ws.milestones[0].id, 280);
    const workerBack = await until('the alerts of a change made after the database came back', 120_000, async () => sink.deliveredTo(audience, before + after) === AUDIENCE && Date.now());

    const wrong = answers.filter((a) => a.status !== 503 || !/application\/problem\+json/.test(a.headers.get('content-type') ?? '') || a.json?.code !== 'dependency_unavailable');
    const slowest = Math.max(...answers.map((a) => a.ms), ...readiness.map((a) => a.ms));
    const { duplicated, unexpected } = sink.tally(audience, before + after);
    const broken = record({
      trial: 'R4',
      backend,
      title: `PostgreSQL stopped ${DOWN_MS / 1000} s`,
      figures: {
        expected: AUDIENCE * (before + after),
        delivered: sink.deliveredTo(audience, before + after) * (before + after),
        duplicated,
        requests: answers.length,
        fivexx: answers.filter((a) => a.status >= 500 && a.status !== 503).length,
        notProblem503: wrong.length,
        slowestMs: Math.round(slowest),
        readinessAnswers: readiness.map((r) => r.status).filter((s, i, all) => all.indexOf(s) === i).join('/'),
        apiRecoverSeconds: (apiBack - upAt) / 1000,
        recoverSeconds: (workerBack - upAt) / 1000,
      },
      checks: {
        'every answer while down is 503 problem+json dependency_unavailable': wrong.length === 0,
        'no answer while down took more than 5 s': slowest <= 5_000,
        'readiness answers 503 while down': readiness.length > 0 && readiness.every((r) => r.status === 503),
        'readiness answers 200 once back': (await call(api.base, 'GET', '/health/ready')).status === 200,
        'API and worker recovered without a restart': api.child!.pid === apiPid && worker.child!.pid === workerPid && api.alive && worker.alive,
        'the change written before the stop was delivered to everyone, once': duplicated === 0 && unexpected === 0,
      },
      note: wrong.length ? `Wrong answers while down (first 5): ${wrong.slice(0, 5).map((a) => `${a.route} → ${a.status} ${a.text.slice(0, 120)}`).join('; ')}` : undefined,
    });
    expect(broken).toEqual([]);
  });
});
