import { createHash } from 'node:crypto';
import { listMigrations, type Migration } from './migrate.js';

// Stratum's releases, oldest first: each one's version, the git tag and commit it was cut from,
// and the last migration file it shipped. Kept here because a clean checkout (CI) may carry no
// tags. Migrations only move forward, so a release's schema is the migrations up to its last one,
// as they are in this checkout: `migrationsSha256` is the digest of those files when the release
// was cut, and a test (releases.test.ts) checks they were never edited since. The upgrade test
// (upgrade.db.test.ts) builds a database of every release, fills it, migrates it to today and
// checks nothing was lost.
//
// To cut a release: add it here (its last migration and the digest `releaseDigest` gives), commit,
// and tag that commit: git tag -a vX.Y.Z -m "Stratum X.Y.Z".

export interface Release {
  version: string;
  tag: string;
  /** the commit tagged */
  commit: string;
  date: string;
  /** the last migration file the release shipped */
  lastMigration: string;
  /** sha256 over `name:sha256(file)\n` of each of its migrations, in order */
  migrationsSha256: string;
}

export const RELEASES: readonly Release[] = [
  {
    // the first release: everything up to the feed's optional files (issue 17); 0017 and later came after it
    version: '0.1.0',
    tag: 'v0.1.0',
    commit: 'ac1d9eff2f3f1b20b3918d9a879b02c257d601f9',
    date: '2026-12-05',
    lastMigration: '0016_feed_optional_files.sql',
    migrationsSha256: '48eb1d5067b01df2fce8f4b8fb7a8891aabf41b2b3c4698bbab5b550783fd1f7',
  },
];

/** The migrations of a release, as this checkout has them. */
export function releaseMigrations(release: Release, all: Migration[] = listMigrations()): Migration[] {
  return all.filter((m) => m.name <= release.lastMigration);
}

export function releaseDigest(migrations: readonly Migration[]): string {
  const h = createHash('sha256');
  for (const m of migrations) h.update(`${m.name}:${m.checksum}\n`);
  return h.digest('hex');
}

/**
 * Which release a database's applied migrations are: "v0.1.0", "v0.1.0 and 2 later migrations
 * up to 0018_operation_runs.sql", or "migrations up to 0012_… (before v0.1.0)".
 */
export function describeRelease(applied: readonly string[]): string {
  const sorted = [...applied].sort();
  const last = sorted.at(-1);
  if (!last) return 'no migrations';
  const release = [...RELEASES].reverse().find((r) => r.lastMigration <= last && sorted.includes(r.lastMigration));
  if (!release) return `migrations up to ${last} (before ${RELEASES[0]?.tag ?? 'the first release'})`;
  const later = sorted.filter((m) => m > release.lastMigration);
  return later.length ? `${release.tag} and ${later.length} later migration${later.length === 1 ? '' : 's'} up to ${last}` : release.tag;
}
