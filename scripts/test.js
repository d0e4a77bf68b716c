#!/usr/bin/env node
// `npm test`: runs every Jest suite once (unit, contract and integration), passing any arguments on,
// and ends with one plain line: "N passed, N failed, N skipped".
// Integration suites skip themselves without their servers unless REQUIRE_INTEGRATION=1.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chat-jest-')), 'summary.json');
const jest = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, '--json', `--outputFile=${summaryFile}`, ...process.argv.slice(2)], { stdio: 'inherit' });
if (fs.existsSync(summaryFile)) {
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  const failedSuites = summary.numFailedTestSuites + (summary.numRuntimeErrorTestSuites ?? 0);
  process.stdout.write(`\nsuites: ${summary.numPassedTestSuites} passed, ${failedSuites} failed\n`);
  process.stdout.write(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests} skipped\n`);
  fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
}
process.exit(result.status ?? 1);
