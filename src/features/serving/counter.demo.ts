import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import { actorOf } from '../opportunities/opportunities.demo.js';
import { handOverToManager } from './counter.service.js';

// The demo bank's counter hand-over (现场分配): the demo lobby manager hands a walk-in customer of
// the outlet, one of the demo customer manager's own, to the demo customer manager (available today), through the service: the hand-over is recorded and audited under the lobby manager, and
// the manager finds the work task on My day. Seeded once: when the demo lobby manager handed a
// customer over already, nothing is added.

export interface DemoHandoverSeeded {
  customerId: string;
  from: { staffId: string; name: string };
  to: { staffId: string; name: string };
}

export async function seedDemoHandover(db: Db, logins: readonly DemoLogin[]): Promise<DemoHandoverSeeded | null> {
  const lobby = logins.find((l) => l.role === 'lobby_manager');
  const manager = logins.find((l) => l.role === 'customer_manager');
  if (!lobby || !manager) return null;
  const done = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM counter_handovers WHERE from_staff = $1`, [lobby.login]));
  if ((done.rows[0]?.n ?? 0) > 0) return null;
  const a = await actorOf(db, lobby.login);
  if (!a?.user.branchId) return null;
  // a customer of the outlet the demo manager owns, of a middle band (a walk-in asking about wealth products), with no complaint
  const r = await db.session((s) =>
    s.query<{ customer_id: string }>(
      `SELECT c.customer_id FROM customers c
         JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = 'aum_band'
        WHERE c.branch_id = $1 AND c.status = 'active'
          AND EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.staff_id = $2 AND o.kind = 'primary')
          AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.customer_id = c.customer_id)
        ORDER BY (t.tier = 'band_3') DESC, t.tier DESC, c.customer_id LIMIT 1`,
      [a.user.branchId, manager.login],
    ),
  );
  const customerId = r.rows[0]?.customer_id;
  if (!customerId) return null;
  const h = await handOverToManager(db, a, { customerId, staffId: manager.login, note: '客户到店咨询定期存款到期后的理财配置' });
  return { customerId, from: { staffId: lobby.login, name: lobby.name }, to: h.to };
}
