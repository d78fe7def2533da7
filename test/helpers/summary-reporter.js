/**
 * Prints one plain closing line that CI tools can read: "tests: N passed, N failed, N skipped", and,
 * when jest.config.js left the e2e project out for want of a browser, the one line that says so.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
    if (process.env.AUDIT_E2E_SKIPPED) process.stdout.write(`${process.env.AUDIT_E2E_SKIPPED}\n`);
  }
}
module.exports = SummaryReporter;
