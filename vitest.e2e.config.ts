import { defineConfig } from 'vitest/config';

// End-to-end tests: playwright-core driving Debian's Chromium against browser mode.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
    // An error code a request does not declare fails the test that meets it (engine/dispatch.ts).
    env: { VESSEL_STRICT_ERROR_CODES: '1' },
  },
});
