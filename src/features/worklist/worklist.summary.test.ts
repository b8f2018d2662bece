import { describe, expect, it } from 'vitest';
import { factsFor, planFactsFor, planReasonText, reminderSummary, tierLabel } from './worklist.summary.js';

const ALL = { details: true };
const NO_DETAILS = { details: false };

// The sentences owners read on their reminders, from the facts the events step records.

describe('reminder sentences', () => {
  it("says a 300万+ customer's festival greeting goes out in the branch's name (seed 000), others' from the owner", () => {
    const facts = { festival: 'mid_autumn', date: '2026-09-25', days_ahead: 3, band: 'band_5', in_branch_name: true };
    expect(reminderSummary('festival_soon', facts, 'zh', ALL)).toBe('中秋节（09-25）3 天后，以网点名义致节日问候');
    expect(reminderSummary('festival_soon', facts, 'en', ALL)).toBe("the Mid-Autumn Festival on 09-25, in 3 days: send greetings in the branch's name");
    expect(reminderSummary('festival_soon', { ...facts, band: 'band_4', in_branch_name: false }, 'zh', ALL)).toBe('中秋节（09-25）3 天后，可致节日问候');
  });

  it('says a product paid out at maturity without an amount of 0', () => {
    const facts = { account_kind: 'wealth', matures_on: '2026-11-19', balance: '0.00' };
    expect(reminderSummary('matured_not_reinvested', facts, 'zh', ALL)).toBe('理财已于 11-19 到期，尚未续投');
    expect(reminderSummary('matured_not_reinvested', { ...facts, balance: '150000.00' }, 'zh', ALL)).toBe('理财 15.00万 已于 11-19 到期，尚未续投');
  });

  it("names tiers by the shipped policies' labels, and a tier a bank added by its id", () => {
    expect(reminderSummary('tier_changed', { model: 'aum_band', from: 'band_3', to: 'band_4', direction: 'up' }, 'zh', ALL)).toBe('AUM 分层上升：20–50万 → 50–300万');
    expect(tierLabel('relationship_tier', 'vip').en).toBe('VIP');
    expect(tierLabel('aum_band', 'band_9').zh).toBe('band_9');
    expect(tierLabel('aum_band', null).zh).toBe('—');
  });

  it('tells a reader without personal details that a birthday is coming, not its day or the age (the birth date the profile hides)', () => {
    const facts = { date: '2026-11-26', turns: 52, days_ahead: 3 };
    expect(reminderSummary('birthday_soon', facts, 'en', ALL)).toBe('birthday on 11-26 (turns 52), in 3 days');
    expect(reminderSummary('birthday_soon', facts, 'en', NO_DETAILS)).toBe('birthday coming, in 3 days');
    expect(reminderSummary('birthday_soon', facts, 'zh', NO_DETAILS)).toBe('生日临近，3 天后');
    expect(factsFor(NO_DETAILS, 'birthday_soon', facts)).toEqual({ days_ahead: 3 });
    expect(factsFor(NO_DETAILS, 'large_inflow', { amount: '500000.00' })).toEqual({ amount: '500000.00' });
    const plan = { reminders: [{ event: 'birthday_soon', facts }] };
    expect(planFactsFor(NO_DETAILS, plan)).toEqual({ reminders: [{ event: 'birthday_soon', facts: { days_ahead: 3 } }] });
    expect(planReasonText('opportunity', plan, [], 'zh', NO_DETAILS)).toBe('商机提醒：生日临近，3 天后');
    expect(JSON.stringify(planFactsFor(NO_DETAILS, plan))).not.toMatch(/11-26|52/);
  });
});
