import { createServer } from 'node:net';
import { loadConfig } from '@pledgewatch/config';
import { rawHeader, startSmtpSink, SmtpSink } from '../../../test/support/smtp-sink';
import { MailSendError, OutgoingMail } from './mail.transport';
import { isThrottlingAnswer } from './mail.transport';
import { SmtpMailTransport, smtpOptionsFromUrl, toMailSendError } from './smtp-mail.transport';

const mail = (to = 'reader@example.org'): OutgoingMail => ({
  to,
  subject: 'Hello ✓',
  text: 'plain body',
  html: '<p>html body</p>',
  messageId: '<3f1c0e4e-0000-4000-8000-000000000001@pledgewatch.example>',
  headers: {
    'List-Unsubscribe': '<https://pledgewatch.example/v1/subscriptions/unsubscribe?token=t>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
});

const transportTo = (url: string) => new SmtpMailTransport(loadConfig({ SMTP_URL: url, MAIL_FROM: 'Pledgewatch <alerts@pledgewatch.example>' }));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SmtpMailTransport against a real SMTP server', () => {
  let sink: SmtpSink;
  let transport: SmtpMailTransport;

  beforeAll(async () => {
    // Attempt 2 is refused as busy (421), attempt 3 as a bad mailbox (550).
    sink = await startSmtpSink({ failWith: (attempt) => ({ 2: 421, 3: 550 })[attempt] ?? null });
    transport = transportTo(sink.url);
  });
  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  it('sends with MAIL_FROM, the given Message-ID and the RFC 8058 headers', async () => {
    const sent = await transport.send(mail());
    expect(sent.messageId).toBe(mail().messageId);
    const [received] = await sink.waitFor(1);
    expect(received.messageId).toBe(mail().messageId);
    expect(received.from?.value).toEqual([{ name: 'Pledgewatch', address: 'alerts@pledgewatch.example' }]);
    expect(received.subject).toBe('Hello ✓');
    expect(received.text?.trim()).toBe('plain body');
    expect(received.html).toContain('<p>html body</p>');
    expect(rawHeader(received, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(received, 'List-Unsubscribe')).toBe('<https://pledgewatch.example/v1/subscriptions/unsubscribe?token=t>');
  });

  it('reports SMTP 4xx as transient and 5xx as permanent', async () => {
    await expect(transport.send(mail())).rejects.toMatchObject({ name: 'MailSendError', transient: true, responseCode: 421 });
    await expect(transport.send(mail())).rejects.toMatchObject({ name: 'MailSendError', transient: false, responseCode: 550 });
    await transport.send(mail());
    expect(sink.messages).toHaveLength(2);
  });

  it('reports a refused connection as transient', async () => {
    const dead = transportTo(`smtp://127.0.0.1:${await closedPort()}`);
    try {
      const error = await dead.send(mail()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailSendError);
      expect(error).toMatchObject({ transient: true });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });
});

describe('smtpOptionsFromUrl', () => {
  it('skips TLS only for plain SMTP on loopback', () => {
    expect(smtpOptionsFromUrl('smtp://127.0.0.1:1025')).toMatchObject({ host: '127.0.0.1', port: 1025, secure: false, ignoreTLS: true, pool: true });
    expect(smtpOptionsFromUrl('smtp://mail.example.org')).toMatchObject({ port: 587, secure: false, ignoreTLS: false });
    expect(smtpOptionsFromUrl('smtps://u%40x:p%3Ass@mail.example.org')).toMatchObject({
      port: 465,
      secure: true,
      ignoreTLS: false,
      auth: { user: 'u@x', pass: 'p:ss' },
    });
    expect(smtpOptionsFromUrl('smtp://127.0.0.1:25?maxConnections=20&maxMessages=x')).toMatchObject({ maxConnections: 20, maxMessages: 100 });
  });
});

describe('toMailSendError', () => {
  it('classifies by SMTP code first, then by socket error code', () => {
    expect(toMailSendError({ message: 'm', responseCode: 452 })).toMatchObject({ transient: true, responseCode: 452 });
    expect(toMailSendError({ message: 'm', responseCode: 553 })).toMatchObject({ transient: false });
    expect(toMailSendError({ message: 'm', code: 'ESOCKET', originalCode: 'ECONNRESET' })).toMatchObject({ transient: true });
    expect(toMailSendError({ message: 'm', code: 'ETIMEDOUT' })).toMatchObject({ transient: true });
    expect(toMailSendError({ message: 'm', code: 'EENVELOPE' })).toMatchObject({ transient: false });
  });
});

describe('throttling answers', () => {
  it('are 421, 450, 451, 454, or a 4xx that says rate, throttling or too many; never a 5xx', () => {
    for (const code of [421, 450, 451, 454]) expect(toMailSendError({ message: `${code} try later`, responseCode: code }).throttled).toBe(true);
    expect(toMailSendError({ message: '454 Throttling failure: Maximum sending rate exceeded.', responseCode: 454 }).throttled).toBe(true);
    expect(toMailSendError({ message: '452 4.3.1 Too many messages from your account', responseCode: 452 }).throttled).toBe(true);
    expect(toMailSendError({ message: '447 rate limit exceeded', responseCode: 447 }).throttled).toBe(true);
    expect(toMailSendError({ message: '452 4.3.1 Insufficient system storage', responseCode: 452 }).throttled).toBe(false);
    expect(toMailSendError({ message: '554 Throttling: sending paused for this account', responseCode: 554 }).throttled).toBe(false);
    expect(toMailSendError({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' }).throttled).toBe(false);
    expect(isThrottlingAnswer(undefined, 'too many')).toBe(false);
  });
});
