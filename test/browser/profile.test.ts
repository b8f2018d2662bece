import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Customers' profiles in the browser (issue 23 §2, §3), in Chinese over the small demo bank: a
// manager opens one of their customers, records an interest and a mainland mobile number (a
// proposal for the core system) and sees both on the profile card with who recorded them, the
// interest counted in the completeness at once; a phone
// that is not a mainland mobile number is refused and the error shows at the phone field; the
// outlet's page lists the customers with fields missing, the highest AUM first; the card reads in English too.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

describe('customer profiles in the web app', () => {
  it('a manager records what a customer gave; a bad phone is refused at its field; the outlet lists the customers to complete', async () => {
    const manager = stratum.loginOf('customer_manager');
    // the manager's own customer of their outlet whom the daily batch found incomplete
    const [customer] = await sql<{ customer_id: string; phone: string | null; filled: number }>(
      `SELECT k.customer_id, c.phone, k.filled FROM customer_completeness k
         JOIN customers c ON c.customer_id = k.customer_id
         JOIN customer_owners o ON o.customer_id = k.customer_id AND o.kind = 'primary' AND o.staff_id = $1
         JOIN staff s ON s.staff_id = $1 AND s.branch_id = k.branch_id
        WHERE k.filled < 7 AND c.status = 'active'
        ORDER BY k.customer_id LIMIT 1`,
      [manager.login],
    );
    if (!customer) throw new Error('the demo bank has no incomplete customer of the manager at their outlet');
    const phone = customer.phone === '13900001234' ? '13900004321' : '13900001234';
    const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${customer.customer_id}`, manager.login);
    const card = page.getByTestId('customer-profile-card');
    await card.getByTestId('profile-completeness').waitFor();
    expect(await card.getByTestId('profile-completeness').textContent()).toContain(`${customer.filled} / 9 项`);
    expect(await card.getByTestId('profile-missing-field').count()).toBe(9 - customer.filled);

    // a phone that is not a mainland mobile number: refused, the message at the phone field, nothing kept
    await card.getByTestId('profile-edit').click();
    const form = page.getByTestId('profile-form');
    await form.waitFor();
    await form.getByTestId('profile-phone').fill('12345678901');
    await form.getByTestId('profile-save').click();
    const phoneItem = form.locator('.ant-form-item').filter({ has: page.getByTestId('profile-phone') });
    await expect.poll(() => phoneItem.locator('.ant-form-item-explain-error').textContent(), { timeout: 10_000 }).toContain('不是有效的大陆手机号');
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM profile_proposals WHERE customer_id = $1`, [customer.customer_id]))[0]?.n).toBe(0);
    await screenshot(page, 'profile-01-bad-phone-zh');

    // a mainland mobile number and an interest
    await form.getByTestId('profile-phone').fill(phone);
    await form.getByTestId('profile-interests').click();
    await page.keyboard.type('钓鱼');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await form.getByTestId('profile-save').click();
    await page.getByTestId('profile-form').waitFor({ state: 'detached' });

    // kept: the phone as an open proposal by the manager, the interest in Stratum
    const proposals = await sql<{ field: string; value: string; proposed_by: string; status: string }>(
      `SELECT field, value, proposed_by, status FROM profile_proposals WHERE customer_id = $1`,
      [customer.customer_id],
    );
    expect(proposals).toEqual([{ field: 'phone', value: phone, proposed_by: manager.login, status: 'open' }]);
    expect((await sql<{ interests: string[] }>(`SELECT interests FROM customer_profiles WHERE customer_id = $1`, [customer.customer_id]))[0]?.interests).toEqual(['钓鱼']);

    // and on the card: masked, awaiting entry in the core system, who recorded it
    const proposal = card.getByTestId('profile-proposal-phone');
    await proposal.waitFor();
    const proposalText = await proposal.textContent();
    expect(proposalText).toContain(masked);
    expect(proposalText).not.toContain(phone);
    expect(proposalText).toContain('待录入核心系统');
    expect(proposalText).toContain(manager.name);
    expect(await card.getByTestId('profile-interest-tags').textContent()).toBe('钓鱼');
    expect(await card.getByTestId('profile-own').textContent()).toContain(manager.name);
    await settle(page);
    await screenshot(page, 'profile-02-recorded-zh');

    // the outlet's customers to complete: the manager's customers under 7 of 9, the highest AUM first
    const expected = await sql<{ customer_id: string; missing: number }>(
      `SELECT k.customer_id, cardinality(k.missing) AS missing FROM customer_completeness k
         JOIN customer_overview ov ON ov.customer_id = k.customer_id
         JOIN staff s ON s.staff_id = $1 AND s.branch_id = k.branch_id
        WHERE k.filled < 7 AND EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = k.customer_id AND o.staff_id = $1)
        ORDER BY coalesce(ov.aum, 0) DESC, k.customer_id LIMIT 50`,
      [manager.login],
    );
    await page.getByRole('link', { name: '待完善客户信息' }).click();
    await page.getByTestId('profile-outlet-page').waitFor();
    const rows = page.getByTestId('profile-outlet-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(expected.length);
    const first = rows.first();
    expect(await first.textContent()).toContain(expected[0]?.customer_id);
    expect(await first.getByTestId('profile-missing-field').count()).toBe(expected[0]?.missing);
    const ours = rows.filter({ hasText: customer.customer_id });
    // the interest recorded counts at once: one field fewer to collect
    expect(await ours.getByTestId('profile-missing-field').count()).toBe(9 - customer.filled - 1);
    await screenshot(page, 'profile-03-outlet-zh');
    // "record data" opens the same form for the row's customer, with what is recorded
    await ours.getByTestId('profile-outlet-record').click();
    await page.getByTestId('profile-form').waitFor();
    expect(await page.getByTestId('profile-interests').textContent()).toContain('钓鱼');
    await page.context().close();

    // the same card in English
    const en = await newPage(stratum.run, 'en-US');
    await stratum.signIn(en, `/customers/${customer.customer_id}`, manager.login);
    const enProposal = en.getByTestId('customer-profile-card').getByTestId('profile-proposal-phone');
    await enProposal.waitFor();
    expect(await enProposal.textContent()).toContain('Awaiting entry in the core system');
    expect(await en.getByTestId('customer-profile-card').getByTestId('profile-completeness').textContent()).toContain(`${customer.filled + 1} of 9 fields`);
    await en.context().close();
  });
});
