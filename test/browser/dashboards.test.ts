import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Issue 20 §2 in the browser, over the demo bank (400 customers × 8 days, each date's batch run):
// the branch head opens the branch dashboard, sees the month's figures and the AUM by band, and
// opens the list behind a number; the department compares the branches, opens the ones under a
// branch, and goes to a branch's dashboard from its row.

const stratum = useStratum();

describe('the dashboards', () => {
  it('a branch head reads the period’s figures and opens the list behind plan execution', async () => {
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/dashboards/branch', stratum.loginOf('branch_head').login);
    await page.getByTestId('branch-dashboard').waitFor();
    await page.getByTestId('headline-plans').waitFor();
    await settle(page);
    await expect(page.getByTestId('dashboard-period').textContent()).resolves.toContain(`→ ${stratum.run.businessDate}`);
    await page.getByTestId('bands-chart').waitFor();
    await expect(page.getByTestId('plans-table').locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'dashboards-branch');
    await page.getByTestId('headline-plans-open').click();
    const drawer = page.getByTestId('dashboard-items');
    await drawer.waitFor();
    await settle(page);
    await expect(drawer.getByTestId('dashboard-items-table').locator('tbody tr').first().textContent()).resolves.toBeTruthy();
    await screenshot(page, 'dashboards-branch-plan-items');
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
