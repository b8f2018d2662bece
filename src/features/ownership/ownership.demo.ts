import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import type { SignedInUser } from '../access/access.service.js';
import { ROLE_PERMISSIONS, type Role } from '../access/access.permissions.js';
import { lastEvaluatedDate } from '../tiering/tiering.sql.js';
import { proposeOwners } from './ownership.batch.js';
import { claimCustomer } from './ownership.claims.js';
import { createReferral } from './ownership.referrals.js';
import { acceptProposalsAsSystem } from './ownership.service.js';

// The demo bank's first night of ownership: the system accepts the proposals of every outlet
// (so that every demo login sees customers), except the least valuable few of the demo logins'
// outlet, left open for its branch head; a manager's familiar-customer claim and three
// referrals wait too. Only on a bank nobody owns anything in yet (a rerun changes nothing).

const LEFT_OPEN = 12;

const actorFor = (l: DemoLogin, branchId: string): { user: SignedInUser; ip: null } => ({
  user: {
    login: l.login,
    name: l.name,
    role: l.role as Role,
    staffId: l.login,
    branchId,
    branchName: null,
    permissions: ROLE_PERMISSIONS[l.role as Role],
    scope: [branchId],
    ownerId: l.login,
    masked: false,
    csrfToken: '',
    tokenHash: '',
  },
  ip: null,
});

export async function seedDemoOwnership(db: Db, logins: readonly DemoLogin[]): Promise<{ accepted: number; leftOpen: number } | null> {
  const owned = await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_owners'));
  if ((owned.rows[0]?.n ?? 0) > 0) return null;
  // a bank tiered before the ownership step existed has no proposals yet: make them for its last date
  const proposals = await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM ownership_proposals'));
  const tiered = await db.session((s) => lastEvaluatedDate(s));
  if (!proposals.rows[0]?.n && tiered) await proposeOwners(db, tiered);
  const head = logins.find((l) => l.role === 'branch_head');
  const outlet = head ? (await db.session((s) => s.query<{ branch_id: string }>('SELECT branch_id FROM staff WHERE staff_id = $1', [head.login]))).rows[0]?.branch_id : undefined;
  const last = outlet
    ? ((await db.session((s) => s.query<{ n: number }>(`SELECT coalesce(max(priority), 0)::int AS n FROM ownership_proposals WHERE status = 'open' AND branch_id = $1`, [outlet]))).rows[0]?.n ?? 0)
    : 0;
  const accepted = await acceptProposalsAsSystem(db, (p) => p.branch_id === outlet && p.priority > last - LEFT_OPEN);
  if (!outlet) return { accepted, leftOpen: 0 };
  const by = (role: string) => logins.find((l) => l.role === role);
  const manager = by('customer_manager');
  // customers of the outlet the demo manager does not own, richest first: one claimed, three referred
  const others = (
    await db.session((s) =>
      s.query<{ customer_id: string }>(
        `SELECT c.customer_id FROM customers c JOIN customer_overview ov ON ov.customer_id = c.customer_id
          WHERE c.branch_id = $1 AND c.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.staff_id = $2)
          ORDER BY ov.aum DESC, c.customer_id LIMIT 4`,
        [outlet, manager?.login ?? ''],
      ),
    )
  ).rows.map((r) => r.customer_id);
  const [claimed, ...referred] = others;
  if (manager && claimed) {
    await claimCustomer(db, actorFor(manager, outlet), claimed, { managerFacts: ['knows_occupation', 'monthly_contact'], booksAppointments: true, note: '老客户，每月电话联系' });
  }
  const referrers: [string, string | null, string, 'wealth' | 'vip_card' | 'insurance'][] = [
    ['vip_teller', manager?.login ?? null, '客户询问大额存单和理财', 'wealth'],
    ['counter_teller', null, '资产已达贵宾标准，尚未办卡', 'vip_card'],
    ['lobby_assistant', manager?.login ?? null, '咨询子女教育保险', 'insurance'],
  ];
  for (const [i, [role, to, reason, need]] of referrers.entries()) {
    const who = by(role);
    const customer = referred[i];
    if (who && customer) await createReferral(db, actorFor(who, outlet), customer, { toStaffId: to, reason, need });
  }
  return { accepted, leftOpen: LEFT_OPEN };
}
