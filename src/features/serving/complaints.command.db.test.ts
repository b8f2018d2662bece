import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useStratumCli } from '../../../test/cli-run.js';
import { buildFullDay, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openDb, type Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import { addNote, createComplaint } from './complaints.service.js';

// `stratum complaints export [--from D --to D]` as an operator runs it: the complaints as CSV with
// exactly the columns of issue 22, times in China time, audited as exports are.

const stratum = useStratumCli({ timeout: 120_000 });

async function commandDb(): Promise<Db> {
  const env = stratum.env();
  return env.DATABASE_URL ? openDb({ databaseUrl: env.DATABASE_URL }) : openDb({ dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
}

describe('stratum complaints export', () => {
  it('prints the columns, one row per complaint of the period, and is audited', async () => {
    const load = await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, buildFullDay()));
    expect(load.code, load.stderr).toBe(0);
    const empty = await stratum('complaints', 'export');
    expect([empty.code, empty.stdout]).toEqual([0, 'complaint_id,customer_id,channel,received_at,band,first_response_due,resolution_due,first_response_at,resolved_at,status,root_cause\n']);

    const db = await commandDb();
    let ids: string[] = [];
    try {
      const staff = (await db.session((s) => s.query<{ staff_id: string; branch_id: string }>(`SELECT staff_id, branch_id FROM staff WHERE active ORDER BY staff_id LIMIT 1`))).rows[0];
      if (!staff) throw new Error('no staff');
      const user: SignedInUser = { login: staff.staff_id, name: staff.staff_id, role: 'pb_dept', staffId: staff.staff_id, branchId: staff.branch_id, branchName: null, permissions: [], scope: null, ownerId: null, masked: false, csrfToken: '', tokenHash: '' };
      const a = { user, ip: '127.0.0.1', lang: 'zh' as const };
      const now = new Date('2026-12-05T10:00:00+08:00');
      const one = await createComplaint(db, a, { channel: 'letter', customerId: 'C1', category: 'fees', description: '来信：年费', receivedAt: '2026-11-30T09:00:00+08:00' }, now);
      await addNote(db, a, one.complaintId, { kind: 'response', body: '已回电' }, now);
      const two = await createComplaint(db, a, { channel: 'counter', personName: '王先生', personPhone: '13800001111', category: 'service', description: '排队久', receivedAt: '2026-12-04T15:00:00+08:00' }, now);
      ids = [one.complaintId, two.complaintId];
    } finally {
      await db.close();
    }

    const all = await stratum('complaints', 'export');
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const [first, second] = lines.slice(1).map((l) => l.split(','));
    expect(first?.slice(0, 4)).toEqual([ids[0], 'C1', 'letter', '2026-11-30T09:00:00+08:00']);
    expect(first?.slice(7, 11)).toEqual(['2026-12-05T10:00:00+08:00', '', 'responded', '']);
    expect(second?.slice(0, 4)).toEqual([ids[1], '', 'counter', '2026-12-04T15:00:00+08:00']);
    expect(second?.slice(5, 7)).toEqual(['2026-12-05T15:00:00+08:00', '2026-12-19T15:00:00+08:00']);
    // the period: received on or after 2026-12-01 (China days)
    const december = await stratum('complaints', 'export', '--from', '2026-12-01', '--to', '2026-12-31');
    expect(december.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual([ids[1]]);
    expect((await stratum('complaints', 'export', '--from', '20261201')).stderr).toContain("--from must be a date like 2026-11-20, not '20261201'");

    const check = await commandDb();
    try {
      const audit = await check.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export' AND detail->>'what' = 'complaints'`));
      expect(audit.rows[0]?.n).toBe(3);
    } finally {
      await check.close();
    }
  }, 300_000);
});
