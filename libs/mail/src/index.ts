export * from './mail.transport';
export * from './mail-renderer';
export * from './mail.module';
export * from './smtp-mail.transport';
export * from './template-library';
export * from './mail-text';
export * from './prepared-mail';
