#!/usr/bin/env node
// `npm test`: runs every Jest suite once (unit, contract and integration), passing any arguments on,
// then the web client's Vitest projects (its machines' unit tests and the browser end-to-end test),
// and ends with one plain line over both: "N passed, N failed, N skipped".
// Integration suites skip themselves without their servers unless REQUIRE_INTEGRATION=1.
// WEB_TESTS=0 leaves the web client's tests out (for a quick run of some Jest suites).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const summaryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-jest-'));
const jestSummaryFile = path.join(summaryDir, 'jest.json');
const webSummaryFile = path.join(summaryDir, 'web.json');

const jest = require.resolve('jest/bin/jest');
const jestRun = spawnSync(process.execPath, [jest, '--json', `--outputFile=${jestSummaryFile}`, ...process.argv.slice(2)], { stdio: 'inherit' });

let webRun;
if (process.env.WEB_TESTS !== '0') {
  const webDir = path.join(root, 'web');
  const vitest = path.join(path.dirname(require.resolve('vitest/package.json', { paths: [webDir] })), 'vitest.mjs');
  webRun = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${webSummaryFile}`], { stdio: 'inherit', cwd: webDir });
}

// Both write Jest's summary shape; Vitest counts its describe blocks as suites too, so files are counted instead.
const totals = { passedSuites: 0, failedSuites: 0, passed: 0, failed: 0, skipped: 0 };
for (const file of [jestSummaryFile, webSummaryFile]) {
  if (!fs.existsSync(file)) continue;
  const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (file === jestSummaryFile) {
    totals.passedSuites += summary.numPassedTestSuites;
    totals.failedSuites += summary.numFailedTestSuites + (summary.numRuntimeErrorTestSuites ?? 0);
  } else {
    totals.passedSuites += summary.testResults.filter((result) => result.status === 'passed').length;
    totals.failedSuites += summary.testResults.filter((result) => result.status === 'failed').length;
  }
  if (file === webSummaryFile) listSkippedWebSuites(summary);
  totals.passed += summary.numPassedTests;
  totals.failed += summary.numFailedTests;
  totals.skipped += summary.numPendingTests + (summary.numTodoTests ?? 0);
}

/** What the Jest reporter (scripts/skipped-suites-reporter.js) says for Jest's suites, for the web's. */
function listSkippedWebSuites(summary) {
  const skipped = new Map();
  for (const file of summary.testResults) {
    for (const test of file.assertionResults) {
      const title = test.ancestorTitles.find((t) => t.includes('[skipped:'));
      if (title && (test.status === 'skipped' || test.status === 'pending')) skipped.set(title, (skipped.get(title) ?? 0) + 1);
    }
  }
  if (skipped.size === 0) return;
  const lines = [...skipped].map(([title, count]) => `  - ${title} (${count} tests)`);
  process.stdout.write(`\nWeb suites skipped (install Debian's chromium to include them):\n${lines.join('\n')}\n`);
}

fs.rmSync(summaryDir, { recursive: true, force: true });
process.stdout.write(`\nsuites: ${totals.passedSuites} passed, ${totals.failedSuites} failed\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
const failedRun = (jestRun.status ?? 1) !== 0 || (webRun !== undefined && (webRun.status ?? 1) !== 0);
process.exit(failedRun ? 1 : 0);
