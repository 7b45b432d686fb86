import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { API_BOOTSTRAP, peakRssMb, stopProcess } from './harness';

export interface ApiProcess {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  child: ChildProcess;
  /** Sets what `GET /v1/bench/bare` answers (only when started with `bare: true`). */
  setBareBody(body: unknown): Promise<void>;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * The built API (api-server.ts) as a child process with `env` (database, Redis, SMTP, queue prefix)
 * on top of this process's, its logs at warn level; `bare` adds the benchmark's constant route.
 * Build it first (`buildApp('api', …)`).
 */
export async function startApi(env: Record<string, string>, options: { bare?: boolean } = {}): Promise<ApiProcess> {
  const child = fork(path.join(__dirname, 'api-server.ts'), [API_BOOTSTRAP, ...(options.bare ? ['--bare'] : [])], {
    cwd: path.resolve(__dirname, '../..'),
    execArgv: ['--enable-source-maps', '--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the API exited with code ${code} before it listened`)));
    child.once('message', (m: { type: string; port: number }) => (m.type === 'listening' ? resolve(m.port) : reject(new Error(`API: ${m.type}?`))));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    setBareBody: (body) =>
      new Promise((resolve) => {
        child.once('message', () => resolve());
        child.send({ type: 'bare-body', body });
      }),
    peakRssMb: () => peakRssMb(child.pid!),
    stop: async () => {
      // A request queued behind the last load's in-flight ones: once it answers, they are done, and
      // shutting down (which closes the database pool) cannot fail them.
      await fetch(`http://127.0.0.1:${port}/v1/status`).catch(() => undefined);
      await stopProcess(child);
    },
  };
}
