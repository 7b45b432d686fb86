import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSinkOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Called for every message the sink receives (`attempt` counts from 1 across the sink's life),
   * with the message parsed; return an SMTP reply code (421, 550, …), or a code with the server's
   * text, to refuse that message, or null to accept it.
   */
  failWith?: (attempt: number, mail: ParsedMail) => number | { code: number; text: string } | null;
  /** Answer each message this many ms late (a slow server keeps a worker's sends in flight). */
  delayMs?: number;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`, ready for SMTP_URL. */
  url: string;
  /** Accepted messages, parsed, in arrival order. */
  messages: ParsedMail[];
  /** When each accepted message arrived (Date.now() as its DATA began), in the order of `messages`. */
  arrivals: number[];
  /** Every DATA the sink saw, accepted or refused. */
  attempts(): number;
  /** Resolves with the messages once at least `count` have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives (no TLS, like a local catcher). */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const arrivals: number[] = [];
  const waiters = new Set<() => void>();
  let attempts = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const attempt = ++attempts;
      const arrivedAt = Date.now();
      simpleParser(stream)
        .then((mail) => {
          const refusal = options.failWith?.(attempt, mail) ?? null;
          if (refusal !== null) {
            const { code, text } = typeof refusal === 'number' ? { code: refusal, text: 'refused by the test sink' } : refusal;
            const error = new Error(`${text} (attempt ${attempt})`) as Error & { responseCode: number };
            error.responseCode = code;
            return callback(error);
          }
          const accept = () => {
            messages.push(mail);
            arrivals.push(arrivedAt);
            waiters.forEach((wake) => wake());
            callback();
          };
          if (options.delayMs) setTimeout(accept, options.delayMs);
          else accept();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    arrivals,
    attempts: () => attempts,
    waitFor(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP sink: expected ${count} message(s), got ${messages.length} after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A header's value as sent (unfolded), e.g. rawHeader(mail, 'List-Unsubscribe-Post'); mailparser restructures List-* headers. */
export function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((header) => header.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}
