import type { LocalText } from '../../platform/i18n.js';
import { factSpec, type FactSpec } from './tiering.facts.js';
import type { Condition, PolicyDocument } from './tiering.policy.js';

// Why a customer has a tier, in words, from the facts that produced it:
// "AUM 52.30万 ≥ 50万" / "AUM 523,000.00 ≥ 500,000". Built from what the reader may see: a fact
// read from personal details (annual income…) is named without its value or the bound it met for
// a role that does not hold pii.details, as the profile hides the value itself.

type FactRow = Record<string, unknown>;

function cents(v: string): bigint {
  const [i = '0', f = ''] = v.split('.');
  const neg = i.startsWith('-');
  const c = BigInt(i.replace('-', '')) * 100n + BigInt((f + '00').slice(0, 2));
  return neg ? -c : c;
}
const group = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 523000.00 → 52.30万 (rounded half up); 500000 → 50万 */
function wan(v: string, trim: boolean): string {
  const c = cents(v);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const hundredths = (abs + 5000n) / 10000n; // 万 with 2 decimals
  let text = `${group(String(hundredths / 100n))}.${String(hundredths % 100n).padStart(2, '0')}`;
  if (trim) text = text.replace(/\.?0+$/, '');
  return `${neg ? '-' : ''}${text}万`;
}
function yuan(v: string, trim: boolean): string {
  const c = cents(v);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  let text = `${group(String(abs / 100n))}.${String(abs % 100n).padStart(2, '0')}`;
  if (trim) text = text.replace(/\.00$/, '');
  return `${neg ? '-' : ''}${text}`;
}

/** What the reader may see of the facts: all, or all but those read from personal details. */
export interface ExplainView {
  details: boolean;
}
const hiddenFrom = (view: ExplainView, spec: FactSpec | undefined) => Boolean(spec?.details) && !view.details;
const HIDDEN = (spec: FactSpec): LocalText => ({ zh: `${spec.zh}（您的岗位不显示此项）`, en: `${spec.en} (not shown for your role)` });

function value(spec: FactSpec, fact: string, v: unknown, threshold: boolean): LocalText {
  if (v === null || v === undefined) return { zh: '未知', en: 'unknown' };
  const type = spec.type;
  if (type === 'money') {
    const s = typeof v === 'number' ? v.toFixed(2) : String(v);
    return { zh: wan(s, threshold), en: yuan(s, threshold) };
  }
  if (type === 'number') {
    const n = Number(v);
    const text = fact.endsWith('growth_90d') || fact.endsWith('share') ? `${(n * 100).toFixed(threshold ? 0 : 1)}%` : String(Math.round(n * 100) / 100);
    return { zh: text, en: text };
  }
  if (type === 'boolean') return v === true ? { zh: '是', en: 'yes' } : { zh: '否', en: 'no' };
  return { zh: String(v), en: String(v) };
}

const OPS: Record<string, string> = { gte: '≥', gt: '>', lte: '≤', lt: '<', eq: '=', ne: '≠' };

function holds(c: Condition, f: FactRow): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, f));
  if ('any' in c) return c.any.some((x) => holds(x, f));
  if ('not' in c) return !holds(c.not, f);
  const raw = f[c.fact];
  if (raw === null || raw === undefined) return false;
  const num = typeof raw === 'boolean' || factSpec(c.fact)?.type === 'text' ? NaN : Number(raw);
  if (c.gte !== undefined) return num >= c.gte;
  if (c.gt !== undefined) return num > c.gt;
  if (c.lte !== undefined) return num <= c.lte;
  if (c.lt !== undefined) return num < c.lt;
  if (c.eq !== undefined) return typeof c.eq === 'number' ? num === c.eq : raw === c.eq;
  if (c.ne !== undefined) return typeof c.ne === 'number' ? num !== c.ne : raw !== c.ne;
  if (c.between) return num >= c.between[0] && num <= c.between[1];
  if (c.in) return c.in.map(String).includes(String(raw));
  return false;
}

function describe(c: Condition, f: FactRow, view: ExplainView): LocalText {
  if ('all' in c) {
    const parts = c.all.map((x) => describe(x, f, view));
    return { zh: parts.map((p) => p.zh).join('，且 '), en: parts.map((p) => p.en).join(', and ') };
  }
  if ('any' in c) {
    const first = c.any.find((x) => holds(x, f)) ?? c.any[0];
    return first ? describe(first, f, view) : { zh: '', en: '' };
  }
  if ('not' in c) {
    const inner = describe(c.not, f, view);
    return { zh: `并非（${inner.zh}）`, en: `not (${inner.en})` };
  }
  const fact = c.fact;
  const spec = factSpec(fact);
  if (!spec) return { zh: fact, en: fact };
  if (hiddenFrom(view, spec)) return HIDDEN(spec);
  const v = value(spec, fact, f[fact], false);
  const op = (['gte', 'gt', 'lte', 'lt', 'eq', 'ne'] as const).find((k) => c[k] !== undefined);
  if (op) {
    const t = value(spec, fact, c[op], true);
    return { zh: `${spec.zh} ${v.zh} ${OPS[op]} ${t.zh}`, en: `${spec.en} ${v.en} ${OPS[op]} ${t.en}` };
  }
  if (c.between) {
    const [a, b] = c.between.map((x) => value(spec, fact, x, true));
    return { zh: `${spec.zh} ${v.zh} 在 ${a?.zh}–${b?.zh} 之间`, en: `${spec.en} ${v.en} between ${a?.en} and ${b?.en}` };
  }
  const list = (c.in ?? []).join('、');
  return { zh: `${spec.zh}为 ${v.zh}（${list}）`, en: `${spec.en} is ${v.en} (${(c.in ?? []).join(', ')})` };
}

/** Why the facts give this tier under this policy, in the words the reader may see. */
export function explainTier(policy: PolicyDocument, model: string, tier: string, facts: FactRow, view: ExplainView): LocalText {
  if (policy.kind === 'bands') {
    const i = policy.tiers.findIndex((t) => t.id === tier);
    const fact = policy.fact;
    const spec = factSpec(fact);
    if (!spec) return { zh: fact, en: fact };
    if (hiddenFrom(view, spec)) return HIDDEN(spec);
    const v = value(spec, fact, facts[fact], false);
    const parts: LocalText[] = [];
    const min = policy.tiers[i]?.min;
    const next = policy.tiers[i + 1]?.min;
    if (min !== undefined) parts.push(value(spec, fact, min, true));
    const lo = min !== undefined ? parts[0] : undefined;
    const hi = next !== undefined ? value(spec, fact, next, true) : undefined;
    const zh = [lo ? `≥ ${lo.zh}` : '', hi ? `< ${hi.zh}` : ''].filter(Boolean).join('，');
    const en = [lo ? `≥ ${lo.en}` : '', hi ? `< ${hi.en}` : ''].filter(Boolean).join(', ');
    return { zh: `${spec.zh} ${v.zh} ${zh}`, en: `${spec.en} ${v.en} ${en}` };
  }
  if (policy.kind === 'rules') {
    const t = policy.tiers.find((x) => x.id === tier);
    if (!t?.when) return { zh: '不满足以上各档条件', en: 'none of the rules of the tiers above hold' };
    return describe(t.when, facts, view);
  }
  const g = policy.groups.find((x) => `tags.${x.id}` === model);
  const t = g?.tags.find((x) => x.id === tier);
  return t ? describe(t.when, facts, view) : { zh: '', en: '' };
}

/** Rank of a tier for up/down: bands go up their list; rule tiers go up towards the top, a 'risk' tier is lowest. */
export function tierRank(policy: PolicyDocument, tier: string): number {
  if (policy.kind === 'bands') return policy.tiers.findIndex((t) => t.id === tier);
  if (policy.kind === 'rules') {
    if (tier === 'risk') return -1;
    return policy.tiers.length - policy.tiers.findIndex((t) => t.id === tier);
  }
  return 0;
}

/** The tiers of a model in the policy's order (a tag group: its tags, then 'none'). */
export function tierOrder(policy: PolicyDocument, model: string): string[] {
  if (policy.kind !== 'tags') return policy.tiers.map((t) => t.id);
  return [...(policy.groups.find((g) => `tags.${g.id}` === model)?.tags.map((t) => t.id) ?? []), 'none'];
}

export function tierLabel(policy: PolicyDocument | undefined, model: string, tier: string): LocalText {
  if (!policy) return { zh: tier, en: tier };
  if (policy.kind === 'tags') {
    if (tier === 'none') return { zh: '无', en: 'none' };
    const g = policy.groups.find((x) => `tags.${x.id}` === model);
    return g?.tags.find((x) => x.id === tier)?.label ?? { zh: tier, en: tier };
  }
  return policy.tiers.find((t) => t.id === tier)?.label ?? { zh: tier, en: tier };
}

export function modelLabel(policy: PolicyDocument | undefined, model: string): LocalText {
  if (!policy) return { zh: model, en: model };
  if (policy.kind === 'tags') {
    const g = policy.groups.find((x) => `tags.${x.id}` === model);
    return g ? { zh: `标签·${g.label.zh}`, en: `Tag · ${g.label.en}` } : policy.label;
  }
  return policy.label;
}

/**
 * The tier of one customer under each model of a policy, evaluated in TypeScript from a facts row
 * (first match wins, as in the SQL). Not used by the batch, which is set-based: it is the
 * per-customer way the benchmark compares against, and a cross-check of the compiled SQL.
 */
export function evaluateInTypeScript(policy: PolicyDocument, facts: FactRow): { model: string; tier: string }[] {
  if (policy.kind === 'bands') {
    const v = facts[policy.fact];
    const num = v === null || v === undefined ? NaN : Number(v);
    let tier = policy.tiers[0]?.id ?? '';
    for (const t of policy.tiers.slice(1)) if (t.min !== undefined && num >= t.min) tier = t.id;
    return [{ model: policy.model, tier }];
  }
  if (policy.kind === 'rules') {
    const t = policy.tiers.find((x) => x.otherwise || (x.when !== undefined && holds(x.when, facts)));
    return [{ model: policy.model, tier: t?.id ?? '' }];
  }
  return policy.groups.map((g) => ({ model: `tags.${g.id}`, tier: g.tags.find((t) => holds(t.when, facts))?.id ?? 'none' }));
}
