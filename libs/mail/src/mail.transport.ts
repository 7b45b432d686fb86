/** One message, fully rendered. The Message-ID is derived from the delivery id by the caller. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<delivery-id@host>`, so a resend of the same delivery is recognisably the same message. */
  messageId: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  response: string;
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
}

/** The seam between the product and the wire: SMTP via nodemailer in production and in tests. */
export abstract class MailTransport {
  /** Sends one message; throws MailSendError. */
  abstract send(mail: OutgoingMail): Promise<SentMail>;
  abstract close(): Promise<void>;
}
