import { z } from 'zod';
import { ACCOUNT_KINDS, STAFF_ROLES } from '../../platform/schema.js';
import {
  amount,
  bool,
  chinaDateOf,
  date,
  identifier,
  idNumber,
  mobile,
  oneOf,
  optionalIdentifier,
  text,
  timestamp,
  wholeNumber,
  type ValueCheck,
} from './feed.values.js';

// The input contract (docs/feed-format.md), written once: which files, which columns, which checks.

export const FEED_MANIFEST = z.object({
  business_date: z.string(),
  mode: z.enum(['full', 'delta']),
});
export type FeedManifest = z.infer<typeof FEED_MANIFEST>;

export interface ColumnSpec {
  name: string;
  check: ValueCheck;
  /** SQL type of the staging column */
  sqlType: 'text' | 'date' | 'numeric' | 'integer' | 'boolean' | 'timestamptz';
  /**
   * an optional column (docs/feed-format.md): a file may leave it out of its
   * header, and every row then has it empty. Optional columns come after the required ones.
   */
  optional?: boolean;
}

export type EntityName =
  | 'branches'
  | 'staff'
  | 'products'
  | 'customers'
  | 'accounts'
  | 'cards'
  | 'loans'
  | 'transactions'
  | 'owners'
  | 'relations';

export interface FileSpec {
  entity: EntityName;
  columns: ColumnSpec[];
  /** columns whose values must not repeat within the file */
  key: string[];
  /** in a full day this file is a complete snapshot and must be present */
  snapshot: boolean;
  /** a file a bank may never send (owners, relations): a day without it says nothing about it */
  optional?: boolean;
  /** columns computed from the checked ones, appended after them in staging */
  derived?: { name: string; sqlType: ColumnSpec['sqlType']; from: (row: ReadonlyArray<string | null>) => string | null }[];
}

const col = (name: string, check: ValueCheck, sqlType: ColumnSpec['sqlType'] = 'text'): ColumnSpec => ({
  name,
  check,
  sqlType,
});
const optionalCol = (name: string, check: ValueCheck, sqlType: ColumnSpec['sqlType'] = 'text'): ColumnSpec => ({
  ...col(name, check, sqlType),
  optional: true,
});

const RISK_LEVELS = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
const PRODUCT_RISK = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export const CHANNELS = ['counter', 'atm', 'mobile', 'online', 'pos', 'other'] as const;
export const CARD_GRADES = ['ordinary', 'gold', 'platinum', 'diamond'] as const;
export const OWNER_KINDS = ['primary', 'co'] as const;
export const RELATIONS = ['spouse', 'parent', 'child', 'sibling', 'other'] as const;
/** what a relation is seen from the other customer: C2 is C1's parent, so C1 is C2's child */
export const INVERSE_RELATION: Record<(typeof RELATIONS)[number], (typeof RELATIONS)[number]> = {
  spouse: 'spouse',
  parent: 'child',
  child: 'parent',
  sibling: 'sibling',
  other: 'other',
};

/** Files in the order they load: what others refer to comes first. */
export const FILE_SPECS: readonly FileSpec[] = [
  {
    entity: 'branches',
    snapshot: false,
    key: ['branch_id'],
    columns: [
      col('branch_id', identifier()),
      col('name', text(true)),
      col('parent_id', optionalIdentifier()),
      col('level', oneOf(['bank', 'branch', 'sub_branch', 'outlet'], true)),
    ],
  },
  {
    entity: 'staff',
    snapshot: false,
    key: ['staff_id'],
    columns: [
      col('staff_id', identifier()),
      col('name', text(true)),
      col('branch_id', identifier()),
      col('role', oneOf(STAFF_ROLES, true)),
      col('active', bool(), 'boolean'),
    ],
  },
  {
    entity: 'products',
    snapshot: false,
    key: ['product_code'],
    columns: [
      col('product_code', identifier()),
      col('name', text(true)),
      col('kind', oneOf(ACCOUNT_KINDS, true)),
      col('risk_level', oneOf(PRODUCT_RISK, true)),
      col('min_amount', amount({ required: true, signed: false }), 'numeric'),
      optionalCol('issuer', text(false)),
    ],
  },
  {
    entity: 'customers',
    snapshot: true,
    key: ['customer_id'],
    columns: [
      col('customer_id', identifier()),
      col('name', text(true)),
      col('gender', oneOf(['M', 'F'], false)),
      col('birth_date', date(false, { notAfterBusinessDate: true }), 'date'),
      col('id_number', idNumber()),
      col('phone', mobile()),
      col('branch_id', identifier()),
      col('opened_on', date(true, { notAfterBusinessDate: true }), 'date'),
      col('address', text(false)),
      col('occupation', text(false)),
      col('annual_income', amount({ required: false, signed: false }), 'numeric'),
      col('risk_level', oneOf(RISK_LEVELS, false)),
      col('do_not_disturb', bool(), 'boolean'),
      col('marketing_consent', bool(), 'boolean'),
      // risk_level holds 365 days from it; a file without the column: risk_level taken as valid
      optionalCol('risk_assessed_on', date(false, { notAfterBusinessDate: true }), 'date'),
    ],
  },
  {
    entity: 'accounts',
    snapshot: true,
    key: ['account_id'],
    columns: [
      col('account_id', identifier()),
      col('customer_id', identifier()),
      col('kind', oneOf(ACCOUNT_KINDS, true)),
      col('product_code', optionalIdentifier()),
      col('balance', amount({ required: true, signed: false }), 'numeric'),
      col('opened_on', date(true, { notAfterBusinessDate: true }), 'date'),
      col('matures_on', date(false), 'date'),
      col('status', oneOf(['active', 'closed'], true)),
    ],
  },
  {
    entity: 'cards',
    snapshot: true,
    key: ['card_id'],
    columns: [
      col('card_id', identifier()),
      col('customer_id', identifier()),
      col('grade', oneOf(CARD_GRADES, true)),
      col('issued_on', date(true, { notAfterBusinessDate: true }), 'date'),
      col('status', oneOf(['active', 'cancelled'], true)),
    ],
  },
  {
    entity: 'loans',
    snapshot: true,
    key: ['loan_id'],
    columns: [
      col('loan_id', identifier()),
      col('customer_id', identifier()),
      col('principal', amount({ required: true, signed: false }), 'numeric'),
      col('outstanding', amount({ required: true, signed: false }), 'numeric'),
      col('overdue_days', wholeNumber(), 'integer'),
      col('opened_on', date(true, { notAfterBusinessDate: true }), 'date'),
    ],
  },
  {
    entity: 'transactions',
    snapshot: false,
    // a txn_id already loaded, or repeated in the file, is ignored (docs/feed-format.md)
    key: [],
    columns: [
      col('txn_id', identifier()),
      col('account_id', identifier()),
      col('customer_id', identifier()),
      col('booked_at', timestamp({ notAfterBusinessDate: true }), 'timestamptz'),
      col('amount', amount({ required: true, signed: true }), 'numeric'),
      col('channel', oneOf(CHANNELS, true)),
      col('counterparty', text(false)),
    ],
    // the date a transaction counts for is the date of booked_at in China time (POLICIES.md)
    derived: [{ name: 'booked_on', sqlType: 'date', from: (row) => (row[3] ? chinaDateOf(row[3]) : null) }],
  },
  {
    // the bank's existing assignments (a bank moving from its old system brings them): complete
    // whenever present; applied by ownership.feed.ts
    entity: 'owners',
    snapshot: false,
    optional: true,
    // a customer and staff member once per file (checked in feed.sql.ts, with one primary per customer)
    key: [],
    columns: [
      col('customer_id', identifier()),
      col('staff_id', identifier()),
      col('kind', oneOf(OWNER_KINDS, true)),
    ],
  },
  {
    // family relationships: complete whenever present, symmetric, stored both ways
    entity: 'relations',
    snapshot: false,
    optional: true,
    key: [],
    columns: [
      col('customer_id', identifier()),
      col('related_customer_id', identifier()),
      col('relation', oneOf(RELATIONS, true)),
    ],
  },
];

export const specFor = (entity: EntityName): FileSpec => {
  const spec = FILE_SPECS.find((s) => s.entity === entity);
  if (!spec) throw new Error(`no file spec for ${entity}`);
  return spec;
};

/** A problem with a feed, located so a clerk can find and fix it. */
export interface FeedProblem {
  file: string;
  line?: number;
  column?: string;
  message: string;
  warning?: boolean;
}

export function formatProblem(p: FeedProblem): string {
  const where = [p.file, p.line !== undefined ? `line ${p.line}` : undefined].filter(Boolean).join(' ');
  const col = p.column ? `, column ${p.column}` : '';
  return `${where}${col}: ${p.message}`;
}
