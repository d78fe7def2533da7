/**
 * Longest suites first, so that both workers finish together instead of one running a 60 s suite
 * alone at the end. Jest does that from the durations in its cache, but a fresh clone (CI) has no
 * cache: jest then orders by file size, which put the bench smoke run (a small file, over a minute)
 * near the end. Here a suite's duration is jest's cached one when there is one, else the figure
 * below, else a guess by project. The figures only order the run: a stale one costs a little wall
 * time, never a result.
 */
const { default: JestSequencer } = require('@jest/test-sequencer');
const { relative } = require('node:path');

/**
 * Seconds, from the run of 2 Dec 2026 (2 cores, load 7–10, so about twice the quiet figures) and
 * the suites changed since. Add a suite when it takes over ~10 s.
 */
const MEASURED_SECONDS = {
  'test/integration/package-trpc-host.test.ts': 90,
  'test/integration/bench-smoke.test.ts': 90,
  'test/integration/integrity-concurrency.test.ts': 79,
  'test/e2e/admin-page-investigate.test.ts': 57,
  'test/integration/package-rest-host.test.ts': 55,
  'test/integration/api-read-limits.test.ts': 47,
  'test/integration/api-paging.test.ts': 45,
  'test/integration/host-crash-drills.test.ts': 34,
  'test/integration/recorder-redis-restart.test.ts': 33,
  'test/integration/exports-large.test.ts': 32,
  'test/integration/crm-sign-in-throttle.test.ts': 31,
  'test/integration/exports-fairness.test.ts': 27,
  'test/e2e/admin-page-host.test.ts': 27,
  'test/integration/integrity-offline.test.ts': 24,
  'test/integration/recorder-outage.test.ts': 23,
  'test/integration/recorder.test.ts': 23,
  'test/integration/host-commands.test.ts': 22,
  'test/integration/events-live-redis-restart.test.ts': 19,
  'test/integration/erasure-migration.test.ts': 19,
  'test/integration/integrity-cli.test.ts': 17,
  'test/e2e/admin-ui.test.ts': 16,
  'test/integration/integrity-sealer.test.ts': 14,
  'test/integration/crm-downloads.test.ts': 14,
  'test/integration/crm-erase.test.ts': 14,
  'test/integration/hooks-mongoose-plugin.test.ts': 13,
  'test/integration/erasure-spilled.test.ts': 13,
  'test/e2e/admin-page-busy.test.ts': 13,
  'test/e2e/admin-page-live-reload.test.ts': 12,
  'test/integration/crm-error-answers.test.ts': 11,
  'test/integration/crm-records.test.ts': 11,
  'test/integration/crm-read-limits.test.ts': 11,
  'test/integration/crm-body-limits.test.ts': 11,
};

/** Suites not listed: most integration and e2e suites take 3–8 s, unit suites well under one. */
const GUESSED_SECONDS = { unit: 0.3, integration: 5, e2e: 8 };

class LongestFirstSequencer extends JestSequencer {
  sort(tests) {
    const seconds = (test) => {
      const cached = this.time(test);
      if (cached) return cached / 1000;
      const path = relative(test.context.config.rootDir, test.path).split('\\').join('/');
      return MEASURED_SECONDS[path] ?? GUESSED_SECONDS[test.context.config.displayName?.name] ?? 5;
    };
    const failedFirst = (test) => (this.hasFailed(test) ? 0 : 1);
    return [...tests].sort((a, b) => failedFirst(a) - failedFirst(b) || seconds(b) - seconds(a) || a.path.localeCompare(b.path));
  }
}

module.exports = LongestFirstSequencer;
