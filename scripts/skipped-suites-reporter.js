// Lists, after every Jest run, the integration suites that were skipped and why (see
// platform/src/testing/integration.ts), so a run without servers says so plainly.
const MARK = '[skipped:';

class SkippedSuitesReporter {
  onRunComplete(_contexts, results) {
    const skipped = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const title = test.ancestorTitles.find((t) => t.includes(MARK));
        if (test.status === 'pending' && title) skipped.set(title, (skipped.get(title) ?? 0) + 1);
      }
    }
    if (skipped.size === 0) return;
    const lines = [...skipped].map(([title, count]) => `  - ${title} (${count} tests)`);
    process.stdout.write(`\nIntegration suites skipped (set the variable, or run .ci/run, to include them):\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedSuitesReporter;
