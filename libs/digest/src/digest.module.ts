import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DeliveryComposers, DeliverySendingModule } from '@pledgewatch/deliveries';
import { MailRenderingModule } from '@pledgewatch/mail';
import { SubscriberLinksModule } from '@pledgewatch/subscriber-links';
import { DigestContentCache } from './digest-content.cache';
import { DigestContentRepository } from './digest-content.repository';
import { DigestDeliveriesRepository } from './digest-deliveries.repository';
import { DigestPreviewService } from './digest-preview.service';
import { DigestRunService } from './digest-run.service';
import { DigestComposer } from './digest.composer';

/** Content and rendering, shared by the worker (sending) and the API (preview). No transport. */
@Module({
  imports: [MailRenderingModule, SubscriberLinksModule],
  providers: [DigestContentRepository, DigestContentCache, DigestComposer],
  exports: [DigestContentRepository, DigestComposer],
})
export class DigestRenderingModule {}

/** Makes `digest` deliveries go through the one send path. */
@Injectable()
export class DigestComposerRegistration implements OnModuleInit {
  constructor(
    private readonly composers: DeliveryComposers,
    private readonly composer: DigestComposer,
  ) {}

  onModuleInit(): void {
    this.composers.register('digest', this.composer);
  }
}

/** What the worker runs: the hourly `digest.run` work and the digest composer. Needs QueueModule.forRoot() (global). */
@Module({
  imports: [DeliverySendingModule, DigestRenderingModule],
  providers: [DigestDeliveriesRepository, DigestRunService, DigestComposerRegistration],
  exports: [DigestRunService],
})
export class DigestModule {}

/** What the admin API uses: the preview. */
@Module({
  imports: [DigestRenderingModule],
  providers: [DigestPreviewService],
  exports: [DigestPreviewService],
})
export class DigestPreviewModule {}
