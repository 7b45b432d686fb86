import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server';

const run = promisify(execFile);

/**
 * A real Redis Cluster of the calling test's own: three masters on free loopback ports in a
 * temporary directory, nothing kept on disk. Stopped by port, never by name.
 */
export class TestRedisCluster {
  readonly ports: number[] = [];
  private readonly children: ChildProcess[] = [];
  private dir = '';

  /** REDIS_CLUSTER_NODES for it. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  async start(masters = 3): Promise<void> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'pw-redis-cluster-'));
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      this.ports.push(port);
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--dir', this.dir],
        { stdio: 'ignore' },
      );
      this.children.push(child);
    }
    for (const port of this.ports) await this.waitFor(port, (info) => info !== null, 'to answer');
    await run('redis-cli', ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of this.ports) await this.waitFor(port, (info) => info?.includes('cluster_state:ok') ?? false, 'to report cluster_state:ok');
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.ports.map((port, i) => {
        const child = this.children[i];
        if (child.exitCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        return run('redis-cli', ['-p', String(port), 'shutdown', 'nosave'])
          .catch(() => child.kill('SIGKILL'))
          .then(() => exited);
      }),
    );
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitFor(port: number, ok: (info: string | null) => boolean, what: string): Promise<void> {
    const until = Date.now() + 20_000;
    for (;;) {
      const info = await run('redis-cli', ['-p', String(port), 'cluster', 'info']).then(({ stdout }) => stdout, () => null);
      if (ok(info)) return;
      if (Date.now() > until) throw new Error(`redis-server on port ${port} did not ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
