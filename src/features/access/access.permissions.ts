import type { PiiView } from '../../platform/pii.js';
import type { StaffRole } from '../../platform/schema.js';

// What each role may do, written once. Every API route names the permission it needs
// (see access.guard.ts); the web app's menu shows only what the signed-in role holds.

export const PERMISSIONS = [
  'customers.read', // the customer list and the customer 360 page, within the role's scope
  'users.manage', // staff accounts: passwords, unlocking
  'policies.read', // tiering policies: versions, simulation of a draft
  'policies.publish', // publishing a new version of a policy
  'reports.branch', // tier mix and migration of the branch (within scope)
  'reports.dashboards', // the branch and department dashboards: churn, plan execution, funnel, referrals, events, AUM by band, the branches compared (within scope)
  'pii.reveal', // show a customer's phone, ID number or address in full, with a reason (audited)
  'pii.reveal_id', // show only the ID number in full, with a reason (audited): identity checks at the counter
  'pii.details', // birth date, annual income and transaction counterparties unmasked (those who maintain the customer)
  'audit.read', // the audit trail: the department all of it, a branch head their subtree's
  'ownership.manage', // assign, re-assign, recall; decide proposals and claims; the re-allocation report (within scope)
  'ownership.claim', // claim a familiar customer of one's outlet (熟户认养)
  'referrals.create', // refer a customer of one's outlet to a manager or the outlet's pool
  'referrals.work', // accept referrals, record the contact and the outcome
  'worklist.own', // "my day": reminders, the contact plan and the work log of one's own customers
  'worklist.review', // every owner's plan and its execution within scope, comments (seed 003: daily review)
  'opportunities.own', // opportunities (商机) and prospects (递进沟通表): one's own to create and work through their stages, contacts with prospects; a reviewer reads the scope's
  'opportunities.review', // every opportunity and prospect within scope, the weekly review with its comments (seed 003), the 商机管理表 of the scope
  'system.runs', // the runs status: every load and daily batch, its outcome and problems (issue 18); no customer data, not scoped
  'signings.request', // sign a customer in scope for a VIP card grade (issue 19), cancel a signing, record its card issued
  'signings.approve', // approve or reject a signing above the customer's standard: the branch head gold/platinum, the department diamond
  'performance.read', // manager performance (管户业绩统计): a reviewer every staff member of the scope, anyone else their own line (issue 20)
  'products.recommend', // record a product recommended or proposed to a customer in scope (only one that suits); confirm a colleague's for a customer of 65 or over
  'review.manage', // the monthly review (管户效果评估, issue 20 §3) within scope: spot checks of familiar customers, feedback counted per manager, the coaching log
  'feedback.record', // record a customer's feedback (客户反馈) about a customer in scope: whoever serves the customer
  'coaching.own', // read one's own coaching records (绩效沟通辅导), read-only
  'groups.manage', // customer groups (客户分组, issue 21): count and preview a filter within one's scope, save, change and delete groups
  'templates.write', // message templates (短信模板): write, preview for a customer in scope, submit for approval
  'templates.approve', // approve or reject a submitted template: a branch head their subtree's, the department bank-wide ones
  'campaigns.read', // a campaign's messages counted by status and skip reason: a branch head their branch's, the department every one (issue 21)
  'greetings.approve', // the birthday and festival greetings the daily batch prepared: list and approve, a branch head their branches', the department all (issue 21 §4)
  'campaigns.read', // campaigns and their results: one's own; a branch head their branch's, the department every one (issue 21)
  'campaigns.write', // make a campaign from a group and an approved template; send one's own (a branch head their branch's)
  'campaigns.approve', // approve a draft campaign: a branch head their subtree's, the department bank-wide ones; never one's own
  'complaints.record', // record a complaint (投诉) of a customer or a non-customer, read one's own and those of customers in scope, work one's own (issue 22)
  'profile.collect', // record what is collected about a customer in scope (issue 23): proposals for the core system, Stratum's own fields; the outlet's customers to complete (a counter teller: also those below band_3 given to the outlet's tellers)
  'complaints.escalated', // the red list of escalated complaints and the complaints report of the scope; work any complaint read (branch head, department)
  'households.link', // link two customers of one's scope as family (with the customer's consent noted), remove such a link (issue 23)
  'counter.search', // the counter's view (issue 22 §3): find a walk-in customer within scope by phone tail, ID number tail, name or card number, with band, entitlements, owner, open reminders and opportunities
  'counter.handover', // hand a walk-in customer of one's outlet to a customer manager available today (现场分配): the lobby manager
  'availability.set', // mark oneself away or back for today on My day: a customer manager the lobby manager may hand walk-ins to
  'gatherings.read', // relationship events (客户活动, issue 21 §5): a branch head their branches' and the bank-wide ones, the department all, a manager those inviting their customers (their own invitees only); record their customers' answers and arrivals
  'gatherings.write', // hold a relationship event from a customer group, invite (SMS campaign or call list), answer and mark any invitee, close it: a branch head for their branches, the department bank-wide
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Roles of the feed (staff.csv) plus the system administrator created by `stratum user create-admin`. */
export const ROLES = [
  'branch_head',
  'cm_supervisor',
  'customer_manager',
  'lobby_manager',
  'vip_teller',
  'counter_teller',
  'lobby_assistant',
  'pb_dept',
  'admin',
] as const satisfies readonly (StaffRole | 'admin')[];
export type Role = (typeof ROLES)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  branch_head: ['customers.read', 'policies.read', 'reports.branch', 'reports.dashboards', 'pii.reveal', 'pii.details', 'audit.read', 'ownership.manage', 'referrals.work', 'worklist.own', 'worklist.review', 'signings.request', 'signings.approve', 'products.recommend', 'system.runs', 'opportunities.own', 'opportunities.review', 'performance.read', 'review.manage', 'feedback.record', 'groups.manage', 'templates.write', 'templates.approve', 'campaigns.read', 'greetings.approve', 'complaints.record', 'complaints.escalated', 'campaigns.write', 'campaigns.approve', 'households.link', 'counter.search', 'profile.collect', 'gatherings.read', 'gatherings.write'],
  cm_supervisor: ['customers.read', 'reports.branch', 'pii.reveal', 'pii.details', 'ownership.claim', 'referrals.work', 'worklist.own', 'signings.request', 'products.recommend', 'opportunities.own', 'performance.read', 'feedback.record', 'coaching.own', 'groups.manage', 'templates.write', 'complaints.record', 'campaigns.read', 'counter.search', 'campaigns.write', 'households.link', 'availability.set', 'profile.collect', 'gatherings.read'],
  customer_manager: ['customers.read', 'pii.reveal', 'pii.details', 'ownership.claim', 'referrals.work', 'worklist.own', 'signings.request', 'products.recommend', 'opportunities.own', 'performance.read', 'feedback.record', 'coaching.own', 'groups.manage', 'templates.write', 'complaints.record', 'campaigns.read', 'counter.search', 'campaigns.write', 'households.link', 'availability.set', 'profile.collect', 'gatherings.read'],
  // seed 000: the lobby manager co-owns 20–50万 customers with the manager
  lobby_manager: ['customers.read', 'referrals.create', 'worklist.own', 'performance.read', 'feedback.record', 'complaints.record', 'counter.search', 'counter.handover'],
  // tellers check the ID card a customer hands over against the record and fill in forms with
  // the number: they may reveal the ID number, not the phone or address (not their duty)
  vip_teller: ['customers.read', 'pii.reveal_id', 'referrals.create', 'worklist.own', 'performance.read', 'feedback.record', 'groups.manage', 'templates.write', 'complaints.record', 'campaigns.read', 'campaigns.write', 'counter.search', 'profile.collect'],
  counter_teller: ['customers.read', 'pii.reveal_id', 'referrals.create', 'worklist.own', 'performance.read', 'feedback.record', 'groups.manage', 'templates.write', 'complaints.record', 'campaigns.read', 'campaigns.write', 'counter.search', 'profile.collect'],
  lobby_assistant: ['customers.read', 'referrals.create', 'feedback.record', 'complaints.record', 'counter.search'],
  // the department owns the tiering policies (seed 002: the head office sets the tier model)
  pb_dept: ['customers.read', 'policies.read', 'policies.publish', 'reports.branch', 'reports.dashboards', 'pii.reveal', 'pii.details', 'audit.read', 'ownership.manage', 'worklist.own', 'worklist.review', 'signings.request', 'signings.approve', 'products.recommend', 'system.runs', 'opportunities.own', 'opportunities.review', 'performance.read', 'review.manage', 'feedback.record', 'groups.manage', 'templates.write', 'templates.approve', 'campaigns.read', 'greetings.approve', 'complaints.record', 'complaints.escalated', 'campaigns.write', 'campaigns.approve', 'households.link', 'profile.collect', 'gatherings.read', 'gatherings.write'],
  // the administrator looks after accounts, not customers: no customer data
  admin: ['users.manage'],
};

/**
 * Which customers a role sees (issue 5: scope follows ownership): managers, supervisors and
 * tellers the customers they own or co-own (tellers: those they maintain in bulk); the lobby
 * manager the outlet's customers, for routing (names masked, NAMES_MASKED); a branch head the
 * subtree of their branch; the department every branch. The lobby assistant, like the lobby
 * manager, sees the outlet's customers to refer walk-ins (names masked too).
 */
export type ScopeKind = 'owned' | 'outlet' | 'subtree' | 'all' | 'none';
export const ROLE_SCOPE: Record<Role, ScopeKind> = {
  branch_head: 'subtree',
  cm_supervisor: 'owned',
  customer_manager: 'owned',
  lobby_manager: 'outlet',
  vip_teller: 'owned',
  counter_teller: 'owned',
  lobby_assistant: 'outlet',
  pb_dept: 'all',
  admin: 'none',
};

/**
 * Roles that see customers' names masked (张*明): the lobby manager and the lobby assistant route
 * walk-in customers and refer them, which needs the tier and the customer number, not the name.
 * What else each role sees of personal data is in src/platform/pii.ts.
 */
export const NAMES_MASKED: readonly Role[] = ['lobby_manager', 'lobby_assistant'];

/** What a role sees of personal data without revealing anything. */
export const piiViewOf = (role: Role): PiiView => ({ namesMasked: NAMES_MASKED.includes(role), details: can(role, 'pii.details') });

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
