import type { SqlSession } from '../../platform/db.js';
import { fillEmpty, hasRows, probingKeys } from '../../platform/bulk.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { ACCOUNT_KINDS } from '../../platform/schema.js';
import { applyFeedOwners } from '../ownership/ownership.feed.js';
import type { EntityName } from './feed.contract.js';
import { stageRelationSides } from './feed.sql.js';

// Set-based merge of the staged files into the tables, for business date $1.
// Upserts write only rows whose values changed, so loading the same day again changes nothing.

interface Upsert {
  table: string;
  key: string[];
  /** the columns of the file: a row is rewritten only when one of them differs */
  cols: string[];
  /** further columns on insert, as SQL over the staging row */
  onInsert: Record<string, string>;
  /** further columns on update, as SQL over t (the row) and EXCLUDED (the staged row) */
  onUpdate: Record<string, string>;
  /** also rewrite an unchanged row when this holds (e.g. it had been closed) */
  alsoWhen?: string;
}

/**
 * INSERT … ON CONFLICT DO UPDATE that touches a row only when something changed, fed in key order
 * (the index is then filled page after page instead of at random), and the plain INSERT that does
 * the same when the table holds no row yet: the duplicate checks have refused any key repeated in
 * the file, so nothing can conflict and the speculative insertion of ON CONFLICT is pure cost.
 */
function upsert(u: Upsert): { upsert: string; intoEmpty: string; bulk: string } {
  const insertCols = [...u.key, ...u.cols, ...Object.keys(u.onInsert)];
  const selectList = [...u.key, ...u.cols, ...Object.values(u.onInsert)];
  const sets = [...u.cols.map((c) => `${c} = EXCLUDED.${c}`), ...Object.entries(u.onUpdate).map(([c, v]) => `${c} = ${v}`)];
  const changed = `(${u.cols.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${u.cols.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  const bulk = `INSERT INTO ${u.table} AS t (${insertCols.join(', ')})
    SELECT ${selectList.join(', ')} FROM stg_${u.table}`;
  const insert = `${bulk} ORDER BY ${u.key.join(', ')}`;
  return {
    upsert: `${insert}
    ON CONFLICT (${u.key.join(', ')}) DO UPDATE SET ${sets.join(', ')}
    WHERE ${changed}${u.alsoWhen ? ` OR ${u.alsoWhen}` : ''}`,
    intoEmpty: insert,
    // with no index to fill, key order buys nothing
    bulk,
  };
}

type Merge = { table: string; upsert: string; intoEmpty: string; bulk: string; fullSnapshotGone?: string; completeGone?: string };

const MERGES: Record<Exclude<EntityName, 'transactions' | 'owners' | 'relations'>, Merge> = {
  branches: {
    table: 'branches',
    ...upsert({ table: 'branches', key: ['branch_id'], cols: ['name', 'parent_id', 'level'],
      onInsert: { active: 'true', updated_on: '$1::date' },
      onUpdate: { active: 'true', updated_on: 'EXCLUDED.updated_on' }, alsoWhen: 'NOT t.active' }),
    completeGone: `UPDATE branches t SET active = false, updated_on = $1 WHERE t.active
      AND NOT EXISTS (SELECT 1 FROM stg_branches s WHERE s.branch_id = t.branch_id)`,
  },
  staff: {
    table: 'staff',
    ...upsert({ table: 'staff', key: ['staff_id'], cols: ['name', 'branch_id', 'role', 'active'],
      onInsert: { updated_on: '$1::date' }, onUpdate: { updated_on: 'EXCLUDED.updated_on' } }),
    completeGone: `UPDATE staff t SET active = false, updated_on = $1 WHERE t.active
      AND NOT EXISTS (SELECT 1 FROM stg_staff s WHERE s.staff_id = t.staff_id)`,
  },
  products: {
    table: 'products',
    ...upsert({ table: 'products', key: ['product_code'], cols: ['name', 'kind', 'risk_level', 'min_amount', 'issuer'],
      onInsert: { active: 'true', updated_on: '$1::date' },
      onUpdate: { active: 'true', updated_on: 'EXCLUDED.updated_on' }, alsoWhen: 'NOT t.active' }),
    completeGone: `UPDATE products t SET active = false, updated_on = $1 WHERE t.active
      AND NOT EXISTS (SELECT 1 FROM stg_products s WHERE s.product_code = t.product_code)`,
  },
  customers: {
    table: 'customers',
    ...upsert({ table: 'customers', key: ['customer_id'],
      cols: ['name', 'gender', 'birth_date', 'id_number', 'phone', 'branch_id', 'opened_on', 'address', 'occupation',
        'annual_income', 'risk_level', 'do_not_disturb', 'marketing_consent', 'risk_assessed_on'],
      onInsert: { status: `'active'`, left_on: 'NULL::date', first_seen_on: '$1::date', updated_on: '$1::date' },
      onUpdate: { status: `'active'`, left_on: 'NULL', updated_on: 'EXCLUDED.updated_on' },
      alsoWhen: `t.status <> 'active'` }),
    fullSnapshotGone: `UPDATE customers t SET status = 'left', left_on = $1, updated_on = $1 WHERE t.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM stg_customers s WHERE s.customer_id = t.customer_id)`,
  },
  accounts: {
    table: 'accounts',
    ...upsert({ table: 'accounts', key: ['customer_id', 'account_id'],
      cols: ['kind', 'product_code', 'balance', 'opened_on', 'matures_on', 'status'],
      onInsert: { closed_on: `CASE WHEN status = 'closed' THEN $1::date END`, updated_on: '$1::date' },
      onUpdate: {
        closed_on: `CASE WHEN EXCLUDED.status = 'active' THEN NULL WHEN t.status = 'closed' THEN t.closed_on ELSE EXCLUDED.closed_on END`,
        updated_on: 'EXCLUDED.updated_on',
      } }),
    fullSnapshotGone: `UPDATE accounts t SET status = 'closed', closed_on = $1, updated_on = $1 WHERE t.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM stg_accounts s WHERE s.customer_id = t.customer_id AND s.account_id = t.account_id)`,
  },
  cards: {
    table: 'cards',
    ...upsert({ table: 'cards', key: ['customer_id', 'card_id'], cols: ['grade', 'issued_on', 'status'],
      onInsert: { cancelled_on: `CASE WHEN status = 'cancelled' THEN $1::date END`, updated_on: '$1::date' },
      onUpdate: {
        cancelled_on: `CASE WHEN EXCLUDED.status = 'active' THEN NULL WHEN t.status = 'cancelled' THEN t.cancelled_on ELSE EXCLUDED.cancelled_on END`,
        updated_on: 'EXCLUDED.updated_on',
      } }),
    fullSnapshotGone: `UPDATE cards t SET status = 'cancelled', cancelled_on = $1, updated_on = $1 WHERE t.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM stg_cards s WHERE s.customer_id = t.customer_id AND s.card_id = t.card_id)`,
  },
  loans: {
    table: 'loans',
    ...upsert({ table: 'loans', key: ['customer_id', 'loan_id'], cols: ['principal', 'outstanding', 'overdue_days', 'opened_on'],
      onInsert: { status: `'active'`, repaid_on: 'NULL::date', updated_on: '$1::date' },
      onUpdate: { status: `'active'`, repaid_on: 'NULL', updated_on: 'EXCLUDED.updated_on' },
      alsoWhen: `t.status <> 'active'` }),
    fullSnapshotGone: `UPDATE loans t SET status = 'repaid', repaid_on = $1, updated_on = $1 WHERE t.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM stg_loans s WHERE s.customer_id = t.customer_id AND s.loan_id = t.loan_id)`,
  },
};

export interface MergeCounts {
  written: number;
  gone: number;
}

// relations.csv in both directions, each pair once (the checks refused a pair given twice the same
// way, and both ways with relations that disagree)
const RELATION_PAIRS = `SELECT DISTINCT ON (customer_id, related_customer_id) customer_id, related_customer_id, relation
    FROM stg_relation_sides ORDER BY customer_id, related_customer_id, line`;

/** relations.csv is complete whenever present: the table becomes what it says, in both directions. */
async function mergeRelations(s: SqlSession, businessDate: string): Promise<MergeCounts> {
  await stageRelationSides(s);
  const gone = await s.query(
    `DELETE FROM customer_relations t WHERE NOT EXISTS (
       SELECT 1 FROM (${RELATION_PAIRS}) p WHERE p.customer_id = t.customer_id AND p.related_customer_id = t.related_customer_id)`,
  );
  const written = await s.query(
    `INSERT INTO customer_relations AS t (customer_id, related_customer_id, relation, since, updated_on)
     SELECT customer_id, related_customer_id, relation, $1::date, $1::date FROM (${RELATION_PAIRS}) p
     ON CONFLICT (customer_id, related_customer_id) DO UPDATE SET relation = EXCLUDED.relation, updated_on = EXCLUDED.updated_on
     WHERE t.relation IS DISTINCT FROM EXCLUDED.relation`,
    [businessDate],
  );
  return { written: written.rowCount, gone: gone.rowCount };
}

/** Merges one staged file; in a full day a snapshot file also ends what it no longer lists. */
export async function mergeEntity(s: SqlSession, entity: EntityName, mode: 'full' | 'delta', businessDate: string, fileName = `${entity}.csv`): Promise<MergeCounts> {
  if (entity === 'transactions') return { written: await mergeTransactions(s, businessDate), gone: 0 };
  if (entity === 'relations') return mergeRelations(s, businessDate);
  if (entity === 'owners') {
    const r = await applyFeedOwners(s, businessDate, fileName);
    return { written: r.assigned, gone: r.ended };
  }
  const m = MERGES[entity];
  const empty = !(await hasRows(s, m.table));
  const written = empty
    ? await fillEmpty(s, m.table, async (withoutKey) => (await s.query(withoutKey ? m.bulk : m.intoEmpty, [businessDate])).rowCount)
    : (await s.query(m.upsert, [businessDate])).rowCount;
  let gone = 0;
  if (m.completeGone) gone = (await s.query(m.completeGone, [businessDate])).rowCount;
  if (m.fullSnapshotGone && mode === 'full' && !empty) gone = (await s.query(m.fullSnapshotGone, [businessDate])).rowCount;
  return { written, gone };
}

/** Whether the day's staged transactions are fewer than a twentieth of those loaded. */
async function probeRatherThanHash(s: SqlSession): Promise<boolean> {
  const r = await s.query<{ staged: number; loaded: number }>(
    `SELECT (SELECT count(*) FROM stg_transactions)::float8 AS staged, (SELECT reltuples FROM pg_class WHERE oid = 'transactions'::regclass)::float8 AS loaded`,
  );
  const { staged = 0, loaded = 0 } = r.rows[0] ?? {};
  return staged * 20 < loaded;
}

const TXN_COLUMNS = 'customer_id, txn_id, account_id, booked_at, booked_on, amount, channel, counterparty';

/**
 * A txn_id already loaded, or repeated in the file, is ignored; of a repeated one the first line
 * counts. Set-based rather than row by row: the rows already loaded are taken out by an anti-join
 * (none to look for in an empty table), repeats by DISTINCT ON, and the rest go in with a plain
 * INSERT in primary-key order, so the B-tree fills page after page and no row pays for the
 * speculative insertion of ON CONFLICT. Should a row still collide (something else wrote
 * transactions meanwhile), the statement is undone and redone with ON CONFLICT DO NOTHING.
 */
async function mergeTransactions(s: SqlSession, businessDate: string): Promise<number> {
  const loaded = await hasRows(s, 'transactions');
  // On Citus a failed ADD PRIMARY KEY on the workers cannot be rolled back to the savepoint (the
  // coordinator's connections are left in an inconsistent state): there repeats are looked for first
  const repeats =
    s.citus && !loaded && (await s.query(`SELECT 1 FROM stg_transactions GROUP BY customer_id, txn_id HAVING count(*) > 1 LIMIT 1`)).rows.length > 0;
  if (!loaded && !repeats) {
    // The first load (a bank's history, tens of millions of rows): every row goes in as staged, in
    // the file's order (by date, so the BRIN indexes on the dates are tight), and the primary key
    // is built after, in one sort. A txn_id repeated in the file makes building it fail; then the
    // rows go in the way below instead, where the first line counts.
    await s.exec('SAVEPOINT bulk_transactions');
    try {
      const written = await fillEmpty(s, 'transactions', async (withoutKey) =>
        withoutKey
          ? (await s.query(`INSERT INTO transactions (${TXN_COLUMNS}, business_date) SELECT ${TXN_COLUMNS}, $1::date FROM stg_transactions`, [businessDate])).rowCount
          : null,
      );
      if (written !== null) {
        await s.exec('RELEASE SAVEPOINT bulk_transactions');
        return written;
      }
    } catch (e) {
      if ((e as { code?: unknown }).code !== '23505') throw e;
    }
    await s.exec('ROLLBACK TO SAVEPOINT bulk_transactions');
  }
  const notLoaded = loaded ? 'WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = x.customer_id AND t.txn_id = x.txn_id)' : '';
  const insert = `INSERT INTO transactions (${TXN_COLUMNS}, business_date)
    SELECT DISTINCT ON (customer_id, txn_id) ${TXN_COLUMNS}, $1::date FROM stg_transactions x ${notLoaded}
    ORDER BY customer_id, txn_id, line`;
  await s.exec('SAVEPOINT merge_transactions');
  try {
    // A day's transactions against a history twenty times larger: looked up one by one in the
    // primary key, in key order. The planner, counting every lookup as a read from disk, would
    // rather hash the whole history, and pays more for it every day the history grows.
    const written = await probingKeys(s, loaded && (await probeRatherThanHash(s)), async () => (await s.query(insert, [businessDate])).rowCount);
    await s.exec('RELEASE SAVEPOINT merge_transactions');
    return written;
  } catch (e) {
    if ((e as { code?: unknown }).code !== '23505') throw e;
    await s.exec('ROLLBACK TO SAVEPOINT merge_transactions');
    const r = await s.query(
      `INSERT INTO transactions (${TXN_COLUMNS}, business_date)
       SELECT ${TXN_COLUMNS}, $1::date FROM stg_transactions ORDER BY customer_id, txn_id, line
       ON CONFLICT (customer_id, txn_id) DO NOTHING`,
      [businessDate],
    );
    await s.exec('RELEASE SAVEPOINT merge_transactions');
    return r.rowCount;
  }
}

/**
 * Records which days of bookings the day's load delivered (transaction_loads, read by the tiering
 * facts to find the loads whose transactions leave the 90-day window): from the file's least and
 * greatest booking day, seen as it was read, so that no one has to read the rows again (the
 * batch would otherwise scan a first load's whole history for it). A second load of the same date
 * widens the range. The file's range may be wider than that of the rows written (a repeated
 * transaction keeps its first load): the facts then look at a load for nothing, never miss one.
 */
export async function recordTransactionLoad(s: SqlSession, businessDate: string, written: number, booked: { min: string; max: string }): Promise<void> {
  await s.query(
    `INSERT INTO transaction_loads (business_date, rows, first_booked_on, last_booked_on, recorded_at) VALUES ($1::date, $2, $3::date, $4::date, now())
     ON CONFLICT (business_date) DO UPDATE SET rows = transaction_loads.rows + EXCLUDED.rows,
       first_booked_on = least(transaction_loads.first_booked_on, EXCLUDED.first_booked_on),
       last_booked_on = greatest(transaction_loads.last_booked_on, EXCLUDED.last_booked_on), recorded_at = EXCLUDED.recorded_at`,
    [businessDate, written, booked.min, booked.max],
  );
}

// whole months from a to b: 2024-03-15 → 2025-03-15 is 12, → 2025-03-14 is 11
const MONTHS = (a: string, b: string) =>
  `((extract(year FROM ${b}) - extract(year FROM ${a})) * 12 + extract(month FROM ${b}) - extract(month FROM ${a})
    - CASE WHEN extract(day FROM ${b}) < extract(day FROM ${a}) THEN 1 ELSE 0 END)`;

/**
 * Balances by kind and AUM of every active customer as at the business date, and what the tiering
 * facts read of the accounts and loans as they stood that day (../shared/POLICIES.md "Facts"): the
 * term of the deposits in whole months weighted by balance (a current account counts 0), the
 * product kinds held (a loan without a loan account counts as one kind), the active loans and
 * their worst overdue days. One pass over the accounts and loans, which the snapshot reads anyway.
 */
export async function writeBalanceSnapshot(s: SqlSession, businessDate: string): Promise<number> {
  await ensureMonthPartition(s, 'balance_snapshots', businessDate);
  await s.query('DELETE FROM balance_snapshots WHERE business_date = $1', [businessDate]);
  const deposits = 'coalesce(a.current_balance, 0) + coalesce(a.time_deposit, 0)';
  const r = await s.query(
    `INSERT INTO balance_snapshots (customer_id, business_date, current_balance, time_deposit, wealth, fund, insurance,
        loan_balance, loans_outstanding, deposits, aum, deposit_term_months, product_kinds, loan_count, worst_overdue_days)
     SELECT c.customer_id, $1::date,
            coalesce(a.current_balance, 0), coalesce(a.time_deposit, 0), coalesce(a.wealth, 0), coalesce(a.fund, 0),
            coalesce(a.insurance, 0), coalesce(a.loan_balance, 0), coalesce(l.outstanding, 0),
            ${deposits},
            ${deposits} + coalesce(a.wealth, 0) + coalesce(a.fund, 0) + coalesce(a.insurance, 0),
            CASE WHEN ${deposits} > 0 THEN coalesce(a.term, 0) ELSE 0 END,
            coalesce(a.kinds, 0) + CASE WHEN coalesce(l.n, 0) > 0 AND NOT coalesce(a.loan_account, false) THEN 1 ELSE 0 END,
            coalesce(l.n, 0), coalesce(l.worst, 0)
     FROM customers c
     LEFT JOIN (
       SELECT customer_id,
              sum(balance) FILTER (WHERE kind = 'current') AS current_balance,
              sum(balance) FILTER (WHERE kind = 'time_deposit') AS time_deposit,
              sum(balance) FILTER (WHERE kind = 'wealth') AS wealth,
              sum(balance) FILTER (WHERE kind = 'fund') AS fund,
              sum(balance) FILTER (WHERE kind = 'insurance') AS insurance,
              sum(balance) FILTER (WHERE kind = 'loan') AS loan_balance,
              sum(balance * CASE WHEN kind = 'time_deposit' AND matures_on IS NOT NULL THEN ${MONTHS('opened_on', 'matures_on')} ELSE 0 END)
                FILTER (WHERE kind IN ('current', 'time_deposit'))
                / nullif(sum(balance) FILTER (WHERE kind IN ('current', 'time_deposit')), 0) AS term,
              -- kinds held, one flag per kind: count(DISTINCT kind) would sort every account of the bank
              ${ACCOUNT_KINDS.map((k) => `bool_or(kind = '${k}')::int`).join(' + ')} AS kinds,
              bool_or(kind = 'loan') AS loan_account
       FROM accounts WHERE status = 'active' GROUP BY customer_id
     ) a ON a.customer_id = c.customer_id
     LEFT JOIN (
       SELECT customer_id, sum(outstanding) AS outstanding, count(*) AS n, max(overdue_days) AS worst
         FROM loans WHERE status = 'active' GROUP BY customer_id
     ) l ON l.customer_id = c.customer_id
     WHERE c.status = 'active'`,
    [businessDate],
  );
  return r.rowCount;
}

export async function recordBusinessDate(
  s: SqlSession,
  row: { businessDate: string; mode: 'full' | 'delta'; contentHash: string; fileRows: Record<string, number>; seconds: number; source: string },
): Promise<void> {
  await s.query(
    `INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source, loaded_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, now())
     ON CONFLICT (business_date) DO UPDATE SET mode = EXCLUDED.mode, content_hash = EXCLUDED.content_hash,
       file_rows = EXCLUDED.file_rows, seconds = EXCLUDED.seconds, source = EXCLUDED.source, loaded_at = EXCLUDED.loaded_at`,
    [row.businessDate, row.mode, row.contentHash, JSON.stringify(row.fileRows), row.seconds.toFixed(3), row.source],
  );
}

/**
 * Brings the planner's statistics up to date for the tables a load made grow by half since they
 * were last analysed, or that never were (the planner takes those for nearly empty). An embedded
 * database has no autovacuum, and on a server it comes minutes later, while the daily batch that
 * follows plans its joins of a million customers on these figures. Growth, not rows written: a
 * day's balance updates change a tenth of the accounts but not their count or spread, and
 * analysing the table for them every day would cost more than the day's merge. Inside the load's
 * transaction: all or nothing.
 */
export async function refreshStatistics(s: SqlSession, tables: string[], always: string[] = []): Promise<string[]> {
  const due = await s.query<{ relname: string }>(
    `SELECT relname FROM pg_class
      WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace
        AND (relname = ANY($2::text[])
             OR relname = ANY($1::text[]) AND (reltuples < 0 OR pg_relation_size(oid) > 1.5 * relpages * current_setting('block_size')::bigint))`,
    [tables, always],
  );
  for (const { relname } of due.rows) await s.exec(`ANALYZE ${relname}`);
  return due.rows.map((r) => r.relname);
}
