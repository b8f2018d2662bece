import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import { NAMES_MASKED, ROLE_PERMISSIONS, ROLE_SCOPE, type Role } from '../access/access.permissions.js';
import { branchSubtree } from '../access/access.sql.js';
import { addDays, today, type WorkActor } from '../worklist/worklist.common.js';
import { recordContact } from '../worklist/worklist.log.js';
import type { OpportunityStage, PRODUCT_KINDS, TargetBody } from './opportunities.contract.js';
import { saveReview } from './opportunities.review.js';
import { createOpportunity, moveStage } from './opportunities.service.js';
import { createProspect, recordProspectContact } from './prospects.service.js';

// The demo bank's opportunities (商机): a board the demo customer manager can work at once — every
// stage, targets of each kind, next steps due today, overdue and ahead, two stale ones, one won and
// one lost this week — three prospects (one with an opportunity), a few opportunities of another
// manager of the outlet, and the branch head's weekly review of the business date, saved with two
// comments. Everything goes through the services as these staff members (stage history, rules and
// audit are the real ones); only what happened before "today" is written afterwards, in one
// commented place (backdate): the service makes everything on the business date. Seeded once: a
// demo manager who has opportunities or prospects already is left as they are (a rerun adds nothing).

export interface DemoOpportunitiesSeeded {
  businessDate: string;
  /** per owner: who, and how many opportunities were made for them */
  owners: { staffId: string; name: string; opportunities: number }[];
  prospects: number;
  review: { staffId: string; name: string; date: string; comments: number } | null;
}

/** The service's actor for a staff member, with the scope a sign-in gives them (access.service.ts userFromSession); also the other demo seeders'. */
export async function actorOf(db: Db, staffId: string): Promise<WorkActor | null> {
  const st = (
    await db.session((s) =>
      s.query<{ staff_id: string; name: string; role: Role; branch_id: string; branch_name: string }>(
        `SELECT st.staff_id, st.name, st.role, st.branch_id, b.name AS branch_name FROM staff st JOIN branches b ON b.branch_id = st.branch_id WHERE st.staff_id = $1 AND st.active`,
        [staffId],
      ),
    )
  ).rows[0];
  if (!st) return null;
  const kind = ROLE_SCOPE[st.role];
  const scope = kind === 'all' ? null : kind === 'none' ? [] : kind === 'subtree' ? await branchSubtree(db, st.branch_id) : [st.branch_id];
  return {
    user: {
      login: st.staff_id,
      name: st.name,
      role: st.role,
      staffId: st.staff_id,
      branchId: st.branch_id,
      branchName: st.branch_name,
      permissions: ROLE_PERMISSIONS[st.role],
      scope,
      ownerId: kind === 'owned' ? st.staff_id : null,
      masked: NAMES_MASKED.includes(st.role),
      csrfToken: '',
      tokenHash: '',
    },
    ip: null,
    lang: 'zh',
  };
}

/** One opportunity of the demo: made today by the service, then moved through `path`; `past` puts its history before today. */
interface Plan {
  /** whose: the next of the owner's customers (richest first), the customer near a VIP card standard, or a prospect */
  for: 'customer' | 'vip' | { prospect: number };
  target: TargetBody;
  source: 'walk_in' | 'campaign' | 'contact';
  campaign?: string;
  amount?: string;
  nextStep: string;
  /** the next step's date, in days from today (0: due today) */
  nextStepIn: number;
  notes?: string;
  /** the stages after identified, in order (the last may be won or lost) */
  path?: OpportunityStage[];
  lostReason?: string;
  /** days before today: made, then each stage of `path`; and a next step's date already past (overdue) */
  past?: { made: number; moves: number[]; nextStepAgo?: number };
  /** the branch head's comment on it in the saved weekly review */
  comment?: string;
}

const CAMPAIGN = '年末存款旺季营销';
const product = (code: string): TargetBody => ({ type: 'product', code });
const kind = (code: (typeof PRODUCT_KINDS)[number]): TargetBody => ({ type: 'product_kind', code });

/** The demo customer manager's: about a dozen, over every stage. */
const MANAGER_PLANS: Plan[] = [
  { for: 'customer', target: kind('wealth'), source: 'walk_in', amount: '200000', nextStep: '电话联系客户，介绍稳盈系列理财', nextStepIn: 0 },
  { for: 'customer', target: product('LCD003Y'), source: 'campaign', campaign: CAMPAIGN, amount: '500000', nextStep: '邀请客户到网点了解大额存单', nextStepIn: 3, past: { made: 2, moves: [] } },
  {
    for: 'vip', target: { type: 'vip_signing' }, source: 'campaign', campaign: '贵宾客户升级季', nextStep: '预约客户到网点办理贵宾客户签约', nextStepIn: 0,
    path: ['contacted'], past: { made: 10, moves: [6], nextStepAgo: 3 },
  },
  { for: 'customer', target: kind('insurance'), source: 'contact', amount: '50000', nextStep: '约客户到网点面谈子女教育保险方案', nextStepIn: 1, path: ['contacted'], notes: '客户电话中咨询子女教育保险' },
  { for: 'customer', target: kind('fund'), source: 'walk_in', amount: '100000', nextStep: '复核风险测评，推荐基金组合', nextStepIn: 0, path: ['contacted', 'needs_confirmed'], past: { made: 12, moves: [8, 3] } },
  { for: 'customer', target: product('WM091R2'), source: 'campaign', campaign: CAMPAIGN, amount: '300000', nextStep: '发送产品说明书，确认认购金额', nextStepIn: 5, path: ['contacted', 'needs_confirmed'], past: { made: 5, moves: [4, 1] } },
  {
    for: 'customer', target: product('INS01'), source: 'walk_in', amount: '100000', nextStep: '与客户确认保单条款并预约签约', nextStepIn: 2,
    path: ['contacted', 'needs_confirmed', 'proposed'], past: { made: 20, moves: [15, 9, 2] },
  },
  {
    for: 'customer', target: kind('time_deposit'), source: 'campaign', campaign: CAMPAIGN, amount: '800000', nextStep: '等待客户答复到期资金续存方案', nextStepIn: 7,
    path: ['contacted', 'needs_confirmed', 'proposed'], past: { made: 9, moves: [7, 5, 4] },
  },
  // stale: more than 30 days in one stage
  { for: 'customer', target: product('FD01R2'), source: 'walk_in', amount: '150000', nextStep: '再次电话联系，了解客户顾虑', nextStepIn: 2, path: ['contacted'], past: { made: 45, moves: [40] } },
  // stale: its next step more than 7 days past
  {
    for: 'customer', target: product('WM365R3'), source: 'walk_in', amount: '400000', nextStep: '约客户面谈理财配置方案', nextStepIn: 0,
    path: ['contacted', 'needs_confirmed'], past: { made: 30, moves: [26, 20], nextStepAgo: 12 }, comment: '下一步已逾期，请本周内约客户面谈',
  },
  { for: 'customer', target: product('WM182R2'), source: 'campaign', campaign: CAMPAIGN, amount: '200000', nextStep: '介绍稳盈半年享', nextStepIn: 1, path: ['contacted', 'proposed', 'won'], past: { made: 16, moves: [12, 5, 1] } },
  {
    for: 'customer', target: product('LN04'), source: 'walk_in', amount: '150000', nextStep: '提供汽车贷款利率方案', nextStepIn: 1, path: ['contacted', 'lost'],
    lostReason: '客户已在他行办理，利率更低', past: { made: 14, moves: [10, 3] }, comment: '复盘未成交原因，下周例会分享他行利率情况',
  },
  { for: { prospect: 0 }, target: kind('wealth'), source: 'walk_in', amount: '100000', nextStep: '邀请客户开户并介绍新客理财', nextStepIn: 1 },
];

/** Another manager of the outlet: a few, so that the weekly review compares people. */
const OTHER_PLANS: Plan[] = [
  { for: 'customer', target: kind('wealth'), source: 'walk_in', amount: '300000', nextStep: '电话联系客户，了解理财需求', nextStepIn: 0, past: { made: 1, moves: [] } },
  { for: 'customer', target: product('TD003Y'), source: 'campaign', campaign: CAMPAIGN, amount: '200000', nextStep: '等待客户确认存期', nextStepIn: 4, path: ['contacted', 'needs_confirmed', 'proposed'], past: { made: 8, moves: [6, 4, 2] } },
  { for: 'customer', target: product('INS03'), source: 'walk_in', amount: '50000', nextStep: '介绍安康两全保险', nextStepIn: 1, path: ['contacted', 'won'], past: { made: 6, moves: [3, 0] } },
  { for: 'customer', target: kind('fund'), source: 'walk_in', amount: '80000', nextStep: '再次联系客户', nextStepIn: 3, path: ['contacted'], past: { made: 50, moves: [35] } },
];

const PROSPECTS = [
  { name: '陈晓峰', phone: '13957120418', source: 'walk_in' as const, notes: '到店咨询理财，尚未在本行开户', contact: { channel: 'branch' as const, outcome: 'interested' as const, notes: '留下联系方式，约下周再来网点' } },
  { name: '林雅婷', phone: '13858061237', source: 'referral' as const, notes: '老客户介绍，有购房贷款需求', contact: { channel: 'phone' as const, outcome: 'reached' as const, notes: '电话沟通，客户月底看房后再联系' } },
  { name: '周建华', phone: '18968015526', source: 'campaign' as const, notes: '社区金融知识讲座登记' },
];

/** The time of something done on a business date: 10:00 China time that day (now, if that is still ahead). */
const onDay = (date: string, now = new Date()) => {
  const at = new Date(`${date}T10:00:00+08:00`);
  return (at.getTime() < now.getTime() ? at : now).toISOString();
};

export async function seedDemoOpportunities(db: Db, logins: readonly DemoLogin[]): Promise<DemoOpportunitiesSeeded | null> {
  const manager = logins.find((l) => l.role === 'customer_manager');
  const head = logins.find((l) => l.role === 'branch_head');
  if (!manager) return null;
  const seen = await db.session((s) =>
    s.query<{ n: number }>(`SELECT (SELECT count(*) FROM opportunities WHERE owner_id = $1) + (SELECT count(*) FROM prospects WHERE owner_id = $1) AS n`, [manager.login]),
  );
  if (Number(seen.rows[0]?.n ?? 0) > 0) return null;
  const asOf = await today(db);
  const me = await actorOf(db, manager.login);
  if (!asOf || !me) return null;
  const outlet = me.user.branchId ?? '';
  const products = new Set((await db.session((s) => s.query<{ product_code: string }>('SELECT product_code FROM products'))).rows.map((r) => r.product_code));

  const prospectIds: string[] = [];
  for (const p of PROSPECTS) {
    const made = await createProspect(db, me, { name: p.name, phone: p.phone, source: p.source, notes: p.notes });
    prospectIds.push(made.prospectId);
    if (p.contact) await recordProspectContact(db, me, made.prospectId, { ...p.contact, contactedAt: onDay(asOf), nextContactOn: addDays(asOf, 5) });
  }

  const owners: DemoOpportunitiesSeeded['owners'] = [];
  const comments: { opportunityId: string; body: string }[] = [];
  const work = async (actor: WorkActor, plans: readonly Plan[]) => {
    const staffId = actor.user.staffId ?? '';
    const customers = await customersOf(db, staffId);
    const vip = await nearCardStandard(db, staffId);
    const others = customers.filter((c) => c !== vip?.customerId);
    let next = 0;
    let made = 0;
    for (const plan of plans) {
      const prospectId = typeof plan.for === 'object' ? prospectIds[plan.for.prospect] : undefined;
      const customerId = typeof plan.for === 'object' ? undefined : plan.for === 'vip' && vip ? vip.customerId : others[next++ % Math.max(others.length, 1)];
      if (!prospectId && !customerId) continue;
      // a product the catalogue does not have (a bank's own feed): its kind instead
      const target: TargetBody = plan.target.type === 'product' && !products.has(plan.target.code) ? kind(productKindOf(plan.target.code)) : plan.target;
      const notes = plan.notes ?? (plan.for === 'vip' && vip && customerId === vip.customerId ? vip.notes : undefined);
      let contactId: string | undefined;
      if (plan.source === 'contact' && customerId) {
        const c = await recordContact(db, actor, { customerId, channel: 'phone', outcome: 'interested', notes, contactedAt: onDay(asOf), nextContactOn: addDays(asOf, plan.nextStepIn + 1), reminders: [], source: 'customer' });
        contactId = c.contactId;
      }
      const o = await createOpportunity(db, actor, {
        ...(customerId ? { customerId } : { prospectId }),
        ...(contactId ? { contactId } : plan.source === 'campaign' ? { campaign: plan.campaign ?? CAMPAIGN } : { source: plan.source }),
        target,
        ...(plan.amount ? { expectedAmount: plan.amount } : {}),
        nextStep: plan.nextStep,
        nextStepOn: addDays(asOf, plan.nextStepIn),
        ...(notes ? { notes } : {}),
      });
      for (const stage of plan.path ?? []) {
        await moveStage(db, actor, o.opportunityId, { stage, ...(stage === 'lost' ? { lostReason: plan.lostReason ?? '客户暂无需求' } : {}) });
      }
      if (plan.past) await backdate(db, { customerId: o.customer?.customerId ?? '', opportunityId: o.opportunityId }, asOf, plan.past);
      if (plan.comment) comments.push({ opportunityId: o.opportunityId, body: plan.comment });
      made++;
    }
    owners.push({ staffId, name: actor.user.name, opportunities: made });
  };

  await work(me, MANAGER_PLANS);
  const colleague = await otherManager(db, outlet, manager.login);
  const other = colleague ? await actorOf(db, colleague) : null;
  if (other) await work(other, OTHER_PLANS);

  let review: DemoOpportunitiesSeeded['review'] = null;
  const reviewer = head ? await actorOf(db, head.login) : null;
  if (reviewer) {
    await saveReview(db, reviewer, { date: asOf, comments });
    review = { staffId: reviewer.user.staffId ?? '', name: reviewer.user.name, date: asOf, comments: comments.length };
  }
  return { businessDate: asOf, owners, prospects: prospectIds.length, review };
}

/** The demo products' kinds, by their codes (products.csv of the demo bank). */
function productKindOf(code: string): 'wealth' | 'time_deposit' | 'fund' | 'insurance' | 'loan' {
  if (code.startsWith('LCD') || code.startsWith('TD')) return 'time_deposit';
  if (code.startsWith('FD')) return 'fund';
  if (code.startsWith('INS')) return 'insurance';
  if (code.startsWith('LN')) return 'loan';
  return 'wealth';
}

/** A staff member's customers, richest first; those who may be marketed to (not service-only) before the others. */
async function customersOf(db: Db, staffId: string): Promise<string[]> {
  const r = await db.session((s) =>
    s.query<{ customer_id: string }>(
      `SELECT o.customer_id FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id AND c.status = 'active'
         LEFT JOIN customer_overview ov ON ov.customer_id = o.customer_id
        WHERE o.staff_id = $1
        ORDER BY (c.marketing_consent AND NOT c.do_not_disturb) DESC, (o.kind = 'primary') DESC, ov.aum DESC NULLS LAST, o.customer_id LIMIT 40`,
      [staffId],
    ),
  );
  return r.rows.map((x) => x.customer_id);
}

const GRADES: Record<string, string> = { gold: '金卡', platinum: '白金卡', diamond: '钻石卡' };
const wan = (v: string | null) => (v === null || !Number.isFinite(Number(v)) ? '' : `${(Number(v) / 10_000).toFixed(1).replace(/\.0$/, '')}万`);

/** A customer of the staff member whose assets reached a VIP card's standard without the card (the latest vip_card_due event), if any, and a note saying so. */
async function nearCardStandard(db: Db, staffId: string): Promise<{ customerId: string; notes: string } | undefined> {
  const r = await db.session((s) =>
    s.query<{ customer_id: string; grade: string | null; standard: string | null; aum: string | null }>(
      `SELECT e.customer_id, e.facts->>'grade' AS grade, e.facts->>'standard' AS standard, e.facts->>'aum_avg_mtd' AS aum
         FROM customer_events e JOIN customer_owners o ON o.customer_id = e.customer_id AND o.staff_id = $1
        WHERE e.event = 'vip_card_due' ORDER BY e.business_date DESC, e.customer_id LIMIT 1`,
      [staffId],
    ),
  );
  const e = r.rows[0];
  if (!e) return undefined;
  const grade = GRADES[e.grade ?? ''] ?? '贵宾卡';
  return { customerId: e.customer_id, notes: `月日均资产${wan(e.aum)}，已达${grade}标准${wan(e.standard)}，尚未签约` };
}

/** Another customer manager of the outlet who owns customers (else its supervisor), with them. */
async function otherManager(db: Db, outlet: string, except: string): Promise<string | undefined> {
  const r = await db.session((s) =>
    s.query<{ staff_id: string }>(
      `SELECT staff_id FROM staff WHERE branch_id = $1 AND active AND staff_id <> $2 AND role IN ('customer_manager', 'cm_supervisor')
        ORDER BY (role = 'customer_manager') DESC, staff_id`,
      [outlet, except],
    ),
  );
  // a few staff: each asked on its own (Citus plans no correlated subquery beside the staff, a reference table)
  for (const { staff_id } of r.rows) if ((await customersOf(db, staff_id)).length) return staff_id;
  return undefined;
}

/**
 * The one write behind the services' back: the service makes and moves an opportunity on the
 * business date ("today"), and a demo needs some made weeks ago, long in a stage (stale), or with a
 * next step already past. This moves the dates of what the service wrote — its creation, each
 * stage change (seq 1 the creation, then each move), the stage's start, the closing of a closed
 * one, the next step's date — to the given days before today; nothing else changes.
 */
async function backdate(db: Db, k: { customerId: string; opportunityId: string }, asOf: string, past: { made: number; moves: number[]; nextStepAgo?: number }): Promise<void> {
  const days = [past.made, ...past.moves].map((ago) => addDays(asOf, -ago));
  const at = (day: string, seq: number) => new Date(`${day}T${String(9 + seq).padStart(2, '0')}:00:00+08:00`).toISOString();
  const last = days.length - 1;
  const lastDay = days[last] ?? asOf;
  await db.transaction(async (s) => {
    for (const [i, day] of days.entries()) {
      await s.query('UPDATE opportunity_stages SET changed_on = $4::date, changed_at = $5::timestamptz WHERE customer_id = $1 AND opportunity_id = $2 AND seq = $3', [
        k.customerId, k.opportunityId, i + 1, day, at(day, i + 1),
      ]);
    }
    await s.query(
      `UPDATE opportunities
          SET created_on = $3::date, created_at = $4::timestamptz, stage_since = $5::date, updated_at = $6::timestamptz,
              closed_on = CASE WHEN closed_at IS NULL THEN NULL ELSE $5::date END,
              closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE $6::timestamptz END,
              next_step_on = CASE WHEN closed_at IS NULL THEN coalesce($7::date, next_step_on) ELSE next_step_on END
        WHERE customer_id = $1 AND opportunity_id = $2`,
      [k.customerId, k.opportunityId, days[0] ?? asOf, at(days[0] ?? asOf, 1), lastDay, at(lastDay, last + 1), past.nextStepAgo === undefined ? null : addDays(asOf, -past.nextStepAgo)],
    );
  });
}
