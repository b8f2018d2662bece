import { DISTRIBUTION_COLUMN, WORK_SCHEMA } from './citus.js';
import type { SqlSession } from './db.js';

// The batch's and the loader's work tables (staging, intermediate results). On PGlite and
// PostgreSQL they are temporary tables dropped at commit. On Citus a temporary table lives on the
// coordinator only, and joining it with the customers' shards would pull them to the coordinator
// (or fail, for a correlated subquery): there a work table is an unlogged table in the schema
// stratum_work, distributed by customer_id and co-located with `customers`, so every statement
// joining it with customers' tables runs on the workers, shard by shard (a work table without
// customer_id, such as the staged branches, is a reference table, copied to every node). It is found by its bare
// name (the session's search path ends with stratum_work) and dropped when the session ends. On
// every engine a work table made again in a transaction replaces the earlier one. Work tables of one kind never run twice at once: each batch step holds its
// advisory lock.

export interface WorkTable {
  /** column definitions, as in CREATE TABLE name (…) */
  columns?: string;
  /** column names for `as` */
  names?: string;
  /** a query whose rows fill the table */
  as?: string;
  params?: readonly unknown[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** Makes the work table `name` for the current transaction. */
export async function createWorkTable(s: SqlSession, name: string, t: WorkTable): Promise<void> {
  if (!NAME.test(name)) throw new Error(`not a work table name: ${name}`);
  if (!t.columns === !t.as) throw new Error('a work table has either columns or a query');
  const names = t.names ? ` (${t.names})` : '';
  if (!s.citus) {
    await s.exec(`DROP TABLE IF EXISTS pg_temp.${name}`);
    const sql = t.columns ? `CREATE TEMP TABLE ${name} (${t.columns}) ON COMMIT DROP` : `CREATE TEMP TABLE ${name}${names} ON COMMIT DROP AS ${t.as}`;
    await s.query(sql, t.params ? [...t.params] : undefined);
    return;
  }
  const table = `${WORK_SCHEMA}.${name}`;
  await s.exec(`DROP TABLE IF EXISTS ${table}`);
  if (t.columns) await s.exec(`CREATE UNLOGGED TABLE ${table} (${t.columns})`);
  else await s.query(`CREATE UNLOGGED TABLE ${table}${names} AS ${t.as} WITH NO DATA`, t.params ? [...t.params] : undefined);
  s.workTables.add(name);
  const keyed = await s.query(`SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`, [table, DISTRIBUTION_COLUMN]);
  if (keyed.rows.length > 0) await s.query(`SELECT create_distributed_table($1, $2, colocate_with => 'customers')`, [table, DISTRIBUTION_COLUMN]);
  else await s.query('SELECT create_reference_table($1)', [table]);
  if (t.as) await s.query(`INSERT INTO ${table}${names} ${t.as}`, t.params ? [...t.params] : undefined);
}
