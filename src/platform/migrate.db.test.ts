import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedDir } from '../../test/feed-builder.js';
import { openTestDb } from '../../test/test-db.js';
import type { Db } from './db.js';
import { listMigrations, migrate } from './migrate.js';
import { ID_COLUMNS } from './schema.js';
import { createStaging } from '../features/feed/feed.sql.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await db.close();
});

async function tableNames(): Promise<string[]> {
  const r = await db.session((s) =>
    s.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
  );
  return r.rows.map((x) => x.table_name);
}

describe('migrations', () => {
  it('are ordered files, all applied and recorded', async () => {
    const files = listMigrations().map((m) => m.name);
    expect(files.length).toBeGreaterThan(0);
    expect([...files].sort()).toEqual(files);
    const recorded = await db.kysely.selectFrom('schema_migrations').select('name').orderBy('name').execute();
    expect(recorded.map((r) => r.name)).toEqual(files);
  });

  it('create a table for every entity of the feed, the balance snapshot and the loaded dates', async () => {
    expect(await tableNames()).toEqual(
      expect.arrayContaining(['branches', 'staff', 'products', 'customers', 'accounts', 'cards', 'loans', 'transactions', 'balance_snapshots', 'business_dates']),
    );
  });

  it('running them again is a no-op', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await db.kysely.selectFrom('schema_migrations').select('name').execute()).toHaveLength(listMigrations().length);
  });

  it('a new file is applied once, in order; an edited applied file is refused', async () => {
    const dir = feedDir(); // a scratch folder, removed after the file
    for (const m of listMigrations()) writeFileSync(path.join(dir, m.name), m.sql);
    writeFileSync(path.join(dir, '9999_extra.sql'), 'CREATE TABLE extra_probe (id int PRIMARY KEY);');
    expect(await migrate(db, dir)).toEqual(['9999_extra.sql']);
    expect(await migrate(db, dir)).toEqual([]);
    expect(await tableNames()).toContain('extra_probe');
    writeFileSync(path.join(dir, '9999_extra.sql'), 'CREATE TABLE extra_probe2 (id int);');
    await expect(migrate(db, dir)).rejects.toThrow(/9999_extra.sql was changed after it was applied/);
  });

  it('a later file changes tables already holding customers (on Citus: distributed) with several statements, indexes dropped and made', async () => {
    const dir = feedDir();
    for (const m of listMigrations()) writeFileSync(path.join(dir, m.name), m.sql);
    // what an upgrade of a running bank does: on a Citus coordinator DROP INDEX sent with other
    // statements in one message is refused ("cannot insert multiple commands into a prepared statement")
    writeFileSync(
      path.join(dir, '9999_upgrade.sql'),
      `-- a column and an index; the index replaced
ALTER TABLE customer_overview ADD COLUMN upgrade_probe text;
UPDATE customer_overview SET upgrade_probe = 'x;y' WHERE false;
CREATE INDEX customer_overview_upgrade_probe_idx ON customer_overview (upgrade_probe);
DROP INDEX customer_overview_upgrade_probe_idx;
CREATE INDEX customer_overview_upgrade_probe_idx ON customer_overview (upgrade_probe, aum);`,
    );
    expect(await migrate(db, dir)).toEqual(['9999_upgrade.sql']);
    const idx = await db.session((s) => s.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_overview_upgrade_probe_idx'`));
    expect(idx.rows.map((r) => r.indexdef)).toEqual([expect.stringContaining('(upgrade_probe, aum)')]);
  });

  it('keeps Citus rules: every big table carries customer_id in its primary key', async () => {
    const r = await db.session((s) =>
      s.query<{ table_name: string; cols: string }>(`
        SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) AS cols
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
        WHERE tc.table_schema = 'public' AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
          AND tc.table_name IN ('customers', 'accounts', 'cards', 'loans', 'transactions', 'balance_snapshots')
        GROUP BY tc.table_name, tc.constraint_name`),
    );
    expect(r.rows.length).toBeGreaterThanOrEqual(6);
    for (const row of r.rows) expect(row.cols.split(',')).toContain('customer_id');
  });

  it('compares ids by their bytes: every id column of every table, partition and staging table is collated "C"', async () => {
    const idColumns = (schema: string) => `
      SELECT c.relname AS table_name, a.attname AS column_name, co.collname
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_collation co ON co.oid = a.attcollation
       WHERE n.nspname ${schema} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
         AND a.attname = ANY($1::text[]) ORDER BY 1, 2`;
    const ids = [...ID_COLUMNS];
    const tables = await db.session((s) => s.query<{ table_name: string; column_name: string; collname: string }>(idColumns("= 'public'"), [ids]));
    // the feed's tables and what the batch adds (a month partition of the facts, a model's tiers)
    expect(tables.rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual(
      expect.arrayContaining(['customers.customer_id', 'transactions.txn_id', 'transactions.account_id', 'accounts.account_id', 'customer_tiers.customer_id']),
    );
    expect(tables.rows.filter((r) => r.collname !== 'C')).toEqual([]);
    const staging = await db.transaction(async (s) => {
      await createStaging(s);
      // temporary tables, or on Citus the distributed work tables of the schema stratum_work
      return s.query<{ table_name: string; column_name: string; collname: string }>(idColumns(s.citus ? "= 'stratum_work'" : "LIKE 'pg_temp%'"), [ids]);
    });
    expect(staging.rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual(expect.arrayContaining(['stg_transactions.txn_id', 'stg_customers.customer_id']));
    expect(staging.rows.filter((r) => r.collname !== 'C')).toEqual([]);
  });
});
