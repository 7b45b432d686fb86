// `npm run test:reliability`: the black-box trials of test/reliability (issue 15). Same transform as
// jest.config.js; one trial at a time (each starts real processes and breaks real services), long timeouts.
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.trial.ts'],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/support/global-teardown.ts',
  testTimeout: 15 * 60_000,
  maxWorkers: 1,
};
