import { parse as parseYaml, stringify } from 'yaml';
import { recordAuditDb } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { customerScope, requireCustomer, scopeSql } from '../access/access.scope.js';
import { latestLoadedDate } from '../system/system.service.js';
import { explainTier, modelLabel, tierLabel, tierOrder, tierRank } from './tiering.explain.js';
import { builtInPolicies, policyVersions, publishPolicy, type PublishedPolicy } from './tiering.policies.js';
import { checkPolicy, type PolicyDocument } from './tiering.policy.js';
import { latestFactsDate, simulatePolicy } from './tiering.simulate.js';
import { customerTierHistory, tiersOnDate } from './tiering.sql.js';

// Tiers as staff see them: a customer's tiers with the reason and the history, the branch's tier
// mix and migration, and the policies (read, simulate, publish).

/**
 * The newest version of each policy document, by model (a tag group's model maps to the tags
 * policy); the shipped defaults stand in for models nothing has been recorded for yet, so that a
 * page view never writes.
 */
export async function currentPolicies(s: SqlSession): Promise<Map<string, PolicyDocument>> {
  const r = await s.query<{ model: string; document: PolicyDocument }>('SELECT DISTINCT ON (model) model, document FROM policies ORDER BY model, version DESC');
  return new Map([...builtInPolicies().map((p): [string, PolicyDocument] => [p.model, p]), ...r.rows.map((x): [string, PolicyDocument] => [x.model, x.document])]);
}
export const policyOf = (policies: Map<string, PolicyDocument>, model: string) => policies.get(model.startsWith('tags.') ? 'tags' : model);

export async function customerTiers(db: Db, user: SignedInUser, customerId: string) {
  const view = await requireCustomer(db, user, customerId);
  return db.session(async (s) => {
    const policies = await currentPolicies(s);
    const tiers = await s.query<{ model: string; tier: string; since: string; policy_version: number }>(
      'SELECT model, tier, since, policy_version FROM customer_tiers WHERE customer_id = $1 ORDER BY model',
      [customerId],
    );
    const facts = await s.query<Record<string, unknown> & { business_date: string }>(
      'SELECT * FROM customer_facts WHERE customer_id = $1 ORDER BY business_date DESC LIMIT 1',
      [customerId],
    );
    const f = facts.rows[0] ?? {};
    const asOf = (facts.rows[0]?.business_date as string | undefined) ?? null;
    const history = await customerTierHistory(s, customerId, null, 200);
    const models = tiers.rows.filter((t) => !t.model.startsWith('tags.'));
    return {
      asOf,
      models: models.map((t) => {
        const p = policyOf(policies, t.model);
        return {
          model: t.model,
          label: modelLabel(p, t.model),
          tier: t.tier,
          tierLabel: tierLabel(p, t.model, t.tier),
          since: t.since,
          policyVersion: t.policy_version,
          because: p ? explainTier(p, t.model, t.tier, f, view) : { zh: '', en: '' },
        };
      }),
      tags: tiers.rows
        .filter((t) => t.model.startsWith('tags.') && t.tier !== 'none')
        .map((t) => {
          const p = policyOf(policies, t.model);
          const g = p?.kind === 'tags' ? p.groups.find((x) => `tags.${x.id}` === t.model) : undefined;
          return { group: t.model.slice(5), groupLabel: g?.label ?? { zh: t.model, en: t.model }, tag: t.tier, tagLabel: tierLabel(p, t.model, t.tier), since: t.since };
        }),
      history: history.map((h) => {
        const p = policyOf(policies, h.model);
        const direction: 'up' | 'down' | 'first' | 'changed' =
          h.from_tier === null ? 'first' : !p || p.kind === 'tags' ? 'changed' : tierRank(p, h.to_tier) > tierRank(p, h.from_tier) ? 'up' : 'down';
        return {
          model: h.model,
          label: modelLabel(p, h.model),
          date: h.business_date,
          from: h.from_tier,
          fromLabel: h.from_tier === null ? null : tierLabel(p, h.model, h.from_tier),
          to: h.to_tier,
          toLabel: tierLabel(p, h.model, h.to_tier),
          direction,
          policyVersion: h.policy_version,
        };
      }),
    };
  });
}

// jsonb keeps keys in its own order; a person reads a policy top-down: what it is, then its tiers
const KEY_ORDER = ['model', 'kind', 'label', 'description', 'fact', 'id', 'zh', 'en', 'min', 'owners', 'when', 'otherwise', 'tiers', 'groups', 'tags'];
function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
    return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => [k, readable(v)]));
  }
  return value;
}

function present(v: PublishedPolicy) {
  return {
    model: v.model,
    version: v.version,
    label: v.document.label,
    effectiveFrom: v.effectiveFrom,
    publishedBy: v.publishedBy,
    publishedAt: new Date(v.publishedAt).toISOString(),
    reason: v.reason,
    document: v.document as unknown as Record<string, unknown>,
    yaml: stringify(readable(v.document)),
  };
}

export async function listPolicies(db: Db) {
  return { items: (await policyVersions(db)).map(present) };
}

/** Parses a draft's YAML and checks it; every problem becomes a field error keyed by its path. */
function draftFrom(yaml: string): PolicyDocument {
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    throw new AppError('bad_request', text(`策略不是有效的 YAML：${msg}`, `The policy is not valid YAML: ${msg}`), { yaml: msg });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new AppError('bad_request', text('这不是一份策略：策略是以 model、kind、label、tiers 等为键的 YAML 文档。', 'This is not a policy: a policy is a YAML mapping with model, kind, label, tiers and so on.'), {
      yaml: text('不是策略文档', 'not a policy document'),
    });
  }
  const { policy, problems } = checkPolicy(doc);
  if (!policy) {
    const fields = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    throw new AppError('bad_request', text(`策略有 ${problems.length} 处错误，请按提示修改。`, `The policy has ${problems.length} problem${problems.length > 1 ? 's' : ''}; see each field.`), fields);
  }
  return policy;
}

/**
 * A draft simulated for the user: on the customers of their scope only (a branch head's subtree,
 * the department's whole bank), on the date given or the latest the daily batch ran for (a date
 * without facts is refused: see tiering.simulate.ts).
 */
export async function simulateDraft(db: Db, user: SignedInUser, yaml: string, date: string | undefined) {
  // the roles that read policies see branches; one that saw only the customers it owns would need
  // an owner filter the simulation does not have: refused rather than shown its whole outlet
  if (user.ownerId) throw new AppError('forbidden', text('试算按机构范围统计，您的角色只能查看自己管户的客户。', 'A simulation counts the customers of branches; your role sees only the customers you own.'));
  const policy = draftFrom(yaml);
  const d = date ?? (await latestFactsDate(db)) ?? (await latestLoadedDate(db));
  if (!d) throw new AppError('bad_request', text('还没有加载任何业务日期。', 'No business date has been loaded yet.'));
  return simulatePolicy(db, policy, d, { branches: user.scope, missingFacts: 'refuse' });
}

export async function publishDraft(db: Db, user: SignedInUser, body: { yaml: string; reason: string; effectiveFrom: string }) {
  const policy = draftFrom(body.yaml);
  const v = await publishPolicy(db, policy, { publishedBy: `${user.login} ${user.name}`, reason: body.reason, effectiveFrom: body.effectiveFrom }).catch((e: unknown) => {
    if (e instanceof AppError && /cannot take effect earlier|never in the past/.test(e.message)) throw new AppError('bad_request', e.text, { effectiveFrom: e.message });
    throw e;
  });
  await recordAuditDb(db, { actor: user.login, role: user.role, action: 'policy_publish', outcome: 'allowed', reason: body.reason, detail: { model: v.model, version: v.version, effectiveFrom: body.effectiveFrom } });
  return present(v);
}

export async function tierMix(db: Db, user: SignedInUser, q: { model: string; date?: string | undefined; branchId?: string | undefined }) {
  const branches = await branchesWithinScope(db, user, q.branchId);
  return db.session(async (s) => {
    const policies = await currentPolicies(s);
    const dates = (await s.query<{ d: string }>('SELECT DISTINCT business_date AS d FROM tier_runs WHERE model = $1 ORDER BY 1 DESC', [q.model])).rows.map((r) => r.d);
    const models = (await s.query<{ model: string }>('SELECT DISTINCT model FROM tier_runs ORDER BY 1')).rows.map((r) => ({ model: r.model, label: modelLabel(policyOf(policies, r.model), r.model) }));
    const p = policyOf(policies, q.model);
    if (!p) throw new AppError('not_found', text(`没有模型 ${q.model}。`, `There is no model ${q.model}.`));
    const date = q.date ?? dates[0] ?? null;
    const order = tierOrder(p, q.model);
    const counts = new Map<string, { customers: number; aum: string }>();
    if (date) {
      // the branch filter, and the reader's own scope (a supervisor: the customers they co-own)
      const params: unknown[] = [q.model, date, branches ? [...branches] : null];
      const r = await s.query<{ tier: string; customers: number; aum: string }>(
        `SELECT t.tier, count(*)::int AS customers, coalesce(sum(f.aum), 0)::text AS aum
           FROM (${tiersOnDate('$2')}) t
           JOIN customer_facts f ON f.customer_id = t.customer_id AND f.business_date = $2::date
           JOIN customers c ON c.customer_id = t.customer_id
          WHERE ($3::text[] IS NULL OR c.branch_id = ANY($3::text[])) AND ${scopeSql(customerScope(user), 'c', params)}
          GROUP BY t.tier`,
        params,
      );
      for (const row of r.rows) counts.set(row.tier, { customers: row.customers, aum: row.aum });
    }
    return {
      model: q.model,
      label: modelLabel(p, q.model),
      date,
      tiers: order.map((tier) => ({ tier, label: tierLabel(p, q.model, tier), customers: counts.get(tier)?.customers ?? 0, aum: counts.get(tier)?.aum ?? '0.00' })),
      dates,
      models,
    };
  });
}

export async function tierMigration(db: Db, user: SignedInUser, q: { model: string; from: string; to: string; branchId?: string | undefined }) {
  if (q.from > q.to) throw new AppError('bad_request', text('起始日期须早于结束日期。', 'The first date must not be after the second.'), { from: `${q.from} > ${q.to}` });
  const branches = await branchesWithinScope(db, user, q.branchId);
  return db.session(async (s) => {
    const policies = await currentPolicies(s);
    const p = policyOf(policies, q.model);
    if (!p) throw new AppError('not_found', text(`没有模型 ${q.model}。`, `There is no model ${q.model}.`));
    const params: unknown[] = [q.model, q.from, q.to, branches ? [...branches] : null];
    const r = await s.query<{ from_tier: string | null; to_tier: string; customers: number }>(
      `WITH a AS (${tiersOnDate('$2')}),
            b AS (${tiersOnDate('$3')})
       SELECT a.tier AS from_tier, b.tier AS to_tier, count(*)::int AS customers
         FROM b LEFT JOIN a ON a.customer_id = b.customer_id
         JOIN customers c ON c.customer_id = b.customer_id
        WHERE ($4::text[] IS NULL OR c.branch_id = ANY($4::text[])) AND ${scopeSql(customerScope(user), 'c', params)}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
    const order = tierOrder(p, q.model);
    return {
      model: q.model,
      from: q.from,
      to: q.to,
      tiers: order.map((tier) => ({ tier, label: tierLabel(p, q.model, tier) })),
      cells: r.rows.map((x) => ({ from: x.from_tier, to: x.to_tier, customers: x.customers })),
    };
  });
}
