import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import type { CampaignDetail } from './campaigns.contract.js';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { HEAD_B111, loadOutreachBank, MANAGER, outreachClient } from './outreach.test-support.js';
import { addTestCustomers, chinaTime } from './sms.test-support.js';
import { recordInbound, recordReceipts } from './sms.webhooks.js';

// Campaigns through the API on the outreach bank (business date 2026-11-20), with 300 more
// customers of the B111 manager (K001–K010 without marketing consent): a campaign is made from the
// manager's group and an approved template, 10% of the group held out by a hash of campaign and
// customer; the head of B111 approves it; the manager sends it through the fake gateway. Its page
// counts the messages; the send runs in the background (202, its progress on the campaign, 409
// while it runs, finished by sending again after the server stopped mid-send); 30 days on, with AUM moved +5,000 for recipients and +1,000 for the held
// out, it compares the two.

let db: Db;
let gw: FakeGateway;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = outreachClient(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const K = Array.from({ length: 300 }, (_, i) => `K${String(i + 1).padStart(3, '0')}`);
const NOON = chinaTime('2026-11-21 12:00');
let templateId = '';
let groupId = '';
let campaign: CampaignDetail;

/** Held out, as the API is documented to choose: md5("campaign:customer"), first 8 hex digits, modulo 100, below the percent. */
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows a send on the campaign's page until it is no longer queued or running. */
async function sendFinished(login: string, campaignId: string): Promise<CampaignDetail & { send: NonNullable<CampaignDetail['send']> }> {
  for (let i = 0; i < 300; i++) {
    const d = (await api.get(login, `/api/campaigns/${campaignId}`)).json().data as CampaignDetail;
    if (d.send && d.send.state !== 'queued' && d.send.state !== 'running') return d as CampaignDetail & { send: NonNullable<CampaignDetail['send']> };
    await wait(50);
  }
  throw new Error('the send did not finish');
}

const heldOutByHash = (campaignId: string, customerId: string, percent: number) => Number.parseInt(createHash('md5').update(`${campaignId}:${customerId}`).digest('hex').slice(0, 8), 16) % 100 < percent;

beforeAll(async () => {
  db = await openTestDb();
  await loadOutreachBank(db);
  await addTestCustomers(db, K.map((id, i) => ({ id, consent: i >= 10 })));
  await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT unnest($1::text[]), $2, 'primary', 'manual', 'test'`, [K, MANAGER]);
  await refreshCustomerOverview(db);
  gw = await startFakeGateway();
  process.env.STRATUM_SMS_URL = gw.url;
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000, now: () => NOON });

  const t = await api.post(MANAGER, '/api/templates', { name: '理财沙龙邀请', kind: 'marketing', body: '{姓名}{称谓}您好，本周六{网点}理财沙龙欢迎参加。' });
  expect(t.statusCode, t.body).toBe(200);
  templateId = t.json().data.templateId;
  const g = await api.post(MANAGER, '/api/groups', { name: '我的客户', filter: {} });
  expect(g.statusCode, g.body).toBe(200);
  groupId = g.json().data.groupId;
});
afterAll(async () => {
  delete process.env.STRATUM_SMS_URL;
  await app?.close();
  await gw?.close();
  await db?.close();
});

describe('making a campaign', () => {
  it('refuses a template not yet approved, naming it; then makes the campaign once it is', async () => {
    const early = await api.post(MANAGER, '/api/campaigns', { name: '十一月沙龙', groupId, templateId });
    expect(early.statusCode, early.body).toBe(409);
    expect(Object.keys(early.json().error.fields)).toEqual(['templateId']);
    expect((await api.post(MANAGER, `/api/templates/${templateId}/submit`)).statusCode).toBe(200);
    expect((await api.post(HEAD_B111, `/api/templates/${templateId}/decision`, { decision: 'approve' })).statusCode).toBe(200);

    const made = await api.post(MANAGER, '/api/campaigns', { name: '十一月沙龙', groupId, templateId });
    expect(made.statusCode, made.body).toBe(200);
    campaign = made.json().data;
    expect(campaign).toMatchObject({ kind: 'marketing', status: 'draft', branch: { id: 'B111' }, group: { id: groupId, name: '我的客户' }, template: { id: templateId, version: 1 }, takenOn: '2026-11-20', holdoutPercent: 10, approvable: false, sendable: false, sentOn: null });
    expect(campaign.text).toBe('{姓名}{称谓}您好，本周六{网点}理财沙龙欢迎参加。拒收请回复R');
    // the group on the business date: the manager's own customers (C1, C2, C11, C12 and the 300)
    const owned = await sql<{ n: number }>(`SELECT count(DISTINCT customer_id)::int AS n FROM customer_owners WHERE staff_id = $1`, [MANAGER]);
    expect(campaign.members).toBe(owned[0]?.n);
    expect(await sql(`SELECT count(*)::int AS n FROM group_members WHERE group_id = $1 AND taken_on = '2026-11-20'`, [groupId])).toEqual([{ n: campaign.members }]);
    expect(campaign.results).toEqual({ availableOn: null, ready: false, recipients: null, holdout: null });
  });

  it('holds out about 10% of the group, exactly those the hash of campaign and customer picks', async () => {
    const held = (await sql<{ customer_id: string }>(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND held_out ORDER BY customer_id`, [campaign.campaignId])).map((r) => r.customer_id);
    const all = (await sql<{ customer_id: string }>(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 ORDER BY customer_id`, [campaign.campaignId])).map((r) => r.customer_id);
    expect(held.length).toBe(campaign.heldOut);
    expect(held.length).toBeGreaterThanOrEqual(15);
    expect(held.length).toBeLessThanOrEqual(50);
    expect(held).toEqual(all.filter((id) => heldOutByHash(campaign.campaignId, id, 10)));
    // another campaign of the same group holds out others; one with 0% none
    const other = await api.post(MANAGER, '/api/campaigns', { name: '十二月沙龙', groupId, templateId });
    const otherHeld = (await sql<{ customer_id: string }>(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND held_out ORDER BY customer_id`, [other.json().data.campaignId])).map((r) => r.customer_id);
    expect(otherHeld).not.toEqual(held);
    const none = await api.post(MANAGER, '/api/campaigns', { name: '不留对照', groupId, templateId, holdoutPercent: 0 });
    expect(none.json().data).toMatchObject({ holdoutPercent: 0, heldOut: 0, members: campaign.members });
  });

  it('refuses a name in use, a group or template outside one’s scope, naming the field', async () => {
    const again = await api.post(MANAGER, '/api/campaigns', { name: '十一月沙龙', groupId, templateId });
    expect(again.statusCode).toBe(409);
    expect(Object.keys(again.json().error.fields)).toEqual(['name']);
    const group = await api.post(MANAGER_B211, '/api/campaigns', { name: '别人的分组', groupId, templateId });
    expect(group.statusCode).toBe(404);
    expect(Object.keys(group.json().error.fields)).toEqual(['groupId']);
    const tooMuch = await api.post(MANAGER, '/api/campaigns', { name: '太多', groupId, templateId, holdoutPercent: 60 }, 'en');
    expect(tooMuch.statusCode).toBe(400);
    expect(Object.keys(tooMuch.json().error.fields)).toEqual(['holdoutPercent']);
  });
});

describe('approving and sending', () => {
  it('is not sent before approval; the author cannot approve, the head of B111 does (audited)', async () => {
    const url = `/api/campaigns/${campaign.campaignId}`;
    expect((await api.post(MANAGER, `${url}/send`)).statusCode).toBe(409);
    expect((await api.post(MANAGER, `${url}/approve`)).statusCode).toBe(403);
    const head = await api.get(HEAD_B111, url);
    expect(head.json().data.approvable).toBe(true);
    const ok = await api.post(HEAD_B111, `${url}/approve`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toMatchObject({ status: 'approved', approvedBy: { staffId: HEAD_B111 }, approvable: false });
    expect((await api.post(HEAD_B111, `${url}/approve`)).statusCode).toBe(409);
    expect(await sql(`SELECT action, actor FROM audit_log WHERE action IN ('campaign_create', 'campaign_approve') AND (detail->>'campaign' = $1 OR detail->>'campaignId' = $1) ORDER BY at`, [campaign.campaignId])).toEqual([
      { action: 'campaign_create', actor: MANAGER },
      { action: 'campaign_approve', actor: HEAD_B111 },
    ]);
  });

  it('sends to the members not held out, within the rules: the held out get nothing, those without consent are skipped', async () => {
    const url = `/api/campaigns/${campaign.campaignId}`;
    const sent = await api.post(MANAGER, `${url}/send`);
    expect(sent.statusCode, sent.body).toBe(202);
    const job = sent.json().data;
    expect(job).toMatchObject({ campaignId: campaign.campaignId, state: expect.stringMatching(/^(queued|running|done)$/), total: campaign.members - campaign.heldOut, error: null });
    const d = await sendFinished(MANAGER, campaign.campaignId);
    expect(d.send).toMatchObject({ jobId: job.jobId, state: 'done', done: d.send.total, total: campaign.members - campaign.heldOut, percent: 100, sent: d.messages.sent, posted: d.messages.sent, waitsUntil: null, error: null });
    const held = new Set((await sql<{ customer_id: string }>(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND held_out`, [campaign.campaignId])).map((r) => r.customer_id));
    const outbox = await sql<{ customer_id: string; status: string; skip_reason: string | null }>(`SELECT customer_id, status, skip_reason FROM sms_outbox WHERE campaign_id = $1`, [campaign.campaignId]);
    expect(outbox.length).toBe(campaign.members - campaign.heldOut);
    expect(outbox.filter((r) => held.has(r.customer_id))).toEqual([]);
    const noConsent = K.slice(0, 10).filter((id) => !held.has(id));
    expect(outbox.filter((r) => r.skip_reason === 'no_consent').map((r) => r.customer_id).sort()).toEqual(expect.arrayContaining(noConsent));
    expect(d.messages.sent).toBe(gw.messages.size);
    expect(d.messages.sent).toBe(outbox.filter((r) => r.status === 'accepted').length);
    expect(d.messages.skippedBy.no_consent).toBe(outbox.filter((r) => r.skip_reason === 'no_consent').length);
    expect(d).toMatchObject({ status: 'done', sentOn: '2026-11-20', sendable: false });
    expect(d.results).toEqual({ availableOn: '2026-12-20', ready: false, recipients: null, holdout: null });
    // the held out without consent are kept apart from the comparison
    expect(await sql(`SELECT count(*)::int AS n FROM campaign_members WHERE campaign_id = $1 AND held_out AND would_skip = 'no_consent'`, [campaign.campaignId])).toEqual([
      { n: K.slice(0, 10).filter((id) => held.has(id)).length },
    ]);
    expect((await api.post(MANAGER, `${url}/send`)).statusCode).toBe(409);
    expect(await sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign_send' AND detail->>'campaignId' = $1`, [campaign.campaignId])).toEqual([{ n: 1 }]);
  });

  it('counts delivered, failed and the opt-outs that came after the message', async () => {
    const refs = [...gw.messages.values()];
    const [failed, ...delivered] = refs;
    await recordReceipts(db, [
      ...delivered.map((m) => ({ gateway_id: m.gatewayId, status: 'delivered' as const, at: '2026-11-21T12:01:00+08:00' })),
      { gateway_id: failed?.gatewayId ?? '', status: 'failed' as const, at: '2026-11-21T12:01:00+08:00' },
    ]);
    await recordInbound(db, { phone: delivered[0]?.phone ?? '', text: '退订', at: '2026-11-21T13:00:00+08:00' });
    const d = (await api.get(HEAD_B111, `/api/campaigns/${campaign.campaignId}`)).json().data;
    const twins = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 AND phone = $2`, [campaign.campaignId, delivered[0]?.phone]);
    expect(d.messages).toMatchObject({ sent: refs.length, delivered: refs.length - 1, failed: 1, optedOut: twins[0]?.n });
  });
});

describe('a send in the background', () => {
  it('shows its progress, refuses a second send while it runs, and is finished by sending again after the server stopped mid-send, nothing twice', async () => {
    const [other] = await sql<{ campaign_id: string }>(`SELECT campaign_id FROM campaigns WHERE name = '十二月沙龙'`);
    const id = other?.campaign_id ?? '';
    const url = `/api/campaigns/${id}`;
    expect((await api.post(HEAD_B111, `${url}/approve`)).statusCode).toBe(200);
    // the gateway holds its first request until released; the server takes 50 recipients at a time
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    // and says when it has it: the members are in the outbox then, the campaign 'sending'
    let asked = () => {};
    const firstAsked = new Promise<void>((r) => (asked = r));
    const slow = await startFakeGateway({
      beforeAnswer: (n) => {
        if (n !== 1) return undefined;
        asked();
        return held;
      },
    });
    process.env.STRATUM_SMS_URL = slow.url;
    const restart = async () => {
      app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000, now: () => NOON, campaignSends: { claimSize: 50 } });
    };
    try {
      await app.close();
      await restart();
      const started = await api.post(MANAGER, `${url}/send`);
      expect(started.statusCode, started.body).toBe(202);
      const job = started.json().data;
      const d0 = (await api.get(MANAGER, url)).json().data as CampaignDetail;
      const total = d0.members - d0.heldOut;
      expect(job).toMatchObject({ campaignId: id, state: expect.stringMatching(/^(queued|running)$/), total, percent: expect.any(Number) });
      await expect.poll(async () => ((await api.get(MANAGER, url)).json().data as CampaignDetail).send?.state).toBe('running');
      // running before its first message (the outbox filled first, slow on a loaded cluster): wait for the gateway's first request
      await firstAsked;

      // a second send while it runs: 409, said in words; the page offers no send button meanwhile
      const again = await api.post(MANAGER, `${url}/send`, {}, 'en');
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message).toBe('This campaign is being sent right now: wait for this send to finish. The campaign page shows its progress.');
      expect((await api.post(HEAD_B111, `${url}/send`)).statusCode).toBe(409);
      const running = (await api.get(MANAGER, url)).json().data as CampaignDetail;
      expect(running).toMatchObject({ status: 'sending', sendable: false, send: { jobId: job.jobId, state: 'running', total } });
      expect(running.send?.done).toBeLessThan(total);

      // the server stops mid-send: the batch in hand is finished, the rest waits
      const closing = app.close();
      await wait(100);
      release();
      await closing;
      await restart();
      const stopped = (await api.get(MANAGER, url, 'en')).json().data as CampaignDetail;
      expect(stopped).toMatchObject({ status: 'sending', sendable: true, send: { jobId: job.jobId, state: 'interrupted', total } });
      expect(stopped.send?.error).toMatch(/^The send was interrupted/);
      expect(stopped.send?.done).toBeGreaterThan(0);
      expect(stopped.send?.done).toBeLessThan(total);
      expect(stopped.send?.percent).toBe(Math.floor(((stopped.send?.done ?? 0) / total) * 100));

      // sent again: the rest goes, once each
      const resumed = await api.post(MANAGER, `${url}/send`);
      expect(resumed.statusCode, resumed.body).toBe(202);
      expect(resumed.json().data.jobId).not.toBe(job.jobId);
      const d = await sendFinished(MANAGER, id);
      expect(d).toMatchObject({ status: 'done', sendable: false, send: { state: 'done', done: total, total, percent: 100, error: null } });
      const outbox = await sql<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 GROUP BY status ORDER BY status`, [id]);
      expect(outbox.reduce((a, r) => a + r.n, 0)).toBe(total);
      expect(outbox.filter((r) => r.status === 'queued' || r.status === 'sending')).toEqual([]);
      expect(slow.messages.size).toBe(d.messages.sent);
      expect([...slow.messages.values()].filter((m) => m.posted !== 1)).toEqual([]);
      expect((stopped.send?.posted ?? 0) + d.send.posted).toBe(d.messages.sent);
      // each send audited
      expect(await sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign_send' AND detail->>'campaignId' = $1`, [id])).toEqual([{ n: 2 }]);
    } finally {
      release();
      process.env.STRATUM_SMS_URL = gw.url;
      await slow.close();
    }
  });
});

describe('results 30 days after the send', () => {
  it('compares recipients with the held out who could have received it: mean AUM change and new opportunities', async () => {
    const members = await sql<{ customer_id: string; held_out: boolean; would_skip: string | null; status: string | null }>(
      `SELECT m.customer_id, m.held_out, m.would_skip, o.status FROM campaign_members m LEFT JOIN sms_outbox o ON o.campaign_id = m.campaign_id AND o.customer_id = m.customer_id WHERE m.campaign_id = $1 ORDER BY m.customer_id`,
      [campaign.campaignId],
    );
    const recipients = members.filter((m) => !m.held_out && (m.status === 'delivered' || m.status === 'accepted')).map((m) => m.customer_id);
    const holdout = members.filter((m) => m.held_out && m.would_skip === null).map((m) => m.customer_id);
    const ids = members.map((m) => m.customer_id);
    await db.session(async (s) => {
      await ensureMonthPartition(s, 'balance_snapshots', '2026-12-20');
      await s.query(
        `INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source) VALUES ('2026-12-20', 'delta', 'test', '{}'::jsonb, 0, 'test')`,
      );
      // every member had 10,000 on the send date; recipients gained 5,000, the held out 1,000, the rest nothing
      // rows like C1's of the send date (the other columns as they are), the date and AUM changed
      const copy = (date: string, aum: string) =>
        `INSERT INTO balance_snapshots SELECT (jsonb_populate_record(b, jsonb_build_object('customer_id', x.id, 'business_date', '${date}', 'aum', ${aum}))).*
           FROM balance_snapshots b, unnest($1::text[]) x(id) WHERE b.customer_id = 'C1' AND b.business_date = '2026-11-20'`;
      await s.query(`${copy('2026-12-20', `CASE WHEN x.id = ANY($2::text[]) THEN 15000 WHEN x.id = ANY($3::text[]) THEN 11000 ELSE 10000 END`)}`, [ids, recipients, holdout]);
      await s.query(`${copy('2026-11-20', '10000')} ON CONFLICT (customer_id, business_date) DO UPDATE SET aum = 10000`, [ids]);
      // new opportunities: 3 recipients and 1 held out within the 30 days; one recipient's from before the send does not count
      const opp = (id: string, on: string) =>
        s.query(
          `INSERT INTO opportunities (customer_id, target_type, target_code, source, stage, stage_since, next_step, next_step_on, owner_id, branch_id, scope_branch_id, created_by, created_on)
           VALUES ($1, 'product_kind', 'wealth', 'campaign', 'identified', $2::date, '电话回访', $2::date + 7, $3, 'B111', 'B111', $3, $2::date)`,
          [id, on, MANAGER],
        );
      for (const id of recipients.slice(0, 3)) await opp(id, '2026-12-01');
      await opp(holdout[0] ?? '', '2026-12-05');
      await opp(recipients[5] ?? '', '2026-10-01');
    });
    const d = (await api.get(MANAGER, `/api/campaigns/${campaign.campaignId}`)).json().data as CampaignDetail;
    expect(d.results).toEqual({
      availableOn: '2026-12-20',
      ready: true,
      recipients: { customers: recipients.length, aumBefore: 10000 * recipients.length, aumAfter: 15000 * recipients.length, meanAumChange: 5000, withNewOpportunity: 3, newOpportunityShare: 3 / recipients.length },
      holdout: { customers: holdout.length, aumBefore: 10000 * holdout.length, aumAfter: 11000 * holdout.length, meanAumChange: 1000, withNewOpportunity: 1, newOpportunityShare: 1 / holdout.length },
    });
  });
});

describe('who sees a campaign', () => {
  it('its author, the heads above its branch and the department; another manager answers 404, as an unknown one', async () => {
    const url = `/api/campaigns/${campaign.campaignId}`;
    for (const who of [MANAGER, HEAD_B111, BRANCH_HEAD_B100, PB_DEPT]) expect((await api.get(who, url)).statusCode, who).toBe(200);
    for (const who of [MANAGER_B211, OUTLET_STAFF.cm_supervisor]) {
      expect((await api.get(who, url)).statusCode, who).toBe(404);
      expect((await api.post(who, `${url}/send`)).statusCode, who).toBe(404);
    }
    expect((await api.get(MANAGER, '/api/campaigns/no-such-campaign')).statusCode).toBe(404);
    const list = (await api.get(MANAGER_B211, '/api/campaigns')).json().data.items;
    expect(list).toEqual([]);
    const mine = (await api.get(MANAGER, '/api/campaigns')).json().data.items.map((c: { name: string }) => c.name);
    expect(mine).toEqual(expect.arrayContaining(['十一月沙龙', '十二月沙龙', '不留对照']));
    expect((await api.get(OUTLET_STAFF.lobby_manager, '/api/campaigns')).statusCode).toBe(403);
  });
});
