// The cluster tests (`scripts/cluster.sh test`): against a running cluster, through its gateway.
// Not part of `npm test`: they need the cluster that scripts/cluster.sh starts. One file at a time,
// in the order of their names: the contract, monitoring, failover (which restarts instances), and
// the rate limits last (they leave one address limited for a minute).
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/infra/cluster-tests'],
  testMatch: ['**/*.cluster.spec.ts'],
  testPathIgnorePatterns: ['/dist/', '/node_modules/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  maxWorkers: 1,
  testSequencer: '<rootDir>/infra/cluster-tests/by-name-sequencer.js',
  testTimeout: 60000,
};
