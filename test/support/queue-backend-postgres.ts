// jest.config.js, project `postgres-queues`: the queue-dependent suites again, on BullMQ's PostgreSQL backend.
process.env.QUEUE_BACKEND = 'postgres';
