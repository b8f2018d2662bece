import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDir } from '../../test/feed-builder.js';
import { fillEveryTable } from '../../test/full-bank.js';
import { freshServerDatabase, onServer, openTestDb, testEngine } from '../../test/test-db.js';
import { runDailyBatch } from '../batch/batch.pipeline.js';
import { databaseStats } from '../features/stats/stats.service.js';
import { openDb, type Db, type SqlSession } from './db.js';
import { listMigrations, migrate } from './migrate.js';
import { RELEASES, releaseMigrations, type Release } from './releases.js';

// Upgrading from every release (src/platform/releases.ts) to this version loses nothing: a
// database built with only that release's migrations, holding a row in every table it had, is
// migrated to today, and every table keeps every row, column for column.
//
// The rows are those of a small demo bank made by today's code (test/full-bank.ts: every table
// has some), cut to the tables and columns the release had and copied into its database (triggers
// and foreign keys off, as a restore does). A release whose tables today's rows no longer fit, or a
// migration meant to change rows, needs its own case here (as 0013's removal of first-tier rows
// has in tiering.batch.db.test.ts).
//
// Not on Citus: there the migrations run before the tables are distributed (db migrate distributes
// what is new after migrating), and a database of an old release cannot be made on every node here.

interface TableShape {
  name: string;
  columns: string[];
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The tables of the schema (partitioned ones once) and their columns, in order. */
async function shapes(s: SqlSession): Promise<TableShape[]> {
  const r = await s.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname ORDER BY c.relname COLLATE "C"`,
  );
  return r.rows;
}

/** Rows and a digest of their content (the given columns, as text, in a fixed order) of each table. */
async function contents(db: Db, tables: TableShape[]): Promise<Record<string, { rows: number; digest: string }>> {
  return db.session(async (s) => {
    const out: Record<string, { rows: number; digest: string }> = {};
    for (const t of tables) {
      const r = await s.query<{ n: number; digest: string }>(
        `SELECT count(*)::int8 AS n, coalesce(md5(string_agg(r, E'\\n' ORDER BY r COLLATE "C")), '') AS digest
           FROM (SELECT ROW(${t.columns.map(ident).join(', ')})::text AS r FROM public.${ident(t.name)}) x`,
      );
      out[t.name] = { rows: Number(r.rows[0]?.n ?? 0), digest: r.rows[0]?.digest ?? '' };
    }
    return out;
  });
}

/** A new, empty database of this run's engine. */
async function emptyDatabase(): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (!onServer()) return { db: await openDb({ dataDir: 'memory://' }), drop: async () => {} };
  const server = await freshServerDatabase();
  return { db: await openDb({ databaseUrl: server.url }), drop: server.drop };
}

/**
 * Values a later migration allowed in a checked column: an older release's database cannot hold
 * them, so today's rows carry one the release knew instead (as the release itself would have written).
 */
const LATER_VALUES: { table: string; column: string; value: string; instead: string; since: string }[] = [
  // 0037: a household member's ownership proposal
  { table: 'ownership_proposals', column: 'cause', value: 'household', instead: 'role_mismatch', since: '0037_households.sql' },
];

/** Today's rows, cut to the tables and columns of `target`, copied into it (what was there first is replaced). */
async function copyInto(source: Db, target: Db, tables: TableShape[], lastMigration: string): Promise<void> {
  const today = new Map((await source.session(shapes)).map((t) => [t.name, new Set(t.columns)]));
  const partitions = await source.session((s) =>
    s.query<{ name: string; parent: string; bound: string }>(
      `SELECT c.relname AS name, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE c.relispartition AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname`,
    ),
  );
  const released = new Set(tables.map((t) => t.name));
  await target.transaction(async (s) => {
    await s.exec('SET LOCAL session_replication_role = replica'); // no triggers (the audit chain's), no foreign keys
    for (const p of partitions.rows) {
      if (released.has(p.parent)) await s.exec(`CREATE TABLE IF NOT EXISTS public.${ident(p.name)} PARTITION OF public.${ident(p.parent)} ${p.bound}`);
    }
    for (const t of tables) {
      const now = today.get(t.name);
      if (!now) throw new Error(`table ${t.name} of the release is gone from today's schema: give the upgrade test a case for it`);
      const gone = t.columns.filter((c) => !now.has(c));
      if (gone.length) throw new Error(`columns of ${t.name} the release had are gone from today's schema (${gone.join(', ')}): give the upgrade test a case for them`);
      const cols = t.columns.map(ident).join(', ');
      const picked = t.columns
        .map((c) => {
          const later = LATER_VALUES.find((v) => v.table === t.name && v.column === c && lastMigration < v.since);
          return later ? `CASE WHEN ${ident(c)} = '${later.value}' THEN '${later.instead}' ELSE ${ident(c)} END AS ${ident(c)}` : ident(c);
        })
        .join(', ');
      const rows = await source.session((src) =>
        src.query<{ rows: unknown }>(`SELECT coalesce(json_agg(x), '[]'::json) AS rows FROM (SELECT ${picked} FROM public.${ident(t.name)}) x`),
      );
      await s.exec(`DELETE FROM public.${ident(t.name)}`);
      await s.query(`INSERT INTO public.${ident(t.name)} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::public.${ident(t.name)}, $1::json)`, [
        JSON.stringify(rows.rows[0]?.rows ?? []),
      ]);
    }
  });
}

describe.skipIf(testEngine() === 'citus')('upgrading a database of every release to this version', () => {
  let source: Db;
  let businessDate = '';
  beforeAll(async () => {
    source = await openTestDb();
    ({ businessDate } = await fillEveryTable(source, feedDir()));
  }, 600_000);
  afterAll(async () => {
    await source?.close();
  });

  it('there is a release, and this version has every migration of each', () => {
    expect(RELEASES.length).toBeGreaterThan(0);
    const names = listMigrations().map((m) => m.name);
    for (const r of RELEASES) expect(names).toContain(r.lastMigration);
  });

  it.each(RELEASES.map((r): [string, Release] => [`${r.tag} (migrations up to ${r.lastMigration})`, r]))(
    'from %s: every row of every table it had is there after the upgrade, and the daily batch runs on it',
    async (_name, release) => {
      const { db, drop } = await emptyDatabase();
      try {
        // the release's schema: only its migrations
        const dir = feedDir();
        const mine = releaseMigrations(release);
        for (const m of mine) writeFileSync(path.join(dir, m.name), m.sql);
        expect(await migrate(db, dir)).toEqual(mine.map((m) => m.name));
        const tables = (await db.session(shapes)).filter((t) => t.name !== 'schema_migrations');
        await copyInto(source, db, tables, release.lastMigration);
        const before = await contents(db, tables);
        // the test is only as good as its rows: every table of the release holds some
        expect(Object.entries(before).filter(([, c]) => c.rows === 0).map(([t]) => t), 'tables of the release left empty by test/full-bank.ts').toEqual([]);

        // the upgrade, as on any start
        const later = listMigrations().filter((m) => m.name > release.lastMigration).map((m) => m.name);
        expect(await migrate(db)).toEqual(later);
        const recorded = await db.kysely.selectFrom('schema_migrations').select('name').orderBy('name').execute();
        expect(recorded.map((r) => r.name)).toEqual(listMigrations().map((m) => m.name));

        // nothing lost: every table, every row, the columns the release had unchanged
        expect(await contents(db, tables)).toEqual(before);
        // what an operator compares: `stratum db stats` as on a database made by today's code
        expect(await databaseStats(db)).toEqual(await databaseStats(source));

        // and today's code works on it: a rerun of the last date's batch gives the same tiers
        const tiers = tables.filter((t) => t.name === 'customer_tiers' || t.name === 'tier_history');
        const tiered = await contents(db, tiers);
        await runDailyBatch(db, businessDate);
        expect(await contents(db, tiers)).toEqual(tiered);

        // the comparison would have seen a loss: a migration that drops a row and changes a value
        const probe = feedDir();
        for (const m of listMigrations()) writeFileSync(path.join(probe, m.name), m.sql);
        writeFileSync(
          path.join(probe, '9999_lossy.sql'),
          `DELETE FROM contact_log WHERE contact_id = (SELECT min(contact_id) FROM contact_log);
           UPDATE branches SET name = name || '·' WHERE branch_id = (SELECT min(branch_id) FROM branches);`,
        );
        const seen = await contents(db, tables);
        await migrate(db, probe);
        const lossy = await contents(db, tables);
        expect(Object.keys(lossy).filter((t) => lossy[t]?.digest !== seen[t]?.digest)).toEqual(['branches', 'contact_log']);
        expect(lossy.contact_log?.rows).toBe((seen.contact_log?.rows ?? 0) - 1);
      } finally {
        await db.close();
        await drop();
      }
    },
    600_000,
  );
});
