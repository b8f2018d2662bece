import type { ColumnType, Generated } from 'kysely';

// Row types of the tables, as both engines return them (see db.ts parsers):
// dates 'YYYY-MM-DD', money exact decimal strings, timestamps Date.
type Money = string;
type DateText = string;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/**
 * The SQL type of the id columns of customers, accounts, transactions, cards and loans in every
 * table (migration 0010): codes compared by their bytes, whatever the database's locale. Temporary
 * tables that hold such ids declare them so too, so that their sorts and joins run at the same speed.
 */
export const ID_SQL_TYPE = 'text COLLATE "C"';
export const ID_COLUMNS: ReadonlySet<string> = new Set(['customer_id', 'account_id', 'txn_id', 'card_id', 'loan_id', 'related_customer_id']);

export interface BranchTable {
  branch_id: string;
  name: string;
  parent_id: string | null;
  level: 'bank' | 'branch' | 'sub_branch' | 'outlet';
  active: Generated<boolean>;
  updated_on: DateText;
}

export interface StaffTable {
  staff_id: string;
  name: string;
  branch_id: string;
  role: StaffRole;
  active: boolean;
  updated_on: DateText;
}

export const STAFF_ROLES = [
  'branch_head',
  'cm_supervisor',
  'customer_manager',
  'lobby_manager',
  'vip_teller',
  'counter_teller',
  'lobby_assistant',
  'pb_dept',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ACCOUNT_KINDS = ['current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface ProductTable {
  product_code: string;
  name: string;
  kind: AccountKind;
  risk_level: string;
  min_amount: Money;
  /** products.csv's optional issuer column (migration 0016) */
  issuer: string | null;
  active: Generated<boolean>;
  updated_on: DateText;
}

export interface CustomerTable {
  customer_id: string;
  name: string;
  gender: 'M' | 'F' | null;
  birth_date: DateText | null;
  id_number: string | null;
  phone: string | null;
  branch_id: string;
  opened_on: DateText;
  address: string | null;
  occupation: string | null;
  annual_income: Money | null;
  risk_level: 'C1' | 'C2' | 'C3' | 'C4' | 'C5' | null;
  /** customers.csv's optional risk_assessed_on (migration 0016): risk_level holds 365 days from it; null: taken as valid */
  risk_assessed_on: DateText | null;
  do_not_disturb: boolean;
  marketing_consent: boolean;
  status: Generated<'active' | 'left'>;
  left_on: DateText | null;
  first_seen_on: DateText;
  updated_on: DateText;
}

export interface AccountTable {
  customer_id: string;
  account_id: string;
  kind: AccountKind;
  product_code: string | null;
  balance: Money;
  opened_on: DateText;
  matures_on: DateText | null;
  status: 'active' | 'closed';
  closed_on: DateText | null;
  updated_on: DateText;
}

export interface CardTable {
  customer_id: string;
  card_id: string;
  grade: 'ordinary' | 'gold' | 'platinum' | 'diamond';
  issued_on: DateText;
  status: 'active' | 'cancelled';
  cancelled_on: DateText | null;
  updated_on: DateText;
}

export interface LoanTable {
  customer_id: string;
  loan_id: string;
  principal: Money;
  outstanding: Money;
  overdue_days: number;
  opened_on: DateText;
  status: Generated<'active' | 'repaid'>;
  repaid_on: DateText | null;
  updated_on: DateText;
}

export interface TransactionTable {
  customer_id: string;
  txn_id: string;
  account_id: string;
  booked_at: Timestamp;
  booked_on: DateText;
  amount: Money;
  channel: 'counter' | 'atm' | 'mobile' | 'online' | 'pos' | 'other';
  counterparty: string | null;
  business_date: DateText;
}

export interface BalanceSnapshotTable {
  customer_id: string;
  business_date: DateText;
  current_balance: Money;
  time_deposit: Money;
  wealth: Money;
  fund: Money;
  insurance: Money;
  loan_balance: Money;
  loans_outstanding: Money;
  deposits: Money;
  aum: Money;
}

export interface BusinessDateTable {
  business_date: DateText;
  mode: 'full' | 'delta';
  content_hash: string;
  file_rows: ColumnType<Record<string, number>, string, string>;
  seconds: Money;
  loaded_at: ColumnType<Date, Date | string | undefined, Date | string>;
  source: string;
}

export interface SchemaMigrationTable {
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UserAccountTable {
  login: string;
  staff_id: string | null;
  is_admin: Generated<boolean>;
  display_name: string | null;
  password_hash: string | null;
  password_changed_at: Timestamp | null;
  failed_attempts: Generated<number>;
  locked_until: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface SessionTable {
  token_hash: string;
  login: string;
  csrf_token: string;
  created_at: GeneratedTimestamp;
  last_seen_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface CustomerOverviewTable {
  customer_id: string;
  branch_id: string;
  name: string;
  phone_tail: string | null;
  opened_on: DateText;
  status: 'active' | 'left';
  aum: Money;
  aum_date: DateText | null;
  vip_grade: 'gold' | 'platinum' | 'diamond' | null;
  /** the product kinds held on aum_date as bits: time deposit 1, wealth 2, fund 4, insurance 8 (customers.overview.ts PRODUCT_BITS) */
  products: Generated<number>;
  /** the band of the customer's household on the latest date (households.batch.ts); null: in no household */
  household_band: Generated<string | null>;
  /** the customer's gender and phone, as in customers (the list masks the phone), and the name of their branch */
  gender: Generated<'M' | 'F' | null>;
  phone: Generated<string | null>;
  branch_name: Generated<string | null>;
  /** the customer's current tiers under aum_band and relationship_tier (customer_tiers), kept by the tiering step */
  aum_band: Generated<string | null>;
  relationship_tier: Generated<string | null>;
}

export interface OperationRunTable {
  run_id: string;
  kind: 'load' | 'batch';
  business_date: DateText | null;
  folder: string | null;
  started_by: 'cli' | 'daily' | 'server';
  attempt: Generated<number>;
  started_at: Generated<Date>;
  finished_at: Date | null;
  outcome: 'running' | 'done' | 'unchanged' | 'refused' | 'failed';
  rows: string | null;
  detail: Generated<unknown>;
  problems: Generated<unknown>;
  more_problems: Generated<number>;
  message: string | null;
}

export interface OperationLockTable {
  name: string;
  host: string;
  pid: number;
  token: string;
  acquired_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
}

/** every 100th customer of the department's list by AUM, richest first (customers.overview.ts MARK_EVERY) */
export interface OverviewMarkTable {
  /** all: the active customers; vip: those holding a VIP card */
  list: 'all' | 'vip';
  rank: number;
  aum: Money;
  at_customer_id: string;
}

export interface OverviewBranchCountTable {
  branch_id: string;
  /** the AUM step (AUM_STEPS in customers.overview.ts) the customers counted are at: from it up to the next; -1 below the first */
  aum_from: Money;
  active: number;
  /** of them, holding an active gold, platinum or diamond card */
  vip: number;
}

export interface CustomerTierTable {
  customer_id: string;
  model: string;
  tier: string;
  since: DateText;
  policy_version: number;
}

/** relations.csv, both directions (migration 0016): what related_customer_id is to customer_id */
export interface CustomerRelationTable {
  customer_id: string;
  related_customer_id: string;
  relation: 'spouse' | 'parent' | 'child' | 'sibling' | 'other';
  since: DateText;
  updated_on: DateText;
}

/** The last owners.csv as delivered (migration 0016) */
export interface FeedOwnerTable {
  customer_id: string;
  staff_id: string;
  kind: 'primary' | 'co';
  business_date: DateText;
}

export interface Schema {
  branches: BranchTable;
  staff: StaffTable;
  products: ProductTable;
  customers: CustomerTable;
  accounts: AccountTable;
  cards: CardTable;
  loans: LoanTable;
  transactions: TransactionTable;
  balance_snapshots: BalanceSnapshotTable;
  business_dates: BusinessDateTable;
  schema_migrations: SchemaMigrationTable;
  user_accounts: UserAccountTable;
  sessions: SessionTable;
  customer_overview: CustomerOverviewTable;
  overview_branch_counts: OverviewBranchCountTable;
  overview_marks: OverviewMarkTable;
  operation_runs: OperationRunTable;
  operation_locks: OperationLockTable;
  customer_tiers: CustomerTierTable;
  customer_relations: CustomerRelationTable;
  feed_owners: FeedOwnerTable;
}
