import { readFileSync } from 'node:fs';
import { ADMIN, BRANCH_HEAD_B100, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PASSWORD, PB_DEPT } from './bank-fixture.js';

// The walk of the OpenAPI document (test/api-walk.db.test.ts): one valid base request per API
// operation, for a role that holds its permission, over the scoped bank of bank-fixture.ts
// (plus C5, a customer of outlet B111 whom nobody owns, added by the walk), and what the walk
// needs to know of that bank to tell a customer inside a role's scope from one outside it.
//
// A route added to the API without a row here fails the walk, and so does a row whose route
// is gone: add the row (method and Fastify route pattern, as in the route's file).

export type Login = string;

const ENTITLEMENTS_YAML = readFileSync(new URL('../src/features/serving/policies/entitlements.yaml', import.meta.url), 'utf8');

/** Every login the walk signs in as (null: anonymous), one per role of the fixture and more. */
export const LOGINS: readonly (Login | null)[] = [...Object.values(OUTLET_STAFF), BRANCH_HEAD_B100, MANAGER_B112, PB_DEPT, ADMIN, null];

export const ROLE_OF: Record<Login, string> = {
  ...Object.fromEntries(Object.entries(OUTLET_STAFF).map(([role, login]) => [login, role])),
  [BRANCH_HEAD_B100]: 'branch_head',
  [MANAGER_B112]: 'customer_manager',
  [MANAGER_B211]: 'customer_manager',
  [PB_DEPT]: 'pb_dept',
  [ADMIN]: 'admin',
};

// ---- the bank, as far as scope goes ----------------------------------------------------------

export const MISSING_CUSTOMER = 'C999999';
/** an extra customer of B111 with no owner: outside every owning role's scope, inside the outlet's */
export const UNOWNED_CUSTOMER = 'C5';

const BRANCH_OF: Record<Login, string> = {
  ...Object.fromEntries(Object.values(OUTLET_STAFF).map((login) => [login, 'B111'])),
  [BRANCH_HEAD_B100]: 'B100',
  [MANAGER_B112]: 'B112',
  [MANAGER_B211]: 'B211',
  [PB_DEPT]: 'B000',
};
const SUBTREE: Record<string, readonly string[]> = {
  B000: ['B000', 'B100', 'B110', 'B111', 'B112', 'B200', 'B211'],
  B100: ['B100', 'B110', 'B111', 'B112'],
  B111: ['B111'],
  B112: ['B112'],
  B211: ['B211'],
};
export const CUSTOMERS: Record<string, { branch: string; owners: readonly Login[] }> = {
  C1: { branch: 'B111', owners: [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller] },
  C2: { branch: 'B111', owners: [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller] },
  C3: { branch: 'B112', owners: [MANAGER_B112] },
  C4: { branch: 'B211', owners: [MANAGER_B211] },
  [UNOWNED_CUSTOMER]: { branch: 'B111', owners: [] },
};

/**
 * The scope rule (README, "Ownership"): customer managers, supervisors and tellers see the
 * customers they own or co-own; the lobby manager and the lobby assistant their outlet's; a branch
 * head the subtree of their branch; the department every customer; the administrator none.
 */
const SEES: Record<string, 'owned' | 'outlet' | 'subtree' | 'all' | 'none'> = {
  customer_manager: 'owned',
  cm_supervisor: 'owned',
  vip_teller: 'owned',
  counter_teller: 'owned',
  lobby_manager: 'outlet',
  lobby_assistant: 'outlet',
  branch_head: 'subtree',
  pb_dept: 'all',
  admin: 'none',
};

/**
 * Which customers a login reaches on a route about one customer: 'read' follows the scope rule;
 * 'outlet' is the outlet (or subtree) of the login whoever owns the customer: a claim (熟户认养)
 * and a referral are for a customer of one's outlet, owned by someone else or nobody; 'profile' is
 * 'read' and, for a counter teller, the customers of their outlet nobody owns: the daily batch gives
 * their profile collection to the outlet's counter tellers (issue 23 §2).
 */
export type CustomerScope = 'read' | 'outlet' | 'profile';
export function customersOf(login: Login, scope: CustomerScope): { inside: string[]; outside: string[] } {
  const kind = SEES[ROLE_OF[login] ?? 'admin'] ?? 'none';
  const branch = BRANCH_OF[login] ?? '';
  const branches = kind === 'all' ? SUBTREE.B000 : kind === 'subtree' ? SUBTREE[branch] : kind === 'none' ? [] : [branch];
  const reaches = (id: string) => {
    const c = CUSTOMERS[id];
    if (!c || kind === 'none') return false;
    if (scope === 'profile' && ROLE_OF[login] === 'counter_teller' && c.branch === branch && c.owners.length === 0) return true;
    if ((scope === 'read' || scope === 'profile') && kind === 'owned') return c.owners.includes(login);
    return (branches ?? []).includes(c.branch);
  };
  const ids = Object.keys(CUSTOMERS);
  return { inside: ids.filter(reaches), outside: ids.filter((id) => !reaches(id)) };
}

// ---- the base requests -------------------------------------------------------------------------

/** What the walk knows when it builds a request (found in the bank before the walk). */
export interface WalkContext {
  /** the aum_band policy as YAML (GET /api/policies): bands */
  yaml: string;
  /** the relationship_tier policy as YAML: rules */
  rulesYaml: string;
  /** a pending claim of the supervisor on C1 (made fresh before every request that may decide it) */
  claimId: string;
  /** an open pool referral of C1 (made fresh before every request that may accept it) */
  referralId: string;
}

export interface BaseRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface Operation {
  /** method and Fastify route pattern: 'GET /api/customers/:customerId' */
  key: string;
  base: (ctx: WalkContext, login: Login | null) => BaseRequest;
  /** more bodies to fuzz (the other branches of a body that is one of several shapes) */
  variants?: (ctx: WalkContext, login: Login) => BaseRequest[];
  /** who the fuzz signs in as (default: the first of FUZZ_PREFERENCE holding the permission; null: anonymous) */
  fuzzAs?: Login | null;
  /** a route about one customer (:customerId): whose customers the login reaches, and what answers a customer in reach */
  customer?: { scope: CustomerScope; inside?: (login: Login) => number[] };
  /**
   * a route naming one customer in its body: where in the body, and whose customers the login
   * reaches; outside that, it answers as for a missing customer (asked after every other check: a
   * hole there may change the bank)
   */
  bodyCustomer?: { scope: CustomerScope; at: (string | number)[] };
  /** the answer an anonymous caller gets on a public route (default: not checked beyond "no 5xx") */
  anonymous?: number;
  /** the body is signed with X-Stratum-Signature, as the SMS gateway signs its webhooks (unsigned ones answer 401: outreach/sms.routes.db.test.ts) */
  signed?: boolean;
  /** every request signs in anew (sign-out ends the session it is sent with) */
  freshSession?: boolean;
  /** what must be in place before each request (a pending claim, an open referral, an open reminder, an open proposal) */
  before?: 'claim' | 'referral' | 'reminder' | 'proposal';
}

/** the customer manager's opportunity on C1 and their prospect (api-walk.db.test.ts seeds them) */
export const WALK_OPPORTUNITY = 'O-WALK';
export const WALK_PROSPECT = 'P-WALK';

/** the reminder every staff member with worklist.own holds on a customer (api-walk.db.test.ts seeds them) */
export const WALK_REMINDER = { event: 'birthday_soon', occurrence: '2026-11-25' };

/** who fuzzes a route, in this order of preference, among those holding its permission */
export const FUZZ_PREFERENCE: readonly Login[] = [
  OUTLET_STAFF.branch_head,
  PB_DEPT,
  OUTLET_STAFF.cm_supervisor,
  OUTLET_STAFF.customer_manager,
  OUTLET_STAFF.vip_teller,
  OUTLET_STAFF.lobby_manager,
  OUTLET_STAFF.lobby_assistant,
  ADMIN,
];

const LOBBY = [OUTLET_STAFF.lobby_manager, OUTLET_STAFF.lobby_assistant] as readonly string[];
const reason = 'walk: checking the API';

export const OPERATIONS: readonly Operation[] = [
  // system and session
  { key: 'GET /api/health', base: () => ({}), anonymous: 200, fuzzAs: null },
  { key: 'GET /api/health/ready', base: () => ({}), anonymous: 200, fuzzAs: null },
  { key: 'GET /api/system/runs', base: () => ({ query: { kind: 'batch', outcome: 'failed', from: '2026-01-01', to: '2030-12-31', page: '1', pageSize: '20' } }) },
  { key: 'GET /api/system/runs/latest', base: () => ({}), anonymous: 401 },
  {
    key: 'POST /api/session',
    // a login of its own (the B211 manager is not one of the walk's roles), so that fuzzing its
    // password locks nobody the walk signs in as
    base: () => ({ body: { login: MANAGER_B211, password: PASSWORD } }),
    anonymous: 200,
    fuzzAs: null,
  },
  { key: 'GET /api/session', base: () => ({}), anonymous: 401 },
  { key: 'DELETE /api/session', base: () => ({}), anonymous: 200, freshSession: true },

  // customers
  { key: 'GET /api/customers', base: () => ({ query: { q: '张', sort: 'aum_desc', page: '1', pageSize: '10', openedAfter: '2000-01-01' } }) },
  { key: 'GET /api/customers/:customerId', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/customers/:customerId/aum-history', base: () => ({ params: { customerId: 'C1' }, query: { days: '30' } }), customer: { scope: 'read' } },
  { key: 'GET /api/customers/:customerId/transactions', base: () => ({ params: { customerId: 'C1' }, query: { page: '1', pageSize: '5' } }), customer: { scope: 'read' } },
  { key: 'GET /api/branches', base: () => ({}) },
  {
    key: 'POST /api/customers/:customerId/reveal',
    // the ID number: the one value tellers may reveal too
    base: () => ({ params: { customerId: 'C1' }, body: { fields: ['id_number'], reason } }),
    customer: { scope: 'read', inside: (login) => (LOBBY.includes(login) ? [403] : [200]) },
  },

  // audit
  { key: 'GET /api/audit', base: () => ({ query: { from: '2026-01-01', to: '2030-12-31', outcome: 'allowed', page: '1', pageSize: '20' } }) },
  { key: 'GET /api/audit/export', base: () => ({ query: { from: '2026-01-01', to: '2030-12-31', format: 'csv' } }) },

  // tiering
  { key: 'GET /api/customers/:customerId/tiers', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/policies', base: () => ({}) },
  // publishing the policy as it is, from the day after the bank's date: every publish is valid again
  // (the fuzz also changes the values inside the document, in both kinds of policy: bands and rules)
  {
    key: 'POST /api/policies',
    base: (ctx) => ({ body: { yaml: ctx.yaml, reason, effectiveFrom: '2026-11-21' } }),
    variants: (ctx) => [{ body: { yaml: ctx.rulesYaml, reason, effectiveFrom: '2026-11-21' } }],
  },
  {
    key: 'POST /api/policies/simulate',
    base: (ctx) => ({ body: { yaml: ctx.yaml, date: '2026-11-20' } }),
    variants: (ctx) => [{ body: { yaml: ctx.rulesYaml, date: '2026-11-20' } }],
  },
  { key: 'GET /api/branch/tier-mix', base: () => ({ query: { model: 'aum_band', date: '2026-11-20' } }) },
  { key: 'GET /api/branch/migration', base: () => ({ query: { model: 'aum_band', from: '2026-11-01', to: '2026-11-20' } }) },

  // dashboards
  { key: 'GET /api/dashboards/branch', base: () => ({ query: { from: '2026-11-20', to: '2026-11-20', branchId: 'B111' } }) },
  { key: 'GET /api/dashboards/bands', base: () => ({ query: { to: '2026-11-20', branchId: 'B111', months: '12' } }) },
  { key: 'GET /api/dashboards/branches', base: () => ({ query: { from: '2026-11-20', to: '2026-11-20', branchId: 'B111' } }) },
  {
    key: 'GET /api/dashboards/items',
    base: () => ({ query: { measure: 'churn', from: '2026-11-20', to: '2026-11-20', branchId: 'B111', status: 'left', staffId: OUTLET_STAFF.customer_manager, page: '1', pageSize: '20' } }),
  },

  // ownership
  { key: 'GET /api/customers/:customerId/owners', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/ownership/pool', base: () => ({ query: { branchId: 'B111', page: '1', pageSize: '20' } }) },
  { key: 'GET /api/ownership/proposals', base: () => ({ query: { branchId: 'B111', page: '1', pageSize: '20' } }) },
  // the open proposal for the unowned customer (seeded before each request) is rejected, never accepted
  {
    key: 'POST /api/ownership/proposals/decisions',
    base: () => ({ body: { decisions: [{ customerId: UNOWNED_CUSTOMER, decision: 'reject' }], reason } }),
    before: 'proposal',
    bodyCustomer: { scope: 'read', at: ['decisions', 0, 'customerId'] },
  },
  { key: 'GET /api/ownership/staff', base: () => ({ query: { branchId: 'B111' } }) },
  // C1 to its primary owner again: nobody's scope changes
  { key: 'POST /api/ownership/assign', base: () => ({ body: { customerIds: ['C1'], staffId: OUTLET_STAFF.customer_manager, reason } }) },
  // the unowned customer: nothing to recall, nobody's scope changes
  { key: 'POST /api/ownership/recall', base: () => ({ body: { customerIds: [UNOWNED_CUSTOMER], reason } }) },
  { key: 'GET /api/ownership/reallocation', base: () => ({ query: { branchId: 'B111' } }) },
  {
    key: 'POST /api/customers/:customerId/claims',
    // the appointments are declared, so a customer-side fact holds: a claim is made (or is pending already: 409)
    base: () => ({ params: { customerId: 'C1' }, body: { managerFacts: ['knows_occupation'], booksAppointments: true, note: reason } }),
    customer: { scope: 'outlet', inside: () => [200, 409] },
    fuzzAs: OUTLET_STAFF.cm_supervisor,
  },
  { key: 'GET /api/ownership/claims', base: () => ({ query: { status: 'pending', branchId: 'B111' } }) },
  // refused, never approved: an approval would move C1's primary owner
  {
    key: 'POST /api/ownership/claims/decisions',
    base: (ctx) => ({ body: { customerId: 'C1', claimId: ctx.claimId, decision: 'refuse', note: reason } }),
    before: 'claim',
    bodyCustomer: { scope: 'read', at: ['customerId'] },
  },
  {
    key: 'POST /api/customers/:customerId/referrals',
    base: () => ({ params: { customerId: 'C1' }, body: { toStaffId: null, reason, need: 'wealth' } }),
    customer: { scope: 'outlet' },
  },
  { key: 'GET /api/referrals', base: () => ({ query: { view: 'outlet', status: 'open' } }) },
  // a manager works the referrals of their outlet's customers, owned by them or not
  {
    key: 'POST /api/referrals/progress',
    base: (ctx) => ({ body: { customerId: 'C1', referralId: ctx.referralId, step: 'accept', note: reason } }),
    before: 'referral',
    bodyCustomer: { scope: 'outlet', at: ['customerId'] },
  },
  { key: 'GET /api/referrals/counts', base: () => ({ query: { branchId: 'B111' } }) },

  // worklist
  { key: 'GET /api/worklist/reminders', base: () => ({ query: { kind: 'information', status: 'open', customerId: 'C1', page: '1', pageSize: '20' } }) },
  {
    key: 'POST /api/worklist/reminders/:customerId/:event/:occurrence',
    base: () => ({ params: { customerId: 'C1', ...WALK_REMINDER }, body: { action: 'snooze', until: '2026-11-25' } }),
    variants: () => [{ params: { customerId: 'C1', ...WALK_REMINDER }, body: { action: 'dismiss', reason } }],
    customer: { scope: 'read' },
    before: 'reminder',
  },
  { key: 'GET /api/worklist/plan', base: () => ({ query: { date: '2026-11-20' } }) },
  // the manager's plan holds C1 and C2 (seeded): adding C1 again is a 409, and nothing changes
  {
    key: 'POST /api/worklist/plan',
    base: () => ({ body: { action: 'add', customerId: 'C1' } }),
    fuzzAs: OUTLET_STAFF.customer_manager,
    bodyCustomer: { scope: 'read', at: ['customerId'] },
  },
  { key: 'GET /api/worklist/plans', base: () => ({ query: { date: '2026-11-20', branchId: 'B111' } }) },
  { key: 'POST /api/worklist/plans/comments', base: () => ({ body: { staffId: OUTLET_STAFF.customer_manager, date: '2026-11-20', body: reason } }) },
  {
    key: 'POST /api/worklist/contacts',
    base: () => ({ body: { customerId: 'C1', channel: 'phone', outcome: 'reached', notes: reason, nextContactOn: '2099-01-02', reminders: [], source: 'customer' } }),
    bodyCustomer: { scope: 'read', at: ['customerId'] },
  },
  { key: 'GET /api/worklist/log', base: () => ({ query: { from: '2026-11-01', to: '2026-11-30' } }) },
  { key: 'GET /api/customers/:customerId/timeline', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/worklist/maturing', base: () => ({ query: { window: 'both', days: '90', page: '1', pageSize: '20' } }) },
  { key: 'GET /api/worklist/sheets', base: () => ({ query: { sheet: 'contact_log', from: '2026-11-01', to: '2026-11-30' } }) },

  // VIP signing (issue 19): C1 qualifies for gold (signed at once, then 409: signed already); a
  // customer below it waits for approval (then 409). A signing that does not exist answers 404
  // like one outside the scope: the walk decides, cancels and issues no real one.
  { key: 'GET /api/customers/:customerId/signings', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'POST /api/customers/:customerId/signings', base: () => ({ params: { customerId: 'C1' }, body: { grade: 'gold' } }), customer: { scope: 'read', inside: () => [201, 409] } },
  {
    key: 'POST /api/customers/:customerId/signings/:signingId/decision',
    base: () => ({ params: { customerId: 'C1', signingId: 'no-such-signing' }, body: { decision: 'reject', reason } }),
    customer: { scope: 'read', inside: () => [404] },
  },
  {
    key: 'POST /api/customers/:customerId/signings/:signingId/cancel',
    base: () => ({ params: { customerId: 'C1', signingId: 'no-such-signing' }, body: { reason } }),
    customer: { scope: 'read', inside: () => [404] },
  },
  {
    key: 'POST /api/customers/:customerId/signings/:signingId/card-issued',
    base: () => ({ params: { customerId: 'C1', signingId: 'no-such-signing' }, body: { note: reason } }),
    customer: { scope: 'read', inside: () => [404] },
  },
  { key: 'GET /api/signings/approvals', base: () => ({ query: { status: 'pending', page: '1', pageSize: '20' } }) },
  { key: 'GET /api/signings', base: () => ({ query: { status: 'signed', page: '1', pageSize: '20' } }) },
  // manager performance (issue 20): the one loaded date as a period of no length
  { key: 'GET /api/performance/managers', base: () => ({ query: { period: 'range', from: '2026-11-20', to: '2026-11-20' } }) },
  { key: 'GET /api/performance/sheet', base: () => ({ query: { period: 'range', from: '2026-11-20', to: '2026-11-20' } }) },
  { key: 'GET /api/performance/customers', base: () => ({ query: { period: 'range', from: '2026-11-20', to: '2026-11-20', measure: 'customers', page: '0', pageSize: '20' } }) },
  // suitable products: CUR (R1) suits every customer; each base request records a recommendation
  { key: 'GET /api/customers/:customerId/suitability', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  {
    key: 'POST /api/customers/:customerId/recommendations',
    base: () => ({ params: { customerId: 'C1' }, body: { productCode: 'CUR', kind: 'recommendation', note: reason } }),
    customer: { scope: 'read', inside: () => [201] },
  },

  // opportunities and prospects (issue 19): O-WALK is the manager's opportunity on C1, P-WALK their
  // prospect (seeded); the owner fuzzes what only an owner changes
  { key: 'GET /api/opportunities', base: () => ({ query: { view: 'scope', customerId: 'C1', stage: 'identified', status: 'all', stale: 'false', due: 'false', sort: 'expected_amount', page: '1', pageSize: '20' } }) },
  {
    key: 'POST /api/opportunities',
    base: () => ({ body: { customerId: 'C1', source: 'walk_in', target: { type: 'product_kind', code: 'wealth' }, expectedAmount: '100000', nextStep: reason, nextStepOn: '2026-11-30', notes: reason } }),
    bodyCustomer: { scope: 'read', at: ['customerId'] },
  },
  { key: 'GET /api/opportunities/board', base: () => ({}) },
  { key: 'GET /api/opportunities/review', base: () => ({ query: { date: '2026-11-20', branchId: 'B111', staffId: OUTLET_STAFF.customer_manager } }) },
  { key: 'POST /api/opportunities/review', base: () => ({ body: { date: '2026-11-20', branchId: 'B111', comments: [{ opportunityId: WALK_OPPORTUNITY, body: reason }] } }) },
  { key: 'GET /api/opportunities/reviews', base: () => ({ query: { from: '2026-11-01', to: '2026-11-30' } }) },
  { key: 'GET /api/opportunities/:opportunityId', base: () => ({ params: { opportunityId: WALK_OPPORTUNITY } }) },
  {
    key: 'PATCH /api/opportunities/:opportunityId',
    base: () => ({ params: { opportunityId: WALK_OPPORTUNITY }, body: { target: { type: 'product_kind', code: 'fund' }, expectedAmount: '1000', nextStep: reason, nextStepOn: '2026-11-30', notes: reason } }),
    fuzzAs: OUTLET_STAFF.customer_manager,
  },
  {
    key: 'POST /api/opportunities/:opportunityId/stage',
    base: () => ({ params: { opportunityId: WALK_OPPORTUNITY }, body: { stage: 'contacted', nextStep: reason, nextStepOn: '2026-11-30' } }),
    fuzzAs: OUTLET_STAFF.customer_manager,
  },
  { key: 'GET /api/customers/:customerId/opportunities', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/prospects', base: () => ({ query: { status: 'open', staffId: OUTLET_STAFF.customer_manager, q: '王', page: '1', pageSize: '20' } }) },
  { key: 'POST /api/prospects', base: () => ({ body: { name: '孙小九', phone: '13900009999', source: 'walk_in', notes: reason } }) },
  { key: 'GET /api/prospects/:prospectId', base: () => ({ params: { prospectId: WALK_PROSPECT } }) },
  { key: 'PATCH /api/prospects/:prospectId', base: () => ({ params: { prospectId: WALK_PROSPECT }, body: { source: 'referral', notes: reason } }), fuzzAs: OUTLET_STAFF.customer_manager },
  {
    key: 'POST /api/prospects/:prospectId/contacts',
    base: () => ({ params: { prospectId: WALK_PROSPECT }, body: { channel: 'phone', outcome: 'reached', notes: reason, nextContactOn: '2099-01-02' } }),
    fuzzAs: OUTLET_STAFF.customer_manager,
  },
  { key: 'POST /api/prospects/:prospectId/reveal', base: () => ({ params: { prospectId: WALK_PROSPECT }, body: { fields: ['phone'], reason } }) },

  // the monthly review (issue 20 §3): a spot check or coaching record that does not exist answers
  // 404 (the reviewers' tests draw and record real ones); a customer's feedback is read with the
  // customer and recorded by whoever serves them
  { key: 'GET /api/review/spot-checks', base: () => ({ query: { month: '2026-11', branchId: 'B111' } }) },
  { key: 'POST /api/review/spot-checks', base: () => ({ body: { month: '2026-11', branchId: 'B111', n: 3 } }) },
  { key: 'GET /api/review/spot-checks/:reviewId', base: () => ({ params: { reviewId: 'no-such-check' }, query: { staffId: OUTLET_STAFF.customer_manager } }) },
  {
    key: 'POST /api/review/spot-checks/:reviewId/results',
    base: () => ({ params: { reviewId: 'no-such-check' }, body: { customerId: 'C1', staffId: OUTLET_STAFF.customer_manager, result: 'familiar', note: reason } }),
  },
  { key: 'GET /api/customers/:customerId/feedback', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  {
    key: 'POST /api/customers/:customerId/feedback',
    base: () => ({ params: { customerId: 'C1' }, body: { kind: 'asked_for_help', on: '2026-11-20', note: reason } }),
    customer: { scope: 'read' },
  },
  // households (issue 23 §1): read with the customer; a link names a second customer, who must be
  // in the scope too (404 otherwise), and a pair already related answers 409
  { key: 'GET /api/customers/:customerId/household', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  {
    key: 'POST /api/customers/:customerId/household/links',
    base: () => ({ params: { customerId: 'C1' }, body: { relatedCustomerId: 'C2', relation: 'spouse', consentNote: '客户签字同意', consentOn: '2026-11-20' } }),
    customer: { scope: 'read', inside: () => [200, 404, 409] },
  },
  {
    key: 'DELETE /api/customers/:customerId/household/links/:relatedCustomerId',
    base: () => ({ params: { customerId: 'C1', relatedCustomerId: 'C2' } }),
    customer: { scope: 'read', inside: () => [200, 404] },
  },
  { key: 'GET /api/review/feedback', base: () => ({ query: { from: '2026-11-01', to: '2026-11-30', branchId: 'B111' } }) },
  { key: 'GET /api/review/coaching', base: () => ({ query: { staffId: OUTLET_STAFF.customer_manager, branchId: 'B111', from: '2026-11-01', to: '2026-11-30' } }) },
  {
    key: 'POST /api/review/coaching',
    base: () => ({ body: { staffId: OUTLET_STAFF.customer_manager, coachedOn: '2026-11-20', findings: reason, actions: reason, followUpOn: '2026-12-20' } }),
  },
  { key: 'PATCH /api/review/coaching/:coachingId', base: () => ({ params: { coachingId: 'no-such-record' }, body: { findings: reason, actions: reason, followUpOn: '2026-12-20' } }) },
  { key: 'POST /api/review/coaching/:coachingId/follow-up', base: () => ({ params: { coachingId: 'no-such-record' }, body: { note: reason } }) },
  { key: 'GET /api/review/my-coaching', base: () => ({}) },
  { key: 'GET /api/review/my-coaching/:coachingId', base: () => ({ params: { coachingId: 'no-such-record' } }) },

  // short messages (issue 21 §3): the gateway's webhooks have no session; the walk signs them as the
  // gateway does (an unsigned one answers 401: outreach/sms.routes.db.test.ts); a campaign that does
  // not exist answers 404
  { key: 'POST /api/sms/receipts', base: () => ({ body: { receipts: [{ gateway_id: 'fg-walk', status: 'delivered', at: '2026-11-20T10:00:00+08:00' }] } }), signed: true, anonymous: 200, fuzzAs: null },
  { key: 'POST /api/sms/inbound', base: () => ({ body: { phone: '13800000000', text: 'R', at: '2026-11-20T10:00:00+08:00' } }), signed: true, anonymous: 200, fuzzAs: null },
  { key: 'GET /api/campaigns/:campaignId', base: () => ({ params: { campaignId: 'no-such-campaign' } }) },
  // greetings (issue 21 §4): the list of the heads' branches; a greeting that does not exist answers 404
  // (greetings/greetings.db.test.ts approves real ones)
  { key: 'GET /api/greetings', base: () => ({ query: { status: 'draft' } }) },
  { key: 'GET /api/greetings/:campaignId', base: () => ({ params: { campaignId: 'no-such-greeting' } }) },
  { key: 'POST /api/greetings/:campaignId/approve', base: () => ({ params: { campaignId: 'no-such-greeting' } }) },
  // campaigns (issue 21 §3, §6): a group or template that does not exist answers 404, and so does a
  // campaign (outreach/campaigns.db.test.ts makes, approves and sends real ones)
  { key: 'GET /api/campaigns', base: () => ({ query: { status: 'draft' } }) },
  { key: 'POST /api/campaigns', base: () => ({ body: { name: reason, groupId: 'no-such-group', templateId: 'no-such-template', holdoutPercent: 10 } }) },
  { key: 'POST /api/campaigns/:campaignId/approve', base: () => ({ params: { campaignId: 'no-such-campaign' } }) },
  { key: 'POST /api/campaigns/:campaignId/send', base: () => ({ params: { campaignId: 'no-such-campaign' } }) },
  // relationship events (issue 21 §5): a group that does not exist answers 404, and so does an
  // event; an invitee of an event that does not exist answers 404 inside the scope as outside it
  // (gatherings/gatherings.db.test.ts holds, invites, answers, marks and closes real ones)
  { key: 'GET /api/gatherings', base: () => ({ query: { status: 'planned' } }) },
  { key: 'POST /api/gatherings', base: () => ({ body: { kind: 'salon', title: reason, startsAt: '2026-11-28T14:30', place: '营业部二楼', groupId: 'no-such-group', capacity: 15 } }) },
  { key: 'GET /api/gatherings/:gatheringId', base: () => ({ params: { gatheringId: 'no-such-event' } }) },
  { key: 'POST /api/gatherings/:gatheringId/invitations', base: () => ({ params: { gatheringId: 'no-such-event' }, body: { channel: 'call_list' } }) },
  { key: 'GET /api/gatherings/:gatheringId/call-list', base: () => ({ params: { gatheringId: 'no-such-event' } }) },
  { key: 'GET /api/gatherings/:gatheringId/door', base: () => ({ params: { gatheringId: 'no-such-event' }, query: { q: '5678' } }) },
  { key: 'POST /api/gatherings/:gatheringId/close', base: () => ({ params: { gatheringId: 'no-such-event' } }) },
  {
    key: 'POST /api/gatherings/:gatheringId/invitees/:customerId/answer',
    base: () => ({ params: { gatheringId: 'no-such-event', customerId: 'C1' }, body: { state: 'accepted' } }),
    customer: { scope: 'read', inside: () => [404] },
  },
  { key: 'POST /api/gatherings/:gatheringId/invitees/:customerId/attend', base: () => ({ params: { gatheringId: 'no-such-event', customerId: 'C1' } }), customer: { scope: 'read', inside: () => [404] } },
  // complaints (issue 22 §1): any staff member records one (of any customer, or a non-customer);
  // a complaint that does not exist answers 404 (the complaints' tests work real ones)
  { key: 'POST /api/complaints', base: () => ({ body: { channel: 'counter', personName: '王先生', personPhone: '13800001111', category: 'service', description: reason } }) },
  { key: 'GET /api/complaints', base: () => ({ query: { status: 'open', mine: 'true' } }) },
  { key: 'GET /api/complaints/escalated', base: () => ({}) },
  { key: 'GET /api/complaints/report', base: () => ({ query: { from: '2026-11-01', to: '2026-11-30' } }) },
  { key: 'GET /api/complaints/report/sheet', base: () => ({ query: { from: '2026-11-01', to: '2026-11-30' } }) },
  { key: 'GET /api/complaints/:complaintId', base: () => ({ params: { complaintId: 'no-such-complaint' } }) },
  { key: 'POST /api/complaints/:complaintId/notes', base: () => ({ params: { complaintId: 'no-such-complaint' }, body: { kind: 'response', body: reason } }) },
  { key: 'POST /api/complaints/:complaintId/resolution', base: () => ({ params: { complaintId: 'no-such-complaint' }, body: { body: reason, answer: 'satisfied' } }) },
  { key: 'POST /api/complaints/:complaintId/close', base: () => ({ params: { complaintId: 'no-such-complaint' }, body: { rootCause: 'process' } }) },
  { key: 'POST /api/complaints/:complaintId/hand-over', base: () => ({ params: { complaintId: 'no-such-complaint' }, body: { toStaffId: 'S12', reason } }) },
  { key: 'GET /api/customers/:customerId/complaints', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  // service entitlements and the counter's view (issue 22 §2–3): the shipped policy as it is is a
  // valid draft; publishing it from a day far ahead is valid again on every request
  { key: 'GET /api/customers/:customerId/entitlements', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'read' } },
  { key: 'GET /api/entitlements/policies', base: () => ({}) },
  { key: 'POST /api/entitlements/policies/check', base: () => ({ body: { yaml: ENTITLEMENTS_YAML } }) },
  { key: 'POST /api/entitlements/policies/simulate', base: () => ({ body: { yaml: ENTITLEMENTS_YAML } }) },
  { key: 'POST /api/entitlements/policies', base: () => ({ body: { yaml: ENTITLEMENTS_YAML, reason, effectiveFrom: '2099-12-31' } }) },
  { key: 'GET /api/counter/search', base: () => ({ query: { q: '5678' } }) },
  { key: 'GET /api/counter/managers', base: () => ({}) },
  { key: 'POST /api/counter/handovers', base: () => ({ body: { customerId: 'C1', staffId: OUTLET_STAFF.customer_manager, note: reason } }), bodyCustomer: { scope: 'read', at: ['customerId'] } },
  { key: 'GET /api/me/availability', base: () => ({}) },
  { key: 'PUT /api/me/availability', base: () => ({ body: { away: false } }) },

  // a customer's profile (issue 23 §2): read within scope, written by those who collect; the outlet's customers to complete
  { key: 'GET /api/customers/:customerId/profile', base: () => ({ params: { customerId: 'C1' } }), customer: { scope: 'profile' } },
  { key: 'PUT /api/customers/:customerId/profile', base: () => ({ params: { customerId: 'C1' }, body: { interests: ['书法'], contactTime: 'morning' } }), customer: { scope: 'profile' } },
  { key: 'GET /api/profile/outlet', base: () => ({ query: { page: '1', pageSize: '20' } }) },

  // exports (background jobs): a job of someone else, or none, answers 404 alike
  { key: 'POST /api/exports', base: () => ({ body: { kind: 'contact_log', filters: { from: '2026-11-01', to: '2026-11-30' } } }) },
  { key: 'GET /api/exports', base: () => ({}) },
  { key: 'GET /api/exports/:exportId', base: () => ({ params: { exportId: 'no-such-export' } }) },
  { key: 'GET /api/exports/:exportId/file', base: () => ({ params: { exportId: 'no-such-export' } }) },
  // customer groups and message templates (issue 21 §1–2): a group or template that does not exist
  // answers 404 (their own tests make real ones); a preview names a customer in its body
  { key: 'POST /api/groups/count', base: () => ({ body: { filter: { aumBands: ['band_1'], aumMin: 0, aumMax: 1000000, products: ['time_deposit'], branchIds: ['B111'] } } }) },
  { key: 'GET /api/groups', base: () => ({}) },
  { key: 'POST /api/groups', base: () => ({ body: { name: reason, filter: { aumMin: 500000, openEventKinds: ['opportunity'] } } }) },
  { key: 'GET /api/groups/:groupId', base: () => ({ params: { groupId: 'no-such-group' } }) },
  { key: 'PUT /api/groups/:groupId', base: () => ({ params: { groupId: 'no-such-group' }, body: { name: reason, filter: { aumMin: 1 } } }) },
  { key: 'DELETE /api/groups/:groupId', base: () => ({ params: { groupId: 'no-such-group' } }) },
  { key: 'GET /api/groups/:groupId/count', base: () => ({ params: { groupId: 'no-such-group' } }) },
  { key: 'GET /api/templates', base: () => ({ query: { status: 'approved' } }) },
  { key: 'POST /api/templates', base: () => ({ body: { name: reason, kind: 'marketing', body: '{称谓}您好，{网点}本周六举办理财沙龙。' } }) },
  {
    key: 'POST /api/templates/preview',
    base: () => ({ body: { body: '{姓名}{称谓}您好，您的{产品}将于{日期}到期。', kind: 'service', customerId: 'C1', product: '定期存款', date: '2026-12-10' } }),
    bodyCustomer: { scope: 'read', at: ['customerId'] },
  },
  { key: 'GET /api/templates/:templateId', base: () => ({ params: { templateId: 'no-such-template' } }) },
  { key: 'PUT /api/templates/:templateId', base: () => ({ params: { templateId: 'no-such-template' }, body: { name: reason, kind: 'service', body: '{姓名}您好' } }) },
  { key: 'POST /api/templates/:templateId/submit', base: () => ({ params: { templateId: 'no-such-template' } }) },
  { key: 'POST /api/templates/:templateId/decision', base: () => ({ params: { templateId: 'no-such-template' }, body: { decision: 'reject', note: reason } }) },
];

// ---- the fuzz values -------------------------------------------------------------------------

/** stands for a number too long for a double, written into the JSON text as it is */
export const RAW_BIG_NUMBER = '@@raw:99999999999999999999@@';

export interface FuzzValue {
  label: string;
  /** in a JSON body */
  json: unknown;
  /** in a query string or a path (an array: the parameter repeated); null: not sent there */
  text: string | string[] | null;
}

const same = (label: string, v: string): FuzzValue => ({ label, json: v, text: v });

export const FUZZ_VALUES: readonly FuzzValue[] = [
  same("'2026-02-30'", '2026-02-30'),
  same("'2026-11-31'", '2026-11-31'),
  same("'2025-02-29'", '2025-02-29'),
  same("'a\\u0000b'", 'a\u0000b'),
  { label: '1e308', json: 1e308, text: '1e308' },
  { label: '99999999999999999999', json: RAW_BIG_NUMBER, text: '99999999999999999999' },
  { label: '-1', json: -1, text: '-1' },
  { label: '12345 (a number)', json: 12345, text: '12345' },
  same("'abc' (a string)", 'abc'),
  { label: "['a','b'] (an array)", json: ['a', 'b'], text: ['a', 'b'] },
  { label: '{a:1} (an object)', json: { a: 1 }, text: null },
  { label: 'null', json: null, text: 'null' },
  { label: 'true', json: true, text: 'true' },
  same("'__proto__'", '__proto__'),
  same("'constructor'", 'constructor'),
  same("'toString'", 'toString'),
  same("'hasOwnProperty'", 'hasOwnProperty'),
  same("'x' × 10000", 'x'.repeat(10_000)),
];

/** bodies with an extra key naming an Object member, as JSON text to add to the base body's members */
export const EXTRA_KEYS: readonly { key: string; member: string }[] = [
  { key: '__proto__', member: '"__proto__":{"polluted":true}' },
  { key: 'constructor', member: '"constructor":{"prototype":{"polluted":true}}' },
];
