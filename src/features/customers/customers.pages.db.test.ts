import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, buildScopedBank, loadScopedBank, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { buildAccount, buildCard, buildCustomer, feedDir, validIdNumber, writeFeed, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { refreshCustomerOverview } from './customers.overview.js';

// Paging the whole list, page after page, as the department does: every page follows the one
// before in the list's order, nothing skipped or shown twice, from the first page to the deep ones
// (from row 200 on a page is found by its ids first), and every row shows the customer's tiers as
// the batch last gave them. The bank: the scoped test bank and 300 more customers, many with the
// same AUM (the order then goes by customer number), two thirds of them VIP cardholders.

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳'];

interface Extra {
  id: string;
  name: string;
  branch: string;
  opened: string;
  aum: number;
  vip: boolean;
}
const EXTRA: Extra[] = Array.from({ length: 300 }, (_, i) => ({
  id: `C${1000 + i}`,
  name: `${SURNAMES[(i * 7) % SURNAMES.length]}${GIVEN[(i * 5) % GIVEN.length]}${GIVEN[(i * 11) % GIVEN.length]}`,
  branch: i % 2 ? 'B111' : 'B112',
  opened: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
  // 120 distinct amounts over 300 customers: two or three customers share each
  aum: ((i * 37) % 120) * 25_000 + 100,
  vip: i % 3 !== 2,
}));

function bank() {
  const files = buildScopedBank();
  files.customers = [
    ...(files.customers ?? []),
    ...EXTRA.map((c, i) =>
      buildCustomer({ customer_id: c.id, name: c.name, branch_id: c.branch, opened_on: c.opened, id_number: validIdNumber('19800101', String(100 + (i % 900)).padStart(3, '0')), phone: `139${String(10_000_000 + i).slice(0, 8)}` }),
    ),
  ];
  files.accounts = [...(files.accounts ?? []), ...EXTRA.map((c) => buildAccount({ account_id: `A${c.id}`, customer_id: c.id, balance: c.aum.toFixed(2) }))];
  files.cards = [...(files.cards ?? []), ...EXTRA.filter((c) => c.vip).map((c) => buildCard({ card_id: `K${c.id}`, customer_id: c.id, grade: 'gold' }))];
  return files;
}

// The scoped bank's own four: AUM and opening date as its fixture gives them (C1 holds a gold card, C4 a diamond one).
const BASE: Extra[] = [
  { id: 'C1', name: '张三明', branch: 'B111', opened: '2015-06-01', aum: 202_300, vip: true },
  { id: 'C2', name: '李四', branch: 'B111', opened: '2024-02-01', aum: 999.99, vip: false },
  { id: 'C3', name: '张小红', branch: 'B112', opened: '2015-06-01', aum: 50_000, vip: false },
  { id: 'C4', name: '赵六', branch: 'B211', opened: '2015-06-01', aum: 3_000_000, vip: true },
];
const ALL = [...BASE, ...EXTRA];
const byId = (a: Extra, b: Extra) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const EXPECTED: Record<string, (a: Extra, b: Extra) => number> = {
  aum_desc: (a, b) => b.aum - a.aum || byId(a, b),
  aum_asc: (a, b) => a.aum - b.aum || byId(a, b),
  // byte order of the names (UTF-16 order is code point order for these characters)
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byId(a, b)),
  opened_desc: (a, b) => (a.opened < b.opened ? 1 : a.opened > b.opened ? -1 : byId(a, b)),
  customer_id: byId,
};

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let dept: TestSession;

interface Item {
  customerId: string;
  name: string;
  phone: string;
  branch: { id: string; name: string };
  aumBand: string | null;
  relationshipTier: string | null;
  vipCard: string | null;
}
async function pages(query: string, size = 50): Promise<Item[]> {
  const all: Item[] = [];
  for (let page = 1; ; page++) {
    const r = await dept.get(`/api/customers?pageSize=${size}&page=${page}${query}`);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().data.items as Item[];
    all.push(...items);
    if (items.length < size) return all;
  }
}

const tiersOf = async (model: string) =>
  new Map((await db.kysely.selectFrom('customer_tiers').select(['customer_id', 'tier']).where('model', '=', model).execute()).map((t) => [t.customer_id, t.tier]));

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, bank());
  await runTiering(db, '2026-11-20');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  dept = await signInAs(app, PB_DEPT);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('paging the customer list to its end', () => {
  it.each(Object.keys(EXPECTED))('sorted by %s, every page follows the last, the deep ones too', async (sort) => {
    const listed = await pages(`&sort=${sort}`);
    expect(listed.map((c) => c.customerId)).toEqual([...ALL].sort(EXPECTED[sort]).map((c) => c.id));
  });

  it('the VIP cardholders, richest first, over pages of 20 (rows 200 on found by id)', async () => {
    const listed = await pages('&vipCard=true&sort=aum_desc', 20);
    const expected = ALL.filter((c) => c.vip).sort(EXPECTED.aum_desc).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(200);
    expect(listed.map((c) => c.customerId)).toEqual(expected);
    expect(listed.every((c) => c.vipCard)).toBe(true);
  });

  it('over several branches (a branch head, a sub-branch chosen), richest first, as over one', async () => {
    const inB100 = ALL.filter((c) => c.branch !== 'B211').sort(EXPECTED.aum_desc).map((c) => c.id);
    const head = await signInAs(app, BRANCH_HEAD_B100);
    const headPages: string[] = [];
    for (let page = 1; page <= 7; page++) headPages.push(...((await head.get(`/api/customers?pageSize=50&page=${page}&sort=aum_desc`)).json().data.items as Item[]).map((c) => c.customerId));
    expect(headPages).toEqual(inB100);
    expect((await pages('&branchId=B110&sort=aum_desc', 40)).map((c) => c.customerId)).toEqual(inB100);
    expect((await pages('&branchId=B111&sort=aum_desc', 40)).map((c) => c.customerId)).toEqual(ALL.filter((c) => c.branch === 'B111').sort(EXPECTED.aum_desc).map((c) => c.id));
  });

  it('the total of an AUM range is every customer in it, bounds on the usual steps (C4 at exactly 300万) or not, with branches and the VIP card', async () => {
    const cases: [string, (c: Extra) => boolean][] = [
      ['aumMin=500000&aumMax=3000000', (c) => c.aum >= 500_000 && c.aum < 3_000_000],
      ['aumMin=3000000', (c) => c.aum >= 3_000_000],
      ['aumMax=3000000', (c) => c.aum < 3_000_000],
      ['aumMin=0&aumMax=10000', (c) => c.aum < 10_000],
      ['aumMin=1000000&vipCard=true', (c) => c.aum >= 1_000_000 && c.vip],
      ['aumMin=200000&aumMax=2000000&vipCard=false&branchId=B111', (c) => c.aum >= 200_000 && c.aum < 2_000_000 && !c.vip && c.branch === 'B111'],
      // bounds between the steps: counted customer by customer
      ['aumMin=475100&aumMax=2500000', (c) => c.aum >= 475_100 && c.aum < 2_500_000],
      ['aumMin=2999999.99&aumMax=3000000.01', (c) => c.aum >= 2_999_999.99 && c.aum < 3_000_000.01],
    ];
    for (const [query, keep] of cases) {
      const d = (await dept.get(`/api/customers?pageSize=10&${query}`)).json().data;
      expect([query, d.total], query).toEqual([query, ALL.filter(keep).length]);
    }
  });

  it('a deep page shows each customer as the first page does: name, masked phone, branch, tiers from the batch', async () => {
    const [band, rel] = [await tiersOf('aum_band'), await tiersOf('relationship_tier')];
    const deep = (await dept.get('/api/customers?pageSize=50&page=6&sort=aum_desc')).json().data.items as Item[];
    expect(deep).toHaveLength(50);
    const first = (await dept.get('/api/customers?pageSize=100&page=1&sort=aum_asc')).json().data.items as Item[];
    for (const c of [...deep, ...first]) {
      const row = ALL.find((x) => x.id === c.customerId) as Extra;
      expect(c.name).toBe(row.name);
      expect(c.phone).toMatch(/^1\d\d\*{4}\d{4}$/);
      expect(c.branch).toEqual({ id: row.branch, name: { B111: '电力路网点', B112: '解放路网点', B211: '湖墅网点' }[row.branch] });
      expect([c.aumBand, c.relationshipTier]).toEqual([band.get(c.customerId), rel.get(c.customerId)]);
      expect(c.aumBand).not.toBeNull();
    }
  });

  it('filters by band and relationship tier as the batch gave them', async () => {
    const band = await tiersOf('aum_band');
    const band4 = await pages('&aumBand=band_4&sort=customer_id');
    expect(band4.map((c) => c.customerId)).toEqual([...band].filter(([, t]) => t === 'band_4').map(([id]) => id).sort());
    expect(band4.length).toBeGreaterThan(0);
  });
});

describe('the tiers a row shows follow the batch', () => {
  it('a customer moving up a band on the next date shows the new band once that date is batched, and drift is put right by the next run; a renamed branch shows its new name once loaded', async () => {
    const richer: Row = buildAccount({ account_id: 'AC1001', customer_id: 'C1001', balance: '3500000.00' });
    // the same day, outlet B112 is renamed (the branches file is whole every day)
    const branchesFile = (buildScopedBank().branches ?? []).map((b) => (b.branch_id === 'B112' ? { ...b, name: '解放路旗舰网点' } : b));
    const next = await loadFeed(db, writeFeed(path.join(feedDir(), '2026-11-23'), { business_date: '2026-11-23', mode: 'delta' }, { accounts: [richer], branches: branchesFile }));
    expect(next.outcome, JSON.stringify(next.problems)).toBe('loaded');
    await refreshCustomerOverview(db);
    const shown = async () => ((await dept.get('/api/customers?q=C1001')).json().data.items as Item[]).find((c) => c.customerId === 'C1001');
    const ofB112 = ((await dept.get('/api/customers?branchId=B112&pageSize=5')).json().data.items as Item[]).map((c) => c.branch);
    expect(ofB112).toEqual(Array(5).fill({ id: 'B112', name: '解放路旗舰网点' }));
    // loaded, not batched yet: the tiers of the last batch
    expect((await shown())?.aumBand).toBe((await tiersOf('aum_band')).get('C1001'));
    expect((await shown())?.aumBand).not.toBe('band_5');
    await runTiering(db, '2026-11-23');
    expect(await shown()).toMatchObject({ aumBand: 'band_5', relationshipTier: 'vip' });
    // whatever the overview holds, a run of the date brings it back to the customer's tiers
    await db.kysely.updateTable('customer_overview').set({ aum_band: 'band_1', relationship_tier: null }).where('customer_id', '=', 'C1001').execute();
    await runTiering(db, '2026-11-23');
    expect(await shown()).toMatchObject({ aumBand: 'band_5', relationshipTier: 'vip' });
  });
});
