/** The floor of the mail benchmarks: bare pooled nodemailer sends, no pipeline around them. */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { smtpOptionsFromUrl } from '@pledgewatch/mail';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Sends `count` copies of one mail rendered once, with the transport options the worker uses and a
 * window of sends in flight; each gets its own recipient, Message-ID and one-click unsubscribe
 * headers, as the pipeline's messages do.
 */
export async function bareSend(smtpUrl: string, count: number, mail: RenderedMail, inFlight = 200): Promise<void> {
  const transporter = nodemailer.createTransport(smtpOptionsFromUrl(smtpUrl), { from: 'Pledgewatch <alerts@pledgewatch.local>' });
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const id = randomBytes(16).toString('hex');
      await transporter.sendMail({
        to: `reader${i}@bench.example`,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${id}@pledgewatch.local>`,
        headers: {
          'List-Unsubscribe': `<http://localhost:3000/v1/subscriptions/unsubscribe?token=${id}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, lane));
  } finally {
    transporter.close();
  }
}
