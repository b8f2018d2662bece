import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/browser/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
    // STRATUM_CHECK_RESPONSES: every answer checked against the OpenAPI document (src/platform/openapi-check.ts, test/setup.ts)
    env: { NODE_ENV: 'test', STRATUM_CHECK_RESPONSES: '1' },
  },
});
