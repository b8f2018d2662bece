import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, buildScopedBank, loadScopedBank, MANAGER_B112, OUTLET_STAFF, client } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { formatProblem } from '../feed/feed.contract.js';
import { loadFeed } from '../feed/feed.load.js';
import { proposeOwners } from '../ownership/ownership.batch.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { computeHouseholds } from './households.batch.js';
import { exportHouseholds, HOUSEHOLDS_CSV_COLUMNS } from './households.report.js';

// Households (issue 23 §1): the connected groups of customers joined by the feed's relations or
// links staff add; the id stays while the members do; AUM summed and banded by aum_band; one
// primary owner per household in the proposals; links only within one's scope.

const DAY1 = '2026-11-20';
const DAY2 = '2026-11-21';
const DAY3 = '2026-11-22';
const SECOND_MANAGER = 'S18';

const customer = (id: string, seq: string, over: Row = {}) =>
  buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19800101', seq), phone: `13900003${seq}`, ...over });

// C1 202,300 · C2 999.99 · C3 50,000 (B112) · C4 3,000,000 (B211), as the scoped bank; and at B111
// C5 299,999.99 + C6 200,000.01 = 500,000.00 (band_4, its lower bound), C7 200,000.00 + C8 299,999.99 = 499,999.99 (band_3)
function bank(relations: Row[]): FeedFiles {
  const b = buildScopedBank();
  b.staff?.push({ staff_id: SECOND_MANAGER, name: '钱经理', branch_id: 'B111', role: 'customer_manager', active: 'true' });
  b.customers?.push(customer('C5', '205'), customer('C6', '206'), customer('C7', '207'), customer('C8', '208'));
  b.accounts?.push(
    buildAccount({ account_id: 'A50', customer_id: 'C5', balance: '299999.99' }),
    buildAccount({ account_id: 'A60', customer_id: 'C6', balance: '200000.01' }),
    buildAccount({ account_id: 'A70', customer_id: 'C7', balance: '200000.00' }),
    buildAccount({ account_id: 'A80', customer_id: 'C8', balance: '299999.99' }),
  );
  return { ...b, relations };
}
// C1–C2 spouses, C3 C2's child (C3 reaches C1 only through C2), C7 and C8 siblings
const RELATIONS: Row[] = [
  { customer_id: 'C1', related_customer_id: 'C2', relation: 'spouse' },
  { customer_id: 'C2', related_customer_id: 'C3', relation: 'child' },
  { customer_id: 'C8', related_customer_id: 'C7', relation: 'sibling' },
];

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await db.session((s) => s.query<R>(text, params))).rows;
const households = async (date: string) =>
  sql<{ customer_id: string; household_id: string; head_customer_id: string; relation_to_head: string; members: number; household_aum: string; household_band: string }>(
    `SELECT customer_id, household_id, head_customer_id, relation_to_head, members, household_aum::text AS household_aum, household_band
       FROM customer_households WHERE business_date = $1::date ORDER BY customer_id`,
    [date],
  );
async function loadDay(date: string, relations: Row[]): Promise<void> {
  const r = await loadFeed(db, writeFeed(feedDir(), { business_date: date, mode: 'full' }, bank(relations)));
  if (r.outcome !== 'loaded') throw new Error(`${date} did not load: ${JSON.stringify(r.problems)}`);
  await refreshCustomerOverview(db);
}
async function night(date: string): Promise<void> {
  await runTiering(db, date);
  await computeHouseholds(db, date);
  await proposeOwners(db, date);
}

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, bank(RELATIONS));
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('links staff add', () => {
  it('links two customers of one’s scope with the consent noted, audited; a customer outside the scope answers 404', async () => {
    // C3 is the B112 manager's, C4 the B211 manager's: outside the B111 manager's scope, as is C5 (nobody owns it)
    for (const related of ['C3', 'C4', 'C5', 'C404']) {
      const r = await api.post(OUTLET_STAFF.customer_manager, '/api/customers/C1/household/links', { relatedCustomerId: related, relation: 'parent', consentNote: '客户签字同意' }, 'en');
      expect([related, r.statusCode, r.json().error.code]).toEqual([related, 404, 'not_found']);
    }
    expect((await api.post(MANAGER_B112, '/api/customers/C1/household/links', { relatedCustomerId: 'C3', relation: 'parent', consentNote: '客户签字同意' }, 'en')).statusCode).toBe(404);
    // the consent note is required, and a date in the future refused, each named
    const noNote = await api.post(BRANCH_HEAD_B100, '/api/customers/C5/household/links', { relatedCustomerId: 'C6', relation: 'child', consentNote: ' ' }, 'en');
    expect([noNote.statusCode, Object.keys(noNote.json().error.fields)]).toEqual([400, ['consentNote']]);
    const future = await api.post(BRANCH_HEAD_B100, '/api/customers/C5/household/links', { relatedCustomerId: 'C6', relation: 'child', consentNote: '客户签字同意', consentOn: '2999-01-01' }, 'en');
    expect([future.statusCode, Object.keys(future.json().error.fields)]).toEqual([400, ['consentOn']]);

    const ok = await api.post(BRANCH_HEAD_B100, '/api/customers/C5/household/links', { relatedCustomerId: 'C6', relation: 'child', consentNote: '客户签字同意', consentOn: DAY1 }, 'en');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toMatchObject({ relatedCustomerId: 'C6', name: '客户C6', relation: 'child', consentNote: '客户签字同意', consentOn: DAY1, createdBy: BRANCH_HEAD_B100, createdByName: '孙分行' });
    // stored both ways: C5 is C6's parent
    expect(await sql(`SELECT customer_id, related_customer_id, relation FROM customer_links ORDER BY customer_id`)).toEqual([
      { customer_id: 'C5', related_customer_id: 'C6', relation: 'child' },
      { customer_id: 'C6', related_customer_id: 'C5', relation: 'parent' },
    ]);
    const again = await api.post(BRANCH_HEAD_B100, '/api/customers/C6/household/links', { relatedCustomerId: 'C5', relation: 'parent', consentNote: '客户签字同意' }, 'en');
    expect(again.statusCode).toBe(409);
    // a pair the feed already relates is refused too
    expect((await api.post(OUTLET_STAFF.customer_manager, '/api/customers/C1/household/links', { relatedCustomerId: 'C2', relation: 'spouse', consentNote: '客户签字同意' }, 'en')).statusCode).toBe(409);
    const audit = await sql<{ actor: string; customer_ids: string[] }>(`SELECT actor, customer_ids FROM audit_log WHERE action = 'household_link'`);
    expect(audit).toEqual([{ actor: BRANCH_HEAD_B100, customer_ids: ['C5', 'C6'] }]);
    // the link shows on the customer at once; the household follows from the night's batch
    const before = (await api.get(BRANCH_HEAD_B100, '/api/customers/C6/household')).json().data;
    expect(before.household).toBeNull();
    expect(before.links).toMatchObject([{ relatedCustomerId: 'C5', relation: 'parent' }]);
  });

  it('removes a link (audited); outside the scope, or with no link, 404', async () => {
    await api.post(BRANCH_HEAD_B100, '/api/customers/C1/household/links', { relatedCustomerId: 'C7', relation: 'other', consentNote: '客户口头同意，有录音' }, 'en');
    expect((await api.delete(MANAGER_B112, '/api/customers/C1/household/links/C7', 'en')).statusCode).toBe(404);
    expect((await api.delete(OUTLET_STAFF.customer_manager, '/api/customers/C1/household/links/C7', 'en')).statusCode).toBe(404);
    const r = await api.delete(BRANCH_HEAD_B100, '/api/customers/C7/household/links/C1', 'en');
    expect([r.statusCode, r.json().data]).toEqual([200, { removed: true }]);
    expect(await sql(`SELECT 1 FROM customer_links WHERE 'C7' IN (customer_id, related_customer_id)`)).toEqual([]);
    expect((await api.delete(BRANCH_HEAD_B100, '/api/customers/C7/household/links/C1', 'en')).statusCode).toBe(404);
    expect(await sql(`SELECT customer_ids FROM audit_log WHERE action = 'household_unlink'`)).toEqual([{ customer_ids: ['C7', 'C1'] }]);
  });
});

describe('the nightly households', () => {
  it('joins customers related directly or through others, sums their AUM and bands it by aum_band (bounds included)', async () => {
    await night(DAY1);
    const rows = await households(DAY1);
    expect(rows.map((r) => [r.customer_id, r.household_id, r.relation_to_head, r.members])).toEqual([
      ['C1', 'HC1', 'self', 3],
      ['C2', 'HC1', 'spouse', 3],
      // C2's child: related to the head (C1, the highest AUM) only through C2
      ['C3', 'HC1', 'other', 3],
      // linked by staff: C6 is C5's child
      ['C5', 'HC5', 'self', 2],
      ['C6', 'HC5', 'child', 2],
      ['C7', 'HC7', 'sibling', 2],
      ['C8', 'HC7', 'self', 2],
    ]);
    const band = Object.fromEntries(rows.map((r) => [r.household_id, [r.household_aum, r.household_band]]));
    expect(band).toEqual({ HC1: ['253299.99', 'band_3'], HC5: ['500000.00', 'band_4'], HC7: ['499999.99', 'band_3'] });
    // C4 is in no relation: in no household
    expect(rows.find((r) => r.customer_id === 'C4')).toBeUndefined();
    // the customer list's column
    expect(await sql(`SELECT customer_id, household_band FROM customer_overview WHERE customer_id IN ('C4', 'C5', 'C8') ORDER BY customer_id`)).toEqual([
      { customer_id: 'C4', household_band: null },
      { customer_id: 'C5', household_band: 'band_4' },
      { customer_id: 'C8', household_band: 'band_3' },
    ]);
    // a rerun of the date writes the same
    await computeHouseholds(db, DAY1);
    expect(await households(DAY1)).toEqual(rows);
  });

  it('keeps a household with one primary owner: the owner of its member with the highest AUM', async () => {
    const open = await sql<{ customer_id: string; staff_id: string; cause: string; current_staff_id: string | null }>(
      `SELECT customer_id, staff_id, cause, current_staff_id FROM ownership_proposals WHERE status = 'open' AND business_date = $1::date ORDER BY customer_id`,
      [DAY1],
    );
    const by = Object.fromEntries(open.map((p) => [p.customer_id, p]));
    // C3 (B112) is owned by the B112 manager: proposed to C1's owner, the household's
    expect(by.C3).toMatchObject({ staff_id: OUTLET_STAFF.customer_manager, cause: 'household', current_staff_id: MANAGER_B112 });
    // C5 and C6 (nobody's) go to the same manager, the one proposed for C5 (the higher AUM)
    expect(by.C6?.staff_id).toBe(by.C5?.staff_id);
    expect(by.C8?.staff_id).toBe(by.C7?.staff_id);
    expect([OUTLET_STAFF.customer_manager, SECOND_MANAGER]).toContain(by.C5?.staff_id);
    // a rejected household proposal is not made again while the band stays
    await sql(`UPDATE ownership_proposals SET status = 'rejected', decided_by = 'S11', decided_at = now() WHERE customer_id = 'C3' AND status = 'open'`);
    await proposeOwners(db, DAY1);
    expect(await sql(`SELECT 1 FROM ownership_proposals WHERE customer_id = 'C3' AND status = 'open'`)).toEqual([]);
  });

  it('keeps the household id from day to day while its members stay; a member leaving changes only that', async () => {
    await loadDay(DAY2, RELATIONS);
    await night(DAY2);
    const day1 = await households(DAY1);
    const day2 = await households(DAY2);
    expect(day2.map((r) => [r.customer_id, r.household_id])).toEqual(day1.map((r) => [r.customer_id, r.household_id]));
    // DAY3: C2 and C3 no longer related; C7's relation ends: HC1 is C1 and C2, HC7 is gone
    await loadDay(DAY3, [RELATIONS[0] as Row]);
    await night(DAY3);
    const day3 = await households(DAY3);
    expect(day3.map((r) => [r.customer_id, r.household_id, r.members])).toEqual([
      ['C1', 'HC1', 2],
      ['C2', 'HC1', 2],
      ['C5', 'HC5', 2],
      ['C6', 'HC5', 2],
    ]);
    expect(await sql(`SELECT household_band FROM customer_overview WHERE customer_id = 'C8'`)).toEqual([{ household_band: null }]);
  });

  it('shows the household on the 360 page: members named as the role may see them, AUM and band', async () => {
    const r = await api.get(OUTLET_STAFF.customer_manager, '/api/customers/C2/household');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.household).toEqual({
      householdId: 'HC1',
      businessDate: DAY3,
      headCustomerId: 'C1',
      aum: '203299.99',
      band: 'band_3',
      members: [
        { customerId: 'C1', name: '张三明', relationToHead: 'self', aum: '202300.00', inScope: true, openRisks: [] },
        { customerId: 'C2', name: '李四', relationToHead: 'spouse', aum: '999.99', inScope: true, openRisks: [] },
      ],
      ownerStaffId: OUTLET_STAFF.customer_manager,
    });
    // the lobby manager sees names masked; a member outside the scope is masked with no AUM
    const lobby = (await api.get(OUTLET_STAFF.lobby_manager, '/api/customers/C2/household')).json().data.household;
    expect(lobby.members.map((m: { name: string }) => m.name)).toEqual(['张*明', '李*']);
    await sql(`DELETE FROM customer_owners WHERE customer_id = 'C1' AND staff_id = $1`, [OUTLET_STAFF.customer_manager]);
    try {
      const masked = (await api.get(OUTLET_STAFF.customer_manager, '/api/customers/C2/household')).json().data.household;
      expect(masked.members[0]).toEqual({ customerId: 'C1', name: '张*明', relationToHead: 'self', aum: null, inScope: false, openRisks: [] });
      expect(masked.aum).toBe('203299.99');
    } finally {
      await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C1', $1, 'primary', 'manual', 'test')`, [OUTLET_STAFF.customer_manager]);
    }
    expect((await api.get(MANAGER_B112, '/api/customers/C2/household')).statusCode).toBe(404);
  });

  it("shows a member's open risk reminders to the household's owner, though another manager owns the member; not another member's to that manager", async () => {
    // C2 passes to the second manager (its tellers' co-ownership too): the household's owner is still C1's, the first manager
    await sql(`DELETE FROM customer_owners WHERE customer_id = 'C2'`);
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C2', $1, 'primary', 'manual', 'test')`, [SECOND_MANAGER]);
    const risk = (customerId: string, staffId: string, event: string, status = 'open') =>
      sql(
        `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, status, policy_version)
         VALUES ($1, $2, $3, $4, 'risk', '{}'::jsonb, $5::date, $5::date, $5::date, $6, 1)`,
        [customerId, staffId, event, DAY3, DAY3, status],
      );
    try {
      await risk('C2', SECOND_MANAGER, 'large_outflow');
      await risk('C2', SECOND_MANAGER, 'card_cancelled', 'done'); // closed: not shown
      await risk('C1', OUTLET_STAFF.customer_manager, 'aum_fall');
      const owner = (await api.get(OUTLET_STAFF.customer_manager, '/api/customers/C1/household')).json().data.household;
      expect(owner.ownerStaffId).toBe(OUTLET_STAFF.customer_manager);
      expect(owner.members.map((m: { customerId: string; inScope: boolean; openRisks: string[] }) => [m.customerId, m.inScope, m.openRisks])).toEqual([
        ['C1', true, ['aum_fall']],
        ['C2', false, ['large_outflow']],
      ]);
      // the second manager sees C2's own risks, not those of C1, a member they neither own nor own the household of
      const other = (await api.get(SECOND_MANAGER, '/api/customers/C2/household')).json().data.household;
      expect(other.members.map((m: { customerId: string; inScope: boolean; openRisks: string[] }) => [m.customerId, m.inScope, m.openRisks])).toEqual([
        ['C1', false, []],
        ['C2', true, ['large_outflow']],
      ]);
    } finally {
      await sql(`DELETE FROM reminders WHERE first_date = $1::date AND event IN ('large_outflow', 'card_cancelled', 'aum_fall') AND customer_id IN ('C1', 'C2')`, [DAY3]);
      await sql(`DELETE FROM customer_owners WHERE customer_id = 'C2'`);
      await sql(
        `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT 'C2', st, k, 'manual', 'test' FROM unnest($1::text[], $2::text[]) AS x(st, k)`,
        [
          [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller],
          ['primary', 'co', 'co', 'co'],
        ],
      );
    }
  });

  it('gives the customer list a household band column and filter', async () => {
    const list = async (query: string) => {
      const r = await api.get(BRANCH_HEAD_B100, `/api/customers${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().data.items as { customerId: string; householdBand: string | null }[]).map((c) => [c.customerId, c.householdBand]);
    };
    expect(await list('?householdBand=band_4')).toEqual([['C5', 'band_4'], ['C6', 'band_4']]);
    expect(await list('?householdBand=any')).toEqual([['C5', 'band_4'], ['C1', 'band_3'], ['C6', 'band_4'], ['C2', 'band_3']]);
    expect((await list('?householdBand=band_5'))).toEqual([]);
    expect((await list('?q=C8')).map(([, band]) => band)).toEqual([null]);
  });

  it('exports the households of a date with the columns of issue 23', async () => {
    const last = await exportHouseholds(db, null);
    expect(last.date).toBe(DAY3);
    expect(HOUSEHOLDS_CSV_COLUMNS).toEqual(['household_id', 'customer_id', 'relation_to_head', 'household_aum', 'household_band']);
    expect(last.rows[0]).toEqual({ household_id: 'HC1', customer_id: 'C1', relation_to_head: 'self', household_aum: '203299.99', household_band: 'band_3' });
    const day1 = await exportHouseholds(db, DAY1);
    expect(day1.rows.map((r) => r.customer_id)).toEqual(['C1', 'C2', 'C3', 'C5', 'C6', 'C8', 'C7']);
    expect((await exportHouseholds(db, '2026-01-01')).rows).toEqual([]);
  });
});

describe('relations.csv naming an unknown customer', () => {
  it('is refused whole, with the file, line and column', async () => {
    const r = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-23', mode: 'full' }, bank([...RELATIONS, { customer_id: 'C1', related_customer_id: 'C77', relation: 'sibling' }])));
    expect(r.outcome).not.toBe('loaded');
    expect(r.problems.map(formatProblem)).toEqual(["relations.csv line 5, column related_customer_id: customer 'C77' is not in today's customers file"]);
    // nothing of the day loaded: the relations stand as DAY3 left them
    expect(await sql(`SELECT count(*)::int AS n FROM customer_relations`)).toEqual([{ n: 2 }]);
  });
});
