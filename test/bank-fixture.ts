import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import type { Db } from '../src/platform/db.js';
import { buildAccount, buildCard, buildCustomer, buildLoan, buildProducts, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles } from './feed-builder.js';

// A small bank with two branches, for scope and sign-in tests:
//   B000 bank ─ B100 branch ─ B110 sub-branch ─ B111 outlet (every role), B112 outlet
//            └ B200 branch ─ B211 outlet
// Customers: C1, C2 at B111; C3 at B112; C4 at B211.

export const PASSWORD = 'Secret123';
export const OUTLET_STAFF = {
  branch_head: 'S11',
  cm_supervisor: 'S12',
  customer_manager: 'S13',
  lobby_manager: 'S14',
  vip_teller: 'S15',
  counter_teller: 'S16',
  lobby_assistant: 'S17',
} as const;
export const BRANCH_HEAD_B100 = 'S10';
export const MANAGER_B112 = 'S20';
export const MANAGER_B211 = 'S30';
export const PB_DEPT = 'S01';
export const LEFT_STAFF = 'S99';
export const ADMIN = 'admin';

export const FULL_ID_C1 = validIdNumber('19850315', '123');
export const FULL_PHONE_C1 = '13812345678';

export function buildScopedBank(): FeedFiles {
  const staff = [
    { staff_id: PB_DEPT, name: '钱个金', branch_id: 'B000', role: 'pb_dept', active: 'true' },
    { staff_id: BRANCH_HEAD_B100, name: '孙分行', branch_id: 'B100', role: 'branch_head', active: 'true' },
    ...Object.entries(OUTLET_STAFF).map(([role, id], i) => ({ staff_id: id, name: `员工${i + 1}`, branch_id: 'B111', role, active: 'true' })),
    { staff_id: MANAGER_B112, name: '周经理', branch_id: 'B112', role: 'customer_manager', active: 'true' },
    { staff_id: MANAGER_B211, name: '吴经理', branch_id: 'B211', role: 'customer_manager', active: 'true' },
    { staff_id: LEFT_STAFF, name: '郑离职', branch_id: 'B111', role: 'customer_manager', active: 'false' },
  ];
  return {
    branches: [
      { branch_id: 'B000', name: '钱江银行', parent_id: '', level: 'bank' },
      { branch_id: 'B100', name: '城南分行', parent_id: 'B000', level: 'branch' },
      { branch_id: 'B110', name: '电力支行', parent_id: 'B100', level: 'sub_branch' },
      { branch_id: 'B111', name: '电力路网点', parent_id: 'B110', level: 'outlet' },
      { branch_id: 'B112', name: '解放路网点', parent_id: 'B110', level: 'outlet' },
      { branch_id: 'B200', name: '城北分行', parent_id: 'B000', level: 'branch' },
      { branch_id: 'B211', name: '湖墅网点', parent_id: 'B200', level: 'outlet' },
    ],
    staff,
    products: buildProducts(),
    customers: [
      buildCustomer({ id_number: FULL_ID_C1, phone: FULL_PHONE_C1 }),
      buildCustomer({ customer_id: 'C2', name: '李四', gender: 'F', id_number: validIdNumber('19900101', '124'), phone: '13987654321', opened_on: '2024-02-01' }),
      buildCustomer({ customer_id: 'C3', name: '张小红', branch_id: 'B112', id_number: validIdNumber('19700101', '125'), phone: '13700005678' }),
      buildCustomer({ customer_id: 'C4', name: '赵六', branch_id: 'B211', id_number: validIdNumber('19600101', '126'), phone: '13600001111' }),
    ],
    accounts: [
      buildAccount(),
      buildAccount({ account_id: 'A2', kind: 'time_deposit', product_code: 'TD12', balance: '100000.00', opened_on: '2026-03-15', matures_on: '2027-03-15' }),
      buildAccount({ account_id: 'A5', kind: 'wealth', product_code: 'WM1', balance: '50000.00', opened_on: '2026-06-01', matures_on: '2026-12-10' }),
      buildAccount({ account_id: 'A3', customer_id: 'C2', balance: '999.99' }),
      buildAccount({ account_id: 'A4', customer_id: 'C3', balance: '50000.00' }),
      buildAccount({ account_id: 'A6', customer_id: 'C4', balance: '3000000.00' }),
    ],
    cards: [buildCard(), buildCard({ card_id: 'K2', customer_id: 'C4', grade: 'diamond' })],
    loans: [buildLoan({ overdue_days: '12' })],
    transactions: [
      buildTransaction(),
      buildTransaction({ txn_id: 'T3', booked_at: '2026-11-20T15:00:00+08:00', amount: '2000.00', channel: 'mobile' }),
      buildTransaction({ txn_id: 'T2', customer_id: 'C2', account_id: 'A3', amount: '500', channel: 'counter', counterparty: '' }),
      buildTransaction({ txn_id: 'T4', customer_id: 'C4', account_id: 'A6', amount: '-100', channel: 'atm', counterparty: '' }),
    ],
  };
}

// Who owns whom (scope follows ownership, issue 5): the manager of B111 owns C1 and C2, its supervisor
// and tellers co-own them; the managers of B112 and B211 own C3 and C4. The lobby manager sees the
// outlet, as does the lobby assistant.
export const SCOPED_OWNERS: [customer: string, staff: string, kind: 'primary' | 'co'][] = [
  ['C1', OUTLET_STAFF.customer_manager, 'primary'],
  ['C2', OUTLET_STAFF.customer_manager, 'primary'],
  ...(['C1', 'C2'] as const).flatMap((c) => [OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller].map((st): [string, string, 'co'] => [c, st, 'co'])),
  ['C3', MANAGER_B112, 'primary'],
  ['C4', MANAGER_B211, 'primary'],
];

/**
 * Loads the bank for 2026-11-20, refreshes the overview, and gives every staff member (and an
 * admin) the test password; with `owners` (the default) also the owners of SCOPED_OWNERS.
 */
export async function loadScopedBank(db: Db, files: FeedFiles = buildScopedBank(), opts: { owners?: boolean } = {}): Promise<void> {
  const r = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, files));
  if (r.outcome !== 'loaded') throw new Error(`the test bank did not load: ${JSON.stringify(r.problems)}`);
  await refreshCustomerOverview(db);
  const hash = await hashPassword(PASSWORD);
  for (const s of files.staff ?? []) {
    const id = s.staff_id ?? '';
    await upsertAccount(db, { login: id, staffId: id, isAdmin: false, displayName: null, passwordHash: hash });
  }
  await upsertAccount(db, { login: ADMIN, staffId: null, isAdmin: true, displayName: 'Admin', passwordHash: hash });
  if (opts.owners ?? true) {
    await db.session((s) =>
      s.query(
        `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT c, st, k, 'manual', 'test' FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, st, k)`,
        [SCOPED_OWNERS.map((o) => o[0]), SCOPED_OWNERS.map((o) => o[1]), SCOPED_OWNERS.map((o) => o[2])],
      ),
    );
  }
}

export interface TestSession {
  cookie: string;
  csrf: string;
  get: (url: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
}

/** Signs in through the API, as the browser does. */
export async function signInAs(app: FastifyInstance, login: string, password = PASSWORD): Promise<TestSession> {
  const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login, password } });
  if (r.statusCode !== 200) throw new Error(`sign-in of ${login} failed: ${r.statusCode} ${r.body}`);
  const set = r.cookies.find((c) => c.name === 'stratum_session');
  if (!set) throw new Error('no session cookie');
  const cookie = `stratum_session=${set.value}`;
  const csrf = (r.json() as { data: { csrfToken: string } }).data.csrfToken;
  return { cookie, csrf, get: (url, headers = {}) => app.inject({ method: 'GET', url, headers: { cookie, ...headers } }) };
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * An API client for db tests: signs each login in once (as the browser does) and sends requests
 * with its cookie, CSRF token and a language (zh unless told). `app` is read at each request, so
 * the client can be made before the app is built.
 */
export function client(app: () => FastifyInstance) {
  const sessions = new Map<string, TestSession>();
  const as = async (login: string) => {
    let s = sessions.get(login);
    if (!s) sessions.set(login, (s = await signInAs(app(), login)));
    return s;
  };
  const send = async (method: ApiMethod, login: string, url: string, payload?: unknown, lang = 'zh'): Promise<LightMyRequestResponse> => {
    const s = await as(login);
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang };
    return app().inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  };
  return {
    as,
    send,
    get: async (login: string, url: string, lang = 'zh') => (await as(login)).get(url, { 'accept-language': lang }),
    post: (login: string, url: string, payload: unknown, lang = 'zh') => send('POST', login, url, payload, lang),
    put: (login: string, url: string, payload: unknown, lang = 'zh') => send('PUT', login, url, payload, lang),
    patch: (login: string, url: string, payload: unknown, lang = 'zh') => send('PATCH', login, url, payload, lang),
    delete: (login: string, url: string, lang = 'zh') => send('DELETE', login, url, undefined, lang),
  };
}
