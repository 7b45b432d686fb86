import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@pledgewatch/config';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';

export const REDACTED = '[redacted]';

/** Nest's LOG_LEVEL names → pino's. */
const PINO_LEVEL = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' } as const;

/**
 * An address: the lookbehind anchors a match at the start of a local part and the bounded parts keep
 * the scan linear. Without them a long run of letters with no `@` (an oversized field echoed into an
 * error message) cost quadratic time: 1 MB kept the API busy for many minutes (R5, the reliability suite).
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10}/g;
/** `?token=…`, `&key=…` and the like: confirm, manage and unsubscribe links carry their token in the query. */
const URL_SECRET = /([?&](?:token|key|api_key|apikey|secret|password|signature|sig)=)[^&#\s"']*/gi;
/** Request and object keys whose values are secrets or personal data whatever they hold. */
const SECRET_KEYS = /^(authorization|cookie|set-cookie|password|pass|secret|token|key|apikey|api_key|x-api-key|email|to|linksecret|smtpurl)$/i;

/** A request id we accept from a client or proxy: short and printable; anything else gets a new one. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Exact secret values of this process (LINK_SECRET, SMTP and admin credentials) to scrub wherever they appear. */
export function secretValues(config: AppConfig): string[] {
  const values = [config.linkSecret, config.adminApiKey, config.metricsToken];
  for (const url of [config.smtpUrl, config.databaseUrl, config.redisUrl]) {
    try {
      const parsed = new URL(url);
      if (parsed.password) values.push(parsed.password, decodeURIComponent(parsed.password));
    } catch {
      // not a URL: nothing to take from it
    }
  }
  return values.filter((value): value is string => typeof value === 'string' && value.length >= 4);
}

/** Redacts email addresses, URL tokens and this process's secrets in one string. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text.replace(URL_SECRET, `$1${REDACTED}`).replace(EMAIL, REDACTED);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

/** Deep copy with secret keys and every string scrubbed (log objects are small). */
export function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message, secrets), stack: value.stack && scrubText(value.stack, secrets) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? REDACTED : scrubValue(item, secrets, depth + 1);
  return out;
}

/** The request's id: the client's `X-Request-Id` when it is sane, else a new UUID; echoed in the response. */
export function assignRequestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

/** pino options for both processes: JSON lines (pino-pretty on a terminal), everything scrubbed. */
export function pinoOptions(config: AppConfig): LoggerOptions {
  const secrets = secretValues(config);
  return {
    level: PINO_LEVEL[config.logLevel],
    base: { pid: process.pid },
    formatters: {
      // Runs on every line's merged object: the last stop before output.
      log: (object) => scrubValue(object, secrets) as Record<string, unknown>,
      // A child logger's fields (a request's, a job's) are serialized once, when it is made.
      bindings: (bindings) => scrubValue(bindings, secrets) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubText(arg, secrets) : arg)) as Parameters<typeof method>);
      },
    },
    transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  };
}

/** nestjs-pino's parameters for the API: one line per request, with its id, route and status. */
export function apiLoggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const secrets = secretValues(config);
  const options = {
    ...pinoOptions(config),
    ...(destination ? { transport: undefined } : {}),
    genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
    customProps: (req: IncomingMessage) => ({ requestId: (req as { id?: unknown }).id }),
    serializers: {
      req: (req: { id: string; method: string; url: string; raw?: IncomingMessage }) => ({
        method: req.method,
        url: scrubText(req.url, secrets),
        userAgent: req.raw?.headers['user-agent'],
        contentLength: req.raw?.headers['content-length'],
      }),
      res: (res: { statusCode: number | null; raw?: ServerResponse }) => ({ statusCode: res.raw?.statusCode ?? res.statusCode }),
    },
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode}`,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
