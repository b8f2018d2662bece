import type { StaffRole } from '../../platform/schema.js';

// What each role may do, written once. Every API route names the permission it needs
// (see access.guard.ts); the web app's menu shows only what the signed-in role holds.

export const PERMISSIONS = [
  'customers.read', // the customer list and the customer 360 page, within the role's scope
  'users.manage', // staff accounts: passwords, unlocking
  'policies.read', // tiering policies: versions, simulation of a draft
  'policies.publish', // publishing a new version of a policy
  'reports.branch', // tier mix and migration of the branch (within scope)
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
  branch_head: ['customers.read', 'policies.read', 'reports.branch'],
  cm_supervisor: ['customers.read', 'reports.branch'],
  customer_manager: ['customers.read'],
  lobby_manager: ['customers.read'],
  vip_teller: ['customers.read'],
  counter_teller: ['customers.read'],
  lobby_assistant: ['customers.read'],
  // the department owns the tiering policies (seed 002: the head office sets the tier model)
  pb_dept: ['customers.read', 'policies.read', 'policies.publish', 'reports.branch'],
  // the administrator looks after accounts, not customers: no customer data
  admin: ['users.manage'],
};

/**
 * Which customers a role sees, until ownership exists (issue 5): the staff member's own outlet,
 * a branch head the subtree of their branch, the personal-banking department every branch.
 */
export type ScopeKind = 'outlet' | 'subtree' | 'all' | 'none';
export const ROLE_SCOPE: Record<Role, ScopeKind> = {
  branch_head: 'subtree',
  cm_supervisor: 'outlet',
  customer_manager: 'outlet',
  lobby_manager: 'outlet',
  vip_teller: 'outlet',
  counter_teller: 'outlet',
  lobby_assistant: 'outlet',
  pb_dept: 'all',
  admin: 'none',
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
