import type { SqlSession } from './db.js';

// The whole bank on a Citus cluster (a coordinator and workers; same SQL, same driver). After the
// migrations, `distributeSchema` gives every table its place, idempotently:
// - a table with a customer_id column holds customers' data: distributed by customer_id, every one
//   co-located with `customers`, so that a customer's rows of every table live on one shard and
//   joins on customer_id run on the workers; a partitioned table is distributed with its partitions
//   (a partition made later is distributed as it is created);
// - the few tables kept on the coordinator only: the audit trail with the customers its entries
//   name (its hash chain and append-only rule are kept by triggers, which need one ordered writer;
//   any table with a trigger stays there), the VIP signing vouchers (never edited: kept so by
//   triggers too) and the migrations' own record;
// - every other table (branches, staff, products, policies, business dates, runs, sign-in
//   accounts, plans' headers…) is small: a reference table, copied to every node, so any join with
//   it stays on the worker that holds the customer's shard.
// The batch's work tables live in the schema stratum_work (platform/work-tables.ts).

/** Tables that stay on the coordinator, never distributed. */
export const COORDINATOR_TABLES = ['schema_migrations', 'audit_log', 'audit_chain', 'audit_customers', 'signing_vouchers'] as const;
export const WORK_SCHEMA = 'stratum_work';
export const DISTRIBUTION_COLUMN = 'customer_id';
/** Shards of each distributed table: 32 (Citus's default) unless STRATUM_CITUS_SHARDS says otherwise. */
export function shardCount(): number {
  const n = Number(process.env.STRATUM_CITUS_SHARDS ?? 32);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : 32;
}

export interface TablePlacement {
  table: string;
  placement: 'distributed' | 'reference' | 'coordinator';
}

export async function isCitus(s: SqlSession): Promise<boolean> {
  const r = await s.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`);
  return r.rows.length === 1;
}

interface TableInfo {
  table: string;
  customerKeyed: boolean;
  triggers: boolean;
  /** the tables its foreign keys point to (other than itself) */
  references: string[];
  placed: 'distributed' | 'reference' | null;
}

async function tables(s: SqlSession): Promise<TableInfo[]> {
  const r = await s.query<{ table: string; customer_keyed: boolean; triggers: boolean; refs: string[] | null; method: string | null }>(
    `SELECT c.relname AS table,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped) AS customer_keyed,
            EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal) AS triggers,
            (SELECT array_agg(DISTINCT f.confrelid::regclass::text) FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid) AS refs,
            (SELECT p.partmethod::text FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AS method
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
    [DISTRIBUTION_COLUMN],
  );
  return r.rows.map((x) => ({
    table: x.table,
    customerKeyed: x.customer_keyed,
    triggers: x.triggers,
    references: x.refs ?? [],
    placed: x.method === 'h' ? 'distributed' : x.method === 'n' ? 'reference' : null,
  }));
}

/** Where each table of the schema is (or goes) on a Citus cluster. */
export async function placements(s: SqlSession): Promise<TablePlacement[]> {
  return (await tables(s)).map((t) => ({ table: t.table, placement: placementOf(t) }));
}

function placementOf(t: TableInfo): TablePlacement['placement'] {
  if ((COORDINATOR_TABLES as readonly string[]).includes(t.table) || t.triggers) return 'coordinator';
  return t.customerKeyed ? 'distributed' : 'reference';
}

/**
 * Distributes the tables not yet placed (reference tables first, in the order of their foreign
 * keys; then `customers`; then the rest co-located with it) and makes the work tables' schema.
 * Runs outside a transaction (Citus moves each table's rows to its shards as it goes); a second
 * run finds everything placed and does nothing. The tables placed, in order.
 */
export async function distributeSchema(s: SqlSession, shards = shardCount()): Promise<TablePlacement[]> {
  await s.exec(`CREATE SCHEMA IF NOT EXISTS ${WORK_SCHEMA}`);
  await s.query(`SELECT set_config('citus.shard_count', $1, false)`, [String(shards)]);
  const all = await tables(s);
  const placed = new Set(all.filter((t) => t.placed || placementOf(t) === 'coordinator').map((t) => t.table));
  const done: TablePlacement[] = [];
  const place = async (t: TableInfo) => {
    const placement = placementOf(t);
    if (placement === 'reference') await s.query('SELECT create_reference_table($1)', [t.table]);
    else await s.query(`SELECT create_distributed_table($1, $2, colocate_with => $3)`, [t.table, DISTRIBUTION_COLUMN, t.table === 'customers' ? 'default' : 'customers']);
    placed.add(t.table);
    done.push({ table: t.table, placement });
  };
  // reference tables, each after the tables its foreign keys point to
  let pending = all.filter((t) => !placed.has(t.table) && placementOf(t) === 'reference');
  while (pending.length > 0) {
    const ready = pending.filter((t) => t.references.every((r) => placed.has(r) || !pending.some((p) => p.table === r)));
    if (ready.length === 0) throw new Error(`tables whose foreign keys point at each other cannot be made reference tables: ${pending.map((t) => t.table).join(', ')}`);
    for (const t of ready) await place(t);
    pending = pending.filter((t) => !placed.has(t.table));
  }
  const customers = all.find((t) => t.table === 'customers');
  if (customers && !placed.has('customers')) await place(customers);
  for (const t of all) if (!placed.has(t.table) && placementOf(t) === 'distributed') await place(t);
  // Last, once every table has its place: registered earlier, a local table with a foreign key to
  // a reference table would be made a Citus-managed local table, which cannot then reference the
  // distributed customers. The reference tables get their copy on it now.
  await registerCoordinator(s);
  await s.query(`SELECT replicate_reference_tables('block_writes')`);
  return done;
}

/**
 * Registers the coordinator in the cluster's metadata (as group 0, holding no shards) unless it
 * is there already, at the address this connection reached it by. The reference tables then keep
 * a copy on the coordinator too, and a request's reads of them (its session, the branches, the
 * business dates) run there instead of a round trip to a worker each.
 */
async function registerCoordinator(s: SqlSession): Promise<void> {
  const known = await s.query(`SELECT 1 FROM pg_dist_node WHERE groupid = 0`);
  if (known.rows.length) return;
  await s.query(`SELECT citus_set_coordinator_host(coalesce(host(inet_server_addr()), 'localhost'), current_setting('port')::int)`);
}
