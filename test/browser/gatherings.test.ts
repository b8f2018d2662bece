import { describe, expect, it } from 'vitest';
import { newPage, newPageWith, screenshot, settle, useStratum } from './harness.js';

// Relationship events in the browser (issue 21 §5): the branch head holds a salon from a saved
// group, marks an invitee accepted on the event's page, and at the door (a tablet, 768 px wide)
// finds an invitee by the last 4 digits of the phone and marks them arrived with one tap.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

describe('relationship events in the web app', () => {
  it('the head holds a salon from a group, records an answer, and marks an arrival at the door', async () => {
    const head = stratum.loginOf('branch_head');
    const [st] = await sql<{ branch_id: string }>(`SELECT branch_id FROM staff WHERE staff_id = $1`, [head.login]);
    await sql(`INSERT INTO customer_groups (name, filter, branch_id, created_by, updated_by) VALUES ('沙龙候选客户', '{}'::jsonb, $1, $2, $2)`, [st?.branch_id ?? '', head.login]);

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/gatherings', head.login);
    await page.getByTestId('gatherings-page').waitFor();
    await page.getByTestId('gathering-title').fill('十二月理财沙龙');
    // typed in the bank's format (the picker's, whatever the browser's language), taken on leaving the field
    const starts = page.getByTestId('gathering-starts');
    await starts.click();
    await starts.fill(`${stratum.run.businessDate} 14:30`);
    await starts.press('Tab');
    expect(await starts.inputValue()).toBe(`${stratum.run.businessDate} 14:30`);
    await page.getByTestId('gathering-place').fill('营业部二楼贵宾室');
    await page.getByTestId('gathering-group').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '沙龙候选客户' }).click();
    await page.getByTestId('gathering-make').click();
    await page.getByTestId('gathering-page').waitFor({ timeout: 30_000 });
    const [g] = await sql<{ gathering_id: string; n: number; starts: string }>(
      `SELECT g.gathering_id, (SELECT count(*)::int FROM gathering_invitees i WHERE i.gathering_id = g.gathering_id) AS n,
              to_char(g.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS starts
         FROM gatherings g WHERE g.title = '十二月理财沙龙'`,
    );
    const id = g?.gathering_id ?? '';
    expect(g?.n).toBe(15); // a salon: 15 by default
    expect(g?.starts).toBe(`${stratum.run.businessDate} 14:30`); // China time, as typed
    await expect.poll(() => page.getByTestId('gathering-count-invitees').textContent(), { timeout: 20_000 }).toContain('15');

    // the richest invitee accepts
    const invitees = await sql<{ customer_id: string; phone: string }>(
      `SELECT i.customer_id, c.phone FROM gathering_invitees i JOIN customers c ON c.customer_id = i.customer_id WHERE i.gathering_id = $1 AND c.phone IS NOT NULL ORDER BY i.aum DESC, i.customer_id`,
      [id],
    );
    const first = invitees[0];
    if (!first) throw new Error('no invitee with a phone');
    await page.getByTestId(`invitee-accept-${first.customer_id}`).click();
    await expect.poll(() => page.getByTestId(`invitee-state-${first.customer_id}`).textContent(), { timeout: 20_000 }).toBe('接受');
    expect(await sql(`SELECT state FROM gathering_invitees WHERE gathering_id = $1 AND customer_id = $2`, [id, first.customer_id])).toEqual([{ state: 'accepted' }]);
    await screenshot(page, 'gatherings-01-event-zh');
    await page.context().close();

    // the door, on a tablet
    const tablet = await newPageWith(stratum.run, 'zh-CN', { width: 768, height: 1024, isMobile: true, hasTouch: true });
    await stratum.signIn(tablet, `/gatherings/${id}/door`, head.login);
    await tablet.getByTestId('door-page').waitFor();
    await expect.poll(() => tablet.getByTestId('door-expected').textContent(), { timeout: 20_000 }).toContain('15');
    await tablet.getByTestId('door-search').locator('input').fill(first.phone.slice(-4));
    const hit = tablet.getByTestId(`door-hit-${first.customer_id}`);
    await hit.waitFor({ timeout: 20_000 });
    // the phone masked: its last 4 digits, never the whole number
    expect(await hit.textContent()).toContain(`****${first.phone.slice(-4)}`);
    expect(await tablet.content()).not.toContain(first.phone);
    await tablet.getByTestId(`door-attend-${first.customer_id}`).click();
    await expect.poll(() => tablet.getByTestId('door-arrived').textContent(), { timeout: 20_000 }).toContain('1');
    await expect.poll(() => hit.textContent()).toContain('已到场');
    expect(await sql(`SELECT state FROM gathering_invitees WHERE gathering_id = $1 AND customer_id = $2`, [id, first.customer_id])).toEqual([{ state: 'attended' }]);
    const { scrollWidth, innerWidth } = (await tablet.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await settle(tablet);
    await screenshot(tablet, 'gatherings-02-door-tablet-zh');
    await tablet.context().close();
  });
});
