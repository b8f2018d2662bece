import { describe, expect, it } from 'vitest';
import { builtInPolicies } from './tiering.policies.js';
import { checkPolicy, compilePolicy } from './tiering.policy.js';

// A bank edits policies; a bad one is refused with every error and where it is.

const bands = (tiers: unknown[]) => ({ model: 'my_bands', kind: 'bands', label: { zh: '测试', en: 'Test' }, fact: 'aum', tiers });
const tier = (id: string, min?: number) => ({ id, label: { zh: id, en: id }, ...(min === undefined ? {} : { min }) });

describe('checking a policy', () => {
  it('ships valid defaults for every built-in model, with the fixed tier identifiers', () => {
    const models = builtInPolicies().map((p) => p.model);
    expect(models).toEqual(['aum_band', 'relationship_tier', 'savings_grade', 'tags', 'value_tier']);
  });

  it('says which band is not above the one before, with both values', () => {
    const r = checkPolicy(bands([tier('a'), tier('b', 50000), tier('c', 50000), tier('d', 10)]));
    expect(r.problems).toEqual([
      { path: 'tiers[2].min', message: '(50000) is not above tiers[1].min (50000)' },
      { path: 'tiers[3].min', message: '(10) is not above tiers[2].min (50000)' },
    ]);
  });

  it('names an unknown fact and where it is', () => {
    const r = checkPolicy({
      model: 'x',
      kind: 'rules',
      label: { zh: 'x', en: 'x' },
      tiers: [
        { id: 'a', label: { zh: 'a', en: 'a' }, when: { all: [{ fact: 'aum', gte: 1 }, { fact: 'aum_avg_mtd2', gte: 5 }] } },
        { id: 'b', label: { zh: 'b', en: 'b' }, otherwise: true },
      ],
    });
    expect(r.problems).toEqual([{ path: 'tiers[0].when.all[1].fact', message: "unknown fact 'aum_avg_mtd2'" }]);
  });

  it("refuses the names every JavaScript object has as facts ('constructor', 'toString', '__proto__'), in rules and in bands", () => {
    for (const fact of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const rules = checkPolicy({
        model: 'x',
        kind: 'rules',
        label: { zh: 'x', en: 'x' },
        tiers: [
          { id: 'a', label: { zh: 'a', en: 'a' }, when: { fact, eq: 'x' } },
          { id: 'b', label: { zh: 'b', en: 'b' }, otherwise: true },
        ],
      });
      expect(rules.problems, fact).toEqual([{ path: 'tiers[0].when.fact', message: `unknown fact '${fact}'` }]);
      expect(checkPolicy({ ...bands([tier('a'), tier('b', 5)]), fact }).problems, fact).toContainEqual({ path: 'fact', message: `unknown fact '${fact}'` });
    }
  });

  it("takes a model named 'constructor' for a model of the bank's own, not a built-in one", () => {
    expect(checkPolicy({ ...bands([tier('a'), tier('b', 5)]), model: 'constructor' }).problems).toEqual([]);
  });

  it('names where a policy holds a NUL character (a YAML "\\0" escape) rather than failing when it is stored', () => {
    const r = checkPolicy({ ...bands([tier('a'), { id: 'b', label: { zh: '高\u0000', en: 'b' }, min: 5 }]) });
    expect(r.problems).toEqual([{ path: 'tiers[1].label.zh', message: 'contains an invisible control character (NUL, "\\0"); remove it' }]);
  });

  it('lists every problem at once: schema, order, types, a missing otherwise, fixed identifiers', () => {
    const r = checkPolicy({
      model: 'savings_grade',
      kind: 'rules',
      label: { zh: 'x', en: 'x' },
      tiers: [
        { id: 'risk', label: { zh: 'a', en: 'a' }, when: { fact: 'occupation', gte: 3 } },
        { id: 'premium', label: { zh: 'a', en: 'a' }, otherwise: true },
        { id: 'good', label: { zh: 'a', en: 'a' }, when: { fact: 'age', eq: 'old' } },
      ],
    });
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "tiers[0].when.fact: fact 'occupation' is text, not a number",
      'tiers[1].otherwise: only the last tier may take everyone else',
      'tiers[2]: the last tier must be otherwise: true, so that every customer gets a tier',
      `tiers[2].when.eq: "old" cannot be compared with fact 'age' (integer)`,
      'tiers: the tiers of the built-in model savings_grade are fixed: risk, premium, good, ordinary (found risk, premium, good)',
    ]);
    expect(checkPolicy({ model: 'Bad Name', kind: 'bands' }).problems.map((p) => p.path)).toEqual(expect.arrayContaining(['model', 'label', 'fact', 'tiers']));
  });

  it('compiles to one CASE with bound parameters, highest band first', () => {
    const r = checkPolicy(bands([tier('low'), tier('mid', 1000), tier('high', 50000.5)]));
    if (!r.policy) throw new Error(JSON.stringify(r.problems));
    expect(compilePolicy(r.policy)).toEqual([
      {
        model: 'my_bands',
        expression: 'CASE WHEN f.aum >= $1::numeric THEN $2::text WHEN f.aum >= $3::numeric THEN $4::text ELSE $5::text END',
        params: ['50000.5', 'high', '1000', 'mid', 'low'],
      },
    ]);
  });
});
