import { describe, expect, it } from 'vitest';
import { newPage, screenshot, useStratum } from './harness.js';

// Ownership in the browser: a teller refers a customer to the outlet's pool and the customer
// manager accepts it; the branch head accepts proposals in bulk on the assignment workbench.

const stratum = useStratum();
const loginOf = (role: string) => stratum.loginOf(role);

describe('referrals and assignment in the web app', () => {
  it('a teller refers a customer to the pool; the customer manager accepts it and can open the customer, without becoming an owner', async () => {
    const teller = loginOf('vip_teller');
    const manager = loginOf('customer_manager');
    // a customer of the outlet the manager does not own (the teller need not own it either)
    const pick = await stratum.run.db.session((s) =>
      s.query<{ customer_id: string }>(
        `SELECT c.customer_id FROM customers c
          WHERE c.branch_id = (SELECT branch_id FROM staff WHERE staff_id = $1) AND c.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.staff_id = $1)
          ORDER BY c.customer_id LIMIT 1`,
        [manager.login],
      ),
    );
    const customerId = pick.rows[0]?.customer_id ?? '';
    expect(customerId).not.toBe('');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/referrals', teller.login);
    await page.getByTestId('referrals-page').waitFor();
    await page.getByTestId('new-referral').click();
    await page.getByTestId('referral-customer').fill(customerId);
    await page.getByTestId('referral-reason').fill('客户咨询大额存单');
    await screenshot(page, 'ownership-01-referral-form-zh');
    await page.getByTestId('referral-submit').click();
    await expect.poll(async () => (await stratum.run.db.session((s) => s.query(`SELECT 1 FROM referrals WHERE customer_id = $1 AND referrer_id = $2`, [customerId, teller.login]))).rows.length).toBe(1);
    const ref = await stratum.run.db.session((s) => s.query<{ referral_id: string }>(`SELECT referral_id FROM referrals WHERE customer_id = $1 AND referrer_id = $2`, [customerId, teller.login]));
    const referralId = ref.rows[0]?.referral_id ?? '';
    await page.locator(`tr[data-row-key="${referralId}"]`).waitFor();
    expect(await page.getByTestId(`referral-status-${referralId}`).textContent()).toBe('待接受');
    await page.getByTestId('sign-out').click();
    await page.locator('#login').waitFor();

    // the manager: the outlet's open pool referrals are in "mine"
    await stratum.signIn(page, '/referrals', manager.login);
    await page.getByTestId(`referral-accept-${referralId}`).click();
    await expect.poll(() => page.getByTestId(`referral-status-${referralId}`).textContent()).toBe('已接受');
    await screenshot(page, 'ownership-02-referral-accepted-zh');
    // accepting opens the customer's page to the manager while the referral is in progress; it
    // makes no owner (that stays the branch head's decision)
    await page.goto(`${stratum.run.url}/customers/${customerId}`);
    await page.getByTestId('customer-owners').waitFor();
    expect(await page.getByTestId(`owner-${manager.login}`).count()).toBe(0);
  });

  it('a branch head accepts proposals in bulk on the workbench, in English', async () => {
    const head = loginOf('branch_head');
    const open = async () =>
      (await stratum.run.db.session((s) => s.query<{ customer_id: string; staff_id: string }>(`SELECT customer_id, staff_id FROM ownership_proposals WHERE status = 'open' AND branch_id = (SELECT branch_id FROM staff WHERE staff_id = $1) ORDER BY priority`, [head.login]))).rows;
    const before = await open();
    expect(before.length).toBeGreaterThan(2);
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/ownership', head.login);
    await page.getByTestId('assignment-workbench').waitFor();
    const firstTwo = before.slice(0, 2);
    for (const p of firstTwo) await page.locator(`tr[data-row-key="${p.customer_id}"] .ant-checkbox-input`).check();
    expect(await page.getByTestId('proposals-selected').textContent()).toBe('2 selected');
    await screenshot(page, 'ownership-03-workbench-en');
    await page.getByTestId('accept-selected').click();
    await expect.poll(async () => (await open()).length).toBe(before.length - 2);
    for (const p of firstTwo) {
      const owner = await stratum.run.db.session((s) => s.query<{ staff_id: string }>(`SELECT staff_id FROM customer_owners WHERE customer_id = $1 AND kind = 'primary'`, [p.customer_id]));
      expect(owner.rows).toEqual([{ staff_id: p.staff_id }]);
      await page.locator(`tr[data-row-key="${p.customer_id}"]`).waitFor({ state: 'detached' });
    }
    const audit = await stratum.run.db.session((s) => s.query<{ actor: string; customer_ids: string[] }>(`SELECT actor, customer_ids FROM audit_log WHERE action = 'proposal_accept' AND actor = $1`, [head.login]));
    expect(audit.rows).toEqual([{ actor: head.login, customer_ids: firstTwo.map((p) => p.customer_id).sort() }]);
    // the customer's page says who owns them now, since when and how: an approved proposal
    const [taken] = firstTwo;
    if (!taken) throw new Error('no proposal accepted');
    const since = await stratum.run.db.session((s) =>
      s.query<{ d: string }>(`SELECT to_char(since AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS d FROM customer_owners WHERE customer_id = $1 AND kind = 'primary'`, [taken.customer_id]),
    );
    await page.goto(`${stratum.run.url}/customers/${taken.customer_id}`);
    await page.getByTestId(`owner-${taken.staff_id}`).waitFor();
    expect(await page.getByTestId(`owner-source-${taken.staff_id}`).textContent()).toBe(` (since ${since.rows[0]?.d}, approved proposal)`);
  });
});
