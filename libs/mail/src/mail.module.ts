import { Module } from '@nestjs/common';
import { MailRenderer } from './mail-renderer';
import { MailTransport } from './mail.transport';
import { SmtpMailTransport } from './smtp-mail.transport';

/** MailTransport (pooled SMTP) and MailRenderer; needs ConfigModule (global). */
@Module({
  providers: [{ provide: MailTransport, useClass: SmtpMailTransport }, MailRenderer],
  exports: [MailTransport, MailRenderer],
})
export class MailModule {}
