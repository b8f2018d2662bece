import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { feedDir } from '../../test/feed-builder.js';
import { lockEmbeddedFolder, openDb } from './db.js';

// The embedded database's folder is one process's at a time: a second `stratum` (a cron job's
// `stratum daily` while `stratum serve` runs) is refused, saying who has it, instead of both
// writing and damaging it.

const run = promisify(execFile);
const BIN = path.resolve('bin/stratum.js');

describe('the embedded database folder', () => {
  it('is refused to a second process while one has it open, and free again once it is closed', async () => {
    const dataDir = feedDir();
    const folder = path.join(dataDir, 'pglite');
    const db = await openDb({ dataDir: folder });
    const lock = JSON.parse(readFileSync(`${folder}.lock`, 'utf8')) as { pid: number; host: string };
    expect(lock).toMatchObject({ pid: process.pid, host: os.hostname() });
    const env = { ...process.env, STRATUM_DATA_DIR: dataDir, DATABASE_URL: '' };
    const second = await run(process.execPath, [BIN, 'db', 'stats'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in second && second.code).toBe(1);
    expect(second.stderr).toContain(`is open in another Stratum process (process ${process.pid}`);
    expect(second.stderr).toContain('stratum serve --daily-at');
    await db.close();
    expect(existsSync(`${folder}.lock`)).toBe(false);
    const after = await run(process.execPath, [BIN, 'db', 'stats'], { env });
    expect(after.stdout).toContain('customers');
  }, 120_000);

  it('takes over the lock of a process that is gone (killed, the machine restarted)', () => {
    const folder = path.join(feedDir(), 'pglite');
    writeFileSync(`${folder}.lock`, JSON.stringify({ host: os.hostname(), pid: 2147483646, since: '2026-12-01T00:00:00Z' }));
    const release = lockEmbeddedFolder(folder);
    expect(JSON.parse(readFileSync(`${folder}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(existsSync(`${folder}.lock`)).toBe(false);
    // a live holder on this machine keeps it
    writeFileSync(`${folder}.lock`, JSON.stringify({ host: os.hostname(), pid: process.ppid, since: '2026-12-01T00:00:00Z' }));
    expect(() => lockEmbeddedFolder(folder)).toThrow(`process ${process.ppid} on ${os.hostname()}`);
  });
});
