import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Issue 20 §1 in the browser, over the small demo bank: the branch head opens 管户业绩统计, reads
// the manager's line (customers and AUM at the end as the database has them), opens the customers
// behind the number, switches to the branches and downloads the sheet; the manager reads their own
// line only; the page in English.

const stratum = useStratum();
const sql = async <T extends object>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<T>(text, params))).rows;

/** The manager's customers on the business date as the report counts them: primary owner then, in the feed then. */
async function ownedOnDate(staffId: string, date: string) {
  const r = await sql<{ n: number; aum: string }>(
    `SELECT count(*)::int AS n, coalesce(sum(b.aum), 0)::text AS aum
       FROM owner_history h JOIN balance_snapshots b ON b.customer_id = h.customer_id AND b.business_date = $2::date
      WHERE h.staff_id = $1 AND h.kind = 'primary' AND h.from_date <= $2::date AND (h.to_date IS NULL OR h.to_date > $2::date)`,
    [staffId, date],
  );
  return r[0] ?? { n: 0, aum: '0' };
}

describe('manager performance (管户业绩统计)', () => {
  it('the branch head reads each manager’s line, opens the customers behind it, the branches and the sheet', async () => {
    const head = stratum.loginOf('branch_head');
    const manager = stratum.loginOf('customer_manager');
    const owned = await ownedOnDate(manager.login, stratum.run.businessDate);
    expect(owned.n).toBeGreaterThan(0);

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/performance', head.login);
    await page.getByTestId('performance-page').waitFor();
    await settle(page);
    await expect.poll(async () => page.getByTestId('perf-period').textContent()).toContain(stratum.run.businessDate);
    const row = page.locator('[data-testid=perf-staff] tr.ant-table-row', { hasText: manager.login });
    await row.waitFor();
    // the customers figure is the database's count; the AUM is shown in 万
    await expect.poll(async () => row.getByTestId('drill-customers').textContent()).toBe(owned.n.toLocaleString('en-US'));
    await screenshot(page, 'performance-head');

    await row.getByTestId('drill-customers').click();
    const drawer = page.getByTestId('perf-drill');
    await drawer.waitFor();
    await settle(page);
    // the customers behind the number that the head may open: those of the head's branches (a household
    // can keep a member of another outlet with the household's owner; the line counts it, the list does not show it)
    const [inScope] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM owner_history h JOIN balance_snapshots b ON b.customer_id = h.customer_id AND b.business_date = $2::date
         JOIN customers c ON c.customer_id = h.customer_id
        WHERE h.staff_id = $1 AND h.kind = 'primary' AND h.from_date <= $2::date AND (h.to_date IS NULL OR h.to_date > $2::date)
          AND c.branch_id IN (SELECT b2.branch_id FROM branches b2 WHERE b2.branch_id = (SELECT st.branch_id FROM staff st WHERE st.staff_id = $3) OR b2.parent_id = (SELECT st.branch_id FROM staff st WHERE st.staff_id = $3))`,
      [manager.login, stratum.run.businessDate, head.login],
    );
    await expect.poll(async () => drawer.textContent()).toContain(`共 ${inScope?.n ?? 0} 位客户`);
    const firstLink = drawer.locator('a[href^="/customers/"]').first();
    expect(await firstLink.getAttribute('href')).toMatch(/^\/customers\/.+/);
    await screenshot(page, 'performance-drill');
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: '按机构' }).click();
    await page.getByTestId('perf-branches').locator('tr.ant-table-row').first().waitFor();

    // the sheet: a plain link the session's cookie downloads
    const href = await page.getByTestId('perf-download').getAttribute('href');
    expect(href).toMatch(/^\/api\/performance\/sheet\?/);
    const cookies = await page.context().cookies();
    const res = await fetch(`${stratum.run.url}${href}`, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'accept-language': 'zh' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    await page.context().close();
  });

  it('a manager reads their own line only, in English', async () => {
    const manager = stratum.loginOf('customer_manager');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/performance', manager.login);
    await page.getByTestId('performance-page').waitFor();
    await settle(page);
    await page.getByRole('heading', { name: 'Manager performance' }).waitFor();
    const rows = page.locator('[data-testid=perf-staff] tr.ant-table-row');
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(manager.login);
    // no branch choice and no per-branch tab for one's own line
    expect(await page.getByTestId('perf-branch').count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'By branch' }).count()).toBe(0);
    await screenshot(page, 'performance-manager-en');
    await page.context().close();
  });
});
