import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runDailyBatch } from '../../src/batch/batch.pipeline.js';
import { newPage, screenshot, useStratum } from './harness.js';

// Issue 6 in the browser, the parts my-day.test.ts leaves out: the manager works on their plan
// (moves a customer up, removes one, adds a customer of theirs by number: each change still there
// after a reload), snoozes a reminder to a date (it leaves the open list, its kind's count drops),
// and sees a reminder of a do-not-disturb customer with the offer disabled and why. The data is
// written, then the batch rerun from the events step, so nothing hangs on what the generator drew.
// Then the work log calendar: a month view only (the year view counted nothing).

const stratum = useStratum();

const INFLOW_TXN = 'BROWSER-PLAN-INFLOW';

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** One of the manager's customers made do-not-disturb, with a large inflow on D (an opportunity reminder). */
async function prepareDoNotDisturb(managerLogin: string): Promise<{ customerId: string; name: string }> {
  const { db, businessDate } = stratum.run;
  const pick = await db.session((s) =>
    s.query<{ customer_id: string; name: string; account_id: string }>(
      `SELECT c.customer_id, c.name, a.account_id FROM customer_owners o
         JOIN customers c ON c.customer_id = o.customer_id
         JOIN LATERAL (SELECT account_id FROM accounts WHERE customer_id = c.customer_id AND status = 'active' ORDER BY account_id LIMIT 1) a ON true
        WHERE o.staff_id = $1 AND o.kind = 'primary' AND c.status = 'active' AND NOT c.do_not_disturb AND c.marketing_consent
        ORDER BY c.customer_id LIMIT 1`,
      [managerLogin],
    ),
  );
  const customer = pick.rows[0];
  if (!customer) throw new Error('the demo manager owns no active customer open to marketing');
  await db.session(async (s) => {
    await s.query('UPDATE customers SET do_not_disturb = true WHERE customer_id = $1', [customer.customer_id]);
    // 200,000 in on D: beyond the large-inflow threshold of every band (20,000 … 100,000)
    await s.query(
      `INSERT INTO transactions (customer_id, txn_id, account_id, booked_at, booked_on, amount, channel, counterparty, business_date)
       VALUES ($1, $2, $3, ($4::date + time '09:15') AT TIME ZONE 'Asia/Shanghai', $4::date, 200000.00, 'counter', '某科技有限公司', $4::date)`,
      [customer.customer_id, INFLOW_TXN, customer.account_id, businessDate],
    );
  });
  await runDailyBatch(db, businessDate, undefined, { from: 'events' });
  return { customerId: customer.customer_id, name: customer.name };
}

const planRows = async (staffId: string) =>
  (
    await stratum.run.db.session((s) =>
      s.query<{ customer_id: string; position: number; status: string; reason: string; source: string }>(
        `SELECT customer_id, position, status, reason, source FROM contact_plan_items
          WHERE staff_id = $1 AND plan_date = (SELECT max(plan_date) FROM contact_plan_items WHERE staff_id = $1)
          ORDER BY status = 'removed', position, customer_id`,
        [staffId],
      ),
    )
  ).rows;

/** the plan's customers, in the order the page shows them */
const shownOrder = (page: Page) =>
  page.locator('[data-testid="my-day-plan"] tr[data-testid^="plan-item-"]').evaluateAll((rows) => rows.map((r) => ((r as unknown as { getAttribute(name: string): string | null }).getAttribute('data-testid') ?? '').replace('plan-item-', '')));

/** the count on a reminder tab's badge (antd puts the number in the badge's title) */
const tabCount = async (page: Page, kind: string) => Number(await page.getByTestId(`reminder-count-${kind}`).locator('.ant-scroll-number').first().getAttribute('title'));

const okButton = (page: Page, scope: string) => page.locator(scope).getByRole('button', { name: /^(确 ?定|OK)$/ }).first();

describe('my day: the plan and the reminders', () => {
  it('a manager moves, removes and adds plan items, snoozes a reminder, and cannot offer to a do-not-disturb customer', async () => {
    const manager = stratum.loginOf('customer_manager');
    const dnd = await prepareDoNotDisturb(manager.login);
    const { db, businessDate } = stratum.run;
    const inflow = await db.session((s) =>
      s.query<{ kind: string; status: string }>(`SELECT kind, status FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND event = 'large_inflow'`, [dnd.customerId, manager.login]),
    );
    expect(inflow.rows).toEqual([{ kind: 'opportunity', status: 'open' }]);

    const before = await planRows(manager.login);
    const kept = before.filter((r) => r.status !== 'removed').map((r) => r.customer_id);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    const [first, second] = kept;
    const last = kept.at(-1);
    if (!first || !second || !last) throw new Error('the plan has too few items');
    // a customer of the manager's not in the plan, to add by number
    const outside = await db.session((s) =>
      s.query<{ customer_id: string }>(
        `SELECT o.customer_id FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
          WHERE o.staff_id = $1 AND c.status = 'active' AND NOT (o.customer_id = ANY($2::text[])) ORDER BY o.customer_id LIMIT 1`,
        [manager.login, before.map((r) => r.customer_id)],
      ),
    );
    const added = outside.rows[0]?.customer_id;
    if (!added) throw new Error('every customer of the manager is in the plan already');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/my-day', manager.login);
    await page.getByTestId(`plan-item-${first}`).waitFor();
    expect(await shownOrder(page)).toEqual(before.map((r) => r.customer_id));
    // the first cannot go up, the last kept one cannot go down
    expect(await page.getByTestId(`plan-up-${first}`).isDisabled()).toBe(true);

    // remove the last one: asked first, then marked removed and kept at the end
    await page.getByTestId(`plan-remove-${last}`).click();
    // under load the confirmation's opening animation can swallow the click: click OK until the item is removed
    for (let attempt = 1; ; attempt++) {
      const ok = okButton(page, '.ant-popconfirm:not(.ant-popover-hidden)');
      if (await ok.isVisible()) await ok.click();
      const removed = await expect
        .poll(() => page.getByTestId(`plan-status-${last}`).textContent(), { timeout: 5_000 })
        .toBe('已移出')
        .then(() => true, () => false);
      if (removed) break;
      if (attempt === 4) throw new Error(`plan item ${last} was not removed after ${attempt} confirmations`);
    }
    await expect.poll(async () => (await shownOrder(page)).at(-1)).toBe(last);

    // move the second up (with a removed item in the plan): it is first now
    await page.getByTestId(`plan-up-${second}`).click();
    await expect.poll(async () => (await shownOrder(page)).slice(0, 2)).toEqual([second, first]);
    expect(await page.locator('.ant-message-error').count()).toBe(0);
    expect(await page.getByTestId(`plan-item-${second}`).locator('td').first().textContent()).toBe('1');
    await screenshot(page, 'my-day-plan-01-moved-removed-zh');

    // add a customer of theirs by number: at the end of the planned ones, added by hand
    await page.getByTestId('plan-add-customer').fill(added);
    await page.getByTestId('plan-add').click();
    const addedRow = page.getByTestId(`plan-item-${added}`);
    await addedRow.waitFor();
    expect(await addedRow.textContent()).toContain('手动加入');
    expect(await page.getByTestId(`plan-status-${added}`).textContent()).toBe('待联络');
    // one not of theirs is refused at the field
    await page.getByTestId('plan-add-customer').fill('NO-SUCH-CUSTOMER');
    await page.getByTestId('plan-add').click();
    await page.getByText('不是您管户的客户').waitFor();
    await screenshot(page, 'my-day-plan-02-added-zh');

    // after a reload: moved, removed, added, as they were left
    await page.reload();
    await page.getByTestId(`plan-item-${added}`).waitFor();
    const order = await shownOrder(page);
    const expected = [second, first, ...kept.slice(2, -1), added, last];
    expect(order).toEqual(expected);
    expect(await page.getByTestId(`plan-status-${last}`).textContent()).toBe('已移出');
    expect(await page.getByTestId(`plan-remove-${last}`).count()).toBe(0);
    // numbered 1… among the planned ones, the removed one without a number
    expect(await page.getByTestId(`plan-item-${added}`).locator('td').first().textContent()).toBe(String(kept.length));
    expect(await page.getByTestId(`plan-item-${last}`).locator('td').first().textContent()).toBe('–');
    expect(await page.getByTestId(`plan-item-${added}`).textContent()).toContain('手动加入');
    const after = await planRows(manager.login);
    expect(after.map((r) => r.customer_id)).toEqual(expected);
    expect(after.find((r) => r.customer_id === added)).toMatchObject({ reason: 'manual', source: 'manual', status: 'planned' });
    expect(after.find((r) => r.customer_id === last)?.status).toBe('removed');

    // the do-not-disturb customer's opportunity: still shown, "service only", the offer disabled and why
    await page.getByTestId('reminder-tab-opportunity').click();
    const reminder = page.getByTestId(`reminder-${dnd.customerId}-large_inflow`);
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain('大额收入');
    await reminder.getByTestId(`service-only-${dnd.customerId}`).waitFor();
    const offer = reminder.getByTestId(`offer-disabled-${dnd.customerId}`);
    expect(await offer.isDisabled()).toBe(true);
    expect(await offer.textContent()).toContain('营销推荐');
    expect(await reminder.getByTestId(`offer-${dnd.customerId}-large_inflow`).count()).toBe(0);
    await offer.hover({ force: true });
    const hint = page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').filter({ hasText: '免打扰' });
    await hint.first().waitFor();
    expect(await hint.first().textContent()).toContain('不可营销');
    await screenshot(page, 'my-day-plan-03-do-not-disturb-offer-zh');
    await page.mouse.move(0, 0);

    // snooze it a week ahead: it leaves the open list and the opportunity count drops by one
    const opportunities = await tabCount(page, 'opportunity');
    expect(opportunities).toBeGreaterThanOrEqual(1);
    const until = addDays(businessDate, 7);
    await reminder.getByTestId(`reminder-snooze-${dnd.customerId}-large_inflow`).click();
    const picker = page.locator('.ant-modal .ant-picker input');
    await picker.waitFor();
    // the days after the business date may be chosen, whatever the browser's clock says; the
    // business date itself may not
    const cell = (date: string) => page.locator(`.ant-picker-dropdown td[title="${date}"]`);
    // under load the modal's opening animation can swallow the first click: click until it opens
    for (let attempt = 1; ; attempt++) {
      await picker.click();
      const opened = await cell(until).waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (opened) break;
      if (attempt === 4) throw new Error(`the snooze date picker did not open on ${until} after ${attempt} clicks`);
      await page.locator('.ant-modal-title').click();
    }
    expect(await cell(businessDate).getAttribute('class')).toContain('ant-picker-cell-disabled');
    expect(await cell(until).getAttribute('class')).not.toContain('ant-picker-cell-disabled');
    // typed rather than clicked: under load the dropdown's opening animation can swallow a click
    await picker.fill(until);
    await picker.press('Tab');
    await expect.poll(() => picker.inputValue()).toBe(until);
    await screenshot(page, 'my-day-plan-04-snooze-zh');
    await okButton(page, '.ant-modal-footer').click();
    await reminder.waitFor({ state: 'detached' });
    await expect.poll(() => tabCount(page, 'opportunity')).toBe(opportunities - 1);
    const snoozed = await db.session((s) =>
      s.query<{ status: string; snoozed_until: string }>(`SELECT status, snoozed_until::text FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND event = 'large_inflow'`, [dnd.customerId, manager.login]),
    );
    expect(snoozed.rows).toEqual([{ status: 'open', snoozed_until: until }]);
    await page.reload();
    await page.getByTestId('reminder-tab-opportunity').click();
    await expect.poll(() => tabCount(page, 'opportunity')).toBe(opportunities - 1);
    expect(await page.getByTestId(`reminder-${dnd.customerId}-large_inflow`).count()).toBe(0);
    await screenshot(page, 'my-day-plan-05-after-snooze-zh');
    await page.context().close();
  });

  it('the work log calendar shows months only, in English', async () => {
    const manager = stratum.loginOf('customer_manager');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/work-log', manager.login);
    await page.getByTestId('work-log').waitFor();
    await page.getByTestId('work-log-month').waitFor();
    // no year view to switch to (it counted nothing)
    expect(await page.locator('.ant-picker-calendar-mode-switch').count()).toBe(0);
    expect(await page.getByRole('radio', { name: 'Year' }).count()).toBe(0);
    const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const shown = () => page.getByTestId('work-log-month').locator('input').inputValue();
    await expect.poll(shown).toBe(thisMonth);
    await page.getByTestId('work-log-prev').click();
    const previous = new Date(Date.UTC(Number(thisMonth.slice(0, 4)), Number(thisMonth.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7);
    await expect.poll(shown).toBe(previous);
    // the day list follows the month shown
    await expect.poll(() => page.getByTestId('work-log-day').textContent()).toContain(`Contacts on ${previous}`);
    await screenshot(page, 'my-day-plan-06-work-log-month-en');
    await page.context().close();
  });
});
