import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedBank } from '../../../test/bank-fixture.js';
import { useStratumCli } from '../../../test/cli-run.js';
import { feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openDb, type Db } from '../../platform/db.js';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { addTestCustomers } from './sms.test-support.js';

// `stratum campaign run` and `stratum sms outbox|send` as an operator runs them, against the fake
// gateway: bad lines named, the same name again sends nothing new, and a sender killed (SIGKILL)
// mid-campaign then run again delivers every message exactly once.

const stratum = useStratumCli({ timeout: 120_000 });
let gw: FakeGateway;
const dir = feedDir();
const csv = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
/** the command's own database, opened between two commands */
async function withCliDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const env = stratum.env();
  const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: path.join(env.STRATUM_DATA_DIR ?? '', 'pglite') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
const outboxOf = (name: string) =>
  withCliDb((db) =>
    db.session(async (s) => (await s.query<{ customer_id: string; status: string; ref: string; gateway_id: string | null }>(`SELECT o.customer_id, o.status, o.ref, o.gateway_id FROM sms_outbox o JOIN campaigns c USING (campaign_id) WHERE c.name = $1 ORDER BY o.customer_id`, [name])).rows),
  );
// the shared fake gateway's hook before it answers a request (its number), set by one test
let hookFn: ((n: number) => Promise<void>) | null = null;
const KILL_IDS = Array.from({ length: 800 }, (_, i) => `K${String(i).padStart(4, '0')}`);

beforeAll(async () => {
  gw = await startFakeGateway({ token: 'cli-token', beforeAnswer: (n) => hookFn?.(n) });
  Object.assign(stratum.env(), { STRATUM_SMS_URL: gw.url, STRATUM_SMS_TOKEN: 'cli-token', STRATUM_SMS_RETRIES: '1', STRATUM_SMS_BACKOFF_MS: '10' });
  const load = await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, buildScopedBank()));
  expect(load.code, load.stderr).toBe(0);
  await withCliDb((db) => addTestCustomers(db, KILL_IDS.map((id) => ({ id }))));
}, 180_000);
afterAll(async () => {
  await gw.close();
});

describe('stratum campaign run', () => {
  it('names the bad lines of the file and sends nothing', async () => {
    const file = csv('bad.csv', ['name,customer_id', '张三,C1', '李四,', '王五,C999', '赵六,C 2']);
    const r = await stratum('campaign', 'run', '--name', 'bad-file', '--customers', file, '--text', '您好', '--kind', 'service');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was sent');
    expect(r.stderr).toContain('bad.csv line 3: no customer_id');
    expect(r.stderr).toContain("bad.csv line 5: 'C 2' is not a customer number");
    const noColumn = await stratum('campaign', 'run', '--name', 'bad-file', '--customers', csv('nocol.csv', ['id', 'C1']), '--text', '您好', '--kind', 'service');
    expect(noColumn.stderr).toContain('nocol.csv line 1: no customer_id column');
    const unknown = await stratum('campaign', 'run', '--name', 'bad-file', '--customers', csv('unknown.csv', ['customer_id', 'C1', 'C999']), '--text', '您好', '--kind', 'service');
    expect(unknown.stderr).toContain('unknown.csv line 3: no customer C999');
    expect(gw.messages.size).toBe(0);
    expect(await outboxOf('bad-file')).toEqual([]);
    expect((await stratum('campaign', 'run', '--name', 'x', '--customers', file, '--text', 'x', '--kind', 'promo')).stderr).toContain('--kind must be marketing or service');
  });

  it('creates, approves (audited), sends and prints sent and skipped; the same name again sends nothing new', async () => {
    const file = csv('notice.csv', ['customer_id', 'C1', 'C2', 'C3', 'C1']);
    const r = await stratum('campaign', 'run', '--name', '到期提醒', '--customers', file, '--text', '您的定期存款即将到期。', '--kind', 'service');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created and approved by cli:\S+: 3 recipients \(1 repeated lines counted once\)/);
    expect(r.stdout).toMatch(/Posted now: 3\./);
    expect(r.stdout).toMatch(/sent\s+3/);
    const first = await outboxOf('到期提醒');
    expect(first.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const again = await stratum('campaign', 'run', '--name', '到期提醒', '--customers', file, '--text', '您的定期存款即将到期。', '--kind', 'service');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('exists');
    expect(again.stdout).toContain('Posted now: 0 (nothing new)');
    expect(await outboxOf('到期提醒')).toEqual(first);
    for (const row of first) expect(gw.messages.get(row.ref)?.posted).toBe(1);
    const audit = await withCliDb((db) => db.session(async (s) => (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign_approve' AND detail->>'name' = '到期提醒'`)).rows[0]?.n));
    expect(audit).toBe(1);
    // another text under the same name is refused
    const other = await stratum('campaign', 'run', '--name', '到期提醒', '--customers', file, '--text', '另一条', '--kind', 'service');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('already exists with another kind or text');
  });

  it('leaves a campaign to the server while the server sends it (started in the web app)', async () => {
    await withCliDb((db) =>
      db.session((s) =>
        s.query(
          `INSERT INTO campaigns (name, kind, text, created_by, status, approved_by, approved_at, send_job, send_state, send_runner, send_heartbeat_at)
           VALUES ('web-send', 'service', '您好', 'S1', 'sending', 'S2', now(), 'web', 'running', 'web', now())`,
        ),
      ),
    );
    const busy = await stratum('campaign', 'run', '--name', 'web-send', '--customers', csv('web.csv', ['customer_id', 'C1']), '--text', '您好', '--kind', 'service');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("Campaign 'web-send' is being sent by the server right now");
    expect(await outboxOf('web-send')).toEqual([]);
  });

  it('a gateway that is down: the messages wait in the outbox, `sms outbox` says why, `sms send` sends them', async () => {
    const file = csv('down.csv', ['customer_id', 'C1', 'C2']);
    const down = { ...stratum.env() };
    stratum.env().STRATUM_SMS_URL = 'http://127.0.0.1:9/messages';
    let r;
    try {
      r = await stratum('campaign', 'run', '--name', 'down', '--customers', file, '--text', '网点营业时间调整通知', '--kind', 'service');
    } finally {
      stratum.env().STRATUM_SMS_URL = down.STRATUM_SMS_URL;
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not reachable');
    expect(r.stderr).toContain('run the same command again');
    const box = await stratum('sms', 'outbox');
    expect(box.stdout).toMatch(/down\s+service\s+0\s+2\s+0\s+interrupted: posted again with the same ref/);
    const send = await stratum('sms', 'send');
    expect(send.stdout).toContain('down: 2 posted');
    expect((await outboxOf('down')).map((x) => x.status)).toEqual(['accepted', 'accepted']);
    expect((await stratum('sms', 'outbox')).stdout).toMatch(/awaiting the delivery receipt/);
  });
});

describe('killed mid-campaign and run again', () => {
  it('every recipient gets the message exactly once (same refs resent, one gateway id each)', async () => {
    const file = csv('kill.csv', ['customer_id', ...KILL_IDS]);
    const args = ['campaign', 'run', '--name', 'kill', '--customers', file, '--text', '您好，您的专属客户经理已更换。', '--kind', 'service'];
    const before = gw.messages.size;
    const child = spawn(process.execPath, [path.resolve('bin/stratum.js'), ...args], { env: stratum.env(), stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let killedAt = 0;
    const base = gw.requests();
    // the 3rd request of the run: the gateway takes its messages, and the sender is killed before the answer
    hookFn = async (n) => {
      if (n - base === 3 && !killedAt) {
        killedAt = n;
        child.kill('SIGKILL');
        await exited;
      }
    };
    await exited;
    hookFn = null;
    expect(killedAt).toBeGreaterThan(0);
    const mid = await outboxOf('kill');
    expect(mid.some((x) => x.status === 'sending')).toBe(true);
    expect(mid.filter((x) => x.status === 'accepted').length).toBeLessThan(KILL_IDS.length);
    const again = await stratum(...args);
    expect(again.code, again.stderr).toBe(0);
    const rows = await outboxOf('kill');
    expect(rows).toHaveLength(KILL_IDS.length);
    expect(rows.every((x) => x.status === 'accepted')).toBe(true);
    // at the gateway: one message per recipient, each ref with the gateway id Stratum recorded
    expect(gw.messages.size - before).toBe(KILL_IDS.length);
    for (const x of rows) expect(gw.messages.get(x.ref)?.gatewayId).toBe(x.gateway_id);
    expect(new Set(rows.map((x) => x.gateway_id)).size).toBe(KILL_IDS.length);
    const resent = rows.filter((x) => (gw.messages.get(x.ref)?.posted ?? 0) > 1);
    expect(resent.length).toBeGreaterThanOrEqual(100); // the killed request's messages went again, and were not new
    expect(rows.every((x) => (gw.messages.get(x.ref)?.posted ?? 0) <= 2)).toBe(true);
  }, 180_000);
});

