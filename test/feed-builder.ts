import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILE_SPECS, type EntityName } from '../src/features/feed/feed.contract.js';
import { idCheckDigit } from '../src/features/feed/feed.values.js';
import { notePii } from './pii-seen.js';

// Factories for small feeds: a valid bank of a few rows, from which each test breaks one thing.

export type Row = Record<string, string>;
export type FeedFiles = Partial<Record<EntityName, Row[]>>;

export function validIdNumber(birth = '19850315', seq = '123'): string {
  const first17 = `110105${birth}${seq}`;
  return first17 + idCheckDigit(first17);
}

export const buildBranches = (): Row[] => [
  { branch_id: 'B000', name: '总行', parent_id: '', level: 'bank' },
  { branch_id: 'B100', name: '城南分行', parent_id: 'B000', level: 'branch' },
  { branch_id: 'B110', name: '电力支行', parent_id: 'B100', level: 'sub_branch' },
  { branch_id: 'B111', name: '电力路网点', parent_id: 'B110', level: 'outlet' },
];

export const buildStaff = (): Row[] => [
  { staff_id: 'S1', name: '王芳', branch_id: 'B111', role: 'branch_head', active: 'true' },
  { staff_id: 'S2', name: '李强', branch_id: 'B111', role: 'customer_manager', active: 'true' },
];

export const buildProducts = (): Row[] => [
  { product_code: 'CUR', name: '活期储蓄', kind: 'current', risk_level: 'R1', min_amount: '0' },
  { product_code: 'TD12', name: '一年定期', kind: 'time_deposit', risk_level: 'R1', min_amount: '50' },
  { product_code: 'WM1', name: '稳健理财1号', kind: 'wealth', risk_level: 'R2', min_amount: '10000' },
];

export function buildCustomer(over: Row = {}): Row {
  return {
    customer_id: 'C1',
    name: '张三明',
    gender: 'M',
    birth_date: '1985-03-15',
    id_number: validIdNumber(),
    phone: '13812345678',
    branch_id: 'B111',
    opened_on: '2015-06-01',
    address: '北京市东城区电力路1号',
    occupation: '工程师',
    annual_income: '240000',
    risk_level: 'C3',
    do_not_disturb: 'false',
    marketing_consent: 'true',
    ...over,
  };
}

export function buildAccount(over: Row = {}): Row {
  return {
    account_id: 'A1',
    customer_id: 'C1',
    kind: 'current',
    product_code: 'CUR',
    balance: '52300.00',
    opened_on: '2015-06-01',
    matures_on: '',
    status: 'active',
    ...over,
  };
}

export function buildTransaction(over: Row = {}): Row {
  return {
    txn_id: 'T1',
    account_id: 'A1',
    customer_id: 'C1',
    booked_at: '2026-11-20T09:30:00+08:00',
    amount: '-120.50',
    channel: 'pos',
    counterparty: '超市',
    ...over,
  };
}

export const buildCard = (over: Row = {}): Row => ({
  card_id: 'K1', customer_id: 'C1', grade: 'gold', issued_on: '2020-01-01', status: 'active', ...over,
});

export const buildLoan = (over: Row = {}): Row => ({
  loan_id: 'L1', customer_id: 'C1', principal: '100000', outstanding: '80000', overdue_days: '0', opened_on: '2023-01-01', ...over,
});

/** A full day of a tiny bank: two customers, three accounts, one card, one loan. */
export function buildFullDay(): FeedFiles {
  return {
    branches: buildBranches(),
    staff: buildStaff(),
    products: buildProducts(),
    customers: [buildCustomer(), buildCustomer({ customer_id: 'C2', name: '李四', gender: 'F', id_number: validIdNumber('19900101', '124'), phone: '13987654321' })],
    accounts: [
      buildAccount(),
      buildAccount({ account_id: 'A2', kind: 'time_deposit', product_code: 'TD12', balance: '100000.00', opened_on: '2026-03-15', matures_on: '2027-03-15' }),
      buildAccount({ account_id: 'A3', customer_id: 'C2', balance: '999.99' }),
    ],
    cards: [buildCard()],
    loans: [buildLoan()],
    transactions: [buildTransaction(), buildTransaction({ txn_id: 'T2', customer_id: 'C2', account_id: 'A3', amount: '500', channel: 'counter', counterparty: '' })],
  };
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Rows as CSV with the contract's columns first (its optional ones only when a row carries them),
 * and any extra columns the rows carry.
 */
export function toCsv(entity: EntityName, rows: Row[]): string {
  const spec = FILE_SPECS.find((s) => s.entity === entity);
  const cols = spec ? spec.columns.filter((c) => !c.optional || rows.some((r) => c.name in r)).map((c) => c.name) : [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** Writes a feed folder; `raw` overrides a file's text entirely (for malformed files). */
export function writeFeed(
  dir: string,
  manifest: { business_date: string; mode: 'full' | 'delta' },
  files: FeedFiles,
  raw: Partial<Record<string, string | Buffer>> = {},
): string {
  mkdirSync(dir, { recursive: true });
  // as the loader will store them: digits only, without +86 (for the no-PII-in-logs check)
  notePii((files.customers ?? []).flatMap((c) => [c.id_number, c.phone]).map((v) => (v ?? '').replace(/[^0-9Xx]/g, '').replace(/^86(?=1\d{10}$)/, '')));
  writeFileSync(path.join(dir, 'feed.json'), JSON.stringify(manifest));
  for (const [entity, rows] of Object.entries(files) as [EntityName, Row[]][]) {
    if (raw[`${entity}.csv`] === undefined) writeFileSync(path.join(dir, `${entity}.csv`), toCsv(entity, rows));
  }
  for (const [name, text] of Object.entries(raw)) {
    if (text !== undefined) writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export const tempDir = (prefix = 'stratum-test-') => mkdtempSync(path.join(os.tmpdir(), prefix));

const feedDirs: string[] = [];
/** A new folder for one feed, removed after the test file (test/setup.ts). */
export function feedDir(): string {
  const dir = tempDir();
  feedDirs.push(dir);
  return dir;
}

/** A valid full day in which one row of one file has the given values. */
export function fullDayWith(entity: EntityName, index: number, change: Row): FeedFiles {
  const day = buildFullDay();
  const rows = day[entity] ?? [];
  const row = rows[index];
  if (!row) throw new Error(`the full day has no ${entity} row ${index}`);
  rows[index] = { ...row, ...change };
  return day;
}

export function removeFeedDirs(): void {
  for (const d of feedDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
