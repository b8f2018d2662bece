import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { readPolicyFile } from '../tiering/tiering.policies.js';
import { checkEventsPolicy, type EventsPolicy } from './events.policy.js';

// Versions of the events policy, in the tiering engine's `policies` table (model 'events'), with
// the same rules: the shipped default (policies/events.yaml, exactly ../shared/POLICIES.md) is
// version 1; a new version says who, why and from which business date, never earlier than the
// previous version or the last date the batch detected events for.

const SHIPPED_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'policies', 'events.yaml');
export const EVENTS_MODEL = 'events';

let shipped: EventsPolicy | undefined;
/** The shipped default, read and checked once. */
export function builtInEventsPolicy(): EventsPolicy {
  if (!shipped) {
    const { document, problems } = readPolicyFile(SHIPPED_FILE);
    const checked = checkEventsPolicy(document);
    if (problems.length || !checked.policy) throw new Error(`the shipped events policy is not valid: ${JSON.stringify([...problems, ...checked.problems])}`);
    shipped = checked.policy;
  }
  return shipped;
}

export interface EventsPolicyVersion {
  version: number;
  document: EventsPolicy;
  effectiveFrom: string;
  publishedBy: string;
  publishedAt: Date;
  reason: string;
}

interface Row {
  version: number;
  document: EventsPolicy;
  effective_from: string;
  published_by: string;
  published_at: Date;
  reason: string;
}
const toVersion = (r: Row): EventsPolicyVersion => ({
  version: r.version,
  document: r.document,
  effectiveFrom: r.effective_from,
  publishedBy: r.published_by,
  publishedAt: r.published_at,
  reason: r.reason,
});
const COLUMNS = 'version, document, effective_from, published_by, published_at, reason';

export async function ensureEventsPolicy(s: SqlSession): Promise<void> {
  await s.query(
    `INSERT INTO policies (model, version, document, effective_from, published_by, reason)
     SELECT $1, 1, $2::jsonb, DATE '1900-01-01', 'stratum', 'shipped default (docs/policies.md)'
      WHERE NOT EXISTS (SELECT 1 FROM policies WHERE model = $1)`,
    [EVENTS_MODEL, JSON.stringify(builtInEventsPolicy())],
  );
}

/** The version in effect on a business date. */
export async function eventsPolicyInEffect(s: SqlSession, businessDate: string): Promise<EventsPolicyVersion> {
  await ensureEventsPolicy(s);
  const r = await s.query<Row>(`SELECT ${COLUMNS} FROM policies WHERE model = $1 AND document->>'kind' = 'events' AND effective_from <= $2::date ORDER BY version DESC LIMIT 1`, [EVENTS_MODEL, businessDate]);
  const row = r.rows[0];
  if (!row) throw new Error(`no events policy is in effect on ${businessDate}`);
  return toVersion(row);
}

export async function eventsPolicyVersions(db: Db): Promise<EventsPolicyVersion[]> {
  return db.session(async (s) => {
    await ensureEventsPolicy(s);
    return (await s.query<Row>(`SELECT ${COLUMNS} FROM policies WHERE model = $1 ORDER BY version`, [EVENTS_MODEL])).rows.map(toVersion);
  });
}

/** Publishes a checked events policy as the next version; a bad one is refused with every problem and its path. */
export async function publishEventsPolicy(db: Db, input: unknown, by: { publishedBy: string; reason: string; effectiveFrom: string }): Promise<EventsPolicyVersion> {
  const { policy, problems } = checkEventsPolicy(input);
  if (!policy) throw new AppError('bad_request', `The events policy is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  if (!by.reason.trim()) throw new AppError('bad_request', 'Say why the policy changes (--reason).');
  return db.transaction(async (s) => {
    await ensureEventsPolicy(s);
    await s.query('LOCK TABLE policies IN SHARE ROW EXCLUSIVE MODE');
    const last = await s.query<{ version: number; effective_from: string }>('SELECT version, effective_from FROM policies WHERE model = $1 ORDER BY version DESC LIMIT 1', [EVENTS_MODEL]);
    const prev = last.rows[0];
    if (prev && by.effectiveFrom < prev.effective_from) {
      throw new AppError('bad_request', `Version ${prev.version} of events takes effect from ${prev.effective_from}; a new version cannot take effect earlier (${by.effectiveFrom}).`);
    }
    const detected = (await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM event_runs')).rows[0]?.d ?? null;
    if (detected && by.effectiveFrom < detected) {
      throw new AppError('bad_request', `${by.effectiveFrom} is before ${detected}, the last business date events were detected for: a new version takes effect from that date (rerun it) or a later one.`);
    }
    const r = await s.query<Row>(
      `INSERT INTO policies (model, version, document, effective_from, published_by, reason) VALUES ($1, $2, $3::jsonb, $4::date, $5, $6) RETURNING ${COLUMNS}`,
      [EVENTS_MODEL, (prev?.version ?? 0) + 1, JSON.stringify(policy), by.effectiveFrom, by.publishedBy, by.reason.trim()],
    );
    const row = r.rows[0];
    if (!row) throw new Error('the policy was not written');
    return toVersion(row);
  });
}
