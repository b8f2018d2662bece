import { createHash, randomBytes } from 'node:crypto';
import { recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { hashPassword, passwordProblem, spendAsMuchAsAVerify, verifyPassword } from './access.password.js';
import { NAMES_MASKED, ROLE_PERMISSIONS, ROLE_SCOPE, type Permission, type Role } from './access.permissions.js';
import * as q from './access.sql.js';

export interface AccessSettings {
  /** minutes without a request after which a session ends */
  idleMinutes: number;
  /** a session ends this many hours after sign-in, however active */
  maxHours: number;
  /** wrong passwords in a row that lock an account */
  lockAfter: number;
  lockMinutes: number;
  now: () => Date;
}

export function accessSettings(overrides: Partial<AccessSettings> = {}): AccessSettings {
  const env = process.env;
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    idleMinutes: num(env.STRATUM_SESSION_IDLE_MINUTES, 30),
    maxHours: num(env.STRATUM_SESSION_MAX_HOURS, 12),
    lockAfter: 5,
    lockMinutes: num(env.STRATUM_LOCK_MINUTES, 15),
    now: () => new Date(),
    ...overrides,
  };
}

/**
 * Who is signed in, and what they may see: the scope is a list of branch ids, or null for all;
 * with ownerId set, only the customers that staff member owns or co-owns (within any branch).
 */
export interface SignedInUser {
  login: string;
  name: string;
  role: Role;
  /** the staff number; null for an administrator */
  staffId: string | null;
  branchId: string | null;
  branchName: string | null;
  permissions: readonly Permission[];
  /** the branches of the role (for an owner: their outlet, e.g. the outlet a referral or claim is for) */
  scope: readonly string[] | null;
  /** customers are seen only where this staff member is an owner (ROLE_SCOPE 'owned') */
  ownerId: string | null;
  /** the outlet's customers are seen for routing only: names masked (the lobby manager) */
  masked: boolean;
  csrfToken: string;
  tokenHash: string;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The one answer to every failed sign-in but a departed staff member's right password: an unknown
 * staff number, one without a password yet, a wrong password, a locked account, the wrong password
 * that locks it. Telling these apart would let anyone outside find out which staff numbers exist
 * and which are locked; the audit trail keeps the real reason for the administrator, and the
 * message says what a clerk can do about each.
 */
const refusedSignIn = (s: AccessSettings) =>
  new AppError(
    'unauthenticated',
    text(
      `员工号或密码不正确。连续 ${s.lockAfter} 次输错，账户将锁定 ${s.lockMinutes} 分钟；新员工号需先由管理员设置密码。如仍无法登录，请联系系统管理员。`,
      `The staff number or the password is not right. ${s.lockAfter} wrong passwords in a row lock the account for ${s.lockMinutes} minutes, and a new staff number needs a password set by the administrator first. If you still cannot sign in, ask your administrator.`,
    ),
  );

/** Checks a password; on success opens a session and returns its token (for the cookie). Audited either way. */
export async function signIn(db: Db, settings: AccessSettings, login: string, password: string, from: { ip?: string | null } = {}): Promise<{ token: string; user: SignedInUser }> {
  const now = settings.now();
  const account = await q.findAccount(db, login);
  // an unknown login is audited without what was typed: it may be anything, even a phone number
  const refused = async (why: string, extra: Record<string, unknown> = {}) => {
    await recordAuditDb(db, { actor: account?.login ?? null, ip: from.ip ?? null, action: 'sign_in_failed', outcome: 'refused', detail: { why, ...extra } });
    return refusedSignIn(settings);
  };
  // every refusal before the password is checked costs the time of a check, so time tells nothing either
  if (!account || !account.password_hash) {
    await spendAsMuchAsAVerify(password);
    throw await refused(!account ? 'unknown_login' : account.staff_active === false ? 'inactive' : 'no_password');
  }
  if (account.locked_until && new Date(account.locked_until) > now) {
    await spendAsMuchAsAVerify(password);
    throw await refused('locked', { until: new Date(account.locked_until).toISOString() });
  }
  if (!(await verifyPassword(password, account.password_hash))) {
    const until = await q.recordFailure(db, account.login, settings.lockAfter, new Date(now.getTime() + settings.lockMinutes * 60_000), now);
    logger.warn({ login: account.login, locked: Boolean(until) }, 'wrong password');
    throw await refused('wrong_password', until ? { locked: true, until: until.toISOString() } : {});
  }
  if (!account.is_admin && account.staff_active === false) {
    // the right password: whoever typed it knows the account, and may learn it has ended
    await refused('inactive');
    throw new AppError('unauthenticated', text('该员工号已停用。', 'This staff number is no longer active.'));
  }
  await q.recordSuccess(db, account.login, now);
  const token = randomBytes(32).toString('base64url');
  const tokenHash = hashToken(token);
  const csrfToken = randomBytes(24).toString('base64url');
  await q.insertSession(db, { tokenHash, login: account.login, csrfToken, now, expiresAt: new Date(now.getTime() + settings.maxHours * 3600_000) });
  await q.deleteStaleSessions(db, new Date(now.getTime() - 24 * 3600_000));
  const user = await userFromSession(db, settings, tokenHash);
  if (!user) throw refusedSignIn(settings);
  await recordAuditDb(db, { actor: user.login, role: user.role, ip: from.ip ?? null, action: 'sign_in', outcome: 'allowed' });
  logger.info({ login: account.login }, 'signed in');
  return { token, user };
}

/** The user behind a session token, or null when it is unknown, idle too long, expired or its staff left. */
export async function userFromSession(db: Db, settings: AccessSettings, tokenHash: string): Promise<SignedInUser | null> {
  const row = await q.findSession(db, tokenHash);
  if (!row) return null;
  const now = settings.now();
  const idleSince = now.getTime() - new Date(row.last_seen_at).getTime();
  const staffGone = !row.is_admin && row.staff_active !== true;
  if (new Date(row.expires_at) <= now || idleSince > settings.idleMinutes * 60_000 || staffGone) {
    await q.deleteSession(db, tokenHash);
    return null;
  }
  // one write a minute at most, not one per request
  if (idleSince > 60_000) await q.touchSession(db, tokenHash, now);
  const role: Role = row.is_admin ? 'admin' : (row.staff_role ?? 'admin');
  const scopeKind = ROLE_SCOPE[role];
  let scope: string[] | null;
  if (scopeKind === 'all') scope = null;
  else if (scopeKind === 'none' || !row.branch_id) scope = [];
  else if (scopeKind === 'outlet' || scopeKind === 'owned') scope = [row.branch_id];
  else scope = await q.branchSubtree(db, row.branch_id);
  return {
    login: row.login,
    name: row.staff_name ?? row.display_name ?? row.login,
    role,
    staffId: row.staff_id,
    branchId: row.branch_id,
    branchName: row.branch_name,
    permissions: ROLE_PERMISSIONS[role],
    scope,
    // never null for an owning role: an empty id matches no customer rather than the whole outlet
    ownerId: scopeKind === 'owned' ? (row.staff_id ?? '') : null,
    masked: NAMES_MASKED.includes(role),
    csrfToken: row.csrf_token,
    tokenHash,
  };
}

export async function signOut(db: Db, tokenHash: string): Promise<void> {
  await q.deleteSession(db, tokenHash);
}

/** Sets (or resets) the password of a staff member or an administrator; clears a lock; ends their sessions. */
export async function setPassword(db: Db, login: string, password: string): Promise<{ login: string; name: string }> {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('bad_request', `The password ${problem}.`);
  const account = await q.findAccount(db, login);
  if (!account) throw new AppError('not_found', `There is no staff member or administrator with login '${login}'.`);
  await q.upsertAccount(db, {
    login: account.login,
    staffId: account.staff_id,
    isAdmin: account.is_admin,
    displayName: null,
    passwordHash: await hashPassword(password),
  });
  await q.deleteSessionsOf(db, account.login);
  return { login: account.login, name: account.staff_name ?? account.display_name ?? account.login };
}

export async function createAdmin(db: Db, login: string, name: string, password: string): Promise<void> {
  if (!/^[A-Za-z0-9_.-]{3,64}$/.test(login)) throw new AppError('bad_request', 'An administrator login is 3 to 64 letters, digits, dots, dashes or underscores.');
  const problem = passwordProblem(password);
  if (problem) throw new AppError('bad_request', `The password ${problem}.`);
  const existing = await q.findAccount(db, login);
  if (existing?.staff_id) throw new AppError('conflict', `'${login}' is a staff number; an administrator needs a login of its own.`);
  if (existing) throw new AppError('conflict', `The administrator '${login}' exists already; use 'stratum user set-password ${login}' to change the password.`);
  await q.upsertAccount(db, { login, staffId: null, isAdmin: true, displayName: name, passwordHash: await hashPassword(password) });
}

export async function unlock(db: Db, login: string): Promise<void> {
  if (!(await q.unlockAccount(db, login))) throw new AppError('not_found', `No account with login '${login}' has a password yet, so there is nothing to unlock.`);
}

export const bankName = q.bankName;

/**
 * The branches a request may read: the caller's scope, narrowed to a branch's subtree when a
 * branch filter is given (null: every branch). A branch outside the scope answers 404.
 */
export async function branchesWithinScope(db: Db, user: SignedInUser, branchId: string | undefined): Promise<readonly string[] | null> {
  if (!branchId) return user.scope;
  const subtree = await q.branchSubtree(db, branchId);
  const inScope = user.scope ? subtree.filter((b) => user.scope?.includes(b)) : subtree;
  if (!inScope.length) throw new AppError('not_found', text('没有这个网点，或它不在您的权限范围内。', 'There is no such branch within your scope.'));
  return inScope;
}
