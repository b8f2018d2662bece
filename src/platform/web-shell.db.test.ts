import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../test/test-db.js';
import { buildStratumApp } from '../app.js';
import type { Db } from './db.js';

// The built web app as the server sends it: the files the build compressed sent as they are, and
// every page of the app with its first screen's scripts to preload (first-screens.json).

let db: Db;
let dir: string;
let web: Awaited<ReturnType<typeof buildStratumApp>>;
const script = `console.log(${JSON.stringify('客户分层 '.repeat(2000))});`;

beforeAll(async () => {
  db = await openTestDb();
  dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><title>Stratum</title><script type="module" src="/assets/index-1a2b.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(path.join(dir, 'assets', 'ui-3f2a1b.js'), script);
  writeFileSync(path.join(dir, 'assets', 'ui-3f2a1b.js.br'), brotliCompressSync(script));
  writeFileSync(path.join(dir, 'assets', 'ui-3f2a1b.js.gz'), gzipSync(script));
  writeFileSync(
    path.join(dir, 'first-screens.json'),
    JSON.stringify({
      screens: [
        { path: '/sign-in', preload: [] },
        { path: '*', preload: ['/assets/ui-3f2a1b.js', '/assets/pages-9c8d.js', '"><script>alert(1)</script>'] },
      ],
    }),
  );
  web = await buildStratumApp({ db, webDir: dir, signInRateLimit: 1000 });
});
afterAll(async () => {
  await web.close();
  await db.close();
});

describe('the web app’s files', () => {
  it('sends the brotli or gzip file the build wrote, cached for a year, varying by encoding', async () => {
    const br = await web.inject({ method: 'GET', url: '/assets/ui-3f2a1b.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^application\/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(script);
    const gz = await web.inject({ method: 'GET', url: '/assets/ui-3f2a1b.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await web.inject({ method: 'GET', url: '/assets/ui-3f2a1b.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
  });

  it('answers every page with index.html naming its first screen’s scripts to preload, never cached', async () => {
    for (const url of ['/', '/my-day', '/customers/C1?tab=aum']) {
      const page = await web.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type'], url).toMatch(/^text\/html/);
      expect(page.headers['cache-control'], url).toBe('no-store');
      expect(page.body, url).toContain('<div id="root"></div>');
      expect(page.body, url).toContain('<link rel="modulepreload" crossorigin href="/assets/ui-3f2a1b.js">');
      expect(page.body, url).toContain('<link rel="modulepreload" crossorigin href="/assets/pages-9c8d.js">');
      // only the build's own script names are written into the page
      expect(page.body, url).not.toContain('alert');
    }
    const signIn = await web.inject({ method: 'GET', url: '/sign-in?next=%2Fmy-day' });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.body).not.toContain('modulepreload');
    expect(signIn.body).toContain('/assets/index-1a2b.js');
  });

  it('reads index.html again after a new build', async () => {
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><html><head><title>Stratum 2</title></head><body><div id="root"></div></body></html>',
    );
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dir, 'index.html'), later, later);
    const page = await web.inject({ method: 'GET', url: '/customers' });
    expect(page.body).toContain('Stratum 2');
  });
});
