import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// A customer manager shows a customer's phone with a reason; the value is there for that view
// only; the branch head finds the entry on the audit page.

const stratum = useStratum();
const loginOf = (role: string) => stratum.loginOf(role);

describe('revealing a phone and the audit page', () => {
  it('a manager reveals a phone with a reason, and the branch head sees the entry on the audit page', async () => {
    const manager = loginOf('customer_manager');
    const head = loginOf('branch_head');
    const pick = await stratum.run.db.session((s) =>
      s.query<{ customer_id: string; phone: string }>(
        // of the manager's own outlet, which the head heads (a household's owner may also own a
        // member at another outlet, outside the head's scope)
        `SELECT c.customer_id, c.phone FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
          WHERE o.staff_id = $1 AND c.phone IS NOT NULL AND c.branch_id = (SELECT branch_id FROM staff WHERE staff_id = $1)
          ORDER BY c.customer_id LIMIT 1`,
        [manager.login],
      ),
    );
    const customer = pick.rows[0];
    if (!customer) throw new Error('the manager owns no customer with a phone');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${customer.customer_id}`, manager.login);
    await page.getByTestId('masked-phone').waitFor();
    // the page settled (its cards loaded) before the dialog is opened
    await settle(page);
    const masked = await page.getByTestId('masked-phone').textContent();
    expect(masked).toBe(`${customer.phone.slice(0, 3)}****${customer.phone.slice(-4)}`);
    await page.getByTestId('reveal-phone').click();
    // no reason: refused at the field, nothing asked of the server
    await page.getByTestId('reveal-confirm-phone').click();
    await page.getByText('请写明查看原因（4–200 个字）').waitFor();
    await page.getByTestId('reveal-reason-phone').fill('客户来电要求回拨确认');
    // the dialog as the user sees it: the window, not the whole page (a whole-page picture now and
    // then left the dialog closed, the page drawn again at its full height)
    await screenshot(page, 'pii-01-reveal-reason-zh', { fullPage: false });
    await page.getByTestId('reveal-confirm-phone').click();
    await expect.poll(() => page.getByTestId('revealed-phone').textContent()).toBe(customer.phone);
    await screenshot(page, 'pii-02-phone-revealed-zh');
    // for that view only: back on the page, it is masked again
    await page.goto(`${stratum.run.url}/customers`);
    await page.goto(`${stratum.run.url}/customers/${customer.customer_id}`);
    await page.getByTestId('masked-phone').waitFor();
    expect(await page.locator('body').textContent()).not.toContain(customer.phone);
    await page.getByTestId('sign-out').click();
    await page.locator('#login').waitFor();

    const headPage = await newPage(stratum.run, 'en-US');
    await stratum.signIn(headPage, '/audit', head.login);
    await headPage.getByTestId('audit-page').waitFor();
    await headPage.getByTestId('audit-customer').fill(customer.customer_id);
    await headPage.getByTestId('audit-search').click();
    const row = headPage.getByTestId('audit-row').filter({ hasText: '客户来电要求回拨确认' });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(manager.login);
    expect(rowText).toContain('Full view');
    expect(rowText).toContain('phone');
    expect(rowText).toContain('Allowed');
    expect(rowText).not.toContain(customer.phone);
    await screenshot(headPage, 'pii-03-audit-page-en');
  });
});
