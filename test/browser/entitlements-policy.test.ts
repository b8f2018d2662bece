import { describe, expect, it } from 'vitest';
import { chinaToday } from '../../src/web/app/china-time.js';
import { newPage, screenshot, settle, useStratum } from './harness.js';

// The service entitlements policy in the browser (issue 22 §2): the department opens the page,
// breaks the draft (an unknown band) and sees the problem with its line, fixes it with a lower
// threshold, simulates (the count of that entitlement grows), publishes with a reason from today,
// and finds the new version in effect; the branch head sees the same page without publishing.

const stratum = useStratum();
const sql = async <R>(text: string, params: unknown[] = []) => (await stratum.run.db.session((s) => s.query<R>(text, params))).rows;

/** The line (1-based) and the offset of the first `band_at_least: band_3` of the fast lane in the YAML. */
function fastLaneRule(yaml: string): { at: number; line: number } {
  const from = yaml.indexOf('id: fast_lane');
  expect(from).toBeGreaterThanOrEqual(0);
  const at = yaml.indexOf('band_at_least: band_3', from);
  expect(at).toBeGreaterThan(from);
  return { at, line: yaml.slice(0, at).split('\n').length };
}
const replaceAt = (yaml: string, at: number, band: string) => `${yaml.slice(0, at)}band_at_least: ${band}${yaml.slice(at + 'band_at_least: band_3'.length)}`;

describe('the service entitlements policy in the web app', () => {
  it('the department checks, simulates and publishes a draft; the branch head only reads', async () => {
    const dept = stratum.loginOf('pb_dept');
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/entitlement-policies', dept.login);
    await page.getByTestId('entitlements-policy-page').waitFor();
    await expect.poll(() => page.locator('.ant-layout-sider, .ant-menu').first().textContent()).toContain('服务权益政策');
    const editor = page.getByTestId('entitlement-policy-editor');
    await editor.waitFor();
    const original = await editor.inputValue();
    expect(original).toContain('fast_lane');
    const rule = fastLaneRule(original);

    // an unknown band: the problem is listed, in red, with the fast lane's path and the line
    await editor.fill(replaceAt(original, rule.at, 'band_9'));
    await page.getByTestId('entitlement-policy-check').click();
    const problem = page.getByTestId('policy-errors').locator('li').first();
    await expect.poll(() => problem.textContent()).toContain(`第 ${rule.line} 行`);
    expect(await problem.getAttribute('data-path')).toMatch(/^entitlements\[1\]\.any\[0\]/);
    expect(await page.getByTestId('policy-errors').getAttribute('style')).toMatch(/color: (rgb\(207, 19, 34\)|#cf1322)/);
    await screenshot(page, 'entitlements-policy-01-problem-zh');

    // fixed with a lower threshold (band_2): valid, and more customers get the fast lane
    await editor.fill(replaceAt(original, rule.at, 'band_2'));
    await page.getByTestId('entitlement-policy-check').click();
    await page.getByTestId('entitlement-policy-valid').waitFor();
    await page.getByTestId('entitlement-policy-simulate').click();
    const fastLane = page.getByTestId('sim-row-fast_lane');
    await fastLane.waitFor();
    expect(await fastLane.textContent()).toContain('贵宾窗口绿色通道');
    const published = Number((await fastLane.getByTestId('sim-published').textContent())?.replace(/,/g, ''));
    const draft = Number((await fastLane.getByTestId('sim-draft').textContent())?.replace(/,/g, ''));
    expect(draft).toBeGreaterThan(published);
    expect(Number(await fastLane.getByTestId('sim-difference').getAttribute('data-difference'))).toBe(draft - published);
    // an unchanged entitlement: no difference
    expect(await page.getByTestId('sim-row-dedicated_manager').getByTestId('sim-difference').getAttribute('data-difference')).toBe('0');
    await screenshot(page, 'entitlements-policy-02-simulation-zh');

    // published with a reason, from today: listed as version 2, in effect
    const today = chinaToday();
    await page.getByTestId('entitlement-policy-publish').click();
    await page.getByTestId('entitlement-publish-reason').fill('总行通知：绿色通道放宽至第二层级');
    const date = page.getByTestId('entitlement-publish-effective-from');
    await date.click();
    await date.fill(today);
    // Tab, not Enter: the date is taken on leaving the field (Enter would publish at once)
    await date.press('Tab');
    expect(await date.inputValue()).toBe(today);
    await page.getByTestId('entitlement-publish-confirm').click();
    const v2 = page.locator('[data-testid="entitlement-policy-version"][data-version="2"]');
    await v2.waitFor();
    await expect.poll(() => v2.getByTestId('entitlement-policy-in-effect').count()).toBe(1);
    expect(await v2.getByTestId('entitlement-policy-effective-from').textContent()).toBe(today);
    expect(await v2.textContent()).toContain('总行通知：绿色通道放宽至第二层级');
    expect(await page.locator('[data-testid="entitlement-policy-version"][data-version="1"]').getByTestId('entitlement-policy-in-effect').count()).toBe(0);
    // the draft starts again from the version now in effect
    await expect.poll(() => editor.inputValue()).toContain('band_at_least: band_2');
    const [row] = await sql<{ version: number; effective_from: string; reason: string }>(`SELECT version, effective_from::text AS effective_from, reason FROM entitlement_policies ORDER BY version DESC LIMIT 1`);
    expect(row).toEqual({ version: 2, effective_from: today, reason: '总行通知：绿色通道放宽至第二层级' });
    await screenshot(page, 'entitlements-policy-03-published-zh');
    await page.context().close();

    // the branch head: the same versions and a draft to simulate, but no publishing
    const head = stratum.loginOf('branch_head');
    const en = await newPage(stratum.run, 'en-US');
    await stratum.signIn(en, '/entitlement-policies', head.login);
    await en.getByTestId('entitlements-policy-page').waitFor();
    const headV2 = en.locator('[data-testid="entitlement-policy-version"][data-version="2"]');
    await headV2.waitFor();
    expect(await headV2.getByTestId('entitlement-policy-in-effect').textContent()).toBe('in effect');
    await en.getByTestId('entitlement-policy-read-only').waitFor();
    expect(await en.getByTestId('entitlement-policy-publish').count()).toBe(0);
    await en.getByTestId('entitlement-policy-simulate').click();
    await en.getByTestId('sim-row-fast_lane').waitFor();
    expect(await en.getByTestId('sim-row-fast_lane').textContent()).toContain('Fast lane at the VIP counter');
    await settle(en);
    await screenshot(en, 'entitlements-policy-04-read-only-en');
    await en.context().close();
  });
});
