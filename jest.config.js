/** Unit tests need no I/O; integration and e2e (Chromium) tests get a real MongoDB-protocol server and Redis. */
const { execFileSync } = require('node:child_process');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');

const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const shared = {
  testEnvironment: 'node',
  transform,
  // superjson and its dependencies ship ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!(superjson|copy-anything|is-what|eventsource|eventsource-parser)/)'],
};

/**
 * Whether the e2e project runs: test/helpers/find-browser.ts decides (once per run: jest may read this
 * file again in the same environment). Without a browser it is left out and the summary reporter
 * prints one line saying so; where the run must have it (CI=true, --selectProjects e2e) it fails here.
 */
function e2eRuns() {
  if (process.env.AUDIT_E2E_BROWSER) return true;
  if (process.env.AUDIT_E2E_SKIPPED !== undefined) return false;
  const script = join(__dirname, 'test/helpers/find-browser.ts');
  const args = ['--require', join(__dirname, 'test/helpers/swc-register.js'), script, ...process.argv.slice(2)];
  const decision = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').at(-1));
  if (decision.action === 'fail') {
    process.stderr.write(`${decision.line}\n`);
    process.exit(1);
  }
  if (decision.action === 'run') {
    process.env.AUDIT_E2E_BROWSER = JSON.stringify(decision.browser);
    return true;
  }
  // Empty when --selectProjects left e2e out: nothing to say then.
  process.env.AUDIT_E2E_SKIPPED = decision.line ?? '';
  return false;
}

const e2e = {
  ...shared,
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  // The integration project's database (one server when both run), then a fresh admin UI build.
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};

module.exports = {
  // Jest 30 reads the timeout only at the top level.
  testTimeout: 120_000,
  // Jest's default (cores - 1) runs everything in one process on 2 cores, one suite after another,
  // while most suites wait on the database, Redis or a child process: one worker per core instead.
  maxWorkers: Math.max(2, availableParallelism()),
  // Longest suites first even without jest's cache of durations (a fresh clone): see the file.
  testSequencer: '<rootDir>/test/helpers/test-sequencer.js',
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
    ...(e2eRuns() ? [e2e] : []),
  ],
};
