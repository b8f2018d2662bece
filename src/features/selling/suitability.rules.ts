import { text, type LocalText } from '../../platform/i18n.js';
import { addDays } from '../events/events.calendar.js';

// Suitability (POLICIES.md "Suitability", seed 002; China's wealth-management sales rules), as one
// pure function: what suits whom on a day, and why, in both languages.
//   - A product of risk R1…R5 suits a customer whose risk_level C1…C5 is not below its number
//     (R3 suits C3, C4, C5).
//   - No risk_level, or a risk_assessed_on more than 365 days before the day of the check: not
//     assessed — only R1 suits, and the answer says the assessment is missing or since when it has
//     expired. (The feed's risk_assessed_on may be empty: the level is then taken as valid.)
//   - Aged 65 or more on the day: R4 and R5 only when they suit and a second staff member confirms.
// Every refusal names the product's risk, the customer's level (or its absence) and the rule.

export const PRODUCT_RISKS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export const CUSTOMER_LEVELS = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
/** an assessment holds this many days after the day it was made (day 365 still holds, day 366 not) */
export const ASSESSMENT_VALID_DAYS = 365;
export const SENIOR_AGE = 65;
/** from this risk on, a customer of SENIOR_AGE or more needs a second staff member's confirmation */
export const SENIOR_CONFIRMATION_FROM = 4;

export type Assessment = 'valid' | 'missing' | 'expired';
/**
 * within_level: suits; senior_confirmation: suits, with a second staff member's confirmation;
 * above_level, not_assessed, assessment_expired: does not suit.
 */
export type SuitabilityRule = 'within_level' | 'senior_confirmation' | 'above_level' | 'not_assessed' | 'assessment_expired';

export interface SuitabilityInput {
  /** 'R1'…'R5' */
  productRisk: string;
  /** 'C1'…'C5', or null (not assessed) */
  riskLevel: string | null;
  /** the day of the last assessment (null: the feed does not say; the level is taken as valid) */
  assessedOn: string | null;
  birthDate: string | null;
  /** the day of the check */
  date: string;
}

export interface Suitability {
  suitable: boolean;
  /** suits only with a second staff member's confirmation (65 and over, R4/R5) */
  needsConfirmation: boolean;
  rule: SuitabilityRule;
  productRisk: string;
  /** the customer's level as assessed (null: none) */
  customerLevel: string | null;
  assessment: Assessment;
  assessedOn: string | null;
  /** the first day the assessment no longer held (expired only) */
  expiredSince: string | null;
  age: number | null;
  reason: LocalText;
}

const num = (level: string | null) => (level ? Number(level.slice(1)) : NaN);
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Age in whole years on a day (the birthday itself counts: 65 on the 65th birthday). */
export function ageOn(birthDate: string | null, on: string): number | null {
  if (!birthDate) return null;
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  if (!by || !bm || !bd || !y || !m || !d) return null;
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Whether the customer's assessment holds on the day, and since when it has not. */
export function assessmentOn(riskLevel: string | null, assessedOn: string | null, date: string): { assessment: Assessment; expiredSince: string | null } {
  if (!riskLevel) return { assessment: 'missing', expiredSince: null };
  if (assessedOn && days(assessedOn, date) > ASSESSMENT_VALID_DAYS) return { assessment: 'expired', expiredSince: addDays(assessedOn, ASSESSMENT_VALID_DAYS + 1) };
  return { assessment: 'valid', expiredSince: null };
}

/** What the customer's assessment allows, one sentence (the suitable products card's notice). */
export function assessmentNotice(riskLevel: string | null, assessedOn: string | null, date: string): LocalText | null {
  const { assessment, expiredSince } = assessmentOn(riskLevel, assessedOn, date);
  if (assessment === 'missing') return text('客户尚未做风险承受能力评估：仅可推荐 R1 产品，请尽快安排评估。', 'The customer has no risk assessment: only R1 products suit. Arrange an assessment.');
  if (assessment === 'expired') {
    return text(
      `客户的风险评估（${riskLevel}，${assessedOn} 评估）已于 ${expiredSince} 起过期：仅可推荐 R1 产品，请尽快重新评估。`,
      `The customer's risk assessment (${riskLevel}, made on ${assessedOn}) has expired since ${expiredSince}: only R1 products suit. Arrange a new assessment.`,
    );
  }
  return null;
}

/** Whether a product of a risk suits the customer on the day, and why. */
export function suitability(x: SuitabilityInput): Suitability {
  const risk = num(x.productRisk);
  if (!Number.isInteger(risk) || risk < 1 || risk > 5) throw new Error(`not a product risk level: ${x.productRisk}`);
  const { assessment, expiredSince } = assessmentOn(x.riskLevel, x.assessedOn, x.date);
  const age = ageOn(x.birthDate, x.date);
  const level = assessment === 'valid' ? num(x.riskLevel) : 1;
  const base = { productRisk: x.productRisk, customerLevel: x.riskLevel, assessment, assessedOn: x.assessedOn, expiredSince, age };
  const R = x.productRisk;
  if (risk > level) {
    if (assessment === 'missing') {
      return { ...base, suitable: false, needsConfirmation: false, rule: 'not_assessed', reason: text(`客户未做风险承受能力评估，仅可推荐 R1 产品；本产品风险等级为 ${R}`, `the customer has no risk assessment, so only R1 products suit; this product is ${R}`) };
    }
    if (assessment === 'expired') {
      return {
        ...base,
        suitable: false,
        needsConfirmation: false,
        rule: 'assessment_expired',
        reason: text(
          `客户的风险评估（${x.riskLevel}，${x.assessedOn} 评估）已于 ${expiredSince} 起过期，仅可推荐 R1 产品；本产品风险等级为 ${R}`,
          `the customer's risk assessment (${x.riskLevel}, made on ${x.assessedOn}) has expired since ${expiredSince}, so only R1 products suit; this product is ${R}`,
        ),
      };
    }
    return {
      ...base,
      suitable: false,
      needsConfirmation: false,
      rule: 'above_level',
      reason: text(`产品风险等级 ${R} 高于客户风险承受能力 ${x.riskLevel}，仅可推荐 R${level} 及以下的产品`, `the product's risk ${R} is above the customer's risk tolerance ${x.riskLevel}: only products up to R${level} suit`),
    };
  }
  if (age !== null && age >= SENIOR_AGE && risk >= SENIOR_CONFIRMATION_FROM) {
    return {
      ...base,
      suitable: true,
      needsConfirmation: true,
      rule: 'senior_confirmation',
      reason: text(
        `产品风险等级 ${R} 不高于客户风险承受能力 ${x.riskLevel}，但客户已 ${age} 岁（65 岁及以上）：须由第二名员工确认后方可推荐`,
        `the product's risk ${R} is within the customer's risk tolerance ${x.riskLevel}, but the customer is ${age} (65 or over): a second staff member must confirm it`,
      ),
    };
  }
  const within =
    assessment === 'valid'
      ? text(`产品风险等级 ${R} 不高于客户风险承受能力 ${x.riskLevel}`, `the product's risk ${R} is within the customer's risk tolerance ${x.riskLevel}`)
      : text(`R1 产品适合所有客户（客户风险评估${assessment === 'missing' ? '缺失' : '已过期'}）`, `an R1 product suits every customer (the risk assessment is ${assessment})`);
  return { ...base, suitable: true, needsConfirmation: false, rule: 'within_level', reason: within };
}
