import { describe, expect, it } from 'vitest';
import { runDailyBatch } from '../../src/batch/batch.pipeline.js';
import { newPage, screenshot, useStratum } from './harness.js';

// Issue 6 in the browser: a customer manager's morning. One of their customers has a birthday in
// two days and made a large outflow on the business date (written into the data, then the
// events and worklist steps rerun, so the test does not hang on what the generator drew); the
// manager sees both reminders on "My day", logs a phone call from the plan in two clicks, the
// reminders close and the customer's timeline on the 360 page shows the call.

const stratum = useStratum();

const OUTFLOW_TXN = 'BROWSER-MYDAY-OUTFLOW';

async function prepareCustomer(managerLogin: string): Promise<{ customerId: string; name: string }> {
  const { db, businessDate } = stratum.run;
  // the manager's richest primary customer who may be called for marketing, with an active account
  const pick = await db.session((s) =>
    s.query<{ customer_id: string; name: string; account_id: string }>(
      `SELECT c.customer_id, c.name, a.account_id FROM customer_owners o
         JOIN customers c ON c.customer_id = o.customer_id
         JOIN customer_overview ov ON ov.customer_id = c.customer_id
         JOIN LATERAL (SELECT account_id FROM accounts WHERE customer_id = c.customer_id AND status = 'active' ORDER BY account_id LIMIT 1) a ON true
        WHERE o.staff_id = $1 AND o.kind = 'primary' AND c.status = 'active' AND NOT c.do_not_disturb AND c.marketing_consent
        ORDER BY ov.aum DESC, c.customer_id LIMIT 1`,
      [managerLogin],
    ),
  );
  const customer = pick.rows[0];
  if (!customer) throw new Error('the demo manager owns no active customer open to marketing');
  await db.session(async (s) => {
    // born 40 years before the day after tomorrow: birthday_soon (D … D+7)
    await s.query(`UPDATE customers SET birth_date = ($2::date - interval '40 years' + interval '2 days')::date WHERE customer_id = $1`, [customer.customer_id, businessDate]);
    // 150,000 out on D: beyond the threshold of every band (20,000 / 50,000 / 100,000)
    await s.query(
      `INSERT INTO transactions (customer_id, txn_id, account_id, booked_at, booked_on, amount, channel, counterparty, business_date)
       VALUES ($1, $2, $3, ($4::date + time '10:30') AT TIME ZONE 'Asia/Shanghai', $4::date, -150000.00, 'mobile', '某房地产开发有限公司', $4::date)`,
      [customer.customer_id, OUTFLOW_TXN, customer.account_id, businessDate],
    );
  });
  await runDailyBatch(db, businessDate, undefined, { from: 'events' });
  return { customerId: customer.customer_id, name: customer.name };
}

const remindersOf = async (customerId: string, staffId: string) =>
  (
    await stratum.run.db.session((s) =>
      s.query<{ event: string; status: string; contact_id: string | null }>(
        `SELECT event, status, contact_id FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND event IN ('birthday_soon', 'large_outflow') ORDER BY event`,
        [customerId, staffId],
      ),
    )
  ).rows;

describe('my day', () => {
  it('a manager sees a birthday and a large outflow, logs a call from the plan, and the timeline shows it', async () => {
    const manager = stratum.loginOf('customer_manager');
    const customer = await prepareCustomer(manager.login);
    const id = customer.customerId;
    expect((await remindersOf(id, manager.login)).map((r) => `${r.event}:${r.status}`)).toEqual(['birthday_soon:open', 'large_outflow:open']);

    const page = await newPage(stratum.run, 'zh-CN');
    // the home page of an owner is "My day"
    await stratum.signIn(page, '/', manager.login);
    await page.getByTestId('my-day').waitFor();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/my-day');
    await expect.poll(() => page.getByTestId('my-day-as-of').textContent()).toContain(stratum.run.businessDate);

    // risks first: the large outflow, with its sentence
    const outflow = page.getByTestId(`reminder-${id}-large_outflow`);
    await outflow.waitFor();
    expect(await outflow.textContent()).toContain('大额支出');
    expect(await page.getByTestId(`reminder-summary-${id}-large_outflow`).textContent()).toContain('15');
    // dismissing asks why, at the field, before anything is sent
    await page.getByTestId(`reminder-dismiss-${id}-large_outflow`).click();
    await page.getByTestId('dismiss-reason').waitFor();
    await page.getByRole('button', { name: '确 定' }).or(page.getByRole('button', { name: '确定' })).first().click();
    await page.getByText('请填写忽略原因').waitFor();
    await screenshot(page, 'my-day-01-risks-dismiss-reason-zh');
    await page.getByRole('button', { name: '取 消' }).or(page.getByRole('button', { name: '取消' })).first().click();
    await page.getByTestId('dismiss-reason').waitFor({ state: 'detached' });
    await page.getByTestId('reminder-tab-information').click();
    const birthday = page.getByTestId(`reminder-${id}-birthday_soon`);
    await birthday.waitFor();
    expect(await birthday.textContent()).toContain('生日提醒');
    await screenshot(page, 'my-day-02-information-zh');

    // the plan: the customer is in it (an open risk), with both reminders linked
    const item = page.getByTestId(`plan-item-${id}`);
    await item.waitFor();
    expect(await page.getByTestId(`plan-status-${id}`).textContent()).toBe('待联络');
    await page.getByTestId(`plan-reminder-${id}-large_outflow`).waitFor();
    await page.getByTestId(`plan-reminder-${id}-birthday_soon`).waitFor();
    await screenshot(page, 'my-day-03-plan-zh');

    // two clicks: open the form (phone, reached, both reminders ticked) and save
    await item.getByTestId(`log-contact-${id}`).click();
    await page.getByTestId('contact-form').waitFor();
    expect(await page.getByTestId('contact-reminder-large_outflow').isChecked()).toBe(true);
    expect(await page.getByTestId('contact-reminder-birthday_soon').isChecked()).toBe(true);
    await screenshot(page, 'my-day-04-log-contact-zh');
    await page.getByTestId('contact-save').click();

    await expect.poll(() => page.getByTestId(`plan-status-${id}`).textContent()).toBe('已联络');
    await birthday.waitFor({ state: 'detached' });
    await page.getByTestId('reminder-tab-risk').click();
    await outflow.waitFor({ state: 'detached' });
    const closed = await remindersOf(id, manager.login);
    expect(closed.map((r) => `${r.event}:${r.status}`)).toEqual(['birthday_soon:done', 'large_outflow:done']);
    expect(closed.every((r) => r.contact_id !== null)).toBe(true);
    const logged = await stratum.run.db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE customer_id = $1 AND status = 'open' AND staff_id = $2 AND event IN ('birthday_soon', 'large_outflow')`, [id, manager.login]));
    expect(logged.rows[0]?.n).toBe(0);
    await screenshot(page, 'my-day-05-after-contact-zh');

    // the customer's timeline on the 360 page shows the call and the reminders it closed
    await page.getByTestId(`customer-link-${id}`).first().click();
    await page.getByTestId('customer-360').waitFor();
    const contact = page.getByTestId('customer-timeline').getByTestId('timeline-contact').first();
    await contact.waitFor();
    expect(await contact.textContent()).toContain('电话');
    expect(await contact.textContent()).toContain(manager.name);
    await page.getByTestId('customer-timeline').scrollIntoViewIfNeeded();
    await screenshot(page, 'my-day-06-timeline-360-zh');

    // the work log: today's call counted on the calendar and listed below
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await page.goto(`${stratum.run.url}/work-log`);
    await expect.poll(() => page.getByTestId(`work-log-count-${today}`).textContent()).toBe('1 次联络');
    expect(await page.getByTestId('work-log-day').textContent()).toContain(customer.name);
    await screenshot(page, 'my-day-08-work-log-zh');
    await page.goto(`${stratum.run.url}/maturing`);
    await page.getByTestId('maturing-total').waitFor();
    await screenshot(page, 'my-day-09-maturing-zh');
    await page.context().close();
  });

  it('the branch head reviews the plans in English and comments on the manager\'s', async () => {
    const head = stratum.loginOf('branch_head');
    const manager = stratum.loginOf('customer_manager');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/plans', head.login);
    await page.getByTestId('plans-review').waitFor();
    await page.getByTestId(`review-open-${manager.login}`).waitFor();
    await screenshot(page, 'my-day-07-plans-overview-en');
    await page.getByTestId(`review-open-${manager.login}`).click();
    await page.getByTestId('review-drawer').getByTestId(`plan-item-${(await firstPlanned(manager.login)) ?? ''}`).waitFor();
    await page.getByTestId('review-comment').fill('Call the large outflow first tomorrow');
    await page.getByTestId('review-comment-send').click();
    await page.getByTestId('review-drawer').getByText('Call the large outflow first tomorrow').waitFor();
    await screenshot(page, 'my-day-07-plans-review-drawer-en');
    const comments = await stratum.run.db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM contact_plan_comments WHERE staff_id = $1`, [manager.login]));
    expect(comments.rows[0]?.n).toBe(1);
    // the branch head owns customers too: their own day, in English
    await page.goto(`${stratum.run.url}/my-day`);
    await page.getByTestId('my-day-plan').waitFor();
    await expect.poll(() => page.getByTestId('reminder-tab-risk').textContent()).toContain('Risk');
    await screenshot(page, 'my-day-10-branch-head-en');
    await page.context().close();
  });
});

async function firstPlanned(staffId: string): Promise<string | undefined> {
  const r = await stratum.run.db.session((s) =>
    s.query<{ customer_id: string }>(
      `SELECT i.customer_id FROM contact_plan_items i WHERE i.staff_id = $1 AND i.plan_date = (SELECT max(plan_date) FROM contact_plan_items WHERE staff_id = $1) ORDER BY i.position LIMIT 1`,
      [staffId],
    ),
  );
  return r.rows[0]?.customer_id;
}
