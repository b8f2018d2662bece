import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { customerNotFound, requireCustomer } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { chinaDay, type WorkActor } from '../worklist/worklist.common.js';
import type { Template } from './templates.contract.js';
import { checkPlaceholders, measure, renderTemplate, salutationOf, spokenDate, withOptOut, type TemplateValues } from './templates.text.js';

// Message templates (短信模板, issue 21 §2): written as drafts, submitted, approved or rejected by
// the head of the template's branch (a branch head whose subtree covers it; the department for a
// bank-wide one, which the department writes), never by their own author; every step audited. An
// approved version is never edited: a change makes the next version, a draft. A template of a
// branch is seen by that branch's people (an owner's outlet, a head's subtree, the department
// all); a bank-wide one by everyone.

type Kind = 'marketing' | 'service';
interface Row {
  template_id: string;
  version: number;
  name: string;
  kind: Kind;
  body: string;
  branch_id: string | null;
  branch_name: string | null;
  status: Template['status'];
  created_by: string;
  creator_name: string;
  created_at: Date | string;
  submitted_at: Date | string | null;
  decided_by: string | null;
  decider_name: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
}

const SELECT = `SELECT t.template_id, t.version, t.name, t.kind, t.body, t.branch_id, b.name AS branch_name, t.status, t.created_by,
       coalesce(cs.name, t.created_by) AS creator_name, t.created_at, t.submitted_at, t.decided_by, coalesce(ds.name, t.decided_by) AS decider_name,
       t.decided_at, t.decision_note
  FROM message_templates t
  LEFT JOIN branches b ON b.branch_id = t.branch_id
  LEFT JOIN staff cs ON cs.staff_id = t.created_by
  LEFT JOIN staff ds ON ds.staff_id = t.decided_by`;

const notFound = () => new AppError('not_found', text('没有这个短信模板，或它不在您的权限范围内。', 'There is no such message template within your scope.'));
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Sees a template: its author, anyone for a bank-wide one, anyone whose branches cover its branch. */
const sees = (user: SignedInUser, r: Row) => r.created_by === user.staffId || r.branch_id === null || user.scope === null || user.scope.includes(r.branch_id);
/** Changes a template: its author, or a head (the department) whose scope covers it. */
const mayEdit = (user: SignedInUser, r: Row) =>
  r.created_by === user.staffId || (user.permissions.includes('templates.approve') && (r.branch_id === null ? user.role === 'pb_dept' : user.scope === null || user.scope.includes(r.branch_id)));
/** Decides a submitted template: a branch head whose subtree covers its branch, the department a bank-wide one; never its author. */
export const mayDecide = (user: SignedInUser, r: { branch_id: string | null; created_by: string }) =>
  user.permissions.includes('templates.approve') &&
  r.created_by !== user.staffId &&
  (r.branch_id === null ? user.role === 'pb_dept' : user.role === 'branch_head' ? (user.scope?.includes(r.branch_id) ?? true) : user.role === 'pb_dept');

function present(user: SignedInUser, r: Row): Template {
  return {
    templateId: r.template_id,
    version: r.version,
    name: r.name,
    kind: r.kind,
    body: r.body,
    branch: r.branch_id === null ? null : { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    status: r.status,
    createdBy: { staffId: r.created_by, name: r.creator_name },
    createdAt: iso(r.created_at) ?? '',
    submittedAt: iso(r.submitted_at),
    decidedBy: r.decided_by ? { staffId: r.decided_by, name: r.decider_name ?? r.decided_by } : null,
    decidedAt: iso(r.decided_at),
    decisionNote: r.decision_note,
    measure: { message: withOptOut(r.body, r.kind), ...measure(withOptOut(r.body, r.kind)) },
    editable: mayEdit(user, r) && r.status !== 'submitted',
    decidable: r.status === 'submitted' && mayDecide(user, r),
  };
}

async function latest(s: SqlSession, user: SignedInUser, templateId: string, lock = false): Promise<Row> {
  const r = (await s.query<Row>(`${SELECT} WHERE t.template_id = $1 ORDER BY t.version DESC LIMIT 1${lock ? ' FOR UPDATE OF t' : ''}`, [templateId])).rows[0];
  if (!r || !sees(user, r)) throw notFound();
  return r;
}

const audit = (s: SqlSession, a: WorkActor, action: string, detail: Record<string, unknown>, reason: string | null = null) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, outcome: 'allowed', reason, detail });

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

function clean(body: { name: string; kind: Kind; body: string }) {
  const name = body.name.trim();
  if (!name) throw bad('name', '请填写模板名称。', 'Give the template a name.');
  const t = body.body.trim();
  if (!t) throw bad('body', '请填写短信内容。', 'Write the text of the message.');
  checkPlaceholders(t);
  return { name, kind: body.kind, body: t };
}

export async function listTemplates(db: Db, user: SignedInUser, status?: Template['status']) {
  const rows = await db.session(async (s) => {
    const params: unknown[] = [user.staffId ?? '', user.scope ? [...user.scope] : null];
    let where = `t.version = (SELECT max(v.version) FROM message_templates v WHERE v.template_id = t.template_id)
      AND (t.created_by = $1 OR t.branch_id IS NULL OR $2::text[] IS NULL OR t.branch_id = ANY($2::text[]))`;
    if (status) {
      params.push(status);
      where += ` AND t.status = $3`;
    }
    return (await s.query<Row>(`${SELECT} WHERE ${where} ORDER BY t.updated_at DESC, t.template_id`, params)).rows;
  });
  return { items: rows.map((r) => present(user, r)) };
}

export async function templateVersions(db: Db, user: SignedInUser, templateId: string) {
  return db.session(async (s) => {
    await latest(s, user, templateId);
    const rows = (await s.query<Row>(`${SELECT} WHERE t.template_id = $1 ORDER BY t.version DESC`, [templateId])).rows;
    return { versions: rows.map((r) => present(user, r)) };
  });
}

export async function getTemplate(db: Db, user: SignedInUser, templateId: string) {
  return present(user, await db.session((s) => latest(s, user, templateId)));
}

export async function createTemplate(db: Db, a: WorkActor, body: { name: string; kind: Kind; body: string }) {
  const t = clean(body);
  if (!a.user.staffId || !a.user.branchId) throw new AppError('forbidden', text('只有员工可以编写短信模板。', 'Only staff members write message templates.'));
  // the department writes for the whole bank; anyone else for their branch
  const branchId = a.user.role === 'pb_dept' ? null : a.user.branchId;
  const templateId = randomUUID();
  await db.transaction(async (s) => {
    await s.query(`INSERT INTO message_templates (template_id, version, name, kind, body, branch_id, created_by) VALUES ($1, 1, $2, $3, $4, $5, $6)`, [templateId, t.name, t.kind, t.body, branchId, a.user.staffId]);
    await audit(s, a, 'template_create', { templateId, version: 1, name: t.name, kind: t.kind });
  });
  return getTemplate(db, a.user, templateId);
}

/** A draft or rejected version is changed in place (a draft again); an approved one gets the next version; a submitted one waits for its decision. */
export async function changeTemplate(db: Db, a: WorkActor, templateId: string, body: { name: string; kind: Kind; body: string }) {
  const t = clean(body);
  await db.transaction(async (s) => {
    const r = await latest(s, a.user, templateId, true);
    if (!mayEdit(a.user, r)) throw new AppError('forbidden', text('只有模板的作者或其网点的负责人可以修改它。', 'Only the author of the template, or the head of its branch, may change it.'));
    if (r.status === 'submitted') throw new AppError('conflict', text('模板正在等待审批，审批后才能修改。', 'The template is waiting for approval; it can be changed once decided.'));
    if (r.status === 'approved') {
      await s.query(
        `INSERT INTO message_templates (template_id, version, name, kind, body, branch_id, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [templateId, r.version + 1, t.name, t.kind, t.body, r.branch_id, a.user.staffId ?? a.user.login],
      );
      await audit(s, a, 'template_create', { templateId, version: r.version + 1, name: t.name, kind: t.kind, from: r.version });
    } else {
      await s.query(
        `UPDATE message_templates SET name = $3, kind = $4, body = $5, status = 'draft', updated_at = now(), decided_by = NULL, decided_at = NULL, decision_note = NULL
          WHERE template_id = $1 AND version = $2`,
        [templateId, r.version, t.name, t.kind, t.body],
      );
      await audit(s, a, 'template_update', { templateId, version: r.version, name: t.name, kind: t.kind });
    }
  });
  return getTemplate(db, a.user, templateId);
}

export async function submitTemplate(db: Db, a: WorkActor, templateId: string) {
  await db.transaction(async (s) => {
    const r = await latest(s, a.user, templateId, true);
    if (!mayEdit(a.user, r)) throw new AppError('forbidden', text('只有模板的作者或其网点的负责人可以提交它。', 'Only the author of the template, or the head of its branch, may submit it.'));
    if (r.status !== 'draft' && r.status !== 'rejected') {
      throw new AppError('conflict', text(r.status === 'submitted' ? '模板已提交，正在等待审批。' : '模板已审批通过；修改它会生成新版本。', r.status === 'submitted' ? 'The template is already waiting for approval.' : 'The template is approved; a change makes a new version.'));
    }
    await s.query(`UPDATE message_templates SET status = 'submitted', submitted_by = $3, submitted_at = now(), updated_at = now() WHERE template_id = $1 AND version = $2`, [templateId, r.version, a.user.staffId ?? a.user.login]);
    await audit(s, a, 'template_submit', { templateId, version: r.version });
  });
  return getTemplate(db, a.user, templateId);
}

export async function decideTemplate(db: Db, a: WorkActor, templateId: string, body: { decision: 'approve' | 'reject'; note?: string | undefined }) {
  const note = body.note?.trim() || null;
  if (body.decision === 'reject' && !note) throw bad('note', '退回模板时请写明原因。', 'Say why the template is rejected.');
  await db.transaction(async (s) => {
    const r = await latest(s, a.user, templateId, true);
    if (r.status !== 'submitted') throw new AppError('conflict', text('只有已提交的模板可以审批。', 'Only a submitted template can be approved or rejected.'));
    if (r.created_by === a.user.staffId) throw new AppError('forbidden', text('不能审批自己编写的模板。', 'You cannot decide on a template you wrote.'));
    if (!mayDecide(a.user, r)) {
      throw new AppError('forbidden', text(r.branch_id === null ? '全行模板由个人金融部审批。' : '模板由其网点所属的负责人审批。', r.branch_id === null ? 'Bank-wide templates are approved by the personal banking department.' : "A template is approved by the head of its branch."));
    }
    const status = body.decision === 'approve' ? 'approved' : 'rejected';
    await s.query(`UPDATE message_templates SET status = $3, decided_by = $4, decided_at = now(), decision_note = $5, updated_at = now() WHERE template_id = $1 AND version = $2`, [
      templateId,
      r.version,
      status,
      a.user.staffId ?? a.user.login,
      note,
    ]);
    await audit(s, a, status === 'approved' ? 'template_approve' : 'template_reject', { templateId, version: r.version }, note);
  });
  return getTemplate(db, a.user, templateId);
}

// ---- values of the placeholders --------------------------------------------------------------

export interface RecipientValues {
  name: string;
  gender: string | null;
  manager: string | null;
  branch: string;
}

/** The per-customer values of the placeholders for a set of customers, in one query (a campaign's recipients). */
export async function recipientValues(s: SqlSession, customerIds: readonly string[]): Promise<Map<string, RecipientValues>> {
  const r = await s.query<{ customer_id: string; name: string; gender: string | null; manager: string | null; branch: string }>(
    `SELECT c.customer_id, c.name, c.gender, b.name AS branch,
            (SELECT st.name FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id
              WHERE o.customer_id = c.customer_id AND o.kind = 'primary' ORDER BY o.staff_id LIMIT 1) AS manager
       FROM customers c JOIN branches b ON b.branch_id = c.branch_id
      WHERE c.customer_id = ANY($1::text[])`,
    [[...new Set(customerIds)]],
  );
  return new Map(r.rows.map((x) => [x.customer_id, { name: x.name, gender: x.gender, manager: x.manager, branch: x.branch }]));
}

/** The placeholders' values for one recipient, with the campaign's product and date. */
export const valuesFor = (v: RecipientValues, o: { product?: string | undefined; date: string }): TemplateValues => ({
  姓名: v.name,
  称谓: salutationOf(v.gender),
  客户经理: v.manager ?? '',
  网点: v.branch,
  产品: o.product ?? '',
  日期: spokenDate(o.date),
});

/** A text previewed: for a customer within the scope (their values), or with the placeholders as written. */
export async function previewTemplate(db: Db, user: SignedInUser, b: { body: string; kind: Kind; customerId?: string | undefined; product?: string | undefined; date?: string | undefined }) {
  checkPlaceholders(b.body);
  const date = b.date ?? chinaDay(new Date());
  let values: TemplateValues = { 产品: b.product ?? '', 日期: spokenDate(date) };
  if (b.customerId) {
    await requireCustomer(db, user, b.customerId);
    const found = (await db.session((s) => recipientValues(s, [b.customerId ?? '']))).get(b.customerId);
    if (!found) throw customerNotFound();
    values = valuesFor(found, { product: b.product, date });
  }
  const message = withOptOut(b.customerId ? renderTemplate(b.body, values) : b.body, b.kind);
  return { message, ...measure(message), values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? ''])), customerId: b.customerId ?? null };
}
