import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { nulPath } from '../../platform/contract.js';
import { BUILT_IN_TIERS } from '../tiering/tiering.policy.js';

// The service entitlements policy (POLICIES "Service entitlements", seed 004): which customers
// are entitled to what, each entitlement given when any of its conditions holds. Kept as versions
// (entitlements.policies.ts); read at the moment of asking, from the customer's tiers, card and AUM.

export const BANDS = BUILT_IN_TIERS.aum_band ?? [];
export const VALUE_TIERS = BUILT_IN_TIERS.value_tier ?? [];
export const CARD_GRADES = ['gold', 'platinum', 'diamond'] as const;

const Label = z.object({ zh: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const Condition = z.union([
  z.object({ band_at_least: z.enum(BANDS as [string, ...string[]]) }).strict(),
  z.object({ card_at_least: z.enum(CARD_GRADES) }).strict(),
  z.object({ value_tier: z.enum(VALUE_TIERS as [string, ...string[]]) }).strict(),
  z.object({ aum: z.object({ min: z.number().nonnegative().optional(), below: z.number().positive().optional() }).strict() }).strict(),
]);
export type EntitlementCondition = z.infer<typeof Condition>;

export const EntitlementsPolicy = z
  .object({
    kind: z.literal('entitlements'),
    label: Label,
    entitlements: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'an id is 2 to 40 small letters, digits or _, starting with a letter'),
            label: Label,
            any: z.array(Condition),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type EntitlementsPolicy = z.infer<typeof EntitlementsPolicy>;

export interface EntitlementProblem {
  /** where: entitlements[2].any[0].band_at_least */
  path: string;
  /** the line of the YAML text (1-based), when the problem is at a place in it */
  line: number | null;
  message: string;
}

const pathText = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Every problem of a document, each with its path; the line is added by checkEntitlementsYaml. */
export function checkEntitlementsPolicy(input: unknown): { policy?: EntitlementsPolicy; problems: { path: (string | number)[]; message: string }[] } {
  const parsed = EntitlementsPolicy.safeParse(input);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
        message: i.code === 'invalid_union' ? 'a condition is one of band_at_least, card_at_least, value_tier or aum: { min, below }, with a known value' : i.message,
      })),
    };
  }
  const policy = parsed.data;
  const problems: { path: (string | number)[]; message: string }[] = [];
  policy.entitlements.forEach((e, i) => {
    if (policy.entitlements.findIndex((x) => x.id === e.id) !== i) problems.push({ path: ['entitlements', i, 'id'], message: `'${e.id}' is listed twice` });
    e.any.forEach((c, j) => {
      if ('aum' in c) {
        const { min, below } = c.aum;
        if (min === undefined && below === undefined) problems.push({ path: ['entitlements', i, 'any', j, 'aum'], message: 'give min, below or both' });
        if (min !== undefined && below !== undefined && below <= min) problems.push({ path: ['entitlements', i, 'any', j, 'aum'], message: `below (${below}) is not above min (${min})` });
      }
    });
  });
  return problems.length ? { problems } : { policy, problems: [] };
}

/** Parses and checks a draft's YAML text; each problem names its field and its line. */
export function checkEntitlementsYaml(yaml: string): { policy?: EntitlementsPolicy; problems: EntitlementProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines });
  if (doc.errors.length) {
    return { problems: doc.errors.map((e) => ({ path: '(yaml)', line: e.linePos?.[0]?.line ?? null, message: `not valid YAML: ${e.message.split('\n')[0] ?? ''}` })) };
  }
  const input: unknown = doc.toJS();
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { problems: [{ path: '(document)', line: 1, message: 'a policy is a YAML mapping with kind, label and entitlements' }] };
  }
  const nul = nulPath(input, '', true);
  const { policy, problems } =
    nul !== null
      ? { policy: undefined, problems: [{ path: nul.split(/[.[\]]+/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: 'holds a NUL character (\\0): remove it' }] }
      : checkEntitlementsPolicy(input);
  const lineOf = (path: (string | number)[]): number | null => {
    // the deepest node of the path that exists (a missing field: its parent)
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  return { ...(policy ? { policy } : {}), problems: problems.map((p) => ({ path: pathText(p.path) || '(document)', line: lineOf(p.path), message: p.message })) };
}

/** What an entitlement is judged on, for one customer. */
export interface CustomerStanding {
  aumBand: string | null;
  valueTier: string | null;
  /** the highest active VIP card grade, null without one */
  cardGrade: string | null;
  /** AUM in yuan as text (numeric), null without facts */
  aum: string | null;
}

const rank = (list: readonly string[], v: string | null) => (v === null ? -1 : list.indexOf(v));
const yuan = (v: number | string) =>
  Number(v).toLocaleString('en-US', { minimumFractionDigits: Number.isInteger(Number(v)) && typeof v === 'number' ? 0 : 2, maximumFractionDigits: 2 });

/** Whether a condition holds, and the customer's value against the rule when it does ("band_3 ≥ band_3"). */
export function conditionHolds(c: EntitlementCondition, s: CustomerStanding): string | null {
  if ('band_at_least' in c) return s.aumBand !== null && rank(BANDS, s.aumBand) >= rank(BANDS, c.band_at_least) ? `aum_band ${s.aumBand} ≥ ${c.band_at_least}` : null;
  if ('card_at_least' in c) return s.cardGrade !== null && rank(CARD_GRADES, s.cardGrade) >= rank(CARD_GRADES, c.card_at_least) ? `card ${s.cardGrade} ≥ ${c.card_at_least}` : null;
  if ('value_tier' in c) return s.valueTier === c.value_tier ? `value_tier ${s.valueTier} = ${c.value_tier}` : null;
  if (s.aum === null) return null;
  const aum = Number(s.aum);
  const { min, below } = c.aum;
  if ((min !== undefined && aum < min) || (below !== undefined && aum >= below)) return null;
  const range = min !== undefined && below !== undefined ? `in [${yuan(min)}, ${yuan(below)})` : min !== undefined ? `≥ ${yuan(min)}` : `< ${yuan(below ?? 0)}`;
  return `AUM ${yuan(s.aum)} ${range}`;
}

export interface Entitled {
  id: string;
  label: { zh: string; en: string };
  /** every condition that holds, with the customer's value */
  why: string[];
}

/** The entitlements a customer has under a policy, in the policy's order. */
export function entitlementsOf(policy: EntitlementsPolicy, s: CustomerStanding): Entitled[] {
  return policy.entitlements.flatMap((e) => {
    const why = e.any.map((c) => conditionHolds(c, s)).filter((w): w is string => w !== null);
    return why.length ? [{ id: e.id, label: e.label, why }] : [];
  });
}

/**
 * An entitlement's conditions as one SQL test over a row with aum_band, value_tier, card_grade and
 * aum (the simulation counts with it); values bound as parameters appended to `params`.
 */
export function entitlementSql(e: EntitlementsPolicy['entitlements'][number], params: unknown[], cols = { band: 'aum_band', value: 'value_tier', card: 'card_grade', aum: 'aum' }): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const parts = e.any.map((c) => {
    if ('band_at_least' in c) return `${cols.band} = ANY(${p(BANDS.slice(BANDS.indexOf(c.band_at_least)))}::text[])`;
    if ('card_at_least' in c) return `${cols.card} = ANY(${p(CARD_GRADES.slice(CARD_GRADES.indexOf(c.card_at_least)))}::text[])`;
    if ('value_tier' in c) return `${cols.value} = ${p(c.value_tier)}`;
    const t = [`${cols.aum} IS NOT NULL`];
    if (c.aum.min !== undefined) t.push(`${cols.aum} >= ${p(String(c.aum.min))}::numeric`);
    if (c.aum.below !== undefined) t.push(`${cols.aum} < ${p(String(c.aum.below))}::numeric`);
    return `(${t.join(' AND ')})`;
  });
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}
