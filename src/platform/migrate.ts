import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distributeSchema, WORK_SCHEMA } from './citus.js';
import { NO_LOCAL_EXECUTION } from './db.js';
import type { Db } from './db.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The migration files, in the order of their numbers (`0001_…sql`). */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * A migration file's statements, one by one: split at each `;` outside comments, quoted strings,
 * quoted names and dollar-quoted bodies (`DO $$ … $$`, functions). A Citus coordinator refuses some
 * commands on distributed tables when they arrive with others in one message (DROP INDEX: "cannot
 * insert multiple commands into a prepared statement"), which a bank's cluster meets at its first
 * upgrade, every table then distributed; so every engine runs the statements one at a time.
 */
export function migrationStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    // a piece holding only comments is not a statement
    if (text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim()) out.push(text);
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error('a comment opened with /* is not closed');
      i = end + 2;
    } else if (c === "'" || c === '"') {
      // '' (or "") inside is the quote itself: the scan goes on to the next closing one
      let j = i + 1;
      for (;;) {
        const close = sql.indexOf(c, j);
        if (close < 0) throw new Error(`a ${c === "'" ? 'string' : 'quoted name'} is not closed`);
        if (sql[close + 1] === c) j = close + 2;
        else {
          i = close + 1;
          break;
        }
      }
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = (/^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) throw new Error(`a body opened with ${tag} is not closed`);
      i = end + tag.length;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else i++;
  }
  push(sql.length);
  return out;
}

// Any constant: serialises concurrent migrators (two `stratum serve` starting at once).
const MIGRATION_LOCK = 731_942_117;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
 * Re-running is a no-op; an applied file that was edited afterwards is refused, since the
 * database would no longer match the code.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = listMigrations(dir);
  return db.session(async (s) => {
    await s.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied: string[] = [];
    for (const m of migrations) {
      await s.exec(db.citus ? `begin; ${NO_LOCAL_EXECUTION}` : 'begin');
      try {
        await s.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const done = await s.query<{ checksum: string }>('select checksum from schema_migrations where name = $1', [m.name]);
        const existing = done.rows[0];
        if (existing) {
          if (existing.checksum !== m.checksum) {
            throw new Error(
              `migration ${m.name} was changed after it was applied to this database; ` +
                'migrations only move forward: put the change in a new numbered file',
            );
          }
          await s.exec('commit');
          continue;
        }
        for (const statement of migrationStatements(m.sql)) await s.exec(statement);
        await s.query('insert into schema_migrations (name, checksum) values ($1, $2)', [m.name, m.checksum]);
        await s.exec('commit');
        applied.push(m.name);
      } catch (e) {
        await s.exec('rollback').catch(() => {});
        throw e;
      }
    }
    // on a Citus coordinator: tables not yet distributed get their place (platform/citus.ts)
    if (db.citus) await distributeSchema(s);
    return applied;
  });
}

/**
 * Drops everything Stratum created: the public schema is emptied and recreated. On a Citus
 * coordinator the extension keeps objects of its own in public, so Stratum's objects are dropped
 * one by one instead (a distributed table with its shards on the workers), and the work tables'
 * schema with them.
 */
export async function resetDatabase(db: Db): Promise<void> {
  if (!db.citus) {
    await db.session((s) => s.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;'));
    return;
  }
  await db.session(async (s) => {
    await s.exec(`DROP SCHEMA IF EXISTS ${WORK_SCHEMA} CASCADE`);
    const mine = `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')`;
    const objects = await s.query<{ sql: string }>(
      `SELECT format('DROP TABLE IF EXISTS public.%I CASCADE', o.relname) AS sql FROM pg_class o
        WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'p') AND NOT o.relispartition AND ${mine}
       UNION ALL
       SELECT format('DROP VIEW IF EXISTS public.%I CASCADE', o.relname) FROM pg_class o
        WHERE o.relnamespace = 'public'::regnamespace AND o.relkind = 'v' AND ${mine}
       UNION ALL
       SELECT format('DROP SEQUENCE IF EXISTS public.%I CASCADE', o.relname) FROM pg_class o
        WHERE o.relnamespace = 'public'::regnamespace AND o.relkind = 'S' AND ${mine}
       UNION ALL
       SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', o.oid::regprocedure) FROM pg_proc o
        WHERE o.pronamespace = 'public'::regnamespace AND ${mine}`,
    );
    for (const o of objects.rows) await s.exec(o.sql);
    // the coordinator's place in the metadata goes too (`distributeSchema` registers it again once
    // every table is placed): registered while tables are placed, a local table with a foreign key
    // to a reference table would be made a Citus-managed table that cannot reference customers
    await s.exec(`SELECT citus_remove_node(nodename, nodeport) FROM pg_dist_node WHERE groupid = 0`);
  });
}
