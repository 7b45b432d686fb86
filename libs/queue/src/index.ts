export * from './job-catalog';
export * from './job-handler';
export * from './job-queues';
export * from './job-workers';
export * from './queue-health';
export * from './queue.module';
export * from './redis-connection';
export * from './queue-backend';
