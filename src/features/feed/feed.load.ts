import type { Db } from '../../platform/db.js';
import type { EntityName, FeedProblem } from './feed.contract.js';
import { discoverFeed, hashFeed, type FeedFile } from './feed.files.js';
import { monthPartition } from '../../platform/partitions.js';
import { mergeEntity, recordBusinessDate, recordTransactionLoad, refreshStatistics, writeBalanceSnapshot } from './feed.merge.sql.js';
import { checkReferences, createStaging, latestBusinessDate, loadedBusinessDate } from './feed.sql.js';
import { stageFile, type StageResult } from './feed.stage.js';

// Loads one business date: every row checked, then one transaction, whole or not at all.

export interface LoadOptions {
  dryRun?: boolean;
  /** how many problems to list before only counting the rest */
  maxProblems?: number;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  phase: 'reading' | 'checking' | 'merging';
  file?: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface FileSummary {
  file: string;
  entity: EntityName;
  rows: number;
  /** rows inserted or changed */
  written: number;
  /** rows a full snapshot no longer lists (left, closed, cancelled, repaid, inactive) */
  gone: number;
  /** transactions already loaded or repeated, ignored */
  ignored: number;
}

export interface LoadResult {
  folder: string;
  businessDate?: string;
  mode?: 'full' | 'delta';
  outcome: 'loaded' | 'unchanged' | 'checked' | 'refused';
  problems: FeedProblem[];
  /** refusing problems beyond those listed */
  moreProblems: number;
  warnings: FeedProblem[];
  moreWarnings: number;
  files: FileSummary[];
  customersInSnapshot: number;
  rows: number;
  seconds: number;
  /** seconds spent per step (hash, read <file>, checks, merge <file>, snapshot), for tuning */
  steps: Record<string, number>;
}

class Refused extends Error {}
class DryRunDone extends Error {}

const LOAD_LOCK = 731_942_118;
const SERVER_WORK_MEM = '256MB';

export async function loadFeed(db: Db, folder: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const limit = opts.maxProblems ?? 100;
  const result: LoadResult = {
    folder,
    outcome: 'refused',
    problems: [],
    moreProblems: 0,
    warnings: [],
    moreWarnings: 0,
    files: [],
    customersInSnapshot: 0,
    rows: 0,
    seconds: 0,
    steps: {},
  };
  let stepStart = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    result.steps[name] = (result.steps[name] ?? 0) + (now - stepStart) / 1000;
    stepStart = now;
  };
  const finish = (outcome: LoadResult['outcome']) => {
    result.outcome = outcome;
    result.seconds = (performance.now() - started) / 1000;
    return result;
  };
  const sink = {
    add(p: FeedProblem) {
      if (p.warning) {
        if (result.warnings.length < limit) result.warnings.push(p);
        else result.moreWarnings++;
      } else if (result.problems.length < limit) result.problems.push(p);
      else result.moreProblems++;
    },
    count(n: number, warning: boolean) {
      if (warning) result.moreWarnings += n;
      else result.moreProblems += n;
    },
  };

  const found = discoverFeed(folder);
  if (!found.feed) {
    found.problems.forEach((p) => sink.add(p));
    return finish('refused');
  }
  const feed = found.feed;
  const { business_date: businessDate, mode } = feed.manifest;
  result.businessDate = businessDate;
  result.mode = mode;
  const contentHash = await hashFeed(feed);
  step('hash');
  const bytesTotal = feed.files.reduce((n, f) => n + f.bytes, 0);
  const fileName = (e: EntityName) => feed.files.find((f) => f.entity === e)?.name ?? `${e}.csv`;

  try {
    await db.transaction(async (s) => {
      await s.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
      // memory for the day's hash joins and the sort of its transactions into key order (a
      // server's default of 4 MB spills them to disk); only for this transaction
      // (and for building a key over a first load's rows in one sort: see fillEmpty)
      if (db.engine === 'postgres') await s.exec(`SET LOCAL work_mem = '${SERVER_WORK_MEM}'; SET LOCAL maintenance_work_mem = '${SERVER_WORK_MEM}'`);
      const earlier = await loadedBusinessDate(s, businessDate);
      if (earlier?.content_hash === contentHash) throw new DryRunDone('unchanged');
      const latest = await latestBusinessDate(s);
      if (latest && businessDate < latest.business_date) {
        sink.add({
          file: 'feed.json',
          column: 'business_date',
          message: `${businessDate} is earlier than ${latest.business_date}, the latest business date already loaded; business dates load in order, so this folder is not loaded (what it would change can come with the next date's files)`,
        });
        throw new Refused();
      }
      await createStaging(s);
      step('prepare');
      const stats = { bytes: 0 };
      const staged = new Map<FeedFile, StageResult>();
      for (const file of feed.files) {
        const before = stats.bytes;
        const progress = setInterval(() => opts.onProgress?.({ phase: 'reading', file: file.name, bytesDone: stats.bytes, bytesTotal }), 200);
        try {
          staged.set(file, await stageFile(s, file, { businessDate }, sink, stats));
        } finally {
          clearInterval(progress);
        }
        stats.bytes = before + file.bytes;
        step(`read ${file.entity}`);
        opts.onProgress?.({ phase: 'reading', file: file.name, bytesDone: stats.bytes, bytesTotal });
      }
      opts.onProgress?.({ phase: 'checking', bytesDone: bytesTotal, bytesTotal });
      const present = new Set(feed.files.map((f) => f.entity));
      const unreadable = new Set(feed.files.filter((f) => staged.get(f)?.readable === false).map((f) => f.entity));
      await checkReferences(s, present, unreadable, mode, fileName, sink, limit);
      step('checks');
      if (result.problems.length + result.moreProblems > 0) throw new Refused();

      opts.onProgress?.({ phase: 'merging', bytesDone: bytesTotal, bytesTotal });
      for (const file of feed.files) {
        const rows = staged.get(file)?.rows ?? 0;
        opts.onProgress?.({ phase: 'merging', file: file.name, bytesDone: bytesTotal, bytesTotal });
        const merged = await mergeEntity(s, file.entity, mode, businessDate, file.name);
        const booked = staged.get(file)?.derivedRange.booked_on;
        if (file.entity === 'transactions' && merged.written > 0 && booked) await recordTransactionLoad(s, businessDate, merged.written, booked);
        result.files.push({
          file: file.name,
          entity: file.entity,
          rows,
          written: merged.written,
          gone: merged.gone,
          ignored: file.entity === 'transactions' ? rows - merged.written : 0,
        });
        result.rows += rows;
        step(`merge ${file.entity}`);
      }
      opts.onProgress?.({ phase: 'merging', file: 'balance snapshot', bytesDone: bytesTotal, bytesTotal });
      result.customersInSnapshot = await writeBalanceSnapshot(s, businessDate);
      step('snapshot');
      await refreshStatistics(
        s,
        result.files.filter((f) => f.written + f.gone > 0).map((f) => f.entity),
        // the day's snapshot always: a date the statistics have not seen is taken for one row, and
        // the batch's plans for a million customers of that date become nested loops
        [monthPartition('balance_snapshots', businessDate)],
      );
      step('statistics');
      const fileRows = Object.fromEntries(result.files.map((f) => [f.entity, f.rows]));
      await recordBusinessDate(s, {
        businessDate,
        mode,
        contentHash,
        fileRows,
        seconds: (performance.now() - started) / 1000,
        source: folder,
      });
      if (opts.dryRun) throw new DryRunDone('checked');
    });
  } catch (e) {
    if (e instanceof Refused) return finish('refused');
    if (e instanceof DryRunDone) return finish(e.message === 'unchanged' ? 'unchanged' : 'checked');
    throw e;
  }
  return finish('loaded');
}
