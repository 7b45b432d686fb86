import { Module } from '@nestjs/common';
import { SubscriberLinks } from './subscriber-links';

/** The links every email carries (alerts, digests, confirmations) and their check: stateless, no I/O. */
@Module({ providers: [SubscriberLinks], exports: [SubscriberLinks] })
export class SubscriberLinksModule {}
