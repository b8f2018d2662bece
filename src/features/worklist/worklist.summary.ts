import type { Lang } from '../../platform/i18n.js';
import { formatWan } from '../../web/features/customers/money.js';
import { builtInPolicies } from '../tiering/tiering.policies.js';
import { STALE_AFTER_STEP_DAYS, stageName, targetLabel } from '../opportunities/opportunities.rules.js';

// One sentence per reminder, from the facts the events step recorded (events.sql.ts), in the
// request's language: "大额支出 32.50万（11-20，手机银行），占金融资产 41%". Amounts in 万 with
// the web app's own formatter, so the page and the sentence never disagree on a figure.

export type Facts = Record<string, unknown>;
type Pair = { zh: string; en: string };
type Formatter = (f: Facts) => Pair;
// the profile fields of issue 23 (profile/profile.rules.ts FIELD_LABELS), as a collection task names them
const PROFILE_FIELD_NAMES: Record<string, Pair> = {
  phone: { zh: '手机号码', en: 'phone' }, birth_date: { zh: '出生日期', en: 'birth date' }, address: { zh: '地址', en: 'address' },
  occupation: { zh: '职业', en: 'occupation' }, annual_income: { zh: '年收入', en: 'annual income' }, risk_assessment: { zh: '风险评估', en: 'risk assessment' },
  interests: { zh: '兴趣爱好', en: 'interests' }, family: { zh: '家庭情况', en: 'family' }, contact_time: { zh: '偏好联络时间', en: 'preferred contact time' },
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
/** An amount in 万 from a fact (a JSON number or a decimal string); '?' when absent. */
export function wan(v: unknown): string {
  const s = str(v);
  if (s === null) return '?';
  const n = Number(s);
  if (!Number.isFinite(n)) return '?';
  // jsonb numbers come back as floats: back to an exact 2-decimal string before the BigInt formatter
  const exact = /^-?\d+(\.\d{1,2})?$/.test(s) ? s : n.toFixed(2);
  return formatWan(exact.startsWith('-') ? exact.slice(1) : exact);
}
const pct = (v: unknown): string => {
  const n = Number(str(v));
  return Number.isFinite(n) ? `${Math.round(Math.abs(n) * 100)}%` : '?';
};
/** 2026-11-20 → 11-20 (also from an ISO time, read in China time) */
const md = (v: unknown): string => {
  const s = str(v);
  if (!s) return '?';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s.slice(5);
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t + 8 * 3600_000).toISOString().slice(5, 10) : s.slice(5, 10);
};
const int = (v: unknown): number | null => {
  const n = Number(str(v));
  return Number.isFinite(n) ? Math.round(n) : null;
};
const when = (daysAhead: unknown): Pair => {
  const d = int(daysAhead);
  if (d === 0) return { zh: '今天', en: 'today' };
  if (d === 1) return { zh: '明天', en: 'tomorrow' };
  return d === null ? { zh: '', en: '' } : { zh: `${d} 天后`, en: `in ${d} days` };
};

export const CHANNELS: Record<string, Pair> = {
  counter: { zh: '柜面', en: 'the counter' },
  atm: { zh: 'ATM', en: 'ATM' },
  mobile: { zh: '手机银行', en: 'mobile' },
  online: { zh: '网上银行', en: 'online banking' },
  pos: { zh: 'POS', en: 'POS' },
  other: { zh: '其他渠道', en: 'another channel' },
};
export const FESTIVALS: Record<string, Pair> = {
  spring_festival: { zh: '春节', en: 'Spring Festival' },
  lantern: { zh: '元宵节', en: 'the Lantern Festival' },
  dragon_boat: { zh: '端午节', en: 'the Dragon Boat Festival' },
  mid_autumn: { zh: '中秋节', en: 'the Mid-Autumn Festival' },
  national_day: { zh: '国庆节', en: 'National Day' },
  new_year: { zh: '元旦', en: "New Year's Day" },
};
export const CARD_GRADES: Record<string, Pair> = {
  ordinary: { zh: '普卡', en: 'ordinary' },
  gold: { zh: '金卡', en: 'gold' },
  platinum: { zh: '白金卡', en: 'platinum' },
  diamond: { zh: '钻石卡', en: 'diamond' },
};
const PRODUCT: Record<string, Pair> = { wealth: { zh: '理财', en: 'wealth product' }, time_deposit: { zh: '定期存款', en: 'time deposit' } };
const label = (m: Record<string, Pair>, v: unknown): Pair => m[str(v) ?? ''] ?? { zh: str(v) ?? '?', en: str(v) ?? '?' };

const flow = (zhWord: string, enWord: string): Formatter => (f) => {
  const ch = label(CHANNELS, f.channel);
  const share = f.share_of_aum === null || f.share_of_aum === undefined ? null : pct(f.share_of_aum);
  return {
    zh: `${zhWord} ${wan(f.amount)}（${md(f.date ?? f.booked_at)}，${ch.zh}）${share ? `，占金融资产 ${share}` : ''}`,
    en: `${enWord} of ${wan(f.amount)} on ${md(f.date ?? f.booked_at)} through ${ch.en}${share ? `, ${share} of AUM` : ''}`,
  };
};
const aumChange = (zhWord: string, enWord: string): Formatter => (f) => ({
  zh: `金融资产30天内${zhWord} ${pct(f.share)}：${wan(f.aum_before)} → ${wan(f.aum)}`,
  en: `AUM ${enWord} ${pct(f.share)} in 30 days: ${wan(f.aum_before)} → ${wan(f.aum)}`,
});

const FORMATTERS: Record<string, Formatter> = {
  birthday_soon: (f) => {
    const w = when(f.days_ahead);
    // without the birth date (a reader who may not see it, factsFor): when, not which day nor the age
    if (f.date === undefined) return { zh: `生日临近${w.zh ? `，${w.zh}` : ''}`, en: `birthday coming${w.en ? `, ${w.en}` : ''}` };
    return { zh: `${md(f.date)} 生日${f.turns ? `（${str(f.turns)} 岁）` : ''}${w.zh ? `，${w.zh}` : ''}`, en: `birthday on ${md(f.date)}${f.turns ? ` (turns ${str(f.turns)})` : ''}${w.en ? `, ${w.en}` : ''}` };
  },
  anniversary_soon: (f) => ({ zh: `${md(f.date)} 开户 ${str(f.years) ?? '?'} 周年`, en: `${str(f.years) ?? '?'} years as a customer on ${md(f.date)}` }),
  festival_soon: (f) => {
    const fest = label(FESTIVALS, f.festival);
    const w = when(f.days_ahead);
    // seed 000: for the richest customers the greeting goes out in the branch's name
    const branch = f.in_branch_name === true;
    return {
      zh: `${fest.zh}（${md(f.date)}）${w.zh ? `${w.zh}` : ''}，${branch ? '以网点名义致节日问候' : '可致节日问候'}`,
      en: `${fest.en} on ${md(f.date)}${w.en ? `, ${w.en}` : ''}: send greetings${branch ? " in the branch's name" : ''}`,
    };
  },
  large_inflow: flow('大额收入', 'large inflow'),
  large_outflow: flow('大额支出', 'large outflow'),
  aum_rise: aumChange('上升', 'up'),
  aum_fall: aumChange('下降', 'down'),
  maturing: (f) => {
    const p = label(PRODUCT, f.account_kind);
    return { zh: `${p.zh} ${wan(f.balance)} 将于 ${md(f.matures_on)} 到期`, en: `${p.en} of ${wan(f.balance)} matures on ${md(f.matures_on)}` };
  },
  matured_not_reinvested: (f) => {
    const p = label(PRODUCT, f.account_kind);
    // paid out at maturity, the account's balance is 0 by now: no amount rather than "0.00万"
    const paidOut = Number(str(f.balance) ?? 0) === 0;
    return paidOut
      ? { zh: `${p.zh}已于 ${md(f.matures_on)} 到期，尚未续投`, en: `${p.en} matured on ${md(f.matures_on)}, not reinvested` }
      : { zh: `${p.zh} ${wan(f.balance)} 已于 ${md(f.matures_on)} 到期，尚未续投`, en: `${p.en} of ${wan(f.balance)} matured on ${md(f.matures_on)}, not reinvested` };
  },
  card_cancelled: (f) => {
    const g = label(CARD_GRADES, f.grade);
    return { zh: `${g.zh}于 ${md(f.cancelled_on)} 销卡`, en: `${g.en} card cancelled on ${md(f.cancelled_on)}` };
  },
  vip_card_due: (f) => {
    const g = label(CARD_GRADES, f.grade);
    return { zh: `月日均资产 ${wan(f.aum_avg_mtd)} 已达${g.zh}标准（${wan(f.standard)}），可办理`, en: `average AUM of ${wan(f.aum_avg_mtd)} meets the ${g.en} card standard (${wan(f.standard)})` };
  },
  card_below_standard: (f) => {
    const g = label(CARD_GRADES, f.grade);
    return { zh: `持有${g.zh}，月日均资产 ${wan(f.aum_avg_mtd)} 低于标准 ${wan(f.standard)}`, en: `holds a ${g.en} card, average AUM of ${wan(f.aum_avg_mtd)} below its ${wan(f.standard)} standard` };
  },
  tier_changed: (f) => {
    const up = f.direction === 'up';
    const model = str(f.model) === 'aum_band' ? { zh: 'AUM 分层', en: 'AUM band' } : { zh: '客户层级', en: 'tier' };
    const from = tierLabel(str(f.model), str(f.from));
    const to = tierLabel(str(f.model), str(f.to));
    return { zh: `${model.zh}${up ? '上升' : '下降'}：${from.zh} → ${to.zh}`, en: `${model.en} ${up ? 'up' : 'down'}: ${from.en} → ${to.en}` };
  },
  contact_due: (f) => contactDue(f),
  // the suitability step (selling/suitability.batch.ts): a missing or expired risk assessment
  risk_reassess: (f) =>
    f.reason === 'expired'
      ? {
          zh: `风险评估（${str(f.risk_level) ?? '?'}，${str(f.assessed_on) ?? '?'} 评估）已于 ${str(f.expired_since) ?? '?'} 起过期，请重新评估；过期期间仅可推荐 R1 产品`,
          en: `risk assessment (${str(f.risk_level) ?? '?'}, made on ${str(f.assessed_on) ?? '?'}) expired since ${str(f.expired_since) ?? '?'}: reassess; until then only R1 products suit`,
        }
      : { zh: '尚未做风险承受能力评估，请安排评估；评估前仅可推荐 R1 产品', en: 'no risk assessment: arrange one; until then only R1 products suit' },
  next_contact: (f) => ({ zh: `约定 ${md(f.next_contact_on ?? f.date)} 再次联络`, en: `contact agreed for ${md(f.next_contact_on ?? f.date)}` }),
  // the opportunities step (opportunities/opportunities.batch.ts): a next step due, a stale opportunity
  opportunity_due: (f) => {
    const what = opportunityLabel(f);
    const late = int(f.days_overdue) ?? 0;
    return late > 0
      ? { zh: `商机下一步已逾期 ${late} 天（${md(f.next_step_on)}）：${what.zh}`, en: `opportunity's next step overdue by ${late} days (${md(f.next_step_on)}): ${what.en}` }
      : { zh: `商机下一步 ${md(f.next_step_on)} 到期：${what.zh}`, en: `opportunity's next step due ${md(f.next_step_on)}: ${what.en}` };
  },
  opportunity_stale: (f) => {
    const what = opportunityLabel(f);
    const days = int(f.days_in_stage) ?? 0;
    const past = int(f.days_past_step) ?? 0;
    const owner = str(f.owner_name) ?? str(f.owner_id) ?? '?';
    return {
      zh: `商机停滞：${owner}的${what.zh}已在本阶段 ${days} 天${past > STALE_AFTER_STEP_DAYS ? `，下一步逾期 ${past} 天` : ''}`,
      en: `stale opportunity of ${owner}: ${what.en}, ${days} days in its stage${past > STALE_AFTER_STEP_DAYS ? `, next step ${past} days overdue` : ''}`,
    };
  },
  // the profile step (profile/profile.batch.ts): a customer under 7 of 9 profile fields
  profile_collect: (f) => {
    const missing = Array.isArray(f.missing) ? f.missing.filter((x): x is string => typeof x === 'string') : [];
    const zh = missing.map((m) => PROFILE_FIELD_NAMES[m]?.zh ?? m).join('、');
    const en = missing.map((m) => PROFILE_FIELD_NAMES[m]?.en ?? m).join(', ');
    return {
      zh: `客户资料完整度 ${int(f.filled) ?? '?'}/${int(f.of) ?? 9}，请补充采集：${zh}`,
      en: `profile ${int(f.filled) ?? '?'} of ${int(f.of) ?? 9} fields: collect ${en}`,
    };
  },
  // complaints (serving/complaints.sql.ts): an open complaint for the customer's owner; an escalated one for the branch head or the department
  complaint_open: (f) => ({ zh: `客户投诉待处理（${str(f.complaint_id) ?? '?'}）`, en: `open complaint of the customer (${str(f.complaint_id) ?? '?'})` }),
  complaint_escalated: (f) => {
    const dept = str(f.level) === 'department';
    const why: Record<string, Pair> = {
      first_response_late: { zh: '首次响应超时', en: 'first response late' },
      resolution_late: { zh: '办结超时', en: 'resolution late' },
      resolution_150: { zh: '超过办结时限50%', en: 'past the resolution limit by 50%' },
      unsatisfied_twice: { zh: '客户两次不满意', en: 'customer unsatisfied twice' },
    };
    const w = why[str(f.reason) ?? ''] ?? { zh: '', en: '' };
    return {
      zh: `投诉已升级至${dept ? '个人金融部' : '支行负责人'}（${str(f.complaint_id) ?? '?'}）：${w.zh}`,
      en: `complaint escalated to the ${dept ? 'personal banking department' : 'branch head'} (${str(f.complaint_id) ?? '?'}): ${w.en}`,
    };
  },
  // the counter's hand-over (serving/counter.service.ts): the lobby manager handed a walk-in customer to this manager
  counter_handover: (f) => {
    const from = str(f.from_name) ?? str(f.from_id) ?? '?';
    const note = str(f.note);
    return { zh: `大堂经理${from}现场分配的客户，请接待${note ? `：${note}` : ''}`, en: `walk-in customer handed to you by the lobby manager ${from}${note ? `: ${note}` : ''}` };
  },
  // relationship events (gatherings/gatherings.service.ts): invite the customer by phone; after the event, follow up an attendee
  gathering_invite: (f) => {
    const title = str(f.title) ?? '?';
    const at = str(f.starts_at);
    const when = at ? new Date(new Date(at).getTime() + 8 * 3600_000).toISOString().slice(5, 16).replace('T', ' ') : '?';
    return { zh: `电话邀请客户参加“${title}”（${when}，${str(f.place) ?? ''}），并记录答复`, en: `invite the customer by phone to "${title}" (${when}, ${str(f.place) ?? ''}) and record the answer` };
  },
  gathering_follow_up: (f) => {
    const title = str(f.title) ?? '?';
    return { zh: `客户参加了“${title}”（${md(f.event_date)}），请跟进回访`, en: `the customer attended "${title}" (${md(f.event_date)}): follow up` };
  },
  // the monthly review's coaching log (review/review.coaching.ts): a follow-up with a manager, about no customer
  coaching_follow_up: (f) => {
    const who = str(f.staff_name) ?? str(f.staff_id) ?? '?';
    const actions = str(f.actions);
    return {
      zh: `绩效辅导跟进：${who}（${md(f.coached_on)} 辅导），${md(f.follow_up_on)} 跟进${actions ? `；约定事项：${actions}` : ''}`,
      en: `coaching follow-up with ${who} (coached ${md(f.coached_on)}), due ${md(f.follow_up_on)}${actions ? `; actions agreed: ${actions}` : ''}`,
    };
  },
};

/** An opportunity's target and stage from a reminder's facts: 理财产品（已联系）. */
function opportunityLabel(f: Facts): Pair {
  const type = str(f.target_type) ?? '';
  const code = str(f.target_code);
  const stage = str(f.stage) ?? '';
  return {
    zh: `${targetLabel(type, code, null, 'zh')}（${stageName(stage, 'zh')}）`,
    en: `${targetLabel(type, code, null, 'en')} (${stageName(stage, 'en').toLowerCase()})`,
  };
}

/**
 * A tier's name as the shipped policy labels it ("50–300万"), the id itself for a tier the bank
 * added in its own version, '—' for none. Built-in tier ids are fixed (issue 4), so are their labels.
 */
export function tierLabel(model: string | null, tier: string | null): Pair {
  if (!tier) return { zh: '—', en: '—' };
  const doc = builtInPolicies().find((p) => p.model === model);
  const found = doc && 'tiers' in doc ? doc.tiers.find((t) => t.id === tier) : undefined;
  return found ? found.label : { zh: tier, en: tier };
}

/** Days since the last contact against the frequency (work tasks and the plan's due contacts). */
function contactDue(f: Facts): Pair {
  const days = int(f.days_since ?? f.days_since_contact);
  const every = int(f.frequency_days);
  // the reminder step says why it is due (facts.reason, a plan item's due_reason): an agreed date or the frequency
  if ((f.reason ?? f.due_reason) === 'next_contact' && f.next_contact_on) return { zh: `约定 ${md(f.next_contact_on)} 再次联络`, en: `contact agreed for ${md(f.next_contact_on)}` };
  const freq = every ? { zh: `（应每 ${every} 天）`, en: ` (every ${every} days)` } : { zh: '', en: '' };
  if (days === null) return { zh: `从未联络${freq.zh}`, en: `never contacted${freq.en}` };
  return { zh: `距上次联络 ${days} 天${freq.zh}`, en: `${days} days since the last contact${freq.en}` };
}

/** What the reader may see of personal details (platform/pii.ts PiiView.details). */
export interface FactsView {
  details: boolean;
}

/**
 * Facts read from personal details, by event: the birthday's day and the age it turns give the
 * birth date the profile hides from a role without pii.details (a teller, the lobby).
 */
const DETAIL_FACTS: Record<string, readonly string[]> = { birthday_soon: ['date', 'turns'] };

/** A reminder's facts as this reader may see them: the ones of personal details removed without pii.details. */
export function factsFor(view: FactsView, event: string, facts: Facts): Facts {
  const hidden = DETAIL_FACTS[event];
  if (view.details || !hidden) return facts;
  return Object.fromEntries(Object.entries(facts).filter(([k]) => !hidden.includes(k)));
}

/** A plan item's facts as this reader may see them (the reminders it records inside too). */
export function planFactsFor(view: FactsView, facts: Facts): Facts {
  if (view.details || !Array.isArray(facts.reminders)) return facts;
  const reminders = (facts.reminders as unknown[]).map((r) =>
    typeof r === 'object' && r !== null && 'event' in r ? { ...r, facts: factsFor(view, String((r as { event: unknown }).event), ((r as { facts?: Facts }).facts ?? {})) } : r,
  );
  return { ...facts, reminders };
}

/** The sentence of a reminder, from the facts the reader may see (an event type without a formatter shows its name). */
export function reminderSummary(event: string, facts: Facts, lang: Lang, view: FactsView): string {
  const fmt = FORMATTERS[event];
  return fmt ? fmt(factsFor(view, event, facts))[lang] : event;
}

const REASON_PREFIX: Record<string, Pair> = {
  risk: { zh: '风险提醒', en: 'Risk' },
  opportunity: { zh: '商机提醒', en: 'Opportunity' },
};

/** Why a customer is in the plan: "风险提醒：大额支出 32.50万…" / "距上次联络 45 天（应每 30 天）". */
export function planReasonText(reason: string, facts: Facts, reminders: { event: string; facts: Facts; kind: string }[], lang: Lang, view: FactsView): string {
  if (reason === 'manual') return lang === 'zh' ? '手动加入' : 'added by hand';
  if (reason === 'risk' || reason === 'opportunity') {
    // the open reminder of that kind now, else the one the plan step recorded in facts.reminders
    const recorded = Array.isArray(facts.reminders) ? (facts.reminders as unknown[]).find((x): x is { event: string; facts: Facts } => typeof x === 'object' && x !== null && 'event' in x) : undefined;
    const r = reminders.find((x) => x.kind === reason) ?? recorded;
    const prefix = REASON_PREFIX[reason] ?? { zh: '', en: '' };
    const detail = r ? reminderSummary(r.event, r.facts ?? {}, lang, view) : '';
    return detail ? `${prefix[lang]}${lang === 'zh' ? '：' : ': '}${detail}` : prefix[lang];
  }
  if (reason === 'next_contact') return FORMATTERS.next_contact?.(facts)[lang] ?? reason;
  return contactDue(facts)[lang];
}
