import type { SqlSession } from './db.js';

// Bulk writes into tables that hold no row yet (a bank's first load, the first evaluation of the
// tiers): see fillEmpty.

/**
 * Fills a table that holds no row yet the way PostgreSQL's manual advises for populating a
 * database: its foreign keys, its indexes, and its primary key when no other table refers to it,
 * are dropped first and made again after the insert, under their own names and definitions. Each
 * is then checked with one join or built with one sort or scan over the whole table instead of row
 * by row (a trigger per row for a foreign key, a descent of the B-tree and a WAL record per row
 * for the key). Only for an empty table: a request that reads it meanwhile waits on the lock this
 * takes until the load commits, instead of finding it empty, which costs nothing on a bank's first
 * day and would on any other. A row that breaks a constraint makes adding it back fail, as the
 * row itself would have. A partitioned table is handled through its parent: dropping its key or
 * index drops every partition's, and adding them back builds them on every partition, including
 * those the insert created.
 */
export async function fillEmpty<T>(s: SqlSession, table: string, insert: (withoutKey: boolean) => Promise<T>): Promise<T> {
  const constraints = (
    await s.query<{ name: string; kind: 'p' | 'f'; def: string }>(
      `SELECT c.conname AS name, c.contype AS kind, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c
        WHERE c.conrelid = $1::regclass
          AND (c.contype = 'f' OR (c.contype = 'p' AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = c.conrelid AND r.contype = 'f')))
        ORDER BY c.contype DESC, c.conname`,
      [table],
    )
  ).rows;
  // indexes of their own (not those behind a primary key or unique constraint)
  const indexes = (
    await s.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i
        WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1`,
      [table],
    )
  ).rows;
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  if (constraints.length) await s.exec(`ALTER TABLE ${table} ${constraints.map((c) => `DROP CONSTRAINT ${q(c.name)}`).join(', ')}`);
  // one by one: Citus drops one distributed object per command
  for (const i of indexes) await s.exec(`DROP INDEX ${i.name}`);
  const result = await insert(constraints.some((c) => c.kind === 'p'));
  const [key, foreign] = [constraints.filter((c) => c.kind === 'p'), constraints.filter((c) => c.kind === 'f')];
  for (const c of key) await s.exec(`ALTER TABLE ${table} ADD CONSTRAINT ${q(c.name)} ${c.def}`);
  // (a partitioned table's index is defined ON ONLY the parent: made again, it is to cover the partitions)
  for (const i of indexes) await s.exec(i.def.replace(' ON ONLY ', ' ON '));
  for (const c of foreign) await s.exec(`ALTER TABLE ${table} ADD CONSTRAINT ${q(c.name)} ${c.def}`);
  return result;
}

export async function hasRows(s: SqlSession, table: string): Promise<boolean> {
  const r = await s.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
  return r.rows[0]?.any === true;
}

/**
 * Runs `work` with hash and merge joins off when `few` holds: a few rows matched against a big
 * table are then looked up one by one in its key, where the planner, counting every lookup as a
 * read from disk, would hash the whole table. Back to the planner's choice afterwards (a failure
 * inside a savepoint or transaction undoes the setting with it).
 */
export async function probingKeys<T>(s: SqlSession, few: boolean, work: () => Promise<T>): Promise<T> {
  if (!few) return work();
  await s.exec('SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
  const result = await work();
  await s.exec('RESET enable_hashjoin; RESET enable_mergejoin');
  return result;
}
