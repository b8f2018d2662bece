import ExcelJS from 'exceljs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import type { ExportJob } from '../exports/exports.contract.js';
import { client, seedOpportunities } from './opportunities.test-support.js';

// The branch head's weekly review (the 7 days to the review date: created, moved, won, lost, stale
// per manager; a comment per opportunity, saved with the date, which the managers read) and the
// 商机管理表 (exactly the bank's columns), on the scoped bank (business date 2026-11-20).

const MANAGER = OUTLET_STAFF.customer_manager; // S13, B111
const SUPERVISOR = OUTLET_STAFF.cm_supervisor; // S12, B111
const HEAD = OUTLET_STAFF.branch_head; // S11, B111
let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-opportunity-sheet-'));

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  const m = { owner: MANAGER, branch: 'B111' };
  await seedOpportunities(db, [
    { ...m, id: 'R-NEW', customer: 'C1', createdOn: '2026-11-18', nextStepOn: '2026-11-24' },
    { ...m, id: 'R-MOVED', customer: 'C1', createdOn: '2026-11-01', stage: 'contacted', stageSince: '2026-11-16', nextStepOn: '2026-11-24' },
    { ...m, id: 'R-WON', customer: 'C1', createdOn: '2026-11-01', stage: 'won', closedOn: '2026-11-19', amount: '300000.00' },
    { ...m, id: 'R-LOST', customer: 'C2', createdOn: '2026-11-02', stage: 'lost', closedOn: '2026-11-14', amount: '50000.00', lostReason: '收益率低于他行' },
    { ...m, id: 'R-OLDWON', customer: 'C2', createdOn: '2026-11-01', stage: 'won', closedOn: '2026-11-10', amount: '10000.00' },
    { ...m, id: 'R-STALE', customer: 'C2', createdOn: '2026-10-01', stageSince: '2026-10-10', nextStepOn: '2026-11-25', target: ['vip_signing', null] },
    { ...m, id: 'R-QUIET', customer: 'C2', createdOn: '2026-11-01', nextStepOn: '2026-11-25', target: ['product', 'WM1'] },
    { id: 'R-SUP', customer: 'C2', owner: SUPERVISOR, branch: 'B111', createdOn: '2026-11-20', nextStepOn: '2026-11-24' },
    { id: 'R-B112', customer: 'C3', owner: MANAGER_B112, branch: 'B112', createdOn: '2026-11-17', nextStepOn: '2026-11-24' },
    { id: 'R-B211', customer: 'C4', owner: MANAGER_B211, branch: 'B211', createdOn: '2026-11-17', nextStepOn: '2026-11-24' },
  ]);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000, exportsDir: dir });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Week {
  staff: { staffId: string };
  created: number;
  moved: number;
  won: number;
  lost: number;
  stale: number;
  open: number;
  wonAmount: string;
}
interface Item {
  opportunityId: string;
  flags: string[];
  comment: string | null;
}
const review = async (login: string, query = '') => {
  const r = await api.get(login, `/api/opportunities/review${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as {
    date: string;
    from: string;
    to: string;
    groupedBy: 'manager' | 'outlet';
    outlets: (Omit<Week, 'staff'> & { branch: { id: string; name: string } })[];
    managers: Week[];
    items: Item[];
    total: number;
    saved: { reviewer: { staffId: string } } | null;
  };
};

describe('the weekly review', () => {
  it('counts per manager what was created, moved, won, lost and stale in the 7 days to the date', async () => {
    const r = await review(HEAD);
    expect([r.date, r.from, r.to]).toEqual(['2026-11-20', '2026-11-14', '2026-11-20']);
    expect(r.managers.map((m) => m.staff.staffId)).toEqual([HEAD, SUPERVISOR, MANAGER]);
    expect(r.managers.find((m) => m.staff.staffId === MANAGER)).toMatchObject({ created: 1, moved: 1, won: 1, lost: 1, stale: 1, open: 4, wonAmount: '300000.00' });
    expect(r.managers.find((m) => m.staff.staffId === SUPERVISOR)).toMatchObject({ created: 1, moved: 0, won: 0, lost: 0, stale: 0, open: 1 });
    expect(Object.fromEntries(r.items.map((i) => [i.opportunityId, i.flags]))).toEqual({
      'R-SUP': ['created'],
      'R-STALE': ['stale'],
      'R-NEW': ['created'],
      'R-MOVED': ['moved'],
      'R-WON': ['won'],
      'R-LOST': ['lost'],
    });
    // paged, and narrowed to a flag: the figures stay the whole week's
    const first = await review(HEAD, '?pageSize=4');
    const second = await review(HEAD, '?pageSize=4&page=2');
    expect([first.total, first.items.length, second.items.length]).toEqual([6, 4, 2]);
    expect([...first.items, ...second.items].map((i) => i.opportunityId)).toEqual(r.items.map((i) => i.opportunityId));
    expect(second.managers).toEqual(r.managers);
    const stale = await review(HEAD, '?flag=stale');
    expect([stale.total, stale.items.map((i) => i.opportunityId)]).toEqual([1, ['R-STALE']]);
    const created = await review(HEAD, '?flag=created');
    expect([created.total, created.items.map((i) => i.opportunityId).sort()]).toEqual([2, ['R-NEW', 'R-SUP']]);
    // a week earlier: the one won on 11-10
    const before = await review(HEAD, '?date=2026-11-13');
    expect(before.items.map((i) => [i.opportunityId, i.flags]).filter(([id]) => id === 'R-OLDWON')).toEqual([['R-OLDWON', ['won']]]);
  });

  it('is scoped: the branch head of B100 sees B112 too, the department everyone; a manager may not (403); one manager at a time', async () => {
    expect((await review(BRANCH_HEAD_B100)).items.map((i) => i.opportunityId)).toContain('R-B112');
    expect((await review(BRANCH_HEAD_B100)).items.map((i) => i.opportunityId)).not.toContain('R-B211');
    // the department's whole bank: summed per outlet (the owners' outlets), none listed until one is chosen
    const bank = await review(PB_DEPT);
    expect(bank.groupedBy).toBe('outlet');
    expect(bank.items).toEqual([]);
    expect(bank.managers).toEqual([]);
    expect(bank.outlets.map((o) => o.branch.id).sort()).toEqual(['B111', 'B112', 'B211']);
    const b211 = bank.outlets.find((o) => o.branch.id === 'B211');
    expect(b211).toMatchObject({ branch: { id: 'B211' }, created: expect.any(Number), open: expect.any(Number) });
    // each outlet's figures (counted from indexes across the bank) are its managers' (counted one by one)
    expect(bank.total).toBe(bank.outlets.length);
    const keys = ['created', 'moved', 'won', 'lost', 'stale', 'open'] as const;
    for (const o of bank.outlets) {
      const its = await review(PB_DEPT, `?branchId=${o.branch.id}`);
      const summed = Object.fromEntries(keys.map((k) => [k, its.managers.reduce((n, m) => n + m[k], 0)]));
      expect(Object.fromEntries(keys.map((k) => [k, o[k]])), o.branch.id).toEqual(summed);
    }
    expect(bank.outlets.reduce((n, o) => n + o.created + o.won + o.lost + o.stale, 0)).toBeGreaterThan(0);
    // an outlet chosen: its managers and its opportunities, as its branch head sees them
    const outlet = await review(PB_DEPT, '?branchId=B211');
    expect(outlet.groupedBy).toBe('manager');
    expect(outlet.items.map((i) => i.opportunityId)).toContain('R-B211');
    expect(outlet.managers.map((m) => m.staff.staffId)).toContain(MANAGER_B211);
    expect(outlet.managers.find((m) => m.staff.staffId === MANAGER_B211)).toMatchObject({ created: b211?.created, open: b211?.open, stale: b211?.stale });
    // a narrower scope keeps the managers' view
    expect((await review(BRANCH_HEAD_B100)).groupedBy).toBe('manager');
    expect((await api.get(MANAGER, '/api/opportunities/review')).statusCode).toBe(403);
    const one = await review(HEAD, `?staffId=${SUPERVISOR}`);
    expect(one.managers.map((m) => m.staff.staffId)).toEqual([SUPERVISOR]);
    expect(one.items.map((i) => i.opportunityId)).toEqual(['R-SUP']);
    expect((await api.get(HEAD, `/api/opportunities/review?staffId=${MANAGER_B211}`)).statusCode).toBe(404);
    expect((await api.get(HEAD, '/api/opportunities/review?branchId=B211')).statusCode).toBe(404);
    const future = await api.get(HEAD, '/api/opportunities/review?date=2026-11-21', 'en');
    expect(future.statusCode).toBe(400);
    expect(Object.keys(future.json().error.fields)).toEqual(['date']);
  });

  it('is saved with its date and a comment per opportunity, which the owner reads on it', async () => {
    const saved = await api.post(HEAD, '/api/opportunities/review', { date: '2026-11-20', comments: [{ opportunityId: 'R-STALE', body: '本周内约客户面谈，推进签约' }, { opportunityId: 'R-LOST', body: '  ' }] });
    expect(saved.statusCode, saved.body).toBe(200);
    const data = saved.json().data;
    expect(data.saved.reviewer.staffId).toBe(HEAD);
    expect(data.items.find((i: Item) => i.opportunityId === 'R-STALE').comment).toBe('本周内约客户面谈，推进签约');
    expect(data.items.find((i: Item) => i.opportunityId === 'R-LOST').comment).toBeNull();
    const mine = await api.get(MANAGER, '/api/opportunities/R-STALE');
    expect(mine.json().data.comments).toEqual([{ reviewDate: '2026-11-20', author: expect.objectContaining({ staffId: HEAD }), body: '本周内约客户面谈，推进签约', createdAt: expect.any(String) }]);
    const list = await api.get(MANAGER, '/api/opportunities?stale=true');
    expect(list.json().data.items.find((o: { opportunityId: string }) => o.opportunityId === 'R-STALE')).toMatchObject({ commentCount: 1, latestComment: { body: '本周内约客户面谈，推进签约', reviewDate: '2026-11-20' } });
    // saved again: updated, the empty comment removes one
    await api.post(HEAD, '/api/opportunities/review', { date: '2026-11-20', comments: [{ opportunityId: 'R-STALE', body: '' }, { opportunityId: 'R-NEW', body: '尽快联系' }] });
    expect((await sql('SELECT opportunity_id, body FROM opportunity_comments ORDER BY opportunity_id'))).toEqual([{ opportunity_id: 'R-NEW', body: '尽快联系' }]);
    expect((await sql('SELECT count(*)::int AS n FROM opportunity_reviews'))).toEqual([{ n: 1 }]);
    const reviews = await api.get(BRANCH_HEAD_B100, '/api/opportunities/reviews');
    expect(reviews.json().data.items).toEqual([expect.objectContaining({ date: '2026-11-20', reviewer: expect.objectContaining({ staffId: HEAD }), comments: 1 })]);
    // an opportunity outside the reviewer's scope: 404 at its place in the list
    const out = await api.post(HEAD, '/api/opportunities/review', { date: '2026-11-20', comments: [{ opportunityId: 'R-B211', body: '?' }] }, 'en');
    expect(out.statusCode).toBe(404);
    expect(Object.keys(out.json().error.fields)).toEqual(['comments.0.opportunityId']);
  });
});

describe('the 商机管理表', () => {
  const until = async (login: string, id: string): Promise<ExportJob> => {
    for (let i = 0; i < 600; i++) {
      const j = (await api.get(login, `/api/exports/${id}`)).json().data as ExportJob;
      if (!['queued', 'running'].includes(j.status)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the export did not finish');
  };
  const sheetOf = async (login: string, filters: Record<string, unknown> = {}) => {
    const started = await api.post(login, '/api/exports', { kind: 'opportunities', filters });
    expect(started.statusCode, started.body).toBe(202);
    const job = await until(login, started.json().data.exportId);
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    const file = await api.get(login, job.downloadUrl ?? '');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const rows: unknown[][] = [];
    ws?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return { job, rows };
  };

  it('has exactly the bank’s columns, the manager’s own opportunities, and is audited when downloaded', async () => {
    const { job, rows } = await sheetOf(MANAGER);
    expect(job.fileName).toBe('商机管理表_2026-11-20.xlsx');
    expect(rows[0]).toEqual(['序号', '客户号', '客户姓名', '管户人', '商机来源', '目标产品', '阶段', '预计金额(万元)', '下一步', '下次跟进日期', '备注', '状态']);
    const byCustomer = rows.slice(1);
    expect(byCustomer).toHaveLength(7);
    expect(byCustomer.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const won = byCustomer.find((r) => r[6] === '已成交' && r[7] === 30);
    expect(won).toEqual([expect.any(Number), 'C1', '张三明', '员工3', '到店客户', '理财产品', '已成交', 30, undefined, undefined, undefined, '已成交']);
    const stale = byCustomer.find((r) => r[5] === '贵宾客户签约');
    expect(stale?.slice(1, 8)).toEqual(['C2', '李四', '员工3', '到店客户', '贵宾客户签约', '已识别', undefined]);
    expect(stale?.[8]).toBe('电话沟通');
    expect(stale?.[9]).toBeInstanceOf(Date);
    expect(stale?.[11]).toBe('已停滞');
    expect(byCustomer.find((r) => r[6] === '未成交')?.[11]).toBe('未成交（收益率低于他行）');
    expect(byCustomer.find((r) => String(r[5]).includes('WM1'))?.[5]).toBe('稳健理财1号（WM1）');
    const [entry] = await sql<{ actor: string; action: string; customer_ids: string[]; detail: Record<string, unknown> }>(`SELECT actor, action, customer_ids, detail FROM audit_log WHERE action = 'export' ORDER BY entry_id DESC LIMIT 1`);
    expect(entry).toMatchObject({ actor: MANAGER, action: 'export', detail: { what: 'opportunity_sheet', rows: 7 } });
    expect([...(entry?.customer_ids ?? [])].sort()).toEqual(['C1', 'C2']);
  });

  it('a reviewer exports the scope or one owner; a period keeps the ones alive in it; a manager only their own', async () => {
    expect((await sheetOf(HEAD)).rows).toHaveLength(1 + 8);
    expect((await sheetOf(HEAD, { staffId: SUPERVISOR })).rows.slice(1).map((r) => r[3])).toEqual(['员工2']);
    // alive from 11-15 to 11-20: not the one lost on 11-14 nor the one won on 11-10
    expect((await sheetOf(MANAGER, { from: '2026-11-15', to: '2026-11-20' })).rows).toHaveLength(1 + 5);
    const other = await api.post(MANAGER, '/api/exports', { kind: 'opportunities', filters: { staffId: SUPERVISOR } });
    expect(other.statusCode).toBe(403);
    const tooLong = await api.post(HEAD, '/api/exports', { kind: 'opportunities', filters: { from: '2025-01-01', to: '2026-11-20' } }, 'en');
    expect(tooLong.statusCode).toBe(400);
    expect(Object.keys(tooLong.json().error.fields)).toEqual(['filters.to']);
  });
});
