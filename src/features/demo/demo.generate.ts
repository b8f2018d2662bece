// The demo bank generator: a deterministic, realistic bank written as daily feed folders
// (docs/feed-format.md). Same options → byte-identical files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng, Weighted } from './demo.random.js';
import { formatDate, parseDate } from './demo.dates.js';
import { buildNetwork } from './demo.bank.js';
import { drawProfile, pickBoundaryCustomers, type CustomerContext } from './demo.customers.js';
import { PortfolioBuilder, Schedule, type Stores } from './demo.portfolio.js';
import { AccountStore, CardStore, CustomerStore, F_BOUNDARY, LoanStore } from './demo.state.js';
import { Simulator } from './demo.simulate.js';
import { CsvWriter } from './demo.csv-writer.js';
import { writeReference, writeSnapshots, type FileStats } from './demo.snapshot.js';

export interface GenerateOptions {
  customers: number;
  days: number;
  seed: number;
  out: string;
  /** YYYY-MM-DD, default '2026-11-20' */
  endDate?: string;
  /**
   * daily: a full day, then a delta a day; single: one full day (the last) carrying every day's
   * transactions; history: one full day (the day before the last) carrying the transactions up to
   * it, then a delta for the last day (what a bank's next day looks like, e.g. for benchmarks)
   */
  layout?: 'daily' | 'single' | 'history';
  /** average, default 1 */
  txnsPerCustomerDay?: number;
}

export interface GenerateProgress {
  (done: number, total: number, phase: string): void;
}

export interface GenerateSummary {
  folders: string[];
  rows: Record<string, number>;
  bytes: number;
  seconds: number;
}

export const DEFAULT_END_DATE = '2026-11-20';

export const TRANSACTION_HEADER = ['txn_id', 'account_id', 'customer_id', 'booked_at', 'amount', 'channel', 'counterparty'] as const;

/**
 * Share of the average daily transaction count left to everyday transactions once salaries,
 * maturities, loan instalments, school fees and the like are counted (measured, see tests).
 */
const EVERYDAY_SHARE = 0.955;

function validate(opts: GenerateOptions): void {
  if (!Number.isInteger(opts.customers) || opts.customers < 1) throw new Error('customers must be a positive integer');
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new Error('days must be a positive integer');
  if (!Number.isFinite(opts.seed)) throw new Error('seed must be a number');
  const t = opts.txnsPerCustomerDay ?? 1;
  if (!Number.isFinite(t) || t < 0 || t > 20) throw new Error('txnsPerCustomerDay must be between 0 and 20');
  if (opts.layout !== undefined && !['daily', 'single', 'history'].includes(opts.layout)) throw new Error(`unknown layout ${String(opts.layout)}`);
  if (opts.layout === 'history' && opts.days < 2) throw new Error('the history layout needs at least 2 days');
}

class Totals {
  readonly rows: Record<string, number> = {};
  bytes = 0;

  add(file: string, rows: number, bytes: number): void {
    const name = file.slice(file.lastIndexOf('/') + 1);
    this.rows[name] = (this.rows[name] ?? 0) + rows;
    this.bytes += bytes;
  }

  addAll(stats: readonly FileStats[]): void {
    for (const s of stats) this.add(s.file, s.rows, s.bytes);
  }
}

async function writeFeedJson(dir: string, day: number, mode: 'full' | 'delta', totals: Totals): Promise<void> {
  const text = JSON.stringify({ business_date: formatDate(day), mode }) + '\n';
  await writeFile(join(dir, 'feed.json'), text, 'utf8');
  totals.bytes += Buffer.byteLength(text);
}

export async function generateDemoBank(opts: GenerateOptions, onProgress?: GenerateProgress): Promise<GenerateSummary> {
  validate(opts);
  const began = performance.now();
  const progress: GenerateProgress = onProgress ?? (() => undefined);
  const layout = opts.layout ?? 'daily';
  const endDay = parseDate(opts.endDate ?? DEFAULT_END_DATE);
  const startDay = endDay - opts.days + 1;
  const n = opts.customers;
  const seed = opts.seed;
  const out = resolve(opts.out);
  const totals = new Totals();
  const folders: string[] = [];

  // ---- the bank, its customers and their holdings at the start of the window
  progress(0, n, 'customers');
  const network = buildNetwork(seed, n);
  const ctx: CustomerContext = {
    seed,
    startDay,
    endDay,
    network,
    outletPick: new Weighted(
      network.outlets.map((_, i) => i),
      network.outletWeights,
    ),
    boundary: pickBoundaryCustomers(n),
    newShare: Math.min(0.02, 0.0002 * (opts.days - 1)),
  };
  const stores: Stores = {
    customers: new CustomerStore(n),
    accounts: new AccountStore(Math.ceil(n * 3.2) + 64),
    cards: new CardStore(Math.ceil(n * 1.15) + 64),
    loans: new LoanStore(Math.ceil(n * 0.2) + 64),
  };
  const schedule = new Schedule(startDay, opts.days);
  const builder = new PortfolioBuilder(ctx, stores, schedule);
  const rng = new Rng();
  const activity = new Float64Array(n);
  let activitySum = 0;
  for (let i = 0; i < n; i++) {
    const p = drawProfile(ctx, i, rng);
    builder.build(i, p);
    activity[i] = p.activity;
    activitySum += p.activity;
    if ((i & 16383) === 16383) progress(i + 1, n, 'customers');
  }
  progress(n, n, 'customers');
  // everyday transaction rates: each customer's activity, scaled to the requested average
  const cs = stores.customers;
  const mean = activitySum / n || 1;
  const perDay = (opts.txnsPerCustomerDay ?? 1) * EVERYDAY_SHARE;
  for (let i = 0; i < n; i++) {
    const lambda = ((cs.flags[i] ?? 0) & F_BOUNDARY) !== 0 ? 0 : (perDay * (activity[i] ?? 0)) / mean;
    cs.lambda[i] = lambda;
    cs.expNegLambda[i] = Math.exp(-lambda);
  }

  // ---- the days
  const sim = new Simulator(seed, stores, schedule, endDay);
  let single: CsvWriter | undefined;
  const singleDay = layout === 'history' ? endDay - 1 : endDay;
  const singleDir = join(out, formatDate(singleDay));
  if (layout === 'single' || layout === 'history') {
    await mkdir(singleDir, { recursive: true });
    single = CsvWriter.open(join(singleDir, 'transactions.csv'), TRANSACTION_HEADER);
  }
  for (let day = startDay; day <= endDay; day++) {
    const date = formatDate(day);
    const phase = `transactions ${date}`;
    const onDay = (done: number, total: number): void => progress(done, total, phase);
    progress(0, n, phase);
    if (single && day <= singleDay) {
      await sim.runDay(day, single, onDay);
      if (day === singleDay) {
        await single.close();
        totals.add('transactions.csv', single.rows, single.bytes);
        folders.push(singleDir);
        progress(0, n, 'snapshot');
        await writeFeedJson(singleDir, singleDay, 'full', totals);
        totals.addAll(await writeReference(singleDir, network));
        totals.addAll(await writeSnapshots(singleDir, singleDay, true, ctx, stores, progress));
      }
      continue;
    }
    const dir = join(out, date);
    await mkdir(dir, { recursive: true });
    folders.push(dir);
    const tx = CsvWriter.open(join(dir, 'transactions.csv'), TRANSACTION_HEADER);
    await sim.runDay(day, tx, onDay);
    await tx.close();
    totals.add('transactions.csv', tx.rows, tx.bytes);
    const full = day === startDay;
    await writeFeedJson(dir, day, full ? 'full' : 'delta', totals);
    if (full) totals.addAll(await writeReference(dir, network));
    totals.addAll(await writeSnapshots(dir, day, full, ctx, stores, progress));
    progress(n, n, phase);
  }
  const seconds = Math.round((performance.now() - began) / 10) / 100;
  progress(1, 1, 'done');
  return { folders, rows: totals.rows, bytes: totals.bytes, seconds };
}
