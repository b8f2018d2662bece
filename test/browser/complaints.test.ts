import { describe, expect, it } from 'vitest';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Complaints in the browser (issue 22 §1, §4), in Chinese over the small demo bank: a counter
// teller records a complaint for a walk-in customer by the customer number and sees its due times in China
// time; time passes (the complaint's receipt is moved back past its first-response limit in the
// database, as a day without anyone answering would); the branch head of the outlet opens the red
// list and sees it escalated, overdue in red, with the reason.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;
const RED = 'rgb(207, 19, 34)'; // STATE_HEX.red
/** The colour a browser draws an element's text in (run in the page). */
const colourOf = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color;

describe('complaints in the web app', () => {
  it('a teller records a complaint for a walk-in customer; once past its limit the branch head sees it escalate on the red list', async () => {
    const teller = stratum.loginOf('counter_teller');
    const head = stratum.loginOf('branch_head');
    // a walk-in customer of the teller's outlet whom the teller does not own (so not in their own
    // customer search): recorded by the customer number on the card
    const [walkIn] = await sql<{ customer_id: string }>(
      `SELECT c.customer_id FROM customers c JOIN staff s ON s.branch_id = c.branch_id AND s.staff_id = $1
        WHERE c.status = 'active' AND NOT EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.staff_id = $1)
        ORDER BY c.customer_id LIMIT 1`,
      [teller.login],
    );
    if (!walkIn) throw new Error('the demo bank has no customer at the teller’s outlet');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/complaints', teller.login);
    await page.getByTestId('complaints-page').waitFor();
    await page.getByTestId('complaint-record').click();
    await page.getByTestId('complaint-form').waitFor();
    await page.getByTestId('complaint-customer').click();
    await page.keyboard.type(walkIn.customer_id);
    await page.locator('.ant-select-item-option').filter({ hasText: `按客户号 ${walkIn.customer_id} 登记` }).click();
    await page.getByTestId('complaint-category').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '排队等候' }).click();
    await page.getByTestId('complaint-description').fill('排队等候超过一小时，无人解释');
    await page.getByTestId('complaint-submit').click();

    // the complaint is recorded under the teller, its detail open with the due times in China time
    await expect.poll(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM complaints WHERE owner_id = $1`, [teller.login]))[0]?.n, { timeout: 10_000 }).toBe(1);
    const [saved] = await sql<{ complaint_id: string; channel: string; category: string; response_due: string; resolution_due: string }>(
      `SELECT complaint_id, channel, category,
              to_char(first_response_due AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS response_due,
              to_char(resolution_due AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS resolution_due
         FROM complaints WHERE owner_id = $1 AND customer_id = $2`,
      [teller.login, walkIn.customer_id],
    );
    if (!saved) throw new Error('the complaint was not recorded for the customer');
    expect([saved.channel, saved.category]).toEqual(['counter', 'waiting']);
    await page.getByTestId('complaint-detail').waitFor();
    expect(await page.getByTestId('complaint-response-due').textContent()).toBe(saved.response_due);
    expect(await page.getByTestId('complaint-resolution-due').textContent()).toBe(saved.resolution_due);
    await expect.poll(() => page.getByTestId('complaints-table').textContent()).toContain(saved.complaint_id);
    await screenshot(page, 'complaints-01-recorded-zh');
    await page.context().close();

    // a day goes by without a response: receipt and due times one first-response limit and an hour earlier
    await sql(
      `UPDATE complaints SET received_at = received_at - x.shift, first_response_due = first_response_due - x.shift, resolution_due = resolution_due - x.shift, department_due = department_due - x.shift
         FROM (SELECT first_response_due - received_at + interval '1 hour' AS shift FROM complaints WHERE complaint_id = $1) x
        WHERE complaint_id = $1`,
      [saved.complaint_id],
    );
    expect((await sql<{ escalation: string }>(`SELECT escalation FROM complaints WHERE complaint_id = $1`, [saved.complaint_id]))[0]?.escalation).toBe('none');

    const headPage = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(headPage, '/complaint-escalations', head.login);
    await headPage.getByTestId('complaints-escalated-page').waitFor();
    await settle(headPage);
    const row = headPage.getByTestId('complaints-red-list').locator('tbody tr', { hasText: saved.complaint_id });
    await row.waitFor();
    expect(await row.getByTestId('complaint-escalation-reason').textContent()).toBe('首次响应超时');
    const state = row.getByTestId('complaint-due-state');
    expect(await state.getAttribute('data-state')).toBe('response_overdue');
    expect(await state.textContent()).toBe('响应已超时');
    expect(await row.getByText(/^已超时 \d+ 小时$/).evaluate(colourOf)).toBe(RED);
    expect(await row.textContent()).toContain('已升级至网点负责人');
    // the escalation is recorded, and the outlet's branch head reminded on My day
    expect((await sql<{ escalation: string; escalation_reason: string }>(`SELECT escalation, escalation_reason FROM complaints WHERE complaint_id = $1`, [saved.complaint_id]))[0]).toEqual({ escalation: 'branch_head', escalation_reason: 'first_response_late' });
    const told = await sql<{ role: string }>(`SELECT s.role FROM reminders r JOIN staff s ON s.staff_id = r.staff_id WHERE r.event = 'complaint_escalated' AND r.occurrence = $1`, [saved.complaint_id]);
    expect(told.map((x) => x.role)).toEqual(['branch_head']);
    // the detail from the red list says why, in red
    await row.getByTestId('complaint-open').click();
    await headPage.getByTestId('complaint-escalated').waitFor();
    expect(await headPage.getByTestId('complaint-escalated').textContent()).toContain('首次响应超时');
    await screenshot(headPage, 'complaints-02-red-list-zh');
    await headPage.context().close();
  });
});
