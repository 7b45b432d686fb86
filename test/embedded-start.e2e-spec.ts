import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../scripts/net';
import { withBuildLock } from './support/build-lock';
import { eventually } from './support/eventually';

const ROOT = path.resolve(__dirname, '..');
const ADMIN_KEY = 'embedded-start-admin-key-0123456789';
const EMAIL = 'embedded-reader@example.org';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Processes whose command line names `text` (the embedded server and its supervisor name the data dir). */
function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(text));
}

interface Running {
  child: ChildProcess;
  output: () => string;
  mailUi: string;
  databasePort: number;
}

/**
 * `npm start` as a new user runs it (scripts/run.ts start), on a machine where nothing answers on
 * the PostgreSQL and Redis probes' ports (pointed at closed ones: the machine's own services are
 * left alone), with .data in a temporary directory.
 */
function start(env: NodeJS.ProcessEnv): Promise<Running> {
  // It builds dist/ (npm run build), as `npm start` does.
  return withBuildLock(() => startUnlocked(env));
}

async function startUnlocked(env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run.ts', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${out}`);
      return out.includes('Pledgewatch is running.');
    },
    240_000,
    'npm start to be ready',
  );
  const mailUi = /Mail catcher (http:\/\/\S+)/.exec(out)![1];
  const databasePort = Number(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return { child, output: () => out, mailUi, databasePort };
}

async function stop(running: Running): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGINT'); // what a terminal's Ctrl-C delivers
  return exited;
}

interface CaughtMail {
  subject: string;
  text: string;
  to: { address: string }[];
}

async function mailsTo(mailUi: string, address: string): Promise<CaughtMail[]> {
  const res = await fetch(`${mailUi}/api/email`);
  const all = (await res.json()) as CaughtMail[];
  return all.filter((mail) => mail.to.some((to) => to.address === address));
}

describe('npm start on a machine with only Node.js (embedded PostgreSQL, queues on PostgreSQL)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let apiPort: number;
  let running: Running | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pw-embedded-'));
    chmodSync(dir, 0o755); // run as root, the server runs as user postgres, which must reach its data
    apiPort = await freePort();
    const [closedPg, closedRedis] = [await freePort(), await freePort()];
    env = { ...process.env };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'QUEUE_BACKEND', 'SMTP_URL', 'PW_EMBEDDED', 'NODE_ENV', 'PUBLIC_BASE_URL']) delete env[name];
    Object.assign(env, {
      PW_DATA_DIR: path.join(dir, '.data'),
      PW_LOCAL_POSTGRES_URL: `postgresql://postgres@127.0.0.1:${closedPg}/pledgewatch`,
      PW_LOCAL_REDIS_URL: `redis://127.0.0.1:${closedRedis}`,
      PORT: String(apiPort),
      ADMIN_API_KEY: ADMIN_KEY,
    });
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) await stop(running);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the seeded tracker, mails a confirmation and an alert, stops on Ctrl-C leaving nothing behind, and keeps the data for the next start', async () => {
    const base = `http://127.0.0.1:${apiPort}`;
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

    // The worker's default METRICS_PORT taken (no test's worker uses it): npm start picks a free one.
    const blocker = net.createServer().on('error', () => undefined).listen(9464);
    running = await start(env);
    blocker.close();
    expect(running.output()).toMatch(/port 9464 \(the worker's default METRICS_PORT\) is taken; the worker's metrics are on \d+/);
    expect(running.output()).toContain(`Pledgewatch is running. Open http://localhost:${apiPort}/ in a browser.`);
    expect(running.output()).toContain('no PostgreSQL on 127.0.0.1');
    expect(running.output()).toMatch(/Queues +PostgreSQL/);

    // The seed is there.
    const list = await fetch(`${base}/v1/workstreams?country=MY`);
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: { slug: string; title: string }[] };
    expect(items.length).toBeGreaterThan(0);

    // Subscribe, and the confirmation reaches the mail catcher.
    const subscribe = await fetch(`${base}/v1/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, countries: ['MY'] }) });
    expect(subscribe.status).toBe(202);
    const [confirmation] = await eventually(async () => {
      const mails = await mailsTo(running!.mailUi, EMAIL);
      return mails.length ? mails : null;
    }, 60_000, 'the confirmation email');
    const token = /confirm\?token=([^\s&"]+)/.exec(confirmation.text)![1];
    expect((await fetch(`${base}/v1/subscriptions/confirm?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } })).status).toBe(200);

    // An editor's milestone change alerts the confirmed subscriber.
    type Milestone = { id: string; dueDate: string; status: string };
    let target: { workstream: (typeof items)[number]; milestone: Milestone } | undefined;
    for (const workstream of items) {
      const detail = (await (await fetch(`${base}/v1/workstreams/${workstream.slug}`)).json()) as { milestones: Milestone[] };
      const milestone = detail.milestones.find((m) => m.status !== 'completed');
      if (milestone) {
        target = { workstream, milestone };
        break;
      }
    }
    const { workstream, milestone } = target!;
    const later = new Date(Date.parse(milestone.dueDate) + 90 * 86_400_000).toISOString().slice(0, 10);
    const patch = await fetch(`${base}/v1/admin/milestones/${milestone.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ dueDate: later }) });
    expect(patch.status).toBe(200);
    const alert = await eventually(async () => (await mailsTo(running!.mailUi, EMAIL)).find((mail) => mail.subject.includes(workstream.title)), 60_000, 'the alert');
    expect(alert.text).toContain(workstream.title);

    // The queues ran on PostgreSQL, in the embedded server.
    const db = new pg.Client({ connectionString: `postgresql://postgres:pledgewatch@127.0.0.1:${running.databasePort}/pledgewatch` });
    await db.connect();
    const schemas = await db.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'bullmq_pw'`);
    await db.end();
    expect(schemas.rowCount).toBe(1);

    // Ctrl-C: everything stops, no process and no postmaster.pid left.
    const mailPort = Number(new URL(running.mailUi).port);
    expect(await stop(running)).toBe(0);
    expect(processesNaming(dir)).toEqual([]);
    expect(existsSync(path.join(dir, '.data', 'postgres', 'postmaster.pid'))).toBe(false);
    expect(await listening(apiPort)).toBe(false);
    expect(await listening(mailPort)).toBe(false);
    expect(await listening(running.databasePort)).toBe(false);

    // The second start finds the subscriber still there.
    running = await start(env);
    expect(running.output()).not.toContain('initialised and');
    const subscribers = await fetch(`${base}/v1/admin/subscribers?email=${encodeURIComponent(EMAIL)}`, { headers: admin });
    expect(subscribers.status).toBe(200);
    const found = (await subscribers.json()) as { items: { email: string; state: string }[] };
    expect(found.items).toEqual([expect.objectContaining({ email: EMAIL, state: 'active' })]);
    expect(await stop(running)).toBe(0);
    expect(processesNaming(dir)).toEqual([]);
  }, 600_000);
});
