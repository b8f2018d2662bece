import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { viewName } from '../../platform/pii.js';
import type { Role } from '../access/access.permissions.js';
import { customerScope, piiView, scopeSql } from '../access/access.scope.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { addDays } from '../events/events.calendar.js';
import { OPEN_STAGES } from '../opportunities/opportunities.contract.js';
import { OUTLETS_PER_MANAGER_VIEW } from '../opportunities/opportunities.review.js';
import { bankWeekByOutlet, visibleSql, weekFigures, type OwnerWeek } from '../opportunities/opportunities.sql.js';
import { staffByIds, type StaffRow } from '../ownership/ownership.sql.js';
import { tierLabel, tierOrder } from '../tiering/tiering.explain.js';
import { builtInPolicies } from '../tiering/tiering.policies.js';
import type { PolicyDocument } from '../tiering/tiering.policy.js';
import { ITEM_STATES, type ItemMeasure, type ItemsQuery, type PeriodQuery } from './dashboards.contract.js';
import { conversion, DASHBOARD_BAND_MODEL, ratio } from './dashboards.rules.js';
import * as q from './dashboards.sql.js';

// The branch head's and the department's dashboards (issue 20 §2): for a period from business
// date A to B and a scope of branches, churn, contact-plan execution, the opportunity funnel,
// referrals, events handled, customers and AUM per band, and the lists behind every number. What a
// bank's customers, plan items and reminders would make slow is read from the tables the nightly
// dashboards step fills (dashboards.batch.ts); opportunities and referrals are counted as they are
// now, from their indexes.

type Branches = readonly string[] | null;
interface BranchInfo {
  branch_id: string;
  name: string;
  parent_id: string | null;
  level: string;
}
interface Scope {
  branches: Branches;
  branch: { id: string; name: string } | null;
}
interface Period {
  from: string;
  to: string;
}

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

/**
 * The branches a dashboard covers: the user's scope, narrowed to a branch's subtree (404 outside
 * it). A role that sees only the customers it owns has no branch to compare: refused.
 */
async function scopeOf(db: Db, user: SignedInUser, branchId: string | undefined): Promise<Scope> {
  if (user.ownerId !== null) {
    throw new AppError('forbidden', text('看板按机构统计，您的岗位只能查看自己管户的客户。', 'The dashboards count whole branches; your role sees only the customers you own.'));
  }
  const branches = await branchesWithinScope(db, user, branchId);
  if (!branchId) return { branches, branch: null };
  const info = await db.session((s) => s.query<{ name: string }>('SELECT name FROM branches WHERE branch_id = $1', [branchId]));
  return { branches, branch: { id: branchId, name: info.rows[0]?.name ?? branchId } };
}

/** The period asked for (both loaded business dates, A not after B), or the default: the latest month. */
async function periodOf(s: SqlSession, f: { from?: string | undefined; to?: string | undefined }): Promise<Period> {
  const given = [f.from, f.to].filter((d): d is string => d !== undefined);
  const loaded = await q.loadedAmong(s, given);
  for (const field of ['from', 'to'] as const) {
    const d = f[field];
    if (d !== undefined && !loaded.has(d)) throw bad(field, `${d} 不是已加载的业务日期。`, `${d} is not a loaded business date.`);
  }
  const dflt = f.from === undefined || f.to === undefined ? await q.defaultPeriod(s, f.to ?? null) : { from: null, to: null };
  const to = f.to ?? dflt.to;
  const from = f.from ?? (dflt.from && to && dflt.from > to ? to : dflt.from);
  if (!from || !to) throw bad('to', '还没有加载任何业务日期。', 'No business date has been loaded yet.');
  if (from > to) throw bad('from', `期初 ${from} 晚于期末 ${to}。`, `The start ${from} is after the end ${to}.`);
  return { from, to };
}

async function periodInfo(s: SqlSession, p: Period) {
  const d = await q.periodDates(s, p.from, p.to);
  return { missingDates: d.loaded.filter((x) => !d.run.has(x)), countedOn: d.lastRun, dates: await q.latestDates(s, 500) };
}

const within = (branches: Branches) => (b: string) => branches === null || branches.includes(b);
const sumMoney = (xs: readonly (string | null | undefined)[]) => {
  // cents as BigInt: exact whatever the total
  let cents = 0n;
  for (const x of xs) {
    if (!x) continue;
    const neg = x.startsWith('-');
    const [i = '0', f = ''] = x.replace('-', '').split('.');
    const v = BigInt(i) * 100n + BigInt((f + '00').slice(0, 2));
    cents += neg ? -v : v;
  }
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};

const staffRefOf = (m: Map<string, StaffRow>, id: string) => {
  const st = m.get(id);
  return { staffId: id, name: st?.name ?? id, role: (st?.role ?? 'customer_manager') as Role };
};

/** Whether the per-staff lists are worth giving: a scope of a few outlets (a bank's hundreds are compared per branch instead). */
async function listsStaff(s: SqlSession, branches: Branches): Promise<boolean> {
  const r = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM branches WHERE ($1::text[] IS NULL OR branch_id = ANY($1::text[])) AND level = 'outlet'`, [branches ? [...branches] : null]);
  return (r.rows[0]?.n ?? 0) <= OUTLETS_PER_MANAGER_VIEW;
}

/** The opportunity figures of the period, per owner (`by: 'owner'`) or per outlet; the whole bank's counted from its indexes alone. */
async function opportunityFigures(db: Db, user: SignedInUser, p: Period, branches: Branches, by: 'owner' | 'outlet'): Promise<OwnerWeek[]> {
  const from = addDays(p.from, 1);
  if (branches === null && by === 'outlet') return bankWeekByOutlet(db, from, p.to);
  return db.transaction(async (s) => {
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0');
    return weekFigures(s, user, { branches, ownerId: null, from, to: p.to }, by);
  });
}

const funnel = (x: { created: number; won: number; lost: number; won_amount: string; open: number }) => ({
  created: x.created,
  won: x.won,
  lost: x.lost,
  wonAmount: x.won_amount,
  conversion: conversion(x.won, x.lost),
  open: x.open,
});
const referralsOf = (x: q.ReferralRow) => ({
  sent: x.sent,
  pending: x.pending,
  signed: x.signed,
  productSold: x.product_sold,
  declined: x.declined,
  conversion: ratio(x.signed + x.product_sold, x.signed + x.product_sold + x.declined),
});
const eventsOf = (x: { raised: number; handled: number; open: number; expired: number }) => ({ ...x, rate: ratio(x.handled, x.raised) });
const plansOf = (x: { planned: number; done: number }) => ({ planned: x.planned, done: x.done, rate: ratio(x.done, x.planned) });

function add<T, K extends keyof T>(rows: readonly T[], keys: readonly K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const r of rows) for (const k of keys) out[k] += Number(r[k]);
  return out;
}

async function branchNames(s: SqlSession, ids: readonly string[]): Promise<Map<string, string>> {
  const r = await s.query<{ branch_id: string; name: string }>('SELECT branch_id, name FROM branches WHERE branch_id = ANY($1::text[])', [[...new Set(ids)]]);
  return new Map(r.rows.map((b) => [b.branch_id, b.name]));
}

/**
 * A read of the dashboards: on a server without JIT and parallel workers, whose start (compiling,
 * forking) costs more than these short index scans and aggregates take.
 */
function read<T>(db: Db, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  return db.transaction(async (s) => {
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0');
    return fn(s);
  });
}

/** The period's figures of the branches (null: the bank), each read at once on a server (a connection each), in turn on the embedded engine. */
async function figures(db: Db, p: Period, branches: Branches, perBranch: boolean) {
  const [bands, churn, plans, events, referrals] = await Promise.all([
    read(db, (s) => q.bandFigures(s, p.from === p.to ? [p.to] : [p.from, p.to], branches, perBranch)),
    read(db, (s) => q.churnByBranch(s, p.from, p.to, branches)),
    read(db, (s) => q.planFigures(s, p.from, p.to, branches)),
    read(db, (s) => q.eventFigures(s, p.from, p.to, branches)),
    read(db, (s) => q.referralFigures(s, q.chinaMidnight(addDays(p.from, 1)), q.chinaMidnight(addDays(p.to, 1)), branches)),
  ]);
  return { bands, churn, plans, events, referrals };
}

/** The branch head's dashboard: the scope's figures for the period, and per staff member when the scope is a few outlets. */
export async function branchDashboard(db: Db, user: SignedInUser, f: PeriodQuery) {
  const scope = await scopeOf(db, user, f.branchId);
  const { p, info, perStaff } = await db.session(async (s) => {
    const p = await periodOf(s, f);
    return { p, info: await periodInfo(s, p), perStaff: await listsStaff(s, scope.branches) };
  });
  const branches = scope.branches;
  const [opps, { bands, churn, plans, events, referrals }, stages] = await Promise.all([
    opportunityFigures(db, user, p, branches, perStaff ? 'owner' : 'outlet'),
    figures(db, p, branches, false),
    // the open opportunities by stage, which the ranking has no column for
    read(db, (s) => {
      const vparams: unknown[] = [];
      return q.openByStage(s, branches, visibleSql(user, vparams), vparams);
    }),
  ]);
  const onDate = (d: string) => bands.filter((b) => b.business_date === d);
  return db.session(async (s) => {
    const staffIds = perStaff ? [...plans.map((x) => x.staff_id), ...events.map((x) => x.staff_id), ...referrals.map((x) => x.referrer_id), ...opps.map((x) => x.owner_id)] : [];
    const staff = await staffByIds(s, staffIds);
    const names = await branchNames(s, [...plans.map((x) => x.branch_id), ...events.map((x) => x.branch_id), ...referrals.map((x) => x.branch_id), ...[...staff.values()].map((x) => x.branch_id)]);
    const branchRef = (id: string) => ({ id, name: names.get(id) ?? id });
    const churnTotal = add(churn, ['customers', 'left_feed', 'zeroed']);
    const oppTotal = { ...add(opps, ['created', 'won', 'lost', 'open']), won_amount: sumMoney(opps.map((x) => x.won_amount)) };
    const refTotal = { referrer_id: '', branch_id: '', ...add(referrals, ['sent', 'pending', 'signed', 'product_sold', 'declined']) };
    const kindTotal = (k?: 'risk' | 'opportunity') => eventsOf(add(events.filter((e) => !k || e.kind === k), ['raised', 'handled', 'open', 'expired']));
    // per staff member: their rows summed (a staff member who moved outlet in the period has rows under both)
    const perStaffSum = <T extends { staff_id: string; branch_id: string }, K extends keyof T>(rows: readonly T[], keys: readonly K[]): { id: string; branch: string; sums: Record<K, number> }[] => {
      const by = new Map<string, T[]>();
      for (const r of rows) by.set(r.staff_id, [...(by.get(r.staff_id) ?? []), r]);
      return [...by.entries()].map(([id, rs]) => ({ id, branch: staff.get(id)?.branch_id ?? rs[0]?.branch_id ?? '', sums: add(rs, keys) }));
    };
    const byName = (a: { staff: { staffId: string } }, b: { staff: { staffId: string } }) => (a.staff.staffId < b.staff.staffId ? -1 : a.staff.staffId > b.staff.staffId ? 1 : 0);
    return {
      from: p.from,
      to: p.to,
      branch: scope.branch,
      ...info,
      staffListed: perStaff,
      customers: {
        onA: onDate(p.from).reduce((n, b) => n + b.customers, 0),
        onB: onDate(p.to).reduce((n, b) => n + b.customers, 0),
        aumOnA: sumMoney(onDate(p.from).map((b) => b.aum)),
        aumOnB: sumMoney(onDate(p.to).map((b) => b.aum)),
      },
      churn: { customers: churnTotal.customers, leftFeed: churnTotal.left_feed, zeroed: churnTotal.zeroed, aumLost: sumMoney(churn.map((c) => c.aum_lost)) },
      plans: {
        ...plansOf(add(plans, ['planned', 'done'])),
        managers: perStaff
          ? perStaffSum(plans, ['planned', 'done'])
              .map((x) => ({ staff: staffRefOf(staff, x.id), branch: branchRef(x.branch), ...plansOf(x.sums) }))
              .sort(byName)
          : [],
      },
      funnel: {
        ...funnel(oppTotal),
        stages: OPEN_STAGES.map((stage) => ({ stage, count: stages.filter((x) => x.stage === stage).reduce((n, x) => n + x.n, 0) })),
        owners: perStaff
          ? opps
              .filter((x) => x.created + x.won + x.lost + x.open > 0)
              .map((x) => ({ staff: staffRefOf(staff, x.owner_id), branch: branchRef(staff.get(x.owner_id)?.branch_id ?? ''), ...funnel(x) }))
              .sort(byName)
          : [],
      },
      referrals: {
        ...referralsOf(refTotal),
        referrers: perStaff
          ? referrals
              .map((x) => ({ staff: staffRefOf(staff, x.referrer_id), branch: branchRef(x.branch_id), ...referralsOf(x) }))
              .sort((a, b) => byName(a, b) || (a.branch.id < b.branch.id ? -1 : 1))
          : [],
      },
      events: {
        ...kindTotal(),
        kinds: { risk: kindTotal('risk'), opportunity: kindTotal('opportunity') },
        staff: perStaff
          ? perStaffSum(events, ['raised', 'handled', 'open', 'expired'])
              .map((x) => ({ staff: staffRefOf(staff, x.id), branch: branchRef(x.branch), ...eventsOf(x.sums) }))
              .sort(byName)
          : [],
      },
    };
  });
}

/** The newest version of the band model's policy (or the shipped one). */
async function bandPolicy(s: SqlSession, model: string): Promise<PolicyDocument | undefined> {
  const r = await s.query<{ document: PolicyDocument }>('SELECT document FROM policies WHERE model = $1 ORDER BY version DESC LIMIT 1', [model]);
  return r.rows[0]?.document ?? builtInPolicies().find((p) => p.model === model);
}

/** Customers and AUM per band at each month's end (the month's last business date the batch counted), oldest first. */
export async function bandMonths(db: Db, user: SignedInUser, f: { to?: string | undefined; branchId?: string | undefined; months: number }) {
  const scope = await scopeOf(db, user, f.branchId);
  return db.session(async (s) => {
    const { to } = await periodOf(s, { to: f.to, from: f.to });
    const [y, m] = to.split('-').map(Number) as [number, number];
    const first = new Date(Date.UTC(y, m - 1 - (f.months - 1), 1)).toISOString().slice(0, 10);
    const dates = (await q.monthEnds(s, addDays(first, -1), to)).reverse();
    const rows = await q.bandFigures(s, dates, scope.branches, false);
    const policy = await bandPolicy(s, DASHBOARD_BAND_MODEL);
    const order = policy ? tierOrder(policy, DASHBOARD_BAND_MODEL) : [...new Set(rows.map((r) => r.band))].sort();
    // bands the policy no longer names (an older version's) after its own
    const bands = [...order, ...[...new Set(rows.map((r) => r.band))].filter((b) => !order.includes(b)).sort()];
    return {
      branch: scope.branch,
      model: DASHBOARD_BAND_MODEL,
      bands: bands.map((band) => ({ band, label: tierLabel(policy, DASHBOARD_BAND_MODEL, band) })),
      months: dates.map((date) => ({
        month: date.slice(0, 7),
        date,
        bands: bands.map((band) => {
          const r = rows.find((x) => x.business_date === date && x.band === band);
          return { band, customers: r?.customers ?? 0, aum: r ? sumMoney([r.aum]) : '0.00' };
        }),
      })),
    };
  });
}

/** The root of the bank (the branch without a parent; the bank level first). */
async function allBranches(s: SqlSession): Promise<BranchInfo[]> {
  return (await s.query<BranchInfo>('SELECT branch_id, name, parent_id, level FROM branches ORDER BY branch_id')).rows;
}

/**
 * The department's ranking: the branches directly under a branch (default: under the bank for the
 * department, under their own branch for a branch head) side by side, each with its subtree's
 * figures for the period. A branch without branches under it is compared alone.
 */
export async function branchRanking(db: Db, user: SignedInUser, f: PeriodQuery) {
  if (user.ownerId !== null) await scopeOf(db, user, undefined);
  const tree = await db.session(allBranches);
  const byId = new Map(tree.map((b) => [b.branch_id, b]));
  const root = tree.find((b) => b.parent_id === null && b.level === 'bank') ?? tree.find((b) => b.parent_id === null);
  const parentId = f.branchId ?? (user.scope === null ? root?.branch_id : user.branchId ?? undefined);
  if (!parentId) throw bad('branchId', '还没有机构数据。', 'No branches have been loaded yet.');
  const scope = await scopeOf(db, user, parentId);
  const parent = byId.get(parentId);
  if (!parent) throw new AppError('not_found', text('没有这个网点，或它不在您的权限范围内。', 'There is no such branch within your scope.'));
  const inScope = within(scope.branches);
  const children = tree.filter((b) => b.parent_id === parentId && inScope(b.branch_id));
  const rowsOf = children.length ? children : [parent];
  // every branch of the subtree to the row it counts under
  const rowOf = new Map<string, string>();
  for (const b of tree) {
    let x: BranchInfo | undefined = b;
    for (let depth = 0; x && depth < 32; depth++) {
      if (rowsOf.some((r) => r.branch_id === x?.branch_id)) {
        rowOf.set(b.branch_id, x.branch_id);
        break;
      }
      x = x.parent_id ? byId.get(x.parent_id) : undefined;
    }
  }
  const { p, info } = await db.session(async (s) => {
    const p = await periodOf(s, f);
    return { p, info: await periodInfo(s, p) };
  });
  // the whole bank's when the parent is the root and the user sees it all
  const branches = parentId === root?.branch_id && user.scope === null ? null : scope.branches;
  const [opps, { bands, churn, plans, events, referrals }] = await Promise.all([opportunityFigures(db, user, p, branches, 'outlet'), figures(db, p, branches, true)]);
  {
    const empty = () => ({ customers: 0, customersOnA: 0, aum: [] as string[], aumOnA: [] as string[], churn: 0, aumLost: [] as string[], planned: 0, done: 0, created: 0, won: 0, lost: 0, referrals: 0, referralsConverted: 0, eventsRaised: 0, eventsHandled: 0 });
    const acc = new Map(rowsOf.map((b) => [b.branch_id, empty()]));
    const at = (branch: string) => {
      const row = rowOf.get(branch);
      return row === undefined ? undefined : acc.get(row);
    };
    for (const b of bands) {
      const x = at(b.branch_id);
      if (!x) continue;
      if (b.business_date === p.to) {
        x.customers += b.customers;
        x.aum.push(b.aum);
      }
      if (b.business_date === p.from) {
        x.customersOnA += b.customers;
        x.aumOnA.push(b.aum);
      }
    }
    for (const c of churn) {
      const x = at(c.branch_id);
      if (x) {
        x.churn += c.customers;
        x.aumLost.push(c.aum_lost);
      }
    }
    for (const r of plans) {
      const x = at(r.branch_id);
      if (x) {
        x.planned += r.planned;
        x.done += r.done;
      }
    }
    for (const o of opps) {
      const x = at(o.owner_id);
      if (x) {
        x.created += o.created;
        x.won += o.won;
        x.lost += o.lost;
      }
    }
    for (const r of referrals) {
      const x = at(r.branch_id);
      if (x) {
        x.referrals += r.sent;
        x.referralsConverted += r.signed + r.product_sold;
      }
    }
    for (const e of events) {
      const x = at(e.branch_id);
      if (x) {
        x.eventsRaised += e.raised;
        x.eventsHandled += e.handled;
      }
    }
    const present = (x: ReturnType<typeof empty>) => ({
      customers: x.customers,
      customersOnA: x.customersOnA,
      aum: sumMoney(x.aum),
      aumOnA: sumMoney(x.aumOnA),
      churn: x.churn,
      aumLost: sumMoney(x.aumLost),
      planned: x.planned,
      done: x.done,
      planRate: ratio(x.done, x.planned),
      created: x.created,
      won: x.won,
      lost: x.lost,
      conversion: conversion(x.won, x.lost),
      referrals: x.referrals,
      referralsConverted: x.referralsConverted,
      eventsRaised: x.eventsRaised,
      eventsHandled: x.eventsHandled,
      eventsRate: ratio(x.eventsHandled, x.eventsRaised),
    });
    const total = empty();
    for (const x of acc.values()) {
      for (const k of Object.keys(total) as (keyof typeof total)[]) {
        const v = x[k];
        if (Array.isArray(v)) (total[k] as string[]).push(...v);
        else (total[k] as number) += v;
      }
    }
    return {
      from: p.from,
      to: p.to,
      branch: scope.branch,
      ...info,
      parent: { id: parent.branch_id, name: parent.name, level: parent.level },
      rows: rowsOf.map((b) => ({
        branch: { id: b.branch_id, name: b.name, level: b.level },
        hasChildren: tree.some((c) => c.parent_id === b.branch_id && inScope(c.branch_id)),
        ...present(acc.get(b.branch_id) ?? empty()),
      })),
      total: present(total),
    };
  }
}

/** The customers, plan items, reminders, referrals or opportunities behind a number, within the user's scope, a page at a time. */
export async function dashboardItems(db: Db, user: SignedInUser, f: ItemsQuery) {
  const scope = await scopeOf(db, user, f.branchId);
  const states = ITEM_STATES[f.measure] as readonly string[];
  if (f.status !== undefined && !states.includes(f.status)) {
    throw bad('status', `“${f.measure}”的状态只能是：${states.join('、')}。`, `The status of ${f.measure} is one of: ${states.join(', ')}.`);
  }
  return read(db, async (s) => {
    const p = await periodOf(s, f);
    const params: unknown[] = [];
    const common = { branches: scope.branches, status: f.status ?? null, staffId: f.staffId ?? null, params, limit: f.pageSize, offset: (f.page - 1) * f.pageSize };
    const cust = () => scopeSql(customerScope(user), 'c', params);
    const lists: Record<ItemMeasure, () => Promise<q.ListPage>> = {
      churn: () => q.churnItems(s, { ...common, ...p, visible: cust() }),
      plans: () => q.planItems(s, { ...common, ...p, visible: cust() }),
      events: () => q.eventItems(s, { ...common, ...p, visible: cust() }),
      referrals: () => q.referralItems(s, { ...common, since: q.chinaMidnight(addDays(p.from, 1)), until: q.chinaMidnight(addDays(p.to, 1)), visible: cust() }),
      opportunities: () => q.opportunityItems(s, { ...common, ...p, visible: visibleSql(user, params, 'o') }),
    };
    const list = await lists[f.measure]();
    const view = piiView(user);
    return {
      measure: f.measure,
      from: p.from,
      to: p.to,
      items: list.rows.map((r) => ({
        customer: { customerId: r.customer_id, name: r.customer_name === null ? '' : viewName(view, r.customer_name) },
        branch: { id: r.branch_id, name: r.branch_name ?? r.branch_id },
        staff: r.staff_id ? { staffId: r.staff_id, name: r.staff_name ?? r.staff_id, role: (r.staff_role ?? 'customer_manager') as Role } : null,
        date: r.date,
        status: r.status,
        detail: r.detail,
        amount: r.amount_from,
        amountOnB: r.amount_to,
      })),
      total: list.total,
      totalIsLowerBound: list.totalIsLowerBound,
      page: f.page,
      pageSize: f.pageSize,
    };
  });
}

