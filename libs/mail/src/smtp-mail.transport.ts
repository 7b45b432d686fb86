import { Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { SendMailOptions, SMTPPoolOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { AppConfig } from '@pledgewatch/config';
import { MailSendError, MailTransport, OutgoingMail, SentMail } from './mail.transport';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Socket-level failures: the server may be back in a moment. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // nodemailer's own names for the same things
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'EMAXLIMIT',
]);

/**
 * Pooled nodemailer options from SMTP_URL: `smtp://[user:pass@]host[:port]` (STARTTLS when the
 * server offers it) or `smtps://…` (TLS from the first byte). Plain smtp:// on loopback skips TLS
 * altogether: local catchers and test sinks speak none, and nodemailer would fail the STARTTLS upgrade. Optional query
 * parameters: `maxConnections` (default 5) and `maxMessages` per connection (default 100).
 */
export function smtpOptionsFromUrl(smtpUrl: string): SMTPPoolOptions & { pool: true } {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const positive = (name: string, fallback: number) => {
    const value = Number(url.searchParams.get(name) ?? fallback);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    pool: true,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ignoreTLS: !secure && LOOPBACK.has(url.hostname),
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    maxConnections: positive('maxConnections', 5),
    maxMessages: positive('maxMessages', 100),
    // Fail a dead server in seconds, not nodemailer's minutes: the job retries with backoff.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** Transient (retry with backoff) or permanent (record and stop), from a nodemailer error. */
export function toMailSendError(error: unknown): MailSendError {
  if (error instanceof MailSendError) return error;
  const e = (error ?? {}) as { message?: string; code?: string; originalCode?: string; responseCode?: number };
  const message = e.message ?? String(error);
  if (typeof e.responseCode === 'number') {
    // 4xx: try again later (greylisting, 421 busy, 452 full); 5xx: the server refuses this message.
    return new MailSendError(message, e.responseCode < 500, e.responseCode);
  }
  const transient = [e.code, e.originalCode].some((code) => code !== undefined && TRANSIENT_CODES.has(code));
  return new MailSendError(message, transient);
}

/** MailTransport over a pooled nodemailer SMTP connection; From is MAIL_FROM. */
@Injectable()
export class SmtpMailTransport extends MailTransport implements OnModuleDestroy {
  private readonly transporter: ReturnType<typeof nodemailer.createTransport>;

  /** MAIL_FROM's address, the SMTP envelope sender of raw (prepared) messages. */
  private readonly envelopeFrom: string;

  constructor(config: AppConfig) {
    super();
    const [from] = addressparser(config.mailFrom, { flatten: true });
    this.envelopeFrom = from?.address || config.mailFrom;
    this.transporter = nodemailer.createTransport(smtpOptionsFromUrl(config.smtpUrl), { from: config.mailFrom });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    try {
      const info = (await this.transporter.sendMail(this.message(mail))) as { messageId?: string; response?: string };
      return { messageId: info.messageId ?? mail.messageId, response: String(info.response ?? '') };
    } catch (error) {
      throw toMailSendError(error);
    }
  }

  /**
   * A prepared mail goes out as nodemailer `raw`: the recipient's message is the shared bytes with
   * its own parts joined in, no MIME building per send. A recipient it does not fit (an address
   * or header that would need encoding) gets the same message built the ordinary way.
   */
  private message(mail: OutgoingMail): SendMailOptions {
    const { to, messageId, headers } = mail;
    if (!('prepared' in mail)) return { to, subject: mail.subject, text: mail.text, html: mail.html, messageId, headers };
    const parts = { to, messageId, headers, values: mail.values };
    if (mail.prepared.fits(parts)) return { raw: mail.prepared.build(parts), envelope: { from: this.envelopeFrom, to: [to] }, messageId };
    return { to, ...mail.prepared.expand(mail.values), messageId, headers };
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
