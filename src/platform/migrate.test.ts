import { describe, expect, it } from 'vitest';
import { listMigrations, migrationStatements } from './migrate.js';

// Migrations run statement by statement (a Citus coordinator refuses some commands on distributed
// tables sent together): the split must keep every statement whole.

describe('a migration split into its statements', () => {
  it('splits at semicolons, not those in comments, strings, quoted names or dollar-quoted bodies', () => {
    const sql = `-- a comment; not a statement
CREATE TABLE a (x text DEFAULT 'it''s; fine', "odd;name" int); /* block; comment */
DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
UPDATE a SET x = $1 WHERE x = 'a -- b';
-- trailing comment only`;
    expect(migrationStatements(sql)).toEqual([
      `-- a comment; not a statement\nCREATE TABLE a (x text DEFAULT 'it''s; fine', "odd;name" int)`,
      '/* block; comment */\nDO $$ BEGIN PERFORM 1; PERFORM 2; END $$',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
      "UPDATE a SET x = $1 WHERE x = 'a -- b'",
    ]);
  });

  it('says what is left open instead of running half a statement', () => {
    expect(() => migrationStatements("SELECT 'open")).toThrow('a string is not closed');
    expect(() => migrationStatements('DO $$ BEGIN')).toThrow('a body opened with $$ is not closed');
    expect(() => migrationStatements('SELECT 1 /* open')).toThrow('a comment opened with /* is not closed');
  });

  it('every migration file splits into whole statements, each ending where a semicolon was', () => {
    for (const m of listMigrations()) {
      const parts = migrationStatements(m.sql);
      expect(parts.length, m.name).toBeGreaterThan(0);
      // nothing is lost: the statements and their semicolons make up the file, less blank space
      const squeeze = (t: string) => t.replace(/\s+/g, '');
      expect(squeeze(parts.join(';')).replace(/;$/, ''), m.name).toBe(squeeze(m.sql).replace(/;$/, ''));
    }
  });
});
