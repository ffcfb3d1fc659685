// Type checking is `npm run typecheck`'s job (tsconfig sets isolatedModules, so ts-jest
// only transpiles). Three projects: unit tests need nothing running; integration and e2e
// tests talk to the real PostgreSQL, Redis and Kafka named by tests/support/environment.ts.
const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
};

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit'),
    // Both check the servers first and start Kafka when none is running (servers-ready.ts).
    project('integration', {
      globalSetup: '<rootDir>/tests/support/servers-ready.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/support/timeouts/integration.ts'],
    }),
    project('e2e', {
      globalSetup: '<rootDir>/tests/support/servers-ready.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/support/timeouts/e2e.ts'],
    }),
  ],
  maxWorkers: 2,
};
