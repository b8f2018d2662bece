import { afterAll, afterEach } from 'vitest';
import { describeMismatches, takeResponseMismatches } from '../src/platform/openapi-check.js';
import { removeFeedDirs } from './feed-builder.js';

// Every file: each answer the server gave is checked against its OpenAPI document
// (STRATUM_CHECK_RESPONSES=1, set in vitest.config.ts and vitest.browser.config.ts); a test whose
// answers do not match fails after it, listing each mismatch (those of beforeAll go to the first test,
// those of afterAll to the file).
function failOnMismatches() {
  const found = takeResponseMismatches();
  if (found.length) throw new Error(describeMismatches(found));
}
afterEach(failOnMismatches);
afterAll(failOnMismatches);

// Every test file: the feed folders it wrote are removed when its tests are done.
afterAll(removeFeedDirs);
