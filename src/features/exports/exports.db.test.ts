import ExcelJS from 'exceljs';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { chunkProgress, chunkSettings, type ChunkEvent } from '../../platform/chunks.js';
import type { Db } from '../../platform/db.js';
import { apiClient } from '../worklist/worklist.test-support.js';
import type { ExportJob } from './exports.contract.js';
import { ExportRunner } from './exports.runner.js';

// Exports as background jobs (issue 16): a sheet of more than 5,000 rows is refused inside the
// request and made by a job instead, with its progress; its file holds every row, is its owner's
// only, and its download is audited with the count of its customers; a job whose server stopped is
// failed as interrupted; names are in the user's language.

const EXTRA = 6_000;
let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-exports-'));
const api = apiClient(() => app);

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  // 6,000 more active customers of outlet B111, copies of C1 under other numbers
  await db.session(async (s) => {
    const cols = (await s.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'customers' ORDER BY ordinal_position`)).rows.map((r) => r.column_name);
    const select = cols.map((c) => (c === 'customer_id' ? `'G' || lpad(i::text, 5, '0')` : `c.${c}`)).join(', ');
    await s.query(`INSERT INTO customers (${cols.join(', ')}) SELECT ${select} FROM customers c, generate_series(1, ${EXTRA}) i WHERE c.customer_id = 'C1'`);
  });
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000, exportsDir: dir });
});
afterAll(async () => {
  chunkSettings.rows = null;
  await app.close();
  await db.close();
});

const job = async (login: string, id: string, lang = 'zh') => {
  const r = await api.get(login, `/api/exports/${id}`, lang);
  return { status: r.statusCode, job: r.statusCode === 200 ? (r.json().data as ExportJob) : null, body: r.body };
};
const until = async (login: string, id: string, lang = 'zh'): Promise<ExportJob> => {
  for (let i = 0; i < 600; i++) {
    const j = (await job(login, id, lang)).job;
    if (j && !['queued', 'running'].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the export did not finish');
};
const readSheet = async (raw: Buffer) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(raw as unknown as ArrayBuffer);
  return wb.worksheets[0];
};

describe('a sheet of more than 5,000 rows', () => {
  it('is refused inside the request, pointing to the export job', async () => {
    const r = await api.get(PB_DEPT, '/api/worklist/sheets?sheet=customer_info', 'en');
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/more than 5,000 rows is made in the background.*POST \/api\/exports/);
  });

  it('runs as a job in the background, with its progress, and its file has every row', async () => {
    chunkSettings.rows = 500;
    // while the job runs (between two of its chunks), its progress as the owner sees it
    const seen: ExportJob[] = [];
    let asked = false;
    let id = '';
    const onChunk = (e: ChunkEvent) => {
      if (e.what !== 'worklist_sheet' || e.done !== 5 || asked) return;
      asked = true;
      void job(PB_DEPT, id).then((j) => j.job && seen.push(j.job));
    };
    chunkProgress.on('chunk', onChunk);
    const started = await api.post(PB_DEPT, '/api/exports', { kind: 'customer_info' });
    expect(started.statusCode, started.body).toBe(202);
    const first = started.json().data as ExportJob;
    id = first.exportId;
    expect(['queued', 'running']).toContain(first.status);
    expect(first.downloadUrl).toBeNull();
    const done = await until(PB_DEPT, id);
    chunkProgress.off('chunk', onChunk);
    chunkSettings.rows = null;
    const total = EXTRA + 4; // C1–C4 (C5 is not in the fixture) and the copies
    expect(done).toMatchObject({ status: 'done', rowsDone: total, rowsTotal: total, percent: 100, error: null, downloadUrl: `/api/exports/${id}/file` });
    expect(done.fileName).toMatch(/^个人客户信息梳理表_2026-11-20\.xlsx$/);
    expect(seen[0]?.status).toBe('running');
    expect(seen[0]?.rowsTotal).toBe(total);
    expect(seen[0]?.rowsDone).toBeGreaterThan(0);
    expect(seen[0]?.rowsDone).toBeLessThan(total);
    expect(seen[0]?.percent).toBeGreaterThan(0);
    expect(seen[0]?.percent).toBeLessThan(100);

    const file = await api.get(PB_DEPT, `/api/exports/${id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="worklist_sheet_${id}.xlsx"; filename*=UTF-8''${encodeURIComponent('个人客户信息梳理表_2026-11-20.xlsx')}`,
    );
    const ws = await readSheet(file.rawPayload);
    expect(ws?.name).toBe('个人客户信息梳理表');
    expect(ws?.rowCount).toBe(total + 1);
    const numbers = new Set<string>();
    ws?.eachRow((row, n) => n > 1 && numbers.add(String(row.getCell(2).value)));
    expect(numbers.size).toBe(total);
    expect(numbers.has('G06000')).toBe(true);
    // masked as the download inside the request: no full phone or ID number
    expect(String(ws?.getRow(2).getCell(7).value)).toContain('*');

    // the download is the export's audit entry: its rows, and its customers as a count with a reference
    const entry = (await api.get(PB_DEPT, '/api/audit?action=export&pageSize=1')).json().data.items[0];
    expect(entry).toMatchObject({ actor: PB_DEPT, customerIds: [], customerCount: total, customersRef: expect.stringMatching(/^audit_customers:\d+$/) });
    expect(entry.detail).toMatchObject({ what: 'worklist_sheet', sheet: 'customer_info', rows: total, exportId: id, customers: total });
    // found by any of its customers
    const byCustomer = (await api.get(PB_DEPT, '/api/audit?action=export&customerId=G04321')).json().data.items;
    expect(byCustomer.map((i: { entryId: number }) => i.entryId)).toContain(entry.entryId);
    // no cell of the audit export over 32,767 characters
    const audit = await api.get(PB_DEPT, '/api/audit/export?action=export');
    expect(Math.max(...audit.body.split(/[,\r\n]/).map((c) => c.length))).toBeLessThan(32_767);

    // in my list of exports
    const mine = (await api.get(PB_DEPT, '/api/exports')).json().data.items as ExportJob[];
    expect(mine.map((j) => j.exportId)).toContain(id);
  });

  it('is its owner\'s only: anyone else gets 404 for the job and its file, and does not see it listed', async () => {
    const started = await api.post(PB_DEPT, '/api/exports', { kind: 'contact_log', filters: { from: '2026-11-01', to: '2026-11-20' } });
    expect(started.statusCode, started.body).toBe(202);
    const id = (started.json().data as ExportJob).exportId;
    await until(PB_DEPT, id);
    for (const other of [BRANCH_HEAD_B100, MANAGER_B112]) {
      expect((await job(other, id)).status).toBe(404);
      const file = await api.get(other, `/api/exports/${id}/file`);
      expect(file.statusCode).toBe(404);
      expect(file.json().error.code).toBe('not_found');
      expect(((await api.get(other, '/api/exports')).json().data.items as ExportJob[]).map((j) => j.exportId)).not.toContain(id);
    }
    expect((await job(PB_DEPT, 'no-such-export')).status).toBe(404);
  });

  it('names the sheet and the file in the user\'s language, with the business date', async () => {
    const started = await api.post(OUTLET_STAFF.customer_manager, '/api/exports', { kind: 'customer_info' }, 'en');
    expect(started.statusCode, started.body).toBe(202);
    const id = (started.json().data as ExportJob).exportId;
    const done = await until(OUTLET_STAFF.customer_manager, id, 'en');
    expect(done.fileName).toBe('customer-information_2026-11-20.xlsx');
    const file = await api.get(OUTLET_STAFF.customer_manager, `/api/exports/${id}/file`, 'en');
    expect(file.headers['content-disposition']).toContain("filename*=UTF-8''customer-information_2026-11-20.xlsx");
    expect((await readSheet(file.rawPayload))?.name).toBe('Customer information');
    // the direct download too, and in Chinese
    const zh = await api.get(OUTLET_STAFF.customer_manager, '/api/worklist/sheets?sheet=contact_log');
    expect(zh.headers['content-disposition']).toBe(`attachment; filename="contact-log_2026-11-20.xlsx"; filename*=UTF-8''${encodeURIComponent('递进沟通表_2026-11-20.xlsx')}`);
    expect((await readSheet(zh.rawPayload))?.name).toBe('递进沟通表');
  });

  it('exports the audit trail as a job for the roles that read it only, and refuses what cannot be checked later', async () => {
    const started = await api.post(PB_DEPT, '/api/exports', { kind: 'audit', format: 'csv', filters: { action: 'export' } }, 'en');
    expect(started.statusCode, started.body).toBe(202);
    const done = await until(PB_DEPT, (started.json().data as ExportJob).exportId, 'en');
    expect(done.fileName).toMatch(/^audit-trail_\d{4}-\d{2}-\d{2}\.csv$/);
    expect(done.rowsTotal).toBeGreaterThan(0);
    const refused = await api.post(OUTLET_STAFF.customer_manager, '/api/exports', { kind: 'audit' });
    expect(refused.statusCode).toBe(403);
    // another owner's sheet, for a manager: refused now, not in the background
    expect((await api.post(OUTLET_STAFF.customer_manager, '/api/exports', { kind: 'customer_info', filters: { staffId: MANAGER_B112 } })).statusCode).toBe(403);
    const range = await api.post(PB_DEPT, '/api/exports', { kind: 'contact_log', filters: { from: '2025-01-01', to: '2026-11-20' } }, 'en');
    expect(range.statusCode).toBe(400);
    expect(range.json().error.fields['filters.to']).toMatch(/within 366 days/);
  });
});

describe('after a restart', () => {
  it('marks a job that was running or queued when the server stopped as failed, interrupted, in the user\'s language', async () => {
    await db.session((s) =>
      s.query(`INSERT INTO export_jobs (export_id, owner, kind, format, lang, status, runner, rows_done, rows_total, heartbeat_at, started_at)
               VALUES ('gone1', $1, 'customer_info', 'xlsx', 'zh', 'running', 'a-stopped-server', 1500, 6004, now() - interval '10 minutes', now() - interval '10 minutes'),
                      ('gone2', $1, 'audit', 'csv', 'zh', 'queued', 'a-stopped-server', 0, NULL, now() - interval '10 minutes', NULL)`, [PB_DEPT]),
    );
    // a server starting again (a second runner on the same database)
    const runner = new ExportRunner(db, { dir });
    await runner.start();
    await runner.close();
    const zh = (await job(PB_DEPT, 'gone1')).job;
    expect(zh).toMatchObject({ status: 'failed', error: { code: 'interrupted', message: expect.stringContaining('导出中断') } });
    const en = (await job(PB_DEPT, 'gone2', 'en')).job;
    expect(en).toMatchObject({ status: 'failed', error: { code: 'interrupted', message: expect.stringContaining('interrupted') } });
    const file = await api.get(PB_DEPT, '/api/exports/gone1/file', 'en');
    expect(file.statusCode).toBe(409);
    expect(file.json().error.message).toMatch(/failed/);
  });

  it('stopping waits for the housekeeping under way: nothing reaches the database after it (which the server closes next)', async () => {
    let stopped = false;
    let late = 0;
    // a database that takes its time, as a busy server does: housekeeping is under way when the server stops
    const slow = async <T,>(fn: Parameters<Db['session']>[0]): Promise<T> => {
      await new Promise((r) => setTimeout(r, 15));
      if (stopped) late++;
      return (await db.session(fn)) as T;
    };
    const watched: Db = { ...db, session: slow };
    const runner = new ExportRunner(watched, { dir, tickMs: 1 });
    await runner.start();
    await new Promise((r) => setTimeout(r, 40));
    await runner.close();
    stopped = true;
    await new Promise((r) => setTimeout(r, 60));
    expect(late).toBe(0);
  });

  it('removes a file once it expired', async () => {
    const started = await api.post(OUTLET_STAFF.customer_manager, '/api/exports', { kind: 'customer_info' });
    const id = (started.json().data as ExportJob).exportId;
    await until(OUTLET_STAFF.customer_manager, id);
    expect(readdirSync(dir).some((f) => f.startsWith(id))).toBe(true);
    await db.session((s) => s.query(`UPDATE export_jobs SET expires_at = now() - interval '1 second' WHERE export_id = $1`, [id]));
    const runner = new ExportRunner(db, { dir });
    await runner.sweep(false);
    expect(readdirSync(dir).some((f) => f.startsWith(id))).toBe(false);
    expect((await job(OUTLET_STAFF.customer_manager, id)).job?.status).toBe('expired');
    expect((await api.get(OUTLET_STAFF.customer_manager, `/api/exports/${id}/file`)).statusCode).toBe(409);
  });
});
