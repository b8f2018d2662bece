import { describe, expect, it } from 'vitest';
import { testEngine, useDb } from '../../test/test-db.js';
import { COORDINATOR_TABLES, placements } from './citus.js';
import { migrate } from './migrate.js';
import { createWorkTable } from './work-tables.js';

// On a Citus coordinator `migrate` places every table (platform/citus.ts); on PGlite and a plain
// PostgreSQL server nothing is distributed and work tables are temporary tables.
describe('the schema on the engine', () => {
  const db = useDb();

  it(`is recognised for what it is (${testEngine()})`, async () => {
    expect(db().citus).toBe(testEngine() === 'citus');
  });

  it('places every table: customers’ data distributed by customer_id and co-located, small tables on every node, the audit trail on the coordinator', async () => {
    if (!db().citus) {
      const r = await db().session((s) => s.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`));
      expect(r.rows).toEqual([]);
      return;
    }
    const rows = await db().session((s) =>
      s.query<{ table: string; method: string; colocation: number; column: string | null }>(
        `SELECT p.logicalrelid::text AS table, p.partmethod::text AS method, p.colocationid AS colocation,
                column_to_column_name(p.logicalrelid, p.partkey) AS column
           FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND NOT c.relispartition`,
      ),
    );
    const of = new Map(rows.rows.map((r) => [r.table, r]));
    const customers = of.get('customers');
    expect(customers).toMatchObject({ method: 'h', column: 'customer_id' });
    for (const t of ['accounts', 'transactions', 'balance_snapshots', 'customer_facts', 'customer_tiers', 'customer_owners', 'reminders', 'contact_log', 'contact_plan_items']) {
      expect(of.get(t), t).toMatchObject({ method: 'h', column: 'customer_id', colocation: customers?.colocation });
    }
    for (const t of ['branches', 'staff', 'products', 'policies', 'business_dates', 'user_accounts']) expect(of.get(t)?.method, t).toBe('n');
    for (const t of COORDINATOR_TABLES) expect(of.has(t), t).toBe(false);
    // every table has its place, and the place the code gives it
    const plan = await db().session((s) => placements(s));
    for (const p of plan) {
      if (p.placement === 'coordinator') expect(of.has(p.table), p.table).toBe(false);
      else expect(of.get(p.table)?.method, p.table).toBe(p.placement === 'distributed' ? 'h' : 'n');
    }
    // a partition made by the batch later is distributed with its table
    const partitions = await db().session((s) =>
      s.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class c WHERE c.relispartition AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AND c.relnamespace = 'public'::regnamespace`),
    );
    expect(partitions.rows[0]?.n).toBe(0);
  });

  it('keeps a copy of the small tables on the coordinator, where a request reads them without a round trip to a worker', async () => {
    if (!db().citus) return;
    const node = await db().session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_dist_node WHERE groupid = 0 AND NOT shouldhaveshards`));
    expect(node.rows[0]?.n).toBe(1);
    const port = await db().session((s) => s.query<{ port: string }>(`SELECT current_setting('port') AS port`));
    for (const t of ['branches', 'business_dates', 'sessions', 'overview_branch_counts']) {
      const plan = await db().session((s) => s.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM ${t} LIMIT 1`));
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text, t).toContain(`port=${port.rows[0]?.port} `);
    }
  });

  it('migrating again changes nothing', async () => {
    expect(await migrate(db())).toEqual([]);
  });

  it('a work table lives for its transaction and joins the customers’ tables on every engine', async () => {
    const n = await db().transaction(async (s) => {
      await createWorkTable(s, 'probe_work', { as: `SELECT customer_id, 1 AS one FROM customers WHERE customer_id IS NOT NULL` });
      await createWorkTable(s, 'probe_ref', { columns: 'branch_id text, n int' });
      await s.query(`INSERT INTO probe_ref VALUES ('b', 1)`);
      const r = await s.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM probe_work w JOIN probe_ref r ON r.n = w.one
          WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = w.customer_id)`,
      );
      return r.rows[0]?.n;
    });
    expect(n).toBe(0);
    const left = await db().session((s) => s.query(`SELECT 1 FROM pg_class WHERE relname IN ('probe_work', 'probe_ref')`));
    expect(left.rows).toEqual([]);
  });
});
