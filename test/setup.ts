import { afterAll } from 'vitest';
import { removeFeedDirs } from './feed-builder.js';

// Every test file: the feed folders it wrote are removed when its tests are done.
afterAll(removeFeedDirs);
