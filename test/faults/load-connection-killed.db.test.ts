import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBank } from '../../src/features/demo/demo.generate.js';
import { feedFolders } from '../../src/features/feed/feed.files.js';
import { loadFeed } from '../../src/features/feed/feed.load.js';
import type { Db } from '../../src/platform/db.js';
import { feedDir } from '../feed-builder.js';
import { onServer, testEngine } from '../test-db.js';
import { differences, faultSeed, fingerprint, seededRandom, snapshotOf, type DbCopy, type DbSnapshot, type Fingerprint } from './fault-support.js';

// Issue 18: "The database going away mid-load (the server kills the connection) leaves the date
// not loaded; the next `stratum daily` finishes it." The loader's half: a load whose connection the
// server ends (pg_terminate_backend from another connection, at a seeded random moment while it
// copies the files into its staging tables or merges them) leaves nothing of the date — no
// business_dates row, no row of that date in any table, in fact every table exactly as before —
// and loading the same folder again, on the same pool, succeeds with the same content as a load
// never interrupted.
//
// Two loads are cut: a bank's first day (a full day carrying its transaction history, written
// into empty tables whose keys are dropped and built again inside the load's transaction), and
// the next day (a delta merged into what stands). The moments are spread over each load's copy and
// merge: the load's transaction is watched from another connection (it holds the loader's lock),
// and the uninterrupted load on a copy of the same database says from when to when it copies and
// merges.
//
// Server only: PGlite runs inside the process with one connection, which nothing else can end.
// What PGlite guarantees when its process dies mid-way (SIGKILL) is tested with the daily batch
// in batch-kill.db.test.ts: what was not committed is gone when the folder is opened again.

const LOAD_LOCK = 731_942_118; // feed.load.ts
const CUSTOMERS = 5000;
const KILLS_PER_LOAD = 4;

interface Moment {
  /** milliseconds after the load's transaction took its lock */
  ms: number;
  /** the statement the load was running */
  query: string;
}

/**
 * Watches the load's transaction from another connection: when it took the lock, each statement
 * as it is seen running; with `terminateAt`, ends its connection that long after the lock was
 * taken (pg_terminate_backend, as an administrator or the server's own shutdown does) and says
 * what it was running then.
 */
async function watchLoad(url: string, terminateAt?: number): Promise<{ done: () => Promise<{ statements: Moment[]; end: number; terminated?: Moment }> }> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  const statements: Moment[] = [];
  let start: number | undefined;
  let end = 0;
  let terminated: Moment | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !terminated) {
      const r = await c.query<{ pid: number; query: string }>(
        `SELECT a.pid, a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND a.datname = current_database()`,
        [LOAD_LOCK],
      );
      const now = performance.now();
      const held = r.rows[0];
      if (held) {
        start ??= now;
        end = now - start;
        const query = held.query.replace(/\s+/g, ' ').slice(0, 80);
        if (statements.at(-1)?.query !== query) statements.push({ ms: now - start, query });
        if (terminateAt !== undefined && now - start >= terminateAt) {
          const t = await c.query<{ query: string }>('SELECT query FROM pg_stat_activity WHERE pid = $1', [held.pid]);
          await c.query('SELECT pg_terminate_backend($1::int)', [held.pid]);
          terminated = { ms: now - start, query: (t.rows[0]?.query ?? '').replace(/\s+/g, ' ').slice(0, 80) };
        }
      }
      await new Promise((res) => setTimeout(res, 2));
    }
  })().catch((e: unknown) => e);
  return {
    done: async () => {
      stopped = true;
      const failed = await loop;
      await c.end().catch(() => {});
      if (failed) throw failed;
      return { statements, end, ...(terminated ? { terminated } : {}) };
    },
  };
}

/** Rows of the date in every table that has a business_date column (none, after a load that did not finish). */
async function rowsOfDate(db: Db, date: string): Promise<Record<string, number>> {
  return db.session(async (s) => {
    const tables = await s.query<{ table: string }>(
      `SELECT c.relname AS "table" FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attname = 'business_date' AND NOT a.attisdropped ORDER BY 1`,
    );
    const out: Record<string, number> = {};
    for (const { table } of tables.rows) {
      const r = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE business_date = $1::date`, [date]);
      if (r.rows[0]?.n) out[table] = r.rows[0].n;
    }
    return out;
  });
}

describe.skipIf(!onServer())(`a load whose connection the server ends mid-way (${testEngine()})`, () => {
  const seed = faultSeed();
  const random = seededRandom(seed + 1);
  let folders: string[] = [];
  const landed: string[] = [];

  beforeAll(async () => {
    const out = feedDir();
    await generateDemoBank({ customers: CUSTOMERS, days: 2, seed: 11, out, layout: 'history', txnsPerCustomerDay: 1 });
    folders = feedFolders(out);
    expect(folders).toHaveLength(2);
  });

  afterAll(() => {
    console.log(`connections ended (seed ${seed}):\n  ${landed.join('\n  ')}`);
  });

  for (const [which, index] of [['a first load (a full day with its history)', 0], ['the next day (a delta)', 1]] as const) {
    describe(which, () => {
      let snapshot: DbSnapshot;
      let before: Fingerprint;
      let reference: Fingerprint;
      let span: { from: number; to: number };
      let folder: string;
      let date: string;

      beforeAll(async () => {
        folder = folders[index] ?? '';
        date = path.basename(folder);
        // the database as it stands before the load
        snapshot = await snapshotOf(async (db) => {
          for (const f of folders.slice(0, index)) expect((await loadFeed(db, f)).outcome).toBe('loaded');
        });
        const copy = await snapshot.copy('uninterrupted');
        try {
          const db = await copy.open();
          try {
            before = await fingerprint(db, { keepRows: true });
            const watch = await watchLoad(copy.env.DATABASE_URL ?? '');
            const r = await loadFeed(db, folder);
            const seen = await watch.done();
            expect(r.outcome).toBe('loaded');
            reference = await fingerprint(db, { keepRows: true });
            // from the first COPY into a staging table to the last statement seen before the commit
            const firstCopy = seen.statements.find((st) => /^COPY stg_/i.test(st.query))?.ms ?? 0;
            // (to 80% of it: the first load on a database is the slowest, the cut ones are quicker)
            span = { from: firstCopy, to: 0.8 * seen.end };
            console.log(`${which}: ${r.rows} rows in ${Math.round(r.seconds * 1000)} ms; copy and merge from ${Math.round(span.from)} to ${Math.round(span.to)} ms after the lock; ${seen.statements.length} statements seen`);
          } finally {
            await db.close();
          }
        } finally {
          await copy.drop();
        }
      });

      afterAll(async () => {
        await snapshot?.drop();
      });

      for (let k = 0; k < KILLS_PER_LOAD; k++) {
        it(`ended at seeded moment ${k + 1} of ${KILLS_PER_LOAD}: nothing of the date stays; loaded again, the same as a load never interrupted`, async () => {
          // spread over the copy and merge: the k-th part of it, at a random place within
          const at = span.from + ((k + random()) / KILLS_PER_LOAD) * (span.to - span.from);
          const copy: DbCopy = await snapshot.copy(`cut${index}_${k}`);
          try {
            const db = await copy.open();
            try {
              const watch = await watchLoad(copy.env.DATABASE_URL ?? '', at);
              const load = await loadFeed(db, folder).then(
                (r) => ({ outcome: r.outcome as string, error: undefined as unknown }),
                (e: unknown) => ({ outcome: 'failed', error: e }),
              );
              const seen = await watch.done();
              const where = seen.terminated ? `ended at ${Math.round(seen.terminated.ms)} ms (aimed ${Math.round(at)}) during: ${seen.terminated.query}` : `finished before ${Math.round(at)} ms`;
              landed.push(`${which}: ${where} → ${load.outcome}${load.error instanceof Error ? ` (${load.error.message})` : ''}`);
              // Ended as it commits: the commit may have finished first (on Citus a two-phase commit
              // over the workers takes a while); or after it, while the session drops its work tables
              // (a transaction's end comes before them). Then the date is loaded whole, never in part.
              const atCommit = seen.terminated && /^\s*(commit\b|DROP TABLE IF EXISTS stratum_work\.)/i.test(seen.terminated.query);
              if (seen.terminated && !(atCommit && load.outcome === 'loaded')) {
                expect(load.outcome, where).toBe('failed');
                // nothing of the date: no business_dates row, no row of the date anywhere, every table as before
                expect(await rowsOfDate(db, date), where).toEqual({});
                expect(await differences(before, db), where).toEqual([]);
                // the same folder again, on the same pool (the ended connection is not handed out again)
                const again = await loadFeed(db, folder);
                expect(again.outcome, JSON.stringify(again.problems)).toBe('loaded');
              } else {
                expect(load.outcome, where).toBe('loaded');
              }
              expect(await differences(reference, db), `after ${where} and a load again`).toEqual([]);
            } finally {
              await db.close();
            }
          } finally {
            await copy.drop();
          }
        });
      }
    });
  }
});
