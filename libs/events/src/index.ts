export * from './event-type';
export * from './events.query';
export * from './events-read.module';
