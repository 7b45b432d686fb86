import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { buildApp, ROOT } from './support/processes';
import { eventually, REDIS_URL } from './support/alerts-harness';
import { createTestDatabase, TestDatabase } from './support/database';
import { freePort } from './support/redis-server';

const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');

/** Resolves when the socket connects, rejects when it is refused. */
const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });

describe('API: SIGTERM with a request in flight', () => {
  let db: TestDatabase;
  let api: ChildProcess | undefined;

  beforeAll(async () => {
    buildApp('api', () => undefined);
    db = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    if (api && api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
    await db?.drop();
  });

  it('finishes the request in flight, refuses new connections and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [API_MAIN], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: db.url, REDIS_URL, PORT: String(port), QUEUE_PREFIX: `test-api-shutdown-${port}`, SHUTDOWN_TIMEOUT_SECONDS: '20' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    api = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(() => connects(port), 60_000, 'the API to listen');

    // A request whose body is still arriving when SIGTERM comes.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/admin/checks', agent: false, headers: { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{');
      setTimeout(() => {
        child.kill('SIGTERM');
        // New connections are refused while the one in flight is still open…
        void eventually(async () => !(await connects(port)), 10_000, 'new connections refused').then(() => req.end('}'), reject);
      }, 300);
    });
    // …and it still gets its whole answer (401: no API key; what matters is that it is answered).
    const { status, body } = await answer;
    expect(status).toBe(401);
    expect(JSON.parse(body)).toMatchObject({ code: 'unauthenticated' });
    expect(await exited).toBe(0);
  }, 120_000);
});
