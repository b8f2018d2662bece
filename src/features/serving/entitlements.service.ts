import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { customerNotFound, customerScope, scopeSql } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { findCustomer } from '../customers/customers.sql.js';
import { chinaDay, type WorkActor } from '../worklist/worklist.common.js';
import { checkEntitlementsYaml, entitlementSql, entitlementsOf, type CustomerStanding, type Entitled, type EntitlementsPolicy } from './entitlements.policy.js';

// Service entitlements (issue 22 §2): the policy's versions (the shipped default is version 1),
// checking, simulating and publishing a draft, and what a customer is entitled to now and why.

const SHIPPED_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'policies', 'entitlements.yaml');

let shipped: EntitlementsPolicy | undefined;
/** The shipped default (policies/entitlements.yaml), read and checked once. */
export function builtInEntitlementsPolicy(): EntitlementsPolicy {
  if (!shipped) {
    const { policy, problems } = checkEntitlementsYaml(readFileSync(SHIPPED_FILE, 'utf8'));
    if (!policy) throw new Error(`the shipped entitlements policy is not valid: ${JSON.stringify(problems)}`);
    shipped = policy;
  }
  return shipped;
}

export interface EntitlementsVersion {
  version: number;
  document: EntitlementsPolicy;
  effectiveFrom: string;
  publishedBy: string;
  publishedAt: Date;
  reason: string;
}
interface Row {
  version: number;
  document: EntitlementsPolicy;
  effective_from: string;
  published_by: string;
  published_at: Date;
  reason: string;
}
const COLUMNS = 'version, document, effective_from, published_by, published_at, reason';
const toVersion = (r: Row): EntitlementsVersion => ({ version: r.version, document: r.document, effectiveFrom: r.effective_from, publishedBy: r.published_by, publishedAt: r.published_at, reason: r.reason });

async function ensureShipped(s: SqlSession): Promise<void> {
  await s.query(
    `INSERT INTO entitlement_policies (version, document, effective_from, published_by, reason)
     SELECT 1, $1::jsonb, DATE '1900-01-01', 'stratum', 'shipped default (docs/policies.md)'
      WHERE NOT EXISTS (SELECT 1 FROM entitlement_policies)`,
    [JSON.stringify(builtInEntitlementsPolicy())],
  );
}

/** The version in effect on a day (China time): the newest with effective_from on or before it. */
export async function entitlementsPolicyOn(s: SqlSession, day: string): Promise<EntitlementsVersion> {
  const read = async () => (await s.query<Row>(`SELECT ${COLUMNS} FROM entitlement_policies WHERE effective_from <= $1::date ORDER BY version DESC LIMIT 1`, [day])).rows[0];
  // the shipped default is written the first time it is needed (a read otherwise: the counter's search asks on every search)
  let row = await read();
  if (!row) {
    await ensureShipped(s);
    row = await read();
  }
  if (!row) throw new Error(`no entitlements policy is in effect on ${day}`);
  return toVersion(row);
}

const present = (v: EntitlementsVersion) => ({
  version: v.version,
  effectiveFrom: v.effectiveFrom,
  publishedBy: v.publishedBy,
  publishedAt: new Date(v.publishedAt).toISOString(),
  reason: v.reason,
  yaml: stringify(v.document),
});

export async function entitlementsPolicyVersions(db: Db, now = new Date()) {
  return db.session(async (s) => {
    await ensureShipped(s);
    const rows = (await s.query<Row>(`SELECT ${COLUMNS} FROM entitlement_policies ORDER BY version`)).rows.map(toVersion);
    const inEffect = await entitlementsPolicyOn(s, chinaDay(now));
    return { inEffect: inEffect.version, items: rows.map(present) };
  });
}

const badDraft = (problems: { path: string; line: number | null; message: string }[]) =>
  new AppError(
    'bad_request',
    text(`权益策略有 ${problems.length} 处错误，请按行号修改。`, `The entitlements policy has ${problems.length} problem${problems.length > 1 ? 's' : ''}; see each line.`),
    // a problem of the whole text (not YAML, not a mapping) is the request's field `yaml`
    Object.fromEntries(problems.map((p) => [p.path.startsWith('(') ? 'yaml' : p.path, p.line === null ? p.message : `line ${p.line}: ${p.message}`])),
  );

/** A draft checked: every problem with its field and line (an empty list: it can be published). */
export function checkDraft(yaml: string) {
  const { problems } = checkEntitlementsYaml(yaml);
  return { valid: problems.length === 0, problems };
}

/**
 * How many customers of the user's scope get each entitlement under the draft and under the
 * version in effect today: one pass over the customers' overview, tiers and card.
 */
export async function simulateDraft(db: Db, user: SignedInUser, yaml: string, now = new Date()) {
  const { policy, problems } = checkEntitlementsYaml(yaml);
  if (!policy) throw badDraft(problems);
  return db.session(async (s) => {
    const published = await entitlementsPolicyOn(s, chinaDay(now));
    const params: unknown[] = [];
    const ids = [...new Set([...policy.entitlements.map((e) => e.id), ...published.document.entitlements.map((e) => e.id)])];
    const counts = [
      ...policy.entitlements.map((e, i) => `count(*) FILTER (WHERE ${entitlementSql(e, params)})::int AS d${i}`),
      ...published.document.entitlements.map((e, i) => `count(*) FILTER (WHERE ${entitlementSql(e, params)})::int AS p${i}`),
    ];
    const where = scopeSql(customerScope(user), 'o', params);
    const r = await s.query<Record<string, number>>(
      `SELECT count(*)::int AS customers${counts.length ? ', ' + counts.join(', ') : ''}
         FROM (SELECT o.customer_id, o.branch_id, o.aum, o.vip_grade AS card_grade, b.tier AS aum_band, v.tier AS value_tier
                 FROM customer_overview o
                 LEFT JOIN customer_tiers b ON b.customer_id = o.customer_id AND b.model = 'aum_band'
                 LEFT JOIN customer_tiers v ON v.customer_id = o.customer_id AND v.model = 'value_tier'
                WHERE o.status = 'active') o
        WHERE ${where}`,
      params,
    );
    const row = r.rows[0] ?? { customers: 0 };
    return {
      customers: row.customers ?? 0,
      publishedVersion: published.version,
      entitlements: ids.map((id) => {
        const d = policy.entitlements.findIndex((e) => e.id === id);
        const p = published.document.entitlements.findIndex((e) => e.id === id);
        const label = (policy.entitlements[d] ?? published.document.entitlements[p])?.label ?? { zh: id, en: id };
        return { id, label, draft: d >= 0 ? (row[`d${d}`] ?? 0) : null, published: p >= 0 ? (row[`p${p}`] ?? 0) : null };
      }),
    };
  });
}

/** Publishes a draft as the next version from a day (today or later, China time; audited). */
export async function publishDraft(db: Db, a: WorkActor, body: { yaml: string; reason: string; effectiveFrom: string }, now = new Date()) {
  const { policy, problems } = checkEntitlementsYaml(body.yaml);
  if (!policy) throw badDraft(problems);
  const today = chinaDay(now);
  if (body.effectiveFrom < today) {
    throw new AppError('bad_request', text(`生效日期不能早于今天（${today}）。`, `The policy cannot take effect before today (${today}).`), { effectiveFrom: text('早于今天', 'before today') });
  }
  return db.transaction(async (s) => {
    await ensureShipped(s);
    await s.query('LOCK TABLE entitlement_policies IN SHARE ROW EXCLUSIVE MODE');
    const prev = (await s.query<{ version: number; effective_from: string }>('SELECT version, effective_from FROM entitlement_policies ORDER BY version DESC LIMIT 1')).rows[0];
    if (prev && body.effectiveFrom < prev.effective_from) {
      throw new AppError('bad_request', text(`第 ${prev.version} 版从 ${prev.effective_from} 起生效，新版本不能更早生效。`, `Version ${prev.version} takes effect from ${prev.effective_from}; a new version cannot take effect earlier.`), {
        effectiveFrom: text(`早于 ${prev.effective_from}`, `before ${prev.effective_from}`),
      });
    }
    const row = (
      await s.query<Row>(`INSERT INTO entitlement_policies (version, document, effective_from, published_by, reason) VALUES ($1, $2::jsonb, $3::date, $4, $5) RETURNING ${COLUMNS}`, [
        (prev?.version ?? 0) + 1,
        JSON.stringify(policy),
        body.effectiveFrom,
        `${a.user.login} ${a.user.name}`,
        body.reason.trim(),
      ])
    ).rows[0];
    if (!row) throw new Error('the policy was not written');
    await recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action: 'entitlements_policy_publish', outcome: 'allowed', reason: body.reason.trim(), detail: { version: row.version, effectiveFrom: body.effectiveFrom } });
    return present(toVersion(row));
  });
}

interface StandingRow {
  customer_id: string;
  aum: string;
  aum_date: string | null;
  card_grade: string | null;
  aum_band: string | null;
  value_tier: string | null;
}

/** What the entitlements are judged on, for a few customers (already known to be in scope). */
export async function standings(s: SqlSession, ids: readonly string[]): Promise<Map<string, CustomerStanding & { aumDate: string | null }>> {
  if (!ids.length) return new Map();
  const r = await s.query<StandingRow>(
    `SELECT o.customer_id, o.aum::text AS aum, o.aum_date::text AS aum_date, o.vip_grade AS card_grade, b.tier AS aum_band, v.tier AS value_tier
       FROM customer_overview o
       LEFT JOIN customer_tiers b ON b.customer_id = o.customer_id AND b.model = 'aum_band'
       LEFT JOIN customer_tiers v ON v.customer_id = o.customer_id AND v.model = 'value_tier'
      WHERE o.customer_id = ANY($1::text[])`,
    [[...ids]],
  );
  return new Map(r.rows.map((x) => [x.customer_id, { aum: x.aum, aumDate: x.aum_date, cardGrade: x.card_grade, aumBand: x.aum_band, valueTier: x.value_tier }]));
}

const NO_STANDING: CustomerStanding & { aumDate: string | null } = { aum: null, aumDate: null, cardGrade: null, aumBand: null, valueTier: null };

/** The entitlements of a few customers under the version in effect today. */
export async function entitlementsFor(s: SqlSession, ids: readonly string[], now = new Date()): Promise<{ version: number; of: Map<string, Entitled[]>; standing: Map<string, CustomerStanding> }> {
  const policy = await entitlementsPolicyOn(s, chinaDay(now));
  const st = await standings(s, ids);
  return { version: policy.version, of: new Map(ids.map((id) => [id, entitlementsOf(policy.document, st.get(id) ?? NO_STANDING)])), standing: st };
}

/** GET /api/customers/{id}/entitlements: what the customer is entitled to now, each with why; outside the scope 404. */
export async function customerEntitlements(db: Db, user: SignedInUser, customerId: string, now = new Date()) {
  if (!(await findCustomer(db, customerScope(user), customerId))) throw customerNotFound();
  return db.session(async (s) => {
    const policy = await entitlementsPolicyOn(s, chinaDay(now));
    const st = (await standings(s, [customerId])).get(customerId) ?? NO_STANDING;
    return {
      customerId,
      policyVersion: policy.version,
      standing: { aumBand: st.aumBand, valueTier: st.valueTier, cardGrade: st.cardGrade, aum: st.aum, aumDate: st.aumDate },
      entitlements: entitlementsOf(policy.document, st),
    };
  });
}
