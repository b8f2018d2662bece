import type { Command } from 'commander';
import type { LoadResult } from '../features/feed/feed.load.js';
import type { Db } from '../platform/db.js';
import { configFrom, describeDb, withDb, type GlobalOptions } from './context.js';
import { count, seconds, table } from './format.js';
import { progressBar } from './progress.js';

export interface LoadManyOptions {
  dryRun?: boolean;
  maxProblems?: number;
  /** print one line per date instead of the full summary (the demo loads 90 of them) */
  brief?: boolean;
}

/** Loads a business-date folder, or every date folder under it in order; stops at the first refusal. */
export async function loadFolders(db: Db, folder: string, opts: LoadManyOptions): Promise<LoadResult[]> {
  // loaded on use: `stratum --help` should not pay for the Excel reader
  const { feedFolders } = await import('../features/feed/feed.files.js');
  const { recordedLoad } = await import('../features/operations/runs.record.js');
  const { formatProblem } = await import('../features/feed/feed.contract.js');
  const folders = feedFolders(folder);
  const results: LoadResult[] = [];
  const bar = progressBar('MB');
  for (const [i, f] of folders.entries()) {
    const prefix = folders.length > 1 ? `[${i + 1}/${folders.length}] ` : '';
    const { result: r } = await recordedLoad(db, f, {
      startedBy: 'cli',
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.maxProblems !== undefined ? { maxProblems: opts.maxProblems } : {}),
      onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, `${prefix}${p.phase} ${p.file ?? ''}`.trim()),
    });
    bar.stop();
    results.push(r);
    console.log(opts.brief && r.outcome !== 'refused' ? briefLine(prefix, r) : describeResult(r, formatProblem));
    if (r.outcome === 'refused') break;
  }
  const { refreshCustomerOverview, overviewIsBehind } = await import('../features/customers/customers.overview.js');
  if (!opts.dryRun && (results.some((r) => r.outcome === 'loaded') || (await overviewIsBehind(db)))) {
    // what the customer list reads: once after the last date, not once per date
    const t = performance.now();
    const n = await refreshCustomerOverview(db);
    console.log(`Customer overview brought up to date: ${count(n)} customers changed in ${seconds((performance.now() - t) / 1000)} s`);
  }
  return results;
}

function briefLine(prefix: string, r: LoadResult): string {
  if (r.outcome === 'unchanged') return `${prefix}${r.businessDate} already loaded, unchanged`;
  const rate = r.seconds > 0 ? r.rows / r.seconds : 0;
  return `${prefix}${r.businessDate} (${r.mode}) ${count(r.rows)} rows in ${seconds(r.seconds)} s (${count(rate)} rows/s)`;
}

export function describeResult(r: LoadResult, formatProblem: (p: LoadResult['problems'][number]) => string): string {
  const day = r.businessDate ? `${r.businessDate}${r.mode ? ` (${r.mode})` : ''}` : r.folder;
  const lines: string[] = [];
  if (r.outcome === 'refused') {
    lines.push(`Refused ${day} from ${r.folder}: nothing of this date was loaded. Fix these and load it again:`);
    for (const p of r.problems) lines.push(`  ${formatProblem(p)}`);
    if (r.moreProblems > 0) lines.push(`  … and ${count(r.moreProblems)} more problems (use --max-problems to list more)`);
  } else if (r.outcome === 'unchanged') {
    lines.push(`${day} is already loaded from these same files; nothing changed.`);
  } else {
    const verb = r.outcome === 'checked' ? 'Checked (dry run, nothing was written)' : 'Loaded';
    lines.push(`${verb} ${day} from ${r.folder} in ${seconds(r.seconds)} s`);
    const rows = [['file', 'rows', 'new or changed', 'closed or gone', 'already loaded']];
    for (const f of r.files) rows.push([f.file, count(f.rows), count(f.written), count(f.gone), f.entity === 'transactions' ? count(f.ignored) : '']);
    const rate = r.seconds > 0 ? r.rows / r.seconds : 0;
    rows.push(['total', count(r.rows), '', '', '']);
    lines.push(table(rows).replace(/^/gm, '  '));
    lines.push(`  ${count(rate)} rows/s; balances of ${count(r.customersInSnapshot)} customers recorded for ${r.businessDate}`);
  }
  if (r.warnings.length) {
    lines.push(`  Warnings (loaded as given):`);
    for (const w of r.warnings) lines.push(`    ${formatProblem(w)}`);
    if (r.moreWarnings > 0) lines.push(`    … and ${count(r.moreWarnings)} more warnings`);
  }
  return lines.join('\n');
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load the bank\'s feed for one business date (a folder with feed.json), or every date folder under a folder, in order')
    .argument('<folder>', 'a business-date folder, or a folder of them')
    .option('--dry-run', 'check everything and show what would change, then write nothing')
    .option('--max-problems <n>', 'how many problems to list before counting the rest', (v) => Number.parseInt(v, 10), 100)
    .action(async (folder: string, opts: { dryRun?: boolean; maxProblems: number }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const results = await withDb(config, async (db) => {
        console.log(`Loading into the ${describeDb(db)}`);
        return loadFolders(db, folder, { ...(opts.dryRun ? { dryRun: true } : {}), maxProblems: opts.maxProblems });
      });
      if (results.some((r) => r.outcome === 'refused')) process.exitCode = 1;
    });
}
