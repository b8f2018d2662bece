import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { checkPolicy, type PolicyDocument, type PolicyProblem } from './tiering.policy.js';
import { lastEvaluatedDate } from './tiering.sql.js';

// Policies as versioned documents: the shipped defaults (policies/*.yaml, exactly
// ../shared/POLICIES.md) are version 1 of each model; publishing adds a version with who, when,
// why and the business date it takes effect from. Old versions stay readable.

const POLICY_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'policies');
export const BUILT_IN_MODELS = ['aum_band', 'savings_grade', 'value_tier', 'relationship_tier', 'tags'] as const;

/** Reads a policy file (YAML or JSON); a file that does not parse is one problem at its line. */
export function readPolicyFile(file: string): { document?: unknown; problems: PolicyProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ path: '(file)', message: `cannot be read: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  try {
    return { document: file.endsWith('.json') ? JSON.parse(text) : parseYaml(text), problems: [] };
  } catch (e) {
    return { problems: [{ path: '(file)', message: `is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }] };
  }
}

let shipped: PolicyDocument[] | undefined;
/** The shipped defaults (policies/*.yaml), read and checked once. */
export function builtInPolicies(): PolicyDocument[] {
  shipped ??= readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const { document, problems } = readPolicyFile(path.join(POLICY_DIR, f));
      const checked = checkPolicy(document);
      if (problems.length || !checked.policy) throw new Error(`the shipped policy ${f} is not valid: ${JSON.stringify([...problems, ...checked.problems])}`);
      return checked.policy;
    });
  return shipped;
}

interface PolicyRow {
  model: string;
  version: number;
  document: PolicyDocument;
  effective_from: string;
  published_by: string;
  published_at: Date;
  reason: string;
}

export interface PublishedPolicy {
  model: string;
  version: number;
  document: PolicyDocument;
  effectiveFrom: string;
  publishedBy: string;
  publishedAt: Date;
  reason: string;
}

/** Publishes the shipped default of every built-in model that has no version yet. */
export async function ensureBuiltInPolicies(s: SqlSession): Promise<void> {
  for (const p of builtInPolicies()) {
    await s.query(
      `INSERT INTO policies (model, version, document, effective_from, published_by, reason)
       SELECT $1, 1, $2::jsonb, DATE '1900-01-01', 'stratum', 'shipped default (docs/policies.md)'
        WHERE NOT EXISTS (SELECT 1 FROM policies WHERE model = $1)`,
      [p.model, JSON.stringify(p)],
    );
  }
}

/**
 * The version of each model in effect on a date: the newest published with effective_from on or before it.
 * (Model 'events' shares the table with a document of its own kind: src/features/events/events.policies.ts.)
 */
export async function policiesInEffect(s: SqlSession, businessDate: string): Promise<PublishedPolicy[]> {
  const r = await s.query<PolicyRow>(
    `SELECT DISTINCT ON (model) model, version, document, effective_from, published_by, published_at, reason
       FROM policies WHERE effective_from <= $1::date AND model <> 'events' ORDER BY model, version DESC`,
    [businessDate],
  );
  return r.rows.map(toPublished);
}

const toPublished = (r: PolicyRow): PublishedPolicy => ({
  model: r.model,
  version: r.version,
  document: r.document,
  effectiveFrom: r.effective_from,
  publishedBy: r.published_by,
  publishedAt: r.published_at,
  reason: r.reason,
});

export async function policyVersions(db: Db, model?: string): Promise<PublishedPolicy[]> {
  return db.session(async (s) => {
    await ensureBuiltInPolicies(s);
    const r = await s.query<PolicyRow>(
      `SELECT model, version, document, effective_from, published_by, published_at, reason FROM policies
        WHERE ($1::text IS NULL OR model = $1) AND model <> 'events' ORDER BY model, version`,
      [model ?? null],
    );
    return r.rows.map(toPublished);
  });
}

/** Publishes a checked policy as the model's next version, in effect from a business date. */
export async function publishPolicy(
  db: Db,
  input: unknown,
  by: { publishedBy: string; reason: string; effectiveFrom: string },
): Promise<PublishedPolicy> {
  const { policy, problems } = checkPolicy(input);
  if (!policy) throw new AppError('bad_request', `The policy is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  if (!by.reason.trim()) throw new AppError('bad_request', 'Say why the policy changes (--reason).');
  return db.transaction(async (s) => {
    await ensureBuiltInPolicies(s);
    await s.query('LOCK TABLE policies IN SHARE ROW EXCLUSIVE MODE');
    const last = await s.query<{ version: number; effective_from: string }>('SELECT version, effective_from FROM policies WHERE model = $1 ORDER BY version DESC LIMIT 1', [policy.model]);
    const prev = last.rows[0];
    if (prev && by.effectiveFrom < prev.effective_from) {
      throw new AppError('bad_request', `Version ${prev.version} of ${policy.model} takes effect from ${prev.effective_from}; a new version cannot take effect earlier (${by.effectiveFrom}).`);
    }
    const lastEvaluated = await lastEvaluatedDate(s);
    if (lastEvaluated && by.effectiveFrom < lastEvaluated) {
      throw new AppError('bad_request', `${by.effectiveFrom} is before ${lastEvaluated}, the last business date evaluated: a new version takes effect from that date (rerun it) or a later one, never in the past.`);
    }
    const version = (prev?.version ?? 0) + 1;
    const r = await s.query<PolicyRow>(
      `INSERT INTO policies (model, version, document, effective_from, published_by, reason) VALUES ($1, $2, $3::jsonb, $4::date, $5, $6)
       RETURNING model, version, document, effective_from, published_by, published_at, reason`,
      [policy.model, version, JSON.stringify(policy), by.effectiveFrom, by.publishedBy, by.reason.trim()],
    );
    const row = r.rows[0];
    if (!row) throw new Error('the policy was not written');
    return toPublished(row);
  });
}
