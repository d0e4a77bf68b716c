#!/usr/bin/env node
// `npm test`: runs every Jest suite once (unit, contract and integration), passing any arguments on.
// Integration suites skip themselves without their servers unless REQUIRE_INTEGRATION=1.
const { spawnSync } = require('node:child_process');

const jest = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
