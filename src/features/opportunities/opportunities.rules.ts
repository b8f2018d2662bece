import type { Lang } from '../../platform/i18n.js';
import { OPEN_STAGES, OPPORTUNITY_STAGES, type OpportunityStage } from './opportunities.contract.js';

// The rules of opportunities, written once (POLICIES.md "Opportunities"), and their names in both
// languages for the pages, the 商机管理表 and the reminders' sentences.

/** Stale once the next step's date has passed by more than this many days (8 days after it: stale). */
export const STALE_AFTER_STEP_DAYS = 7;
/** Stale after more than this many days in one stage (31 days: stale). */
export const STALE_AFTER_STAGE_DAYS = 30;
/** The weekly review covers this many days up to its date. */
export const REVIEW_DAYS = 7;

export type Pair = { zh: string; en: string };

export const isOpen = (stage: string) => (OPEN_STAGES as readonly string[]).includes(stage);
export const stageRank = (stage: string) => (OPPORTUNITY_STAGES as readonly string[]).indexOf(stage);

const dayNumber = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / 86_400_000);
export const daysFrom = (from: string, to: string) => dayNumber(to) - dayNumber(from);

/** Why an open opportunity is stale on a date (none: not stale), by the policy's two rules. */
export function staleReasons(o: { stage: string; next_step_on: string | null; stage_since: string }, asOf: string): ('next_step_overdue' | 'stage_too_long')[] {
  if (!isOpen(o.stage)) return [];
  const out: ('next_step_overdue' | 'stage_too_long')[] = [];
  if (o.next_step_on && daysFrom(o.next_step_on, asOf) > STALE_AFTER_STEP_DAYS) out.push('next_step_overdue');
  if (daysFrom(o.stage_since, asOf) > STALE_AFTER_STAGE_DAYS) out.push('stage_too_long');
  return out;
}

/** The same test in SQL, on an opportunities row `o` and a date parameter. */
export const staleSql = (o: string, asOf: string) =>
  `(${o}.closed_at IS NULL AND (${o}.next_step_on < ${asOf}::date - ${STALE_AFTER_STEP_DAYS} OR ${o}.stage_since < ${asOf}::date - ${STALE_AFTER_STAGE_DAYS}))`;

export const STAGE_NAMES: Record<OpportunityStage, Pair> = {
  identified: { zh: '已识别', en: 'Identified' },
  contacted: { zh: '已联系', en: 'Contacted' },
  needs_confirmed: { zh: '需求已确认', en: 'Needs confirmed' },
  proposed: { zh: '已提供方案', en: 'Proposed' },
  won: { zh: '已成交', en: 'Won' },
  lost: { zh: '未成交', en: 'Lost' },
};
export const SOURCE_NAMES: Record<string, Pair> = {
  event: { zh: '事件提醒', en: 'Reminder' },
  contact: { zh: '客户联络', en: 'Contact' },
  referral: { zh: '转介', en: 'Referral' },
  walk_in: { zh: '到店客户', en: 'Walk-in' },
  campaign: { zh: '营销活动', en: 'Campaign' },
};
export const PROSPECT_SOURCE_NAMES: Record<string, Pair> = {
  walk_in: { zh: '到店', en: 'Walk-in' },
  referral: { zh: '转介', en: 'Referral' },
  campaign: { zh: '营销活动', en: 'Campaign' },
  other: { zh: '其他', en: 'Other' },
};
export const PRODUCT_KIND_NAMES: Record<string, Pair> = {
  current: { zh: '活期存款', en: 'Current account' },
  time_deposit: { zh: '定期存款', en: 'Time deposit' },
  wealth: { zh: '理财产品', en: 'Wealth product' },
  fund: { zh: '基金', en: 'Fund' },
  insurance: { zh: '保险', en: 'Insurance' },
  loan: { zh: '贷款', en: 'Loan' },
};
export const VIP_SIGNING: Pair = { zh: '贵宾客户签约', en: 'VIP signing' };

const pick = (m: Record<string, Pair>, k: string, lang: Lang) => m[k]?.[lang] ?? k;
export const stageName = (s: string, lang: Lang) => pick(STAGE_NAMES, s, lang);
export const sourceName = (s: string, lang: Lang) => pick(SOURCE_NAMES, s, lang);

/** 理财产品 / 稳盈 90 天（WM1）/ 贵宾客户签约 */
export function targetLabel(type: string, code: string | null, productName: string | null, lang: Lang): string {
  if (type === 'vip_signing') return VIP_SIGNING[lang];
  if (type === 'product_kind') return pick(PRODUCT_KIND_NAMES, code ?? '', lang);
  return productName ? (lang === 'zh' ? `${productName}（${code ?? ''}）` : `${productName} (${code ?? ''})`) : (code ?? '');
}

/** 状态 of the 商机管理表: 跟进中, 已停滞, 已成交, 未成交（原因） */
export function statusName(stage: string, stale: boolean, lostReason: string | null, lang: Lang): string {
  if (stage === 'won') return lang === 'zh' ? '已成交' : 'Won';
  if (stage === 'lost') return lang === 'zh' ? `未成交${lostReason ? `（${lostReason}）` : ''}` : `Lost${lostReason ? ` (${lostReason})` : ''}`;
  if (stale) return lang === 'zh' ? '已停滞' : 'Stale';
  return lang === 'zh' ? '跟进中' : 'In progress';
}

/**
 * What a reminder suggests (one click on My day): the target for its event — VIP signing for a
 * card due, the maturing product's kind for a maturity, a wealth product for money coming in or
 * AUM rising, a time deposit to keep money that is leaving — and an amount from its facts.
 */
export function suggestionFor(event: string, facts: Record<string, unknown>): { target: { type: 'product_kind'; code: string } | { type: 'vip_signing' }; amount: string | null } {
  const amount = (v: unknown) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    return Number.isFinite(n) && n > 0 ? Math.abs(n).toFixed(2) : null;
  };
  switch (event) {
    case 'vip_card_due':
      return { target: { type: 'vip_signing' }, amount: null };
    case 'maturing':
    case 'matured_not_reinvested': {
      const kind = facts.account_kind === 'time_deposit' ? 'time_deposit' : 'wealth';
      return { target: { type: 'product_kind', code: kind }, amount: amount(facts.balance) };
    }
    case 'large_inflow':
      return { target: { type: 'product_kind', code: 'wealth' }, amount: amount(facts.amount) };
    case 'large_outflow':
    case 'aum_fall':
    case 'card_below_standard':
      return { target: { type: 'product_kind', code: 'time_deposit' }, amount: null };
    default:
      return { target: { type: 'product_kind', code: 'wealth' }, amount: null };
  }
}
