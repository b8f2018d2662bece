import { loadConfig, pgliteDir, type Config } from '../platform/config.js';
import { openDb, type Db } from '../platform/db.js';
import { migrate } from '../platform/migrate.js';

export interface GlobalOptions {
  dataDir?: string;
}

export function configFrom(opts: GlobalOptions): Config {
  return loadConfig(opts.dataDir ? { dataDir: opts.dataDir } : {});
}

/** The configured database: the server of DATABASE_URL, else the embedded one in the data folder. */
export function openConfiguredDb(config: Config): Promise<Db> {
  return openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: pgliteDir(config) });
}

/** Opens the configured database and brings its schema up to date (migrations apply on start). */
export async function openMigratedDb(config: Config): Promise<Db> {
  const db = await openConfiguredDb(config);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openMigratedDb(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const describeDb = (db: Db) =>
  db.engine === 'pglite' ? `embedded database in ${db.location}` : db.citus ? `Citus cluster at ${db.location}` : `PostgreSQL at ${db.location}`;
