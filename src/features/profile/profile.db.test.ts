import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedBank, loadScopedBank, MANAGER_B112, OUTLET_STAFF, client } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, feedDir, validIdNumber, writeFeed, type FeedFiles } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import type { Profile } from './profile.contract.js';
import { COLLECT_EVENT, runProfile } from './profile.batch.js';
import { exportProfileCsv } from './profile.export.js';

// Profile completeness and collection (issue 23 §2; POLICIES "Profile completeness") on the scoped
// bank (test/bank-fixture.ts) with C5, a customer of outlet B111 nobody owns. Every customer of the
// feed has phone, birth date, address, occupation, income and a valid risk assessment: 6 of 9
// until staff record interests, family or the preferred contact time. C1 is put at band_3 (its
// primary owner collects), C2 at band_2 (the outlet's counter tellers collect).

let db: Db;
let app: FastifyInstance;
const MANAGER = OUTLET_STAFF.customer_manager; // S13: primary owner of C1 and C2
const TELLER = OUTLET_STAFF.counter_teller; // S16: counter teller of B111, co-owner of C1 and C2
const VIP_TELLER = OUTLET_STAFF.vip_teller;

function bank(over: (c: Record<string, string>) => Record<string, string> = (c) => c): FeedFiles {
  const files = buildScopedBank();
  files.customers = [...(files.customers ?? []), buildCustomer({ customer_id: 'C5', name: '钱七', id_number: validIdNumber('19800101', '127'), phone: '13500001234' })].map(over);
  files.accounts = [...(files.accounts ?? []), buildAccount({ account_id: 'A7', customer_id: 'C5', balance: '100.00' })];
  return files;
}

const api = client(() => app);
const profileOf = async (login: string, id: string) => {
  const r = await api.send('GET', login, `/api/customers/${id}/profile`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Profile;
};
const setBands = (bands: Record<string, string>) =>
  db.session((s) =>
    s.query(`UPDATE customer_tiers t SET tier = x.b FROM unnest($1::text[], $2::text[]) AS x(c, b) WHERE t.customer_id = x.c AND t.model = 'aum_band'`, [Object.keys(bands), Object.values(bands)]),
  );
const tasks = async () =>
  (
    await db.session((s) =>
      s.query<{ customer_id: string; staff_id: string; status: string; kind: string }>(
        `SELECT customer_id, staff_id, status, kind FROM reminders WHERE event = $1 ORDER BY customer_id, staff_id, occurrence`,
        [COLLECT_EVENT],
      ),
    )
  ).rows.map((r) => [r.customer_id, r.staff_id, r.kind, r.status]);
const completeness = async () =>
  Object.fromEntries(
    (await db.session((s) => s.query<{ customer_id: string; filled: number; missing: string[]; assignee: string | null }>('SELECT customer_id, filled, missing, assignee FROM customer_completeness ORDER BY customer_id'))).rows.map(
      (r) => [r.customer_id, [r.filled, r.missing.join(','), r.assignee]],
    ),
  );

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, bank());
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  await runDailyBatch(db, '2026-11-20');
  await db.session((s) => s.query(`INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) SELECT c, 'aum_band', 'band_1', '2026-11-20', 1 FROM unnest($1::text[]) AS c ON CONFLICT DO NOTHING`, [['C1', 'C2', 'C3', 'C4', 'C5']]));
  await setBands({ C1: 'band_3', C2: 'band_2', C3: 'band_4', C4: 'band_5', C5: 'band_4' });
  await runProfile(db, '2026-11-20');
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('completeness', () => {
  it('counts 6 of 9 with the fields missing; under 7 the owner collects from band_3, the outlet’s counter tellers below it or without an owner', async () => {
    const all = await completeness();
    expect(all.C1).toEqual([6, 'interests,family,contact_time', 'owner']);
    expect(all.C2).toEqual([6, 'interests,family,contact_time', 'tellers']);
    expect(all.C5).toEqual([6, 'interests,family,contact_time', 'tellers']);
    const mine = (await tasks()).filter(([c]) => c === 'C1' || c === 'C2' || c === 'C5');
    expect(mine).toEqual([
      ['C1', MANAGER, 'work_task', 'open'],
      ['C2', TELLER, 'work_task', 'open'],
      ['C5', TELLER, 'work_task', 'open'],
    ]);
    // the same date again makes nothing new
    await runProfile(db, '2026-11-20');
    expect((await tasks()).filter(([c]) => c === 'C1' || c === 'C2' || c === 'C5')).toEqual(mine);
  });

  it('a field the feed leaves empty is missing, for a customer with no proposal too (not unknown)', async () => {
    const was = (await db.session((s) => s.query<{ occupation: string | null; address: string | null }>(`SELECT occupation, address FROM customers WHERE customer_id = 'C3'`))).rows[0];
    await db.session((s) => s.query(`UPDATE customers SET occupation = NULL, address = '' WHERE customer_id = 'C3'`));
    try {
      await runProfile(db, '2026-11-20');
      const [filled, missing] = (await completeness()).C3 ?? [];
      expect([filled, missing]).toEqual([4, 'address,occupation,interests,family,contact_time']);
    } finally {
      await db.session((s) => s.query(`UPDATE customers SET occupation = $1, address = $2 WHERE customer_id = 'C3'`, [was?.occupation, was?.address]));
      await runProfile(db, '2026-11-20');
    }
  });

  it('the collection task is on My day with the fields to collect, in both languages; the teller’s about a customer they do not own too', async () => {
    const zh = await api.send('GET', MANAGER, '/api/worklist/reminders?kind=work_task&pageSize=200');
    const item = (zh.json().data.items as { event: string; summary: string; customer: { customerId: string } }[]).find((r) => r.event === COLLECT_EVENT && r.customer.customerId === 'C1');
    expect(item?.summary).toBe('客户资料完整度 6/9，请补充采集：兴趣爱好、家庭情况、偏好联络时间');
    const en = await api.send('GET', TELLER, '/api/worklist/reminders?kind=work_task&pageSize=200', undefined, 'en');
    const teller = (en.json().data.items as { event: string; summary: string; customer: { customerId: string } }[]).filter((r) => r.event === COLLECT_EVENT);
    expect(teller.map((r) => r.customer.customerId).sort()).toEqual(['C2', 'C5']);
    expect(teller[0]?.summary).toBe('profile 6 of 9 fields: collect interests, family, preferred contact time');
  });

  it('at 7 of 9 the task expires; "none" as family notes fills family; band_2 → band_3 moves the task from the tellers to the owner', async () => {
    let r = await api.send('PUT', MANAGER, '/api/customers/C1/profile', { interests: ['书法', ' 旅游 ', '书法'] });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json().data as Profile).interests).toEqual(['书法', '旅游']);
    r = await api.send('PUT', TELLER, '/api/customers/C5/profile', { familyNotes: '无', contactTime: 'morning', contactChannel: 'counter' });
    expect(r.statusCode, r.body).toBe(200);
    await setBands({ C2: 'band_3' });
    await runProfile(db, '2026-11-20');
    const all = await completeness();
    expect(all.C1).toEqual([7, 'family,contact_time', null]);
    expect(all.C5).toEqual([8, 'interests', null]);
    expect(all.C2).toEqual([6, 'interests,family,contact_time', 'owner']);
    const t = (await tasks()).filter(([c]) => c === 'C1' || c === 'C2' || c === 'C5');
    expect(t).toEqual([
      ['C1', MANAGER, 'work_task', 'expired'],
      ['C2', MANAGER, 'work_task', 'open'],
      ['C2', TELLER, 'work_task', 'expired'],
      ['C5', TELLER, 'work_task', 'expired'],
    ]);
    const p = await profileOf(MANAGER, 'C1');
    expect(p.completeness).toEqual({ businessDate: '2026-11-20', filled: 7, of: 9, missing: ['family', 'contact_time'] });
    expect(p.updatedBy?.staffId).toBe(MANAGER);
  });
});

describe('who may read and write a profile', () => {
  it('a counter teller of the outlet collects for a customer given to the tellers, nobody else outside their scope: 404', async () => {
    await setBands({ C2: 'band_2' });
    await db.session((s) => s.query(`DELETE FROM customer_profiles WHERE customer_id = 'C5'`));
    await runProfile(db, '2026-11-20');
    expect((await api.send('GET', TELLER, '/api/customers/C5/profile')).statusCode).toBe(200);
    const outlet = await api.send('GET', TELLER, '/api/profile/outlet');
    expect(outlet.statusCode, outlet.body).toBe(200);
    expect((outlet.json().data.items as { customerId: string }[]).map((x) => x.customerId)).toContain('C5');
    for (const login of [VIP_TELLER, MANAGER, MANAGER_B112]) {
      expect((await api.send('GET', login, '/api/customers/C5/profile')).statusCode, login).toBe(404);
      expect((await api.send('PUT', login, '/api/customers/C5/profile', { interests: ['钓鱼'] })).statusCode, login).toBe(404);
    }
    const other = await api.send('PUT', MANAGER_B112, '/api/customers/C1/profile', { interests: ['钓鱼'] });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('张三明');
    // the lobby assistant reads (their outlet) but does not collect
    expect((await api.send('PUT', OUTLET_STAFF.lobby_assistant, '/api/customers/C1/profile', { interests: ['钓鱼'] })).statusCode).toBe(403);
  });

  it('the outlet page lists the manager’s own customers to complete, the highest AUM first, with the fields missing', async () => {
    const r = await api.send('GET', MANAGER, '/api/profile/outlet');
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json().data as { branch: { id: string }; items: { customerId: string; missing: string[]; assignee: string }[] };
    expect(d.branch.id).toBe('B111');
    expect(d.items.map((x) => [x.customerId, x.assignee, x.missing.join(',')])).toEqual([['C2', 'tellers', 'interests,family,contact_time']]);
    expect((await api.send('GET', MANAGER, '/api/profile/outlet?branchId=B211')).statusCode).toBe(404);
  });
});

describe('values for the core system', () => {
  it('refuses a phone that is not a mainland mobile, a birth date in the future, an income below 0, naming the field in both languages', async () => {
    const cases: [Record<string, unknown>, string, string, string][] = [
      [{ phone: '12345678901' }, 'phone', '手机号码', 'phone'],
      [{ birthDate: '2027-01-01' }, 'birthDate', '出生日期', 'birth date'],
      [{ annualIncome: -1 }, 'annualIncome', '年收入', 'annual income'],
    ];
    for (const [body, field, zh, en] of cases) {
      const z = await api.send('PUT', MANAGER, '/api/customers/C1/profile', body);
      expect(z.statusCode, z.body).toBe(400);
      expect(z.json().error.fields[field]).toContain(zh);
      const e = await api.send('PUT', MANAGER, '/api/customers/C1/profile', body, 'en');
      expect(e.json().error.message).toContain(en);
      expect(e.json().error.fields[field]).toContain(en);
    }
    expect((await profileOf(MANAGER, 'C1')).core.every((c) => c.proposal === null)).toBe(true);
  });

  it('keeps proposals with who and when (audited); the feed’s value wins once it arrives and the proposal closes', async () => {
    const r = await api.send('PUT', MANAGER, '/api/customers/C1/profile', { phone: '139 0000 1111', occupation: '教师', address: '北京市东城区电力路1号', annualIncome: 300000 });
    expect(r.statusCode, r.body).toBe(200);
    const p = r.json().data as Profile;
    const by = Object.fromEntries(p.core.map((c) => [c.field, c.proposal]));
    expect(by.phone).toMatchObject({ value: '139****1111', proposedBy: { staffId: MANAGER } });
    expect(by.occupation?.value).toBe('教师');
    expect(by.annual_income?.value).toBe('300000.00');
    expect(by.address).toBeNull(); // the core system has that address already
    const audit = await db.session((s) => s.query<{ action: string; detail: { proposed: string[] } }>(`SELECT action, detail FROM audit_log WHERE action = 'profile_update' ORDER BY entry_id DESC LIMIT 1`));
    expect(audit.rows[0]?.detail.proposed.sort()).toEqual(['annual_income', 'occupation', 'phone']);
    // listed in the 个人客户信息梳理表 for entry in the core system (the phone masked, as the sheet's phone column)
    const xlsx = await api.send('GET', MANAGER, '/api/worklist/sheets?sheet=customer_info');
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(19).value).toBe('待录入核心系统');
    const c1 = [2, 3].map((n) => ws?.getRow(n)).find((row) => row?.getCell(2).value === 'C1');
    expect(c1?.getCell(19).value).toBe('手机号码：139****1111；职业：教师；年收入：300000.00');
    // 2026-11-23: the core system has the phone as proposed, another occupation (the feed wins), the income not yet
    const files = bank((c) => (c.customer_id === 'C1' ? { ...c, phone: '13900001111', occupation: '医生' } : c));
    const loaded = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-23', mode: 'full' }, files));
    expect(loaded.outcome, JSON.stringify(loaded.problems)).toBe('loaded');
    await runDailyBatch(db, '2026-11-23');
    const rows = await db.session((s) => s.query<{ field: string; status: string; closed_on: string | null }>(`SELECT field, status, closed_on::text AS closed_on FROM profile_proposals WHERE customer_id = 'C1' ORDER BY field`));
    expect(rows.rows.map((x) => [x.field, x.status, x.closed_on])).toEqual([
      ['annual_income', 'open', null],
      ['occupation', 'feed_changed', '2026-11-23'],
      ['phone', 'entered', '2026-11-23'],
    ]);
    const after = Object.fromEntries((await profileOf(MANAGER, 'C1')).core.map((c) => [c.field, c]));
    expect(after.occupation).toMatchObject({ feedValue: '医生', proposal: null });
    expect(after.phone).toMatchObject({ feedValue: '139****1111', proposal: null });
    expect(after.annual_income?.proposal?.value).toBe('300000.00');
  });
});

describe('customer groups', () => {
  it('filter on interests, the preferred contact channel and completeness, within the reader’s scope', async () => {
    const count = async (filter: Record<string, unknown>) => {
      const r = await api.send('POST', MANAGER, '/api/groups/count', { filter });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().data.preview as { customerId: string }[]).map((x) => x.customerId);
    };
    expect(await count({ interests: ['书法', '钓鱼'] })).toEqual(['C1']);
    expect(await count({ interests: ['钓鱼'] })).toEqual([]);
    expect(await count({ completenessBelow: 7 })).toEqual(['C2']);
    await api.send('PUT', MANAGER, '/api/customers/C2/profile', { contactChannel: 'wechat' });
    expect(await count({ contactChannels: ['wechat', 'sms'] })).toEqual(['C2']);
  });
});

describe('stratum profile export', () => {
  it('writes customer_id, completeness, missing for the last date, audited; another date is refused with the one there is', async () => {
    const r = await exportProfileCsv(db, { by: 'tester' });
    expect(r.date).toBe('2026-11-23');
    const lines = r.csv.trim().split('\n');
    expect(lines[0]).toBe('customer_id,completeness,missing');
    expect(lines.find((l) => l.startsWith('C1,'))).toBe('C1,0.78,family;contact_time');
    expect(lines.find((l) => l.startsWith('C2,'))).toBe('C2,0.67,interests;family;contact_time');
    expect(lines).toHaveLength(6);
    const audit = await db.session((s) => s.query<{ detail: { what: string; rows: number } }>(`SELECT detail FROM audit_log WHERE action = 'export' ORDER BY entry_id DESC LIMIT 1`));
    expect(audit.rows[0]?.detail).toMatchObject({ what: 'profile_completeness', rows: 5 });
    await expect(exportProfileCsv(db, { date: '2026-11-20', by: null })).rejects.toThrow(/2026-11-23/);
  });
});

describe('a value recorded counts at once', () => {
  it('the customer’s completeness and the outlet’s page change without waiting for the night; reaching 7 of 9 drops the collection task', async () => {
    // C3: S20's customer of outlet B112, band_4, 6 of 9 with S20's collection task open
    const OWNER = MANAGER_B112;
    const onOutlet = async () => {
      const r = await api.send('GET', OWNER, '/api/profile/outlet');
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().data.items as { customerId: string; filled: number; missing: string[] }[]).find((x) => x.customerId === 'C3') ?? null;
    };
    expect((await profileOf(OWNER, 'C3')).completeness).toMatchObject({ businessDate: '2026-11-23', filled: 6 });
    expect(await onOutlet()).toMatchObject({ filled: 6, missing: ['interests', 'family', 'contact_time'] });
    expect((await tasks()).filter(([c]) => c === 'C3')).toEqual([['C3', OWNER, 'work_task', 'open']]);
    const runs = await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM profile_runs'));

    const r = await api.send('PUT', OWNER, '/api/customers/C3/profile', { contactTime: 'evening' });
    expect(r.statusCode, r.body).toBe(200);
    // the answer, the 360 card's read and the outlet's page all count 7 of 9 for the same business date
    expect((r.json().data as Profile).completeness).toEqual({ businessDate: '2026-11-23', filled: 7, of: 9, missing: ['interests', 'family'] });
    expect((await profileOf(OWNER, 'C3')).completeness?.filled).toBe(7);
    expect(await onOutlet()).toBeNull();
    expect((await tasks()).filter(([c]) => c === 'C3')).toEqual([['C3', OWNER, 'work_task', 'expired']]);
    // only C3 was counted again: no batch ran, the others are as the batch left them
    expect((await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM profile_runs'))).rows[0]?.n).toBe(runs.rows[0]?.n);
    const all = await completeness();
    expect(all.C2).toEqual([6, 'interests,family,contact_time', 'tellers']);
    expect(all.C4).toEqual([6, 'interests,family,contact_time', 'owner']);
    // and the night agrees with what was counted at once
    await runProfile(db, '2026-11-23');
    expect((await completeness()).C3).toEqual([7, 'interests,family', null]);
    expect((await tasks()).filter(([c]) => c === 'C3')).toEqual([['C3', OWNER, 'work_task', 'expired']]);
  });

  it('a save that leaves a customer under 7 keeps their spell and task; clearing a value starts a new spell with a task at once, as the night would', async () => {
    const spells = async (id: string) =>
      (
        await db.session((s) =>
          s.query<{ staff_id: string; occurrence: string; status: string; facts: { filled: number; missing: string[] }; first_date: string; last_date: string }>(
            `SELECT staff_id, occurrence, status, facts, first_date::text AS first_date, last_date::text AS last_date
               FROM reminders WHERE event = $1 AND customer_id = $2 ORDER BY staff_id, occurrence`,
            [COLLECT_EVENT, id],
          ),
        )
      ).rows;
    const since = async (id: string) =>
      (await db.session((s) => s.query<{ d: string | null }>(`SELECT below_since::text AS d FROM customer_completeness WHERE customer_id = $1`, [id]))).rows[0]?.d;
    // C5: the tellers' customer, 6 of 9 since 2026-11-20; the preferred channel is not one of the 9
    const before = await spells('C5');
    expect(before.filter((r) => r.status === 'open').map((r) => [r.staff_id, r.occurrence])).toEqual([[TELLER, 'since:2026-11-20']]);
    const kept = await api.send('PUT', TELLER, '/api/customers/C5/profile', { contactChannel: 'phone' });
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await completeness()).C5).toEqual([6, 'interests,family,contact_time', 'tellers']);
    expect(await since('C5')).toBe('2026-11-20');
    expect(await spells('C5')).toEqual(before);

    // C3 reached 7 of 9 above; its contact time cleared, it is under 7 again from the last date, and its owner collects at once
    const OWNER = MANAGER_B112;
    const cleared = await api.send('PUT', OWNER, '/api/customers/C3/profile', { contactTime: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect((cleared.json().data as Profile).completeness).toEqual({ businessDate: '2026-11-23', filled: 6, of: 9, missing: ['interests', 'family', 'contact_time'] });
    expect(await since('C3')).toBe('2026-11-23');
    const open = (await spells('C3')).filter((r) => r.status === 'open');
    expect(open.map((r) => [r.staff_id, r.occurrence, r.facts.filled, r.facts.missing])).toEqual([[OWNER, 'since:2026-11-23', 6, ['interests', 'family', 'contact_time']]]);
    // the night makes nothing more of it
    const counted = await spells('C3');
    await runProfile(db, '2026-11-23');
    expect(await spells('C3')).toEqual(counted);
    expect(await since('C3')).toBe('2026-11-23');

    // recorded again (7 of 9: the task expires) and cleared again the same day: the spell begins on
    // the same date as the one that ended, and its task opens again rather than staying expired
    expect((await api.send('PUT', OWNER, '/api/customers/C3/profile', { contactTime: 'morning' })).statusCode).toBe(200);
    expect((await spells('C3')).filter((r) => r.occurrence === 'since:2026-11-23').map((r) => r.status)).toEqual(['expired']);
    expect((await api.send('PUT', OWNER, '/api/customers/C3/profile', { contactTime: null })).statusCode).toBe(200);
    expect((await spells('C3')).filter((r) => r.status === 'open').map((r) => [r.staff_id, r.occurrence])).toEqual([[OWNER, 'since:2026-11-23']]);
    const [reopened] = (await db.session((s) => s.query<{ closed_at: string | null; closed_reason: string | null }>(
      `SELECT closed_at, closed_reason FROM reminders WHERE event = $1 AND customer_id = 'C3' AND occurrence = 'since:2026-11-23'`, [COLLECT_EVENT],
    ))).rows;
    expect(reopened).toEqual({ closed_at: null, closed_reason: null });
  });
});
