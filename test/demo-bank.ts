import path from 'node:path';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { ensureDemoLogins, type DemoLogin } from '../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { feedFolders } from '../src/features/feed/feed.files.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { seedDemoOwnership } from '../src/features/ownership/ownership.demo.js';
import type { Db } from '../src/platform/db.js';

/**
 * The small demo bank of the browser tests and the first-screen bench (no Vitest here): 400
 * customers × 8 days (seed 7) written into `out` and loaded, the daily batch, one login per role,
 * owners as the demo has them, then the batch again from the events (reminders and plans go to owners).
 */
export async function fillSmallDemoBank(db: Db, out: string): Promise<{ businessDate: string; logins: DemoLogin[] }> {
  await generateDemoBank({ customers: 400, days: 8, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.5 });
  for (const folder of feedFolders(out)) {
    const r = await loadFeed(db, folder);
    if (r.outcome !== 'loaded') throw new Error(`demo day ${folder} did not load: ${JSON.stringify(r.problems.slice(0, 3))}`);
  }
  await refreshCustomerOverview(db);
  const businessDate = path.basename(feedFolders(out).at(-1) ?? '');
  await runDailyBatch(db, businessDate);
  const logins = await ensureDemoLogins(db);
  // owners as the demo has them (scope follows ownership): proposals accepted, a few left open
  await seedDemoOwnership(db, logins);
  // reminders and plans go to owners: make them again now that there are owners
  await runDailyBatch(db, businessDate, undefined, { from: 'events' });
  return { businessDate, logins };
}
