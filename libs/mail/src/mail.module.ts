import { Module } from '@nestjs/common';
import { MailRenderer } from './mail-renderer';
import { MailTransport } from './mail.transport';
import { SmtpMailTransport } from './smtp-mail.transport';

/** MailRenderer only: templates, no connection. What the API may hold (the digest preview). */
@Module({ providers: [MailRenderer], exports: [MailRenderer] })
export class MailRenderingModule {}

/**
 * MailTransport (pooled SMTP); needs ConfigModule (global). Only the worker's send path imports it
 * (libs/deliveries): the API process holds no SMTP connection.
 */
@Module({
  providers: [{ provide: MailTransport, useClass: SmtpMailTransport }],
  exports: [MailTransport],
})
export class MailTransportModule {}
