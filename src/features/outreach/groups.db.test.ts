import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import type { Group, GroupFilter, GroupMember } from './groups.contract.js';
import { takeMembership } from './groups.service.js';
import { HEAD_B111, loadOutreachBank, MANAGER, outreachClient } from './outreach.test-support.js';

// Customer groups (客户分组) on the outreach bank (outreach.test-support.ts): each criterion
// narrows the customers as it says, every answer stays within the reader's scope, a saved group is
// seen by its branch only, and the membership taken on a date is what the count said.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = outreachClient(() => app);

interface Counted {
  count: number;
  preview: GroupMember[];
  asOf: string | null;
}
const count = async (login: string, filter: GroupFilter) => {
  const r = await api.post(login, '/api/groups/count', { filter });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Counted;
};
/** the customers a filter holds for a reader, sorted (the preview holds all of them here: fewer than 20) */
const ids = async (login: string, filter: GroupFilter) => {
  const c = await count(login, filter);
  expect(c.preview).toHaveLength(c.count);
  return c.preview.map((m) => m.customerId).sort();
};

beforeAll(async () => {
  db = await openTestDb();
  await loadOutreachBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('counting a filter', () => {
  it('with no criterion holds every active customer the reader sees, the richest first, masked as the list', async () => {
    const all = await count(PB_DEPT, {});
    expect(all.count).toBe(7);
    expect(all.preview.map((m) => m.customerId)).toEqual(['C4', 'C11', 'C1', 'C12', 'C3', 'C5', 'C2']);
    expect(all.asOf).toBe('2026-11-20');
    const c1 = all.preview.find((m) => m.customerId === 'C1');
    expect(c1).toMatchObject({ name: '张三明', phone: '138****5678', branch: { id: 'B111', name: '电力路网点' }, aumBand: 'band_3' });
  });

  it('narrows by each criterion as it says', async () => {
    const cases: [GroupFilter, string[]][] = [
      [{ aumBands: ['band_3'] }, ['C1', 'C12']],
      [{ aumBands: ['band_4', 'band_5'] }, ['C11', 'C4']],
      [{ tiers: [{ model: 'value_tier', tiers: ['high_value'] }] }, ['C1', 'C11', 'C4']],
      [{ tiers: [{ model: 'value_tier', tiers: ['high_value'] }, { model: 'aum_band', tiers: ['band_4'] }] }, ['C11']],
      [{ tags: [{ group: 'life', tags: ['retired'] }] }, ['C11', 'C4']],
      [{ tags: [{ group: 'life', tags: ['family', 'young'] }] }, ['C1', 'C12', 'C2']],
      [{ aumMin: 200000 }, ['C1', 'C11', 'C12', 'C4']],
      [{ aumMin: 200000, aumMax: 600000 }, ['C1', 'C12']],
      [{ aumMin: 200000, aumMax: 202300 }, ['C12']],
      [{ aumMax: 1000 }, ['C2']],
      [{ openEventKinds: ['opportunity'] }, ['C1']],
      [{ openEventKinds: ['risk'] }, ['C4']], // C2's risk reminder is done
      [{ openEvents: ['birthday_soon', 'td_maturing'] }, ['C1', 'C12']],
      [{ products: ['time_deposit'] }, ['C1', 'C11']],
      [{ products: ['time_deposit', 'wealth'] }, ['C1']],
      [{ products: ['fund'] }, ['C12']],
      [{ products: ['insurance'] }, []],
      [{ branchIds: ['B110'] }, ['C1', 'C11', 'C12', 'C2', 'C3', 'C5']],
      [{ branchIds: ['B112', 'B211'] }, ['C3', 'C4']],
      [{ ownerIds: [MANAGER_B112] }, ['C3']],
      [{ ownerIds: [MANAGER], aumBands: ['band_3'], products: ['fund'] }, ['C12']],
    ];
    for (const [filter, expected] of cases) expect([filter, await ids(PB_DEPT, filter)]).toEqual([filter, expected]);
  });

  it('stays within the reader’s scope: a manager their own customers, a head their subtree', async () => {
    expect(await ids(MANAGER, {})).toEqual(['C1', 'C11', 'C12', 'C2']);
    expect(await ids(MANAGER, { aumBands: ['band_4', 'band_5'] })).toEqual(['C11']);
    // an owner's customers may be anywhere: another branch holds none of theirs, it is no error
    expect(await ids(MANAGER, { branchIds: ['B211'] })).toEqual([]);
    expect(await ids(MANAGER_B211, {})).toEqual(['C4']);
    expect(await ids(BRANCH_HEAD_B100, { aumBands: ['band_1'] })).toEqual(['C2', 'C5']);
    expect(await ids(HEAD_B111, { branchIds: ['B111'] })).toEqual(['C1', 'C11', 'C12', 'C2', 'C5']);
    // a branch outside a head's subtree answers as one that does not exist
    const outside = await api.post(HEAD_B111, '/api/groups/count', { filter: { branchIds: ['B211'] } });
    const none = await api.post(HEAD_B111, '/api/groups/count', { filter: { branchIds: ['B999'] } });
    expect([outside.statusCode, none.statusCode]).toEqual([404, 404]);
  });

  it('refuses a bad filter, naming what is wrong', async () => {
    const r = await api.post(PB_DEPT, '/api/groups/count', { filter: { aumMin: 500000, aumMax: 100000 } }, 'en');
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields).toEqual({ 'filter.aumMax': 'The AUM upper bound must be above the lower bound.' });
    expect((await api.post(PB_DEPT, '/api/groups/count', { filter: { colour: 'red' } })).statusCode).toBe(400);
    expect((await api.post(PB_DEPT, '/api/groups/count', { filter: { products: ['gold'] } })).statusCode).toBe(400);
    // the lobby roles and the administrator make no groups
    expect((await api.post(OUTLET_STAFF.lobby_manager, '/api/groups/count', { filter: {} })).statusCode).toBe(403);
  });
});

describe('saved groups', () => {
  let headGroup: Group;
  let managerGroup: Group;

  it('are saved, listed and counted within the reader’s scope (audited)', async () => {
    const r = await api.post(BRANCH_HEAD_B100, '/api/groups', { name: '  高净值定期客户 ', filter: { aumMin: 100000, products: ['time_deposit'] } });
    expect(r.statusCode, r.body).toBe(200);
    headGroup = r.json().data as Group;
    expect(headGroup).toMatchObject({ name: '高净值定期客户', branch: { id: 'B100' }, createdBy: { staffId: BRANCH_HEAD_B100, name: '孙分行' }, editable: true });
    const m = await api.post(MANAGER, '/api/groups', { name: '我的理财客户', filter: { products: ['fund'] } });
    managerGroup = m.json().data as Group;
    expect((await api.get(BRANCH_HEAD_B100, `/api/groups/${headGroup.groupId}/count`)).json().data.count).toBe(2);
    const audit = await db.session((s) => s.query<{ actor: string; detail: { groupId: string } }>(`SELECT actor, detail FROM audit_log WHERE action = 'group_create' ORDER BY entry_id`));
    expect(audit.rows.map((x) => [x.actor, x.detail.groupId])).toEqual([
      [BRANCH_HEAD_B100, headGroup.groupId],
      [MANAGER, managerGroup.groupId],
    ]);
  });

  it('of another branch answer 404; of one’s own branch are seen, changed by their creator or its head', async () => {
    for (const login of [HEAD_B111, MANAGER_B211]) {
      expect((await api.get(login, `/api/groups/${headGroup.groupId}`)).statusCode).toBe(404);
      expect((await api.get(login, `/api/groups/${headGroup.groupId}/count`)).statusCode).toBe(404);
      expect((await api.put(login, `/api/groups/${headGroup.groupId}`, { name: 'x', filter: {} })).statusCode).toBe(404);
      expect((await api.delete(login, `/api/groups/${headGroup.groupId}`)).statusCode).toBe(404);
    }
    const listed = async (login: string) => ((await api.get(login, '/api/groups')).json().data.items as Group[]).map((g) => g.name).sort();
    expect(await listed(HEAD_B111)).toEqual(['我的理财客户']);
    expect(await listed(BRANCH_HEAD_B100)).toEqual(['我的理财客户', '高净值定期客户']);
    expect(await listed(PB_DEPT)).toEqual(['我的理财客户', '高净值定期客户']);
    expect(await listed(MANAGER_B211)).toEqual([]);
    // the outlet's supervisor sees the manager's group, counts it within their own scope, cannot change it
    const sup = OUTLET_STAFF.cm_supervisor;
    expect((await api.get(sup, `/api/groups/${managerGroup.groupId}`)).json().data.editable).toBe(false);
    expect((await api.get(sup, `/api/groups/${managerGroup.groupId}/count`)).json().data.count).toBe(0); // co-owns C1 and C2, neither holds a fund
    expect((await api.put(sup, `/api/groups/${managerGroup.groupId}`, { name: 'x', filter: {} })).statusCode).toBe(403);
    // the head of the outlet may
    const changed = await api.put(HEAD_B111, `/api/groups/${managerGroup.groupId}`, { name: '理财与定期', filter: { products: ['fund'], aumMin: 100000 } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().data).toMatchObject({ name: '理财与定期', filter: { products: ['fund'], aumMin: 100000 } });
  });

  it('take their membership on a date: what the count said for their creator, again on the same date replaced', async () => {
    const n = await takeMembership(db, headGroup.groupId, '2026-11-20');
    expect(n).toBe(2);
    expect(await takeMembership(db, headGroup.groupId, '2026-11-20')).toBe(2);
    await takeMembership(db, managerGroup.groupId, '2026-11-20');
    const rows = await db.session((s) =>
      s.query<{ group_id: string; customer_id: string; taken_on: string }>(`SELECT group_id, customer_id, taken_on::text AS taken_on FROM group_members ORDER BY group_id, customer_id`),
    );
    const of = (g: Group) => rows.rows.filter((r) => r.group_id === g.groupId).map((r) => [r.customer_id, r.taken_on]);
    // the B100 head's group: C1 and C11 (C4's time deposits would be outside B100 anyway)
    expect(of(headGroup)).toEqual([
      ['C1', '2026-11-20'],
      ['C11', '2026-11-20'],
    ]);
    const counted = await api.get(BRANCH_HEAD_B100, `/api/groups/${headGroup.groupId}/count`);
    expect(counted.json().data.count).toBe(of(headGroup).length);
    // the manager's group (changed by the head) is taken within its creator's scope: the manager's customers
    expect(of(managerGroup)).toEqual([['C12', '2026-11-20']]);
  });

  it('are deleted by their creator (audited)', async () => {
    expect((await api.delete(MANAGER, `/api/groups/${managerGroup.groupId}`)).json().data).toEqual({ deleted: true });
    expect((await api.get(MANAGER, `/api/groups/${managerGroup.groupId}`)).statusCode).toBe(404);
    const audit = await db.session((s) => s.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'group_delete' AND actor = $1`, [MANAGER]));
    expect(Number(audit.rows[0]?.n)).toBe(1);
  });
});
