import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD, ensureDemoLogins, type DemoLogin } from '../../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../../src/features/customers/customers.overview.js';
import { runTiering } from '../../src/features/tiering/tiering.batch.js';
import { proposeOwners } from '../../src/features/ownership/ownership.batch.js';
import { seedDemoOwnership } from '../../src/features/ownership/ownership.demo.js';
import { generateDemoBank } from '../../src/features/demo/demo.generate.js';
import { feedFolders } from '../../src/features/feed/feed.files.js';
import { loadFeed } from '../../src/features/feed/feed.load.js';
import { buildStratumApp, WEB_DIR } from '../../src/app.js';
import type { Db } from '../../src/platform/db.js';
import { tempDir } from '../feed-builder.js';
import { openTestDb } from '../test-db.js';

export const CHROMIUM = process.env.STRATUM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results', 'screenshots');

export interface Running {
  url: string;
  db: Db;
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
  await generateDemoBank({ customers: 400, days: 8, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.5 });
  for (const folder of feedFolders(out)) {
    const r = await loadFeed(db, folder);
    if (r.outcome !== 'loaded') throw new Error(`demo day ${folder} did not load: ${JSON.stringify(r.problems.slice(0, 3))}`);
  }
  await refreshCustomerOverview(db);
  const latest = feedFolders(out).at(-1);
  await runTiering(db, path.basename(latest ?? ''));
  await proposeOwners(db, path.basename(latest ?? ''));
  const logins = await ensureDemoLogins(db);
  // owners as the demo has them (scope follows ownership): proposals accepted, a few left open
  await seedDemoOwnership(db, logins);
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

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
