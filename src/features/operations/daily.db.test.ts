import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAccount, buildFullDay, buildTransaction, feedDir, toCsv, writeFeed } from '../../../test/feed-builder.js';
import pg from 'pg';
import { onServer, serverUrl, useDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { dailyExitCode, planDaily, runDaily, takeLock, type DailyEvent } from './daily.js';
import { nextChinaTime, parseTimeOfDay, scheduleDaily } from './daily.schedule.js';

// `stratum daily`: the inbox's complete date folders, loaded and batched in date order, as an
// operations team relies on it every morning.

/** a test of its own database: each starts from an empty bank */
function scenario(name: string, fn: (db: () => Db) => Promise<void>, timeout = 120_000) {
  describe(name, () => {
    const db = useDb();
    it(name, () => fn(db), timeout);
  });
}

function dayFolder(inbox: string, date: string, mode: 'full' | 'delta' = 'delta', extra: { balance?: string; txn?: string } = {}) {
  const files =
    mode === 'full'
      ? buildFullDay()
      : {
          accounts: [buildAccount({ balance: extra.balance ?? '53000.00' })],
          transactions: [buildTransaction({ txn_id: extra.txn ?? `T-${date}`, booked_at: `${date}T10:00:00+08:00`, amount: '700.00' })],
        };
  return writeFeed(path.join(inbox, date), { business_date: date, mode }, files);
}

async function runs(db: () => Db) {
  const r = await db().session((s) =>
    s.query<{ kind: string; business_date: string | null; outcome: string; attempt: number; folder: string | null; problems: { file?: string; line?: number; message: string }[]; message: string | null; detail: { step?: string }[] }>(
      `SELECT kind, to_char(business_date, 'YYYY-MM-DD') AS business_date, outcome, attempt, folder, problems, message, detail FROM operation_runs ORDER BY started_at, kind DESC`,
    ),
  );
  return r.rows;
}

const noWait = async () => {};

describe('the daily run', () => {
  scenario('loads and batches every complete date folder in date order, leaves a folder without feed.json alone, and then has nothing to do', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-22');
    dayFolder(inbox, '2026-11-20', 'full');
    dayFolder(inbox, '2026-11-21');
    // the bank is still writing this one: no feed.json yet
    const writing = path.join(inbox, '2026-11-23');
    mkdirSync(writing);
    writeFileSync(path.join(writing, 'customers.csv'), toCsv('customers', buildFullDay().customers ?? []));

    const events: DailyEvent[] = [];
    const r = await runDaily(db(), { inbox, startedBy: 'daily', onEvent: (e) => events.push(e), sleep: noWait });
    expect(r.outcome).toBe('done');
    expect(dailyExitCode(r)).toBe(0);
    expect(r.dates.map((d) => [d.date, d.outcome])).toEqual([
      ['2026-11-20', 'done'],
      ['2026-11-21', 'done'],
      ['2026-11-22', 'done'],
    ]);
    const plan = events.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.incomplete).toEqual([writing]);
    // load, then batch, date after date
    expect(events.filter((e) => e.type === 'loaded' || e.type === 'batched').map((e) => `${e.type} ${'date' in e ? e.date : ''}`)).toEqual([
      'loaded 2026-11-20',
      'batched 2026-11-20',
      'loaded 2026-11-21',
      'batched 2026-11-21',
      'loaded 2026-11-22',
      'batched 2026-11-22',
    ]);
    const recorded = await runs(db);
    expect(recorded.map((x) => [x.kind, x.business_date, x.outcome])).toEqual([
      ['load', '2026-11-20', 'done'],
      ['batch', '2026-11-20', 'done'],
      ['load', '2026-11-21', 'done'],
      ['batch', '2026-11-21', 'done'],
      ['load', '2026-11-22', 'done'],
      ['batch', '2026-11-22', 'done'],
    ]);
    // each batch says its steps
    expect(recorded[1]?.detail.map((d) => d.step)).toEqual(['tiering', 'households', 'ownership', 'events', 'greetings', 'worklist', 'suitability', 'opportunities', 'profile', 'complaints', 'gatherings', 'dashboards', 'owner_history']);
    // the folder being written was not touched; the done ones say so
    expect(readdirSync(writing)).toEqual(['customers.csv']);
    expect(existsSync(path.join(inbox, '2026-11-22', 'stratum-done.json'))).toBe(true);
    const balance = await db().session((s) => s.query<{ balance: string }>(`SELECT balance FROM accounts WHERE account_id = 'A1'`));
    expect(balance.rows[0]?.balance).toBe('53000.00');

    const again = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(again.outcome).toBe('nothing');
    expect(dailyExitCode(again)).toBe(3);
    expect(await runs(db)).toHaveLength(6);
  });

  scenario('refuses a date with bad rows by file and line, holds the dates after it, and finishes them once the files are fixed', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-20', 'full');
    const bad = writeFeed(path.join(inbox, '2026-11-21'), { business_date: '2026-11-21', mode: 'delta' }, {}, {
      'accounts.csv': 'account_id,customer_id,kind,product_code,balance,opened_on,matures_on,status\nA1,C1,current,CUR,lots,2015-06-01,,active\n',
    });
    dayFolder(inbox, '2026-11-22');
    const r = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(r.outcome).toBe('failed');
    expect(dailyExitCode(r)).toBe(1);
    expect(r.dates.map((d) => [d.date, d.outcome])).toEqual([
      ['2026-11-20', 'done'],
      ['2026-11-21', 'refused'],
      ['2026-11-22', 'waiting'],
    ]);
    const refused = (await runs(db)).find((x) => x.outcome === 'refused');
    expect(refused).toMatchObject({ kind: 'load', business_date: '2026-11-21', folder: path.resolve(bad) });
    expect(refused?.problems[0]).toMatchObject({ file: 'accounts.csv', line: 2 });
    const dates = await db().session((s) => s.query<{ d: string }>(`SELECT to_char(max(business_date), 'YYYY-MM-DD') AS d FROM business_dates`));
    expect(dates.rows[0]?.d).toBe('2026-11-20');

    // the bank sends the day again, corrected
    dayFolder(inbox, '2026-11-21');
    const fixed = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(fixed.outcome).toBe('done');
    expect(fixed.dates.map((d) => [d.date, d.outcome])).toEqual([
      ['2026-11-21', 'done'],
      ['2026-11-22', 'done'],
    ]);
  });

  scenario('tries a failing date again after a doubling wait, and leaves it for a person after its retries', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-20', 'full');
    dayFolder(inbox, '2026-11-21');
    // the batch's last step cannot write its record until the "outage" ends
    await db().session((s) => s.exec('ALTER TABLE contact_plans RENAME TO contact_plans_away'));
    const waits: number[] = [];
    const healOnSecondWait = async (ms: number) => {
      waits.push(ms);
      if (waits.length === 2) await db().session((s) => s.exec('ALTER TABLE contact_plans_away RENAME TO contact_plans'));
    };
    const r = await runDaily(db(), { inbox, startedBy: 'daily', retries: 3, backoffSeconds: 5, sleep: healOnSecondWait });
    expect(r.outcome).toBe('done');
    expect(waits).toEqual([5000, 10000]);
    const batches = (await runs(db)).filter((x) => x.kind === 'batch' && x.business_date === '2026-11-20');
    expect(batches.map((x) => [x.attempt, x.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'done'],
    ]);
    expect(batches[0]?.message).toMatch(/^step worklist: /);
    // the load was not repeated: it had succeeded
    expect((await runs(db)).filter((x) => x.kind === 'load' && x.business_date === '2026-11-20')).toHaveLength(1);

    // no retries left: failed, and the next date waits
    dayFolder(inbox, '2026-11-22');
    await db().session((s) => s.exec('ALTER TABLE contact_plans RENAME TO contact_plans_away'));
    try {
      const gaveUp = await runDaily(db(), { inbox, startedBy: 'daily', retries: 1, backoffSeconds: 1, sleep: noWait });
      // 11-21 was loaded and batched above; 11-22 now fails twice
      expect(gaveUp.outcome).toBe('failed');
      expect(gaveUp.dates.map((d) => [d.date, d.outcome])).toEqual([['2026-11-22', 'failed']]);
      expect(gaveUp.dates[0]?.message).toMatch(/contact_plans/);
    } finally {
      await db().session((s) => s.exec('ALTER TABLE contact_plans_away RENAME TO contact_plans'));
    }
    // the next run batches the loaded date without loading it again
    const plan = await planDaily(db(), inbox);
    expect(plan.planned.filter((p) => p.action !== 'done').map((p) => [p.date, p.action])).toEqual([['2026-11-22', 'batch']]);
    expect((await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait })).outcome).toBe('done');
  });

  scenario('refuses once a folder older than the last date loaded, saying why, and leaves it alone afterwards', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-20', 'full');
    dayFolder(inbox, '2026-11-21');
    expect((await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait })).outcome).toBe('done');
    dayFolder(inbox, '2026-11-19');
    const r = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(r.outcome).toBe('failed');
    expect(r.dates).toMatchObject([{ date: '2026-11-19', outcome: 'refused' }]);
    expect(r.dates[0]?.message).toMatch(/earlier than 2026-11-21/);
    const next = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(next.outcome).toBe('nothing');
  });

  scenario('never overlaps: a live holder keeps the lock, a dead one on this machine is taken over', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-20', 'full');
    await db().session((s) => s.query(`INSERT INTO operation_locks (name, host, pid, token) VALUES ('daily', $1, $2, 'other')`, [os.hostname(), process.pid]));
    const busy = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(busy.outcome).toBe('busy');
    expect(dailyExitCode(busy)).toBe(3);
    expect(busy.holder).toContain(`process ${process.pid}`);
    expect(await runs(db)).toEqual([]);
    // a holder on another machine that still says it is alive keeps it too
    await db().session((s) => s.query(`UPDATE operation_locks SET host = 'other-host', pid = 1`));
    expect((await takeLock(db())).token).toBeUndefined();
    // the holder's process died on this machine: taken over
    await db().session((s) => s.query(`UPDATE operation_locks SET host = $1, pid = 2147483646`, [os.hostname()]));
    const r = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
    expect(r.outcome).toBe('done');
    // released at the end
    const left = await db().session((s) => s.query(`SELECT 1 FROM operation_locks`));
    expect(left.rows).toEqual([]);
  });

  // a server only: the embedded database has no connection another process could cut
  if (onServer()) {
    scenario('the database cutting the connection mid-load leaves the date not loaded, and the next run finishes it', async (db) => {
      const inbox = feedDir();
      dayFolder(inbox, '2026-11-20', 'full');
      const dbName = new URL(db().location.replace(/^postgres(ql)?:/, 'http:')).pathname.slice(1);
      const admin = async () => {
        const c = new pg.Client({ connectionString: serverUrl().replace(/\/[^/]*$/, `/${dbName}`) });
        c.on('error', () => {});
        await c.connect();
        return c;
      };
      // the loader waits at its merge into customers behind this lock, and is cut off there
      const locker = await admin();
      await locker.query('BEGIN; LOCK TABLE customers IN SHARE MODE');
      const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      let killed: Promise<unknown> | null = null;
      const cut = () =>
        (killed ??= (async () => {
          const c = await admin();
          try {
            // wait until the loader is blocked on the lock, then cut every other connection
            for (let i = 0; i < 200; i++) {
              const waiting = await c.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'customers'::regclass`);
              if (waiting.rows.length) break;
              await new Promise((r) => setTimeout(r, 50));
            }
            await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid NOT IN (pg_backend_pid(), $2)`, [dbName, lockerPid]);
          } finally {
            await c.end();
            await locker.query('ROLLBACK').catch(() => {});
            await locker.end();
          }
        })());
      const first = await runDaily(db(), {
        inbox,
        startedBy: 'daily',
        retries: 0,
        sleep: noWait,
        onEvent: (e) => {
          if (e.type === 'load-progress' && e.phase.startsWith('merging')) void cut();
        },
      });
      await killed;
      expect(killed).not.toBeNull();
      expect(first.outcome).toBe('failed');
      expect(first.dates[0]).toMatchObject({ date: '2026-11-20', outcome: 'failed' });
      const loaded = await db().session((s) => s.query(`SELECT 1 FROM business_dates`));
      expect(loaded.rows).toEqual([]);
      const customers = await db().session((s) => s.query(`SELECT 1 FROM customers`));
      expect(customers.rows).toEqual([]);
      const next = await runDaily(db(), { inbox, startedBy: 'daily', sleep: noWait });
      expect(next.outcome).toBe('done');
      const after = await db().session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers`));
      expect(after.rows[0]?.n).toBe(2);
    });
  }

  scenario('says clearly when the inbox is not a folder', async (db) => {
    await expect(runDaily(db(), { inbox: path.join(feedDir(), 'nope'), startedBy: 'daily' })).rejects.toThrow(/is not a folder/);
  });
});

describe('the daily run inside the server', () => {
  scenario('started after the day\'s time, catches up at once, then waits for the next day', async (db) => {
    const inbox = feedDir();
    dayFolder(inbox, '2026-11-20', 'full');
    // 07:00 in Beijing, the run is set for 06:00
    const schedule = scheduleDaily(db(), { at: '06:00', inbox, now: () => new Date('2026-12-04T23:00:00Z') });
    try {
      expect(schedule.next().toISOString()).toBe('2026-12-05T22:00:00.000Z');
      const running = schedule.running();
      expect(running).not.toBeNull();
      await running;
      const loaded = await db().session((s) => s.query<{ d: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM business_dates`));
      expect(loaded.rows).toEqual([{ d: '2026-11-20' }]);
      const recorded = await runs(db);
      expect(recorded.map((r) => [r.kind, r.outcome])).toEqual([
        ['load', 'done'],
        ['batch', 'done'],
      ]);
    } finally {
      schedule.stop();
    }
    // before the day's time: nothing at start
    const early = scheduleDaily(db(), { at: '06:00', inbox, now: () => new Date('2026-12-04T21:00:00Z') });
    expect(early.running()).toBeNull();
    expect(early.next().toISOString()).toBe('2026-12-04T22:00:00.000Z');
    early.stop();
  });


  it('reads the time of day and finds the next one in China time', () => {
    expect(parseTimeOfDay('06:00')).toBe(360);
    expect(() => parseTimeOfDay('6 am')).toThrow(/--daily-at must be a time of day like 06:00/);
    expect(() => parseTimeOfDay('24:00')).toThrow();
    // 05:00 in Beijing is 21:00 UTC the day before: 06:00 Beijing is an hour later
    expect(nextChinaTime(360, new Date('2026-12-04T21:00:00Z')).toISOString()).toBe('2026-12-04T22:00:00.000Z');
    // 07:00 in Beijing: tomorrow's 06:00
    expect(nextChinaTime(360, new Date('2026-12-04T23:00:00Z')).toISOString()).toBe('2026-12-05T22:00:00.000Z');
    // exactly at the time: the next day's
    expect(nextChinaTime(360, new Date('2026-12-04T22:00:00Z')).toISOString()).toBe('2026-12-05T22:00:00.000Z');
  });
});
