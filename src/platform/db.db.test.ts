import { describe, expect, it } from 'vitest';
import { openTestDb } from '../../test/test-db.js';

// A bulk load whose source fails half-way (a file that turns out unreadable) must leave the
// connection usable and raise exactly one error to the caller, never a stray one later.
describe('bulk COPY', () => {
  it('a source that fails mid-copy raises its error, loads nothing, and the session goes on', async () => {
    const db = await openTestDb();
    try {
      await db.session(async (s) => {
        await s.exec('CREATE TEMP TABLE copy_probe (n int)');
        for (let round = 0; round < 5; round++) {
          await s.exec('BEGIN');
          await s.exec('SAVEPOINT probe');
          async function* rows() {
            yield '1\n2\n';
            await new Promise((r) => setTimeout(r, round * 5));
            throw new Error('the file is not UTF-8');
          }
          await expect(s.copyCsv('copy_probe', ['n'], rows())).rejects.toThrow('the file is not UTF-8');
          await s.exec('ROLLBACK TO SAVEPOINT probe');
          await s.exec('COMMIT');
          // give a late server reply the time to arrive: it must not surface as an unhandled error
          await new Promise((r) => setTimeout(r, 30));
        }
        const r = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_probe');
        expect(r.rows[0]?.n).toBe(0);
        expect(await s.copyCsv('copy_probe', ['n'], (async function* () { yield '7\n'; })())).toBe(1);
      });
    } finally {
      await db.close();
    }
  });
});
