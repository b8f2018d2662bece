import type { SqlSession } from '../../platform/db.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { ID_SQL_TYPE } from '../../platform/schema.js';
import { ensureMonthPartition, monthPartition } from '../../platform/partitions.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import { bandThresholds, CARD_GRADES, type EventsPolicy } from './events.policy.js';
import type { Festival } from './events.policy.js';

// The events of one business date, set-based: each event type is one INSERT … SELECT over all
// customers into a temporary table, which then replaces the date's rows of customer_events (a
// rerun leaves identical rows untouched). Nothing here loops over customers.
//
// Not detected, because the feed (../shared/FEEDS.md) does not carry what they need: a fund
// dividend (transactions have no type, and a dividend is not told apart from any other inflow),
// a fund auto-invest plan paused (no plans are delivered), and a fund loss net of flows (the
// contract delivers a fund only as its balance of the day; it does not say that subscriptions and
// redemptions are booked on the fund account, and a fund account that disappears from a full day
// closes without one, so a redemption cannot be told apart from a loss; POLICIES.md sets no
// threshold either).

export interface DetectionInput {
  businessDate: string;
  /** the previous loaded business date, null on the first */
  previousDate: string | null;
  /** latest loaded business date on or before D − lookback, for aum_rise and aum_fall */
  riseBaseDate: string | null;
  fallBaseDate: string | null;
  /** the first working day on or after D: when to act on what has no day of its own */
  firstWorkingDay: string;
  /** each day of D … D+max window with its due date (dueDatesFrom) */
  calendar: { days: string[]; due: string[] };
  festivals: { festival: Festival; date: string }[];
  policy: EventsPolicy;
  policyVersion: number;
}

type Statement = [sql: string, params: unknown[]];

/** The temporary tables of a detection: each customer with facts on D, its band on the previous date, and the new events. */
export async function prepareDetection(s: SqlSession, x: DetectionInput): Promise<void> {
  await createWorkTable(s, 'events_new', {
    columns: `customer_id ${ID_SQL_TYPE} NOT NULL, event text NOT NULL, subject text NOT NULL, kind text NOT NULL,
    facts jsonb NOT NULL, due_on date NOT NULL, PRIMARY KEY (customer_id, event, subject)`,
  });
  // The thresholds follow the band of the previous business date (POLICIES.md): the tier held
  // before D's evaluation is the tier a change on D ended (the history row's from_tier), else the
  // current tier; a customer without one then (first date, or new: no history row) takes D's.
  // partitions by name (see monthPartition)
  const tiers = await ensureTierPartition(s, x.policy.band_model);
  const facts = await ensureMonthPartition(s, 'customer_facts', x.businessDate);
  const previous = x.previousDate ? monthPartition('balance_snapshots', x.previousDate) : 'balance_snapshots';
  await createWorkTable(s, 'events_base', {
    as: `SELECT f.customer_id, f.aum, f.aum_avg_mtd, ${x.previousDate ? 'coalesce(ps.aum, f.aum)' : 'f.aum'} AS aum_prev,
            coalesce(h.from_tier, t.tier) AS band
       FROM ${facts} f
       LEFT JOIN ${tiers} t ON t.customer_id = f.customer_id AND t.model = $2
       LEFT JOIN tier_history h ON h.customer_id = f.customer_id AND h.model = $2 AND h.business_date = $1::date
       ${x.previousDate ? `LEFT JOIN ${previous} ps ON ps.customer_id = f.customer_id AND ps.business_date = $3::date` : '-- (no previous date: nothing to join; Citus cannot plan a join on a null date)'}
      WHERE f.business_date = $1::date`,
    params: x.previousDate ? [x.businessDate, x.policy.band_model, x.previousDate] : [x.businessDate, x.policy.band_model],
  });
  await s.exec('ALTER TABLE events_base ADD PRIMARY KEY (customer_id)');
  await s.exec('ANALYZE events_base');
}

const due = (day: string) => `coalesce((SELECT cal.cal_due FROM unnest($2::date[], $3::date[]) AS cal(cal_day, cal_due) WHERE cal.cal_day = ${day}), $4::date)`;
const INSERT = 'INSERT INTO events_new (customer_id, event, subject, kind, facts, due_on)';

/** A month-day (birth_date, opened_on) in D … D+window, this year or next; 29 February is the 28th in other years. */
function anniversaryStatement(x: DetectionInput, event: 'birthday_soon' | 'anniversary_soon', column: 'birth_date' | 'opened_on'): Statement {
  const rule = x.policy.events[event];
  const count = column === 'birth_date' ? 'turns' : 'years';
  return [
    `${INSERT}
     WITH days AS (
       SELECT c.customer_id, c.${column} AS since, y.y,
              make_date(y.y, extract(month FROM c.${column})::int,
                CASE WHEN extract(month FROM c.${column}) = 2 AND extract(day FROM c.${column}) = 29
                      AND NOT (y.y % 4 = 0 AND (y.y % 100 <> 0 OR y.y % 400 = 0)) THEN 28
                     ELSE extract(day FROM c.${column})::int END) AS day
         FROM customers c JOIN events_base b ON b.customer_id = c.customer_id
        CROSS JOIN (VALUES (extract(year FROM $1::date)::int), (extract(year FROM $1::date)::int + 1)) AS y(y)
        WHERE c.${column} IS NOT NULL
     )
     SELECT customer_id, $5::text, day::text, $6::text,
            jsonb_build_object('date', day, '${count}', y - extract(year FROM since)::int, 'days_ahead', day - $1::date), ${due('day')}
       FROM days
      WHERE day BETWEEN $1::date AND $1::date + $7::int AND y > extract(year FROM since)`,
    [x.businessDate, x.calendar.days, x.calendar.due, x.firstWorkingDay, event, rule.kind, rule.window_days],
  ];
}

function festivalStatement(x: DetectionInput): Statement {
  const rule = x.policy.events.festival_soon;
  const bands = x.policy.events.tier_changed.models[x.policy.band_model] ?? [];
  return [
    `${INSERT}
     SELECT b.customer_id, 'festival_soon', f.festival || ':' || f.day::text, $5::text,
            jsonb_build_object('festival', f.festival, 'date', f.day, 'days_ahead', f.day - $1::date, 'band', b.band,
              'in_branch_name', coalesce(array_position($8::text[], b.band) >= array_position($8::text[], $10::text), false)), ${due('f.day')}
       FROM events_base b
      CROSS JOIN unnest($6::text[], $7::date[]) AS f(festival, day)
      WHERE array_position($8::text[], b.band) >= array_position($8::text[], $9::text)`,
    [x.businessDate, x.calendar.days, x.calendar.due, x.firstWorkingDay, rule.kind, x.festivals.map((f) => f.festival), x.festivals.map((f) => f.date), bands, rule.min_band, rule.in_branch_name_from ?? null],
  ];
}

/**
 * One transaction dated D (China time) at or beyond the threshold of the customer's band, in or
 * out, in one pass. A transaction dated D arrives in the load of D or a later one (loads come in
 * date order), so only those loads' rows are read, through the BRIN index on business_date.
 */
function flowStatement(x: DetectionInput): Statement {
  const inflow = bandThresholds(x.policy.events.large_inflow.thresholds);
  const outflow = bandThresholds(x.policy.events.large_outflow.thresholds);
  return [
    `${INSERT}
     SELECT customer_id, event, txn_id, kind, facts || jsonb_build_object('threshold', threshold), $2::date FROM (
       SELECT t.customer_id, t.txn_id,
              CASE WHEN t.amount >= ti.amount THEN 'large_inflow' WHEN t.amount <= -tou.amount THEN 'large_outflow' END AS event,
              CASE WHEN t.amount >= ti.amount THEN $3::text ELSE $4::text END AS kind,
              CASE WHEN t.amount >= ti.amount THEN ti.amount ELSE tou.amount END AS threshold,
              jsonb_build_object('amount', t.amount, 'channel', t.channel, 'booked_at', t.booked_at, 'date', t.booked_on,
                'account_id', t.account_id, 'band', b.band, 'aum_before', b.aum_prev,
                'share_of_aum', CASE WHEN b.aum_prev > 0 THEN abs(t.amount) / b.aum_prev END) AS facts
         FROM transactions t
         JOIN events_base b ON b.customer_id = t.customer_id
         JOIN unnest($5::text[], $6::numeric[]) AS ti(band, amount) ON ti.band = b.band
         JOIN unnest($7::text[], $8::numeric[]) AS tou(band, amount) ON tou.band = b.band
        WHERE t.business_date >= $1::date AND t.booked_on = $1::date
          AND (t.amount >= ti.amount OR t.amount <= -tou.amount)
     ) f`,
    [x.businessDate, x.firstWorkingDay, x.policy.events.large_inflow.kind, x.policy.events.large_outflow.kind, inflow.bands, inflow.amounts, outflow.bands, outflow.amounts],
  ];
}

/** AUM on D against the latest business date on or before D − lookback; no event without one, or from nothing. */
function aumChangeStatement(x: DetectionInput, event: 'aum_rise' | 'aum_fall'): Statement | null {
  const rule = x.policy.events[event];
  const base = event === 'aum_rise' ? x.riseBaseDate : x.fallBaseDate;
  if (!base) return null;
  const change = event === 'aum_rise' ? 'b.aum - p.aum' : 'p.aum - b.aum';
  return [
    `${INSERT}
     SELECT b.customer_id, $1::text, $4::date::text, $2::text,
            jsonb_build_object('aum', b.aum, 'aum_before', p.aum, 'before_date', $4::date, 'change', b.aum - p.aum,
              'share', (b.aum - p.aum) / p.aum, 'min_share', $5::numeric, 'min_amount', $6::numeric), $3::date
       FROM events_base b JOIN ${monthPartition('balance_snapshots', base)} p ON p.customer_id = b.customer_id AND p.business_date = $4::date
      WHERE p.aum > 0 AND ${change} >= $6::numeric AND ${change} >= $5::numeric * p.aum`,
    [event, rule.kind, x.firstWorkingDay, base, String(rule.min_share), String(rule.min_amount)],
  ];
}

function maturingStatements(x: DetectionInput): Statement[] {
  const soon = x.policy.events.maturing;
  const past = x.policy.events.matured_not_reinvested;
  const facts = `jsonb_build_object('account_id', a.account_id, 'account_kind', a.kind, 'product_code', a.product_code,
                   'balance', a.balance, 'matures_on', a.matures_on, 'status', a.status)`;
  return [
    [
      `${INSERT}
       SELECT a.customer_id, 'maturing', a.account_id, $5::text, ${facts} || jsonb_build_object('days_ahead', a.matures_on - $1::date), ${due('a.matures_on')}
         FROM accounts a JOIN events_base b ON b.customer_id = a.customer_id
        WHERE a.status = 'active' AND a.kind IN ('wealth', 'time_deposit') AND a.matures_on BETWEEN $1::date AND $1::date + $6::int`,
      [x.businessDate, x.calendar.days, x.calendar.due, x.firstWorkingDay, soon.kind, soon.window_days],
    ],
    [
      // reinvested: any wealth product or time deposit opened on or after the maturity date
      `${INSERT}
       SELECT a.customer_id, 'matured_not_reinvested', a.account_id, $2::text, ${facts} || jsonb_build_object('days_since', $1::date - a.matures_on), $3::date
         FROM accounts a JOIN events_base b ON b.customer_id = a.customer_id
        WHERE a.kind IN ('wealth', 'time_deposit') AND a.matures_on BETWEEN $1::date - $4::int AND $1::date - 1
          AND NOT EXISTS (SELECT 1 FROM accounts n WHERE n.customer_id = a.customer_id AND n.kind IN ('wealth', 'time_deposit') AND n.opened_on >= a.matures_on)`,
      [x.businessDate, past.kind, x.firstWorkingDay, past.window_days],
    ],
  ];
}

function cardStatements(x: DetectionInput): Statement[] {
  const std = x.policy.card_standards;
  const grades = [...CARD_GRADES];
  const standards = ['0', String(std.gold), String(std.platinum), String(std.diamond)];
  const best = `WITH best AS (
       SELECT b.customer_id, b.aum_avg_mtd, max(array_position($3::text[], k.grade)) AS rank
         FROM events_base b LEFT JOIN cards k ON k.customer_id = b.customer_id AND k.status = 'active'
        GROUP BY b.customer_id, b.aum_avg_mtd
     ), grade AS (SELECT * FROM unnest($3::text[], $4::numeric[]) WITH ORDINALITY AS g(grade, standard, rank))`;
  const out: Statement[] = [
    [
      // a card first delivered already cancelled has no active day: cards carry no first-seen date,
      // so "active on the previous business date" is read as issued on or before it
      `${INSERT}
       SELECT k.customer_id, 'card_cancelled', k.card_id, $2::text, jsonb_build_object('card_id', k.card_id, 'grade', k.grade, 'issued_on', k.issued_on, 'cancelled_on', k.cancelled_on), $3::date
         FROM cards k JOIN events_base b ON b.customer_id = k.customer_id
        WHERE k.status = 'cancelled' AND k.cancelled_on = $1::date AND k.issued_on <= $4::date`,
      [x.businessDate, x.policy.events.card_cancelled.kind, x.firstWorkingDay, x.previousDate],
    ],
    [
      // the best grade whose standard aum_avg_mtd meets, above the best active card held (none: any)
      `${INSERT}
       ${best}
       SELECT DISTINCT ON (bs.customer_id) bs.customer_id, 'vip_card_due', g.grade, $1::text,
              jsonb_build_object('grade', g.grade, 'standard', g.standard, 'aum_avg_mtd', bs.aum_avg_mtd, 'held', ($3::text[])[bs.rank]), $2::date
         FROM best bs JOIN grade g ON g.rank > coalesce(bs.rank, 0) AND g.standard > 0 AND bs.aum_avg_mtd >= g.standard
        ORDER BY bs.customer_id, g.rank DESC`,
      [x.policy.events.vip_card_due.kind, x.firstWorkingDay, grades, standards],
    ],
    [
      `${INSERT}
       ${best}
       SELECT bs.customer_id, 'card_below_standard', g.grade, $1::text,
              jsonb_build_object('grade', g.grade, 'standard', g.standard, 'aum_avg_mtd', bs.aum_avg_mtd, 'shortfall', g.standard - bs.aum_avg_mtd), $2::date
         FROM best bs JOIN grade g ON g.rank = bs.rank
        WHERE g.standard > bs.aum_avg_mtd`,
      [x.policy.events.card_below_standard.kind, x.firstWorkingDay, grades, standards],
    ],
  ];
  return out;
}

/** A change of tier on D under the listed models (a first tier is no change); up by the policy's order of tiers. */
function tierStatement(x: DetectionInput): Statement {
  const rule = x.policy.events.tier_changed;
  const flat = Object.entries(rule.models).flatMap(([model, tiers]) => tiers.map((tier, i) => ({ model, tier, rank: i })));
  return [
    `${INSERT}
     WITH r AS (SELECT * FROM unnest($5::text[], $6::text[], $7::int[]) AS r(model, tier, rank))
     SELECT h.customer_id, 'tier_changed', h.model, CASE WHEN rt.rank > rf.rank THEN $3::text ELSE $2::text END,
            jsonb_build_object('model', h.model, 'from', h.from_tier, 'to', h.to_tier, 'direction', CASE WHEN rt.rank > rf.rank THEN 'up' ELSE 'down' END), $4::date
       FROM tier_history h
       JOIN events_base b ON b.customer_id = h.customer_id
       JOIN r rf ON rf.model = h.model AND rf.tier = h.from_tier
       JOIN r rt ON rt.model = h.model AND rt.tier = h.to_tier
      WHERE h.business_date = $1::date AND h.model = ANY($5::text[])`,
    [x.businessDate, rule.kind, rule.kind_when_up, x.firstWorkingDay, flat.map((f) => f.model), flat.map((f) => f.tier), flat.map((f) => f.rank)],
  ];
}

/** Every statement of the detection, by event type. */
export function detectionStatements(x: DetectionInput): { event: string; statement: Statement }[] {
  const list: { event: string; statement: Statement | null }[] = [
    { event: 'birthday_soon', statement: anniversaryStatement(x, 'birthday_soon', 'birth_date') },
    { event: 'anniversary_soon', statement: anniversaryStatement(x, 'anniversary_soon', 'opened_on') },
    { event: 'festival_soon', statement: x.festivals.length ? festivalStatement(x) : null },
    { event: 'large_inflow_outflow', statement: flowStatement(x) },
    { event: 'aum_rise', statement: aumChangeStatement(x, 'aum_rise') },
    { event: 'aum_fall', statement: aumChangeStatement(x, 'aum_fall') },
    ...maturingStatements(x).map((statement, i) => ({ event: i ? 'matured_not_reinvested' : 'maturing', statement })),
    ...cardStatements(x).map((statement, i) => ({ event: ['card_cancelled', 'vip_card_due', 'card_below_standard'][i] ?? '', statement })),
    { event: 'tier_changed', statement: tierStatement(x) },
  ];
  return list.flatMap((l) => (l.statement ? [{ event: l.event, statement: l.statement }] : []));
}

/** Replaces the date's events with the new ones; rows that did not change are left as they are. */
export async function mergeEvents(s: SqlSession, businessDate: string, policyVersion: number): Promise<number> {
  await s.query(
    `DELETE FROM customer_events e WHERE e.business_date = $1::date
        AND NOT EXISTS (SELECT 1 FROM events_new n WHERE n.customer_id = e.customer_id AND n.event = e.event AND n.subject = e.subject)`,
    [businessDate],
  );
  await s.query(
    `INSERT INTO customer_events (customer_id, business_date, event, subject, kind, facts, due_on, policy_version)
     SELECT customer_id, $1::date, event, subject, kind, facts, due_on, $2 FROM events_new ORDER BY customer_id, event, subject
     ON CONFLICT (customer_id, business_date, event, subject) DO UPDATE
       SET kind = EXCLUDED.kind, facts = EXCLUDED.facts, due_on = EXCLUDED.due_on, policy_version = EXCLUDED.policy_version
     WHERE (customer_events.kind, customer_events.facts, customer_events.due_on, customer_events.policy_version)
           IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.facts, EXCLUDED.due_on, EXCLUDED.policy_version)`,
    [businessDate, policyVersion],
  );
  const r = await s.query<{ n: string }>('SELECT count(*) AS n FROM events_new');
  return Number(r.rows[0]?.n ?? 0);
}
