import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_SPECS } from '../src/features/feed/feed.contract.js';

// docs/feed.md is what a bank's data team reads to build the feed: it must name every file and
// every column the loader requires, and no column the loader does not know.

const doc = readFileSync(new URL('../docs/feed.md', import.meta.url), 'utf8');

describe('docs/feed.md', () => {
  it('describes every file and every column of the feed contract, in the order they load', () => {
    const sections = FILE_SPECS.map((spec) => {
      const start = doc.indexOf(`### \`${spec.entity}.csv\``);
      expect(start, `${spec.entity}.csv has no section`).toBeGreaterThan(-1);
      return start;
    });
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
    FILE_SPECS.forEach((spec, i) => {
      const section = doc.slice(sections[i], sections[i + 1] ?? doc.indexOf('## When a file is wrong'));
      const documented = [...section.matchAll(/^\| ([a-z_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== 'column');
      expect(documented, spec.entity).toEqual(spec.columns.map((c) => c.name));
    });
  });
});
