import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useStratumCli } from '../../../test/cli-run.js';
import { buildFullDay, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openDb, type Db } from '../../platform/db.js';

// `stratum households export [--date D]` as an operator runs it: the households of the date as CSV
// with exactly the columns of issue 23, audited as exports are.

const stratum = useStratumCli({ timeout: 120_000 });

async function commandDb(): Promise<Db> {
  const env = stratum.env();
  return env.DATABASE_URL ? openDb({ databaseUrl: env.DATABASE_URL }) : openDb({ dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
}

describe('stratum households export', () => {
  it('prints the columns, one row per member, the head first, and is audited', async () => {
    // C1 (152,300) and C2 (999.99) are spouses
    const day = { ...buildFullDay(), relations: [{ customer_id: 'C2', related_customer_id: 'C1', relation: 'spouse' }] };
    const load = await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, day));
    expect(load.code, load.stderr).toBe(0);
    const none = await stratum('households', 'export');
    expect([none.code, none.stdout]).toEqual([0, 'household_id,customer_id,relation_to_head,household_aum,household_band\n']);

    const batch = await stratum('batch', 'run', '--date', '2026-11-20');
    expect(batch.code, batch.stderr).toBe(0);
    const out = await stratum('households', 'export', '--date', '2026-11-20');
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('household_id,customer_id,relation_to_head,household_aum,household_band');
    expect(lines.slice(1)).toEqual(['HC1,C1,self,153299.99,band_2', 'HC1,C2,spouse,153299.99,band_2']);
    expect((await stratum('households', 'export', '--date', '20261120')).stderr).toContain("--date must be a date like 2026-11-20, not '20261120'");

    const check = await commandDb();
    try {
      const audit = await check.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export' AND detail->>'what' = 'households'`));
      expect(audit.rows[0]?.n).toBe(2);
    } finally {
      await check.close();
    }
  }, 300_000);
});
