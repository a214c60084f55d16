import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code they test. End-to-end tests have their own config.
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', 'e2e/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // An error code a request does not declare fails the test that meets it (engine/dispatch.ts).
    env: { VESSEL_STRICT_ERROR_CODES: '1' },
    reporters: ['default'],
  },
});
