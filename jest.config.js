/** Unit tests need no I/O; integration and e2e (Chromium) tests get a real MongoDB-protocol server and Redis. */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const shared = {
  testEnvironment: 'node',
  transform,
  // superjson and its dependencies ship ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!(superjson|copy-anything|is-what|eventsource|eventsource-parser)/)'],
};

module.exports = {
  // Jest 30 reads the timeout only at the top level.
  testTimeout: 120_000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // The integration project's database (one server when both run), then a fresh admin UI build.
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
