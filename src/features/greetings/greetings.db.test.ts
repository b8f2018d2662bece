import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGER_B211, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { SignedInUser } from '../access/access.service.js';
import { approvedCampaign, chinaTime, gatewaySettings } from '../outreach/sms.test-support.js';
import { startFakeGateway, type FakeGateway } from '../outreach/fake-gateway.js';
import { sendCampaign } from '../outreach/sms.sender.js';
import { HEAD_B111, loadOutreachBank, MANAGER, outreachClient } from '../outreach/outreach.test-support.js';
import type { Greeting } from './greetings.contract.js';
import { BIRTHDAY_DAYS_AHEAD, birthdayCampaignId, festivalCampaignId, prepareGreetings } from './greetings.batch.js';
import { approveGreeting } from './greetings.service.js';

// Greetings (issue 21 §4) on the outreach bank (latest business date 2026-11-20): the batch of
// 2026-12-29 prepares the birthdays of 12-29 … 2027-01-01 per manager and the New Year's Day
// greetings (3 days ahead) for each branch's band_5 customers; a rerun prepares nothing twice; the
// head of the branch approves through the API (another branch's greeting answers 404); once
// approved, the sender keeps the marketing rules (a do-not-disturb customer is skipped) while a
// service message (a maturity notice) still reaches that customer.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let gw: FakeGateway;
const api = outreachClient(() => app);
const D = '2026-12-29';
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const outbox = (campaignId: string) => sql<{ customer_id: string; text: string; status: string; skip_reason: string | null }>(
  `SELECT customer_id, text, status, skip_reason FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`,
  [campaignId],
);
const greetingIds = async () => (await sql<{ campaign_id: string }>(`SELECT campaign_id FROM greetings ORDER BY campaign_id`)).map((r) => r.campaign_id);

beforeAll(async () => {
  db = await openTestDb();
  await loadOutreachBank(db);
  // birthdays: C1 on 12-31 and C12 on 01-01 (S13's, B111), C2 on 01-02 (a day beyond the window),
  // C3 on 12-30 (S20's, B112), C5 on 12-29 (nobody owns C5); C4 (B211, band_5) has none in the window
  const births: [string, string][] = [['C1', '1980-12-31'], ['C12', '1975-01-01'], ['C2', '1990-01-02'], ['C3', '1970-12-30'], ['C5', '1985-12-29'], ['C4', '1960-06-01'], ['C11', '1972-02-29']];
  for (const [id, d] of births) await sql(`UPDATE customers SET birth_date = $2::date WHERE customer_id = $1`, [id, d]);
  // band_5: C4 at B211 and C11 at B111, who wants no calls or messages (do not disturb)
  await sql(`UPDATE customer_tiers SET tier = 'band_5' WHERE customer_id = 'C11' AND model = 'aum_band'`);
  await sql(`UPDATE customers SET do_not_disturb = true WHERE customer_id = 'C11'`);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  gw = await startFakeGateway({ token: 'test-token' });
});
afterAll(async () => {
  await gw?.close();
  await app?.close();
  await db?.close();
});

describe('the daily batch prepares greetings', () => {
  it('birthdays from D to D+3 per manager, over the year end; nobody without an owner', async () => {
    expect(BIRTHDAY_DAYS_AHEAD).toBe(3);
    const r = await prepareGreetings(db, D);
    expect(r).toEqual({ birthdayCampaigns: 3, festivalCampaigns: 2, recipients: 5 });
    expect(await greetingIds()).toEqual([
      birthdayCampaignId('2026-12-30', 'S20'),
      birthdayCampaignId('2026-12-31', MANAGER),
      birthdayCampaignId('2027-01-01', MANAGER),
      festivalCampaignId('new_year', '2027-01-01', 'B111'),
      festivalCampaignId('new_year', '2027-01-01', 'B211'),
    ].sort());
    const [c1] = await outbox(birthdayCampaignId('2026-12-31', MANAGER));
    expect(c1).toMatchObject({ customer_id: 'C1', status: 'queued' });
    // the customer's own text: name, salutation, the day, the manager and the outlet; the opt-out line at the end
    const [{ name, manager } = { name: '', manager: '' }] = await sql<{ name: string; manager: string }>(
      `SELECT c.name, st.name AS manager FROM customers c JOIN staff st ON st.staff_id = $1 WHERE c.customer_id = 'C1'`,
      [MANAGER],
    );
    expect(c1?.text).toMatch(new RegExp(`^尊敬的${name}(先生|女士|客户)：12月31日是您的生日，${manager}与电力路网点全体同事祝您生日快乐`));
    expect(c1?.text.endsWith('拒收请回复R')).toBe(true);
    expect((await outbox(birthdayCampaignId('2027-01-01', MANAGER))).map((x) => x.customer_id)).toEqual(['C12']);
    expect(await sql(`SELECT kind, status, branch_id FROM campaigns WHERE campaign_id = $1`, [birthdayCampaignId('2026-12-30', 'S20')])).toEqual([{ kind: 'marketing', status: 'draft', branch_id: 'B112' }]);
  });

  it('festival greetings 3 days ahead go only to band_5 customers, in the branch’s name', async () => {
    const b111 = await outbox(festivalCampaignId('new_year', '2027-01-01', 'B111'));
    expect(b111.map((x) => x.customer_id)).toEqual(['C11']); // band_5; C1 (band_3) and C2 (band_1) of the same outlet are not greeted
    expect(b111[0]?.text).toContain('值此元旦来临之际，电力路网点恭祝您节日快乐');
    expect((await outbox(festivalCampaignId('new_year', '2027-01-01', 'B211'))).map((x) => x.customer_id)).toEqual(['C4']);
    // four days before the festival nothing is prepared for it yet
    expect((await prepareGreetings(db, '2026-09-20')).festivalCampaigns).toBe(0);
  });

  it('29 February birthdays are greeted on the 28th in other years', async () => {
    const r = await prepareGreetings(db, '2027-02-25');
    expect(r.birthdayCampaigns).toBe(1);
    expect((await outbox(birthdayCampaignId('2027-02-28', MANAGER))).map((x) => x.customer_id)).toEqual(['C11']);
  });

  it('a rerun, or the next day over the same days, prepares nothing twice', async () => {
    const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox`);
    const again = await prepareGreetings(db, D);
    expect(again.recipients).toBe(0);
    const next = await prepareGreetings(db, '2026-12-30'); // adds C2's birthday (01-02) only
    expect(next.recipients).toBe(1);
    expect((await outbox(birthdayCampaignId('2027-01-02', MANAGER))).map((x) => x.customer_id)).toEqual(['C2']);
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox`))[0]?.n).toBe((before[0]?.n ?? 0) + 1);
    expect(await sql(`SELECT count(*)::int AS n FROM campaigns WHERE campaign_id LIKE 'greeting-%'`)).toEqual([{ n: (await greetingIds()).length }]);
  });
});

describe('the branch head approves', () => {
  it('lists the greetings of the head’s branches only; the department sees all; a manager may not', async () => {
    const head = await api.get(HEAD_B111, '/api/greetings?status=draft&from=2026-12-01');
    expect(head.statusCode).toBe(200);
    const items = head.json().data.items as Greeting[];
    expect(new Set(items.map((g) => g.branch.id))).toEqual(new Set(['B111']));
    const newYear = items.find((g) => g.occasion === 'festival');
    expect(newYear).toMatchObject({ festival: 'new_year', occasionDate: '2027-01-01', recipients: 1, status: 'draft', approvable: true, owner: null, branch: { id: 'B111', name: '电力路网点' } });
    const dept = (await api.get(PB_DEPT, '/api/greetings?from=2026-12-01')).json().data.items as Greeting[];
    expect(new Set(dept.map((g) => g.branch.id))).toEqual(new Set(['B111', 'B112', 'B211']));
    expect((await api.get(MANAGER, '/api/greetings')).statusCode).toBe(403);
  });

  it('another branch’s greeting answers 404, to read or approve', async () => {
    const other = festivalCampaignId('new_year', '2027-01-01', 'B211');
    expect((await api.get(HEAD_B111, `/api/greetings/${other}`)).statusCode).toBe(404);
    const refused = await api.post(HEAD_B111, `/api/greetings/${other}/approve`, {}, 'en');
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.message).toBe('There is no such greeting within your scope.');
    expect((await sql(`SELECT status FROM campaigns WHERE campaign_id = $1`, [other]))).toEqual([{ status: 'draft' }]);
  });

  it('approval is audited once; the batch then adds nobody to the approved greeting', async () => {
    const id = festivalCampaignId('new_year', '2027-01-01', 'B111');
    const ok = await api.post(HEAD_B111, `/api/greetings/${id}/approve`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toMatchObject({ status: 'approved', approvable: false });
    expect((await api.post(HEAD_B111, `/api/greetings/${id}/approve`)).statusCode).toBe(200);
    expect(await sql(`SELECT actor, action, detail->>'campaign' AS campaign FROM audit_log WHERE action = 'greeting_approve'`)).toEqual([{ actor: expect.any(String), action: 'greeting_approve', campaign: id }]);
    // a second band_5 customer of B111 appears: the approved greeting stays as approved
    await sql(`UPDATE customer_tiers SET tier = 'band_5' WHERE customer_id = 'C1' AND model = 'aum_band'`);
    await prepareGreetings(db, D);
    expect((await outbox(id)).map((x) => x.customer_id)).toEqual(['C11']);
    await sql(`UPDATE customer_tiers SET tier = 'band_3' WHERE customer_id = 'C1' AND model = 'aum_band'`);
  });

  it('is decided on the greetings page only: the campaigns list leaves greetings out and the campaigns API will not approve one', async () => {
    const id = birthdayCampaignId('2026-12-31', MANAGER);
    const listed = (await api.get(HEAD_B111, '/api/campaigns')).json().data.items.map((c: { campaignId: string }) => c.campaignId);
    expect(listed).not.toContain(id);
    const detail = await api.get(HEAD_B111, `/api/campaigns/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().data).toMatchObject({ status: 'draft', approvable: false });
    const refused = await api.post(HEAD_B111, `/api/campaigns/${id}/approve`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('祝福短信');
    expect(await sql(`SELECT status FROM campaigns WHERE campaign_id = $1`, [id])).toEqual([{ status: 'draft' }]);
  });

  it('a greeting whose day has passed can no longer be approved', async () => {
    const id = birthdayCampaignId('2026-12-31', MANAGER);
    const late = approveGreeting(db, { user: HEAD, ip: '127.0.0.1', lang: 'en' }, id, '2027-01-01');
    await expect(late).rejects.toBeInstanceOf(AppError);
    await expect(late).rejects.toMatchObject({ code: 'conflict', fields: { campaignId: expect.objectContaining({ en: 'the day has passed' }) } });
    expect(await sql(`SELECT status FROM campaigns WHERE campaign_id = $1`, [id])).toEqual([{ status: 'draft' }]);
  });
});

describe('sending', () => {
  it('an approved festival greeting keeps the marketing rules: the do-not-disturb customer is skipped', async () => {
    const id = festivalCampaignId('new_year', '2027-01-01', 'B111');
    await sendCampaign(db, id, { settings: gatewaySettings(gw.url), now: () => chinaTime('2026-12-30 10:00') });
    expect((await outbox(id)).map((x) => [x.customer_id, x.skip_reason ?? x.status])).toEqual([['C11', 'do_not_disturb']]);
  });

  it('a service message (a maturity notice) reaches the same do-not-disturb customer', async () => {
    const notice = await approvedCampaign(db, 'maturity-C11', 'service', ['C11'], '尊敬的客户，您的定期存款将于2027年3月15日到期。');
    await sendCampaign(db, notice.campaignId, { settings: gatewaySettings(gw.url), now: () => chinaTime('2026-12-30 22:00') });
    expect((await outbox(notice.campaignId)).map((x) => [x.customer_id, x.status])).toEqual([['C11', 'accepted']]);
  });
});

// the branch head of B111 as a signed-in user, for calling the service on another day than the latest loaded
const HEAD: SignedInUser = { login: HEAD_B111, name: '员工1', role: 'branch_head', staffId: HEAD_B111, branchId: 'B111', branchName: '电力路网点', permissions: ['greetings.approve'], scope: ['B111'], ownerId: null, masked: false, csrfToken: '', tokenHash: '' };
