import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScopedBank } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { addRecipients, campaignCounts } from './campaign.service.js';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { GatewayUnavailable } from './sms.gateway.js';
import { OPT_OUT_LINE } from './sms.rules.js';
import { sendCampaign } from './sms.sender.js';
import { addTestCustomers, approvedCampaign, chinaTime, gatewaySettings } from './sms.test-support.js';

// The sender keeps every rule of POLICIES "Messages and campaigns", each at its boundary, against
// the fake gateway: who may get a marketing message, the hours, 2 in 7 days, never twice, and
// exactly once when a run stops between posting and recording.

let db: Db;
let gw: FakeGateway;
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const outbox = (campaignId: string) =>
  sql<{ customer_id: string; status: string; skip_reason: string | null; reason: string | null; phone: string | null; text: string; ref: string; gateway_id: string | null; attempts: number }>(
    `SELECT customer_id, status, skip_reason, reason, phone, text, ref, gateway_id, attempts FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`,
    [campaignId],
  );
const statusOf = async (campaignId: string) => Object.fromEntries((await outbox(campaignId)).map((r) => [r.customer_id, r.skip_reason ?? r.status]));
const NOON = chinaTime('2026-12-01 12:00');
const send = (campaignId: string, now = NOON, over: Parameters<typeof gatewaySettings>[1] = {}) => sendCampaign(db, campaignId, { settings: gatewaySettings(gw.url, over), now: () => now });

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await addTestCustomers(db, [
    { id: 'OK1' },
    { id: 'OK2' },
    { id: 'NOCONSENT', consent: false },
    { id: 'DND', dnd: true },
    { id: 'OPTOUT' },
    { id: 'NOPHONE', phone: null },
    { id: 'LEFT', left: true },
    { id: 'BADPHONE', phone: '12345' },
    ...['W1', 'W2', 'H1', 'H2', 'H3', 'H4', 'K1', 'K2', 'K3'].map((id) => ({ id })),
  ]);
  await sql(`INSERT INTO sms_opt_outs (customer_id, at, source) VALUES ('OPTOUT', now(), 'sms_reply')`);
  gw = await startFakeGateway({ token: 'test-token' });
});
afterAll(async () => {
  await gw.close();
  await db.close();
});

describe('who gets a marketing message', () => {
  it('only customers with consent, without do-not-disturb and without an opt-out; nobody without a phone or who left', async () => {
    const c = await approvedCampaign(db, 'rules-marketing', 'marketing', ['OK1', 'NOCONSENT', 'DND', 'OPTOUT', 'NOPHONE', 'LEFT']);
    const r = await send(c.campaignId);
    expect(await statusOf(c.campaignId)).toEqual({ OK1: 'accepted', NOCONSENT: 'no_consent', DND: 'do_not_disturb', OPTOUT: 'opted_out', NOPHONE: 'no_phone', LEFT: 'left' });
    expect(r.counts.skipped).toEqual({ no_consent: 1, do_not_disturb: 1, opted_out: 1, no_phone: 1, left: 1 });
    expect(r.campaign.status).toBe('done');
    // the message as the customer gets it: the campaign's text with the opt-out line at its end
    const sent = [...gw.messages.values()].filter((m) => m.text.startsWith('您好，本周理财沙龙'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text.endsWith(OPT_OUT_LINE)).toBe(true);
    expect(sent[0]?.phone).toBe((await outbox(c.campaignId)).find((x) => x.customer_id === 'OK1')?.phone);
  });

  it('a service message reaches a do-not-disturb customer, one without consent and one who opted out', async () => {
    const c = await approvedCampaign(db, 'rules-service', 'service', ['DND', 'NOCONSENT', 'OPTOUT', 'NOPHONE'], '您的定期存款将于12月10日到期。');
    await send(c.campaignId);
    expect(await statusOf(c.campaignId)).toEqual({ DND: 'accepted', NOCONSENT: 'accepted', OPTOUT: 'accepted', NOPHONE: 'no_phone' });
    expect((await outbox(c.campaignId))[0]?.text).toBe('您的定期存款将于12月10日到期。'); // no opt-out line on a service message
  });

  it('a phone the gateway refuses is kept as rejected with its reason', async () => {
    const c = await approvedCampaign(db, 'rules-badphone', 'service', ['BADPHONE']);
    await send(c.campaignId);
    expect(await outbox(c.campaignId)).toEqual([expect.objectContaining({ status: 'rejected', reason: 'invalid_phone', gateway_id: null })]);
  });
});

describe('marketing hours: 08:00 to 21:00 China time', () => {
  it('at 20:59 the batch goes; at 21:00 it waits until 08:00, then goes', async () => {
    const late = await approvedCampaign(db, 'hours-2059', 'marketing', ['H1']);
    expect((await send(late.campaignId, chinaTime('2026-12-01 20:59'))).waitsUntil).toBeNull();
    expect(await statusOf(late.campaignId)).toEqual({ H1: 'accepted' });

    const night = await approvedCampaign(db, 'hours-2100', 'marketing', ['H2', 'H3']);
    const waiting = await send(night.campaignId, chinaTime('2026-12-01 21:00'));
    expect(waiting.posted).toBe(0);
    expect(waiting.waitsUntil).toBe(chinaTime('2026-12-02 08:00').toISOString());
    expect(await statusOf(night.campaignId)).toEqual({ H2: 'queued', H3: 'queued' });
    const early = await send(night.campaignId, chinaTime('2026-12-02 07:59'));
    expect(early.posted).toBe(0);
    expect(early.campaign.status).not.toBe('done');
    const morning = await send(night.campaignId, chinaTime('2026-12-02 08:00'));
    expect(morning.posted).toBe(2);
    expect(await statusOf(night.campaignId)).toEqual({ H2: 'accepted', H3: 'accepted' });
  });

  it('a service message goes at night', async () => {
    const c = await approvedCampaign(db, 'hours-service', 'service', ['H4']);
    expect((await send(c.campaignId, chinaTime('2026-12-01 23:30'))).waitsUntil).toBeNull();
    expect(await statusOf(c.campaignId)).toEqual({ H4: 'accepted' });
  });
});

describe('at most 2 marketing messages per customer in any 7 days', () => {
  it('the 3rd within 7 days is skipped; once the 1st is 7 days old, another goes', async () => {
    const day = (d: number) => chinaTime(`2026-12-${String(d).padStart(2, '0')} 10:00`);
    const first = await approvedCampaign(db, 'week-1', 'marketing', ['W1', 'W2']);
    await send(first.campaignId, day(3));
    const second = await approvedCampaign(db, 'week-2', 'marketing', ['W1']);
    await send(second.campaignId, day(6));
    // W1 had 2 in the 7 days before 9 Dec 09:59: the 3rd is refused; W2 had 1
    const third = await approvedCampaign(db, 'week-3', 'marketing', ['W1', 'W2']);
    await send(third.campaignId, chinaTime('2026-12-10 09:59'));
    expect(await statusOf(third.campaignId)).toEqual({ W1: 'weekly_limit', W2: 'accepted' });
    // a service message does not count and is not limited
    const service = await approvedCampaign(db, 'week-service', 'service', ['W1']);
    await send(service.campaignId, chinaTime('2026-12-10 11:00'));
    expect(await statusOf(service.campaignId)).toEqual({ W1: 'accepted' });
    // 7 days after the first (3 Dec 10:00), only the second is within the window
    const fourth = await approvedCampaign(db, 'week-4', 'marketing', ['W1']);
    await send(fourth.campaignId, chinaTime('2026-12-10 10:00'));
    expect(await statusOf(fourth.campaignId)).toEqual({ W1: 'accepted' });
  });
});

describe('never twice for the same campaign', () => {
  it('adding the same customers again adds nobody and sending again posts nothing', async () => {
    const c = await approvedCampaign(db, 'twice', 'service', ['OK2', 'OK2']);
    expect((await send(c.campaignId)).posted).toBe(1);
    expect(await addRecipients(db, c, ['OK2'])).toBe(0);
    expect((await send(c.campaignId)).posted).toBe(0);
    const ref = (await outbox(c.campaignId))[0]?.ref ?? '';
    expect(gw.messages.get(ref)?.posted).toBe(1);
  });
});

describe('the gateway', () => {
  it('a 5xx is tried again with backoff; the messages go once', async () => {
    const c = await approvedCampaign(db, 'retry', 'service', ['K1']);
    gw.failNext(2);
    const r = await send(c.campaignId, NOON, { retries: 2 });
    expect(r.posted).toBe(1);
    expect(await statusOf(c.campaignId)).toEqual({ K1: 'accepted' });
  });

  it('a request that times out is tried again under the same refs: the gateway keeps one message', async () => {
    const c = await approvedCampaign(db, 'timeout', 'service', ['K3']);
    let slow = true;
    const sluggish = await startFakeGateway({ token: 'test-token', beforeAnswer: async () => {
      if (slow) {
        slow = false;
        await new Promise((r) => setTimeout(r, 600));
      }
    } });
    try {
      const r = await sendCampaign(db, c.campaignId, { settings: gatewaySettings(sluggish.url, { timeoutMs: 200, retries: 2 }), now: () => NOON });
      expect(r.posted).toBe(1);
      const [row] = await outbox(c.campaignId);
      expect(row?.status).toBe('accepted');
      expect(sluggish.messages.size).toBe(1);
      expect(sluggish.messages.get(row?.ref ?? '')).toMatchObject({ posted: 2, gatewayId: row?.gateway_id });
    } finally {
      await sluggish.close();
    }
  });

  it('a gateway that stays down leaves the messages to send, nothing lost', async () => {
    const c = await approvedCampaign(db, 'down', 'service', ['K2']);
    gw.failNext(3);
    await expect(send(c.campaignId, NOON, { retries: 2 })).rejects.toThrow(GatewayUnavailable);
    expect(await statusOf(c.campaignId)).toEqual({ K2: 'sending' });
    await send(c.campaignId);
    expect(await statusOf(c.campaignId)).toEqual({ K2: 'accepted' });
  });

  it('a batch posted but never recorded is posted again with the same ref: delivered once', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `X${String(i).padStart(3, '0')}`);
    await addTestCustomers(db, ids.map((id) => ({ id })));
    const c = await approvedCampaign(db, 'lost-answer', 'service', ids);
    // the gateway takes the 2nd request's messages, and its answer never arrives
    let answers = 0;
    const lossy = await startFakeGateway({ token: 'test-token', beforeAnswer: () => {
      answers++;
      if (answers === 2) throw new Error('connection lost');
    } });
    try {
      await expect(sendCampaign(db, c.campaignId, { settings: gatewaySettings(lossy.url, { retries: 0 }), now: () => NOON, claimSize: 250, concurrency: 1 })).rejects.toThrow(GatewayUnavailable);
      const left = (await outbox(c.campaignId)).filter((r) => r.status === 'sending');
      expect(left).toHaveLength(150);
      expect(lossy.messages.size).toBe(200); // the gateway has the lost request's 100
      const again = await sendCampaign(db, c.campaignId, { settings: gatewaySettings(lossy.url), now: () => NOON });
      expect(again.posted).toBe(150);
      const rows = await outbox(c.campaignId);
      expect(rows.every((r) => r.status === 'accepted')).toBe(true);
      expect(lossy.messages.size).toBe(250);
      // every ref known once at the gateway; the 100 of the lost answer posted twice, with one gateway id
      for (const r of rows) expect(lossy.messages.get(r.ref)?.gatewayId).toBe(r.gateway_id);
      expect([...lossy.messages.values()].filter((m) => m.posted === 2)).toHaveLength(100);
      expect(new Set(rows.map((r) => r.gateway_id)).size).toBe(250);
      expect((await db.session((s) => campaignCounts(s, c.campaignId))).byStatus).toEqual({ accepted: 250 });
    } finally {
      await lossy.close();
    }
  });
});
