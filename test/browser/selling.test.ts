import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventsPolicyInEffect } from '../../src/features/events/events.policies.js';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// Issue 19 §6 in the browser, in Chinese over the small demo bank: a customer manager opens a
// vip_card_due reminder on My day, signs the customer automatically and prints the voucher; signs
// another customer one grade above the standard, the branch head approves it and the voucher
// appears for both; on a 360 page an unsuitable product is refused with its reason; the branch
// head's weekly review shows the week's won, lost and stale opportunities.

const stratum = useStratum();
const loginOf = (role: string) => stratum.loginOf(role);
const sql = async <T extends object>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<T>(text, params))).rows;

/** The card standards of the events policy in effect on the business date (gold, platinum, diamond), in yuan. */
async function standards(): Promise<{ gold: number; platinum: number; diamond: number }> {
  const policy = await stratum.run.db.session((s) => eventsPolicyInEffect(s, stratum.run.businessDate));
  return policy.document.card_standards;
}

/** The text of a test id, whitespace squeezed (antd puts spaces and line breaks around tags). */
const textOf = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function signOut(page: Page) {
  await page.getByTestId('sign-out').click();
  await page.locator('#login').waitFor();
}

/** The six fields of the printable voucher, read from the page, with their labels. */
async function voucherOnPage(page: Page) {
  await page.getByTestId('voucher').waitFor();
  const fields: Record<string, string> = {};
  for (const row of await page.getByTestId('voucher').getByRole('row').all()) fields[(await row.locator('th').textContent()) ?? ''] = (await row.locator('td').textContent()) ?? '';
  return fields;
}

interface VoucherRow {
  agreement_no: string;
  customer_id: string;
  customer_name: string;
  qualified_grades: string[];
  applied_grade: string;
  signed_at: string;
}
const vouchersOf = (customerId: string) =>
  sql<VoucherRow>(
    `SELECT agreement_no, customer_id, customer_name, qualified_grades, applied_grade, to_char(signed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS signed_at
       FROM signing_vouchers WHERE customer_id = $1 ORDER BY signed_at`,
    [customerId],
  );

/** The API as a staff member signed in from outside the browser (setup a user would do in the web app). */
async function apiAs(login: string) {
  const { url, password } = stratum.run;
  const signIn = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  if (!signIn.ok) throw new Error(`${login} cannot sign in: ${signIn.status}`);
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { data } = (await signIn.json()) as { data: { csrfToken: string } };
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': data.csrfToken, 'accept-language': 'zh-CN', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await r.json()) as { data: T };
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(answer)}`);
    return answer.data;
  };
}

/** A table's row as header → cell text (the row found by a text it contains). */
async function rowByHeader(table: Locator, rowText: string): Promise<Record<string, string>> {
  const headers = (await table.locator('thead th').allTextContents()).map((h) => h.trim());
  const row = table.locator('tbody tr', { hasText: rowText });
  await row.first().waitFor();
  expect(await row.count()).toBe(1);
  // each cell's texts joined with a space (tags side by side read as separate words)
  type TextNode = { nodeType: number; textContent: string | null; childNodes: ArrayLike<TextNode> };
  const cells = await row.locator('td').evaluateAll((tds) =>
    tds.map((td) => {
      const parts: string[] = [];
      const stack: TextNode[] = [td as unknown as TextNode];
      while (stack.length) {
        const n = stack.pop() as TextNode;
        if (n.nodeType === 3) {
          const t = (n.textContent ?? '').trim();
          if (t) parts.push(t);
        } else stack.push(...Array.from(n.childNodes).reverse());
      }
      return parts.join(' ');
    }),
  );
  return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']).filter(([h]) => h !== ''));
}

describe('VIP signing and suitable products in the web app', () => {
  it('a manager opens a vip_card_due reminder on My day, signs automatically and prints the six-field voucher', async () => {
    const manager = loginOf('customer_manager');
    const head = loginOf('branch_head');
    const std = await standards();
    // an open vip_card_due reminder of the manager for the gold card, of a customer of the head's outlet
    const [customer] = await sql<{ customer_id: string; name: string; aum_avg_mtd: string }>(
      `SELECT c.customer_id, c.name, (r.facts->>'aum_avg_mtd') AS aum_avg_mtd FROM reminders r JOIN customers c ON c.customer_id = r.customer_id
        WHERE r.staff_id = $1 AND r.event = 'vip_card_due' AND r.status = 'open' AND r.facts->>'grade' = 'gold'
          AND c.status = 'active' AND c.branch_id = (SELECT branch_id FROM staff WHERE staff_id = $2)
          AND NOT EXISTS (SELECT 1 FROM vip_signings v WHERE v.customer_id = c.customer_id)
        ORDER BY c.customer_id LIMIT 1`,
      [manager.login, head.login],
    );
    if (!customer) throw new Error('the demo manager has no open vip_card_due reminder for the gold card');
    const id = customer.customer_id;
    // gold, not platinum: the reminder's grade is the best the customer reaches
    expect(Number(customer.aum_avg_mtd)).toBeGreaterThanOrEqual(std.gold);
    expect(Number(customer.aum_avg_mtd)).toBeLessThan(std.platinum);

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/', manager.login);
    await page.getByTestId('my-day').waitFor();
    await page.getByTestId('reminder-tab-opportunity').click();
    const reminder = page.getByTestId(`reminder-${id}-vip_card_due`);
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain(customer.name);
    await reminder.getByTestId(`reminder-sign-${id}`).click();

    // the dialog: this month's average AUM, gold reached (signs at once), platinum and diamond need approval
    const dialog = page.getByRole('dialog', { name: '贵宾客户签约' });
    await dialog.waitFor();
    await dialog.getByTestId('aum-avg-mtd').waitFor();
    expect(await textOf(page, 'aum-avg-mtd')).toContain(`数据日期 ${stratum.run.businessDate}`);
    expect(await dialog.getByRole('radio', { name: /^金卡/ }).isChecked()).toBe(true);
    const grades = (await dialog.getByRole('radiogroup', { name: '申请等级' }).textContent()) ?? '';
    const wan = (yuan: number) => `${(yuan / 10_000).toFixed(2)}万`.replace('.', '\\.');
    expect(grades).toMatch(
      new RegExp(`^金卡\\s*标准\\s*${wan(std.gold)}\\s*已达标\\s*白金卡\\s*标准\\s*${wan(std.platinum)}\\s*未达标 · 网点负责人审批\\s*钻石卡\\s*标准\\s*${wan(std.diamond)}\\s*未达标 · 个人金融部审批$`),
    );
    expect(await textOf(page, 'sign-what-happens')).toBe('客户月日均资产已达金卡标准：提交后立即签约，生成签约凭证。');
    await screenshot(page, 'selling-01-sign-from-my-day-zh');
    await dialog.getByRole('button', { name: '提交签约' }).click();

    // signed at once: the agreement number, and the voucher to print
    await dialog.getByTestId('sign-result-signed').waitFor();
    const [voucher] = await vouchersOf(id);
    if (!voucher) throw new Error('no voucher was written');
    expect(voucher.agreement_no).toMatch(/^QY\d{8}\d{5}$/);
    expect(await textOf(page, 'sign-result-signed')).toContain(`已签约，协议编号 ${voucher.agreement_no}`);
    expect(voucher).toMatchObject({ customer_id: id, customer_name: customer.name, qualified_grades: ['gold'], applied_grade: 'gold' });
    await dialog.getByRole('button', { name: '打印凭证' }).click();

    // the printable voucher: its six fields, as written
    await page.getByTestId('voucher-page').waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/customers/${id}/signings/[0-9a-f-]{36}/voucher$`));
    await settle(page);
    expect(await page.getByTestId('voucher').getByRole('heading').textContent()).toBe('贵宾客户签约凭证');
    expect(await voucherOnPage(page)).toEqual({
      协议编号: voucher.agreement_no,
      客户号: id,
      客户姓名: customer.name,
      签约当日达标等级: '金卡',
      申请等级: '金卡',
      '签约时间（北京时间）': voucher.signed_at,
    });
    expect(await page.getByTestId('voucher-cancelled').count()).toBe(0);
    await page.getByRole('button', { name: /打\s*印/ }).waitFor();
    await screenshot(page, 'selling-02-voucher-print-page-zh');
    // as printed: the page's own print stylesheet leaves the app's frame and the buttons out
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.frame__header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: /打\s*印/ }).isVisible()).toBe(false);
    expect(await page.getByTestId('voucher-agreement-no').isVisible()).toBe(true);
    await screenshot(page, 'selling-03-voucher-as-printed-zh');
    // printed, it is one A5 sheet (148 × 210 mm: 420 × 595 points)
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    const pages = [...pdf.matchAll(/\/Type\s*\/Page\b(?!s)/g)].length;
    expect(pages).toBe(1);
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf);
    expect([Math.round(Number(box?.[1])), Math.round(Number(box?.[2]))]).toEqual([420, 595]);
    await page.emulateMedia({ media: 'screen' });

    // signing closed the reminder (even though the manager went from the dialog straight to the voucher): it is no longer on My day
    const reminderStatus = async () => (await sql<{ status: string }>(`SELECT status FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND event = 'vip_card_due'`, [id, manager.login])).map((r) => r.status);
    await expect.poll(reminderStatus).toEqual(['done']);
    await page.goto(`${stratum.run.url}/my-day`);
    await page.getByTestId('my-day').waitFor();
    await page.getByTestId('reminder-tab-opportunity').click();
    await settle(page);
    expect(await page.getByTestId(`reminder-${id}-vip_card_due`).count()).toBe(0);

    // the 360 page lists the signing, signed, with its voucher to print
    await page.goto(`${stratum.run.url}/customers/${id}`);
    const card = page.getByTestId('vip-signing');
    await card.getByRole('row', { name: new RegExp(voucher.agreement_no) }).waitFor();
    const row = ((await card.getByRole('row', { name: new RegExp(voucher.agreement_no) }).textContent()) ?? '').replace(/\s+/g, ' ');
    expect(row).toContain('金卡');
    expect(row).toContain('已签约');
    expect(row).toContain(manager.name);
    await page.context().close();
  });

  it('a manager signs one grade above the standard; it waits for the branch head, who approves it; the voucher appears for both', async () => {
    const manager = loginOf('customer_manager');
    const head = loginOf('branch_head');
    const std = await standards();
    // a customer of the manager in the head's outlet whose average this month reaches gold, not platinum, never signed
    const [customer] = await sql<{ customer_id: string; name: string }>(
      `SELECT c.customer_id, c.name FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
         JOIN customer_facts f ON f.customer_id = c.customer_id AND f.business_date = (SELECT max(business_date) FROM customer_facts)
        WHERE o.staff_id = $1 AND o.kind = 'primary' AND c.status = 'active' AND c.branch_id = (SELECT branch_id FROM staff WHERE staff_id = $2)
          AND f.aum_avg_mtd >= $3 AND f.aum_avg_mtd < $4
          AND NOT EXISTS (SELECT 1 FROM vip_signings v WHERE v.customer_id = c.customer_id)
        ORDER BY c.customer_id DESC LIMIT 1`,
      [manager.login, head.login, std.gold, std.platinum],
    );
    if (!customer) throw new Error('the demo manager has no customer between the gold and platinum standards');
    const id = customer.customer_id;

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${id}`, manager.login);
    const card = page.getByTestId('vip-signing');
    await card.waitFor();
    await card.getByRole('button', { name: /^签\s*约$/ }).click();
    const dialog = page.getByRole('dialog', { name: '贵宾客户签约' });
    await dialog.getByRole('radio', { name: /^白金卡/ }).check();
    expect(await textOf(page, 'sign-what-happens')).toBe('客户未达白金卡标准：提交后由网点负责人审批，审批通过后生成签约凭证。');
    await dialog.getByRole('button', { name: '提交签约' }).click();
    await dialog.getByTestId('sign-result-pending').waitFor();
    expect(await textOf(page, 'sign-result-pending')).toBe('已提交，待网点负责人审批');
    await dialog.getByRole('button', { name: /取\s*消/ }).click();
    await dialog.waitFor({ state: 'hidden' });

    const [signing] = await sql<{ signing_id: string; status: string; approver_role: string; agreement_no: string | null }>(
      `SELECT signing_id, status, approver_role, agreement_no FROM vip_signings WHERE customer_id = $1`,
      [id],
    );
    expect(signing).toMatchObject({ status: 'pending_approval', approver_role: 'branch_head', agreement_no: null });
    const signingId = signing?.signing_id ?? '';
    // on the card: waiting for the branch head, no agreement number, nothing to print
    await expect.poll(() => textOf(page, `signing-status-${signingId}`)).toBe('待审批');
    const waiting = ((await card.getByTestId(`signing-${signingId}`).textContent()) ?? '').replace(/\s+/g, ' ');
    expect(waiting).toContain('白金卡');
    expect(waiting).toContain('网点负责人');
    expect(await card.getByTestId(`signing-print-${signingId}`).count()).toBe(0);
    expect(await vouchersOf(id)).toEqual([]);
    await signOut(page);

    // the branch head: the request is waiting on the VIP signings page
    await stratum.signIn(page, '/signings', head.login);
    await page.getByTestId('signings-page').waitFor();
    const pendingRow = page.getByTestId(`signing-row-${signingId}`);
    await pendingRow.waitFor();
    const asked = ((await pendingRow.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(asked).toContain(customer.name);
    expect(asked).toContain('白金卡');
    expect(asked).toContain('待审批');
    expect(asked).toContain('金卡'); // qualified at the request
    expect(asked).toContain(manager.name);
    await screenshot(page, 'selling-04-approvals-pending-zh');
    await pendingRow.getByRole('button', { name: /批\s*准/ }).click();
    await page.getByText('已批准，签约凭证已生成').waitFor();
    await pendingRow.waitFor({ state: 'detached' });

    const [voucher] = await vouchersOf(id);
    if (!voucher) throw new Error('approving wrote no voucher');
    expect(voucher).toMatchObject({ customer_id: id, customer_name: customer.name, qualified_grades: ['gold'], applied_grade: 'platinum' });
    // decided by the head: signed, with its agreement number and the voucher
    await page.getByTestId('signings-tab-decided').click();
    const decided = page.getByTestId(`signing-row-${signingId}`);
    await decided.waitFor();
    const done = ((await decided.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(done).toContain('已签约');
    expect(done).toContain(voucher.agreement_no);
    expect(done).toContain(head.name);
    await decided.getByRole('button', { name: '打印凭证' }).click();
    const expected = {
      协议编号: voucher.agreement_no,
      客户号: id,
      客户姓名: customer.name,
      签约当日达标等级: '金卡',
      申请等级: '白金卡',
      '签约时间（北京时间）': voucher.signed_at,
    };
    expect(await voucherOnPage(page)).toEqual(expected);
    await settle(page);
    await screenshot(page, 'selling-05-approved-voucher-head-zh');
    await signOut(page);

    // the manager, signed back in: the request came back signed, with the same voucher
    await stratum.signIn(page, '/signings', manager.login);
    const mine = page.getByTestId(`signing-row-${signingId}`);
    await mine.waitFor();
    const outcome = ((await mine.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(outcome).toContain('已签约');
    expect(outcome).toContain(voucher.agreement_no);
    expect(outcome).toContain(head.name);
    await page.goto(`${stratum.run.url}/customers/${id}`);
    await expect.poll(() => textOf(page, `signing-status-${signingId}`)).toBe('已签约');
    await page.getByTestId(`signing-print-${signingId}`).click();
    expect(await voucherOnPage(page)).toEqual(expected);
    await page.context().close();
  });

  it('on the 360 page a product above the customer\'s risk level is not offered, and recording it is refused with the reason', async () => {
    const manager = loginOf('customer_manager');
    const day = stratum.run.businessDate;
    // a customer of the manager assessed C3 (the assessment holds today), under 65, never recommended anything
    const [customer] = await sql<{ customer_id: string; name: string }>(
      `SELECT c.customer_id, c.name FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
        WHERE o.staff_id = $1 AND o.kind = 'primary' AND c.status = 'active' AND c.risk_level = 'C3'
          AND (c.risk_assessed_on IS NULL OR c.risk_assessed_on >= $2::date - 365)
          AND (c.birth_date IS NULL OR c.birth_date > $2::date - interval '65 years')
          AND NOT EXISTS (SELECT 1 FROM product_recommendations r WHERE r.customer_id = c.customer_id)
        ORDER BY c.customer_id LIMIT 1`,
      [manager.login, day],
    );
    if (!customer) throw new Error('the demo manager has no customer assessed C3');
    const id = customer.customer_id;
    const products = await sql<{ product_code: string; name: string; risk_level: string }>(`SELECT product_code, name, risk_level FROM products WHERE active ORDER BY risk_level, product_code`);
    const above = products.filter((p) => p.risk_level > 'R3');
    const r4 = above.find((p) => p.risk_level === 'R4');
    const r3 = products.find((p) => p.risk_level === 'R3');
    if (!r4 || !r3) throw new Error('the demo catalogue has no R3 or R4 product');

    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, `/customers/${id}`, manager.login);
    const card = page.getByTestId('suitable-products');
    await card.getByTestId('suitability-assessment').waitFor();
    expect(await textOf(page, 'suitability-assessment')).toContain('风险承受能力 C3');
    expect(await card.getByTestId('suitability-notice').count()).toBe(0);
    expect(await textOf(page, 'suitability-tab-suitable')).toBe(`适合（${products.length - above.length}）`);
    expect(await textOf(page, 'suitability-tab-unsuitable')).toBe(`不适合（${above.length}）`);

    // the products that do not suit, each with why, and none of them may be recommended
    await card.getByTestId('suitability-tab-unsuitable').click();
    await card.getByTestId(`suitability-reason-${r4.product_code}`).waitFor();
    expect(await textOf(page, `suitability-reason-${r4.product_code}`)).toBe('产品风险等级 R4 高于客户风险承受能力 C3，仅可推荐 R3 及以下的产品');
    const r4Row = card.getByRole('row', { name: new RegExp(r4.product_code) });
    expect(((await r4Row.textContent()) ?? '').replace(/\s+/g, ' ')).toContain(r4.name);
    expect(await r4Row.getByRole('button').count()).toBe(0);
    expect(await card.getByTestId(`recommend-${r4.product_code}`).count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'selling-06-unsuitable-products-zh');

    // an R3 product suits a C3 customer; the manager opens its recommendation …
    await card.getByTestId('suitability-tab-suitable').click();
    expect(await textOf(page, `suitability-reason-${r3.product_code}`)).toBe('产品风险等级 R3 不高于客户风险承受能力 C3');
    await card.getByTestId(`recommend-${r3.product_code}`).click();
    const dialog = page.getByRole('dialog', { name: '记录产品推荐' });
    await dialog.waitFor();
    // … while the customer is reassessed at C2 (at the counter, today): R3 no longer suits when it is saved
    await stratum.run.db.session((s) => s.query(`UPDATE customers SET risk_level = 'C2', risk_assessed_on = $2::date WHERE customer_id = $1`, [id, day]));
    await dialog.getByTestId('recommend-note').fill('客户有意配置一年期理财');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByTestId('recommend-error').waitFor();
    expect(await textOf(page, 'recommend-error')).toBe(`${r3.name}（${r3.product_code}）不适合该客户：产品风险等级 R3 高于客户风险承受能力 C2，仅可推荐 R2 及以下的产品。`);
    await screenshot(page, 'selling-07-recommendation-refused-zh');
    // nothing recorded; the refusal is in the audit trail
    expect(await sql(`SELECT 1 FROM product_recommendations WHERE customer_id = $1`, [id])).toEqual([]);
    const audit = await sql<{ outcome: string; detail: { productCode: string; rule: string } }>(
      `SELECT outcome, detail FROM audit_log WHERE action = 'product_recommend' AND actor = $1 AND $2 = ANY(customer_ids)`,
      [manager.login, id],
    );
    expect(audit.map((a) => `${a.outcome}:${a.detail.productCode}:${a.detail.rule}`)).toEqual([`refused:${r3.product_code}:above_level`]);
    await dialog.getByRole('button', { name: /取\s*消/ }).click();

    // reopened, the card says C2 and lists the R3 product among those that do not suit
    await page.reload();
    await card.getByTestId('suitability-assessment').waitFor();
    expect(await textOf(page, 'suitability-assessment')).toContain('风险承受能力 C2');
    await card.getByTestId('suitability-tab-unsuitable').click();
    expect(await textOf(page, `suitability-reason-${r3.product_code}`)).toBe('产品风险等级 R3 高于客户风险承受能力 C2，仅可推荐 R2 及以下的产品');
    await page.context().close();
  });
});

describe('the weekly review of opportunities in the web app', () => {
  it("the branch head's weekly review shows the manager's won, lost and stale opportunities of the week, and the manager reads the review's comment", async () => {
    const manager = loginOf('customer_manager');
    const head = loginOf('branch_head');
    const day = stratum.run.businessDate;
    const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const customers = await sql<{ customer_id: string; name: string }>(
      `SELECT c.customer_id, c.name FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
        WHERE o.staff_id = $1 AND o.kind = 'primary' AND c.status = 'active'
          -- of the manager's own outlet, the branch head's (a household keeps a member of another outlet with the household's owner)
          AND c.branch_id = (SELECT st.branch_id FROM staff st WHERE st.staff_id = $1)
        ORDER BY c.customer_id LIMIT 4`,
      [manager.login],
    );
    const [cWon, cLost, cStale, cNew] = customers;
    if (!cWon || !cLost || !cStale || !cNew) throw new Error('the demo manager owns fewer than four customers');

    // what the week held before (the demo may have opportunities of its own): the figures below add to it
    const headApi = await apiAs(head.login);
    type Week = { from: string; to: string; managers: { staff: { staffId: string }; created: number; moved: number; won: number; lost: number; stale: number; open: number; wonAmount: string }[] };
    const before = (await headApi<Week>('GET', '/api/opportunities/review')).managers.find((m) => m.staff.staffId === manager.login);
    if (!before) throw new Error('the manager is not in the branch head\'s review');
    expect(before.wonAmount).toBe('0.00'); // (else the won amount below would not be this test's alone)

    // the manager's week, through the API: one won, one lost, one left to go stale, one just opened
    const api = await apiAs(manager.login);
    type Opp = { opportunityId: string };
    const open = (c: { customer_id: string }, target: unknown, nextStep: string, amount?: string) =>
      api<Opp>('POST', '/api/opportunities', { customerId: c.customer_id, source: 'walk_in', target, nextStep, nextStepOn: addDays(day, 3), ...(amount ? { expectedAmount: amount } : {}) });
    const won = await open(cWon, { type: 'product_kind', code: 'wealth' }, '介绍稳盈系列理财', '200000.00');
    await api('POST', `/api/opportunities/${won.opportunityId}/stage`, { stage: 'contacted' });
    await api('POST', `/api/opportunities/${won.opportunityId}/stage`, { stage: 'won' });
    const lost = await open(cLost, { type: 'product_kind', code: 'time_deposit' }, '邀约到网点面谈', '50000.00');
    await api('POST', `/api/opportunities/${lost.opportunityId}/stage`, { stage: 'lost', lostReason: '客户已在他行办理' });
    const stale = await open(cStale, { type: 'vip_signing' }, '电话确认签约意向');
    await open(cNew, { type: 'product_kind', code: 'fund' }, '发送基金定投资料');
    // the stale one: opened three weeks ago, its next step 8 days past today (the policy's "more than 7 days")
    await stratum.run.db.session(async (s) => {
      await s.query(
        `UPDATE opportunities SET created_on = $3::date, created_at = $3::date + time '10:00', stage_since = $3::date, next_step_on = $4::date WHERE customer_id = $1 AND opportunity_id = $2`,
        [cStale.customer_id, stale.opportunityId, addDays(day, -21), addDays(day, -8)],
      );
      await s.query(`UPDATE opportunity_stages SET changed_on = $3::date, changed_at = $3::date + time '10:00' WHERE customer_id = $1 AND opportunity_id = $2`, [cStale.customer_id, stale.opportunityId, addDays(day, -21)]);
    });

    // the branch head opens the weekly review (the 7 days to today)
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/opportunity-review', head.login);
    await page.getByTestId('opportunity-review').waitFor();
    await page.getByRole('heading', { name: '商机周检视' }).waitFor();
    await page.getByText(`${addDays(day, -6)} 至 ${day}`).waitFor();
    await settle(page);
    const managers = page.getByRole('table').first();
    const mine = await rowByHeader(managers, manager.name);
    expect(mine).toMatchObject({
      客户经理: expect.stringContaining(manager.name),
      新建: String(before.created + 3),
      推进: String(before.moved + 1),
      成交: String(before.won + 1),
      未成交: String(before.lost + 1),
      停滞: String(before.stale + 1),
      进行中: String(before.open + 2),
      成交预计金额: '20.00万',
    });

    // the week's opportunities, each with what it did in the week
    const items = page.getByRole('table').nth(1);
    const item = (c: { name: string }) => rowByHeader(items, c.name);
    expect(await item(cWon)).toMatchObject({ 负责人: manager.name, 目标产品: '理财产品', 阶段: '已成交', 本周情况: '新建 推进 成交' });
    expect(await item(cLost)).toMatchObject({ 负责人: manager.name, 目标产品: '定期存款', 阶段: '未成交', 本周情况: '新建 未成交' });
    expect(await item(cStale)).toMatchObject({ 负责人: manager.name, 目标产品: '贵宾客户签约', 阶段: '已识别', 本周情况: '停滞', 下一步: `电话确认签约意向（${addDays(day, -8)}）` });
    expect(await item(cNew)).toMatchObject({ 负责人: manager.name, 目标产品: '基金', 本周情况: '新建' });
    await page.mouse.move(0, 0); // no tooltip over the figures
    await screenshot(page, 'selling-08-weekly-review-zh');

    // a comment on the stale one, saved with the review's date
    await page.getByTestId(`review-comment-${stale.opportunityId}`).fill('已逾期一周，请本周内联系客户');
    await page.getByRole('button', { name: '保存检视' }).click();
    await page.getByText('检视已保存，客户经理可在商机上看到意见').waitFor();
    await expect.poll(() => textOf(page, 'review-saved')).toMatch(new RegExp(`^已保存：.+，${head.name}$`));
    await signOut(page);

    // the manager reads it on their opportunities
    await stratum.signIn(page, '/opportunities', manager.login);
    await page.getByTestId('my-opportunities').waitFor();
    await expect.poll(() => textOf(page, `card-comment-${stale.opportunityId}`)).toBe('检视意见：已逾期一周，请本周内联系客户');
    await signOut(page);

    // the department's review of the whole bank: per outlet; the manager's outlet opens its managers
    const dept = loginOf('pb_dept');
    const outletWeek = (await (await apiAs(dept.login))<{ outlets: { branch: { id: string; name: string }; won: number; lost: number; stale: number; open: number }[] }>('GET', '/api/opportunities/review')).outlets.find(
      (o) => o.branch.name === manager.branch,
    );
    if (!outletWeek) throw new Error(`the manager's outlet ${manager.branch} is not in the department's review`);
    expect(outletWeek.won).toBeGreaterThanOrEqual(before.won + 1);
    await stratum.signIn(page, '/opportunity-review', dept.login);
    await page.getByText('各网点本周情况').waitFor();
    await settle(page);
    const outlets = page.getByRole('table').first();
    expect(await rowByHeader(outlets, manager.branch)).toMatchObject({
      网点: manager.branch,
      成交: String(outletWeek.won),
      未成交: String(outletWeek.lost),
      停滞: String(outletWeek.stale),
      进行中: String(outletWeek.open),
    });
    await page.mouse.move(0, 0);
    await screenshot(page, 'selling-09-weekly-review-outlets-zh');
    await outlets.locator('tbody tr', { hasText: manager.branch }).click();
    await page.getByText(`正在查看：${manager.branch}`).waitFor();
    await settle(page);
    expect(await rowByHeader(page.getByRole('table').first(), manager.name)).toMatchObject({ 成交: String(before.won + 1), 停滞: String(before.stale + 1) });
    await page.getByRole('button', { name: '返回各网点' }).click();
    await page.getByText('各网点本周情况').waitFor();
    await page.context().close();
  });
});
