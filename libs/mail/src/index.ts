export * from './mail.transport';
