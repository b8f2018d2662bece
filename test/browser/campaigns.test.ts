import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../../src/features/outreach/fake-gateway.js';
import { newPage, screenshot, useStratum } from './harness.js';

// SMS campaigns in the browser (issue 21 §3, §6): a manager makes a campaign from a saved group and
// an approved service template, seeing a recipient's own message; the department approves it (in
// English); the manager sends it through the fake gateway and its page counts the messages and says
// when the results against the holdout will be available. The groups page shows band labels.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;
let gw: FakeGateway;

beforeAll(async () => {
  gw = await startFakeGateway();
  process.env.STRATUM_SMS_URL = gw.url;
});
afterAll(async () => {
  delete process.env.STRATUM_SMS_URL;
  await gw?.close();
});

describe('SMS campaigns in the web app', () => {
  it('a manager makes a campaign from a group and an approved template, the department approves it, the manager sends it', async () => {
    const manager = stratum.loginOf('customer_manager');
    const dept = stratum.loginOf('pb_dept');
    const [st] = await sql<{ branch_id: string }>(`SELECT branch_id FROM staff WHERE staff_id = $1`, [manager.login]);
    const branch = st?.branch_id ?? '';
    await sql(`INSERT INTO customer_groups (name, filter, branch_id, created_by, updated_by) VALUES ('我的全部客户', '{}'::jsonb, $1, $2, $2)`, [branch, manager.login]);
    await sql(
      `INSERT INTO message_templates (template_id, version, name, kind, body, branch_id, status, created_by, decided_by, decided_at)
       VALUES ('tpl-browser', 1, '营业时间通知', 'service', '{姓名}{称谓}您好，{网点}春节期间照常营业。', $1, 'approved', $2, $2, now())`,
      [branch, dept.login],
    );

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/campaigns', manager.login);
    await page.getByTestId('campaigns-page').waitFor();
    await page.getByTestId('campaign-name').fill('春节营业通知');
    await page.getByTestId('campaign-group').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '我的全部客户' }).click();
    await page.getByTestId('campaign-template').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '营业时间通知' }).click();
    // the first recipient's own message: their name, not the placeholder
    await expect.poll(() => page.getByTestId('campaign-message').textContent(), { timeout: 20_000 }).toMatch(/^.+(先生|女士|客户)您好，.+春节期间照常营业。$/);
    expect(await page.getByTestId('campaign-message').textContent()).not.toContain('{姓名}');
    await page.getByTestId('campaign-make').click();
    await expect.poll(async () => (await sql<{ status: string }>(`SELECT status FROM campaigns WHERE name = '春节营业通知'`)).map((c) => c.status), { timeout: 20_000 }).toEqual(['draft']);
    const [c] = await sql<{ campaign_id: string }>(`SELECT campaign_id FROM campaigns WHERE name = '春节营业通知'`);
    const id = c?.campaign_id ?? '';
    await expect.poll(() => page.getByTestId(`campaign-status-${id}`).textContent()).toBe('待审批');
    await screenshot(page, 'campaigns-01-made-zh');
    await page.context().close();

    const head = await newPage(stratum.run, 'en-US');
    await stratum.signIn(head, '/campaigns', dept.login);
    await head.getByTestId(`campaign-approve-${id}`).click();
    await expect.poll(() => head.getByTestId(`campaign-status-${id}`).textContent(), { timeout: 20_000 }).toBe('Approved');
    await head.context().close();

    const again = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(again, '/campaigns', manager.login);
    await again.getByTestId(`campaign-send-${id}`).click();
    await expect.poll(() => again.getByTestId(`campaign-status-${id}`).textContent(), { timeout: 30_000 }).toBe('已发送');
    const [sent] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 AND status IN ('accepted', 'delivered')`, [id]);
    expect(sent?.n).toBeGreaterThan(0);
    await expect.poll(() => again.getByTestId('campaign-count-sent').textContent()).toContain(String(sent?.n));
    // the send ran in the background: its progress bar ends full, with the customers handled
    await expect.poll(() => again.getByTestId('campaign-send-state').textContent(), { timeout: 20_000 }).toBe('已完成');
    const [recipients] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1`, [id]);
    expect(await again.getByTestId('campaign-send-text').textContent()).toContain(`已处理 ${(recipients?.n ?? 0).toLocaleString('zh-CN')} / ${(recipients?.n ?? 0).toLocaleString('zh-CN')} 位客户`);
    expect(await again.getByTestId('campaign-send-progress').getAttribute('aria-valuenow')).toBe('100');
    const [on] = await sql<{ d: string }>(`SELECT to_char(sent_on + 30, 'YYYY-MM-DD') AS d FROM campaigns WHERE campaign_id = $1`, [id]);
    expect(await again.getByTestId('campaign-results').textContent()).toBe(`效果将于 ${on?.d} 可查看`);
    await screenshot(again, 'campaigns-02-sent-zh');
    await again.context().close();
  });

  it('the groups page shows AUM bands by their labels, not their codes', async () => {
    const head = stratum.loginOf('branch_head');
    const page = await newPage(stratum.run, 'en-US');
    await stratum.signIn(page, '/groups', head.login);
    await page.getByTestId('groups-page').waitFor();
    await expect.poll(() => page.getByTestId('group-preview').locator('tbody tr.ant-table-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const text = (await page.getByTestId('group-preview').textContent()) ?? '';
    expect(text).not.toMatch(/band_\d/);
    expect(text).toMatch(/1,000–50,000|50,000–200,000|200,000–500,000|500,000–3,000,000|3,000,000 and above/);
    await page.context().close();
  });
});
