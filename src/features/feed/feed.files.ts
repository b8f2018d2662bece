import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FEED_MANIFEST, FILE_SPECS, type EntityName, type FeedManifest, type FeedProblem } from './feed.contract.js';
import { isCalendarDate } from '../../platform/calendar.js';
import { dateProblem } from './feed.values.js';

// Finding the files of one business-date folder and reading its feed.json.

export interface FeedFile {
  entity: EntityName;
  path: string;
  /** the name as the bank wrote it, for messages */
  name: string;
  format: 'csv' | 'xlsx';
  bytes: number;
}

export interface FeedFolder {
  folder: string;
  manifest: FeedManifest;
  files: FeedFile[];
}

export function discoverFeed(folder: string): { feed?: FeedFolder; problems: FeedProblem[] } {
  const problems: FeedProblem[] = [];
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    return { problems: [{ file: folder, message: 'is not a folder' }] };
  }
  const entries = readdirSync(folder);
  const manifestName = entries.find((e) => e.toLowerCase() === 'feed.json');
  if (!manifestName) {
    return { problems: [{ file: 'feed.json', message: 'is missing; it says the business date and whether the day is full or delta' }] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.join(folder, manifestName), 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    return { problems: [{ file: 'feed.json', message: 'is not valid JSON (expected {"business_date": "YYYY-MM-DD", "mode": "full" or "delta"})' }] };
  }
  const m = FEED_MANIFEST.safeParse(parsed);
  if (!m.success) {
    for (const issue of m.error.issues) {
      const field = issue.path.join('.') || 'feed.json';
      const message =
        field === 'mode'
          ? 'mode must be "full" or "delta"'
          : field === 'business_date'
            ? (parsed as { business_date?: unknown } | null)?.business_date === undefined
              ? 'business_date is missing'
              : 'business_date must be a date written as text, like "2026-11-20"'
            : issue.message;
      problems.push({ file: 'feed.json', column: field, message });
    }
    return { problems };
  }
  if (!isCalendarDate(m.data.business_date)) {
    return { problems: [{ file: 'feed.json', column: 'business_date', message: dateProblem(m.data.business_date) }] };
  }
  const files: FeedFile[] = [];
  for (const spec of FILE_SPECS) {
    const found = entries.filter((e) => {
      const lower = e.toLowerCase();
      return lower === `${spec.entity}.csv` || lower === `${spec.entity}.xlsx`;
    });
    if (found.length > 1) {
      problems.push({ file: found.join(' and '), message: `both are present; deliver ${spec.entity} once, as CSV or as Excel` });
      continue;
    }
    const name = found[0];
    if (!name) {
      if (m.data.mode === 'full' && spec.snapshot) {
        problems.push({ file: `${spec.entity}.csv`, message: `is missing; a full day must carry the complete ${spec.entity} snapshot` });
      }
      continue;
    }
    const p = path.join(folder, name);
    files.push({ entity: spec.entity, path: p, name, format: name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv', bytes: statSync(p).size });
  }
  if (problems.length) return { problems };
  return { feed: { folder, manifest: m.data, files }, problems };
}

/** The name of the folder's feed.json as written (any case, as discoverFeed reads it), if it has one. */
function manifestIn(folder: string): string | undefined {
  return readdirSync(folder).find((e) => e.toLowerCase() === 'feed.json');
}

/**
 * The folders to load under `folder`: itself if it is a business date, else its date sub-folders
 * in order. A sub-folder without feed.json is still being written (the bank writes feed.json
 * last): it is left alone, neither loaded nor refused.
 */
export function feedFolders(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [folder];
  if (manifestIn(folder)) return [folder];
  const subs = readdirSync(folder)
    .map((e) => path.join(folder, e))
    .flatMap((p) => {
      const manifest = statSync(p).isDirectory() ? manifestIn(p) : undefined;
      return manifest ? [{ p, manifest }] : [];
    });
  // folder names need not be dates: order by the business date each declares
  const dated = subs.map(({ p, manifest }) => {
    try {
      const m = JSON.parse(readFileSync(path.join(p, manifest), 'utf8').replace(/^\uFEFF/, '')) as { business_date?: unknown };
      return { p, d: typeof m.business_date === 'string' ? m.business_date : '' };
    } catch {
      return { p, d: '' };
    }
  });
  // a feed.json that says no date (being written, or broken) goes last: the loader refuses it
  // with the reason, after the dates before it have loaded
  const order = (a: { p: string; d: string }, b: { p: string; d: string }) => Number(!a.d) - Number(!b.d) || a.d.localeCompare(b.d) || a.p.localeCompare(b.p);
  return dated.length ? dated.sort(order).map((x) => x.p) : [folder];
}

/** A digest of the whole day as delivered: same files, same digest. */
export async function hashFeed(feed: FeedFolder): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(feed.manifest));
  for (const f of feed.files) {
    h.update(`\n${f.entity}\n`);
    for await (const chunk of createReadStream(f.path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}
