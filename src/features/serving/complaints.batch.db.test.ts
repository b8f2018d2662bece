import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScopedBank, signInAs, OUTLET_STAFF, PB_DEPT, client } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { DAILY_STEPS, runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { accessSettings, hashToken, userFromSession } from '../access/access.service.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import { runWorklist } from '../worklist/worklist.batch.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import { createComplaint } from './complaints.service.js';

// The daily batch's complaints step and the report's Excel download (issue 22 §1), on the scoped
// bank (test/bank-fixture.ts; business date 2026-11-20): C3 of outlet B112 band_2 (24 h / 15 days).

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const TELLER = OUTLET_STAFF.counter_teller; // S16 of B111
const HEAD = OUTLET_STAFF.branch_head; // S11, branch head of B111
const DAY = '2026-11-20';
const H = 3600_000;
let teller: WorkActor;

const complaintsStep = () => {
  const step = DAILY_STEPS.find((s) => s.name === 'complaints');
  if (!step) throw new Error('no complaints step in the daily batch');
  return step;
};
const reminders = (complaintId: string) =>
  db.session((s) =>
    s.query<{ staff_id: string; event: string; status: string; first_date: string }>(
      `SELECT staff_id, event, status, first_date::text AS first_date FROM reminders WHERE occurrence = $1 ORDER BY event, staff_id`,
      [complaintId],
    ),
  ).then((r) => r.rows);
const escalationOf = (complaintId: string) =>
  db.session((s) => s.query<{ escalation: string; escalation_reason: string | null }>(`SELECT escalation, escalation_reason FROM complaints WHERE complaint_id = $1`, [complaintId])).then((r) => r.rows[0]);

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await db.session((s) => ensureTierPartition(s, 'aum_band'));
  await db.session((s) =>
    s.query(
      `INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) VALUES ('C1', 'aum_band', 'band_5', '2026-11-20', 1)
       ON CONFLICT (customer_id, model) DO UPDATE SET tier = EXCLUDED.tier`,
    ),
  );
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  const session = await signInAs(app, TELLER);
  const user = await userFromSession(db, accessSettings(), hashToken(session.cookie.replace('stratum_session=', '')));
  if (!user) throw new Error('no session');
  teller = { user, ip: '127.0.0.1', lang: 'zh' };
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('the daily batch', () => {
  it('runs a complaints step after the worklist and before the dashboards', () => {
    const names = DAILY_STEPS.map((s) => s.name);
    expect(names.indexOf('complaints')).toBeGreaterThan(names.indexOf('worklist'));
    expect(names.indexOf('complaints')).toBeLessThan(names.indexOf('dashboards'));
  });

  it('escalates a complaint nobody opened since it went past its limit, with the branch head’s reminder; a rerun changes nothing', async () => {
    // recorded 26 hours ago (band_5: 2 h to respond), no response, nobody read it since
    const received = new Date(Date.now() - 26 * H);
    const c = await createComplaint(db, teller, { channel: 'counter', customerId: 'C1', category: 'waiting', description: '排队等候超过一小时', receivedAt: received.toISOString() }, new Date(received.getTime() + 60_000));
    expect(await escalationOf(c.complaintId)).toEqual({ escalation: 'none', escalation_reason: null });
    expect((await reminders(c.complaintId)).map((r) => r.event)).toEqual(['complaint_open']);

    const summary = await complaintsStep().run(db, DAY, () => {});
    expect(summary).toMatch(/^1 complaints escalated/);
    expect(await escalationOf(c.complaintId)).toEqual({ escalation: 'branch_head', escalation_reason: 'first_response_late' });
    const after = await reminders(c.complaintId);
    expect(after.filter((r) => r.event === 'complaint_escalated')).toEqual([{ staff_id: HEAD, event: 'complaint_escalated', status: 'open', first_date: DAY }]);

    expect(await complaintsStep().run(db, DAY, () => {})).toMatch(/^0 complaints escalated/);
    expect(await reminders(c.complaintId)).toEqual(after);
  });

  it('a rerun of the worklist for the date keeps the complaints’ reminders made that day', async () => {
    await runDailyBatch(db, DAY);
    const c = await createComplaint(db, teller, { channel: 'phone', customerId: 'C1', category: 'fees', description: '年费扣收有误' });
    const before = await reminders(c.complaintId);
    expect(before.filter((r) => r.event === 'complaint_open' && r.first_date === DAY).length).toBeGreaterThan(0);
    await runWorklist(db, DAY);
    expect(await reminders(c.complaintId)).toEqual(before);
  });
});

describe('the report as Excel', () => {
  it('downloads the report’s rows and total (.xlsx), audited as an export; a teller may not', async () => {
    const today = new Date(Date.now() + 8 * H).toISOString().slice(0, 10);
    const from = new Date(Date.now() + 8 * H - 40 * 24 * H).toISOString().slice(0, 10);
    const r = await api.get(PB_DEPT, `/api/complaints/report/sheet?from=${from}&to=${today}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    expect(String(r.headers['content-disposition'])).toContain(`complaints_${from}_${today}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no worksheet');
    const rows = ws.getSheetValues().filter(Boolean).map((row) => (Array.isArray(row) ? row.slice(1).map((v) => (v === undefined || v === null ? '' : String(v))) : []));
    expect(rows[0]?.slice(0, 4)).toEqual(['网点', '月份', '根本原因', '受理件数']);
    // the two complaints of this file, both of B111, not closed yet; then the total
    const body = rows.slice(1, -1);
    expect(body.reduce((n, x) => n + Number(x[3]), 0)).toBe(2);
    expect(body.every((x) => x[2] === '尚未结案')).toBe(true);
    expect(rows.at(-1)?.slice(0, 1).concat(rows.at(-1)?.slice(3, 5) ?? [])).toEqual(['合计', '2', '0']);
    const audit = await db.session((s) => s.query<{ what: string }>(`SELECT detail->>'what' AS what FROM audit_log WHERE actor = $1 AND action = 'export' ORDER BY entry_id DESC LIMIT 1`, [PB_DEPT]));
    expect(audit.rows[0]?.what).toBe('complaints_report');
    expect((await api.get(TELLER, `/api/complaints/report/sheet?from=${from}&to=${today}`)).statusCode).toBe(403);
  });
});

describe('my complaints (the complaints page)', () => {
  it('GET /api/complaints?mine=true lists the ones I own; a branch head who owns none gets none, but reads them without it', async () => {
    const mine = await api.get(TELLER, '/api/complaints?status=open&mine=true');
    expect(mine.statusCode, mine.body).toBe(200);
    const ids = (mine.json().data.items as { owner: { staffId: string } }[]).map((c) => c.owner.staffId);
    expect(ids.length).toBe(2);
    expect(new Set(ids)).toEqual(new Set([TELLER]));
    const head = await api.get(HEAD, '/api/complaints?status=open&mine=true');
    expect(head.statusCode, head.body).toBe(200);
    expect(head.json().data.items).toEqual([]);
    expect((await api.get(HEAD, '/api/complaints?status=open&mine=false')).json().data.items.length).toBe(2);
  });
});
