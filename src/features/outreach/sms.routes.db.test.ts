import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B211, OUTLET_STAFF, PB_DEPT, signInAs } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { createCampaign, approveCampaign, addRecipients } from './campaign.service.js';
import { signBody, startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { sendCampaign } from './sms.sender.js';
import { recordReceipts } from './sms.webhooks.js';
import { addTestCustomers, approvedCampaign, chinaTime, gatewaySettings, OPERATOR } from './sms.test-support.js';

// The gateway's webhooks: signed with the shared secret (401 otherwise), a repeated one changes
// nothing, an unknown gateway id is kept 10 minutes for the sender (a receipt may come first), then dropped; a reply R/TD/T/退订 opts the customer out at once, so
// the next marketing batch skips them. And a campaign's figures for the branch head and the department.

const SECRET = 'webhook-secret-for-tests';
let db: Db;
let gw: FakeGateway;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const NOON = chinaTime('2026-12-01 12:00');

const hook = (url: string, body: unknown, signature?: string | null) => {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-stratum-signature'] = signature ?? signBody(SECRET, payload);
  return app.inject({ method: 'POST', url, payload, headers });
};

beforeAll(async () => {
  process.env.STRATUM_SMS_WEBHOOK_SECRET = SECRET;
  db = await openTestDb();
  await loadScopedBank(db);
  await addTestCustomers(db, [{ id: 'R1', phone: '13911110001' }, { id: 'R2', phone: '13911110002' }, { id: 'R3', phone: '13911110003' }, { id: 'R4', phone: '13911110004' }, { id: 'R5', phone: '13911110005' }, { id: 'TWIN', phone: '13911110005' }, { id: 'R6', phone: '13911110006' }]);
  gw = await startFakeGateway();
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  delete process.env.STRATUM_SMS_WEBHOOK_SECRET;
  await app.close();
  await gw.close();
  await db.close();
});

describe('webhook signatures', () => {
  const body = { receipts: [{ gateway_id: 'nobody', status: 'delivered', at: '2026-12-01T12:00:00+08:00' }] };
  it('unsigned, badly signed or signed with another secret: 401, nothing read', async () => {
    for (const [url, b] of [['/api/sms/receipts', body], ['/api/sms/inbound', { phone: '13911110001', text: 'R', at: '2026-12-01T12:00:00+08:00' }]] as const) {
      const none = await hook(url, b, null);
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('unauthenticated');
      expect((await hook(url, b, 'not-hex')).statusCode).toBe(401);
      expect((await hook(url, b, signBody('another-secret', JSON.stringify(b)))).statusCode).toBe(401);
      // the signature of another body (one changed character)
      expect((await hook(url, JSON.stringify(b), signBody(SECRET, `${JSON.stringify(b)} `))).statusCode).toBe(401);
      // unsigned and not even JSON: still 401, not a parse error
      expect((await hook(url, '{oops', null)).statusCode).toBe(401);
    }
    expect(await sql(`SELECT * FROM sms_opt_outs`)).toEqual([]);
  });

  it('without STRATUM_SMS_WEBHOOK_SECRET every webhook is refused', async () => {
    delete process.env.STRATUM_SMS_WEBHOOK_SECRET;
    try {
      expect((await hook('/api/sms/receipts', body)).statusCode).toBe(401);
    } finally {
      process.env.STRATUM_SMS_WEBHOOK_SECRET = SECRET;
    }
  });

  it('signed: accepted (upper-case hex too); a signed malformed body is 400 naming the field', async () => {
    const ok = await hook('/api/sms/receipts', body, signBody(SECRET, JSON.stringify(body)).toUpperCase());
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toEqual({ recorded: 0, repeated: 0, unknown: 1 });
    const bad = await hook('/api/sms/receipts', { receipts: [{ gateway_id: 'x', status: 'lost', at: 'yesterday' }] });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields ?? {})).toEqual(expect.arrayContaining(['receipts.0.status', 'receipts.0.at']));
  });
});

describe('delivery receipts', () => {
  it('accepted → delivered or failed, once; a repeated receipt changes nothing; an unknown id is ignored', async () => {
    const c = await approvedCampaign(db, 'receipts', 'service', ['R1', 'R2']);
    await sendCampaign(db, c.campaignId, { settings: gatewaySettings(gw.url), now: () => NOON });
    const rows = await sql<{ customer_id: string; gateway_id: string }>(`SELECT customer_id, gateway_id FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [c.campaignId]);
    const [g1, g2] = rows.map((r) => r.gateway_id);
    const receipts = { receipts: [
      { gateway_id: g1, status: 'delivered', at: '2026-12-01T12:00:05+08:00' },
      { gateway_id: g2, status: 'failed', at: '2026-12-01T12:00:06+08:00', reason: 'phone switched off' },
      { gateway_id: 'fg-unknown', status: 'delivered', at: '2026-12-01T12:00:06+08:00' },
    ] };
    const first = await hook('/api/sms/receipts', receipts);
    expect(first.json().data).toEqual({ recorded: 2, repeated: 0, unknown: 1 });
    const after = () => sql(`SELECT customer_id, status, reason, receipt_at FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [c.campaignId]);
    const once = await after();
    expect(once).toMatchObject([{ customer_id: 'R1', status: 'delivered' }, { customer_id: 'R2', status: 'failed', reason: 'phone switched off' }]);
    // the gateway sends it again, and a contradicting late one: nothing changes
    expect((await hook('/api/sms/receipts', receipts)).json().data).toEqual({ recorded: 0, repeated: 2, unknown: 1 });
    await hook('/api/sms/receipts', { receipts: [{ gateway_id: g2, status: 'delivered', at: '2026-12-01T13:00:00+08:00' }] });
    expect(await after()).toEqual(once);
  });

  it('a receipt that comes before the sender has recorded the gateway’s answer is kept, then applied; one kept 10 minutes is dropped', async () => {
    // the gateway reports the delivery before it answers the send request
    const early: FakeGateway = await startFakeGateway({
      beforeAnswer: async (_n, refs) => {
        const receipts = refs.map((ref) => ({ gateway_id: early.messages.get(ref)?.gatewayId ?? '', status: 'delivered' as const, at: '2026-12-01T12:00:01+08:00' }));
        expect(await recordReceipts(db, receipts)).toEqual({ recorded: 0, repeated: 0, unknown: 1 });
      },
    });
    try {
      const c = await approvedCampaign(db, 'early-receipts', 'service', ['R6']);
      await sendCampaign(db, c.campaignId, { settings: gatewaySettings(early.url), now: () => NOON });
      const [row] = await sql<{ status: string; gateway_id: string; receipt_at: Date }>(`SELECT status, gateway_id, receipt_at FROM sms_outbox WHERE campaign_id = $1`, [c.campaignId]);
      expect(row?.status).toBe('delivered');
      expect(row?.receipt_at.toISOString()).toBe('2026-12-01T04:00:01.000Z');
      expect(await sql(`SELECT gateway_id FROM sms_early_receipts WHERE gateway_id = $1`, [row?.gateway_id])).toEqual([]);
    } finally {
      await early.close();
    }
    await sql(`INSERT INTO sms_early_receipts (gateway_id, status, at, received_at) VALUES ('fg-stale', 'delivered', now(), now() - interval '11 minutes'), ('fg-fresh', 'delivered', now(), now() - interval '9 minutes')`);
    await hook('/api/sms/receipts', { receipts: [{ gateway_id: 'fg-other', status: 'delivered', at: '2026-12-01T12:00:06+08:00' }] });
    expect((await sql<{ gateway_id: string }>(`SELECT gateway_id FROM sms_early_receipts WHERE gateway_id IN ('fg-stale', 'fg-fresh', 'fg-other') ORDER BY 1`)).map((r) => r.gateway_id)).toEqual(['fg-fresh', 'fg-other']);
  });

  it('the fake gateway posts signed receipts to a listening Stratum: the messages end delivered', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const live = await startFakeGateway({ receiptsUrl: `http://127.0.0.1:${port}/api/sms/receipts`, webhookSecret: SECRET, receiptDelayMs: 20 });
    try {
      const c = await approvedCampaign(db, 'live-receipts', 'service', ['R3', 'R4']);
      await sendCampaign(db, c.campaignId, { settings: gatewaySettings(live.url), now: () => NOON });
      await live.flushReceipts();
      for (let i = 0; i < 50; i++) {
        const n = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 AND status = 'delivered'`, [c.campaignId]);
        if (n[0]?.n === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await sql(`SELECT customer_id, status FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [c.campaignId])).toEqual([
        { customer_id: 'R3', status: 'delivered' },
        { customer_id: 'R4', status: 'delivered' },
      ]);
    } finally {
      await live.close();
    }
  });
});

describe('the demo', () => {
  it('starts the fake gateway, points Stratum at it, and its campaign ends delivered', async () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect(port).toBeGreaterThan(0); // listening since the receipts test
    const { startDemoGateway, sendDemoCampaign } = await import('./sms.demo.js');
    const demo = await startDemoGateway(`http://127.0.0.1:${port}/`);
    try {
      expect(process.env.STRATUM_SMS_URL).toBe(demo?.url);
      const sent = await sendDemoCampaign(db);
      expect(sent.recipients).toBeGreaterThan(5);
      expect(sent.delivered).toBe(sent.recipients);
      expect(await sendDemoCampaign(db)).toEqual(sent); // the demo started again sends nothing new
    } finally {
      delete process.env.STRATUM_SMS_URL;
      await demo?.close();
    }
  });
});

describe('replies: opting out', () => {
  const reply = (phone: string, text: string) => hook('/api/sms/inbound', { phone, text, at: '2026-12-01T12:30:00+08:00' });

  it('R, TD, T and 退订 in any case, trimmed, opt out at once (every customer with the phone), audited as the customer’s act', async () => {
    expect((await reply('13911110005', '  td ')).json().data).toEqual({ optOut: true, optedOut: 2 });
    const outs = await sql<{ customer_id: string; source: string }>(`SELECT customer_id, source FROM sms_opt_outs ORDER BY customer_id`);
    expect(outs).toEqual([{ customer_id: 'R5', source: 'sms_reply' }, { customer_id: 'TWIN', source: 'sms_reply' }]);
    const audit = await sql<{ actor: string | null; role: string; customer_ids: string[]; detail: { by: string; via: string } }>(`SELECT actor, role, customer_ids, detail FROM audit_log WHERE action = 'sms_opt_out'`);
    expect(audit).toEqual([{ actor: null, role: 'customer', customer_ids: ['R5', 'TWIN'], detail: expect.objectContaining({ by: 'customer', via: 'sms_reply' }) }]);
    // the same reply again changes nothing, and is not audited twice
    expect((await reply('13911110005', 'TD')).json().data).toEqual({ optOut: true, optedOut: 0 });
    expect(await sql(`SELECT 1 FROM audit_log WHERE action = 'sms_opt_out'`)).toHaveLength(1);
    for (const [phone, word] of [['+86 139 1111 0001', 'r'], ['13911110002', '退订'], ['13911110003', ' T\n'], ['13911110004', 'Ｒ']] as const) {
      expect((await reply(phone, word)).json().data, word).toEqual({ optOut: true, optedOut: 1 });
    }
  });

  it('any other reply opts nobody out', async () => {
    await addTestCustomers(db, [{ id: 'Q1', phone: '13911119999' }]);
    for (const word of ['好的', 'RT', 'R R', 'stop', '']) expect((await reply('13911119999', word)).json().data, word).toEqual({ optOut: false, optedOut: 0 });
    expect(await sql(`SELECT 1 FROM sms_opt_outs WHERE customer_id = 'Q1'`)).toEqual([]);
  });

  it('an opt-out arriving mid-campaign: the next marketing batch skips the customer', async () => {
    await addTestCustomers(db, [{ id: 'MID1', phone: '13911112001' }, { id: 'MID2', phone: '13911112002' }]);
    const c = await approvedCampaign(db, 'mid-campaign', 'marketing', ['MID1', 'MID2']);
    await reply('13911112002', 'R');
    await sendCampaign(db, c.campaignId, { settings: gatewaySettings(gw.url), now: () => NOON });
    expect(await sql(`SELECT customer_id, status, skip_reason FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [c.campaignId])).toEqual([
      { customer_id: 'MID1', status: 'accepted', skip_reason: null },
      { customer_id: 'MID2', status: 'skipped', skip_reason: 'opted_out' },
    ]);
  });
});

describe('a campaign’s figures', () => {
  it('counts by status and skip reason: the department every campaign, a branch head their branch’s, others 403/404', async () => {
    const { campaign } = await createCampaign(db, OPERATOR, { name: 'branch-b100', kind: 'service', text: '网点搬迁通知', branchId: 'B100' });
    await approveCampaign(db, OPERATOR, campaign.campaignId);
    await addRecipients(db, campaign, ['C1', 'C3']);
    const url = `/api/campaigns/${campaign.campaignId}`;
    const dept = await (await signInAs(app, PB_DEPT)).get(url);
    expect(dept.statusCode, dept.body).toBe(200);
    expect(dept.json().data).toMatchObject({ name: 'branch-b100', kind: 'service', status: 'approved', approvedBy: { staffId: 'cli:tester' }, group: null, heldOut: 0, messages: { queued: 2, sent: 0, skipped: 0, skippedBy: {} } });
    expect((await (await signInAs(app, BRANCH_HEAD_B100)).get(url)).statusCode).toBe(200);
    // a bank-wide campaign is the department's
    const bankWide = await db.session(async (s) => (await s.query<{ id: string }>(`SELECT campaign_id AS id FROM campaigns WHERE name = 'receipts'`)).rows[0]?.id);
    expect((await (await signInAs(app, BRANCH_HEAD_B100)).get(`/api/campaigns/${bankWide}`)).statusCode).toBe(404);
    // a manager sees only the campaigns they made
    expect((await (await signInAs(app, OUTLET_STAFF.customer_manager)).get(url)).statusCode).toBe(404);
    expect((await (await signInAs(app, MANAGER_B211)).get(url)).statusCode).toBe(404);
  });
});
