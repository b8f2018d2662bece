import { describe, expect, it } from 'vitest';
import { newPage, screenshot, useStratum } from './harness.js';

// Customer groups and message templates in the browser (issue 21 §1–2): the branch head builds a
// group from the filter, sees the count the database holds for their subtree change as the filter
// narrows, and saves it; a manager writes a marketing template and sees its characters, segments
// and the opt-out line, in English.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

/** The active customers of a branch head's subtree, optionally holding a time deposit on the latest date. */
async function subtreeCount(headLogin: string, timeDeposit: boolean): Promise<number> {
  const [row] = await sql<{ n: string }>(
    `WITH RECURSIVE tree AS (SELECT branch_id FROM branches WHERE branch_id = (SELECT branch_id FROM staff WHERE staff_id = $1)
                             UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
     SELECT count(*) AS n FROM customer_overview o
      WHERE o.status = 'active' AND o.branch_id IN (SELECT branch_id FROM tree)
        AND (NOT $2 OR EXISTS (SELECT 1 FROM balance_snapshots b WHERE b.customer_id = o.customer_id AND b.business_date = o.aum_date AND b.time_deposit > 0))`,
    [headLogin, timeDeposit],
  );
  return Number(row?.n ?? 0);
}

describe('customer groups in the web app', () => {
  it('the branch head builds a group, sees the count narrow as the filter does, and saves it', async () => {
    const head = stratum.loginOf('branch_head');
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/groups', head.login);
    await page.getByTestId('groups-page').waitFor();
    const all = await subtreeCount(head.login, false);
    expect(all).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('group-count').textContent(), { timeout: 20_000 }).toBe(String(all));

    await page.getByTestId('group-products').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '定期存款' }).click();
    await page.keyboard.press('Escape');
    const withDeposit = await subtreeCount(head.login, true);
    expect(withDeposit).toBeLessThan(all);
    await expect.poll(() => page.getByTestId('group-count').textContent(), { timeout: 20_000 }).toBe(String(withDeposit));
    const rows = await page.getByTestId('group-preview').locator('tbody tr.ant-table-row').count();
    expect(rows).toBe(Math.min(20, withDeposit));

    await page.getByTestId('group-name').fill('定期存款客户');
    await page.getByTestId('group-save').click();
    await expect.poll(async () => (await sql<{ name: string }>(`SELECT name FROM customer_groups WHERE created_by = $1`, [head.login])).map((g) => g.name)).toEqual(['定期存款客户']);
    await expect.poll(() => page.getByTestId('group-list').textContent()).toContain('定期存款客户');
    await screenshot(page, 'groups-01-filter-count-zh');
    await page.context().close();
  });

  it('a manager writes a marketing template and sees its characters and segments, the opt-out line counted, in English', async () => {
    const manager = stratum.loginOf('customer_manager');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/templates', manager.login);
    await page.getByTestId('templates-page').waitFor();
    await page.getByTestId('template-name').fill('Salon invitation');
    await page.getByTestId('template-body').fill('字'.repeat(64));
    await expect.poll(() => page.getByTestId('template-segments').textContent()).toBe('1 SMS');
    expect(await page.getByTestId('template-chars').textContent()).toBe('70 characters');
    expect(await page.getByTestId('template-message').textContent()).toBe(`${'字'.repeat(64)}拒收请回复R`);
    await page.getByTestId('template-body').fill('字'.repeat(65));
    await expect.poll(() => page.getByTestId('template-segments').textContent()).toBe('2 SMS');
    await page.getByTestId('template-body').fill('{姓名}您好，{姓}');
    await expect.poll(() => page.getByText('unknown placeholder {姓} at character 8', { exact: true }).count()).toBe(1);
    await page.getByTestId('template-body').fill('{姓名}{称谓}您好，{网点}本周六举办理财沙龙。');
    await expect.poll(() => page.getByTestId('template-message').textContent()).toBe('{姓名}{称谓}您好，{网点}本周六举办理财沙龙。拒收请回复R');
    await page.getByTestId('template-save').click();
    await expect.poll(async () => (await sql<{ status: string }>(`SELECT status FROM message_templates WHERE created_by = $1`, [manager.login])).map((x) => x.status)).toEqual(['draft']);
    await expect.poll(() => page.getByTestId('template-list').textContent()).toContain('Salon invitation');
    await screenshot(page, 'groups-02-template-en');
    await page.context().close();
  });
});
