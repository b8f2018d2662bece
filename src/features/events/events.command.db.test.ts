import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildFullDay, buildTransaction, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { useStratumCli } from '../../../test/cli-run.js';
import { builtInEventsPolicy } from './events.policies.js';

// `stratum events export` and `stratum events policy …` as an operator uses them, on the engine of this run.

const stratum = useStratumCli();

describe('stratum events', () => {
  it('exports a date\'s events as CSV after the daily batch, and refuses a date without events', async () => {
    const day = buildFullDay();
    // C1 (AUM 15.23万, band_2): a large outflow of 2万 on the day; C2 turns 37 on 2026-11-25 (a counterparty with a comma is no problem)
    day.customers = (day.customers ?? []).map((c) => (c.customer_id === 'C2' ? { ...c, birth_date: '1989-11-25' } : c));
    day.transactions = [buildTransaction({ txn_id: 'T9', amount: '-20000.00', channel: 'mobile', counterparty: '张三, 转账' })];
    expect((await stratum('load', writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, day))).code).toBe(0);
    const none = await stratum('events', 'export', '--date', '2026-11-20');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('events have not been detected for any date yet');
    const batch = await stratum('batch', 'run', '--date', '2026-11-20');
    expect(batch.code, batch.stderr).toBe(0);
    expect(batch.stdout).toMatch(/events\s+[\d.]+ s\s+\d+ events \(/);
    const csv = await stratum('events', 'export', '--date', '2026-11-20');
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('customer_id,event,subject,kind');
    expect(lines).toContain('C1,large_outflow,T9,risk');
    expect(lines).toContain('C2,birthday_soon,2026-11-25,information');
    // every line has four fields, in customer order
    expect(lines.slice(1).every((l) => l.split(',').length === 4)).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([...lines.slice(1).map((l) => l.split(',')[0] ?? '')].sort());
    const other = await stratum('events', 'export', '--date', '2026-11-19');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('events have not been detected for 2026-11-19 (the latest detected business date is 2026-11-20)');
    expect((await stratum('events', 'export', '--date', '20261120')).stderr).toContain("--date must be a date like 2026-11-20, not '20261120'");
  }, 240_000);

  it('checks and publishes an events policy as a new version of the same policies table', async () => {
    const dir = feedDir();
    const bad = structuredClone(builtInEventsPolicy()) as unknown as { events: { large_outflow: { thresholds: Record<string, number> } }; card_standards: { diamond: number } };
    bad.events.large_outflow.thresholds.band_3 = -5;
    bad.card_standards.diamond = 1;
    writeFileSync(path.join(dir, 'bad.yaml'), stringify(bad));
    const check = await stratum('events', 'policy', 'check', path.join(dir, 'bad.yaml'));
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('is not a valid events policy (1 problem)');
    expect(check.stderr).toContain('events.large_outflow.thresholds.band_3:');
    const good = structuredClone(builtInEventsPolicy());
    good.events.large_outflow.thresholds.band_2 = 15000;
    writeFileSync(path.join(dir, 'good.yaml'), stringify(good));
    expect((await stratum('events', 'policy', 'check', path.join(dir, 'good.yaml'))).stdout).toContain('is a valid events policy');
    const early = await stratum('events', 'policy', 'publish', path.join(dir, 'good.yaml'), '--reason', 'x', '--effective-from', '2026-11-01');
    expect(early.stderr).toContain('2026-11-01 is before 2026-11-20, the last business date events were detected for');
    const pub = await stratum('events', 'policy', 'publish', path.join(dir, 'good.yaml'), '--reason', '网点要求：1.5万即提醒', '--effective-from', '2026-11-21', '--by', 'S1');
    expect(pub.stdout, pub.stderr).toContain('Published events version 2, in effect from 2026-11-21.');
    const list = await stratum('events', 'policy', 'list');
    expect(list.stdout).toMatch(/events v1 +from 1900-01-01 +by stratum/);
    expect(list.stdout).toMatch(/events v2 +from 2026-11-21 +by S1 .*网点要求：1\.5万即提醒/);
    expect((await stratum('events', 'policy', 'show')).stdout).toMatch(/band_2: 15000/);
    // the tiering policies do not list it
    expect((await stratum('policy', 'list')).stdout).not.toContain('events');
  }, 240_000);
});
