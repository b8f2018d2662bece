import { buildScopedBank, loadScopedBank } from '../../../test/bank-fixture.js';
import { buildAccount, buildCard, buildCustomer, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from '../tiering/tiering.batch.js';
import type { Db } from '../../platform/db.js';

// The scoped test bank (test/bank-fixture.ts) with more customers at outlet B111, one per band
// and several in the managers' bands, and a second customer manager (S18) to balance load.
//   C1  202,300  band_3  gold card, valuable, potential (41), holds wealth
//   C5  600,000  band_4  platinum card
//   C6  700,000  band_4  current account: contribution ≈ 13,950 (high_value)
//   C7  800,000  band_4  time deposit: ≈ 6,350 (valuable), relationship vip, no wealth
//   C8  550,000  band_4  time deposit + wealth: ≈ 4,200 (valuable), relationship vip, holds wealth
//   C9  100,000  band_2  C10 10,000 band_1  C11 3,500,000 band_5
// Value priority among the customer managers' customers: C5, C6, C8, C7, C1 (relationship potential).

export const SECOND_MANAGER = 'S18';
export const DAY1 = '2026-11-20';
export const DAY2 = '2026-11-21';

const customer = (id: string, birth: string, seq: string, over: Row = {}) =>
  buildCustomer({ customer_id: id, name: `客户${id}`, birth_date: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`, id_number: validIdNumber(birth, seq), phone: `139000000${seq.slice(1)}`, ...over });

export function buildOwnershipBank(c9Balance = '100000.00'): FeedFiles {
  const bank = buildScopedBank();
  bank.staff?.push({ staff_id: SECOND_MANAGER, name: '钱经理', branch_id: 'B111', role: 'customer_manager', active: 'true' });
  bank.customers?.push(
    customer('C5', '19800101', '205'),
    customer('C6', '19800101', '206'),
    customer('C7', '19560101', '207'),
    customer('C8', '19960101', '208'),
    customer('C9', '19800101', '209'),
    customer('C10', '19800101', '210'),
    customer('C11', '19800101', '211'),
  );
  bank.accounts?.push(
    buildAccount({ account_id: 'A50', customer_id: 'C5', balance: '600000.00' }),
    buildAccount({ account_id: 'A60', customer_id: 'C6', balance: '700000.00' }),
    buildAccount({ account_id: 'A70', customer_id: 'C7', kind: 'time_deposit', product_code: 'TD12', balance: '800000.00', opened_on: '2026-03-15', matures_on: '2027-03-15' }),
    buildAccount({ account_id: 'A80', customer_id: 'C8', kind: 'time_deposit', product_code: 'TD12', balance: '500000.00', opened_on: '2026-03-15', matures_on: '2027-03-15' }),
    buildAccount({ account_id: 'A81', customer_id: 'C8', kind: 'wealth', product_code: 'WM1', balance: '50000.00', opened_on: '2026-06-01', matures_on: '2027-06-01' }),
    buildAccount({ account_id: 'A90', customer_id: 'C9', balance: c9Balance }),
    buildAccount({ account_id: 'A100', customer_id: 'C10', balance: '10000.00' }),
    buildAccount({ account_id: 'A110', customer_id: 'C11', balance: '3500000.00' }),
  );
  bank.cards?.push(buildCard({ card_id: 'K5', customer_id: 'C5', grade: 'platinum' }));
  return bank;
}

/** Loads the bank for DAY1 with passwords and runs the tiering for it. */
export async function loadOwnershipBank(db: Db): Promise<void> {
  await loadScopedBank(db, buildOwnershipBank(), { owners: false });
  await runTiering(db, DAY1);
}

/** DAY2: the same bank with C9 grown to 250,000 (band_2 → band_3), tiered. */
export async function loadDay2(db: Db): Promise<void> {
  const r = await loadFeed(db, writeFeed(feedDir(), { business_date: DAY2, mode: 'full' }, buildOwnershipBank('250000.00')));
  if (r.outcome !== 'loaded') throw new Error(`day 2 did not load: ${JSON.stringify(r.problems)}`);
  await refreshCustomerOverview(db);
  await runTiering(db, DAY2);
}
