import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFullDay, buildStaff, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { useStratumCli } from '../../../test/cli-run.js';
import { openDb, type Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import { cancelSigning, requestSigning } from './signings.service.js';

// `stratum suitability check` and `stratum signings export` as an operator or a job runs them, on
// the engine of this run: the answer on standard output, exit 0 (suitable) or 3 (unsuitable), 1 for
// an error; the vouchers as CSV.

const stratum = useStratumCli({ timeout: 120_000 });

/** The command's own database, opened in this process between two commands. */
async function commandDb(): Promise<Db> {
  const env = stratum.env();
  return env.DATABASE_URL ? openDb({ databaseUrl: env.DATABASE_URL }) : openDb({ dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
}

/** The department (every customer in scope) as the signing staff member. */
function department(staffId: string): SignedInUser {
  return { login: staffId, name: staffId, role: 'pb_dept', staffId, branchId: null, branchName: null, permissions: [], scope: null, ownerId: null, masked: false, csrfToken: '', tokenHash: '' };
}

describe('stratum suitability check and stratum signings export', () => {
  it('checks a product for a customer: exit 0 or 3, the reason on standard output; 1 for no such customer', async () => {
    const day = buildFullDay();
    day.products = [...(day.products ?? []), { product_code: 'FD4', name: '成长基金4号', kind: 'fund', risk_level: 'R4', min_amount: '1000' }];
    // C1: C3 assessed 2025-11-20 (365 days before the bank's date); C2: 65 on 2026-11-20, C5
    day.customers = (day.customers ?? []).map((c) =>
      c.customer_id === 'C1' ? { ...c, risk_assessed_on: '2025-11-20' } : { ...c, risk_level: 'C5', birth_date: '1961-11-20', risk_assessed_on: '' },
    );
    const load = await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, day));
    expect(load.code, load.stderr).toBe(0);

    const ok = await stratum('suitability', 'check', '--customer', 'C1', '--product', 'WM1');
    expect([ok.code, ok.stdout]).toEqual([0, 'suitable\n']);
    const above = await stratum('suitability', 'check', '--customer', 'C1', '--product', 'FD4');
    expect([above.code, above.stdout]).toEqual([3, "unsuitable: the product's risk R4 is above the customer's risk tolerance C3: only products up to R3 suit\n"]);
    // a day later the assessment is 366 days old
    const expired = await stratum('suitability', 'check', '--customer', 'C1', '--product', 'WM1', '--date', '2026-11-21');
    expect(expired.code).toBe(3);
    expect(expired.stdout).toBe("unsuitable: the customer's risk assessment (C3, made on 2025-11-20) has expired since 2026-11-21, so only R1 products suit; this product is R2\n");
    expect((await stratum('suitability', 'check', '--customer', 'C1', '--product', 'CUR', '--date', '2026-11-21')).code).toBe(0);
    const senior = await stratum('suitability', 'check', '--customer', 'C2', '--product', 'FD4');
    expect(senior.code).toBe(0);
    expect(senior.stdout).toMatch(/^suitable: only with a second staff member's confirmation \(.*the customer is 65 \(65 or over\)/);
    const none = await stratum('suitability', 'check', '--customer', 'C9', '--product', 'WM1');
    expect([none.code, none.stderr.trim()]).toEqual([1, 'stratum: There is no such customer.']);
    expect((await stratum('suitability', 'check', '--customer', 'C1', '--product', 'NOPE')).stderr).toContain('There is no such product');
    expect((await stratum('suitability', 'check', '--customer', 'C1', '--product', 'WM1', '--date', '20261121')).stderr).toContain("--date must be a date like 2026-11-20, not '20261121'");
  }, 240_000);

  it('exports every voucher as CSV with its status', async () => {
    const empty = await stratum('signings', 'export');
    expect([empty.code, empty.stdout]).toEqual([0, 'agreement_no,customer_id,customer_name,qualified_grades,applied_grade,signed_at,status\n']);
    const batch = await stratum('batch', 'run', '--date', '2026-11-20');
    expect(batch.code, batch.stderr).toBe(0);
    // C1 (AUM 15.23万) signs gold at once; C2 is approved nothing: a pending request has no voucher. C1's gold is then cancelled and signed again.
    const staff = buildStaff()[0]?.staff_id ?? 'S1';
    const db = await commandDb();
    try {
      const a = { user: department(staff), ip: null, lang: 'en' as const };
      const first = await requestSigning(db, a, 'C1', 'gold');
      expect(first.status).toBe('signed');
      expect((await requestSigning(db, a, 'C2', 'gold')).status).toBe('pending_approval');
      await cancelSigning(db, a, 'C1', first.signing.signingId, { reason: 'customer asked' });
      expect((await requestSigning(db, a, 'C1', 'gold')).status).toBe('signed');
    } finally {
      await db.close();
    }
    const csv = await stratum('signings', 'export');
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('agreement_no,customer_id,customer_name,qualified_grades,applied_grade,signed_at,status');
    expect(lines.slice(1).map((l) => l.split(',').slice(1).filter((_, i) => i !== 4))).toEqual([
      ['C1', '张三明', 'gold', 'gold', 'cancelled'],
      ['C1', '张三明', 'gold', 'gold', 'signed'],
    ]);
    for (const l of lines.slice(1)) expect(l).toMatch(/^QY\d{13,},C1,张三明,gold,gold,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00,(signed|cancelled)$/);
    const day = lines[1]?.split(',')[5]?.slice(0, 10) ?? '';
    expect((await stratum('signings', 'export', '--from', day, '--to', day)).stdout.trim().split('\n')).toHaveLength(3);
    expect((await stratum('signings', 'export', '--to', '2000-01-01')).stdout.trim().split('\n')).toHaveLength(1);
    expect((await stratum('signings', 'export', '--from', 'yesterday')).stderr).toContain("--from must be a date like 2026-11-20, not 'yesterday'");
  }, 240_000);
});
