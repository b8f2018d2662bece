import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildScopedBank, loadScopedBank, OUTLET_STAFF, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, validIdNumber } from '../../../test/feed-builder.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import type { Db } from '../../platform/db.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';

// The bank of the outreach tests: the scoped bank (test/bank-fixture.ts, business date 2026-11-20)
// with two more customers of the B111 manager (S13) and one nobody owns, tiers, tags and reminders:
//   C1  B111 M  AUM 202,300: time deposit and wealth              band_3 high_value  tags.life family      open opportunity td_maturing
//   C2  B111 F  999.99                                            band_1 low_value   tags.life young       risk reminder done
//   C3  B112    50,000                                            band_2 low_value
//   C4  B211    3,000,000                                         band_5 high_value  tags.life retired     open risk large_outflow
//   C11 B111 (gender unknown) time deposit 600,000                band_4 high_value  tags.life retired
//   C12 B111 F  fund 200,000 (AUM 200,000)                        band_3 low_value   tags.life family      open information birthday_soon
//   C5  B111    1,000 (no owner)                                  band_1
// A second department member (S02) approves the department's bank-wide templates.

export const MANAGER = OUTLET_STAFF.customer_manager; // S13
export const HEAD_B111 = OUTLET_STAFF.branch_head; // S11
export const PB_DEPT_2 = 'S02';

export async function loadOutreachBank(db: Db): Promise<void> {
  const files = buildScopedBank();
  files.staff?.push({ staff_id: PB_DEPT_2, name: '冯个金', branch_id: 'B000', role: 'pb_dept', active: 'true' });
  files.products?.push({ product_code: 'FD1', name: '成长基金', kind: 'fund', risk_level: 'R3', min_amount: '1000' });
  files.customers?.push(
    buildCustomer({ customer_id: 'C11', name: '陈十一', gender: '', id_number: validIdNumber('19700101', '311'), phone: '13900001111' }),
    buildCustomer({ customer_id: 'C12', name: '林十二', gender: 'F', id_number: validIdNumber('19750101', '312'), phone: '13900001212' }),
    buildCustomer({ customer_id: 'C5', name: '何五', id_number: validIdNumber('19800101', '305'), phone: '13900000505' }),
  );
  files.accounts?.push(
    buildAccount({ account_id: 'A11', customer_id: 'C11', kind: 'time_deposit', product_code: 'TD12', balance: '600000.00', opened_on: '2026-03-15', matures_on: '2027-03-15' }),
    buildAccount({ account_id: 'A12', customer_id: 'C12', kind: 'fund', product_code: 'FD1', balance: '200000.00', opened_on: '2026-03-15' }),
    buildAccount({ account_id: 'A13', customer_id: 'C5', balance: '1000.00' }),
  );
  await loadScopedBank(db, files);
  await db.session(async (s) => {
    await s.query(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C11', $1, 'primary', 'manual', 'test'), ('C12', $1, 'primary', 'manual', 'test')`, [MANAGER]);
    const tiers: [string, string, string][] = [
      ['C1', 'aum_band', 'band_3'], ['C2', 'aum_band', 'band_1'], ['C3', 'aum_band', 'band_2'], ['C4', 'aum_band', 'band_5'], ['C11', 'aum_band', 'band_4'], ['C12', 'aum_band', 'band_3'], ['C5', 'aum_band', 'band_1'],
      ['C1', 'value_tier', 'high_value'], ['C2', 'value_tier', 'low_value'], ['C3', 'value_tier', 'low_value'], ['C4', 'value_tier', 'high_value'], ['C11', 'value_tier', 'high_value'], ['C12', 'value_tier', 'low_value'],
      ['C1', 'tags.life', 'family'], ['C2', 'tags.life', 'young'], ['C4', 'tags.life', 'retired'], ['C11', 'tags.life', 'retired'], ['C12', 'tags.life', 'family'],
    ];
    for (const model of new Set(tiers.map((t) => t[1]))) await ensureTierPartition(s, model);
    await s.query(
      `INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) SELECT c, m, t, '2026-11-20', 1 FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, m, t)`,
      [tiers.map((t) => t[0]), tiers.map((t) => t[1]), tiers.map((t) => t[2])],
    );
    const reminders: [string, string, string, string, string][] = [
      ['C1', MANAGER, 'td_maturing', 'opportunity', 'open'],
      ['C2', MANAGER, 'large_outflow', 'risk', 'done'],
      ['C4', 'S30', 'large_outflow', 'risk', 'open'],
      ['C12', MANAGER, 'birthday_soon', 'information', 'open'],
    ];
    await s.query(
      `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, status, policy_version)
       SELECT c, st, e, '2026-11-20', k, '{}'::jsonb, '2026-11-20', '2026-11-20', '2026-11-23', status, 1
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(c, st, e, k, status)`,
      [reminders.map((r) => r[0]), reminders.map((r) => r[1]), reminders.map((r) => r[2]), reminders.map((r) => r[3]), reminders.map((r) => r[4])],
    );
  });
  await refreshCustomerOverview(db);
}

/** An API client signing in once per login: GET, POST, PUT, DELETE with the session and its CSRF token. */
export function outreachClient(app: () => FastifyInstance) {
  const sessions = new Map<string, TestSession>();
  const as = async (login: string) => {
    let s = sessions.get(login);
    if (!s) sessions.set(login, (s = await signInAs(app(), login)));
    return s;
  };
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', login: string, url: string, payload?: unknown, lang = 'zh'): Promise<LightMyRequestResponse> => {
    const s = await as(login);
    return app().inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  };
  return {
    get: (login: string, url: string, lang = 'zh') => send('GET', login, url, undefined, lang),
    post: (login: string, url: string, payload: unknown = {}, lang = 'zh') => send('POST', login, url, payload, lang),
    put: (login: string, url: string, payload: unknown, lang = 'zh') => send('PUT', login, url, payload, lang),
    delete: (login: string, url: string) => send('DELETE', login, url),
  };
}
