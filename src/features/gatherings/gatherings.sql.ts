import type { SqlSession } from '../../platform/db.js';
import { rowScopeSql, scopeSql, type CustomerScope } from '../access/access.scope.js';
import { FOLLOW_UP_EVENT, INVITE_EVENT } from './gatherings.policy.js';

// The SQL of relationship events. The events are a reference table; their invitees are per
// customer (distributed by customer_id on Citus): every statement over invitees joins them with
// customers, owners and snapshots on customer_id, so it runs on the workers.

export interface GatheringRow {
  gathering_id: string;
  kind: 'salon' | 'report_meeting' | 'vip_gathering';
  title: string;
  starts_at: Date | string;
  event_date: string;
  place: string;
  branch_id: string | null;
  branch_name: string | null;
  capacity: number;
  group_id: string;
  group_name: string | null;
  taken_on: string;
  skipped: { below_vip_aum?: number; over_capacity?: number };
  status: 'planned' | 'closed';
  invited_by: 'sms' | 'call_list' | null;
  campaign_id: string | null;
  created_by: string;
  creator_name: string | null;
}

const SELECT = `
SELECT g.gathering_id, g.kind, g.title, g.starts_at, to_char(g.event_date, 'YYYY-MM-DD') AS event_date, g.place, g.branch_id, b.name AS branch_name,
       g.capacity, g.group_id, grp.name AS group_name, to_char(g.taken_on, 'YYYY-MM-DD') AS taken_on, g.skipped, g.status, g.invited_by, g.campaign_id,
       g.created_by, st.name AS creator_name
  FROM gatherings g
  LEFT JOIN branches b ON b.branch_id = g.branch_id
  LEFT JOIN customer_groups grp ON grp.group_id = g.group_id
  LEFT JOIN staff st ON st.staff_id = g.created_by`;

/**
 * The events a user sees: the department every one; a branch head those of the branches of their
 * scope and the bank-wide ones; anyone else (an owner) those inviting a customer they own, and
 * those they made.
 */
export async function gatheringsVisible(s: SqlSession, v: { staffId: string; scope: readonly string[] | null; ownerId: string | null }, f: { gatheringId?: string; status?: string }): Promise<GatheringRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (v.ownerId !== null) {
    // the events with an invitee the owner owns (invitees and owners are co-located: one statement on the workers)
    const mine = await s.query<{ gathering_id: string }>(
      `SELECT DISTINCT i.gathering_id FROM gathering_invitees i JOIN customer_owners o ON o.customer_id = i.customer_id WHERE o.staff_id = $1`,
      [v.ownerId],
    );
    params.push(mine.rows.map((r) => r.gathering_id), v.staffId);
    where.push(`(g.gathering_id = ANY($1::text[]) OR g.created_by = $2)`);
  } else if (v.scope !== null) {
    params.push([...v.scope]);
    where.push(`(g.branch_id IS NULL OR g.branch_id = ANY($${params.length}::text[]))`);
  }
  if (f.gatheringId !== undefined) {
    params.push(f.gatheringId);
    where.push(`g.gathering_id = $${params.length}`);
  }
  if (f.status !== undefined) {
    params.push(f.status);
    where.push(`g.status = $${params.length}`);
  }
  const r = await s.query<GatheringRow>(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY g.starts_at DESC, g.gathering_id`, params);
  return r.rows;
}

export interface CountRow {
  gathering_id: string;
  state: string;
  n: number;
}

/** Invitees by event and state, those within the scope only. */
export async function stateCounts(s: SqlSession, ids: readonly string[], scope: CustomerScope): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (ids.length === 0) return out;
  const params: unknown[] = [[...ids]];
  const r = await s.query<CountRow>(
    `SELECT i.gathering_id, i.state, count(*)::int AS n FROM gathering_invitees i WHERE i.gathering_id = ANY($1::text[]) AND ${rowScopeSql(scope, 'i.customer_id', params)} GROUP BY i.gathering_id, i.state`,
    params,
  );
  for (const x of r.rows) out.set(x.gathering_id, { ...(out.get(x.gathering_id) ?? {}), [x.state]: x.n });
  return out;
}

export interface InviteeRow {
  customer_id: string;
  name: string;
  phone: string | null;
  aum: string;
  owner_id: string | null;
  owner_name: string | null;
  state: 'invited' | 'accepted' | 'declined' | 'attended' | 'no_show';
  attended_at: Date | string | null;
}

const INVITEE_SELECT = `
SELECT i.customer_id, c.name, c.phone, i.aum::text AS aum, o.staff_id AS owner_id, st.name AS owner_name, i.state, i.attended_at
  FROM gathering_invitees i
  JOIN customers c ON c.customer_id = i.customer_id
  LEFT JOIN customer_owners o ON o.customer_id = i.customer_id AND o.kind = 'primary'
  LEFT JOIN staff st ON st.staff_id = o.staff_id`;

/** The event's invitees within the scope, highest AUM first; `customerId` one of them; `search` a name or the phone's last 4 digits. */
export async function inviteesOf(s: SqlSession, gatheringId: string, scope: CustomerScope, f: { customerId?: string; search?: string; limit?: number } = {}): Promise<InviteeRow[]> {
  const params: unknown[] = [gatheringId];
  const where = [`i.gathering_id = $1`, rowScopeSql(scope, 'i.customer_id', params)];
  if (f.customerId !== undefined) {
    params.push(f.customerId);
    where.push(`i.customer_id = $${params.length}`);
  }
  const q = f.search?.trim();
  if (q) {
    params.push(q);
    where.push(
      /^\d{4}$/.test(q)
        ? `EXISTS (SELECT 1 FROM customer_overview ov WHERE ov.customer_id = i.customer_id AND ov.phone_tail = $${params.length})`
        : `strpos(c.name, $${params.length}) > 0`,
    );
  }
  const order = q ? 'c.name COLLATE "C", i.customer_id' : 'i.aum DESC, i.customer_id';
  const limit = f.limit ? ` LIMIT ${Math.floor(f.limit)}` : '';
  return (await s.query<InviteeRow>(`${INVITEE_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order}${limit}`, params)).rows;
}

/** The group's members on the date within the scope: how many, how many at or above the AUM floor, and the first `capacity` of those by AUM. */
export async function chooseInvitees(s: SqlSession, x: { groupId: string; takenOn: string; minAum: number | null; capacity: number }, scope: CustomerScope) {
  const params: unknown[] = [x.groupId, x.takenOn, x.minAum];
  const from = `FROM group_members gm JOIN customer_overview o ON o.customer_id = gm.customer_id WHERE gm.group_id = $1 AND gm.taken_on = $2::date AND ${scopeSql(scope, 'o', params)}`;
  const n = (await s.query<{ total: number; eligible: number }>(`SELECT count(*)::int AS total, (count(*) FILTER (WHERE $3::numeric IS NULL OR o.aum >= $3::numeric))::int AS eligible ${from}`, params)).rows[0] ?? { total: 0, eligible: 0 };
  const chosen = (await s.query<{ customer_id: string; aum: string }>(`SELECT o.customer_id, o.aum::text AS aum ${from} AND ($3::numeric IS NULL OR o.aum >= $3::numeric) ORDER BY o.aum DESC, o.customer_id LIMIT ${Math.floor(x.capacity)}`, params)).rows;
  return { total: n.total, eligible: n.eligible, chosen };
}

/** A task on each invitee's primary owner's My day to invite them by phone (once per event and customer). The number made. */
export async function inviteTasks(s: SqlSession, g: GatheringRow, day: string, due: string): Promise<number> {
  const r = await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT i.customer_id, o.staff_id, $2, i.gathering_id, 'work_task',
            jsonb_build_object('gathering_id', $1::text, 'title', $3::text, 'kind', $4::text, 'starts_at', $5::text, 'place', $6::text), $7::date, $7::date, $8::date, 0
       FROM gathering_invitees i JOIN customer_owners o ON o.customer_id = i.customer_id AND o.kind = 'primary'
      WHERE i.gathering_id = $1 AND i.state = 'invited'
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO NOTHING
     RETURNING 1`,
    [g.gathering_id, INVITE_EVENT, g.title, g.kind, new Date(g.starts_at).toISOString(), g.place, day, due],
  );
  return r.rows.length;
}

/**
 * Closes planned events (those given, or every one held before `before`): invitees invited or
 * accepted and not come become no_show. The events closed.
 */
export async function closeEvents(s: SqlSession, by: string, f: { gatheringId?: string; before?: string }): Promise<string[]> {
  const closed = await s.query<{ gathering_id: string }>(
    `UPDATE gatherings SET status = 'closed', closed_by = $1, closed_at = now()
      WHERE status = 'planned' AND ($2::text IS NULL OR gathering_id = $2) AND ($3::date IS NULL OR event_date < $3::date)
      RETURNING gathering_id`,
    [by, f.gatheringId ?? null, f.before ?? null],
  );
  const ids = closed.rows.map((r) => r.gathering_id);
  if (ids.length > 0) {
    await s.query(`UPDATE gathering_invitees SET state = 'no_show', changed_by = $2, changed_at = now() WHERE gathering_id = ANY($1::text[]) AND state IN ('invited', 'accepted')`, [ids, by]);
  }
  return ids;
}

/**
 * A follow-up for each attendee's primary owner, due the working day after the event (given per
 * event: `due`), of closed events; once per event and customer (a rerun adds nothing). The number made.
 */
export async function followUps(s: SqlSession, events: readonly { id: string; due: string }[], day: string): Promise<number> {
  if (events.length === 0) return 0;
  const r = await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT i.customer_id, o.staff_id, $3, i.gathering_id, 'work_task',
            jsonb_build_object('gathering_id', g.gathering_id, 'title', g.title, 'kind', g.kind, 'event_date', to_char(g.event_date, 'YYYY-MM-DD')), $4::date, $4::date, e.due, 0
       FROM unnest($1::text[], $2::date[]) AS e(id, due)
       JOIN gatherings g ON g.gathering_id = e.id AND g.status = 'closed'
       JOIN gathering_invitees i ON i.gathering_id = g.gathering_id AND i.state = 'attended'
       JOIN customer_owners o ON o.customer_id = i.customer_id AND o.kind = 'primary'
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO NOTHING
     RETURNING 1`,
    [events.map((e) => e.id), events.map((e) => e.due), FOLLOW_UP_EVENT, day],
  );
  return r.rows.length;
}
