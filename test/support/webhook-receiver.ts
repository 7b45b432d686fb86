import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as it arrived (what a signature is over). */
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  /** Never answer (the caller's timeout ends it). */
  hang?: boolean;
}

/**
 * A webhook receiver on loopback (a free port the kernel picks): records every request, and answers
 * each path with its scripted statuses in turn, then 200.
 */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  received(path: string): ReceivedWebhook[];
  /** The next answers on `path`, in order; after them, 200. */
  script(path: string, ...answers: (number | ScriptedAnswer)[]): void;
  /** Waits until `path` has received at least `count` requests; answers them all. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const answer = scripts.get(path)?.shift() ?? { status: 200, body: 'ok' };
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const received = (path: string) => requests.filter((r) => r.path === path);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    script(path, ...answers) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers.map((a) => (typeof a === 'number' ? { status: a } : a))]);
    },
    waitFor: (path, count, timeoutMs = 15_000) =>
      eventually(async () => (received(path).length >= count ? received(path) : null), timeoutMs, `${count} webhook requests on ${path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
