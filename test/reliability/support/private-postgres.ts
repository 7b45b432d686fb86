import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../support/redis-server';

const BIN = path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop()!, 'bin');

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb and postgres refuse root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, command), ...args]] : [path.join(BIN, command), args];
}

/**
 * A PostgreSQL cluster of the calling trial's own (stopping the shared server would break every other test): initdb in a temp folder,
 * trust auth, a free port; the trial stops and starts it to play an outage. Never the machine's 5432.
 */
export class PrivatePostgres {
  readonly dir: string;
  port = 0;
  private child?: ChildProcess;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'pw-rel-pg-'));
    chmodSync(this.dir, 0o700);
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds('postgres');
      chownSync(this.dir, uid, gid);
    }
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<void> {
    const [cmd, args] = asPostgres('initdb', ['-D', this.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    execFileSync(cmd, args, { stdio: 'ignore' });
    this.port = await freePort();
  }

  async start(): Promise<void> {
    const [cmd, args] = asPostgres('postgres', [
      '-D', this.dir, '-p', String(this.port), '-h', '127.0.0.1', '-k', this.dir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ]);
    const child = spawn(cmd, args, { stdio: 'ignore' });
    this.child = child;
    const until = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`private postgres on ${this.port} exited with ${child.exitCode}`);
      const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
      const ok = await client.connect().then(() => client.query('SELECT 1').then(() => true), () => false);
      await client.end().catch(() => undefined);
      if (ok) return;
      if (Date.now() > until) throw new Error(`private postgres on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Fast shutdown (SIGINT): every connection is cut, as when a managed database fails over. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The child is `runuser`, which does not pass signals on: signal the postmaster itself.
    const postmaster = Number(readFileSync(path.join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGINT');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const [uid, gid] = execFileSync('id', ['-u', name]).toString().trim().split('\n').concat(execFileSync('id', ['-g', name]).toString().trim());
  return { uid: Number(uid), gid: Number(gid) };
}
