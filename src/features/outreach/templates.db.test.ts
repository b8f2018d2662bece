import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { HEAD_B111, loadOutreachBank, MANAGER, outreachClient, PB_DEPT_2 } from './outreach.test-support.js';
import type { Template } from './templates.contract.js';
import { recipientValues, valuesFor } from './templates.service.js';
import { checkPlaceholders, measure, OPT_OUT_LINE, renderTemplate, salutationOf, segmentsOf } from './templates.text.js';

// Message templates (短信模板) on the outreach bank: placeholders rendered per recipient, an
// unknown one refused with its position, characters and segments counted (the opt-out line of a
// marketing message included), and the approval: the head of the template's branch (the
// department for a bank-wide one), never the author; an approved version is never edited.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = outreachClient(() => app);

beforeAll(async () => {
  db = await openTestDb();
  await loadOutreachBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('a template’s text', () => {
  it('renders each placeholder, leaving other text as written', () => {
    const values = { 姓名: '张三明', 称谓: '先生', 客户经理: '员工3', 网点: '电力路网点', 产品: '一年定期', 日期: '12月10日' };
    expect(renderTemplate('{姓名}', values)).toBe('张三明');
    expect(renderTemplate('{称谓}', values)).toBe('先生');
    expect(renderTemplate('{客户经理}', values)).toBe('员工3');
    expect(renderTemplate('{网点}', values)).toBe('电力路网点');
    expect(renderTemplate('{产品}', values)).toBe('一年定期');
    expect(renderTemplate('{日期}', values)).toBe('12月10日');
    expect(renderTemplate('尊敬的{姓名}{称谓}：您的{产品}将于{日期}到期。{网点}{客户经理}', values)).toBe('尊敬的张三明先生：您的一年定期将于12月10日到期。电力路网点员工3');
    expect(renderTemplate('{姓名}{', values)).toBe('张三明{');
  });

  it('says 先生 for a man, 女士 for a woman, 客户 otherwise', () => {
    expect([salutationOf('M'), salutationOf('F'), salutationOf(null), salutationOf('')]).toEqual(['先生', '女士', '客户', '客户']);
  });

  it('refuses an unknown placeholder, naming it and its character', () => {
    expect(() => checkPlaceholders('尊敬的客户{姓}您好')).toThrow('unknown placeholder {姓} at character 6');
    expect(() => checkPlaceholders('{姓名}{称谓}{客户经理}{网点}{产品}{日期}')).not.toThrow();
  });

  it('counts segments: 70 characters one, 71 two; per 67 beyond: 134 two, 135 three', () => {
    expect([70, 71, 134, 135].map(segmentsOf)).toEqual([1, 2, 2, 3]);
    expect(measure('字'.repeat(70))).toEqual({ chars: 70, segments: 1 });
    expect(measure('字'.repeat(71))).toEqual({ chars: 71, segments: 2 });
    expect(measure('a'.repeat(134))).toEqual({ chars: 134, segments: 2 });
    expect(measure('a'.repeat(135))).toEqual({ chars: 135, segments: 3 });
  });
});

describe('previewing a text', () => {
  const preview = async (login: string, body: Record<string, unknown>, lang = 'zh') => api.post(login, '/api/templates/preview', body, lang);

  it('for a customer within the scope, with their values; a marketing one ends with the opt-out line, counted', async () => {
    const body = '{姓名}{称谓}您好，您的{产品}将于{日期}到期，{网点}{客户经理}恭候。';
    const r = await preview(MANAGER, { body, kind: 'service', customerId: 'C2', product: '一年定期', date: '2026-12-10' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toMatchObject({ message: '李四女士您好，您的一年定期将于12月10日到期，电力路网点员工3恭候。', customerId: 'C2' });
    const c1 = (await preview(MANAGER, { body: '{姓名}{称谓}', kind: 'service', customerId: 'C1' })).json().data;
    expect(c1.message).toBe('张三明先生');
    const c11 = (await preview(MANAGER, { body: '{姓名}{称谓}', kind: 'marketing', customerId: 'C11' })).json().data;
    expect(c11).toEqual(expect.objectContaining({ message: `陈十一客户${OPT_OUT_LINE}`, chars: 11, segments: 1 }));
    // 64 characters and the 6 of the opt-out line: 70, one segment; one more: two
    expect((await preview(MANAGER, { body: '字'.repeat(64), kind: 'marketing' })).json().data).toMatchObject({ chars: 70, segments: 1 });
    expect((await preview(MANAGER, { body: '字'.repeat(65), kind: 'marketing' })).json().data).toMatchObject({ chars: 71, segments: 2 });
    expect((await preview(MANAGER, { body: '字'.repeat(65), kind: 'service' })).json().data).toMatchObject({ chars: 65, segments: 1 });
  });

  it('of a customer outside the scope answers 404; an unknown placeholder 400 with its position', async () => {
    expect((await preview(MANAGER, { body: '{姓名}', kind: 'service', customerId: 'C4' })).statusCode).toBe(404);
    const zh = await preview(MANAGER, { body: '您好，{姓}先生', kind: 'service' });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.fields).toEqual({ body: '未知占位符 {姓} 在第 4 个字符' });
    const en = await preview(MANAGER, { body: '尊敬的客户{姓}您好', kind: 'service' }, 'en');
    expect(en.json().error.fields).toEqual({ body: 'unknown placeholder {姓} at character 6' });
    expect((await api.post(MANAGER, '/api/templates', { name: 'x', kind: 'service', body: '{经理}' })).statusCode).toBe(400);
  });

  it('looks up the values of many customers at once', async () => {
    const v = await db.session((s) => recipientValues(s, ['C1', 'C2', 'C11', 'C4']));
    expect([...v.keys()].sort()).toEqual(['C1', 'C11', 'C2', 'C4']);
    expect(valuesFor(v.get('C4') ?? { name: '', gender: null, manager: null, branch: '' }, { date: '2027-01-01' })).toEqual({ 姓名: '赵六', 称谓: '先生', 客户经理: '吴经理', 网点: '湖墅网点', 产品: '', 日期: '1月1日' });
  });
});

describe('approving a template', () => {
  const decide = (login: string, id: string, decision: 'approve' | 'reject', note?: string) => api.post(login, `/api/templates/${id}/decision`, { decision, ...(note ? { note } : {}) });
  let t: Template;

  it('goes draft → submitted → approved by the head of its branch, never by its author (audited)', async () => {
    const r = await api.post(MANAGER, '/api/templates', { name: '理财沙龙邀请', kind: 'marketing', body: '{姓名}{称谓}您好，{网点}本周六举办理财沙龙，欢迎参加。' });
    expect(r.statusCode, r.body).toBe(200);
    t = r.json().data as Template;
    expect(t).toMatchObject({ version: 1, status: 'draft', branch: { id: 'B111' }, editable: true, decidable: false });
    expect(t.measure.message.endsWith(OPT_OUT_LINE)).toBe(true);
    // nothing to decide on a draft; the author holds no approval
    expect((await decide(HEAD_B111, t.templateId, 'approve')).statusCode).toBe(409);
    expect((await api.post(MANAGER, `/api/templates/${t.templateId}/submit`)).json().data.status).toBe('submitted');
    expect((await decide(MANAGER, t.templateId, 'approve')).statusCode).toBe(403);
    // waiting for its decision it is not changed
    expect((await api.put(MANAGER, `/api/templates/${t.templateId}`, { name: 'x', kind: 'marketing', body: '改' })).statusCode).toBe(409);
    // a head of another branch does not see it; the B111 head decides
    expect((await api.get(MANAGER_B211, `/api/templates/${t.templateId}`)).statusCode).toBe(404);
    expect((await api.get(HEAD_B111, '/api/templates?status=submitted')).json().data.items.map((x: Template) => [x.templateId, x.decidable])).toEqual([[t.templateId, true]]);
    const ok = await decide(HEAD_B111, t.templateId, 'approve', '同意');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toMatchObject({ status: 'approved', decidedBy: { staffId: HEAD_B111 }, decisionNote: '同意' });
    const audit = await db.session((s) => s.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE action LIKE 'template_%' ORDER BY entry_id`));
    expect(audit.rows.map((x) => [x.actor, x.action])).toEqual([
      [MANAGER, 'template_create'],
      [MANAGER, 'template_submit'],
      [HEAD_B111, 'template_approve'],
    ]);
  });

  it('once approved is not edited: a change makes the next version, a draft', async () => {
    const r = await api.put(MANAGER, `/api/templates/${t.templateId}`, { name: '理财沙龙邀请', kind: 'marketing', body: '{称谓}您好，{网点}本周日举办理财沙龙。' });
    expect(r.json().data).toMatchObject({ version: 2, status: 'draft' });
    const versions = (await api.get(MANAGER, `/api/templates/${t.templateId}`)).json().data.versions as Template[];
    expect(versions.map((v) => [v.version, v.status, v.body])).toEqual([
      [2, 'draft', '{称谓}您好，{网点}本周日举办理财沙龙。'],
      [1, 'approved', '{姓名}{称谓}您好，{网点}本周六举办理财沙龙，欢迎参加。'],
    ]);
    // a rejection needs its reason and sends the draft back to be changed
    await api.post(MANAGER, `/api/templates/${t.templateId}/submit`);
    expect((await decide(BRANCH_HEAD_B100, t.templateId, 'reject')).statusCode).toBe(400);
    expect((await decide(BRANCH_HEAD_B100, t.templateId, 'reject', '时间写错了')).json().data).toMatchObject({ version: 2, status: 'rejected', decisionNote: '时间写错了' });
    const again = await api.put(MANAGER, `/api/templates/${t.templateId}`, { name: '理财沙龙邀请', kind: 'marketing', body: '{称谓}您好，{网点}本周六举办理财沙龙。' });
    expect(again.json().data).toMatchObject({ version: 2, status: 'draft', decisionNote: null });
  });

  it('bank-wide (the department’s) is approved by the department, not by a branch head', async () => {
    const r = await api.post(PB_DEPT, '/api/templates', { name: '到期提醒', kind: 'service', body: '{姓名}{称谓}您好，您的{产品}将于{日期}到期。' });
    const b = r.json().data as Template;
    expect(b).toMatchObject({ branch: null, measure: { message: '{姓名}{称谓}您好，您的{产品}将于{日期}到期。' } });
    await api.post(PB_DEPT, `/api/templates/${b.templateId}/submit`);
    expect((await decide(BRANCH_HEAD_B100, b.templateId, 'approve')).statusCode).toBe(403);
    expect((await decide(PB_DEPT, b.templateId, 'approve')).statusCode).toBe(403);
    expect((await decide(PB_DEPT_2, b.templateId, 'approve')).json().data).toMatchObject({ status: 'approved', decidedBy: { staffId: PB_DEPT_2 } });
    // everyone sees a bank-wide template; tellers write none to approve
    expect((await api.get(MANAGER_B211, `/api/templates/${b.templateId}`)).statusCode).toBe(200);
    expect((await decide(OUTLET_STAFF.cm_supervisor, b.templateId, 'approve')).statusCode).toBe(403);
  });
});
