import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/features/events/events.calendar.js';
import { birthdayCampaignId, prepareGreetings } from '../../src/features/greetings/greetings.batch.js';
import { newPage, screenshot, useStratum } from './harness.js';

// Greetings in the browser (issue 21 §4): the batch has prepared a birthday greeting for a
// customer of the branch head's subtree; the head sees it in the list (Chinese), approves it with
// one tap, and finds it among the approved ones (English).

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

describe('greetings in the web app', () => {
  it('the branch head approves a prepared birthday greeting', async () => {
    const head = stratum.loginOf('branch_head');
    // a customer owned by a manager of the head's subtree, whose birthday is made 2 days after the business date
    const [owned] = await sql<{ customer_id: string; staff_id: string }>(
      `WITH RECURSIVE tree AS (SELECT branch_id FROM branches WHERE branch_id = (SELECT branch_id FROM staff WHERE staff_id = $1)
                               UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
       SELECT o.customer_id, o.staff_id FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id JOIN customers c ON c.customer_id = o.customer_id
        WHERE o.kind = 'primary' AND c.status = 'active' AND st.branch_id IN (SELECT branch_id FROM tree)
        ORDER BY o.customer_id LIMIT 1`,
      [head.login],
    );
    expect(owned).toBeDefined();
    const day = addDays(stratum.run.businessDate, 2);
    await sql(`UPDATE customers SET birth_date = $2::date - interval '40 years' WHERE customer_id = $1`, [owned?.customer_id, day]);
    await prepareGreetings(stratum.run.db, stratum.run.businessDate);
    const id = birthdayCampaignId(day, owned?.staff_id ?? '');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/greetings', head.login);
    await page.getByTestId('greetings-page').waitFor();
    await expect.poll(() => page.getByTestId(`greeting-status-${id}`).textContent()).toBe('待批准');
    await screenshot(page, 'greetings-01-to-approve-zh');
    await page.getByTestId(`greeting-approve-${id}`).click();
    await expect.poll(async () => (await sql<{ status: string }>(`SELECT status FROM campaigns WHERE campaign_id = $1`, [id]))[0]?.status).toBe('approved');
    await page.context().close();

    const en = await newPage(stratum.run, 'en-US');
    await stratum.signIn(en, '/greetings', head.login);
    await en.getByTestId('greetings-page').waitFor();
    await en.getByTestId('greetings-filter').getByText('Approved').click();
    await expect.poll(() => en.getByTestId(`greeting-status-${id}`).textContent()).toBe('Approved');
    await en.context().close();
  });
});
