import type { Db } from '../../platform/db.js';
import { logger } from '../../platform/logger.js';
import { runDaily, type DailyEvent, type DailyOptions } from './daily.js';

// `stratum serve --daily-at 06:00 --inbox DIR`: the daily run inside the server, at a time of day
// in China time (UTC+8 all year: China keeps no summer time). Started late (the server was down at
// that time), it runs once at start to catch up; each run logs JSON lines like every other.

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** "06:00" → minutes after midnight, or an error naming the option */
export function parseTimeOfDay(v: string): number {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v.trim());
  if (!m) throw new Error(`--daily-at must be a time of day like 06:00 (China time), not '${v}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The next moment at that time of day in China time, strictly after `now`. */
export function nextChinaTime(minutes: number, now: Date): Date {
  const china = new Date(now.getTime() + CHINA_OFFSET_MS);
  const midnight = Date.UTC(china.getUTCFullYear(), china.getUTCMonth(), china.getUTCDate()) - CHINA_OFFSET_MS;
  let at = midnight + minutes * 60_000;
  if (at <= now.getTime()) at += 86_400_000;
  return new Date(at);
}

const chinaDay = (d: Date) => new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

export interface DailySchedule {
  /** when the next run starts */
  next(): Date;
  /** the run going now, if any (for a clean shutdown) */
  running(): Promise<unknown> | null;
  stop(): void;
}

export function scheduleDaily(
  db: Db,
  opts: { at: string; catchUp?: boolean; now?: () => Date } & Pick<DailyOptions, 'inbox' | 'retries' | 'backoffSeconds'>,
): DailySchedule {
  const minutes = parseTimeOfDay(opts.at);
  const now = opts.now ?? (() => new Date());
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> | null = null;
  let nextAt = nextChinaTime(minutes, now());
  let stopped = false;
  const log = (e: DailyEvent) => {
    if (e.type === 'load-progress' || e.type === 'batch-progress') return;
    const { type, ...rest } = e;
    const level = type === 'failed' || type === 'refused' ? 'error' : type === 'retry' ? 'warn' : 'info';
    logger[level]({ daily: type, ...rest }, `daily run: ${type}`);
  };
  const run = () => {
    if (current) return;
    current = runDaily(db, { ...opts, startedBy: 'server', onEvent: log })
      .then((r) => logger[r.outcome === 'failed' ? 'error' : 'info']({ daily: 'end', outcome: r.outcome, dates: r.dates, holder: r.holder }, `daily run: ${r.outcome}`))
      .catch((e: unknown) => logger.error({ err: e }, 'daily run: could not run'))
      .finally(() => {
        current = null;
      });
  };
  const arm = () => {
    if (stopped) return;
    nextAt = nextChinaTime(minutes, now());
    // timers of more than 24.8 days overflow; a day at most is fine, re-armed after each run
    timer = setTimeout(() => {
      run();
      arm();
    }, Math.max(0, nextAt.getTime() - now().getTime()));
    timer.unref();
  };
  // today's time has passed (the next run is tomorrow, China time): catch up now
  if (opts.catchUp !== false && chinaDay(nextAt) !== chinaDay(now())) run();
  arm();
  logger.info({ dailyAt: opts.at, next: nextAt.toISOString(), inbox: opts.inbox }, 'daily run scheduled');
  return {
    next: () => nextAt,
    running: () => current,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
