// What the bench scripts share: their command-line options, a count's format, timing figures, and the kept bench database.
import pg from 'pg';
import { openDb, type Db } from '../src/platform/db.js';

const args = process.argv.slice(2);
/** The value after `--name`, if given. */
export const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
/** A positive whole number after `--name`, else `dflt`. */
export const num = (name: string, dflt: number) => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, not ${v}`);
  return Math.round(n);
};
/** Whether `--name` is given. */
export const flag = (name: string) => args.includes(`--${name}`);
export const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
/** p50, p95 and max of some times. */
export function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] ?? NaN };
}
/** How long `fn` took (ms), and its value. */
export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

const BENCH_SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The database `npm run bench:api -- --keep --customers N` left on the server; refused with what to run when it is not there. */
export async function openKept(customers: number): Promise<Db> {
  const name = `stratum_bench_api_${customers}`;
  const admin = new pg.Client({ connectionString: BENCH_SERVER });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  await admin.end();
  if (!exists) throw new Error(`no kept database ${name} on ${BENCH_SERVER}: run \`npm run bench:api -- --keep --customers ${customers}\` first`);
  const url = new URL(BENCH_SERVER);
  url.pathname = `/${name}`;
  return openDb({ databaseUrl: url.toString() });
}
