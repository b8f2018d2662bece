import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Issue 20 §2 in the browser, over the demo bank (400 customers × 8 days loaded, the batch run for
// the last): the branch head opens the branch dashboard, is told which dates the batch has not
// counted, sees the AUM by band and the events per staff member, and opens the reminders behind a
// number; the department compares the branches, opens the ones under a branch, and goes to a
// branch's dashboard from its row.

const stratum = useStratum();

describe('the dashboards', () => {
  it('a branch head reads the period’s figures and opens the reminders behind a number', async () => {
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/dashboards/branch', stratum.loginOf('branch_head').login);
    await page.getByTestId('branch-dashboard').waitFor();
    await page.getByTestId('headline-events').waitFor();
    await settle(page);
    await expect(page.getByTestId('dashboard-period').textContent()).resolves.toContain(`→ ${stratum.run.businessDate}`);
    // the batch ran for the last date only: the dates before it are named
    await expect(page.getByTestId('dashboard-missing').textContent()).resolves.toContain('批处理尚未统计');
    await page.getByTestId('bands-chart').waitFor();
    await screenshot(page, 'dashboards-branch');
    const raised = page.getByTestId('events-table').locator('[data-testid^="raised-"]').first();
    const shown = Number(((await raised.textContent()) ?? '0').replace(/,/g, ''));
    expect(shown).toBeGreaterThan(0);
    await raised.click();
    const drawer = page.getByTestId('dashboard-items');
    await drawer.waitFor();
    await settle(page);
    const rows = drawer.getByTestId('dashboard-items-table').locator('tbody tr.ant-table-row');
    await expect(rows.count()).resolves.toBe(Math.min(shown, 20));
    await expect(rows.first().locator('a[href^="/customers/"]').count()).resolves.toBe(1);
    await screenshot(page, 'dashboards-branch-events');
    await page.context().close();
  });

  it('the department compares the branches, opens the ones under a branch, and goes to its dashboard', async () => {
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/dashboards/branches', stratum.loginOf('pb_dept').login);
    await page.getByTestId('branches-ranking').waitFor();
    await page.getByTestId('ranking-table').waitFor();
    await settle(page);
    await page.getByTestId('ranking-chart').waitFor();
    const rows = await page.getByTestId('ranking-table').locator('tbody tr.ant-table-row').count();
    expect(rows).toBeGreaterThan(0);
    await screenshot(page, 'dashboards-branches');
    const drill = page.locator('[data-testid^="rank-drill-"]').first();
    const id = ((await drill.getAttribute('data-testid')) ?? '').replace('rank-drill-', '');
    await drill.click();
    await settle(page);
    expect(new URL(page.url()).searchParams.get('branchId')).toBe(id);
    await expect(page.getByTestId('ranking-parent').textContent()).resolves.toContain('Branches under');
    await page.getByTestId('ranking-table').getByRole('link', { name: 'Dashboard' }).first().click();
    await page.getByTestId('branch-dashboard').waitFor();
    await settle(page);
    await expect(page.getByTestId('headline-churn').textContent()).resolves.toContain('Churned customers');
    await page.context().close();
  });
});
