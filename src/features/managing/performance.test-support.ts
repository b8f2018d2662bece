import { buildScopedBank, OUTLET_STAFF, MANAGER_B112, MANAGER_B211, PASSWORD } from '../../../test/bank-fixture.js';
import { hashPassword } from '../access/access.password.js';
import { upsertAccount } from '../access/access.sql.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { buildAccount, buildCustomer, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';

// A hand-computed bank for manager performance (issue 20 §6; POLICIES.md "Manager performance"):
// the scoped bank's branches and staff (test/bank-fixture.ts), three business dates, A = 2026-10-31,
// a middle date 2026-11-15 and B = 2026-11-30, and these customers of the manager M1 (S13, B111):
//   C1  owned by M1 throughout; AUM 100,000 (current) → 250,000 (50,000 current + 200,000 time
//       deposit): band_2 → band_3, up; a mobile payment on B; signed for a gold card on 11-20
//   C2  owned by M1; AUM 5,000 → 0: churned (AUM 0 after ≥ 1,000), band_1 → below, down
//   C5  owned by M1 on A; leaves the feed on B (3,000 on A): churned
//   C6  owned by M1; AUM 999.99 → 0: not churned (below 1,000 on A), below → below
//   C7  owned by M2 (S20, B112) on A, handed to M1 before the middle date's batch; 100,000 current
//       + 500,000 wealth → 100,000 + 300,000: band_4 → band_3, down; a signing cancelled on 11-25
// and C3 of M2 (50,000 on every date), C4 of S30 (B211, 80,000). C3, C4 and C7 are the bank's own
// assignments (owners.csv, source "feed"); the others and C7's hand-over are made in Stratum.
// M1's work: contacts on 11-05 and 11-30 23:59 count, on 10-31 and 12-01 00:10 not; plan items on
// 11-10 (done) and 11-11 (not), 10-31 (before the period); an opportunity won on 11-12, one lost on
// 11-13, one won on 10-31 (before). The VIP teller S15 referred C1 twice in November: one signed,
// one declined.

export const A = '2026-10-31';
export const MID = '2026-11-15';
export const B = '2026-11-30';
export const M1 = OUTLET_STAFF.customer_manager;
export const M2 = MANAGER_B112;
export const M3 = MANAGER_B211;
export const REFERRER = OUTLET_STAFF.vip_teller;

const cust = (id: string, branch = 'B111', n = Number(id.slice(1))): Row =>
  buildCustomer({ customer_id: id, name: `客户${id}`, branch_id: branch, id_number: validIdNumber('19800101', String(200 + n)), phone: `1380000${String(1000 + n)}` });

/** The feed of one of the three dates. */
export function performanceDay(date: string): FeedFiles {
  const files = buildScopedBank();
  const atB = date === B;
  const atA = date === A;
  const acc = (id: string, customer: string, kind: string, balance: string, extra: Row = {}) =>
    buildAccount({ account_id: id, customer_id: customer, kind, product_code: kind === 'current' ? 'CUR' : kind === 'time_deposit' ? 'TD12' : 'WM1', balance, ...extra });
  files.customers = [cust('C1'), cust('C2'), ...(atB ? [] : [cust('C5')]), cust('C6'), cust('C7'), cust('C3', 'B112'), cust('C4', 'B211')];
  files.accounts = [
    acc('A1', 'C1', 'current', atB ? '50000.00' : '100000.00'),
    ...(atB ? [acc('A1T', 'C1', 'time_deposit', '200000.00', { opened_on: '2026-11-01', matures_on: '2027-11-01' })] : []),
    acc('A2', 'C2', 'current', atB ? '0.00' : '5000.00'),
    ...(atB ? [] : [acc('A5', 'C5', 'current', '3000.00')]),
    acc('A6', 'C6', 'current', atB ? '0.00' : '999.99'),
    acc('A7', 'C7', 'current', '100000.00'),
    acc('A7W', 'C7', 'wealth', atB ? '300000.00' : atA ? '500000.00' : '450000.00'),
    acc('A3', 'C3', 'current', '50000.00'),
    acc('A4', 'C4', 'current', '80000.00'),
  ];
  files.cards = [];
  files.loans = [];
  // the bank's own assignments (owners.csv), the same on every date: C7's hand-over made in Stratum
  // stands, since no later file names C7 differently
  files.owners = [
    { customer_id: 'C3', staff_id: M2, kind: 'primary' },
    { customer_id: 'C4', staff_id: M3, kind: 'primary' },
    { customer_id: 'C7', staff_id: M2, kind: 'primary' },
  ];
  files.transactions = atB ? [buildTransaction({ txn_id: 'T1', account_id: 'A1', customer_id: 'C1', booked_at: '2026-11-30T10:00:00+08:00', amount: '-88.00', channel: 'mobile', counterparty: '' })] : [];
  return files;
}

async function load(db: Db, date: string): Promise<void> {
  const r = await loadFeed(db, writeFeed(feedDir(), { business_date: date, mode: 'full' }, performanceDay(date)));
  if (r.outcome !== 'loaded') throw new Error(`${date} did not load: ${JSON.stringify(r.problems)}`);
}

/** Loads the three dates with their batches, the owners and M1's work as the fixture says. */
export async function seedPerformanceBank(db: Db): Promise<void> {
  await load(db, A);
  // every staff member signs in with the test password
  const hash = await hashPassword(PASSWORD);
  for (const st of performanceDay(A).staff ?? []) {
    await upsertAccount(db, { login: st.staff_id ?? '', staffId: st.staff_id ?? '', isAdmin: false, displayName: null, passwordHash: hash });
  }
  await db.session((s) =>
    s.query(
      `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by)
       SELECT c, st, k, 'manual', 'test' FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, st, k)`,
      [
        ['C1', 'C2', 'C5', 'C6', 'C1'],
        [M1, M1, M1, M1, OUTLET_STAFF.cm_supervisor],
        ['primary', 'primary', 'primary', 'primary', 'co'],
      ],
    ),
  );
  await runDailyBatch(db, A);
  // C7 handed to M1 during the middle date
  await db.session((s) => s.query(`UPDATE customer_owners SET staff_id = $1, source = 'manual' WHERE customer_id = 'C7' AND staff_id = $2`, [M1, M2]));
  await load(db, MID);
  await runDailyBatch(db, MID);
  await load(db, B);
  await runDailyBatch(db, B);
  await refreshCustomerOverview(db);
  await seedWork(db);
}

async function seedWork(db: Db): Promise<void> {
  await db.session(async (s) => {
    const contact = (at: string, customer = 'C1') =>
      s.query(`INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome) VALUES ($1, $2, $3::timestamptz, 'phone', 'reached')`, [customer, M1, at]);
    await contact('2026-10-31T16:00:00+08:00');
    await contact('2026-11-05T10:00:00+08:00');
    await contact('2026-11-30T23:59:00+08:00', 'C7');
    await contact('2026-12-01T00:10:00+08:00');
    const item = (date: string, status: string, customer = 'C1') =>
      s.query(`INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, status) VALUES ($1, $2, $3, 1, 'manual', '{}'::jsonb, $4)`, [customer, M1, date, status]);
    // the plans the batches made are replaced by these, counted by hand
    await s.query('DELETE FROM contact_plan_items');
    await item('2026-10-31', 'contacted');
    await item('2026-11-10', 'contacted');
    await item('2026-11-11', 'planned', 'C2');
    const opp = (id: string, customer: string, stage: 'won' | 'lost', closedOn: string) =>
      s.query(
        `INSERT INTO opportunities (customer_id, opportunity_id, target_type, source, stage, stage_since, owner_id, branch_id, scope_branch_id, created_by, created_on, closed_on, closed_at, lost_reason)
         VALUES ($1, $2, 'vip_signing', 'contact', $3, $4::date, $5, 'B111', 'B111', $5, '2026-10-01', $4::date, ($4::date + time '12:00') AT TIME ZONE 'Asia/Shanghai', $6)`,
        [customer, id, stage, closedOn, M1, stage === 'lost' ? '客户暂无需求' : null],
      );
    await opp('O1', 'C1', 'won', '2026-11-12');
    await opp('O2', 'C2', 'lost', '2026-11-13');
    await opp('O3', 'C7', 'won', '2026-10-31');
    const signing = (customer: string, no: string, at: string, cancelledAt: string | null) =>
      s.query(
        `INSERT INTO vip_signings (customer_id, grade, branch_id, requested_by, requested_at, business_date, qualified, status, agreement_no, cancelled_by, cancelled_at, cancel_reason)
         VALUES ($1, 'gold', 'B111', $2, $3::timestamptz, '2026-11-15', ARRAY['gold'], $4, $5, $6, $7::timestamptz, $8)`,
        [customer, M1, at, cancelledAt ? 'cancelled' : 'signed', no, cancelledAt ? M1 : null, cancelledAt, cancelledAt ? '客户要求' : null],
      );
    await signing('C1', 'QY20261120001', '2026-11-20T10:00:00+08:00', null);
    await signing('C7', 'QY20261120002', '2026-11-20T11:00:00+08:00', '2026-11-25T09:00:00+08:00');
    const referral = (at: string, outcome: string) =>
      s.query(
        `INSERT INTO referrals (customer_id, referrer_id, branch_id, to_staff_id, reason, need, status, outcome, created_at, closed_at)
         VALUES ('C1', $1, 'B111', $2, '客户咨询理财', 'wealth', 'closed', $3, $4::timestamptz, $4::timestamptz + interval '1 day')`,
        [REFERRER, M1, outcome, at],
      );
    await referral('2026-11-03T09:00:00+08:00', 'signed');
    await referral('2026-11-04T09:00:00+08:00', 'declined');
  });
}
