import { z } from 'zod';
import { ROLES } from '../access/access.permissions.js';
import { nulPath } from '../../platform/contract.js';
import { factSpec } from './tiering.facts.js';

// A policy is a document (YAML or JSON) defining one model: its tiers in order and the rule of
// each — bands on one fact, or conditions combined with all/any/not, first match wins — or, for
// tags, groups of such rules. Checked here (every error with where it is), compiled to one SQL
// CASE expression with bound parameters.

const Id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'is not an identifier (lower-case letters, digits, _)');
const Label = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const Scalar = z.union([z.number(), z.string(), z.boolean()]);

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { fact: string; gte?: number; gt?: number; lte?: number; lt?: number; eq?: string | number | boolean; ne?: string | number | boolean; between?: [number, number]; in?: (string | number)[] };

const Comparison = z
  .object({
    fact: z.string(),
    gte: z.number().optional(),
    gt: z.number().optional(),
    lte: z.number().optional(),
    lt: z.number().optional(),
    eq: Scalar.optional(),
    ne: Scalar.optional(),
    between: z.tuple([z.number(), z.number()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  })
  .strict();
const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([z.object({ all: z.array(ConditionSchema).min(1) }).strict(), z.object({ any: z.array(ConditionSchema).min(1) }).strict(), z.object({ not: ConditionSchema }).strict(), Comparison]),
);

const BandTier = z.object({ id: Id, label: Label, min: z.number().optional(), owners: z.array(z.enum(ROLES)).optional() }).strict();
const RuleTier = z.object({ id: Id, label: Label, when: ConditionSchema.optional(), otherwise: z.literal(true).optional() }).strict();

const Common = { model: Id, label: Label, description: z.string().optional() };
export const PolicyDocument = z.discriminatedUnion('kind', [
  z.object({ ...Common, kind: z.literal('bands'), fact: z.string(), tiers: z.array(BandTier).min(2) }).strict(),
  z.object({ ...Common, kind: z.literal('rules'), tiers: z.array(RuleTier).min(2) }).strict(),
  z
    .object({
      ...Common,
      kind: z.literal('tags'),
      groups: z.array(z.object({ id: Id, label: Label, tags: z.array(z.object({ id: Id, label: Label, when: ConditionSchema }).strict()).min(1) }).strict()).min(1),
    })
    .strict(),
]);
export type PolicyDocument = z.infer<typeof PolicyDocument>;

export interface PolicyProblem {
  path: string;
  message: string;
}

/** Fixed tier identifiers of the built-in models: exports and other systems rely on them. */
export const BUILT_IN_TIERS: Record<string, readonly string[]> = {
  aum_band: ['below', 'band_1', 'band_2', 'band_3', 'band_4', 'band_5'],
  savings_grade: ['risk', 'premium', 'good', 'ordinary'],
  value_tier: ['high_value', 'valuable', 'break_even', 'loss_making'],
  relationship_tier: ['vip', 'potential', 'mass'],
};

/** The fixed tiers of a built-in model, looked up among the built-in models' own names ('constructor' is none). */
export const builtInTiers = (model: string): readonly string[] | undefined => (Object.hasOwn(BUILT_IN_TIERS, model) ? BUILT_IN_TIERS[model] : undefined);

const pathText = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Every problem of a policy document, each with where it is; an empty list means it is valid. */
export function checkPolicy(input: unknown): { policy?: PolicyDocument; problems: PolicyProblem[] } {
  const nul = nulPath(input, '', true);
  if (nul !== null) return { problems: [{ path: nul || '(document)', message: 'contains an invisible control character (NUL, "\\0"); remove it' }] };
  const parsed = PolicyDocument.safeParse(input);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => ({ path: pathText(i.path) || '(document)', message: i.message })) };
  }
  const policy = parsed.data;
  const problems: PolicyProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const checkFact = (path: string, fact: string, want: 'numeric' | 'any') => {
    const spec = factSpec(fact);
    if (!spec) add(path, `unknown fact '${fact}'`);
    else if (want === 'numeric' && !['money', 'integer', 'number'].includes(spec.type)) add(path, `fact '${fact}' is ${spec.type}, not a number`);
    return spec?.type;
  };
  const checkCondition = (c: Condition, path: string): void => {
    if ('all' in c) return c.all.forEach((x, i) => checkCondition(x, `${path}.all[${i}]`));
    if ('any' in c) return c.any.forEach((x, i) => checkCondition(x, `${path}.any[${i}]`));
    if ('not' in c) return checkCondition(c.not, `${path}.not`);
    const ops = (['gte', 'gt', 'lte', 'lt', 'eq', 'ne', 'between', 'in'] as const).filter((k) => c[k] !== undefined);
    if (ops.length !== 1) add(path, ops.length ? `has ${ops.join(' and ')}: give one comparison per condition` : `compares nothing: give one of gte, gt, lte, lt, eq, ne, between, in`);
    const numeric = ops.some((o) => ['gte', 'gt', 'lte', 'lt', 'between'].includes(o));
    const type = checkFact(`${path}.fact`, c.fact, numeric ? 'numeric' : 'any');
    if (c.between && c.between[0] > c.between[1]) add(`${path}.between`, `[${c.between[0]}, ${c.between[1]}] is empty: the first bound must not be above the second`);
    for (const o of ['eq', 'ne'] as const) {
      const v = c[o];
      if (v === undefined || !type) continue;
      const ok = type === 'text' ? typeof v === 'string' : type === 'boolean' ? typeof v === 'boolean' : typeof v === 'number';
      if (!ok) add(`${path}.${o}`, `${JSON.stringify(v)} cannot be compared with fact '${c.fact}' (${type})`);
    }
  };
  const checkIds = (ids: string[], path: string) => {
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) add(`${path}[${i}].id`, `'${id}' is used twice`);
    });
  };

  if (policy.kind === 'bands') {
    checkFact('fact', policy.fact, 'numeric');
    checkIds(policy.tiers.map((t) => t.id), 'tiers');
    policy.tiers.forEach((t, i) => {
      if (i === 0 && t.min !== undefined) add('tiers[0].min', 'the first tier takes everyone below tiers[1].min: give it no min');
      if (i > 0 && t.min === undefined) add(`tiers[${i}].min`, 'is missing: every tier after the first needs its lower bound');
      const prev = policy.tiers[i - 1]?.min;
      if (i > 1 && t.min !== undefined && prev !== undefined && t.min <= prev) add(`tiers[${i}].min`, `(${t.min}) is not above tiers[${i - 1}].min (${prev})`);
    });
  } else if (policy.kind === 'rules') {
    checkIds(policy.tiers.map((t) => t.id), 'tiers');
    policy.tiers.forEach((t, i) => {
      const last = i === policy.tiers.length - 1;
      if (t.when && t.otherwise) add(`tiers[${i}]`, 'has both when and otherwise: give one');
      if (!t.when && !t.otherwise) add(`tiers[${i}]`, 'has neither when nor otherwise');
      if (t.otherwise && !last) add(`tiers[${i}].otherwise`, 'only the last tier may take everyone else');
      if (last && !t.otherwise) add(`tiers[${i}]`, 'the last tier must be otherwise: true, so that every customer gets a tier');
      if (t.when) checkCondition(t.when, `tiers[${i}].when`);
    });
  } else {
    checkIds(policy.groups.map((g) => g.id), 'groups');
    policy.groups.forEach((g, gi) => {
      checkIds(g.tags.map((t) => t.id), `groups[${gi}].tags`);
      g.tags.forEach((t, ti) => checkCondition(t.when, `groups[${gi}].tags[${ti}].when`));
    });
  }
  const fixed = builtInTiers(policy.model);
  if (fixed && policy.kind !== 'tags') {
    const ids = policy.tiers.map((t) => t.id);
    if ([...ids].sort().join() !== [...fixed].sort().join()) add('tiers', `the tiers of the built-in model ${policy.model} are fixed: ${fixed.join(', ')} (found ${ids.join(', ')})`);
  }
  return problems.length ? { problems } : { policy, problems };
}

/** One SQL expression per model: CASE WHEN … THEN tier … END over customer_facts aliased f. */
export interface CompiledModel {
  model: string;
  expression: string;
  params: unknown[];
}

function compileCondition(c: Condition, params: unknown[]): string {
  const p = (v: unknown, cast: string) => {
    params.push(v);
    return `$${params.length}::${cast}`;
  };
  if ('all' in c) return `(${c.all.map((x) => compileCondition(x, params)).join(' AND ')})`;
  if ('any' in c) return `(${c.any.map((x) => compileCondition(x, params)).join(' OR ')})`;
  if ('not' in c) return `(NOT coalesce(${compileCondition(c.not, params)}, false))`;
  const spec = factSpec(c.fact);
  // checkPolicy refuses an unknown fact; this guards a document that reached here some other way
  if (!spec) throw new Error(`unknown fact '${c.fact}'`);
  const col = `f.${c.fact}`;
  const cast = spec.type === 'text' ? 'text' : spec.type === 'boolean' ? 'boolean' : 'numeric';
  // numbers go in as text so that 0.3 stays exactly 0.3 in numeric
  const val = (v: unknown) => p(typeof v === 'number' ? String(v) : v, cast);
  if (c.gte !== undefined) return `${col} >= ${val(c.gte)}`;
  if (c.gt !== undefined) return `${col} > ${val(c.gt)}`;
  if (c.lte !== undefined) return `${col} <= ${val(c.lte)}`;
  if (c.lt !== undefined) return `${col} < ${val(c.lt)}`;
  if (c.eq !== undefined) return `${col} = ${val(c.eq)}`;
  if (c.ne !== undefined) return `${col} <> ${val(c.ne)}`;
  if (c.between) return `${col} BETWEEN ${val(c.between[0])} AND ${val(c.between[1])}`;
  if (c.in) return `${col} = ANY(${p(c.in.map(String), `${cast}[]`)})`;
  throw new Error(`condition on ${c.fact} compares nothing`);
}

/** The models a policy defines: itself, or one per tag group (model tags.<group>, tier 'none' without a tag). */
export function compilePolicy(policy: PolicyDocument): CompiledModel[] {
  if (policy.kind === 'bands') {
    const params: unknown[] = [];
    const [first, ...rest] = policy.tiers;
    const whens = rest.reverse().map((t) => {
      params.push(String(t.min), t.id);
      return `WHEN f.${policy.fact} >= $${params.length - 1}::numeric THEN $${params.length}::text`;
    });
    params.push(first?.id);
    return [{ model: policy.model, expression: `CASE ${whens.join(' ')} ELSE $${params.length}::text END`, params }];
  }
  if (policy.kind === 'rules') {
    const params: unknown[] = [];
    const parts = policy.tiers.map((t) => {
      if (t.otherwise) {
        params.push(t.id);
        return `ELSE $${params.length}::text`;
      }
      const cond = compileCondition(t.when as Condition, params);
      params.push(t.id);
      return `WHEN ${cond} THEN $${params.length}::text`;
    });
    return [{ model: policy.model, expression: `CASE ${parts.join(' ')} END`, params }];
  }
  return policy.groups.map((g) => {
    const params: unknown[] = [];
    const whens = g.tags.map((t) => {
      const cond = compileCondition(t.when, params);
      params.push(t.id);
      return `WHEN ${cond} THEN $${params.length}::text`;
    });
    return { model: `tags.${g.id}`, expression: `CASE ${whens.join(' ')} ELSE 'none' END`, params };
  });
}
