import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { listMigrations } from './migrate.js';
import { describeRelease, RELEASES, releaseDigest, releaseMigrations } from './releases.js';

// The releases file against the migration files (and the git tags, where the checkout has them).

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null; // no git, or no such tag (a clean checkout in CI may carry none)
  }
}

describe('releases', () => {
  it('are in order, each a later version with later migrations', () => {
    const key = (v: string) => v.split('.').map((n) => n.padStart(6, '0')).join('.');
    for (let i = 1; i < RELEASES.length; i++) {
      expect(key(RELEASES[i]!.version) > key(RELEASES[i - 1]!.version)).toBe(true);
      expect(RELEASES[i]!.lastMigration > RELEASES[i - 1]!.lastMigration).toBe(true);
    }
    for (const r of RELEASES) {
      expect(r.tag).toBe(`v${r.version}`);
      expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('no migration a release shipped was edited since: migrations only move forward', () => {
    const all = listMigrations();
    for (const r of RELEASES) {
      const mine = releaseMigrations(r, all);
      expect(mine.at(-1)?.name, `${r.tag}'s last migration is missing`).toBe(r.lastMigration);
      expect(releaseDigest(mine), `a migration of ${r.tag} was changed after it was released: put the change in a new numbered file`).toBe(r.migrationsSha256);
    }
  });

  it('a tag, where the checkout has it, is the release\'s commit with exactly its migrations', () => {
    for (const r of RELEASES) {
      const tagged = git('rev-parse', '-q', '--verify', `refs/tags/${r.tag}^{commit}`);
      if (!tagged) continue;
      expect(tagged).toBe(r.commit);
      const files = git('ls-tree', '--name-only', `${r.tag}:src/platform/migrations`)?.split('\n').filter((f) => f.endsWith('.sql'));
      expect(files).toEqual(releaseMigrations(r).map((m) => m.name));
    }
  });

  it('name what a database holds', () => {
    const first = RELEASES[0]!;
    const upTo = (last: string) => listMigrations().map((m) => m.name).filter((m) => m <= last);
    expect(describeRelease(upTo(first.lastMigration))).toBe(first.tag);
    expect(describeRelease([])).toBe('no migrations');
    expect(describeRelease(upTo('0003_tiering.sql'))).toBe(`migrations up to 0003_tiering.sql (before ${first.tag})`);
    expect(describeRelease([...upTo(first.lastMigration), '9998_a.sql', '9999_b.sql'])).toBe(`${first.tag} and 2 later migrations up to 9999_b.sql`);
  });
});
