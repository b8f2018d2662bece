import type { Command } from 'commander';
import type { DailyEvent, DailyResult } from '../features/operations/daily.js';
import { configFrom, withDb, type GlobalOptions } from './context.js';
import { count, seconds } from './format.js';
import { progressBar } from './progress.js';

// `stratum daily --inbox DIR`: what a scheduler (cron, systemd timer, the bank's job system) runs
// every morning. On a terminal: progress bars and sentences; otherwise one JSON line per event on
// standard output, for the job system's log. Exit codes: 0 done, 1 failed, 3 nothing to do.

export interface DailyCliOptions {
  inbox?: string;
  retries?: string;
  backoff?: string;
}

const wholeNumber = (name: string, v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of 0 or more, not '${v}'`);
  return n;
};

/** the inbox, the retries and the backoff from the options or the environment */
export function dailySettings(opts: DailyCliOptions): { inbox: string; retries: number; backoffSeconds: number } {
  const inbox = opts.inbox ?? process.env.STRATUM_INBOX;
  if (!inbox) throw new Error('say where the bank drops its date folders: --inbox DIR (or STRATUM_INBOX)');
  return {
    inbox,
    retries: wholeNumber('--retries', opts.retries ?? process.env.STRATUM_DAILY_RETRIES, 2),
    backoffSeconds: wholeNumber('--backoff', opts.backoff ?? process.env.STRATUM_DAILY_BACKOFF_SECONDS, 60),
  };
}

/** Sentences and progress bars for a person at a terminal. */
export function terminalReporter(): (e: DailyEvent) => void {
  const bar = progressBar('MB');
  const steps = progressBar('steps');
  return (e) => {
    switch (e.type) {
      case 'plan':
        if (e.incomplete.length) console.log(`${e.incomplete.length} folder(s) without feed.json left alone (still being written): ${e.incomplete.join(', ')}`);
        console.log(e.dates.length ? `To do: ${e.dates.map((d) => `${d.date} (${d.action === 'load' ? 'load and batch' : 'batch'})`).join(', ')}` : 'Nothing to load or batch.');
        break;
      case 'load':
        console.log(`${e.date}: loading ${e.folder}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'load-progress':
        bar.update(e.done, e.total, `${e.date} ${e.phase}`);
        break;
      case 'loaded':
        bar.stop();
        console.log(`${e.date}: ${e.unchanged ? 'already loaded from these files' : `loaded ${count(e.rows)} rows in ${seconds(e.seconds)} s`}`);
        break;
      case 'batch':
        console.log(`${e.date}: daily batch${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'batch-progress':
        steps.update(e.done, e.total, `${e.date} ${e.step}`);
        break;
      case 'batched':
        steps.stop();
        for (const st of e.steps) console.log(`  ${st.step.padEnd(12)} ${seconds(st.seconds).padStart(7)} s  ${st.summary}`);
        console.log(`${e.date}: done in ${seconds(e.seconds)} s`);
        break;
      case 'retry':
        bar.stop();
        steps.stop();
        console.log(`${e.date}: failed (${e.message}); trying again in ${e.waitSeconds} s (attempt ${e.attempt})`);
        break;
      case 'refused':
        bar.stop();
        console.log(`${e.date || e.folder}: refused, nothing of it was loaded (${e.folder}):`);
        for (const p of e.problems.slice(0, 20)) console.log(`  ${p.file}${p.line !== undefined ? ` line ${p.line}` : ''}${p.column ? `, ${p.column}` : ''}: ${p.message}`);
        if (e.problems.length > 20 || e.moreProblems > 0) console.log(`  … and ${count(e.problems.length - 20 + e.moreProblems)} more`);
        break;
      case 'failed':
        bar.stop();
        steps.stop();
        console.log(`${e.date}: FAILED after its retries: ${e.message}`);
        break;
      case 'waiting':
        console.log(`Waiting for ${e.behind} to succeed: ${e.dates.join(', ')}`);
        break;
    }
  };
}

/** One JSON line per event (progress at most every 2 seconds) for a job system's log. */
export function jsonReporter(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): (e: DailyEvent) => void {
  let lastProgress = 0;
  return (e) => {
    if (e.type === 'load-progress' || e.type === 'batch-progress') {
      const now = Date.now();
      if (now - lastProgress < 2000 && e.done < e.total) return;
      lastProgress = now;
    }
    write(JSON.stringify({ time: new Date().toISOString(), event: e.type, ...e, type: undefined }));
  };
}

export function describeDailyResult(r: DailyResult): string {
  if (r.outcome === 'busy') return `Another daily run is going (${r.holder}); nothing done.`;
  if (r.outcome === 'nothing') return 'Nothing to do: every complete date folder is loaded and batched.';
  const done = r.dates.filter((d) => d.outcome === 'done').map((d) => d.date);
  const bad = r.dates.filter((d) => d.outcome === 'failed' || d.outcome === 'refused');
  const waiting = r.dates.filter((d) => d.outcome === 'waiting').map((d) => d.date);
  const lines = [];
  if (done.length) lines.push(`Loaded and batched: ${done.join(', ')}.`);
  for (const d of bad) lines.push(`${d.outcome === 'failed' ? 'Failed' : 'Refused'}: ${d.date || d.folder} — ${d.message ?? ''}`);
  if (waiting.length) lines.push(`Waiting: ${waiting.join(', ')}.`);
  return lines.join('\n');
}

export function registerDaily(program: Command): void {
  program
    .command('daily')
    .description('load every complete date folder of the inbox not yet loaded, in date order, and run the daily batch for each (exit 0 done, 1 failed, 3 nothing to do)')
    .option('--inbox <dir>', 'the folder the bank drops its date folders into (default: STRATUM_INBOX)')
    .option('--retries <n>', 'times a failed date is tried again before it is left for a person (default: STRATUM_DAILY_RETRIES or 2)')
    .option('--backoff <seconds>', 'seconds before the first retry; each later wait doubles (default: STRATUM_DAILY_BACKOFF_SECONDS or 60)')
    .action(async (opts: DailyCliOptions, cmd: Command) => {
      const settings = dailySettings(opts);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { runDaily, dailyExitCode } = await import('../features/operations/daily.js');
      const tty = process.stdout.isTTY === true;
      await withDb(config, async (db) => {
        const r = await runDaily(db, { ...settings, startedBy: 'daily', onEvent: tty ? terminalReporter() : jsonReporter() });
        if (tty) console.log(describeDailyResult(r));
        else process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event: 'end', outcome: r.outcome, dates: r.dates, ...(r.holder ? { holder: r.holder } : {}) }) + '\n');
        process.exitCode = dailyExitCode(r);
      });
    });
}
