import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { proposeOwners } from './ownership.batch.js';
import { DAY1, DAY2, loadDay2, loadOwnershipBank, SECOND_MANAGER } from './ownership.test-support.js';

// The nightly proposals: by band and role (aum_band policy owners), in value priority, balanced
// across the staff of the role, never duplicated by a rerun, and a flag when a band changes.

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
  await loadOwnershipBank(db);
});
afterAll(async () => {
  await db.close();
});

interface Row {
  customer_id: string;
  staff_id: string;
  co_staff_ids: string[];
  cause: string;
  priority: number;
  band: string;
  business_date: string;
}
const open = async () =>
  (
    await db.session((s) =>
      s.query<Row>(`SELECT customer_id, staff_id, co_staff_ids, cause, priority, band, business_date FROM ownership_proposals WHERE status = 'open' ORDER BY branch_id, priority`),
    )
  ).rows;
const sql = (text: string, params: unknown[] = []) => db.session((s) => s.query(text, params));

describe('nightly owner proposals', () => {
  it('proposes the band’s roles: primary and co-owners from the aum_band policy, only where such staff exist', async () => {
    const r = await proposeOwners(db, DAY1);
    expect(r.proposed).toBe(8);
    const byCustomer = Object.fromEntries((await open()).map((p) => [p.customer_id, p]));
    // band_1 counter teller, band_2 VIP teller, band_5 branch head with the supervisor
    expect(byCustomer.C10).toMatchObject({ staff_id: 'S16', co_staff_ids: [], band: 'band_1', cause: 'unassigned' });
    expect(byCustomer.C9).toMatchObject({ staff_id: 'S15', co_staff_ids: [], band: 'band_2' });
    expect(byCustomer.C11).toMatchObject({ staff_id: 'S11', co_staff_ids: ['S12'], band: 'band_5' });
    // band_3 manager with the lobby manager; band_4 manager with the supervisor
    expect(byCustomer.C1?.co_staff_ids).toEqual(['S14']);
    expect(byCustomer.C5?.co_staff_ids).toEqual(['S12']);
    // below 1,000 nobody owns; C3 (B112) has no VIP teller and C4 (B211) no branch head anywhere above
    for (const id of ['C2', 'C3', 'C4']) expect(byCustomer[id]).toBeUndefined();
  });

  it('orders by value (platinum card, value tier, potential, wealth need) and deals round-robin to the least loaded', async () => {
    const managers = (await open()).filter((p) => ['S13', SECOND_MANAGER].includes(p.staff_id));
    expect(managers.map((p) => p.customer_id)).toEqual(['C5', 'C6', 'C8', 'C7', 'C1']);
    expect(managers.map((p) => p.staff_id)).toEqual(['S13', 'S18', 'S13', 'S18', 'S13']);
  });

  it('gives the most valuable customer to the manager with fewer customers', async () => {
    // S13 already owns two customers elsewhere: S18 now comes first
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C2', 'S13', 'primary', 'manual', 't'), ('C3', 'S13', 'primary', 'manual', 't')`);
    await proposeOwners(db, DAY1);
    const managers = (await open()).filter((p) => ['S13', SECOND_MANAGER].includes(p.staff_id));
    expect(managers.map((p) => [p.customer_id, p.staff_id])).toEqual([
      ['C5', 'S18'],
      ['C6', 'S13'],
      ['C8', 'S18'],
      ['C7', 'S13'],
      ['C1', 'S18'],
    ]);
    await sql(`DELETE FROM customer_owners WHERE customer_id IN ('C2', 'C3')`);
  });

  it('a rerun of the date gives the same proposals and no duplicates', async () => {
    await proposeOwners(db, DAY1);
    const first = await open();
    const again = await proposeOwners(db, DAY1);
    expect(again.proposed).toBe(first.length);
    expect(await open()).toEqual(first);
    const all = await sql(`SELECT count(*)::int AS n FROM ownership_proposals WHERE business_date = $1`, [DAY1]);
    expect(all.rows[0]).toEqual({ n: first.length });
  });

  it('proposes again for an owner whose role does not own the band, and not for a fitting one', async () => {
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C11', 'S15', 'primary', 'manual', 't'), ('C10', 'S16', 'primary', 'manual', 't')`);
    await proposeOwners(db, DAY1);
    const byCustomer = Object.fromEntries((await open()).map((p) => [p.customer_id, p]));
    expect(byCustomer.C11).toMatchObject({ cause: 'role_mismatch', staff_id: 'S11' });
    expect(byCustomer.C10).toBeUndefined();
    await sql(`DELETE FROM customer_owners WHERE customer_id IN ('C11', 'C10')`);
  });

  it('a rejected proposal is not made again while the band stays the same', async () => {
    await proposeOwners(db, DAY1);
    await sql(`UPDATE ownership_proposals SET status = 'rejected' WHERE customer_id = 'C10' AND status = 'open'`);
    await proposeOwners(db, DAY1);
    expect((await open()).map((p) => p.customer_id)).not.toContain('C10');
  });

  it('flags a customer whose band changed for re-assignment, without moving them', async () => {
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C9', 'S15', 'primary', 'manual', 't')`);
    await loadDay2(db); // C9 grows from 100,000 (band_2) to 250,000 (band_3)
    const r = await proposeOwners(db, DAY2);
    expect(r.superseded).toBeGreaterThan(0);
    const c9 = (await open()).find((p) => p.customer_id === 'C9');
    expect(c9).toMatchObject({ cause: 'tier_changed', band: 'band_3', business_date: DAY2, co_staff_ids: ['S14'] });
    expect(['S13', SECOND_MANAGER]).toContain(c9?.staff_id);
    // still owned by the teller until the branch head decides
    const owner = await sql(`SELECT staff_id FROM customer_owners WHERE customer_id = 'C9' AND kind = 'primary'`);
    expect(owner.rows).toEqual([{ staff_id: 'S15' }]);
    // one open proposal per customer: yesterday's were superseded
    const perCustomer = await sql(`SELECT customer_id FROM ownership_proposals WHERE status = 'open' GROUP BY 1 HAVING count(*) > 1`);
    expect(perCustomer.rows).toEqual([]);
  });

  it('the database refuses a second primary owner', async () => {
    await expect(sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C9', 'S13', 'primary', 'manual', 't')`)).rejects.toThrow(/customer_owners_one_primary/);
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C9', 'S13', 'co', 'manual', 't')`);
    const owners = await sql(`SELECT staff_id, kind FROM customer_owners WHERE customer_id = 'C9' ORDER BY kind DESC`);
    expect(owners.rows).toEqual([{ staff_id: 'S15', kind: 'primary' }, { staff_id: 'S13', kind: 'co' }]);
  });
});
