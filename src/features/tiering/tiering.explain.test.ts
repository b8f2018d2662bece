import { describe, expect, it } from 'vitest';
import { explainTier } from './tiering.explain.js';
import type { PolicyDocument } from './tiering.policy.js';

// Why a customer has a tier, in the words the reader may see: a role that may not see the annual
// income (the lobby, tellers) reads that the tier came from it, never the figure or the bound it met.

const rules = {
  model: 'rich',
  kind: 'rules',
  label: { zh: '收入', en: 'Income' },
  tiers: [
    { id: 'high', label: { zh: '高', en: 'High' }, when: { all: [{ fact: 'annual_income', gte: 300000 }, { fact: 'aum', gte: 100000 }] } },
    { id: 'rest', label: { zh: '其他', en: 'Rest' }, otherwise: true },
  ],
} as unknown as PolicyDocument;
const bands = {
  model: 'income_band',
  kind: 'bands',
  label: { zh: '收入档', en: 'Income band' },
  fact: 'annual_income',
  tiers: [{ id: 'low', label: { zh: '低', en: 'Low' } }, { id: 'high', label: { zh: '高', en: 'High' }, min: 500000 }],
} as unknown as PolicyDocument;
const facts = { annual_income: '520000.00', aum: '150000.00' };

describe('explaining a tier', () => {
  it('shows the income and its bound to a role that sees personal details', () => {
    expect(explainTier(rules, 'rich', 'high', facts, { details: true })).toEqual({ zh: '年收入 52.00万 ≥ 30万，且 AUM 15.00万 ≥ 10万', en: 'annual income 520,000.00 ≥ 300,000, and AUM 150,000.00 ≥ 100,000' });
    expect(explainTier(bands, 'income_band', 'high', facts, { details: true }).en).toBe('annual income 520,000.00 ≥ 500,000');
  });

  it('names the income without its figure or bound to a role that does not, and keeps the rest', () => {
    const r = explainTier(rules, 'rich', 'high', facts, { details: false });
    expect(r).toEqual({ zh: '年收入（您的岗位不显示此项），且 AUM 15.00万 ≥ 10万', en: 'annual income (not shown for your role), and AUM 150,000.00 ≥ 100,000' });
    const b = explainTier(bands, 'income_band', 'high', facts, { details: false });
    expect(b.en).toBe('annual income (not shown for your role)');
    expect(JSON.stringify([r, b])).not.toMatch(/52|30万|50万|300,000|500,000/);
  });
});
