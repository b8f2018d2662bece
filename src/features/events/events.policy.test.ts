import { describe, expect, it } from 'vitest';
import { builtInEventsPolicy } from './events.policies.js';
import { checkEventsPolicy } from './events.policy.js';

describe('the events policy', () => {
  it('ships exactly the defaults of POLICIES.md', () => {
    const p = builtInEventsPolicy();
    expect(p.events.large_inflow.thresholds).toEqual({ below: 20000, band_1: 20000, band_2: 20000, band_3: 50000, band_4: 100000, band_5: 100000 });
    expect(p.events.large_outflow.thresholds).toEqual(p.events.large_inflow.thresholds);
    expect([p.events.large_inflow.kind, p.events.large_outflow.kind]).toEqual(['opportunity', 'risk']);
    expect(p.events.aum_rise).toEqual({ kind: 'opportunity', lookback_days: 30, min_share: 0.2, min_amount: 10000 });
    expect(p.events.aum_fall).toEqual({ kind: 'risk', lookback_days: 30, min_share: 0.2, min_amount: 10000 });
    expect([p.events.birthday_soon.window_days, p.events.festival_soon.window_days, p.events.maturing.window_days, p.events.matured_not_reinvested.window_days]).toEqual([7, 3, 7, 7]);
    expect(p.events.festival_soon.min_band).toBe('band_3');
    expect(p.card_standards).toEqual({ gold: 100000, platinum: 500000, diamond: 3000000 });
    expect(p.contact.frequency_days).toEqual({ band_5: 14, band_4: 30, band_3: 30, band_2: 90, band_1: null, below: null });
    expect(p.reminders).toEqual({ expire_after_days: 30 });
    expect(p.plan).toEqual({ size: 20, order: ['open_risk_reminders', 'open_opportunity_reminders', 'due_contacts'], within_group: 'aum_desc', do_not_disturb: 'service_only' });
  });

  it('refuses a bad policy with every problem and where it is', () => {
    const good = builtInEventsPolicy();
    const bad = structuredClone(good) as unknown as { events: { large_inflow: { thresholds: Partial<Record<string, number>> }; maturing: { kind: string } }; plan: { size: number } };
    delete bad.events.large_inflow.thresholds.band_4;
    bad.events.maturing.kind = 'alarm';
    bad.plan.size = 0;
    const r = checkEventsPolicy(bad);
    expect(r.policy).toBeUndefined();
    expect(r.problems.map((p) => p.path).sort()).toEqual(['events.large_inflow.thresholds.band_4', 'events.maturing.kind', 'plan.size']);

    const order = structuredClone(good);
    order.card_standards.platinum = 100000;
    order.plan.order = ['due_contacts', 'due_contacts'];
    order.events.tier_changed.models = { aum_band: ['band_5', 'band_4'], nonsense: ['a', 'b'] };
    expect(checkEventsPolicy(order).problems).toEqual([
      { path: 'card_standards.platinum', message: '(100000) is not above card_standards.gold (100000)' },
      { path: 'plan.order[1]', message: "'due_contacts' is listed twice" },
      { path: 'events.tier_changed.models.aum_band', message: 'list every tier of aum_band once, lowest first: below, band_1, band_2, band_3, band_4, band_5 (found band_5, band_4)' },
      { path: 'events.tier_changed.models.nonsense', message: "unknown model 'nonsense': give one of aum_band, savings_grade, value_tier, relationship_tier" },
    ]);
  });
});
