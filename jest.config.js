// CommonJS + @swc/jest. Nest 12 packages (and `feed`) are ESM-only, so they are transformed too (Jest runs CommonJS).
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const project = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/prisma'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|feed)/)'],
  moduleNameMapper: { '^@pledgewatch/(.*)$': '<rootDir>/libs/$1/src' },
};

/**
 * The suites that depend on the queue, run a second time on BullMQ's PostgreSQL backend with the
 * same assertions (test/support/queues.ts hands the backend to their environment).
 */
const QUEUE_SUITES = [
  'libs/queue/src/job-workers.int-spec.ts',
  'test/status-check-slots.int-spec.ts',
  'test/alerts-journey.e2e-spec.ts',
  'test/alerts-matching.int-spec.ts',
  'test/alerts-reconciler.int-spec.ts',
  'test/alerts-smtp-failures.int-spec.ts',
  'test/digest-schedule.int-spec.ts',
  'test/worker-shutdown.int-spec.ts',
  'test/operations.e2e-spec.ts',
  'test/webhooks.e2e-spec.ts',
  'test/mail-send-rate.int-spec.ts',
  'test/mail-byte-correctness.e2e-spec.ts',
];

module.exports = {
  projects: [
    { ...project, displayName: 'redis' },
    {
      ...project,
      displayName: 'postgres-queues',
      testMatch: QUEUE_SUITES.map((file) => `<rootDir>/${file}`),
      setupFiles: ['<rootDir>/test/support/queue-backend-postgres.ts'],
    },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
