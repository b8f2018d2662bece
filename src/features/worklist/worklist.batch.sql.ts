import type { SqlSession } from '../../platform/db.js';
import { ID_SQL_TYPE } from '../../platform/schema.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';

// The reminders of one business date D, set-based (no loop over customers): the day's events
// become one reminder per occurrence for every active owner, contact duties become work tasks
// for the primary owner, and reminders whose moment has passed expire. Runs inside the worklist
// step's transaction; the temporary tables are dropped at its commit.

export interface ReminderInput {
  businessDate: string;
  /** the previous business date events were detected for (null on the first) */
  previousEventsDate: string | null;
  /** the working day the plans are for: contact duties are measured on it */
  workDate: string;
  bandModel: string;
  /** bands with a contact duty and their frequency in days (contact.frequency_days) */
  frequency: { bands: string[]; days: number[] };
  /** undated information/opportunity reminders expire this many days after their due date */
  expireAfterDays: number;
  policyVersion: number;
}

// Occurrence of each event (why it is unique per occurrence, from how events.sql.ts builds subjects):
//  - birthday_soon, anniversary_soon: the subject is the day itself — each year's day is one occurrence;
//  - festival_soon: the subject is festival:day — one per festival and year;
//  - large_inflow / large_outflow: the subject is the txn_id — one per transaction;
//  - card_cancelled: the card_id — a card is cancelled once;
//  - maturing / matured_not_reinvested: account_id:matures_on — a renewed deposit matures again;
//  - tier_changed: model:D — each change is its own occurrence;
//  - EPISODES (states that hold day after day): key:start, the first business date of an unbroken
//    run of daily detections, so a state that lasts weeks is one reminder, closed stays closed while
//    it lasts, and a new run after a day without it is a new occurrence. Key: the card grade for the
//    card events; 'aum' for aum_rise/aum_fall, whose subject (the base date) moves every day.
export const EPISODE_EVENTS = ['vip_card_due', 'card_below_standard', 'aum_rise', 'aum_fall'] as const;
const AUM_EPISODES = ['aum_rise', 'aum_fall'];
// information/opportunity reminders with a day of their own expire once it has passed
const DATED: Record<string, string> = { birthday_soon: 'date', anniversary_soon: 'date', festival_soon: 'date', maturing: 'matures_on' };
// states and windows: expire as soon as they are no longer detected (no longer qualifies, reinvested, window over)
const WHILE_DETECTED = ['vip_card_due', 'aum_rise', 'matured_not_reinvested'];
export const CONTACT_DUE = 'contact_due';
const TZ = 'Asia/Shanghai';

/**
 * wl_contact: every active customer with an active primary owner, its band and contact duty, the
 * latest work-log entry by any of its owners, and whether (and since when) a contact is due on the
 * work date: the last contact (or, without one, the owner's start) older than the frequency, or the
 * latest entry's next contact date on or before the work date.
 */
export async function prepareContacts(s: SqlSession, x: ReminderInput): Promise<void> {
  // partitions by name (see monthPartition)
  const tiers = await ensureTierPartition(s, x.bandModel);
  const snapshots = await ensureMonthPartition(s, 'balance_snapshots', x.businessDate);
  await createWorkTable(s, 'wl_contact', {
    as: `WITH owned AS (
       SELECT o.customer_id, o.staff_id, st.branch_id, (o.since AT TIME ZONE '${TZ}')::date AS since_on, t.tier AS band, fr.days AS frequency,
              coalesce(f.aum, 0) AS aum, (c.do_not_disturb OR NOT c.marketing_consent) AS service_only
         FROM customer_owners o
         JOIN staff st ON st.staff_id = o.staff_id AND st.active
         JOIN customers c ON c.customer_id = o.customer_id AND c.status = 'active'
         -- the date's AUM from its snapshot: the same figure as the facts', from rows a third as wide
         LEFT JOIN ${snapshots} f ON f.customer_id = o.customer_id AND f.business_date = $1::date
         LEFT JOIN ${tiers} t ON t.customer_id = o.customer_id AND t.model = $3
         LEFT JOIN unnest($4::text[], $5::int[]) AS fr(band, days) ON fr.band = t.tier
        WHERE o.kind = 'primary'
     ), latest AS (
       SELECT DISTINCT ON (l.customer_id) l.customer_id, l.contact_id, (l.contacted_at AT TIME ZONE '${TZ}')::date AS on_day, l.next_contact_on
         FROM contact_log l JOIN customer_owners lo ON lo.customer_id = l.customer_id AND lo.staff_id = l.staff_id
        ORDER BY l.customer_id, l.contacted_at DESC, l.contact_id DESC
     ), due AS (
       SELECT w.*, lt.contact_id AS last_contact_id, lt.on_day AS last_contact_on, lt.next_contact_on,
              CASE WHEN w.frequency IS NOT NULL AND $2::date - greatest(lt.on_day, w.since_on) > w.frequency
                   THEN greatest(lt.on_day, w.since_on) + w.frequency + 1 END AS lapsed_on,
              CASE WHEN lt.next_contact_on <= $2::date THEN lt.next_contact_on END AS next_on
         FROM owned w LEFT JOIN latest lt ON lt.customer_id = w.customer_id
     )
     SELECT customer_id, staff_id, branch_id, band, frequency, aum, service_only, since_on, last_contact_id, last_contact_on, next_contact_on,
            -- a date the owner set comes first: it is what was agreed with the customer
            CASE WHEN next_on IS NOT NULL THEN 'next_contact' WHEN lapsed_on IS NOT NULL THEN 'due_contact' END AS reason,
            least(next_on, lapsed_on) AS due_from
       FROM due`,
    params: [x.businessDate, x.workDate, x.bandModel, x.frequency.bands, x.frequency.days],
  });
  await s.exec('ALTER TABLE wl_contact ADD PRIMARY KEY (customer_id)');
  await s.exec('ANALYZE wl_contact');
}

const contactFacts = `jsonb_build_object('band', c.band, 'frequency_days', c.frequency, 'last_contact_on', c.last_contact_on,
  'days_since_contact', $2::date - c.last_contact_on, 'owner_since', c.since_on, 'next_contact_on', c.next_contact_on, 'as_of', $2::date)`;
export const CONTACT_FACTS = contactFacts;

/** wl_new: the reminders D calls for, one per (customer, owner, event, occurrence). */
async function newReminders(s: SqlSession, x: ReminderInput): Promise<void> {
  await createWorkTable(s, 'wl_new', {
    columns: `customer_id ${ID_SQL_TYPE} NOT NULL, staff_id text NOT NULL, event text NOT NULL, occurrence text NOT NULL, kind text NOT NULL,
    facts jsonb NOT NULL, due_on date NOT NULL, PRIMARY KEY (customer_id, staff_id, event, occurrence)`,
  });
  // an episode continues when the event was detected on the previous date too: it keeps the
  // occurrence of this owner's latest reminder of the key (open or closed); otherwise it starts on D
  // (joins on customer_id only, so that on Citus it runs shard by shard)
  await s.query(
    `WITH ev AS (
       SELECT e.*, CASE WHEN e.event = ANY($4::text[]) THEN 'aum' ELSE e.subject END AS key
         FROM customer_events e WHERE e.business_date = $1::date
     ), latest AS (
       -- each owner's latest reminder of an episode's key, for the customers with that event on D
       SELECT DISTINCT ON (r.customer_id, r.staff_id, r.event, k.key) r.customer_id, r.staff_id, r.event, k.key, r.occurrence
         FROM reminders r
         CROSS JOIN LATERAL (SELECT regexp_replace(r.occurrence, ':[^:]*$', '') AS key) k
        WHERE r.event = ANY($3::text[])
          AND EXISTS (SELECT 1 FROM customer_events d WHERE d.customer_id = r.customer_id AND d.business_date = $1::date AND d.event = r.event)
        ORDER BY r.customer_id, r.staff_id, r.event, k.key, r.first_date DESC
     ), before AS (
       -- the episodes detected on the previous date too (any subject of an AUM episode)
       SELECT DISTINCT p.customer_id, p.event, CASE WHEN p.event = ANY($4::text[]) THEN '' ELSE p.subject END AS subject
         FROM customer_events p WHERE p.business_date = $2::date AND p.event = ANY($3::text[])
     )
     INSERT INTO wl_new (customer_id, staff_id, event, occurrence, kind, facts, due_on)
     SELECT e.customer_id, o.staff_id, e.event,
            CASE WHEN e.event = 'tier_changed' THEN e.subject || ':' || $1::text
                 WHEN e.event IN ('maturing', 'matured_not_reinvested') THEN e.subject || ':' || coalesce(e.facts->>'matures_on', '')
                 WHEN e.event = ANY($3::text[]) THEN coalesce(CASE WHEN b.customer_id IS NOT NULL THEN l.occurrence END, e.key || ':' || $1::text)
                 ELSE e.subject END,
            e.kind, e.facts, e.due_on
       FROM ev e
       JOIN customer_owners o ON o.customer_id = e.customer_id
       JOIN staff st ON st.staff_id = o.staff_id AND st.active
       LEFT JOIN latest l ON l.customer_id = e.customer_id AND l.staff_id = o.staff_id AND l.event = e.event AND l.key = e.key
       LEFT JOIN before b ON b.customer_id = e.customer_id AND b.event = e.event
                         AND b.subject = CASE WHEN e.event = ANY($4::text[]) THEN '' ELSE e.subject END`,
    [x.businessDate, x.previousEventsDate, [...EPISODE_EVENTS], AUM_EPISODES],
  );
  // contact duty: one work task for the primary owner per date it became due
  await s.query(
    `INSERT INTO wl_new (customer_id, staff_id, event, occurrence, kind, facts, due_on)
     SELECT c.customer_id, c.staff_id, $1::text, c.due_from::text, 'work_task', ${contactFacts} || jsonb_build_object('reason', c.reason, 'due_from', c.due_from), $2::date
       FROM wl_contact c WHERE c.reason IS NOT NULL`,
    [CONTACT_DUE, x.workDate],
  );
}

// not called for on D (a rerun of D sees the same: last_date may already be D)
const NOT_NEW = 'NOT EXISTS (SELECT 1 FROM wl_new n WHERE (n.customer_id, n.staff_id, n.event, n.occurrence) = (r2.customer_id, r2.staff_id, r2.event, r2.occurrence))';

export interface ReminderCounts {
  reminders: number;
  expired: number;
  contacted: number;
}

/**
 * Reminders that staff's actions make during the day, not the nightly detection: a rerun of the
 * worklist for the date keeps them (it has nothing to make them again from). A new kind of
 * reminder made by a person's action belongs here.
 */
export const MADE_BY_PEOPLE = [
  'complaint_open', // recording a complaint
  'complaint_escalated', // a complaint past its limit
  'gathering_invite', // a relationship event's call list
  'gathering_follow_up', // an attendee of a relationship event
  'counter_handover', // the lobby manager hands a walk-in customer to a manager
] as const;

/** Makes, refreshes and expires the reminders of D. */
export async function mergeReminders(s: SqlSession, x: ReminderInput): Promise<ReminderCounts> {
  await newReminders(s, x);
  // a rerun of D after a correction: what D's earlier run opened and D no longer calls for goes
  // (not a reminder about no customer: people make those, the monthly review's coaching follow-ups;
  // nor one that people's actions made: MADE_BY_PEOPLE)
  await s.query(
    `DELETE FROM reminders r WHERE r.first_date = $1::date AND r.status = 'open' AND r.customer_id <> '' AND r.event <> ALL($2::text[])
        AND NOT EXISTS (SELECT 1 FROM wl_new n WHERE (n.customer_id, n.staff_id, n.event, n.occurrence) = (r.customer_id, r.staff_id, r.event, r.occurrence))`,
    [x.businessDate, [...MADE_BY_PEOPLE]],
  );
  // new occurrences open; open ones are refreshed (identical rows are not rewritten); closed ones stay closed
  await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT customer_id, staff_id, event, occurrence, kind, facts, $1::date, $1::date, due_on, $2 FROM wl_new ORDER BY customer_id, staff_id, event, occurrence
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO UPDATE
       SET kind = EXCLUDED.kind, facts = EXCLUDED.facts, last_date = greatest(reminders.last_date, EXCLUDED.last_date), due_on = EXCLUDED.due_on, policy_version = EXCLUDED.policy_version
     WHERE reminders.status = 'open'
       AND (reminders.kind, reminders.facts, reminders.last_date, reminders.due_on, reminders.policy_version)
           IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.facts, greatest(reminders.last_date, EXCLUDED.last_date), EXCLUDED.due_on, EXCLUDED.policy_version)`,
    [x.businessDate, x.policyVersion],
  );
  // a contact by any owner on or after the day the task was first made carries it out, unless
  // the customer is still due for that occurrence (a contact by someone who is not an owner)
  const contacted = await s.query(
    `UPDATE reminders r SET status = 'done', closed_at = now(), closed_reason = 'contact recorded', contact_id = l.contact_id
       FROM (SELECT DISTINCT ON (r2.customer_id, r2.staff_id, r2.occurrence) r2.customer_id, r2.staff_id, r2.occurrence, l.contact_id
               FROM reminders r2
               JOIN contact_log l ON l.customer_id = r2.customer_id AND (l.contacted_at AT TIME ZONE '${TZ}')::date >= r2.first_date
               JOIN customer_owners lo ON lo.customer_id = l.customer_id AND lo.staff_id = l.staff_id
              WHERE r2.event = $1 AND r2.status = 'open' AND ${NOT_NEW}
              ORDER BY r2.customer_id, r2.staff_id, r2.occurrence, l.contacted_at DESC) l
      WHERE r.event = $1 AND r.status = 'open' AND (r.customer_id, r.staff_id, r.occurrence) = (l.customer_id, l.staff_id, l.occurrence)`,
    [CONTACT_DUE],
  );
  const dated = Object.entries(DATED);
  const expired = await s.query(
    `UPDATE reminders r SET status = 'expired', closed_at = now(), closed_reason = x.why
       FROM (SELECT r2.customer_id, r2.staff_id, r2.event, r2.occurrence,
                    CASE WHEN r2.event = $2 THEN 'no longer due'
                         WHEN d.field IS NOT NULL THEN 'the day has passed'
                         WHEN r2.event = ANY($5::text[]) THEN 'no longer detected'
                         ELSE 'not acted on in time' END AS why
               FROM reminders r2
               LEFT JOIN unnest($3::text[], $4::text[]) AS d(event, field) ON d.event = r2.event
              WHERE r2.status = 'open' AND ${NOT_NEW}
                AND CASE WHEN r2.event = $2 THEN true
                         WHEN r2.kind NOT IN ('information', 'opportunity') THEN false
                         WHEN d.field IS NOT NULL THEN (r2.facts->>d.field)::date < $1::date
                         WHEN r2.event = ANY($5::text[]) THEN true
                         ELSE r2.due_on < $1::date - $6::int END) x
      WHERE (r.customer_id, r.staff_id, r.event, r.occurrence) = (x.customer_id, x.staff_id, x.event, x.occurrence)`,
    [x.businessDate, CONTACT_DUE, dated.map((d) => d[0]), dated.map((d) => d[1]), WHILE_DETECTED, x.expireAfterDays],
  );
  const made = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM wl_new');
  return { reminders: made.rows[0]?.n ?? 0, expired: expired.rowCount, contacted: contacted.rowCount };
}
