import { sql } from 'kysely';
import type { Db } from '../../platform/db.js';
import type { StaffRole } from '../../platform/schema.js';

// The only SQL of sign-in and scope.

export interface AccountRow {
  login: string;
  staff_id: string | null;
  is_admin: boolean;
  display_name: string | null;
  password_hash: string | null;
  failed_attempts: number;
  locked_until: Date | null;
  staff_name: string | null;
  staff_role: StaffRole | null;
  staff_active: boolean | null;
  branch_id: string | null;
}

/** The account behind a login: an administrator, or a staff member of the feed (with or without a password yet). */
export async function findAccount(db: Db, login: string): Promise<AccountRow | undefined> {
  const r = await db.session((s) =>
    s.query<AccountRow>(
      `SELECT coalesce(u.login, st.staff_id) AS login, coalesce(u.staff_id, st.staff_id) AS staff_id,
              coalesce(u.is_admin, false) AS is_admin, u.display_name, u.password_hash,
              coalesce(u.failed_attempts, 0) AS failed_attempts, u.locked_until,
              st.name AS staff_name, st.role AS staff_role, st.active AS staff_active, st.branch_id
         FROM (SELECT $1::text AS login) k
         LEFT JOIN user_accounts u ON u.login = k.login
         LEFT JOIN staff st ON st.staff_id = coalesce(u.staff_id, k.login)
        WHERE u.login IS NOT NULL OR st.staff_id IS NOT NULL`,
      [login],
    ),
  );
  return r.rows[0];
}

export async function upsertAccount(db: Db, row: { login: string; staffId: string | null; isAdmin: boolean; displayName: string | null; passwordHash: string }): Promise<void> {
  await db.kysely
    .insertInto('user_accounts')
    .values({
      login: row.login,
      staff_id: row.staffId,
      is_admin: row.isAdmin,
      display_name: row.displayName,
      password_hash: row.passwordHash,
      password_changed_at: new Date(),
      failed_attempts: 0,
      locked_until: null,
    })
    .onConflict((oc) =>
      oc.column('login').doUpdateSet({
        password_hash: row.passwordHash,
        password_changed_at: new Date(),
        failed_attempts: 0,
        locked_until: null,
        ...(row.displayName ? { display_name: row.displayName } : {}),
      }),
    )
    .execute();
}

/** Counts a wrong password; locks the account when the count reaches `lockAfter`. Returns the lock end, if locked. */
export async function recordFailure(db: Db, login: string, lockAfter: number, lockUntil: Date, now: Date): Promise<Date | null> {
  const r = await db.kysely
    .updateTable('user_accounts')
    .set((eb) => ({
      failed_attempts: sql<number>`CASE WHEN ${eb.ref('failed_attempts')} + 1 >= ${lockAfter} THEN 0 ELSE ${eb.ref('failed_attempts')} + 1 END`,
      locked_until: sql<Date | null>`CASE WHEN ${eb.ref('failed_attempts')} + 1 >= ${lockAfter} THEN ${lockUntil}::timestamptz ELSE ${eb.ref('locked_until')} END`,
    }))
    .where('login', '=', login)
    .returning(['locked_until'])
    .executeTakeFirst();
  const until = r?.locked_until ? new Date(r.locked_until) : null;
  return until && until > now ? until : null;
}

export async function recordSuccess(db: Db, login: string, now: Date): Promise<void> {
  await db.kysely.updateTable('user_accounts').set({ failed_attempts: 0, locked_until: null, last_sign_in_at: now }).where('login', '=', login).execute();
}

export async function unlockAccount(db: Db, login: string): Promise<boolean> {
  const r = await db.kysely.updateTable('user_accounts').set({ failed_attempts: 0, locked_until: null }).where('login', '=', login).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertSession(db: Db, s: { tokenHash: string; login: string; csrfToken: string; now: Date; expiresAt: Date }): Promise<void> {
  await db.kysely
    .insertInto('sessions')
    .values({ token_hash: s.tokenHash, login: s.login, csrf_token: s.csrfToken, created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt })
    .execute();
}

export interface SessionRow extends AccountRow {
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
  branch_name: string | null;
}

export async function findSession(db: Db, tokenHash: string): Promise<SessionRow | undefined> {
  const r = await db.session((s) =>
    s.query<SessionRow>(
      `SELECT u.login, u.staff_id, u.is_admin, u.display_name, u.password_hash, u.failed_attempts, u.locked_until,
              st.name AS staff_name, st.role AS staff_role, st.active AS staff_active, st.branch_id,
              b.name AS branch_name, s.csrf_token, s.last_seen_at, s.expires_at
         FROM sessions s
         JOIN user_accounts u ON u.login = s.login
         LEFT JOIN staff st ON st.staff_id = u.staff_id
         LEFT JOIN branches b ON b.branch_id = st.branch_id
        WHERE s.token_hash = $1`,
      [tokenHash],
    ),
  );
  return r.rows[0];
}

export async function touchSession(db: Db, tokenHash: string, now: Date): Promise<void> {
  await db.kysely.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOf(db: Db, login: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('login', '=', login).execute();
}

/** Sessions idle or expired for a day are of no use to anyone. */
export async function deleteStaleSessions(db: Db, before: Date): Promise<void> {
  await db.kysely.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<', before), eb('last_seen_at', '<', before)])).execute();
}

/** A branch and everything under it (branches is a small reference table). */
export async function branchSubtree(db: Db, branchId: string): Promise<string[]> {
  const r = await db.session((s) =>
    s.query<{ branch_id: string }>(
      `WITH RECURSIVE tree AS (
         SELECT branch_id FROM branches WHERE branch_id = $1
         UNION
         SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
       SELECT branch_id FROM tree`,
      [branchId],
    ),
  );
  return r.rows.map((x) => x.branch_id);
}

export async function bankName(db: Db): Promise<string | null> {
  const r = await db.kysely.selectFrom('branches').select('name').where('parent_id', 'is', null).orderBy('branch_id').limit(1).executeTakeFirst();
  return r?.name ?? null;
}
