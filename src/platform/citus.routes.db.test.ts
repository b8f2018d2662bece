import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScopedBank, MANAGER_B112, PB_DEPT, signInAs } from '../../test/bank-fixture.js';
import { openTestDb, testEngine } from '../../test/test-db.js';
import { buildStratumApp } from '../app.js';
import { openDb, type Db } from './db.js';

// A read about one customer stays with that customer: on Citus every statement of the 360 page runs
// on the one shard holding the customer (a single task), never on all of them; on PGlite and
// PostgreSQL it is a lookup by key.

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
});
afterAll(async () => {
  await db.close();
});

const PROFILE = `EXPLAIN SELECT c.customer_id, c.name, o.staff_id
  FROM customers c LEFT JOIN customer_owners o ON o.customer_id = c.customer_id AND o.kind = 'primary'
  LEFT JOIN accounts a ON a.customer_id = c.customer_id
 WHERE c.customer_id = $1`;

describe(`a per-customer read (${testEngine()})`, () => {
  it('is planned for one place: on Citus a single task on the customer’s shard, elsewhere a lookup by key', async () => {
    const plan = await db.transaction(async (s) => {
      // four customers fit in a page: the plan a bank's table gets is asked for without whole-table scans
      if (!s.citus) await s.exec('SET LOCAL enable_seqscan = off');
      return (await s.query<{ 'QUERY PLAN': string }>(PROFILE, ['C3'])).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    if (db.citus) {
      expect(plan).toMatch(/Task Count: 1\b/);
      expect(plan).not.toMatch(/Task Count: [2-9]/);
    } else {
      expect(plan).toMatch(/Index (Only )?Scan using customers_pkey/);
      expect(plan).not.toMatch(/Seq Scan on customers/);
    }
  });

  it('the whole 360 page of a customer, and its history, answer without a statement over every shard', async () => {
    // on Citus, a statement that would run as more than one task is refused for the app's connections
    let appDb = db;
    if (db.citus) {
      const name = new URL(db.location).pathname.slice(1);
      await db.session((s) => s.exec(`ALTER DATABASE ${name} SET citus.multi_task_query_log_level = 'error'`));
      appDb = await openDb({ databaseUrl: db.location });
      // the guard holds: a count over every shard is refused on these connections
      await expect(appDb.session((s) => s.query('SELECT count(*) FROM customers'))).rejects.toThrow(/multi-task/i);
    }
    // sign-in and its session live in reference tables: they are not the per-customer reads under test
    const signIn = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
    const manager = await signInAs(signIn, MANAGER_B112);
    const dept = await signInAs(signIn, PB_DEPT);
    await signIn.close();
    const app = await buildStratumApp({ db: appDb, webDir: null, signInRateLimit: 1000 });
    try {
      const inject = (who: typeof manager, url: string) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
      const profile = await inject(manager, '/api/customers/C3');
      expect(profile.statusCode, profile.body).toBe(200);
      expect(profile.json().data.profile.customerId).toBe('C3');
      for (const url of ['/api/customers/C1', '/api/customers/C1/aum-history']) {
        const r = await inject(dept, url);
        expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      }
    } finally {
      await app.close();
      if (appDb !== db) await appDb.close();
    }
  });
});
