import type { FastifyInstance } from 'fastify';
import { signInAs, type TestSession } from '../../../test/bank-fixture.js';
import type { Db } from '../../platform/db.js';

// Reminders and plans written straight into the tables (as the batch step would), for API tests.

export interface SeedReminder {
  customer: string;
  staff: string;
  event: string;
  occurrence: string;
  kind: 'risk' | 'opportunity' | 'information' | 'work_task';
  facts: Record<string, unknown>;
  date?: string;
}
export async function seedReminders(db: Db, list: SeedReminder[]): Promise<void> {
  await db.session(async (s) => {
    for (const r of list) {
      const d = r.date ?? '2026-11-20';
      await s.query(
        `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::date, $7::date, $7::date, 1)`,
        [r.customer, r.staff, r.event, r.occurrence, r.kind, JSON.stringify(r.facts), d],
      );
    }
  });
}

export async function seedPlan(db: Db, staff: string, branch: string, items: { customer: string; reason: string; facts?: Record<string, unknown> }[], date = '2026-11-20'): Promise<void> {
  await db.session(async (s) => {
    await s.query(`INSERT INTO contact_plans (staff_id, plan_date, work_date, branch_id, size) VALUES ($1, $2::date, $2::date + 3, $3, 20)`, [staff, date, branch]);
    for (const [i, it] of items.entries()) {
      await s.query(
        `INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts) VALUES ($1, $2, $3::date, $4, $5, $6::jsonb)`,
        [it.customer, staff, date, i + 1, it.reason, JSON.stringify(it.facts ?? {})],
      );
    }
  });
}

/** Signs in once per login; get and post in a language. */
export function apiClient(app: () => FastifyInstance) {
  const sessions = new Map<string, TestSession>();
  const as = async (login: string) => {
    let s = sessions.get(login);
    if (!s) sessions.set(login, (s = await signInAs(app(), login)));
    return s;
  };
  return {
    get: async (login: string, url: string, lang = 'zh') => (await as(login)).get(url, { 'accept-language': lang }),
    post: async (login: string, url: string, payload: Record<string, unknown>, lang = 'zh') => {
      const s = await as(login);
      return app().inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang }, payload });
    },
  };
}
