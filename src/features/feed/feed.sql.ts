import type { SqlSession } from '../../platform/db.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { ID_COLUMNS, ID_SQL_TYPE } from '../../platform/schema.js';
import { FILE_SPECS, INVERSE_RELATION, type EntityName, type FeedProblem, type FileSpec } from './feed.contract.js';
import { quote } from './feed.values.js';

// The only SQL of the feed loader: staging tables, reference checks and the set-based merge of
// one business date. $1 is always the business date.

export const stagingTable = (entity: EntityName) => `stg_${entity}`;

export function stagingColumns(spec: FileSpec): string[] {
  return ['line', ...spec.columns.map((c) => c.name), ...(spec.derived ?? []).map((d) => d.name)];
}

export async function createStaging(s: SqlSession): Promise<void> {
  const ddl = FILE_SPECS.map((spec) => {
    const cols = [
      'line integer NOT NULL',
      ...spec.columns.map((c) => `${c.name} ${c.sqlType === 'text' && ID_COLUMNS.has(c.name) ? ID_SQL_TYPE : c.sqlType}`),
      ...(spec.derived ?? []).map((d) => `${d.name} ${d.sqlType}`),
    ];
    return { name: stagingTable(spec.entity), columns: cols.join(', ') };
  });
  for (const t of ddl) await createWorkTable(s, t.name, { columns: t.columns });
}

interface ReferenceCheck {
  file: EntityName;
  column: string;
  /** SELECT line, value [, first_line] … : the rows at fault */
  sql: string;
  /** the files whose contents the check compares against: skipped when one could not be read */
  needs?: EntityName[];
  /** reported, but the feed still loads */
  warning?: boolean;
  /**
   * The same check over fewer rows, valid once the day's transactions of unknown accounts were set
   * apart (stg_txn_orphans) and, when named, the check `unless` (file.column) found nothing.
   */
  narrowed?: { sql: string; unless?: string };
  message: (value: string, firstLine?: number, row?: Record<string, unknown>) => string;
}

/**
 * Rows that refer to a branch, customer or product the bank never delivered. Which set counts as
 * known depends on the day: a full snapshot must be self-contained, a delta may lean on what
 * earlier days loaded; a file absent today stands as loaded before.
 */
function referenceChecks(present: ReadonlySet<EntityName>, mode: 'full' | 'delta'): ReferenceCheck[] {
  const branches = present.has('branches')
    ? 'SELECT branch_id FROM stg_branches'
    : 'SELECT branch_id FROM branches';
  const products = present.has('products')
    ? 'SELECT product_code FROM stg_products'
    : 'SELECT product_code FROM products';
  const customersToday = 'SELECT customer_id FROM stg_customers';
  const customersKnown = `${customersToday} UNION ALL SELECT customer_id FROM customers`;
  const holders = mode === 'full' ? customersToday : customersKnown;
  const unknownCustomer = (file: string) => (v: string) =>
    mode === 'full' && file !== 'transactions'
      ? `customer ${quote(v)} is not in today's customers file`
      : `customer ${quote(v)} is not in the customers file nor loaded before`;
  const checks: ReferenceCheck[] = [
    {
      file: 'branches',
      column: 'parent_id',
      sql: `SELECT line, parent_id AS value FROM stg_branches b WHERE parent_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM stg_branches p WHERE p.branch_id = b.parent_id)`,
      message: (v) => `parent branch ${quote(v)} is not in the branches file`,
    },
    {
      file: 'branches',
      column: 'parent_id',
      sql: `SELECT line, branch_id AS value FROM stg_branches b WHERE parent_id = branch_id`,
      message: (v) => `branch ${quote(v)} names itself as its parent`,
    },
    {
      file: 'staff',
      column: 'branch_id',
      sql: `SELECT line, branch_id AS value FROM stg_staff s WHERE NOT EXISTS (SELECT 1 FROM (${branches}) k WHERE k.branch_id = s.branch_id)`,
      message: (v) => `branch ${quote(v)} is not in the branches file nor loaded before`,
      needs: ['branches'],
    },
    {
      file: 'customers',
      column: 'branch_id',
      sql: `SELECT line, branch_id AS value FROM stg_customers c WHERE NOT EXISTS (SELECT 1 FROM (${branches}) k WHERE k.branch_id = c.branch_id)`,
      message: (v) => `branch ${quote(v)} is not in the branches file nor loaded before`,
      needs: ['branches'],
    },
    {
      file: 'accounts',
      column: 'product_code',
      sql: `SELECT line, product_code AS value FROM stg_accounts a WHERE product_code IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM (${products}) k WHERE k.product_code = a.product_code)`,
      message: (v) => `product ${quote(v)} is not in the products file nor loaded before`,
      needs: ['products'],
    },
    {
      file: 'accounts',
      column: 'matures_on',
      sql: `SELECT line, matures_on::text AS value FROM stg_accounts WHERE matures_on < opened_on`,
      message: (v) => `${v} is before the account's opened_on`,
    },
  ];
  const unknown = (from: string, known: string) =>
    `SELECT line, customer_id AS value FROM ${from} x WHERE NOT EXISTS (SELECT 1 FROM (${known}) k WHERE k.customer_id = x.customer_id)`;
  for (const file of ['accounts', 'cards', 'loans', 'transactions'] as const) {
    const known = file === 'transactions' ? customersKnown : holders;
    checks.push({
      file,
      column: 'customer_id',
      sql: unknown(`stg_${file}`, known),
      message: unknownCustomer(file),
      needs: ['customers'],
      // A transaction on an account of the accounts file or loaded before belongs to that
      // account's customer, known when the accounts passed this same check (a loaded account
      // refers to a loaded customer): only the transactions of unknown accounts need looking up,
      // which spares a pass over the day's millions of transactions.
      ...(file === 'transactions' ? { narrowed: { sql: unknown('stg_txn_orphans', known), unless: 'accounts.customer_id' } } : {}),
    });
  }
  checks.push(...ownersChecks(present, holders, unknownCustomer('owners')), ...relationsChecks(holders, unknownCustomer('relations')));
  // History may name accounts closed before the bank's first snapshot: worth a look, not a refusal.
  checks.push({
    file: 'transactions',
    column: 'account_id',
    sql: `SELECT line, account_id AS value FROM stg_transactions x WHERE ${UNKNOWN_ACCOUNT}`,
    narrowed: { sql: 'SELECT line, account_id AS value FROM stg_txn_orphans' },
    message: (v) => `account ${quote(v)} of this customer is not in the accounts file nor loaded before (loaded as given)`,
    needs: ['accounts'],
    warning: true,
  });
  return checks.filter((c) => present.has(c.file));
}

/**
 * owners.csv: each customer known, each staff member known and active (in today's staff file when
 * the day has one, else as loaded), a staff member once per customer, one primary per customer.
 */
function ownersChecks(present: ReadonlySet<EntityName>, holders: string, unknownCustomer: (v: string) => string): ReferenceCheck[] {
  const staff = present.has('staff') ? 'SELECT staff_id, active FROM stg_staff' : 'SELECT staff_id, active FROM staff';
  const staffWhere = present.has('staff') ? 'in the staff file' : 'in the staff loaded before';
  return [
    {
      file: 'owners',
      column: 'customer_id',
      sql: `SELECT line, customer_id AS value FROM stg_owners x WHERE NOT EXISTS (SELECT 1 FROM (${holders}) k WHERE k.customer_id = x.customer_id)`,
      message: unknownCustomer,
      needs: ['customers'],
    },
    {
      file: 'owners',
      column: 'staff_id',
      sql: `SELECT line, staff_id AS value FROM stg_owners x WHERE NOT EXISTS (SELECT 1 FROM (${staff}) k WHERE k.staff_id = x.staff_id)`,
      message: (v) => `staff member ${quote(v)} is not in the staff file nor loaded before`,
      needs: ['staff'],
    },
    {
      file: 'owners',
      column: 'staff_id',
      sql: `SELECT line, staff_id AS value FROM stg_owners x WHERE EXISTS (SELECT 1 FROM (${staff}) k WHERE k.staff_id = x.staff_id AND NOT k.active)`,
      message: (v) => `staff member ${quote(v)} is not active (${staffWhere}); only active staff can own customers`,
      needs: ['staff'],
    },
    {
      file: 'owners',
      column: 'staff_id',
      sql: `SELECT line, staff_id AS value, first_line, customer_id FROM (
              SELECT line, staff_id, customer_id, min(line) OVER (PARTITION BY customer_id, staff_id) AS first_line FROM stg_owners
              WHERE customer_id IS NOT NULL AND staff_id IS NOT NULL) d WHERE line <> first_line`,
      message: (v, first, row) => `staff member ${quote(v)} is named again for customer ${quote(String(row?.customer_id ?? ''))} (first on line ${first}); name each owner of a customer once`,
    },
    {
      file: 'owners',
      column: 'kind',
      sql: `SELECT line, customer_id AS value, first_line FROM (
              SELECT line, customer_id, min(line) OVER (PARTITION BY customer_id) AS first_line FROM stg_owners
              WHERE kind = 'primary' AND customer_id IS NOT NULL) d WHERE line <> first_line`,
      message: (v, first) => `customer ${quote(v)} has a second primary owner (the first is on line ${first}); a customer has one primary owner and any number of co-owners`,
    },
  ];
}

/**
 * relations.csv: both customers known, nobody related to themselves, a pair once, and a pair given
 * both ways must say the same relation (C1,C2,parent and C2,C1,child; not C2,C1,spouse).
 */
function relationsChecks(holders: string, unknownCustomer: (v: string) => string): ReferenceCheck[] {
  return [
    {
      file: 'relations',
      column: 'customer_id',
      sql: `SELECT line, customer_id AS value FROM stg_relations x WHERE NOT EXISTS (SELECT 1 FROM (${holders}) k WHERE k.customer_id = x.customer_id)`,
      message: unknownCustomer,
      needs: ['customers'],
    },
    {
      file: 'relations',
      column: 'related_customer_id',
      // the related customer's side of each line (stageRelationSides), looked up where that customer's rows are
      sql: `SELECT line, customer_id AS value FROM stg_relation_sides x
             WHERE reversed AND NOT EXISTS (SELECT 1 FROM (${holders}) k WHERE k.customer_id = x.customer_id)`,
      message: unknownCustomer,
      needs: ['customers'],
    },
    {
      file: 'relations',
      column: 'related_customer_id',
      sql: `SELECT line, customer_id AS value FROM stg_relations WHERE customer_id = related_customer_id`,
      message: (v) => `customer ${quote(v)} is named as related to themselves`,
    },
    {
      file: 'relations',
      column: 'related_customer_id',
      sql: `SELECT line, related_customer_id AS value, first_line, customer_id FROM (
              SELECT line, customer_id, related_customer_id, min(line) OVER (PARTITION BY customer_id, related_customer_id) AS first_line
                FROM stg_relations WHERE customer_id IS NOT NULL AND related_customer_id IS NOT NULL) d WHERE line <> first_line`,
      message: (v, first, row) => `the relation of customer ${quote(String(row?.customer_id ?? ''))} to ${quote(v)} appears again (first on line ${first})`,
    },
    {
      file: 'relations',
      column: 'relation',
      // the later of two lines that give a pair both ways and disagree (of a pair given twice the same way, the first)
      // b: a line X→Y; a: the first line Y→X, seen from X's side (stageRelationSides keeps its relation as given)
      sql: `WITH firsts AS (SELECT DISTINCT ON (customer_id, related_customer_id, reversed) line, customer_id, related_customer_id, relation, given, reversed
                                FROM stg_relation_sides ORDER BY customer_id, related_customer_id, reversed, line)
            SELECT b.line, b.relation AS value, a.line AS first_line, b.customer_id, b.related_customer_id, a.given AS first_relation
              FROM firsts b JOIN firsts a ON a.customer_id = b.customer_id AND a.related_customer_id = b.related_customer_id
             WHERE NOT b.reversed AND a.reversed AND a.line < b.line AND a.relation IS NOT NULL AND b.relation IS NOT NULL AND b.relation <> a.relation`,
      message: (v, first, row) => {
        const inv = INVERSE_RELATION[String(row?.first_relation) as keyof typeof INVERSE_RELATION] ?? String(row?.first_relation);
        return `says ${quote(String(row?.related_customer_id))} is the ${v} of ${quote(String(row?.customer_id))}, but line ${first} gives the same two customers the other way round, which makes ${quote(String(row?.related_customer_id))} the ${inv}`;
      },
    },
  ];
}

/**
 * stg_relation_sides: each line of relations.csv from both customers' sides — as given (X→Y), and
 * reversed (Y→X with the inverse relation; `given` keeps the line's own). Every check and the merge
 * then compare a customer's rows with that customer's rows only, which on Citus stay on one shard.
 */
export async function stageRelationSides(s: SqlSession): Promise<void> {
  await createWorkTable(s, 'stg_relation_sides', {
    names: 'line, customer_id, related_customer_id, relation, given, reversed',
    as: `SELECT line, customer_id, related_customer_id, relation, relation, false FROM stg_relations
          WHERE customer_id IS NOT NULL AND related_customer_id IS NOT NULL
         UNION ALL
         SELECT line, related_customer_id, customer_id,
                CASE WHEN relation = 'parent' THEN 'child' WHEN relation = 'child' THEN 'parent' ELSE relation END, relation, true FROM stg_relations
          WHERE customer_id IS NOT NULL AND related_customer_id IS NOT NULL`,
  });
}

const UNKNOWN_ACCOUNT = `NOT EXISTS (SELECT 1 FROM stg_accounts a WHERE a.customer_id = x.customer_id AND a.account_id = x.account_id)
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = x.customer_id AND a.account_id = x.account_id)`;

/** Ids that repeat within a file: the later line is the problem. */
function duplicateChecks(present: ReadonlySet<EntityName>): ReferenceCheck[] {
  return FILE_SPECS.filter((spec) => spec.key.length === 1 && present.has(spec.entity)).map((spec) => {
    const key = spec.key[0] ?? '';
    return {
      file: spec.entity,
      column: key,
      sql: `SELECT s.line, s.${key} AS value, d.first_line FROM ${stagingTable(spec.entity)} s
              JOIN (SELECT ${key}, min(line) AS first_line FROM ${stagingTable(spec.entity)}
                    GROUP BY ${key} HAVING count(*) > 1) d ON d.${key} = s.${key}
              WHERE s.line <> d.first_line`,
      message: (v, first) => `${key} ${quote(v)} appears again (first on line ${first})`,
    };
  });
}

/** Runs the reference checks, skipping those that lean on a file that could not be read. */
export async function checkReferences(
  s: SqlSession,
  present: ReadonlySet<EntityName>,
  unreadable: ReadonlySet<EntityName>,
  mode: 'full' | 'delta',
  fileName: (e: EntityName) => string,
  sink: { add(p: FeedProblem): void; count(n: number, warning: boolean): void },
  limit: number,
): Promise<void> {
  const checks = [...duplicateChecks(present), ...referenceChecks(present, mode)].filter(
    (c) => !unreadable.has(c.file) && !(c.needs ?? []).some((n) => unreadable.has(n)),
  );
  // The files of a day are checked against each other by hashing the smaller side (a day's
  // customers, accounts); without statistics on the staging tables the planner may instead sort
  // millions of staged transactions for a merge join, several times slower.
  const before = (await s.query<{ v: string }>(`SELECT current_setting('enable_mergejoin') AS v`)).rows[0]?.v ?? 'on';
  await s.query(`SELECT set_config('enable_mergejoin', 'off', true)`);
  // the day's transactions on accounts neither in the accounts file nor loaded: one pass over them
  // serves both checks that look at their accounts and customers (see `narrowed`)
  const orphans = present.has('transactions') && !unreadable.has('transactions') && !unreadable.has('accounts');
  if (orphans) {
    await createWorkTable(s, 'stg_txn_orphans', { as: `SELECT line, customer_id, account_id FROM stg_transactions x WHERE ${UNKNOWN_ACCOUNT}` });
    await s.exec('ANALYZE stg_txn_orphans');
  }
  if (present.has('relations') && !unreadable.has('relations')) await stageRelationSides(s);
  await runChecks(s, checks, orphans, fileName, sink, limit);
  // (on an error the day's transaction is rolled back, and the setting with it)
  await s.query(`SELECT set_config('enable_mergejoin', $1, true)`, [before]);
}

async function runChecks(
  s: SqlSession,
  checks: ReferenceCheck[],
  orphans: boolean,
  fileName: (e: EntityName) => string,
  sink: { add(p: FeedProblem): void; count(n: number, warning: boolean): void },
  limit: number,
): Promise<void> {
  const found = new Set<string>();
  for (const check of checks) {
    const n = check.narrowed;
    const sql = orphans && n && !(n.unless && found.has(n.unless)) ? n.sql : check.sql;
    const r = await s.query<{ line: number; value: string; first_line?: number; total: number } & Record<string, unknown>>(
      `SELECT *, count(*) OVER () AS total FROM (${sql}) q ORDER BY line LIMIT ${Math.max(limit, 1)}`,
    );
    const first = r.rows[0];
    if (!first) continue;
    found.add(`${check.file}.${check.column}`);
    for (const row of r.rows) {
      sink.add({
        file: fileName(check.file),
        line: row.line,
        column: check.column,
        message: check.message(row.value, row.first_line, row),
        ...(check.warning ? { warning: true } : {}),
      });
    }
    // the rows beyond those fetched still count
    sink.count(Number(first.total) - r.rows.length, check.warning === true);
  }
}

/** The latest loaded business date. */
export async function latestBusinessDate(s: SqlSession): Promise<{ business_date: string; content_hash: string } | undefined> {
  const r = await s.query<{ business_date: string; content_hash: string }>(
    'SELECT business_date, content_hash FROM business_dates ORDER BY business_date DESC LIMIT 1',
  );
  return r.rows[0];
}

/** The record of one business date, if it was loaded. */
export async function loadedBusinessDate(s: SqlSession, businessDate: string): Promise<{ content_hash: string } | undefined> {
  const r = await s.query<{ content_hash: string }>('SELECT content_hash FROM business_dates WHERE business_date = $1', [businessDate]);
  return r.rows[0];
}
