export * from './event-type';
