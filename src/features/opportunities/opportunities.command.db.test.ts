import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useStratumCli } from '../../../test/cli-run.js';
import { buildFullDay, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openDb, type Db } from '../../platform/db.js';
import { CSV_COLUMNS } from './opportunities.sheet.js';
import { seedOpportunities } from './opportunities.test-support.js';

// `stratum opportunities export [--from D --to D]` as an operator runs it, on the engine of this
// run: every opportunity as CSV on standard output (its columns in docs/configuration.md), audited.

const stratum = useStratumCli();

/** The command's database, opened by the test between two commands. */
async function withCliDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const env = stratum.env();
  const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A CSV text's records, quoted fields with commas and line breaks kept whole. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += ch;
  }
  return rows;
}

describe('stratum opportunities export', () => {
  it('prints every opportunity as CSV with its documented columns, keeps a period, and is audited', async () => {
    expect((await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, buildFullDay()))).code).toBe(0);
    await withCliDb(async (db) => {
      await db.session((s) => s.query(`INSERT INTO prospects (prospect_id, name, phone, source, owner_id, branch_id, created_by) VALUES ('P1', '王五', '13911112222', 'walk_in', 'S2', 'B111', 'S2')`));
      await seedOpportunities(db, [
        { id: 'O1', customer: 'C1', owner: 'S2', branch: 'B111', createdOn: '2026-11-18', nextStepOn: '2026-11-24', amount: '200000.00' },
        { id: 'O2', customer: 'C2', owner: 'S2', branch: 'B111', createdOn: '2026-11-01', stage: 'won', closedOn: '2026-11-10', amount: '5000.00' },
        { id: 'O3', prospect: 'P1', owner: 'S2', branch: 'B111', createdOn: '2026-10-01', stageSince: '2026-10-01', nextStepOn: '2026-11-25', target: ['vip_signing', null] },
      ]);
      await db.session((s) => s.query(`UPDATE opportunities SET notes = $1 WHERE opportunity_id = 'O1'`, ['=SUM(A1) 客户说："年底再看", 另约\n下周']));
    });
    const all = await stratum('opportunities', 'export');
    expect(all.code, all.stderr).toBe(0);
    const rows = parseCsv(all.stdout);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows[0]?.join(',')).toBe(
      'opportunity_id,customer_id,prospect_id,owner_id,branch_id,source,target_type,target_code,stage,status,expected_amount,next_step,next_step_on,stage_since,created_on,closed_on,lost_reason,notes',
    );
    const byId = Object.fromEntries(rows.slice(1).map((r) => [r[0], Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]))]));
    expect(Object.keys(byId).sort()).toEqual(['O1', 'O2', 'O3']);
    expect(byId.O1).toMatchObject({ customer_id: 'C1', prospect_id: '', owner_id: 'S2', source: 'walk_in', target_type: 'product_kind', target_code: 'wealth', stage: 'identified', status: 'open', expected_amount: '200000.00', next_step_on: '2026-11-24', created_on: '2026-11-18', closed_on: '' });
    // a comma, a quote and a line break stay in one cell; what a spreadsheet would take for a formula stays text
    expect(byId.O1?.notes).toBe(`'=SUM(A1) 客户说："年底再看", 另约\n下周`);
    expect(byId.O2).toMatchObject({ stage: 'won', status: 'won', closed_on: '2026-11-10', next_step: '' });
    expect(byId.O3).toMatchObject({ customer_id: '', prospect_id: 'P1', target_type: 'vip_signing', target_code: '', status: 'stale' });
    // alive from 11-15 to 11-20: not the one won on 11-10
    const period = await stratum('opportunities', 'export', '--from', '2026-11-15', '--to', '2026-11-20');
    expect(parseCsv(period.stdout).slice(1).map((r) => r[0]).sort()).toEqual(['O1', 'O3']);
    const bad = await stratum('opportunities', 'export', '--from', '20261115');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--from must be a date like 2026-11-20, not '20261115'");
    const reversed = await stratum('opportunities', 'export', '--from', '2026-11-20', '--to', '2026-11-01');
    expect(reversed.stderr).toContain('--from 2026-11-20 is after --to 2026-11-01');
    const audited = await withCliDb((db) =>
      db.session((s) => s.query<{ actor: string | null; customer_ids: string[]; detail: Record<string, unknown> }>(`SELECT actor, customer_ids, detail FROM audit_log WHERE action = 'export' ORDER BY entry_id`)),
    );
    expect(audited.rows.map((r) => [r.actor, [...r.customer_ids].sort(), r.detail.what, r.detail.rows, r.detail.via])).toEqual([
      [null, ['C1', 'C2'], 'opportunities', 3, 'cli'],
      [null, ['C1'], 'opportunities', 2, 'cli'],
    ]);
  }, 240_000);
});
