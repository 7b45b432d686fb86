import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope recipient (RCPT TO). */
  to: string;
  messageId: string;
  /** The whole message as sent, kept only with `keepRaw` (small trials). */
  raw?: string;
}

export interface MailSinkOptions {
  /** Reply code (421, …) to refuse the message with, or null to accept; `attempt` counts DATA commands from 1. */
  failWith?: (attempt: number, mail: ReceivedMail) => number | null;
  keepRaw?: boolean;
}

/**
 * The trials' SMTP server: counts what arrives by recipient and Message-ID without parsing whole
 * messages (10,000 alerts must not cost the trial's process more than the worker), and can go
 * down and come back on the same port to play an outage. test/support/smtp-sink.ts parses every
 * message fully, which suits the small integration tests but not these sizes.
 */
export class MailSink {
  readonly received: ReceivedMail[] = [];
  /** Message-IDs the sink refused (with failWith), in order. */
  readonly refused: string[] = [];
  port = 0;
  private server?: SMTPServer;
  private sockets = new Set<Socket>();
  private attempts = 0;

  constructor(private readonly options: MailSinkOptions = {}) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      maxClients: 1_000,
      size: 10 * 1024 * 1024,
      onConnect: (session, callback) => callback(),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const head = raw.slice(0, raw.indexOf('\r\n\r\n') >>> 0);
          const messageId = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '';
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(',');
          const mail: ReceivedMail = { to, messageId, ...(this.options.keepRaw ? { raw } : {}) };
          const code = this.options.failWith?.(++this.attempts, mail) ?? null;
          if (code !== null) {
            this.refused.push(messageId);
            const error = new Error('try again later (reliability sink)') as Error & { responseCode: number };
            error.responseCode = code;
            return callback(error);
          }
          this.received.push(mail);
          callback();
        });
      },
    });
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    // A client that dies mid-session (the worker under kill -9) resets its socket; smtp-server
    // reports that as an 'error' event, which with no listener would crash the trial's process.
    server.on('error', () => undefined);
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The server goes away: the port refuses connections and open sessions are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /**
   * Against the recipients that should each have received `perRecipient` distinct messages: how
   * many did, how many copies beyond the first of a Message-ID (one delivery) arrived, and how many
   * messages went to nobody expected.
   */
  tally(expected: Iterable<string>, perRecipient = 1): { delivered: number; duplicated: number; unexpected: number } {
    const ids = new Map<string, Set<string>>();
    const totals = new Map<string, number>();
    for (const { to, messageId } of this.received) {
      if (!ids.has(to)) ids.set(to, new Set());
      ids.get(to)!.add(messageId);
      totals.set(to, (totals.get(to) ?? 0) + 1);
    }
    const want = new Set(expected);
    let delivered = 0;
    let duplicated = 0;
    for (const address of want) {
      const distinct = ids.get(address)?.size ?? 0;
      if (distinct >= perRecipient) delivered += 1;
      duplicated += (totals.get(address) ?? 0) - distinct;
    }
    let unexpected = 0;
    for (const [address, n] of totals) if (!want.has(address)) unexpected += n;
    return { delivered, duplicated, unexpected };
  }

  /** Recipients that have at least `perRecipient` distinct messages. */
  deliveredTo(expected: Set<string>, perRecipient = 1): number {
    const ids = new Map<string, Set<string>>();
    for (const { to, messageId } of this.received) {
      if (!expected.has(to)) continue;
      if (!ids.has(to)) ids.set(to, new Set());
      ids.get(to)!.add(messageId);
    }
    let n = 0;
    for (const set of ids.values()) if (set.size >= perRecipient) n += 1;
    return n;
  }

}
