import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import { actorOf } from '../opportunities/opportunities.demo.js';
import { createGroup } from '../outreach/groups.service.js';
import { latestLoadedDate } from '../system/system.service.js';
import { answerInvitee, createGathering, inviteGathering } from './gatherings.service.js';

// The demo bank's relationship event (客户活动): the demo branch head holds a wealth salon a week
// after the business date for the customers of 50万 and more of their branch (a saved group), asks
// the owners to call them (a task on each owner's My day and the call list), and three have said
// yes, one no. Everything through the services, so the audit trail says the head did it. Seeded
// once: when the head holds an event already, nothing is added.

export const DEMO_SALON_TITLE = '理财沙龙：明年的资产配置';

export interface DemoGatheringSeeded {
  gatheringId: string;
  title: string;
  startsAt: string;
  invited: number;
  accepted: number;
  declined: number;
  head: { staffId: string; name: string };
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export async function seedDemoGathering(db: Db, logins: readonly DemoLogin[]): Promise<DemoGatheringSeeded | null> {
  const headLogin = logins.find((l) => l.role === 'branch_head');
  if (!headLogin) return null;
  const held = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM gatherings WHERE created_by = $1`, [headLogin.login]));
  if ((held.rows[0]?.n ?? 0) > 0) return null;
  const head = await actorOf(db, headLogin.login);
  const today = await latestLoadedDate(db);
  if (!head?.user.branchId || !today) return null;
  const group = await createGroup(db, head, { name: '沙龙邀请：50万以上客户', filter: { aumMin: 500_000 } });
  const startsAt = `${addDays(today, 7)}T14:30`;
  const g = await createGathering(db, head, { kind: 'salon', title: DEMO_SALON_TITLE, startsAt, place: `${head.user.branchName}二楼贵宾室`, groupId: group.groupId });
  if (g.invitees.length === 0) return { gatheringId: g.gatheringId, title: g.title, startsAt, invited: 0, accepted: 0, declined: 0, head: { staffId: headLogin.login, name: headLogin.name } };
  await inviteGathering(db, head, g.gatheringId, { channel: 'call_list' });
  const yes = g.invitees.slice(0, 3);
  const no = g.invitees.slice(3, 4);
  for (const i of yes) await answerInvitee(db, head, g.gatheringId, i.customerId, 'accepted');
  for (const i of no) await answerInvitee(db, head, g.gatheringId, i.customerId, 'declined');
  return { gatheringId: g.gatheringId, title: g.title, startsAt, invited: g.invitees.length, accepted: yes.length, declined: no.length, head: { staffId: headLogin.login, name: headLogin.name } };
}
