// One Jest run over every workspace: TypeScript is transpiled only (the type check is `tsc -b`),
// and @chat/* imports resolve to the workspaces' sources rather than their build output.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/domain/src', '<rootDir>/platform/src', '<rootDir>/command-api/src', '<rootDir>/query-api/src',
    '<rootDir>/projectors/src', '<rootDir>/realtime/src', '<rootDir>/embedded/src', '<rootDir>/bench/src'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: { '^@chat/([a-z-]+)$': '<rootDir>/$1/src' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  maxWorkers: 2,
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/skipped-suites-reporter.js'],
};
