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
  },
});
