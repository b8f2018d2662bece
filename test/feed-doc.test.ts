import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_SPECS } from '../src/features/feed/feed.contract.js';

// docs/feed-format.md is the feed contract a bank's data team reads to build the feed: it must name
// every file and every column the loader knows, mark the optional ones, and name no column the
// loader does not know.

const doc = readFileSync(new URL('../docs/feed-format.md', import.meta.url), 'utf8');

describe('docs/feed-format.md', () => {
  const sections = FILE_SPECS.map((spec) => doc.indexOf(`### \`${spec.entity}.csv\``));
  const section = (i: number) => doc.slice(sections[i], sections[i + 1] ?? doc.indexOf('## Excel'));

  it('describes every file and every column of the feed contract, in the order they load', () => {
    FILE_SPECS.forEach((spec, i) => expect(sections[i], `${spec.entity}.csv has no section`).toBeGreaterThan(-1));
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
    FILE_SPECS.forEach((spec, i) => {
      const documented = [...section(i).matchAll(/^\| ([a-z_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== 'column');
      expect(documented, spec.entity).toEqual(spec.columns.map((c) => c.name));
    });
  });

  it('marks the optional files and columns as such, and only those', () => {
    FILE_SPECS.forEach((spec, i) => {
      const text = section(i);
      const heading = text.slice(0, text.indexOf('\n'));
      expect(heading.includes('optional file'), `${spec.entity}.csv heading`).toBe(spec.optional === true);
      for (const c of spec.columns) {
        const row = text.split('\n').find((l) => l.startsWith(`| ${c.name} |`)) ?? '';
        expect(row.includes('*optional column*'), `${spec.entity}.${c.name}`).toBe(c.optional === true);
      }
      expect(doc).toContain(`| \`${spec.entity}.csv\` |`);
    });
  });
});
