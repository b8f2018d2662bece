import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskName } from '../../platform/pii.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { customerScope, piiView, scopeSql } from '../access/access.scope.js';
import { currentPolicies, policyOf } from '../tiering/tiering.service.js';
import { tierOrder, tierRank } from '../tiering/tiering.explain.js';
import type { CustomerMeasure, Figures, MeasureCustomersQuery, Period, PerformanceQuery, PerformanceReport, StaffFigures } from './performance.contract.js';
import { measureCustomers, performanceRows, reportSession, type PerformanceRow } from './performance.sql.js';

// Manager performance (管户业绩统计, issue 20 §1): the period chosen (a month, a quarter, a year or
// two loaded business dates A → B) and the one before it, per staff member of the reader's scope,
// summed per branch and for the scope. A branch head reads the staff of their branch and the
// branches under it, the department every branch, anyone else their own line. See
// performance.sql.ts for what each figure counts.

/** Exact sums of yuan strings: cents as BigInt. */
const cents = (v: string): bigint => {
  const neg = v.startsWith('-');
  const [i = '0', f = ''] = (neg ? v.slice(1) : v).split('.');
  const n = BigInt(i) * 100n + BigInt((f + '00').slice(0, 2));
  return neg ? -n : n;
};
const yuan = (c: bigint): string => {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

export function figuresOf(r: PerformanceRow): Figures {
  const closed = r.opportunities_won + r.opportunities_lost;
  return {
    customers: r.customers,
    aumEnd: r.aum_end,
    aumStart: r.aum_start,
    aumChange: yuan(cents(r.aum_end) - cents(r.aum_start)),
    financialAssetsEnd: r.aum_end,
    financialAssetsStart: r.aum_start,
    financialAssetsChange: yuan(cents(r.aum_end) - cents(r.aum_start)),
    depositsEnd: r.deposits_end,
    depositsStart: r.deposits_start,
    depositsChange: yuan(cents(r.deposits_end) - cents(r.deposits_start)),
    signed: r.signed,
    coverage: { timeDeposit: r.time_deposit, wealth: r.wealth, fund: r.fund, insurance: r.insurance, mobile: r.mobile },
    contacts: r.contacts,
    planDone: r.plan_done,
    planItems: r.plan_items,
    planRate: r.plan_items ? r.plan_done / r.plan_items : null,
    upMoves: r.up_moves,
    downMoves: r.down_moves,
    churned: r.churned,
    churnedAum: r.churned_aum,
    opportunitiesWon: r.opportunities_won,
    opportunitiesLost: r.opportunities_lost,
    conversion: closed ? r.opportunities_won / closed : null,
    referralsSent: r.referrals_sent,
    referralsConverted: r.referrals_converted,
  };
}

const SUMMED = [
  'customers', 'customers_start', 'signed', 'time_deposit', 'wealth', 'fund', 'insurance', 'mobile', 'contacts', 'plan_done', 'plan_items',
  'up_moves', 'down_moves', 'churned', 'opportunities_won', 'opportunities_lost', 'referrals_sent', 'referrals_converted',
] as const;
const MONEY = ['aum_end', 'aum_start', 'deposits_end', 'deposits_start', 'churned_aum'] as const;

/** The sums of some staff members' rows. */
export function sumRows(rows: readonly PerformanceRow[]): PerformanceRow {
  const out = { staff_id: '', name: '', role: '', branch_id: '', branch_name: '', active: true } as PerformanceRow;
  for (const k of SUMMED) out[k] = rows.reduce((n, r) => n + r[k], 0);
  for (const k of MONEY) out[k] = yuan(rows.reduce((n, r) => n + cents(r[k]), 0n));
  return out;
}

// ---- periods --------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

interface Span {
  kind: Period['kind'];
  label: string;
  first: string;
  last: string;
}

function spanOf(kind: 'month' | 'quarter' | 'year', y: number, n: number): Span {
  if (kind === 'month') return { kind, label: `${y}-${pad(n)}`, first: `${y}-${pad(n)}-01`, last: `${y}-${pad(n)}-${pad(lastDay(y, n))}` };
  if (kind === 'quarter') return { kind, label: `${y}-Q${n}`, first: `${y}-${pad(n * 3 - 2)}-01`, last: `${y}-${pad(n * 3)}-${pad(lastDay(y, n * 3))}` };
  return { kind, label: `${y}`, first: `${y}-01-01`, last: `${y}-12-31` };
}
function previousSpan(s: Span): Span {
  const y = Number(s.first.slice(0, 4));
  const m = Number(s.first.slice(5, 7));
  if (s.kind === 'month') return m === 1 ? spanOf('month', y - 1, 12) : spanOf('month', y, m - 1);
  if (s.kind === 'quarter') return m === 1 ? spanOf('quarter', y - 1, 4) : spanOf('quarter', y, (m + 2) / 3 - 1);
  return spanOf('year', y - 1, 1);
}

/** A calendar span as business dates: B its last loaded date, A the last loaded before it (else its first). */
function periodOf(s: Span, dates: readonly string[]): Period | null {
  const inside = dates.filter((d) => d >= s.first && d <= s.last);
  const to = inside.at(-1);
  if (!to) return null;
  const before = dates.filter((d) => d < s.first).at(-1);
  return { kind: s.kind, label: s.label, from: before ?? inside[0]!, to };
}

/** The period asked for and the one before it; a date that is not loaded is refused with the nearest ones. */
export function resolvePeriod(q: PerformanceQuery, dates: readonly string[]): { period: Period; previous: Period | null } {
  if (!dates.length) throw new AppError('not_found', text('还没有加载任何业务日期的数据。', 'No business date has been loaded yet.'));
  const latest = dates.at(-1)!;
  const kind = q.period ?? (q.from || q.to ? 'range' : q.quarter ? 'quarter' : q.year ? 'year' : 'month');
  if (kind === 'range') {
    const fields: Record<string, ReturnType<typeof text>> = {};
    const check = (name: 'from' | 'to', v: string | undefined) => {
      if (!v) fields[name] = text('请选择一个业务日期', 'choose a business date');
      else if (!dates.includes(v)) {
        const before = dates.filter((d) => d < v).at(-1);
        const after = dates.find((d) => d > v);
        const near = [before, after].filter(Boolean).join(', ');
        fields[name] = text(`${v} 不是已加载的业务日期${near ? `（最近的：${near}）` : ''}`, `${v} is not a loaded business date${near ? ` (the nearest: ${near})` : ''}`);
      }
    };
    check('from', q.from);
    check('to', q.to);
    if (Object.keys(fields).length) throw new AppError('bad_request', text('请选择两个已加载的业务日期。', 'Choose two loaded business dates.'), fields);
    const from = q.from!;
    const to = q.to!;
    if (from > to) throw new AppError('bad_request', text('起始日期须早于结束日期。', 'The first date must not be after the second.'), { from: text(`${from} 晚于 ${to}`, `${from} is after ${to}`) });
    const period: Period = { kind, label: `${from} → ${to}`, from, to };
    const length = daysBetween(from, to);
    const prevFrom = dates.filter((d) => d <= addDays(from, -length)).at(-1);
    const previous: Period | null = length > 0 && prevFrom && prevFrom < from ? { kind, label: `${prevFrom} → ${from}`, from: prevFrom, to: from } : null;
    return { period, previous };
  }
  let span: Span;
  if (kind === 'month') {
    const m = q.month ?? latest.slice(0, 7);
    span = spanOf('month', Number(m.slice(0, 4)), Number(m.slice(5, 7)));
  } else if (kind === 'quarter') {
    const v = q.quarter ?? `${latest.slice(0, 4)}-Q${Math.ceil(Number(latest.slice(5, 7)) / 3)}`;
    span = spanOf('quarter', Number(v.slice(0, 4)), Number(v.slice(6)));
  } else {
    span = spanOf('year', Number(q.year ?? latest.slice(0, 4)), 1);
  }
  const period = periodOf(span, dates);
  if (!period) {
    throw new AppError('not_found', text(`${span.label} 没有已加载的业务日期（已加载 ${dates[0]} 至 ${latest}）。`, `No business date of ${span.label} is loaded (loaded: ${dates[0]} to ${latest}).`));
  }
  return { period, previous: periodOf(previousSpan(span), dates) };
}

// ---- the report -----------------------------------------------------------------------------

/** Whose lines the user reads: the branches (null: all) and, for anyone but a reviewer, themselves only. */
async function readerScope(db: Db, user: SignedInUser, branchId: string | undefined): Promise<{ branches: readonly string[] | null; staffId: string | null }> {
  const reviewer = user.role === 'branch_head' || user.role === 'pb_dept';
  if (!reviewer) {
    if (!user.staffId) throw new AppError('forbidden', text('您的账号没有对应的员工。', 'Your account is not a staff member.'));
    return { branches: null, staffId: user.staffId };
  }
  return { branches: await branchesWithinScope(db, user, branchId), staffId: null };
}

export async function loadedDates(db: Db): Promise<string[]> {
  const r = await db.session((s) => s.query<{ d: string }>('SELECT business_date::text AS d FROM business_dates ORDER BY 1'));
  return r.rows.map((x) => x.d);
}

/** The AUM bands of the policy in force, lowest first (a move up is a move along this list). */
export async function bandOrder(db: Db): Promise<string[]> {
  return db.session(async (s) => {
    const p = policyOf(await currentPolicies(s), 'aum_band');
    if (!p) return [];
    return [...tierOrder(p, 'aum_band')].sort((a, b) => tierRank(p, a) - tierRank(p, b));
  });
}

export async function managerPerformance(db: Db, user: SignedInUser, q: PerformanceQuery): Promise<PerformanceReport> {
  const who = await readerScope(db, user, q.branchId);
  const dates = await loadedDates(db);
  const { period, previous } = resolvePeriod(q, dates);
  const order = await bandOrder(db);
  const [now, before] = await Promise.all([
    reportSession(db, (s) => performanceRows(s, { from: period.from, to: period.to, ...who, bandOrder: order })),
    previous ? reportSession(db, (s) => performanceRows(s, { from: previous.from, to: previous.to, ...who, bandOrder: order })) : Promise.resolve(null),
  ]);
  const prevOf = new Map((before ?? []).map((r) => [r.staff_id, r]));
  const staff: StaffFigures[] = now.map((r) => {
    const p = prevOf.get(r.staff_id);
    return { staffId: r.staff_id, name: r.name, role: r.role, branchId: r.branch_id, branchName: r.branch_name, active: r.active, figures: figuresOf(r), previous: p ? figuresOf(p) : null };
  });
  const branchIds = [...new Set(now.map((r) => r.branch_id))];
  const branches = branchIds.map((b) => {
    const mine = now.filter((r) => r.branch_id === b);
    const prev = before?.filter((r) => r.branch_id === b) ?? null;
    return { branchId: b, branchName: mine[0]!.branch_name, staff: mine.length, figures: figuresOf(sumRows(mine)), previous: prev ? figuresOf(sumRows(prev)) : null };
  });
  return {
    period,
    previous,
    staff,
    branches,
    total: { figures: figuresOf(sumRows(now)), previous: before ? figuresOf(sumRows(before)) : null },
    loadedDates: [...dates].reverse(),
  };
}

/** The customers behind one number, within the reader's scope (a manager: their own). */
export async function performanceCustomers(db: Db, user: SignedInUser, q: MeasureCustomersQuery) {
  const who = await readerScope(db, user, q.branchId);
  if (q.staffId && who.staffId && q.staffId !== who.staffId) {
    throw new AppError('not_found', text('没有这位员工，或其不在您的权限范围内。', 'There is no such staff member within your scope.'));
  }
  if (q.staffId && !who.staffId) {
    const r = await db.session((s) => s.query<{ branch_id: string }>('SELECT branch_id FROM staff WHERE staff_id = $1', [q.staffId]));
    const b = r.rows[0]?.branch_id;
    if (!b || (who.branches && !who.branches.includes(b))) {
      throw new AppError('not_found', text('没有这位员工，或其不在您的权限范围内。', 'There is no such staff member within your scope.'));
    }
  }
  const { period } = resolvePeriod(q, await loadedDates(db));
  const order = await bandOrder(db);
  const view = piiView(user);
  // the customers of a past period may since have moved out of the reader's scope: only those in it now are listed
  const scope = customerScope(user);
  const got = await db.session((s) =>
    measureCustomers(
      s,
      { from: period.from, to: period.to, branches: who.branches, staffId: q.staffId ?? who.staffId, bandOrder: order, measure: q.measure as CustomerMeasure, limit: q.pageSize, offset: q.page * q.pageSize },
      (params) => scopeSql(scope, 'c', params),
    ),
  );
  return {
    period,
    measure: q.measure,
    total: got.total,
    items: got.rows.map((r) => ({
      customerId: r.customer_id,
      name: view.namesMasked ? (maskName(r.name) ?? '') : r.name,
      branchId: r.branch_id,
      staffId: r.staff_id,
      aumStart: r.aum_start,
      aumEnd: r.aum_end,
      depositsStart: r.deposits_start,
      depositsEnd: r.deposits_end,
      bandStart: r.band_a,
      bandEnd: r.band_b,
    })),
  };
}
