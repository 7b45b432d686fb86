import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { OutboundPolicy } from './address-policy';
import { assertOutboundDestination, guardedLookup, OutboundUrlRules } from './outbound-url';

export interface CappedFetchOptions {
  policy: OutboundPolicy;
  rules?: OutboundUrlRules;
  /** The most body bytes read; a larger answer fails (`too_large`) without reading on. */
  maxBytes: number;
  /** The whole exchange, redirects included. */
  timeoutMs: number;
  /** Redirects followed, each to a URL the guard checks again. */
  maxRedirects: number;
  headers?: Record<string, string>;
}

export interface CappedResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type CappedFetchProblem = 'too_large' | 'timeout' | 'too_many_redirects';

export class CappedFetchError extends Error {
  constructor(
    readonly problem: CappedFetchProblem,
    message: string,
  ) {
    super(message);
    this.name = 'CappedFetchError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A GET through the outbound guard, within caps: every URL (the first and each redirect's) is
 * checked before its request and its addresses again at connect time; at most `maxRedirects`
 * redirects, `maxBytes` of body and `timeoutMs` for everything. For evidence capture and sources.
 * Throws OutboundUrlError (refused destination) or CappedFetchError (a cap); a non-2xx answer is
 * returned, not thrown.
 */
export async function fetchCapped(raw: string, options: CappedFetchOptions): Promise<CappedResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let next = raw;
  for (let redirects = 0; ; redirects++) {
    const url = await assertOutboundDestination(next, options.policy, options.rules);
    const answer = await get(url, options, signal);
    const location = answer.headers.location;
    if (!REDIRECTS.has(answer.status) || !location) return answer;
    if (redirects >= options.maxRedirects) throw new CappedFetchError('too_many_redirects', `More than ${options.maxRedirects} redirects from ${raw}.`);
    next = new URL(location, url).href;
  }
}

function get(url: URL, options: CappedFetchOptions, signal: AbortSignal): Promise<CappedResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const fail = (error: Error) => reject(signal.aborted ? new CappedFetchError('timeout', `No complete answer from ${url.host} within ${options.timeoutMs} ms.`) : error);
    const request = client.request(url, { method: 'GET', headers: options.headers, lookup: guardedLookup(options.policy), agent: false, signal }, (response) => {
      const status = response.statusCode ?? 0;
      const tooLarge = () => {
        response.destroy();
        reject(new CappedFetchError('too_large', `The answer from ${url.host} is larger than ${options.maxBytes} bytes.`));
      };
      if (REDIRECTS.has(status)) {
        // Only the Location matters: the redirect's body is not read.
        response.destroy();
        return resolve({ url: url.href, status, headers: response.headers, body: Buffer.alloc(0) });
      }
      if (Number(response.headers['content-length'] ?? 0) > options.maxBytes) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return tooLarge();
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ url: url.href, status, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', fail);
    });
    request.on('error', fail);
    request.end();
  });
}
