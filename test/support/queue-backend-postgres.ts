// jest.config.js, project `postgres-queues`: the queue-dependent suites again, on BullMQ's PostgreSQL backend.
process.env.PW_TEST_QUEUE_BACKEND = 'postgres';
