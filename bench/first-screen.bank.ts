// The small demo bank of the browser tests (test/demo-bank.ts) on an in-memory PGlite, without
// Vitest: the bench measures the screens the tests see.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, type DemoLogin } from '../src/features/access/access.demo.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { fillSmallDemoBank } from '../test/demo-bank.js';

export interface DemoBank {
  db: Db;
  businessDate: string;
  logins: DemoLogin[];
  password: string;
  close: () => Promise<void>;
}

export async function startDemoBank(): Promise<DemoBank> {
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  const out = mkdtempSync(path.join(os.tmpdir(), 'stratum-first-screen-'));
  try {
    const { businessDate, logins } = await fillSmallDemoBank(db, out);
    return { db, businessDate, logins, password: DEMO_PASSWORD, close: () => db.close() };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
