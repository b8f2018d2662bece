import ExcelJS from 'exceljs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db.js';
import { buildFullDay, buildProducts, buildStaff, feedDir, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { formatProblem, specFor, type EntityName } from './feed.contract.js';
import { loadFeed, type LoadResult } from './feed.load.js';
import { ROLE_PERMISSIONS } from '../access/access.permissions.js';
import { assignCustomers, recallCustomers } from '../ownership/ownership.service.js';

// The optional files and columns of the feed (docs/feed-format.md "Optional files and columns"):
// customers.csv risk_assessed_on, products.csv issuer, owners.csv and relations.csv.

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await db.close();
});

const D1 = '2026-11-20';
const D2 = '2026-11-21';
const D3 = '2026-11-22';

/** Staff S1 (branch head), S2, S3, S4 (customer managers) and S5 (left the bank). */
const staff = (): Row[] => [
  ...buildStaff(),
  { staff_id: 'S3', name: '赵敏', branch_id: 'B111', role: 'customer_manager', active: 'true' },
  { staff_id: 'S4', name: '孙丽', branch_id: 'B111', role: 'customer_manager', active: 'true' },
  { staff_id: 'S5', name: '周杰', branch_id: 'B111', role: 'customer_manager', active: 'false' },
];

const fullDay = (extra: FeedFiles = {}): FeedFiles => ({ ...buildFullDay(), staff: staff(), ...extra });

const load = (date: string, files: FeedFiles, mode: 'full' | 'delta' = 'full', raw: Record<string, string> = {}) =>
  loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode }, files, raw));

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.session((s) => s.query<T>(sql, params))).rows;
}

const messages = (r: LoadResult) => r.problems.map(formatProblem);

async function expectRefused(r: LoadResult, ...expected: string[]): Promise<void> {
  expect(messages(r)).toEqual(expected);
  expect(r.outcome).toBe('refused');
  expect(await rows('SELECT 1 FROM business_dates')).toEqual([]);
  expect(await rows('SELECT 1 FROM customer_owners')).toEqual([]);
  expect(await rows('SELECT 1 FROM customer_relations')).toEqual([]);
}

const owners = () => rows<{ customer_id: string; staff_id: string; kind: string; source: string; reason: string | null }>(
  'SELECT customer_id, staff_id, kind, source, reason FROM customer_owners ORDER BY customer_id, kind DESC, staff_id',
);
const ownerList = async () => (await owners()).map((o) => `${o.customer_id}:${o.staff_id}:${o.kind}:${o.source}`);
const auditOf = () => rows<{ actor: string; action: string; customer_ids: string[]; reason: string; detail: Record<string, unknown> }>(
  `SELECT actor, action, customer_ids, reason, detail FROM audit_log WHERE action IN ('assign', 'reassign', 'recall') ORDER BY entry_id`,
);

/** The branch head S1 as signed in, acting in Stratum. */
const branchHead = {
  user: {
    login: 'S1', name: '王芳', role: 'branch_head' as const, staffId: 'S1', branchId: 'B111', branchName: null,
    permissions: ROLE_PERMISSIONS.branch_head, scope: ['B111'], ownerId: 'S1', masked: false, csrfToken: '', tokenHash: '',
  },
  ip: '127.0.0.1',
};

describe('customers.csv risk_assessed_on', () => {
  it('is stored when given, and null for an empty cell or a file without the column', async () => {
    const day = buildFullDay();
    day.customers = (day.customers ?? []).map((c, i) => ({ ...c, risk_assessed_on: i === 0 ? '2026-03-01' : '' }));
    expect((await load(D1, day)).outcome).toBe('loaded');
    expect(await rows('SELECT customer_id, risk_assessed_on FROM customers ORDER BY customer_id')).toEqual([
      { customer_id: 'C1', risk_assessed_on: '2026-03-01' },
      { customer_id: 'C2', risk_assessed_on: null },
    ]);
    // the bank stops sending the column: risk_level is taken as valid again
    expect((await load(D2, buildFullDay())).outcome).toBe('loaded');
    expect(await rows('SELECT customer_id, risk_assessed_on FROM customers ORDER BY customer_id')).toEqual([
      { customer_id: 'C1', risk_assessed_on: null },
      { customer_id: 'C2', risk_assessed_on: null },
    ]);
  });

  it.each([
    ['2026-02-30', "customers.csv line 2, column risk_assessed_on: '2026-02-30' is not a real calendar day"],
    ['20260301', "customers.csv line 2, column risk_assessed_on: '20260301' is not a date in the form YYYY-MM-DD"],
    ['2026-11-21', 'customers.csv line 2, column risk_assessed_on: 2026-11-21 is after the business date 2026-11-20'],
  ])('refuses %s', async (value, message) => {
    const day = buildFullDay();
    day.customers = (day.customers ?? []).map((c, i) => ({ ...c, risk_assessed_on: i === 0 ? value : '2026-01-05' }));
    await expectRefused(await load(D1, day), message);
  });
});

describe('products.csv issuer', () => {
  it('is stored when given, null without the column', async () => {
    const products = buildProducts().map((p, i) => ({ ...p, issuer: i === 2 ? '某某基金管理有限公司' : '' }));
    expect((await load(D1, { ...buildFullDay(), products })).outcome).toBe('loaded');
    expect(await rows('SELECT product_code, issuer FROM products ORDER BY product_code')).toEqual([
      { product_code: 'CUR', issuer: null },
      { product_code: 'TD12', issuer: null },
      { product_code: 'WM1', issuer: '某某基金管理有限公司' },
    ]);
    expect((await load(D2, buildFullDay())).outcome).toBe('loaded');
    expect(await rows(`SELECT issuer FROM products WHERE product_code = 'WM1'`)).toEqual([{ issuer: null }]);
  });
});

describe('owners.csv', () => {
  it('assigns the owners it names, with source and reason "feed", audited', async () => {
    const r = await load(D1, fullDay({ owners: [
      { customer_id: 'C1', staff_id: 'S2', kind: 'primary' },
      { customer_id: 'C1', staff_id: 'S3', kind: 'co' },
      { customer_id: 'C2', staff_id: 'S3', kind: 'primary' },
    ] }));
    expect(r.outcome).toBe('loaded');
    expect(r.files.find((f) => f.entity === 'owners')).toMatchObject({ file: 'owners.csv', rows: 3, written: 2, gone: 0 });
    expect(await owners()).toEqual([
      { customer_id: 'C1', staff_id: 'S2', kind: 'primary', source: 'feed', reason: 'feed' },
      { customer_id: 'C1', staff_id: 'S3', kind: 'co', source: 'feed', reason: 'feed' },
      { customer_id: 'C2', staff_id: 'S3', kind: 'primary', source: 'feed', reason: 'feed' },
    ]);
    expect(await auditOf()).toEqual([
      {
        actor: 'system', action: 'assign', customer_ids: ['C1', 'C2'], reason: 'feed',
        detail: { file: 'owners.csv', businessDate: D1, owners: { C1: 'S2', C2: 'S3' }, coOwners: { C1: ['S3'] } },
      },
    ]);
  });

  it('loaded again, or again the next day, changes nothing and audits nothing', async () => {
    const files = fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] });
    const folder = writeFeed(path.join(feedDir(), D1), { business_date: D1, mode: 'full' }, files);
    expect((await loadFeed(db, folder)).outcome).toBe('loaded');
    expect((await loadFeed(db, folder)).outcome).toBe('unchanged');
    const r = await load(D2, files);
    expect(r.outcome).toBe('loaded');
    expect(r.files.find((f) => f.entity === 'owners')).toMatchObject({ written: 0, gone: 0 });
    expect(await ownerList()).toEqual(['C1:S2:primary:feed']);
    expect((await auditOf()).length).toBe(1);
  });

  it("keeps an assignment made in Stratum until a later owners.csv names the customer differently", async () => {
    expect((await load(D1, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] }))).outcome).toBe('loaded');
    await assignCustomers(db, branchHead, { customerIds: ['C1'], staffId: 'S3', reason: '客户要求更换客户经理' });
    expect(await ownerList()).toEqual(['C1:S3:primary:manual']);

    // the old system still says S2: Stratum's decision stands
    const d2 = await load(D2, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] }));
    expect(d2.outcome).toBe('loaded');
    expect(await ownerList()).toEqual(['C1:S3:primary:manual']);

    // the old system now names S4: the bank's new decision is applied
    const d3 = await load(D3, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S4', kind: 'primary' }] }));
    expect(d3.files.find((f) => f.entity === 'owners')).toMatchObject({ written: 1, gone: 0 });
    expect(await ownerList()).toEqual(['C1:S4:primary:feed']);
    const audit = await auditOf();
    expect(audit.map((a) => `${a.actor}:${a.action}:${a.customer_ids.join(',')}:${a.reason}`)).toEqual([
      'system:assign:C1:feed',
      'S1:reassign:C1:客户要求更换客户经理',
      'system:reassign:C1:feed',
    ]);
    expect(audit[2]?.detail).toEqual({ file: 'owners.csv', businessDate: D3, owners: { C1: 'S4' }, previous: { C1: 'S3' } });
  });

  it('ends the feed-made owners of a customer the file no longer names; owners given in Stratum stay', async () => {
    expect((await load(D1, fullDay({ owners: [
      { customer_id: 'C1', staff_id: 'S2', kind: 'primary' },
      { customer_id: 'C2', staff_id: 'S2', kind: 'primary' },
    ] }))).outcome).toBe('loaded');
    await assignCustomers(db, branchHead, { customerIds: ['C2'], staffId: 'S3', reason: '网点调整' });
    const r = await load(D2, fullDay({ owners: [] }));
    expect(r.outcome).toBe('loaded');
    expect(r.files.find((f) => f.entity === 'owners')).toMatchObject({ rows: 0, written: 0, gone: 1 });
    expect(await ownerList()).toEqual(['C2:S3:primary:manual']);
    expect((await auditOf()).at(-1)).toEqual({
      actor: 'system', action: 'recall', customer_ids: ['C1'], reason: 'feed',
      detail: { file: 'owners.csv', businessDate: D2, owners: { C1: null }, previous: { C1: 'S2' } },
    });
    // a day without owners.csv says nothing about owners
    expect((await load(D3, fullDay())).outcome).toBe('loaded');
    expect(await ownerList()).toEqual(['C2:S3:primary:manual']);
  });

  it('names a recalled customer again: the file is applied only when it names the customer differently', async () => {
    expect((await load(D1, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] }))).outcome).toBe('loaded');
    await recallCustomers(db, branchHead, { customerIds: ['C1'], reason: '月度检视' });
    // the same as before: the recall stands
    await load(D2, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] }));
    expect(await ownerList()).toEqual([]);
    // S2 stays primary, S3 comes as co-owner: differently, so the file's owners are made
    await load(D3, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }, { customer_id: 'C1', staff_id: 'S3', kind: 'co' }] }));
    expect(await ownerList()).toEqual(['C1:S2:primary:feed', 'C1:S3:co:feed']);
  });

  it('supersedes an open proposal of a customer it assigns', async () => {
    expect((await load(D1, fullDay())).outcome).toBe('loaded');
    await db.session((s) => s.exec(`INSERT INTO ownership_proposals (customer_id, business_date, branch_id, band, cause, priority, staff_id)
      VALUES ('C1', '${D1}', 'B111', 'band_3', 'unassigned', 1, 'S3')`));
    await load(D2, fullDay({ owners: [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }] }));
    expect(await rows(`SELECT status, decided_by FROM ownership_proposals`)).toEqual([{ status: 'superseded', decided_by: 'system' }]);
  });

  it('refuses, at the line and column, every owner it cannot make; nothing of the date is loaded', async () => {
    const r = await load(D1, fullDay({ owners: [
      { customer_id: 'C1', staff_id: 'S2', kind: 'primary' },
      { customer_id: 'C9', staff_id: 'S2', kind: 'primary' },
      { customer_id: 'C2', staff_id: 'S8', kind: 'primary' },
      { customer_id: 'C2', staff_id: 'S5', kind: 'co' },
      { customer_id: 'C2', staff_id: 'S3', kind: 'owner' },
      { customer_id: 'C1', staff_id: 'S3', kind: 'primary' },
      { customer_id: 'C1', staff_id: 'S2', kind: 'co' },
    ] }));
    await expectRefused(
      r,
      "owners.csv line 6, column kind: 'owner' is not one of primary, co",
      "owners.csv line 3, column customer_id: customer 'C9' is not in today's customers file",
      "owners.csv line 4, column staff_id: staff member 'S8' is not in the staff file nor loaded before",
      "owners.csv line 5, column staff_id: staff member 'S5' is not active (in the staff file); only active staff can own customers",
      "owners.csv line 8, column staff_id: staff member 'S2' is named again for customer 'C1' (first on line 2); name each owner of a customer once",
      "owners.csv line 7, column kind: customer 'C1' has a second primary owner (the first is on line 2); a customer has one primary owner and any number of co-owners",
    );
  });

  it('in a day without staff.csv, checks the staff against those loaded', async () => {
    expect((await load(D1, fullDay())).outcome).toBe('loaded');
    const delta = { owners: [{ customer_id: 'C1', staff_id: 'S5', kind: 'primary' }, { customer_id: 'C2', staff_id: 'S9', kind: 'primary' }] };
    const r = await load(D2, delta, 'delta');
    expect(messages(r)).toEqual([
      "owners.csv line 3, column staff_id: staff member 'S9' is not in the staff file nor loaded before",
      "owners.csv line 2, column staff_id: staff member 'S5' is not active (in the staff loaded before); only active staff can own customers",
    ]);
    expect(await owners()).toEqual([]);
    // a delta day may name customers loaded before
    expect((await load(D2, { owners: [{ customer_id: 'C2', staff_id: 'S4', kind: 'primary' }] }, 'delta')).outcome).toBe('loaded');
    expect(await ownerList()).toEqual(['C2:S4:primary:feed']);
  });

  it('refuses a file without its required columns', async () => {
    const r = await load(D1, fullDay(), 'full', { 'owners.csv': 'customer_id,staff\nC1,S2\n' });
    expect(messages(r)).toEqual([
      "owners.csv line 1, column staff_id: required column 'staff_id' is missing from the header",
      "owners.csv line 1, column kind: required column 'kind' is missing from the header",
    ]);
  });
});

describe('relations.csv', () => {
  const relations = async () =>
    (await rows<{ customer_id: string; related_customer_id: string; relation: string }>(
      'SELECT customer_id, related_customer_id, relation FROM customer_relations ORDER BY customer_id, related_customer_id',
    )).map((r) => `${r.customer_id}→${r.related_customer_id}:${r.relation}`);
  const threeCustomers = (): FeedFiles => {
    const day = buildFullDay();
    day.customers?.push({ ...(day.customers[0] ?? {}), customer_id: 'C3', name: '张小明', id_number: '', phone: '' });
    return day;
  };

  it('stores each relation both ways: a parent row makes the child one', async () => {
    const r = await load(D1, { ...threeCustomers(), relations: [
      { customer_id: 'C3', related_customer_id: 'C1', relation: 'parent' },
      { customer_id: 'C1', related_customer_id: 'C2', relation: 'spouse' },
      // the same relation given the other way round too
      { customer_id: 'C2', related_customer_id: 'C1', relation: 'spouse' },
    ] });
    expect(r.outcome).toBe('loaded');
    expect(await relations()).toEqual(['C1→C2:spouse', 'C1→C3:child', 'C2→C1:spouse', 'C3→C1:parent']);
    expect(r.files.find((f) => f.entity === 'relations')).toMatchObject({ rows: 3, written: 4, gone: 0 });
  });

  it('is complete whenever present: a relation it no longer lists ends, a changed one changes, loading again changes nothing', async () => {
    await load(D1, { ...threeCustomers(), relations: [
      { customer_id: 'C3', related_customer_id: 'C1', relation: 'parent' },
      { customer_id: 'C1', related_customer_id: 'C2', relation: 'spouse' },
    ] });
    const d2 = { ...threeCustomers(), relations: [{ customer_id: 'C1', related_customer_id: 'C3', relation: 'other' }] };
    const r = await load(D2, d2);
    expect(r.files.find((f) => f.entity === 'relations')).toMatchObject({ written: 2, gone: 2 });
    expect(await relations()).toEqual(['C1→C3:other', 'C3→C1:other']);
    const again = await load(D3, d2);
    expect(again.files.find((f) => f.entity === 'relations')).toMatchObject({ written: 0, gone: 0 });
    // a day without relations.csv leaves them
    await load('2026-11-23', threeCustomers());
    expect(await relations()).toEqual(['C1→C3:other', 'C3→C1:other']);
  });

  it('refuses, at the line and column, a relation it cannot store', async () => {
    const r = await load(D1, { ...threeCustomers(), relations: [
      { customer_id: 'C1', related_customer_id: 'C2', relation: 'parent' },
      { customer_id: 'C1', related_customer_id: 'C1', relation: 'sibling' },
      { customer_id: 'C9', related_customer_id: 'C2', relation: 'sibling' },
      { customer_id: 'C2', related_customer_id: 'C8', relation: 'sibling' },
      { customer_id: 'C3', related_customer_id: 'C2', relation: 'cousin' },
      { customer_id: 'C2', related_customer_id: 'C1', relation: 'spouse' },
      { customer_id: 'C1', related_customer_id: 'C2', relation: 'parent' },
    ] });
    await expectRefused(
      r,
      "relations.csv line 6, column relation: 'cousin' is not one of spouse, parent, child, sibling, other",
      "relations.csv line 4, column customer_id: customer 'C9' is not in today's customers file",
      "relations.csv line 5, column related_customer_id: customer 'C8' is not in today's customers file",
      "relations.csv line 3, column related_customer_id: customer 'C1' is named as related to themselves",
      "relations.csv line 8, column related_customer_id: the relation of customer 'C1' to 'C2' appears again (first on line 2)",
      "relations.csv line 7, column relation: says 'C1' is the spouse of 'C2', but line 2 gives the same two customers the other way round, which makes 'C1' the child",
    );
  });
});

describe('an Excel feed', () => {
  async function writeSheet(dir: string, entity: EntityName, rows: Row[]): Promise<void> {
    const columns = specFor(entity).columns.map((c) => c.name);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(entity);
    ws.addRow(columns);
    for (const row of rows) ws.addRow(columns.map((c) => row[c] ?? null));
    await wb.xlsx.writeFile(path.join(dir, `${entity}.xlsx`));
  }

  it('accepts owners.xlsx and relations.xlsx, and the optional columns as sheet columns', async () => {
    const files = fullDay();
    const customers = (files.customers ?? []).map((c) => ({ ...c, risk_assessed_on: '2026-06-30' }));
    delete files.customers;
    const dir = writeFeed(path.join(feedDir(), D1), { business_date: D1, mode: 'full' }, files);
    await writeSheet(dir, 'customers', customers);
    await writeSheet(dir, 'owners', [{ customer_id: 'C1', staff_id: 'S2', kind: 'primary' }]);
    await writeSheet(dir, 'relations', [{ customer_id: 'C1', related_customer_id: 'C2', relation: 'spouse' }, { customer_id: 'C2', related_customer_id: 'C2', relation: 'spouse' }]);
    const refused = await loadFeed(db, dir);
    expect(messages(refused)).toEqual(["relations.xlsx line 3, column related_customer_id: customer 'C2' is named as related to themselves"]);
    await writeSheet(dir, 'relations', [{ customer_id: 'C1', related_customer_id: 'C2', relation: 'spouse' }]);
    expect((await loadFeed(db, dir)).outcome).toBe('loaded');
    expect(await ownerList()).toEqual(['C1:S2:primary:feed']);
    expect(await rows('SELECT count(*)::int AS n FROM customer_relations')).toEqual([{ n: 2 }]);
    expect(await rows('SELECT DISTINCT risk_assessed_on FROM customers')).toEqual([{ risk_assessed_on: '2026-06-30' }]);
  });
});
