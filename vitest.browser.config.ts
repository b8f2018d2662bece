import { defineConfig } from 'vitest/config';

// Browser tests: the real server (embedded database, built web app) driven by Debian's Chromium
// through playwright-core. scripts/test.mjs builds the web app and installs Chromium first.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    setupFiles: ['test/setup.ts'],
    // a page's change reaches the database and the screen within a request or two; on a machine
    // busy with other work that can take longer than expect.poll's default second
    expect: { poll: { timeout: 10_000, interval: 100 } },
    // STRATUM_CHECK_RESPONSES: every answer checked against the OpenAPI document (src/platform/openapi-check.ts, test/setup.ts)
    env: { NODE_ENV: 'test', STRATUM_CHECK_RESPONSES: '1' },
  },
});
