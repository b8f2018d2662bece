// The small demo bank of the browser tests (test/browser/harness.ts, startStratum) without Vitest:
// 400 customers × 8 days (seed 7) on an in-memory PGlite, the daily batch, one login per role,
// owners as the demo has them and the batch again from the events (reminders and plans for the
// owners). The same steps in the same order, so the bench measures the screens the tests see.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { DEMO_PASSWORD, ensureDemoLogins, type DemoLogin } from '../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { feedFolders } from '../src/features/feed/feed.files.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { seedDemoOwnership } from '../src/features/ownership/ownership.demo.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';

export interface DemoBank {
  db: Db;
  businessDate: string;
  logins: DemoLogin[];
  password: string;
  close: () => Promise<void>;
}

export async function startDemoBank(): Promise<DemoBank> {
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  const out = mkdtempSync(path.join(os.tmpdir(), 'stratum-first-screen-'));
  try {
    await generateDemoBank({ customers: 400, days: 8, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.5 });
    for (const folder of feedFolders(out)) {
      const r = await loadFeed(db, folder);
      if (r.outcome !== 'loaded') throw new Error(`demo day ${folder} did not load: ${JSON.stringify(r.problems.slice(0, 3))}`);
    }
    await refreshCustomerOverview(db);
    const businessDate = path.basename(feedFolders(out).at(-1) ?? '');
    await runDailyBatch(db, businessDate);
    const logins = await ensureDemoLogins(db);
    await seedDemoOwnership(db, logins);
    await runDailyBatch(db, businessDate, undefined, { from: 'events' });
    return { db, businessDate, logins, password: DEMO_PASSWORD, close: () => db.close() };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
