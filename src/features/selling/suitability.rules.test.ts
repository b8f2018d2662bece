import { describe, expect, it } from 'vitest';
import { ageOn, assessmentOn, suitability } from './suitability.rules.js';

// The suitability rule (POLICIES.md "Suitability") at each of its boundaries, without a database.

const check = (productRisk: string, riskLevel: string | null, over: { assessedOn?: string | null; birthDate?: string | null; date?: string } = {}) =>
  suitability({ productRisk, riskLevel, assessedOn: over.assessedOn ?? null, birthDate: over.birthDate === undefined ? '1980-01-01' : over.birthDate, date: over.date ?? '2026-11-20' });

describe('suitability', () => {
  it('a product suits a customer whose level is not below its risk: R3 suits C3, C4, C5 and not C2', () => {
    expect(check('R3', 'C2')).toMatchObject({ suitable: false, rule: 'above_level', assessment: 'valid' });
    for (const level of ['C3', 'C4', 'C5']) expect(check('R3', level), level).toMatchObject({ suitable: true, needsConfirmation: false, rule: 'within_level' });
    expect(check('R1', 'C1').suitable).toBe(true);
    expect(check('R5', 'C4').suitable).toBe(false);
  });

  it('names the product risk, the customer level and the rule in both languages', () => {
    expect(check('R3', 'C2').reason).toEqual({
      zh: '产品风险等级 R3 高于客户风险承受能力 C2，仅可推荐 R2 及以下的产品',
      en: "the product's risk R3 is above the customer's risk tolerance C2: only products up to R2 suit",
    });
  });

  it('no level: not assessed, only R1 suits', () => {
    expect(check('R1', null)).toMatchObject({ suitable: true, assessment: 'missing', rule: 'within_level' });
    const r2 = check('R2', null);
    expect(r2).toMatchObject({ suitable: false, rule: 'not_assessed', assessment: 'missing', customerLevel: null });
    expect(r2.reason.en).toBe('the customer has no risk assessment, so only R1 products suit; this product is R2');
  });

  it('an assessment holds 365 days after it was made; on the 366th only R1 suits, and the answer says since when', () => {
    // 2025-11-20 + 365 days = 2026-11-20
    expect(check('R3', 'C4', { assessedOn: '2025-11-20', date: '2026-11-20' })).toMatchObject({ suitable: true, assessment: 'valid' });
    const late = check('R3', 'C4', { assessedOn: '2025-11-20', date: '2026-11-21' });
    expect(late).toMatchObject({ suitable: false, rule: 'assessment_expired', assessment: 'expired', expiredSince: '2026-11-21' });
    expect(late.reason.zh).toContain('已于 2026-11-21 起过期');
    expect(check('R1', 'C4', { assessedOn: '2025-11-20', date: '2026-11-21' })).toMatchObject({ suitable: true, assessment: 'expired' });
    // a leap year counts its day: 2024-02-29 + 365 = 2025-02-28
    expect(assessmentOn('C3', '2024-02-29', '2025-02-28').assessment).toBe('valid');
    expect(assessmentOn('C3', '2024-02-29', '2025-03-01')).toEqual({ assessment: 'expired', expiredSince: '2025-03-01' });
    // no date delivered: the level is taken as valid
    expect(assessmentOn('C3', null, '2099-01-01').assessment).toBe('valid');
  });

  it('65 and over on the day: R4 and R5 only with a second staff member, and only when they suit', () => {
    // turns 65 on 2026-11-20
    expect(ageOn('1961-11-20', '2026-11-20')).toBe(65);
    expect(ageOn('1961-11-21', '2026-11-20')).toBe(64);
    expect(check('R4', 'C5', { birthDate: '1961-11-21' })).toMatchObject({ suitable: true, needsConfirmation: false, age: 64 });
    const senior = check('R4', 'C5', { birthDate: '1961-11-20' });
    expect(senior).toMatchObject({ suitable: true, needsConfirmation: true, rule: 'senior_confirmation', age: 65 });
    expect(senior.reason.en).toContain('a second staff member must confirm it');
    expect(check('R5', 'C4', { birthDate: '1950-01-01' })).toMatchObject({ suitable: false, needsConfirmation: false, rule: 'above_level' });
    expect(check('R3', 'C5', { birthDate: '1950-01-01' })).toMatchObject({ suitable: true, needsConfirmation: false });
    // no birth date: the age is unknown, nothing more is asked
    expect(check('R4', 'C5', { birthDate: null })).toMatchObject({ suitable: true, needsConfirmation: false, age: null });
  });
});
