import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { useDb } from '../../test/test-db.js';
import { logger, safeError, scrub } from './logger.js';

// A failing query never puts what it was given in the log: not its parameters (PGlite attaches
// them to the error), not the value its message quotes, not a phone or an ID number.

const db = useDb();

async function failure(sql: string, params: unknown[]): Promise<unknown> {
  try {
    await db().session((s) => s.query(sql, params));
  } catch (e) {
    return e;
  }
  throw new Error('the query did not fail');
}

describe('errors in the log', () => {
  it('keep the SQLSTATE and the kind of error, and lose the parameters and quoted values', async () => {
    const err = await failure('SELECT $1::date AS d, $2::text AS note', ['2026-02-30', '客户说下周三来网点 13812345678']);
    const logged = JSON.stringify(safeError(err));
    expect(logged).not.toContain('2026-02-30');
    expect(logged).not.toContain('13812345678');
    expect(logged).not.toContain('下周三');
    expect(safeError(err)).toMatchObject({ code: '22008', message: expect.stringContaining('"…"') });
    expect(logged).not.toMatch(/"(params|query|detail|internalQuery)"/);
  });

  it('keep a constraint name but not the key value of a duplicate', async () => {
    await db().session((s) => s.exec(`CREATE TABLE t_log (phone text PRIMARY KEY)`));
    await db().session((s) => s.query(`INSERT INTO t_log VALUES ($1)`, ['13900001111']));
    const err = await failure(`INSERT INTO t_log VALUES ($1)`, ['13900001111']);
    const logged = JSON.stringify(safeError(err));
    expect(logged).not.toContain('13900001111');
    expect(safeError(err)).toMatchObject({ code: '23505', constraint: 't_log_pkey' });
  });

  it('is what the server logger does with every err it is given', () => {
    const serializers = (logger as unknown as Record<symbol, Record<string, unknown>>)[pino.symbols.serializersSym];
    expect(serializers?.err).toBe(safeError);
    expect(scrub("invalid input syntax for type integer: '13812345678'")).toBe("invalid input syntax for type integer: '…'");
    expect(scrub('phone 13812345678 id 110105198503151234')).toBe('phone # id #');
  });
});
