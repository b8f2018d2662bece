import { describe, expect, it } from 'vitest';
import { newPage, screenshot, useStratum } from './harness.js';

// The monthly review in the browser (issue 20 §3): the branch head draws the month's spot check,
// opens a manager, records a customer the manager does not know and recalls it in one click; writes
// a coaching record whose follow-up the manager reads on "my coaching"; a customer's feedback is
// recorded on the 360 page.

const stratum = useStratum();
const loginOf = (role: string) => stratum.loginOf(role);
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

describe('the monthly review in the web app', () => {
  it('the branch head draws the spot check, records "not familiar" and recalls the customer through the workbench’s recall', async () => {
    const head = loginOf('branch_head');
    const manager = loginOf('customer_manager');
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/monthly-review', head.login);
    await page.getByTestId('monthly-review').waitFor();
    await page.getByTestId('spot-draw').click();
    await page.getByTestId(`spot-open-${manager.login}`).waitFor();
    const sampled = await sql<{ customer_id: string; basis: string }>(
      `SELECT i.customer_id, i.basis FROM spot_check_items i JOIN spot_checks k ON k.review_id = i.review_id
        WHERE k.reviewer_id = $1 AND i.staff_id = $2 ORDER BY i.position`,
      [head.login, manager.login],
    );
    expect(sampled.length).toBe(5);
    expect(await page.getByTestId(`spot-${manager.login}-sampled`).textContent()).toBe('5');
    await screenshot(page, 'review-01-spot-check-zh');

    const customerId = sampled.find((x) => x.basis === 'primary')?.customer_id ?? '';
    await page.getByTestId(`spot-open-${manager.login}`).click();
    await page.getByTestId('spot-items').waitFor();
    await page.getByTestId(`spot-note-${customerId}`).fill('说不出客户的职业和家庭情况');
    await page.getByTestId(`spot-not-familiar-${customerId}`).click();
    await expect.poll(() => page.getByTestId(`spot-result-${customerId}`).textContent()).toBe('不熟悉');
    await page.getByTestId(`spot-recall-${customerId}`).click();
    await page.locator('.ant-popconfirm:not(.ant-popover-hidden)').getByRole('button', { name: '收回客户' }).click();
    await expect.poll(async () => (await sql('SELECT 1 FROM customer_owners WHERE customer_id = $1', [customerId])).length).toBe(0);
    await page.getByTestId(`spot-recalled-${customerId}`).waitFor();
    await screenshot(page, 'review-02-spot-items-recalled-zh');
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_log WHERE $1 = ANY(customer_ids) AND action IN ('spot_check_result', 'recall') ORDER BY entry_id`, [customerId]);
    expect(audit.map((a) => a.action)).toEqual(['spot_check_result', 'recall']);
    await page.context().close();
  });

  it('the branch head writes a coaching record with a follow-up date; the manager reads it on "my coaching", in English', async () => {
    const head = loginOf('branch_head');
    const manager = loginOf('customer_manager');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/monthly-review?tab=coaching', head.login);
    await page.getByTestId(`coaching-new-${manager.login}`).click();
    await page.getByTestId('coaching-findings').fill('Few contacts with band 4 customers');
    await page.getByTestId('coaching-actions').fill('Call ten band 4 customers a week');
    // typed rather than clicked (the second date of the form: the coaching date, today, then the
    // follow-up, a month later)
    const due = new Date(Date.now() + 8 * 3600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
    const followUp = page.locator('.ant-modal .ant-picker input').nth(1);
    await followUp.fill(due);
    await followUp.press('Tab');
    await expect.poll(() => followUp.inputValue()).toBe(due);
    await screenshot(page, 'review-03-coaching-form-en');
    await page.locator('.ant-modal-footer').getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await sql(`SELECT 1 FROM coaching_records WHERE staff_id = $1 AND author_id = $2`, [manager.login, head.login])).length).toBe(1);
    const [record] = await sql<{ coaching_id: string; follow_up_on: string }>(`SELECT coaching_id, follow_up_on FROM coaching_records WHERE staff_id = $1`, [manager.login]);
    expect(record?.follow_up_on).toBe(due);
    expect(await sql(`SELECT kind, due_on FROM reminders WHERE customer_id = '' AND staff_id = $1 AND occurrence = $2`, [head.login, record?.coaching_id])).toEqual([{ kind: 'work_task', due_on: due }]);
    await expect.poll(() => page.getByTestId(`coaching-count-${manager.login}`).textContent()).toBe('1');
    await page.context().close();

    const mine = await newPage(stratum.run, 'en-US');
    await stratum.signIn(mine, '/my-coaching', manager.login);
    await mine.getByTestId(`coaching-${record?.coaching_id ?? ''}`).waitFor();
    expect(await mine.getByTestId('my-coaching').textContent()).toContain('Call ten band 4 customers a week');
    await screenshot(mine, 'review-04-my-coaching-en');
    await mine.context().close();
  });

  it("a customer's feedback is recorded on the 360 page and counted for the manager", async () => {
    const manager = loginOf('customer_manager');
    const [owned] = await sql<{ customer_id: string }>(`SELECT customer_id FROM customer_owners WHERE staff_id = $1 AND kind = 'primary' ORDER BY customer_id LIMIT 1`, [manager.login]);
    const customerId = owned?.customer_id ?? '';
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${customerId}`, manager.login);
    await page.getByTestId('customer-feedback').waitFor();
    await page.getByTestId('feedback-add').click();
    await page.locator('.ant-modal .ant-select').first().click();
    await page.locator('.ant-select-item-option').filter({ hasText: '主动寻求帮助' }).click();
    await page.getByTestId('feedback-note').fill('咨询子女留学换汇');
    await page.locator('.ant-modal-footer').getByRole('button', { name: /^保 ?存$/ }).click();
    await expect.poll(async () => (await sql(`SELECT 1 FROM customer_feedback WHERE customer_id = $1 AND owner_id = $2 AND kind = 'asked_for_help'`, [customerId, manager.login])).length).toBe(1);
    await expect.poll(() => page.getByTestId('customer-feedback').textContent()).toContain('咨询子女留学换汇');
    await screenshot(page, 'review-05-customer-feedback-zh');
    await page.context().close();
  });
});
