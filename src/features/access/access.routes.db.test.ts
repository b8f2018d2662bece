import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN, LEFT_STAFF, loadScopedBank, OUTLET_STAFF, PASSWORD, signInAs } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { buildApp } from '../../platform/http.js';

// What a branch's staff and the bank's security officer rely on when signing in.

let db: Db;
let clock = new Date('2026-11-23T09:00:00+08:00');
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const manager = OUTLET_STAFF.customer_manager;

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, access: { now: () => clock }, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const signIn = (login: string, password: string, lang = 'zh-CN') =>
  app.inject({ method: 'POST', url: '/api/session', payload: { login, password }, headers: { 'accept-language': lang } });

describe('signing in', () => {
  it('opens a server-side session in an httpOnly, SameSite cookie and says who is signed in', async () => {
    const r = await signIn(manager, PASSWORD);
    expect(r.statusCode).toBe(200);
    const cookie = r.cookies.find((c) => c.name === 'stratum_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).toMatch(/^[\w-]{40,}$/);
    expect(r.json().data).toMatchObject({
      login: manager,
      role: 'customer_manager',
      branch: { id: 'B111', name: '电力路网点' },
      bankName: '钱江银行',
      permissions: ['customers.read', 'pii.reveal', 'pii.details', 'ownership.claim', 'referrals.work', 'worklist.own', 'signings.request', 'products.recommend', 'opportunities.own', 'performance.read', 'feedback.record', 'coaching.own', 'groups.manage', 'templates.write', 'complaints.record', 'campaigns.read', 'counter.search', 'campaigns.write', 'households.link', 'availability.set', 'profile.collect', 'gatherings.read'],
      idleMinutes: 30,
    });
    // the token is stored hashed: the cookie value is nowhere in the database
    const stored = await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1', [cookie?.value]));
    expect(stored.rows[0]?.n).toBe(0);
    const me = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `stratum_session=${cookie?.value}` } });
    expect(me.json().data.login).toBe(manager);
  });

  it('says the same for an unknown login, a wrong password, no password yet and a locked account, in the language asked for', async () => {
    const unknown = await signIn('S404', PASSWORD);
    const wrong = await signIn(OUTLET_STAFF.vip_teller, 'wrong-pass1');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().error.code).toBe('unauthenticated');
    expect(wrong.json().error.message).toMatch(/^员工号或密码不正确。连续 5 次输错，账户将锁定 15 分钟/);
    expect((await signIn('S404', 'x', 'en-US,en;q=0.9')).json().error.message).toMatch(/^The staff number or the password is not right\. 5 wrong passwords in a row lock the account for 15 minutes/);
    // each refusal is audited with its real reason, for the administrator
    const whys = await db.session((s) => s.query<{ why: string }>(`SELECT detail->>'why' AS why FROM audit_log WHERE action = 'sign_in_failed' ORDER BY entry_id DESC LIMIT 3`));
    expect(whys.rows.map((r) => r.why)).toEqual(['unknown_login', 'wrong_password', 'unknown_login']);
  });

  it('locks the account after five wrong passwords without saying so to whoever is trying, refuses even the right one while locked, and lets it in after the lock', async () => {
    const who = OUTLET_STAFF.lobby_assistant;
    const unknown = (await signIn('S404', 'wrong5xx', 'en')).json();
    for (let i = 1; i <= 4; i++) expect((await signIn(who, `wrong${i}xx`)).statusCode).toBe(401);
    const fifth = await signIn(who, 'wrong5xx', 'en');
    expect(fifth.statusCode).toBe(401);
    expect(fifth.json()).toEqual(unknown);
    const right = await signIn(who, PASSWORD, 'en');
    expect(right.statusCode).toBe(401);
    expect(right.json()).toEqual(unknown);
    const entries = await db.session((s) => s.query<{ why: string; locked: string | null }>(`SELECT detail->>'why' AS why, detail->>'locked' AS locked FROM audit_log WHERE action = 'sign_in_failed' AND actor = $1 ORDER BY entry_id DESC LIMIT 2`, [who]));
    expect(entries.rows).toEqual([{ why: 'locked', locked: null }, { why: 'wrong_password', locked: 'true' }]);
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await signIn(who, PASSWORD)).statusCode).toBe(200);
  });

  it('a successful sign-in starts the count of wrong passwords again', async () => {
    const who = OUTLET_STAFF.counter_teller;
    for (let i = 0; i < 4; i++) await signIn(who, 'nope12345');
    expect((await signIn(who, PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await signIn(who, 'nope12345')).statusCode).toBe(401);
  });

  it('refuses staff who have left the bank, and answers a staff number without a password like any other failure', async () => {
    expect((await signIn(LEFT_STAFF, PASSWORD)).json().error.message).toBe('该员工号已停用。');
    await db.session((s) => s.exec(`DELETE FROM user_accounts WHERE login = 'S12'`));
    const none = await signIn('S12', 'whatever1', 'en');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual((await signIn('S404', 'whatever1', 'en')).json());
    const why = await db.session((s) => s.query<{ why: string }>(`SELECT detail->>'why' AS why FROM audit_log WHERE action = 'sign_in_failed' AND actor = 'S12' ORDER BY entry_id DESC LIMIT 1`));
    expect(why.rows[0]?.why).toBe('no_password');
  });

  it('refuses a NUL character anywhere in the sign-in, naming the field, and audits the attempt', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login: 'S13\u0000', password: PASSWORD }, headers: { 'accept-language': 'en' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'bad_request', fields: { login: 'contains a NUL control character' } });
    const last = await db.session((s) => s.query<{ action: string; why: string; fields: string[] }>(`SELECT action, detail->>'why' AS why, detail->'fields' AS fields FROM audit_log ORDER BY entry_id DESC LIMIT 1`));
    expect(last.rows[0]).toEqual({ action: 'sign_in_failed', why: 'malformed', fields: ['login'] });
  });

  it('checks the body against its schema and names the field', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login: manager }, headers: { 'accept-language': 'en' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('bad_request');
    expect(Object.keys(r.json().error.fields)).toEqual(['password']);
    const form = await app.inject({ method: 'POST', url: '/api/session', payload: 'login=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(415);
    const huge = await app.inject({ method: 'POST', url: '/api/session', payload: { login: manager, password: 'x'.repeat(300_000) } });
    expect(huge.statusCode).toBe(413);
  });
});

describe('sessions', () => {
  it('end after the idle timeout', async () => {
    const s = await signInAs(app, manager);
    clock = new Date(clock.getTime() + 29 * 60_000);
    expect((await s.get('/api/session')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 29 * 60_000); // active 29 minutes ago: still in
    expect((await s.get('/api/customers')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 31 * 60_000);
    const late = await s.get('/api/customers');
    expect(late.statusCode).toBe(401);
    expect(late.json().error.message).toContain('请先登录');
  });

  it('sign-out needs the CSRF token, then ends the session', async () => {
    const s = await signInAs(app, manager);
    const forged = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf');
    expect((await s.get('/api/session')).statusCode).toBe(200);
    const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === 'stratum_session')?.value).toBe('');
    expect((await s.get('/api/session')).statusCode).toBe(401);
  });

  it('the administrator manages accounts and reads no customer data', async () => {
    const s = await signInAs(app, ADMIN);
    expect((await s.get('/api/session')).json().data).toMatchObject({ role: 'admin', permissions: ['users.manage'], branch: null });
    const r = await s.get('/api/customers', { 'accept-language': 'en' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toEqual({ code: 'forbidden', message: 'Your role does not allow this.' });
  });
});

describe('server defaults', () => {
  it('sends security headers', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/health' });
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });

  it('rate-limits sign-in attempts per client', async () => {
    const limited = await buildStratumApp({ db, webDir: null, signInRateLimit: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.inject({ method: 'POST', url: '/api/session', payload: { login: 'S404', password: 'x' } })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('refuses to start with an API route that does not declare what it needs', async () => {
    const bad = buildApp({ db }, [async (api) => void api.get('/api/oops', { schema: { response: { 200: z.object({}) } } }, async () => ({}))]);
    await expect(bad).rejects.toThrow('does not declare its access');
  });
});
