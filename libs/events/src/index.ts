export * from './event-type';
export * from './events.query';
export * from './events-read.module';
export * from './events.dispatcher';
export * from './events.recorder';
export * from './events-write.module';
export * from './event-topics';
export * from './event-story';
