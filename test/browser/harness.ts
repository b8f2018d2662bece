import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DEMO_PASSWORD, type DemoLogin } from '../../src/features/access/access.demo.js';
import { buildStratumApp, WEB_DIR } from '../../src/app.js';
import type { Db } from '../../src/platform/db.js';
import { tempDir } from '../feed-builder.js';
import { fillSmallDemoBank } from '../demo-bank.js';
import { openTestDb } from '../test-db.js';

export const CHROMIUM = process.env.STRATUM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results', 'screenshots');

export interface Running {
  url: string;
  db: Db;
  /** the demo's last business date, which the daily batch ran for */
  businessDate: string;
  browser: Browser;
  logins: DemoLogin[];
  password: string;
  stop: () => Promise<void>;
}

/** A small demo bank on the embedded database, the real server on a free port, and Chromium. */
export async function startStratum(): Promise<Running> {
  // fail loudly: a browser test that cannot run is a failure, never a skip
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (npm test does it).`);
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error(`the web app is not built in ${WEB_DIR}: run \`npm run build:web\` (npm test does it).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const db = await openTestDb();
  const out = tempDir('stratum-browser-');
  const { businessDate, logins } = await fillSmallDemoBank(db, out);
  const app = await buildStratumApp({ db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    businessDate,
    browser,
    logins,
    password: DEMO_PASSWORD,
    stop: async () => {
      await browser.close();
      await app.close();
      await db.close();
    },
  };
}

export async function newPage(run: Running, locale: 'zh-CN' | 'en-US'): Promise<Page> {
  const context = await run.browser.newContext({ locale, viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

/**
 * A page in its own context with a chosen window size (tablets, phones); `bypassCSP` lets a test
 * inject a checker such as axe-core with page.addScriptTag, which the app's CSP would refuse.
 */
export async function newPageWith(
  run: Running,
  locale: 'zh-CN' | 'en-US',
  options: { width?: number; height?: number; bypassCSP?: boolean; isMobile?: boolean; hasTouch?: boolean } = {},
): Promise<Page> {
  const { width = 1440, height = 900, ...rest } = options;
  const context = await run.browser.newContext({ locale, viewport: { width, height }, ...rest });
  return context.newPage();
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true });
}

export interface Stratum {
  /** the running bank: set in beforeAll */
  readonly run: Running;
  loginOf(role: string): DemoLogin;
  /** opens `path`, which asks for a sign-in, and signs in with the demo password */
  signIn(page: Page, path: string, login: string): Promise<void>;
}

/** The setup every browser test file shares: the bank started before its tests, stopped after. */
export function useStratum(): Stratum {
  let current: Running | undefined;
  beforeAll(async () => {
    current = await startStratum();
  });
  afterAll(async () => {
    await current?.stop();
  });
  const running = (): Running => {
    if (!current) throw new Error('the demo bank is not started (use it inside a test)');
    return current;
  };
  return {
    get run() {
      return running();
    },
    loginOf(role) {
      const l = running().logins.find((x) => x.role === role);
      if (!l) throw new Error(`the demo bank has no ${role}`);
      return l;
    },
    async signIn(page, path, login) {
      await page.goto(`${running().url}${path}`);
      await page.locator('#login').fill(login);
      await page.locator('#password').fill(running().password);
      await page.getByTestId('sign-in-submit').click();
    },
  };
}

/**
 * Waits until a page has settled: no request in flight for a moment, no spinner or skeleton, and
 * antd's enter animations over (so what a check or a screenshot sees is what a user reads).
 */
export async function settle(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout }).catch(() => undefined);
  await page
    .waitForFunction("!document.querySelector('.ant-spin-spinning, .ant-skeleton-active')", undefined, { timeout })
    .catch(() => undefined);
  await page.waitForTimeout(400);
}
