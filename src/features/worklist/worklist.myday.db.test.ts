import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedBank, loadScopedBank, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { buildTransaction } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { runEvents } from '../events/events.batch.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { runWorklist } from './worklist.batch.js';
import { apiClient } from './worklist.test-support.js';

// The morning after the nightly batch (tiering, events, the worklist step), through the API: the
// sentences are made from the facts the events step really records, the plan lists the customer
// at risk first, and a contact logged from the plan closes the reminder.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = apiClient(() => app);
const manager = OUTLET_STAFF.customer_manager;

beforeAll(async () => {
  db = await openTestDb();
  const bank = buildScopedBank();
  // C1 (202,300: band_3, outflow threshold 50,000) has a birthday in 4 days and pays out 60,000 by mobile
  const c1 = bank.customers?.[0];
  if (c1) c1.birth_date = '1985-11-24';
  bank.transactions?.push(buildTransaction({ txn_id: 'T9', amount: '-60000.00', channel: 'mobile', booked_at: '2026-11-20T11:00:00+08:00', counterparty: '' }));
  await loadScopedBank(db, bank);
  await runTiering(db, '2026-11-20');
  await runEvents(db, '2026-11-20');
  await runWorklist(db, '2026-11-20');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('my day after the batch', () => {
  it('says the large outflow and the birthday in a sentence, in both languages', async () => {
    const zh = (await api.get(manager, '/api/worklist/reminders?customerId=C1')).json().data;
    const byEvent = new Map<string, string>(zh.items.map((i: { event: string; summary: string }) => [i.event, i.summary]));
    expect(byEvent.get('large_outflow')).toBe('大额支出 6.00万（11-20，手机银行），占金融资产 30%');
    expect(byEvent.get('birthday_soon')).toBe('11-24 生日（41 岁），4 天后');
    const en = (await api.get(manager, '/api/worklist/reminders?customerId=C1', 'en')).json().data;
    const enByEvent = new Map<string, string>(en.items.map((i: { event: string; summary: string }) => [i.event, i.summary]));
    expect(enByEvent.get('large_outflow')).toBe('large outflow of 6.00万 on 11-20 through mobile, 30% of AUM');
    expect(enByEvent.get('birthday_soon')).toBe('birthday on 11-24 (turns 41), in 4 days');
  });

  it('puts the customer at risk first in the plan and closes the reminder when the contact is logged from it', async () => {
    const plan = (await api.get(manager, '/api/worklist/plan')).json().data;
    expect(plan.items[0]).toMatchObject({ customer: { customerId: 'C1' }, reason: 'risk', status: 'planned' });
    expect(plan.items[0].reasonText).toMatch(/^风险提醒：大额支出 6\.00万/);
    const risk = plan.items[0].reminders.find((r: { kind: string }) => r.kind === 'risk');
    const r = await api.post(manager, '/api/worklist/contacts', { customerId: 'C1', channel: 'phone', outcome: 'reached', reminders: [{ event: risk.event, occurrence: risk.occurrence }], source: 'plan' });
    expect(r.statusCode, r.body).toBe(200);
    const after = (await api.get(manager, '/api/worklist/reminders?kind=risk')).json().data;
    expect(after.counts.risk).toBe(0);
    expect((await api.get(manager, '/api/worklist/plan')).json().data.items[0].status).toBe('contacted');
  });
});
