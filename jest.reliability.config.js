// `npm run test:reliability`: the black-box trials of test/reliability (docs/testing.md). Same transform as
// jest.config.js; one trial at a time (each starts real processes and breaks real services), long timeouts.
// Built from jest.config.js's first project, not its top level: the top level's `projects` would make
// Jest run the unit and e2e suites instead of the trials (roots and testMatch are ignored beside it).
const { projects } = require('./jest.config');
const { displayName, ...project } = projects[0];

module.exports = {
  ...project,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.trial.ts'],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/support/global-teardown.ts',
  testTimeout: 15 * 60_000,
  maxWorkers: 1,
};
