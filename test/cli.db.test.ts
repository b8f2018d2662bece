import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFullDay, buildCustomer, feedDir, writeFeed } from './feed-builder.js';
import { useStratumCli } from './cli-run.js';

// The `stratum` command as an operator uses it, on the engine of this run.

const stratum = useStratumCli({ timeout: 90_000 });

describe('stratum command', () => {
  it('--help lists every command, and each has its own help', async () => {
    const help = await stratum('--help');
    expect(help.code).toBe(0);
    for (const cmd of ['load', 'demo', 'db', 'serve']) expect(help.stdout).toContain(cmd);
    const dbHelp = await stratum('db', '--help');
    for (const cmd of ['migrate', 'reset', 'stats']) expect(dbHelp.stdout).toContain(cmd);
    expect((await stratum('demo', 'generate', '--help')).stdout).toContain('--customers');
    expect((await stratum('load', '--help')).stdout).toContain('--dry-run');
  });

  it('loads a feed, prints a summary, and db stats shows it (also as JSON)', async () => {
    const folder = writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, buildFullDay());
    const load = await stratum('load', folder);
    expect(load.code).toBe(0);
    expect(load.stdout).toMatch(/Loaded 2026-11-20 \(full\)/);
    expect(load.stdout).toMatch(/customers\.csv\s+2\s+2/);
    expect(load.stdout).toMatch(/rows\/s/);
    const again = await stratum('load', folder);
    expect(again.stdout).toContain('already loaded from these same files; nothing changed');
    const stats = await stratum('db', 'stats', '--json');
    expect(stats.code).toBe(0);
    const json = JSON.parse(stats.stdout) as { tables: Record<string, number>; businessDates: { businessDate: string; customers: number; totalAum: string }[] };
    expect(json.tables.customers).toBe(2);
    expect(json.tables.customer_relations).toBe(0);
    expect(json.businessDates).toEqual([expect.objectContaining({ businessDate: '2026-11-20', customers: 2, totalAum: '153299.99' })]);
    const human = await stratum('db', 'stats');
    expect(human.stdout).toMatch(/2026-11-20\s+full\s+2\s+15\.33万/);
  });

  it('a refused feed exits with an error and lists the problems without personal data', async () => {
    const files = buildFullDay();
    files.customers = [buildCustomer({ phone: '02712345678', risk_level: 'C9' })];
    const folder = writeFeed(feedDir(), { business_date: '2026-11-21', mode: 'full' }, files);
    const r = await stratum('load', folder);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('nothing of this date was loaded');
    expect(r.stdout).toContain("customers.csv line 2, column risk_level: 'C9' is not one of C1–C5");
    expect(r.stdout).toContain('customers.csv line 2, column phone: value in column phone is not a mobile number');
    expect(r.stdout + r.stderr).not.toContain('02712345678');
  });

  it('db reset refuses without --yes when nobody can answer, and empties the database with it', async () => {
    const refused = await stratum('db', 'reset');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('add --yes');
    const reset = await stratum('db', 'reset', '--yes');
    expect(reset.code).toBe(0);
    const stats = JSON.parse((await stratum('db', 'stats', '--json')).stdout) as { tables: Record<string, number> };
    expect(stats.tables.customers).toBe(0);
  });
});
