import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@pledgewatch/problems';
import { DigestContentCache } from './digest-content.cache';
import { DigestContentRepository } from './digest-content.repository';
import { DigestComposer } from './digest.composer';

export interface DigestPreview {
  subscriber: { id: string; email: string; state: string; digest: boolean; timezone: string };
  asOf: string;
  subject: string;
  html: string;
  text: string;
}

/**
 * The digest a subscriber would get as of an instant, rendered exactly as the send path would,
 * without creating a delivery, a token or a job. It computes its content afresh (no process cache),
 * so an editor sees the data as it is now.
 */
@Injectable()
export class DigestPreviewService {
  constructor(
    private readonly recipients: DigestContentRepository,
    private readonly composer: DigestComposer,
  ) {}

  async preview(subscriber: string, asOf: Date): Promise<DigestPreview> {
    const recipient = await this.recipients.findRecipientByIdOrEmail(subscriber);
    if (!recipient) throw new NotFoundError('Subscriber', subscriber);
    const fresh = new DigestContentCache(this.recipients);
    const rendered = await this.composer.render(recipient, asOf, fresh);
    return {
      subscriber: { id: recipient.id, email: recipient.email, state: recipient.state, digest: recipient.digest, timezone: recipient.timezone },
      asOf: asOf.toISOString(),
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
    };
  }
}
