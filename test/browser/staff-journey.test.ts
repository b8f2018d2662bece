import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot, useStratum } from './harness.js';

// A customer manager's first morning: sign in, find a customer by the phone tail they were
// given, open the 360 page, read it in English, sign out. And a forgotten password.

const stratum = useStratum();
const loginOf = (role: string) => stratum.loginOf(role);

async function signIn(page: Page, login: string, password: string) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.getByTestId('sign-in-submit').click();
}

describe('a customer manager at work', () => {
  it('signs in, finds a customer by phone tail, opens the 360 page, switches language, signs out', async () => {
    const manager = loginOf('customer_manager');
    // a customer the manager owns whose phone tail is unique among the manager's customers
    const pick = await stratum.run.db.session((s) =>
      s.query<{ customer_id: string; name: string; phone: string; branch_name: string }>(
        `SELECT c.customer_id, c.name, c.phone, b.name AS branch_name FROM customers c
          JOIN branches b ON b.branch_id = c.branch_id
          JOIN customer_owners o ON o.customer_id = c.customer_id AND o.staff_id = $1
          WHERE c.status = 'active' AND c.phone IS NOT NULL
            AND (SELECT count(*) FROM customers d JOIN customer_owners x ON x.customer_id = d.customer_id AND x.staff_id = $1
                  WHERE right(d.phone, 4) = right(c.phone, 4)) = 1
          ORDER BY c.customer_id LIMIT 1`,
        [manager.login],
      ),
    );
    const customer = pick.rows[0];
    if (!customer) throw new Error('no customer with a unique phone tail in the outlet');
    const tail = customer.phone.slice(-4);

    const page = await newPage(stratum.run, 'zh-CN');
    await page.goto(`${stratum.run.url}/customers`);
    await page.locator('#login').waitFor();
    await screenshot(page, '01-sign-in-zh');
    await signIn(page, manager.login, stratum.run.password);

    await expect.poll(() => page.getByTestId('user-name').textContent()).toContain(manager.name);
    expect(await page.getByTestId('user-role').textContent()).toBe('个人客户经理');
    await page.getByTestId('customer-search').fill(tail);
    await page.getByTestId('customer-search').press('Enter');
    const row = page.locator(`tr[data-row-key="${customer.customer_id}"]`);
    await row.waitFor();
    await expect.poll(() => page.locator('tbody tr[data-row-key]').count()).toBe(1);
    expect(await row.textContent()).toContain(customer.name);
    expect(await row.textContent()).toContain(`****${tail}`);
    expect(page.url()).toContain(`q=${tail}`);
    // the branch's name is shown whole (its column was once squeezed to a letter beside the fixed-width ones)
    const branchCell = row.locator('td').nth(4);
    expect(await branchCell.textContent()).toBe(customer.branch_name);
    const fit = await branchCell.evaluate((el) => {
      const cell = el as unknown as { getBoundingClientRect(): { width: number }; scrollWidth: number; clientWidth: number };
      return { width: cell.getBoundingClientRect().width, clipped: cell.scrollWidth > cell.clientWidth };
    });
    expect(fit.width).toBeGreaterThanOrEqual(120);
    expect(fit.clipped).toBe(false);
    await screenshot(page, '02-customer-list-search-zh');

    await row.click();
    await page.getByTestId('customer-360').waitFor();
    expect(await page.getByTestId('customer-name').textContent()).toContain(customer.name);
    expect(await page.getByTestId('customer-id').textContent()).toBe(customer.customer_id);
    await page.getByTestId('aum-chart').locator('canvas').waitFor();
    // the customer's tiers, each with the reason
    await page.getByTestId('tier-aum_band').waitFor();
    const band = await stratum.run.db.session((s) => s.query<{ tier: string }>(`SELECT tier FROM customer_tiers WHERE customer_id = $1 AND model = 'aum_band'`, [customer.customer_id]));
    expect(await page.getByTestId('tier-aum_band').getAttribute('data-tier')).toBe(band.rows[0]?.tier);
    expect(await page.getByTestId('tier-aum_band-because').textContent()).toMatch(/^AUM .*万/);
    const body = (await page.content()) ?? '';
    expect(body).not.toContain(customer.phone);
    expect(body).toContain(`${customer.phone.slice(0, 3)}****${tail}`);
    await screenshot(page, '03-customer-360-zh');

    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('user-role').textContent()).toBe('Customer manager');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByTestId('customer-360').waitFor();
    expect(await page.getByTestId('user-role').textContent()).toBe('Customer manager');
    await screenshot(page, '04-customer-360-en');

    await page.getByTestId('sign-out').click();
    await page.locator('#login').waitFor();
    await page.goto(`${stratum.run.url}/customers/${customer.customer_id}`);
    await page.locator('#login').waitFor();
    expect(await page.getByTestId('customer-360').count()).toBe(0);
    await page.context().close();
  });

  it('five wrong passwords lock the account; the page says how locking works without telling anyone whether this account is locked', async () => {
    const teller = loginOf('counter_teller');
    const page = await newPage(stratum.run, 'zh-CN');
    await page.goto(stratum.run.url);
    await page.locator('#login').waitFor();
    for (let i = 1; i <= 4; i++) {
      await signIn(page, teller.login, `wrong-${i}-pass`);
      await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('员工号或密码不正确');
    }
    await signIn(page, teller.login, 'wrong-5-pass');
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('连续 5 次输错，账户将锁定 15 分钟');
    await screenshot(page, '05-sign-in-locked-zh');
    // even the right password is refused while locked, with the same words as a wrong one
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST');
    await signIn(page, teller.login, stratum.run.password);
    expect((await answer).status()).toBe(401);
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('员工号或密码不正确');
    expect(await page.getByTestId('user-name').count()).toBe(0);
    await page.context().close();
  });

  it('the department simulates a draft policy, sees who would move, and publishes it with a reason', async () => {
    const dept = loginOf('pb_dept');
    const page = await newPage(stratum.run, 'zh-CN');
    await page.goto(`${stratum.run.url}/policies?model=aum_band`);
    await page.locator('#login').waitFor();
    await signIn(page, dept.login, stratum.run.password);
    await page.getByTestId('policies-page').waitFor();
    await page.getByTestId('edit-draft').click();
    const editor = page.getByTestId('policy-editor');
    const yaml = (await editor.inputValue()).replace('min: 500000', 'min: 400000');
    await editor.fill(yaml);
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulation-result').waitFor();
    const moved = await stratum.run.db.session((s) =>
      s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer_facts f JOIN customer_tiers t ON t.customer_id = f.customer_id AND t.model = 'aum_band'
                               WHERE t.tier = 'band_3' AND f.aum >= 400000 AND f.business_date = (SELECT max(business_date) FROM customer_facts)`),
    );
    expect(await page.getByTestId('simulation-moved').textContent()).toContain(String(moved.rows[0]?.n));
    await screenshot(page, '07-policy-simulation-zh');
    // a broken draft: the problem is shown with where it is
    await editor.fill(yaml.replace('fact: aum\n', 'fact: aum_avg_mtd2\n'));
    await page.getByTestId('simulate').click();
    await expect.poll(() => page.getByTestId('policy-errors').textContent()).toContain("unknown fact 'aum_avg_mtd2'");
    // the corrected draft is published with a reason, from tomorrow; without a reason it is refused
    await editor.fill(yaml);
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.locator('.ant-modal .ant-form-item-explain-error').first().textContent()).toContain('请填写');
    await page.getByTestId('publish-reason').fill('总行通知：500万级门槛下调至40万试行');
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.locator('.ant-message').textContent()).toMatch(/已发布 v\d+/);
    const published = await stratum.run.db.session((s) =>
      s.query<{ reason: string }>(`SELECT reason FROM policies WHERE model = 'aum_band' ORDER BY version DESC LIMIT 1`),
    );
    expect(published.rows[0]?.reason).toBe('总行通知：500万级门槛下调至40万试行');
    await page.context().close();
  });

  it('an English browser gets the English app, and the menu shows only what the role may use', async () => {
    const head = loginOf('branch_head');
    const page = await newPage(stratum.run, 'en-US');
    await page.goto(stratum.run.url);
    await page.locator('#login').waitFor();
    expect(await page.getByTestId('sign-in-submit').textContent()).toMatch(/sign in/i);
    await signIn(page, head.login, stratum.run.password);
    await expect.poll(() => page.getByTestId('user-role').textContent()).toBe('Branch head');
    await page.goto(`${stratum.run.url}/customers`);
    await page.locator('tbody tr[data-row-key]').first().waitFor();
    await screenshot(page, '06-customer-list-en');
    await page.context().close();
  });
});
