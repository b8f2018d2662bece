import { describe, expect, it } from 'vitest';
import { useDb } from '../../../test/test-db.js';
import { recordAudit, recordAuditDb } from '../../platform/audit.js';
import { pruneAudit, verifyAuditChain } from './audit.chain.js';

// The audit trail cannot be changed quietly: the database refuses changes, and a change made
// behind its back (a superuser disabling the trigger) breaks the hash chain where it was made.

const asSuperuser = (sql: string) => `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`;

describe('the audit chain', () => {
  const db = useDb();

  it('links every entry to the one before, and verify says it is intact', async () => {
    for (let i = 0; i < 5; i++) await recordAuditDb(db(), { actor: 'S1', action: 'reveal', customerIds: ['C1'], fields: ['phone'], outcome: 'allowed', reason: `call back ${i}` });
    const r = await verifyAuditChain(db());
    expect(r).toMatchObject({ intact: true, entries: 5, firstEntryId: 1, lastEntryId: 5, firstBreak: null });
    const rows = (await db().session((s) => s.query<{ entry_id: number; prev_hash: string; hash: string }>('SELECT entry_id::int AS entry_id, prev_hash, hash FROM audit_log ORDER BY entry_id'))).rows;
    expect(rows[0]?.prev_hash).toBe('');
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(r.headHash).toBe(rows[4]?.hash);
  });

  it('serialises concurrent writers into one chain', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordAuditDb(db(), { actor: `S${i}`, action: 'sign_in', outcome: 'allowed' })));
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, entries: 17, lastEntryId: 17 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and an audit entry commits or rolls back with its transaction', async () => {
    await expect(db().session((s) => s.query(`UPDATE audit_log SET reason = 'nothing to see' WHERE entry_id = 2`))).rejects.toThrow(/append-only/);
    await expect(db().session((s) => s.query('DELETE FROM audit_log WHERE entry_id = 2'))).rejects.toThrow(/append-only/);
    await expect(db().session((s) => s.exec('TRUNCATE audit_log'))).rejects.toThrow(/append-only/);
    // even the prune path cannot remove an entry younger than six months
    await expect(
      db().transaction(async (s) => {
        await s.query(`SELECT set_config('stratum.audit_prune', 'on', true)`);
        await s.query('DELETE FROM audit_log WHERE entry_id = 2');
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      db().transaction(async (s) => {
        await recordAudit(s, { actor: 'S1', action: 'assign', outcome: 'allowed' });
        throw new Error('the assignment failed');
      }),
    ).rejects.toThrow('the assignment failed');
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, entries: 17 });
  });

  it('finds an entry a superuser changed behind the trigger: entry number and time', async () => {
    await db().session((s) => s.exec(asSuperuser(`UPDATE audit_log SET reason = 'routine' WHERE entry_id = 3`)));
    const at = (await db().session((s) => s.query<{ at: Date }>('SELECT at FROM audit_log WHERE entry_id = 3'))).rows[0]?.at;
    const r = await verifyAuditChain(db());
    expect(r.intact).toBe(false);
    expect(r.firstBreak).toEqual({ entryId: 3, at, problem: 'changed' });
  });

  it('finds a rewrite that also recomputed the hash (the next entry no longer links), and a deleted entry', async () => {
    await db().session((s) => s.exec(asSuperuser(`UPDATE audit_log l SET hash = audit_digest(l) WHERE entry_id = 3`)));
    expect((await verifyAuditChain(db())).firstBreak).toMatchObject({ entryId: 4, problem: 'link' });
    await db().session((s) => s.exec(asSuperuser(`DELETE FROM audit_log WHERE entry_id IN (3, 4)`)));
    expect((await verifyAuditChain(db())).firstBreak).toMatchObject({ entryId: 5, problem: 'link' });
    await db().session((s) => s.exec(asSuperuser(`DELETE FROM audit_log WHERE entry_id >= 16`)));
    expect((await verifyAuditChain(db())).firstBreak).toMatchObject({ entryId: 5 });
  });
});

describe('an entry about thousands of customers', () => {
  const db = useDb();

  it('keeps them one per row under the chain: a customer removed or added behind the trigger breaks it at that entry', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `K${String(i).padStart(6, '0')}`);
    await recordAuditDb(db(), { actor: 'S1', action: 'sign_in', outcome: 'allowed' });
    const entryId = await recordAuditDb(db(), { actor: 'S1', action: 'export', customerIds: ids, outcome: 'allowed', detail: { what: 'worklist_sheet' } });
    await recordAuditDb(db(), { actor: 'S1', action: 'sign_in', outcome: 'allowed' });
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, entries: 3 });
    // the database refuses the change itself
    await expect(db().session((s) => s.query(`DELETE FROM audit_customers WHERE customer_id = 'K000007'`))).rejects.toThrow(/append-only/);
    const behind = (sql: string) => `ALTER TABLE audit_customers DISABLE TRIGGER audit_customers_append_only; ${sql}; ALTER TABLE audit_customers ENABLE TRIGGER audit_customers_append_only`;
    await db().session((s) => s.exec(behind(`DELETE FROM audit_customers WHERE customer_id = 'K000007'`)));
    expect((await verifyAuditChain(db())).firstBreak).toMatchObject({ entryId, problem: 'changed' });
    await db().session((s) => s.exec(behind(`UPDATE audit_customers SET customer_id = 'K000007' WHERE customer_id = 'K000008'`)));
    expect((await verifyAuditChain(db())).firstBreak).toMatchObject({ entryId, problem: 'changed' });
  });
});

describe('pruning the audit trail', () => {
  const db = useDb();
  const NOW = new Date('2026-11-20T10:00:00+08:00');

  it('refuses a date younger than six months, with the latest date allowed', async () => {
    await expect(pruneAudit(db(), '2026-06-01', null, NOW)).rejects.toThrow(
      'Audit entries are kept at least six months: --before 2026-06-01 would remove younger ones. The latest date you may give today is 2026-05-20.',
    );
    await expect(pruneAudit(db(), '2026-13-01', null, NOW)).rejects.toThrow(/--before must be a date like/);
  });

  it('removes the old prefix of the chain and leaves it verifiable from an anchor', async () => {
    const old = ['2025-01-05T09:00:00+08:00', '2025-02-05T09:00:00+08:00', '2025-03-05T09:00:00+08:00'];
    for (const at of old) await db().session((s) => s.query(`INSERT INTO audit_log (at, actor, action, outcome) VALUES ($1, 'S1', 'sign_in', 'allowed')`, [at]));
    await recordAuditDb(db(), { actor: 'S1', action: 'reveal', customerIds: ['C1'], fields: ['phone'], outcome: 'allowed', reason: 'recent' });
    const r = await pruneAudit(db(), '2025-03-01', 'admin', NOW);
    expect(r).toEqual({ removed: 2, anchorId: 2 });
    const v = await verifyAuditChain(db());
    expect(v).toMatchObject({ intact: true, entries: 3, firstEntryId: 3, lastEntryId: 5, anchor: { entryId: 2 } });
    const last = (await db().session((s) => s.query<{ action: string; detail: unknown }>('SELECT action, detail FROM audit_log ORDER BY entry_id DESC LIMIT 1'))).rows[0];
    expect(last).toEqual({ action: 'audit_prune', detail: { before: '2025-03-01', removed: 2, anchorId: 2 } });
  });

  it('does not prune a broken chain', async () => {
    await db().session((s) => s.exec(asSuperuser(`UPDATE audit_log SET actor = 'S2' WHERE entry_id = 4`)));
    await expect(pruneAudit(db(), '2025-04-01', null, NOW)).rejects.toThrow(/broken at entry 4; nothing was pruned/);
  });
});
