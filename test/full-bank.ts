import path from 'node:path';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { ensureDemoLogins } from '../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { feedFolders } from '../src/features/feed/feed.files.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { seedDemoOwnership } from '../src/features/ownership/ownership.demo.js';
import type { Db } from '../src/platform/db.js';

/**
 * A small demo bank with a row in every table a release had (for backup round trips and the
 * upgrade test): 150 customers × 6 days (seed 11), each date loaded and then its daily batch run
 * (so tiers change and the tier history has rows), demo logins and owners, the last date's
 * worklist again for the owners; then what no load or batch writes, as the server would write it:
 * a work-log contact, a comment on a plan, a session, an export job, owners from a bank's
 * owners.csv, an audit entry about many customers.
 */
export async function fillEveryTable(db: Db, out: string): Promise<{ businessDate: string }> {
  await generateDemoBank({ customers: 150, days: 6, seed: 11, out, layout: 'daily', txnsPerCustomerDay: 0.6 });
  const folders = feedFolders(out);
  for (const folder of folders) {
    const r = await loadFeed(db, folder);
    if (r.outcome !== 'loaded') throw new Error(`demo day ${folder} did not load: ${JSON.stringify(r.problems.slice(0, 3))}`);
    await refreshCustomerOverview(db);
    await runDailyBatch(db, path.basename(folder));
  }
  const businessDate = path.basename(folders.at(-1) ?? '');
  const logins = await ensureDemoLogins(db);
  await seedDemoOwnership(db, logins);
  await runDailyBatch(db, businessDate, undefined, { from: 'events' });
  await db.transaction(async (s) => {
    // a contact logged by a customer's primary owner, and their branch head's comment on the plan
    await s.query(
      `INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on)
       SELECT o.customer_id, o.staff_id, $1::date + time '10:30', 'phone', 'reached', '约下周面谈', $1::date + 7
         FROM customer_owners o WHERE o.kind = 'primary' ORDER BY o.customer_id LIMIT 3`,
      [businessDate],
    );
    await s.query(
      `INSERT INTO contact_plan_comments (staff_id, plan_date, author_id, body)
       SELECT p.staff_id, p.plan_date, h.staff_id, '先联系到期客户'
         FROM contact_plans p JOIN staff h ON h.role = 'branch_head'
        ORDER BY p.staff_id, p.plan_date, h.staff_id LIMIT 1`,
    );
    await s.query(
      `INSERT INTO sessions (token_hash, login, csrf_token, expires_at)
       SELECT md5(login), login, md5(login || 'csrf'), now() + interval '1 hour' FROM user_accounts ORDER BY login LIMIT 2`,
    );
    await s.query(
      `INSERT INTO export_jobs (export_id, owner, kind, format, lang, status, rows_done, rows_total, file_name, bytes, finished_at, expires_at)
       SELECT 'exp-' || login, login, 'customer_info', 'xlsx', 'zh', 'done', 3, 3, '个人客户信息梳理表.xlsx', 4096, now(), now() + interval '24 hours'
         FROM user_accounts ORDER BY login LIMIT 1`,
    );
    await s.query(
      `INSERT INTO feed_owners (customer_id, staff_id, kind, business_date)
       SELECT customer_id, staff_id, kind, $1 FROM customer_owners ORDER BY customer_id, staff_id LIMIT 5`,
      [businessDate],
    );
    // an export's audit entry about many customers keeps them in audit_customers
    const entry = await s.query<{ entry_id: number }>(
      `INSERT INTO audit_log (actor, role, ip, action, customer_ids, fields, outcome, detail)
       VALUES ('admin', 'admin', '127.0.0.1', 'export.download', '{}', '{phone}', 'allowed', '{"customers": 150}') RETURNING entry_id`,
    );
    await s.query(`INSERT INTO audit_customers (customer_id, entry_id) SELECT customer_id, $1 FROM customers`, [entry.rows[0]?.entry_id]);
  });
  return { businessDate };
}
