import { fork } from 'node:child_process';
import path from 'node:path';

export interface Sink {
  port: number;
  /** Resolves with Date.now() (in the sink) when `total` messages have been accepted since it started. */
  reached(total: number): Promise<number>;
  /** With `recordArrivals`: every accepted message so far, with when its DATA began (the sink's Date.now()). */
  arrivals(): Promise<{ at: number; messageId: string }[]>;
  stop(): void;
}

/** The counting SMTP sink (counting-smtp-sink.ts) in a process of its own, so it does not share the bench's core. */
export async function startSink(options: { recordArrivals?: boolean } = {}): Promise<Sink> {
  const child = fork(path.join(__dirname, 'counting-smtp-sink.ts'), [], {
    cwd: path.resolve(__dirname, '../..'),
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...(options.recordArrivals ? { SINK_RECORD_ARRIVALS: '1' } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { type: string; port: number }) => (m.type === 'listening' ? resolve(m.port) : reject(new Error('sink?'))));
  });
  return {
    port,
    reached: (total) =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; at: number }) => {
          if (m.type !== 'reached') return;
          child.off('message', onMessage);
          resolve(m.at);
        };
        child.on('message', onMessage);
        child.send({ type: 'await', count: total });
      }),
    arrivals: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; arrivals: { at: number; messageId: string }[] }) => {
          if (m.type !== 'arrivals') return;
          child.off('message', onMessage);
          resolve(m.arrivals);
        };
        child.on('message', onMessage);
        child.send({ type: 'arrivals' });
      }),
    stop: () => {
      if (child.connected) child.disconnect();
    },
  };
}
