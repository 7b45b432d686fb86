import type { PreparedMail } from './prepared-mail';

interface OutgoingCommon {
  to: string;
  /** `<delivery-id@host>`, so a resend of the same delivery is recognisably the same message. */
  messageId: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
}

/** One message, fully rendered. The Message-ID is derived from the delivery id by the caller. */
export interface RenderedOutgoingMail extends OutgoingCommon {
  subject: string;
  text: string;
  html: string;
}

/**
 * One recipient's copy of a message prepared once for many (PreparedMail): only the recipient's
 * own parts travel with it — the values of its placeholders (their links) and headers.
 */
export interface PreparedOutgoingMail extends OutgoingCommon {
  prepared: PreparedMail;
  values: Record<string, string>;
}

export type OutgoingMail = RenderedOutgoingMail | PreparedOutgoingMail;

export interface SentMail {
  messageId: string;
  response: string;
}

/** The SMTP answers providers use to say "slow down" (SES 454 Throttling failure, 421 too busy, 450/451 try later). */
const THROTTLING_CODES = new Set([421, 450, 451, 454]);
const THROTTLING_TEXT = /rate|throttl|too many/i;

/**
 * A throttling answer: the provider refuses this message for now because of how fast the account
 * sends, not because of the message. A 5xx never is (it is final, whatever its text says).
 */
export function isThrottlingAnswer(responseCode: number | undefined, text: string): boolean {
  if (responseCode === undefined || responseCode < 400 || responseCode >= 500) return false;
  return THROTTLING_CODES.has(responseCode) || THROTTLING_TEXT.test(text);
}

/**
 * A send that failed. `transient` failures (connection refused, timeouts, SMTP 4xx) are worth
 * retrying with backoff; permanent ones (SMTP 5xx: bad address, rejected) are not.
 */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'MailSendError';
  }

  /** The server asked to slow down (isThrottlingAnswer): pause and send again, not a failed attempt. */
  get throttled(): boolean {
    return isThrottlingAnswer(this.responseCode, this.message);
  }
}

/** The seam between the product and the wire: SMTP via nodemailer in production and in tests. */
export abstract class MailTransport {
  /** Sends one message; throws MailSendError. */
  abstract send(mail: OutgoingMail): Promise<SentMail>;
  abstract close(): Promise<void>;
}
