import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useStratumCli } from '../../../test/cli-run.js';
import { openDb } from '../../platform/db.js';
import { A, B, M1, M2, MID, seedPerformanceBank } from './performance.test-support.js';

// `stratum report managers --from A --to B [--branch X]` as an operator runs it (issue 20 §1): CSV
// with exactly the first columns, money in yuan with 2 decimals, against the hand-computed
// bank of performance.test-support.ts.

const stratum = useStratumCli();

const FIRST = 'staff_id,customers,aum_end,aum_start,deposits_end,deposits_start,signed,contacts,plan_done,plan_items,up_moves,down_moves,churned';

describe('stratum report managers', () => {
  it('prints a line per staff member with the issue’s columns first, for the bank or a branch', async () => {
    expect((await stratum('db', 'migrate')).code).toBe(0);
    const env = stratum.env();
    const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
    try {
      await seedPerformanceBank(db);
    } finally {
      await db.close();
    }
    const all = await stratum('report', 'managers', '--from', A, '--to', B);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]?.startsWith(`${FIRST},`)).toBe(true);
    const m1 = lines.find((l) => l.startsWith(`${M1},`));
    expect(m1?.split(',').slice(0, 13).join(',')).toBe(`${M1},4,650000.00,705999.99,350000.00,205999.99,1,2,1,2,1,2,2`);

    const branch = await stratum('report', 'managers', '--from', A, '--to', B, '--branch', 'B112');
    expect(branch.code, branch.stderr).toBe(0);
    expect(branch.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual([M2]);
    expect(branch.stdout.split('\n')[1]?.split(',').slice(0, 6).join(',')).toBe(`${M2},1,50000.00,50000.00,50000.00,50000.00`);

    const missing = await stratum('report', 'managers', '--from', '2026-11-01', '--to', B);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`2026-11-01 is not a loaded business date (the nearest: ${A}, ${MID})`);
    const unknown = await stratum('report', 'managers', '--from', A, '--to', B, '--branch', 'B999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no branch B999');
    expect((await stratum('report', 'managers', '--from', 'yesterday', '--to', B)).stderr).toContain("--from must be a date like 2026-11-20, not 'yesterday'");
  }, 300_000); // three loads and batches, then five commands, each a process of its own
});
