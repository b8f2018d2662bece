import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoBank, type GenerateSummary } from './demo.generate.js';
import { isValidIdNumber } from './demo.people.js';
import {
  aumByCustomer,
  bandOfCents,
  cents,
  folders,
  listFiles,
  readCsv,
  readJson,
  rowsOf,
  type Row,
} from './demo.test-support.js';

const ROLES = ['branch_head', 'cm_supervisor', 'customer_manager', 'lobby_manager', 'vip_teller', 'counter_teller', 'lobby_assistant'];
const KINDS = ['current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan'];
const CHANNELS = ['counter', 'atm', 'mobile', 'online', 'pos', 'other'];
const SNAPSHOTS = ['customers.csv', 'accounts.csv', 'cards.csv', 'loans.csv'];

let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratum-demo-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function hashTree(out: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const d of folders(out)) {
    for (const f of listFiles(join(out, d))) {
      hashes[`${d}/${f}`] = createHash('sha256').update(readFileSync(join(out, d, f))).digest('hex');
    }
  }
  return hashes;
}

describe('demo bank: determinism', () => {
  it('writes byte-identical files for the same options and different ones for another seed', async () => {
    const opts = { customers: 400, days: 5, seed: 5 };
    await generateDemoBank({ ...opts, out: join(root, 'det-a') });
    await generateDemoBank({ ...opts, out: join(root, 'det-b') });
    await generateDemoBank({ ...opts, seed: 6, out: join(root, 'det-c') });
    const a = hashTree(join(root, 'det-a'));
    expect(Object.keys(a).length).toBeGreaterThan(15);
    expect(hashTree(join(root, 'det-b'))).toEqual(a);
    const c = hashTree(join(root, 'det-c'));
    expect(c['2026-11-16/customers.csv']).not.toBe(a['2026-11-16/customers.csv']);
    expect(c['2026-11-20/transactions.csv']).not.toBe(a['2026-11-20/transactions.csv']);
  });
});

describe('demo bank: AUM band mix', () => {
  it('spreads ~5,000 customers over the bands as asked, with some exactly on the boundaries', async () => {
    const out = join(root, 'bands');
    await generateDemoBank({ customers: 5000, days: 1, seed: 3, out });
    const [first = ''] = folders(out);
    const customers = rowsOf(join(out, first, 'customers.csv'));
    const aum = aumByCustomer(rowsOf(join(out, first, 'accounts.csv')));
    const counts = [0, 0, 0, 0, 0, 0];
    for (const c of customers) {
      const b = bandOfCents(aum.get(c.customer_id ?? '') ?? 0);
      counts[b] = (counts[b] ?? 0) + 1;
    }
    const share = counts.map((x) => (100 * x) / customers.length);
    const target = [8, 52, 22, 10, 7, 1];
    const tolerance = [2.5, 4, 3, 2.5, 2, 0.8];
    share.forEach((s, b) => expect(Math.abs(s - (target[b] ?? 0)), `band ${b}: ${s.toFixed(1)}%`).toBeLessThan(tolerance[b] ?? 1));
    const values = new Set(aum.values());
    for (const yuan of [1000, 50_000, 200_000, 500_000, 3_000_000]) expect(values.has(yuan * 100), `AUM ${yuan}.00`).toBe(true);
  });
});

describe('demo bank: a daily feed', () => {
  const out = (): string => join(root, 'daily');
  let summary: GenerateSummary | undefined;
  const days: string[] = [];

  beforeAll(async () => {
    summary = await generateDemoBank({ customers: 1500, days: 12, seed: 11, out: out() });
    days.push(...folders(out()));
  });

  it('writes one folder per business date: a full day first, then deltas', () => {
    expect(days.length).toBe(12);
    expect(days[11]).toBe('2026-11-20');
    expect(days[0]).toBe('2026-11-09');
    expect(summary?.folders.length).toBe(12);
    expect(summary?.rows['transactions.csv']).toBeGreaterThan(0);
    days.forEach((d, i) => {
      expect(readJson(join(out(), d, 'feed.json'))).toEqual({ business_date: d, mode: i === 0 ? 'full' : 'delta' });
      const files = listFiles(join(out(), d));
      expect(files).toContain('transactions.csv');
      if (i === 0) {
        for (const f of ['branches.csv', 'staff.csv', 'products.csv', ...SNAPSHOTS]) expect(files).toContain(f);
      } else {
        for (const f of ['branches.csv', 'staff.csv', 'products.csv']) expect(files).not.toContain(f);
      }
    });
  });

  it('has a branch tree, staff in every role at every outlet, and a product catalogue', () => {
    const dir = join(out(), days[0] ?? '');
    const branches = rowsOf(join(dir, 'branches.csv'));
    const byId = new Map(branches.map((b) => [b.branch_id ?? '', b]));
    const parentLevel: Record<string, string> = { branch: 'bank', sub_branch: 'branch', outlet: 'sub_branch' };
    expect(branches.filter((b) => b.level === 'bank' && b.parent_id === '').length).toBe(1);
    for (const b of branches) {
      expect(b.branch_id).toMatch(/^B\d{4,}$/);
      if (b.level !== 'bank') expect(byId.get(b.parent_id ?? '')?.level).toBe(parentLevel[b.level ?? '']);
    }
    const outlets = branches.filter((b) => b.level === 'outlet');
    expect(outlets.length).toBeGreaterThanOrEqual(3);
    const staff = rowsOf(join(dir, 'staff.csv'));
    for (const o of outlets) {
      for (const role of ROLES) {
        expect(staff.some((s) => s.branch_id === o.branch_id && s.role === role && s.active === 'true'), `${o.branch_id} ${role}`).toBe(true);
      }
    }
    const pb = staff.filter((s) => s.role === 'pb_dept');
    expect(pb.length).toBeGreaterThan(0);
    for (const s of pb) expect(['bank', 'branch']).toContain(byId.get(s.branch_id ?? '')?.level);
    expect(staff.some((s) => s.active === 'false')).toBe(true);
    const products = rowsOf(join(dir, 'products.csv'));
    expect(products.length).toBeGreaterThanOrEqual(25);
    expect(new Set(products.map((p) => p.kind))).toEqual(new Set(KINDS));
    for (const p of products) {
      expect(p.risk_level).toMatch(/^R[1-5]$/);
      expect(p.min_amount).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it('keeps every row valid, every reference resolved, every balance consistent and every delta row a change', () => {
    const dir0 = join(out(), days[0] ?? '');
    const outlets = new Set(rowsOf(join(dir0, 'branches.csv')).filter((b) => b.level === 'outlet').map((b) => b.branch_id));
    const products = new Set(rowsOf(join(dir0, 'products.csv')).map((p) => p.product_code));
    const customers = new Map<string, Row>();
    const accounts = new Map<string, Row>();
    const cards = new Map<string, Row>();
    const loans = new Map<string, Row>();
    const txnIds = new Set<string>();
    const problems: string[] = [];
    const seen = { maturedWealth: 0, newWealth: 0, cancelledCards: 0, overdue: 0, education: 0, profileChanges: 0, txns: 0 };
    const key = (r: Row): string => JSON.stringify(r);
    const apply = (map: Map<string, Row>, rows: Row[], id: string, full: boolean, file: string): void => {
      for (const r of rows) {
        const k = r[id] ?? '';
        const before = map.get(k);
        if (!full && before && key(before) === key(r)) problems.push(`${file}: ${k} repeated unchanged`);
        map.set(k, r);
      }
    };

    days.forEach((d, i) => {
      const dir = join(out(), d);
      const full = i === 0;
      const before = new Map([...accounts].map(([k, v]) => [k, cents(v.balance ?? '0')]));
      const custRows = rowsOf(join(dir, 'customers.csv'));
      if (!full) seen.profileChanges += custRows.filter((c) => customers.has(c.customer_id ?? '')).length;
      apply(customers, custRows, 'customer_id', full, `${d}/customers`);
      const acctRows = rowsOf(join(dir, 'accounts.csv'));
      if (!full) {
        seen.newWealth += acctRows.filter((a) => a.kind === 'wealth' && !accounts.has(a.account_id ?? '')).length;
        seen.maturedWealth += acctRows.filter((a) => a.kind === 'wealth' && a.status === 'closed').length;
      }
      apply(accounts, acctRows, 'account_id', full, `${d}/accounts`);
      const cardRows = rowsOf(join(dir, 'cards.csv'));
      if (!full) seen.cancelledCards += cardRows.filter((c) => c.status === 'cancelled').length;
      apply(cards, cardRows, 'card_id', full, `${d}/cards`);
      apply(loans, rowsOf(join(dir, 'loans.csv')), 'loan_id', full, `${d}/loans`);

      // transactions of the day move balances exactly
      const moved = new Map<string, number>();
      const tx = readCsv(join(dir, 'transactions.csv'));
      expect(tx?.header).toEqual(['txn_id', 'account_id', 'customer_id', 'booked_at', 'amount', 'channel', 'counterparty']);
      for (const t of tx?.rows ?? []) {
        seen.txns++;
        const id = t.txn_id ?? '';
        if (txnIds.has(id)) problems.push(`duplicate txn ${id}`);
        txnIds.add(id);
        if (!/^T\d{17}$/.test(id)) problems.push(`txn id ${id}`);
        if (!(t.booked_at ?? '').startsWith(`${d}T`) || !/T\d{2}:\d{2}:\d{2}\+08:00$/.test(t.booked_at ?? '')) problems.push(`booked_at ${t.booked_at}`);
        if (!/^-?\d+\.\d{2}$/.test(t.amount ?? '')) problems.push(`amount ${t.amount}`);
        if (!CHANNELS.includes(t.channel ?? '')) problems.push(`channel ${t.channel}`);
        const acct = accounts.get(t.account_id ?? '');
        if (!acct || acct.customer_id !== t.customer_id) problems.push(`txn ${id} account ${t.account_id}`);
        moved.set(t.account_id ?? '', (moved.get(t.account_id ?? '') ?? 0) + cents(t.amount ?? '0'));
        if (/学费|留学/.test(t.counterparty ?? '')) seen.education++;
      }
      // replayed in booked_at order, no account ever dips below zero during the day
      const byAccount = new Map<string, Row[]>();
      for (const t of tx?.rows ?? []) {
        const list = byAccount.get(t.account_id ?? '') ?? [];
        list.push(t);
        byAccount.set(t.account_id ?? '', list);
      }
      if (!full) {
        for (const [k, list] of byAccount) {
          let running = before.get(k) ?? 0;
          for (const t of [...list].sort((x, y) => ((x.booked_at ?? '') < (y.booked_at ?? '') ? -1 : (x.booked_at ?? '') > (y.booked_at ?? '') ? 1 : 0))) {
            running += cents(t.amount ?? '0');
            if (running < 0) problems.push(`${d}: ${k} below zero at ${t.booked_at}`);
          }
        }
        for (const [k, a] of accounts) {
          const expected = (before.get(k) ?? 0) + (moved.get(k) ?? 0);
          if (cents(a.balance ?? '0') !== expected) problems.push(`${d}: ${k} balance ${a.balance}, expected ${expected / 100}`);
        }
      }
      for (const a of accounts.values()) if (cents(a.balance ?? '0') < 0) problems.push(`${d}: negative ${a.account_id}`);
    });

    // references and values in the final state
    for (const c of customers.values()) {
      if (!outlets.has(c.branch_id)) problems.push(`customer ${c.customer_id} branch ${c.branch_id}`);
      if (!/^C\d{9}$/.test(c.customer_id ?? '')) problems.push(`customer id ${c.customer_id}`);
      if (!/^[\u4e00-\u9fff]{2,4}$/.test(c.name ?? '')) problems.push(`name ${c.name}`);
      if (!['M', 'F', ''].includes(c.gender ?? '')) problems.push(`gender ${c.gender}`);
      if (!['', 'C1', 'C2', 'C3', 'C4', 'C5'].includes(c.risk_level ?? '')) problems.push(`risk ${c.risk_level}`);
      if (!['true', 'false'].includes(c.do_not_disturb ?? '') || !['true', 'false'].includes(c.marketing_consent ?? '')) problems.push('flags');
      const id = c.id_number ?? '';
      if (!isValidIdNumber(id)) problems.push(`id number ${c.customer_id}`);
      if (c.birth_date && id.slice(6, 14) !== c.birth_date.replaceAll('-', '')) problems.push(`id birth ${c.customer_id}`);
      if (c.gender && Number(id.charAt(16)) % 2 !== (c.gender === 'M' ? 1 : 0)) problems.push(`id gender ${c.customer_id}`);
      if (c.phone && !/^1[3-9]\d{9}$/.test(c.phone)) problems.push(`phone ${c.phone}`);
      if (c.annual_income && !/^\d+\.\d{2}$/.test(c.annual_income)) problems.push(`income ${c.annual_income}`);
    }
    const all = [...customers.values()];
    expect(all.length).toBeGreaterThan(1450);
    expect(all.filter((c) => !c.phone).length / all.length).toBeLessThan(0.02);
    expect(all.filter((c) => !c.address).length / all.length).toBeLessThan(0.02);
    expect(all.filter((c) => !c.birth_date).length / all.length).toBeLessThan(0.02);
    const ages = all.filter((c) => c.birth_date).map((c) => 2026 - Number((c.birth_date ?? '').slice(0, 4)));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...ages)).toBeLessThanOrEqual(86);
    const months = new Set(all.map((c) => (c.birth_date ?? '').slice(5, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
    const dnd = all.filter((c) => c.do_not_disturb === 'true').length / all.length;
    expect(dnd).toBeGreaterThan(0.01);
    expect(dnd).toBeLessThan(0.06);

    const loanAccounts = new Map<string, number>();
    for (const a of accounts.values()) {
      if (!customers.has(a.customer_id ?? '')) problems.push(`account ${a.account_id} customer ${a.customer_id}`);
      if (!KINDS.includes(a.kind ?? '') || !products.has(a.product_code)) problems.push(`account ${a.account_id} kind/product`);
      if (!['active', 'closed'].includes(a.status ?? '')) problems.push(`status ${a.status}`);
      if (a.kind === 'loan') loanAccounts.set(a.customer_id ?? '', (loanAccounts.get(a.customer_id ?? '') ?? 0) + 1);
      if (a.matures_on && (a.matures_on ?? '') <= (a.opened_on ?? '')) problems.push(`account ${a.account_id} matures before opening`);
    }
    for (const c of cards.values()) {
      if (!customers.has(c.customer_id ?? '')) problems.push(`card ${c.card_id} customer`);
      if (!['ordinary', 'gold', 'platinum', 'diamond'].includes(c.grade ?? '')) problems.push(`grade ${c.grade}`);
    }
    const loansPer = new Map<string, number>();
    for (const l of loans.values()) {
      if (!customers.has(l.customer_id ?? '')) problems.push(`loan ${l.loan_id} customer`);
      loansPer.set(l.customer_id ?? '', (loansPer.get(l.customer_id ?? '') ?? 0) + 1);
      if (Number(l.overdue_days) > 0) seen.overdue++;
    }
    for (const [c, n] of loansPer) if ((loanAccounts.get(c) ?? 0) < n) problems.push(`customer ${c} loan without loan account`);
    expect(problems.slice(0, 10)).toEqual([]);

    // the window has the events later features need
    expect(new Set([...cards.values()].map((c) => c.grade))).toEqual(new Set(['ordinary', 'gold', 'platinum', 'diamond']));
    expect(seen.maturedWealth).toBeGreaterThan(0);
    expect(seen.newWealth).toBeGreaterThan(0);
    expect(seen.overdue).toBeGreaterThan(0);
    expect(seen.education).toBeGreaterThan(0);
    expect(seen.profileChanges).toBeGreaterThan(0);
    expect(loansPer.size / customers.size).toBeGreaterThan(0.05);
    expect(loansPer.size / customers.size).toBeLessThan(0.15);
    const perCustomerDay = seen.txns / (customers.size * days.length);
    expect(perCustomerDay).toBeGreaterThan(0.85);
    expect(perCustomerDay).toBeLessThan(1.15);
  });
});

describe('demo bank: a single first load', () => {
  it('writes one full folder with end-date snapshots and the whole history of transactions', async () => {
    const out = join(root, 'single');
    const summary = await generateDemoBank({ customers: 600, days: 8, seed: 9, out, layout: 'single', endDate: '2026-06-30', txnsPerCustomerDay: 2 });
    expect(folders(out)).toEqual(['2026-06-30']);
    const dir = join(out, '2026-06-30');
    expect(readJson(join(dir, 'feed.json'))).toEqual({ business_date: '2026-06-30', mode: 'full' });
    const accounts = new Map(rowsOf(join(dir, 'accounts.csv')).map((a) => [a.account_id ?? '', a]));
    const customers = new Set(rowsOf(join(dir, 'customers.csv')).map((c) => c.customer_id));
    const tx = rowsOf(join(dir, 'transactions.csv'));
    expect(summary.rows['transactions.csv']).toBe(tx.length);
    const dates = new Set(tx.map((t) => (t.booked_at ?? '').slice(0, 10)));
    expect([...dates].sort()).toEqual(['2026-06-23', '2026-06-24', '2026-06-25', '2026-06-26', '2026-06-27', '2026-06-28', '2026-06-29', '2026-06-30']);
    expect(tx.length / (600 * 8)).toBeGreaterThan(1.7);
    expect(tx.length / (600 * 8)).toBeLessThan(2.3);
    const bad = tx.filter((t) => accounts.get(t.account_id ?? '')?.customer_id !== t.customer_id || !customers.has(t.customer_id));
    expect(bad).toEqual([]);
    expect([...accounts.values()].filter((a) => cents(a.balance ?? '0') < 0)).toEqual([]);
    expect(new Set(tx.map((t) => t.txn_id)).size).toBe(tx.length);
  });
});

describe('demo bank: history then a next day', () => {
  it('writes one full folder for the day before the last with its history, then a delta for the last day, the same transactions as the daily layout', async () => {
    const opts = { customers: 400, days: 5, seed: 4, endDate: '2026-06-30', txnsPerCustomerDay: 1 };
    const out = join(root, 'history');
    await generateDemoBank({ ...opts, out, layout: 'history' });
    expect(folders(out)).toEqual(['2026-06-29', '2026-06-30']);
    expect(readJson(join(out, '2026-06-29', 'feed.json'))).toEqual({ business_date: '2026-06-29', mode: 'full' });
    expect(readJson(join(out, '2026-06-30', 'feed.json'))).toEqual({ business_date: '2026-06-30', mode: 'delta' });
    const first = rowsOf(join(out, '2026-06-29', 'transactions.csv'));
    const next = rowsOf(join(out, '2026-06-30', 'transactions.csv'));
    expect(new Set(first.map((t) => (t.booked_at ?? '').slice(0, 10)))).toEqual(new Set(['2026-06-26', '2026-06-27', '2026-06-28', '2026-06-29']));
    expect(new Set(next.map((t) => (t.booked_at ?? '').slice(0, 10)))).toEqual(new Set(['2026-06-30']));
    const daily = join(root, 'history-daily');
    await generateDemoBank({ ...opts, out: daily, layout: 'daily' });
    const dailyIds = folders(daily).flatMap((d) => rowsOf(join(daily, d, 'transactions.csv')).map((t) => t.txn_id));
    expect([...first, ...next].map((t) => t.txn_id).sort()).toEqual(dailyIds.sort());
    expect(rowsOf(join(out, '2026-06-30', 'customers.csv')).length).toBeLessThan(rowsOf(join(out, '2026-06-29', 'customers.csv')).length);
  });
});
