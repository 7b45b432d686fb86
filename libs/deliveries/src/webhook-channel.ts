import http from 'node:http';
import https from 'node:https';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@pledgewatch/config';
import type { WebhookDeliveryToSend } from './deliveries.repository';
import { ChannelError, type DeliveryChannel } from './delivery-channels';
import type { WebhookMessage } from './delivery-composers';
import { assertOutboundDestination, guardedLookup, OutboundPolicy, OutboundUrlError } from '@pledgewatch/outbound';
import { WebhookAttemptsRepository } from './webhook-attempts.repository';
import { webhookHeaders } from './webhook-signature';

/** Of an answer's body, this much is kept in the delivery log; the rest is not even read. */
export const WEBHOOK_BODY_KEPT_BYTES = 1024;

/** Answers worth trying again (the receiver may recover); any other non-2xx fails at once. */
export const isTransientWebhookStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

interface Answer {
  status: number;
  body: string;
}

/**
 * One POST, no redirects followed (node's http client never follows them), the connection made only
 * to an address the guard accepts, the whole exchange within `timeoutMs`, at most 1 KB of the body read.
 */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, policy: OutboundPolicy): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Pledgewatch-Webhooks/1' },
        lookup: guardedLookup(policy),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        response.on('data', (chunk: Buffer) => {
          if (kept < WEBHOOK_BODY_KEPT_BYTES) {
            const part = chunk.subarray(0, WEBHOOK_BODY_KEPT_BYTES - kept);
            chunks.push(part);
            kept += part.length;
          }
          if (kept >= WEBHOOK_BODY_KEPT_BYTES) {
            // Enough for the log: the answer's status is known, the rest need not arrive.
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** By name, not `instanceof`: node's own errors may come from another realm (a test runner's VM context). */
function describe(error: unknown, timeoutMs: number): string {
  const { name, code, message = String(error) } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Webhooks: the delivery's JSON POSTed to its endpoint, signed per Standard Webhooks with the
 * endpoint's secret. `webhook-id` is the delivery id, the same on every attempt, so a receiver can
 * drop a repeat. Every attempt is written to the delivery log (status, duration, ≤ 1 KB of body).
 * 2xx is success; timeouts, connection errors, 408, 429 and 5xx are transient (the queue retries);
 * a redirect, any other 4xx, or a destination the SSRF guard refuses (DNS may have changed since
 * registration) fail at once.
 */
@Injectable()
export class WebhookChannel implements DeliveryChannel<'webhook'> {
  private readonly policy: OutboundPolicy;
  private readonly timeoutMs: number;

  constructor(
    private readonly attempts: WebhookAttemptsRepository,
    config: AppConfig,
  ) {
    this.policy = config.outbound;
    this.timeoutMs = config.webhooks.timeoutMs;
  }

  messageId(delivery: WebhookDeliveryToSend): string {
    return delivery.id;
  }

  async send(delivery: WebhookDeliveryToSend, message: WebhookMessage, messageId: string): Promise<void> {
    const started = performance.now();
    let statusCode: number | null = null;
    let responseBody: string | null = null;
    let failure: ChannelError | null = null;
    try {
      const url = await assertOutboundDestination(message.url, this.policy);
      const answer = await post(url, webhookHeaders(message.secret, messageId, message.body), message.body, this.timeoutMs, this.policy);
      statusCode = answer.status;
      responseBody = answer.body;
      if (answer.status < 200 || answer.status >= 300) {
        const redirect = answer.status >= 300 && answer.status < 400 ? ' (redirects are not followed)' : '';
        failure = new ChannelError(`HTTP ${answer.status}${redirect}`, !isTransientWebhookStatus(answer.status));
      }
    } catch (error) {
      failure = new ChannelError(describe(error, this.timeoutMs), error instanceof OutboundUrlError);
    }
    await this.attempts.record({
      deliveryId: delivery.id,
      attempt: delivery.attempts + 1,
      statusCode,
      durationMs: Math.round(performance.now() - started),
      error: failure?.message ?? null,
      responseBody,
    });
    if (failure) throw failure;
  }
}
