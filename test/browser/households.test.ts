import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Family links and profile completeness on the customer's page (issue 23 §1, §2), in Chinese over
// the small demo bank: a manager links another of their customers as the spouse, with the
// customer's consent noted, and sees the link listed with who added it (the household follows
// after the night's batch); removing it asks first. Then they record an interest the customer gave
// and the completeness on the card goes up at once, as it does on the outlet's page.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

describe('household links and completeness in the web app', () => {
  it('a manager links a family member with consent, sees it listed, removes it; a recorded field counts at once on the card and the outlet page', async () => {
    const manager = stratum.loginOf('customer_manager');
    // two of the manager's own customers of their outlet, not related yet; the first without interests recorded
    const mine = await sql<{ customer_id: string; name: string; filled: number; missing: string[] }>(
      `SELECT k.customer_id, c.name, k.filled, k.missing FROM customer_completeness k
         JOIN customers c ON c.customer_id = k.customer_id
         JOIN customer_owners o ON o.customer_id = k.customer_id AND o.kind = 'primary' AND o.staff_id = $1
         JOIN staff s ON s.staff_id = $1 AND s.branch_id = k.branch_id
        WHERE c.status = 'active'
        ORDER BY ('interests' = ANY(k.missing)) DESC, k.filled, k.customer_id`,
      [manager.login],
    );
    const customer = mine[0];
    if (!customer?.missing.includes('interests')) throw new Error('the demo bank has no customer of the manager without interests recorded');
    const taken = new Set((await sql<{ id: string }>(`SELECT related_customer_id AS id FROM customer_relations WHERE customer_id = $1`, [customer.customer_id])).map((r) => r.id));
    const spouse = mine.find((c) => c.customer_id !== customer.customer_id && !taken.has(c.customer_id));
    if (!spouse) throw new Error('the demo bank has no second customer of the manager to link');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${customer.customer_id}`, manager.login);
    const card = page.getByTestId('customer-household');
    await card.getByTestId('household-link-add').click();
    const form = page.getByTestId('household-link-form');
    await form.waitFor();

    // the consent box left unticked: refused in the form, nothing kept
    await page.getByTestId('household-link-customer').click();
    await page.keyboard.type(spouse.customer_id);
    await page.locator('.ant-select-item-option').filter({ hasText: `${spouse.customer_id} ${spouse.name}` }).click();
    await page.getByTestId('household-link-relation').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '配偶' }).click();
    await page.getByTestId('household-link-note').fill('客户本人在网点柜台口头同意，经办人在场');
    await page.getByTestId('household-link-save').click();
    await expect.poll(() => form.locator('.ant-form-item-explain-error').allTextContents(), { timeout: 10_000 }).toContain('须先取得客户同意');
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM customer_links WHERE customer_id = $1`, [customer.customer_id]))[0]?.n).toBe(0);

    await form.getByText('客户已同意建立此关联').click();
    await page.getByTestId('household-link-save').click();
    await form.waitFor({ state: 'detached' });
    const kept = await sql<{ related_customer_id: string; relation: string; created_by: string; consent_note: string }>(
      `SELECT related_customer_id, relation, created_by, consent_note FROM customer_links WHERE customer_id = $1`,
      [customer.customer_id],
    );
    expect(kept).toEqual([{ related_customer_id: spouse.customer_id, relation: 'spouse', created_by: manager.login, consent_note: '客户本人在网点柜台口头同意，经办人在场' }]);

    // listed at once with the relation, the consent and who added it; the household follows after the night
    const links = card.getByTestId('household-links');
    await links.waitFor();
    const listed = await links.textContent();
    expect(listed).toContain(spouse.customer_id);
    expect(listed).toContain('配偶');
    expect(listed).toContain('客户本人在网点柜台口头同意');
    // who added it, by name (the staff number is for the system, not for the people reading the card)
    expect(listed).toContain(manager.name);
    expect(listed).not.toContain(manager.login);
    expect(await card.getByTestId('household-link-pending').textContent()).toContain('今晚批处理后更新');
    await settle(page);
    await screenshot(page, 'households-01-linked-zh');

    // removing asks first
    await card.getByTestId(`household-unlink-${spouse.customer_id}`).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '删 除' }).or(page.locator('.ant-popconfirm').getByRole('button', { name: '删除' })).click();
    await links.waitFor({ state: 'detached' });
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM customer_links WHERE customer_id IN ($1, $2)`, [customer.customer_id, spouse.customer_id]))[0]?.n).toBe(0);

    // an interest the customer gave: the completeness on the card goes up at once
    const profile = page.getByTestId('customer-profile-card');
    expect(await profile.getByTestId('profile-completeness').textContent()).toContain(`${customer.filled} / 9 项`);
    await profile.getByTestId('profile-edit').click();
    const pform = page.getByTestId('profile-form');
    await pform.waitFor();
    await pform.getByTestId('profile-interests').click();
    await page.keyboard.type('太极');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await pform.getByTestId('profile-save').click();
    await pform.waitFor({ state: 'detached' });
    const filled = customer.filled + 1;
    await expect.poll(() => profile.getByTestId('profile-completeness').textContent(), { timeout: 10_000 }).toContain(`${filled} / 9 项`);
    expect(await profile.getByTestId('profile-missing-field').count()).toBe(9 - filled);
    await screenshot(page, 'households-02-completeness-zh');

    // the outlet's page: the customer with one field fewer to collect, or gone once at 7 of 9
    await page.getByRole('link', { name: '待完善客户信息' }).click();
    await page.getByTestId('profile-outlet-page').waitFor();
    const table = page.getByTestId('profile-outlet-table');
    const rows = table.locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const row = rows.filter({ hasText: customer.customer_id });
    if (filled >= 7) expect(await row.count()).toBe(0);
    else await expect.poll(() => row.getByTestId('profile-missing-field').count(), { timeout: 10_000 }).toBe(9 - filled);
    await page.context().close();
  });
});
