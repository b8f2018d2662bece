import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { apiClient } from '../worklist/worklist.test-support.js';
import { buildSellingBank } from './selling.test-support.js';
import { REASSESS_EVENT, runReassessReminders } from './suitability.batch.js';

// The reassessment reminder of the daily batch (issue 19 §3): a missing or expired risk
// assessment gives the primary owner one information reminder per state, made once however often
// the date is run, expired once the state is over, and shown on My day with its sentence.
// On 2026-11-20: C1 valid (C3, no date), C2 missing (no level), C3 expired (assessed 2025-11-19,
// 366 days before), C4 valid (assessed 2025-11-20, 365 days before).

let db: Db;
let app: FastifyInstance;
const api = apiClient(() => app);
const MANAGER = OUTLET_STAFF.customer_manager;

function bank() {
  const files = buildSellingBank();
  files.customers = (files.customers ?? []).map((c) => {
    if (c.customer_id === 'C2') return { ...c, risk_level: '' };
    if (c.customer_id === 'C3') return { ...c, risk_assessed_on: '2025-11-19' };
    if (c.customer_id === 'C4') return { ...c, risk_assessed_on: '2025-11-20' };
    return c;
  });
  return files;
}
const reminders = async () =>
  (
    await db.session((s) =>
      s.query<{ customer_id: string; staff_id: string; occurrence: string; kind: string; status: string; first_date: string; facts: Record<string, unknown> }>(
        `SELECT customer_id, staff_id, occurrence, kind, status, first_date, facts FROM reminders WHERE event = $1 ORDER BY customer_id, staff_id`,
        [REASSESS_EVENT],
      ),
    )
  ).rows;

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, bank());
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the reassessment reminder', () => {
  it('is made for the primary owner of a customer whose assessment is missing or more than 365 days old, once however often the date runs', async () => {
    await runDailyBatch(db, '2026-11-20');
    const first = await reminders();
    expect(first.map((r) => [r.customer_id, r.staff_id, r.occurrence, r.kind, r.status, r.first_date])).toEqual([
      ['C2', MANAGER, 'missing', 'information', 'open', '2026-11-20'],
      ['C3', MANAGER_B112, 'expired:2025-11-19', 'information', 'open', '2026-11-20'],
    ]);
    expect(first[1]?.facts).toEqual({ reason: 'expired', risk_level: 'C3', assessed_on: '2025-11-19', expired_since: '2026-11-20' });
    // the date again, whole or from the worklist step, and the step alone: nothing new
    await runDailyBatch(db, '2026-11-20');
    await runDailyBatch(db, '2026-11-20', undefined, { from: 'worklist' });
    const again = await runReassessReminders(db, '2026-11-20');
    expect(again).toMatchObject({ due: 2, made: 0, expired: 0 });
    expect(await reminders()).toEqual(first);
  });

  it('shows on My day with its sentence, in both languages', async () => {
    const zh = (await api.get(MANAGER, '/api/worklist/reminders?kind=information')).json().data.items as { event: string; summary: string; customer: { customerId: string } }[];
    expect(zh.find((r) => r.event === REASSESS_EVENT)).toMatchObject({ customer: { customerId: 'C2' }, summary: '尚未做风险承受能力评估，请安排评估；评估前仅可推荐 R1 产品' });
    const en = (await api.get(MANAGER_B112, '/api/worklist/reminders?kind=information', 'en')).json().data.items as { event: string; summary: string }[];
    expect(en.find((r) => r.event === REASSESS_EVENT)?.summary).toBe('risk assessment (C3, made on 2025-11-19) expired since 2026-11-20: reassess; until then only R1 products suit');
  });

  it('a closed one stays closed while the state lasts; a new assessment expires the open one; the next day makes none again', async () => {
    const done = await api.post(MANAGER, `/api/worklist/reminders/C2/${REASSESS_EVENT}/missing`, { action: 'done' });
    expect(done.statusCode, done.body).toBe(200);
    // 2026-11-21: C3 assessed again on 2026-11-21; C4's assessment turns 366 days old
    const files = bank();
    files.customers = (files.customers ?? []).map((c) => (c.customer_id === 'C3' ? { ...c, risk_level: 'C4', risk_assessed_on: '2026-11-21' } : c));
    const r = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-21', mode: 'full' }, files));
    expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
    await runDailyBatch(db, '2026-11-21');
    expect((await reminders()).map((x) => [x.customer_id, x.occurrence, x.status, x.first_date])).toEqual([
      ['C2', 'missing', 'done', '2026-11-20'],
      ['C3', 'expired:2025-11-19', 'expired', '2026-11-20'],
      ['C4', 'expired:2025-11-20', 'open', '2026-11-21'],
    ]);
    expect((await reminders()).find((x) => x.customer_id === 'C4')?.staff_id).toBe(MANAGER_B211);
  });
});
