import type { Db } from '../../platform/db.js';
import type { StaffRole } from '../../platform/schema.js';
import { hashPassword } from './access.password.js';
import { upsertAccount } from './access.sql.js';

/** The password of the demo logins (printed by `stratum demo`; a demo bank has no secrets). */
export const DEMO_PASSWORD = 'Demo2026';

export interface DemoLogin {
  role: StaffRole;
  login: string;
  name: string;
  branch: string;
}

/**
 * One login per role for the demo bank's first outlet (the department's from the top of the
 * bank), with the demo password: set only where no password exists yet, so a changed one stays.
 */
export async function ensureDemoLogins(db: Db): Promise<DemoLogin[]> {
  const r = await db.session((s) =>
    s.query<DemoLogin & { has_password: boolean }>(
      `WITH first_outlet AS (
         SELECT b.branch_id FROM branches b
          WHERE b.level = 'outlet' AND b.active AND EXISTS (SELECT 1 FROM staff s WHERE s.branch_id = b.branch_id AND s.active)
          ORDER BY b.branch_id LIMIT 1)
       SELECT DISTINCT ON (st.role) st.role, st.staff_id AS login, st.name, b.name AS branch,
              (u.password_hash IS NOT NULL) AS has_password
         FROM staff st
         JOIN branches b ON b.branch_id = st.branch_id
         LEFT JOIN user_accounts u ON u.staff_id = st.staff_id
        WHERE st.active
        ORDER BY st.role, (st.branch_id = (SELECT branch_id FROM first_outlet)) DESC, st.staff_id`,
    ),
  );
  const missing = r.rows.filter((row) => !row.has_password);
  const hash = missing.length ? await hashPassword(DEMO_PASSWORD) : '';
  for (const row of missing) await upsertAccount(db, { login: row.login, staffId: row.login, isAdmin: false, displayName: null, passwordHash: hash });
  const order: StaffRole[] = ['branch_head', 'cm_supervisor', 'customer_manager', 'lobby_manager', 'vip_teller', 'counter_teller', 'lobby_assistant', 'pb_dept'];
  return r.rows.map(({ role, login, name, branch }) => ({ role, login, name, branch })).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
}
