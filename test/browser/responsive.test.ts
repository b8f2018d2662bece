import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPageWith, screenshot, settle, useStratum } from './harness.js';

// Issue 16 (tablets and phones): managers visit customers with a tablet. The customer list, the
// 360 page and My day at 768 and 390 pixels wide: the page never scrolls sideways (tables scroll
// inside their own box), the menu sits behind a button, and the key content is on screen.

const stratum = useStratum();

async function noSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })') as { scrollWidth: number; innerWidth: number };
  expect(scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

for (const width of [768, 390] as const) {
  describe(`${width} px wide`, () => {
    it('the customer list, a customer\'s 360 page and My day fit, with the menu behind a button', async () => {
      const manager = stratum.loginOf('customer_manager');
      const page = await newPageWith(stratum.run, 'zh-CN', { width, height: width === 768 ? 1024 : 844, isMobile: true, hasTouch: true });
      await stratum.signIn(page, '/customers', manager.login);
      const row = page.locator('tbody tr[data-row-key]').first();
      await row.waitFor();
      await settle(page);
      expect(await row.isVisible()).toBe(true);
      await noSidewaysScroll(page, 'customer list');
      // the menu: a button in the header opens it in a drawer
      expect(await page.locator('.frame__sider').count()).toBe(0);
      await screenshot(page, `responsive-${width}-customer-list-zh`);
      await page.getByTestId('menu-button').click();
      await page.getByTestId('menu-drawer').getByRole('link').first().waitFor();
      await screenshot(page, `responsive-${width}-menu-zh`);
      await page.keyboard.press('Escape');

      const href = await page.getByTestId('customer-link').first().getAttribute('href');
      await page.goto(`${stratum.run.url}${href ?? ''}`);
      await page.getByTestId('customer-profile').waitFor();
      await settle(page);
      expect(await page.getByTestId('customer-name').isVisible()).toBe(true);
      expect(await page.getByTestId('customer-profile').isVisible()).toBe(true);
      await noSidewaysScroll(page, 'customer 360');
      await screenshot(page, `responsive-${width}-customer-360-zh`);

      await page.goto(`${stratum.run.url}/my-day`);
      await page.getByTestId('my-day-reminders').waitFor();
      await page.getByTestId('my-day-plan').waitFor();
      await settle(page);
      expect(await page.getByTestId('my-day-reminders').isVisible()).toBe(true);
      expect(await page.getByTestId('reminder-tab-risk').isVisible()).toBe(true);
      await noSidewaysScroll(page, 'my day');
      await screenshot(page, `responsive-${width}-my-day-zh`);
      await page.context().close();
    });
  });
}
