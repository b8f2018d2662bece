import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang, type LocalText } from '../../platform/i18n.js';
import { JobPool } from '../../platform/jobs.js';
import { logger } from '../../platform/logger.js';
import { can } from '../access/access.permissions.js';
import type { SignedInUser } from '../access/access.service.js';
import { MAX_ENTRIES, writeAuditExport } from '../audit/audit.service.js';
import { addDays, daysBetween, today, workScope } from '../worklist/worklist.common.js';
import { writeSheet, XLSX_MAX_ROWS } from '../worklist/worklist.sheets.js';
import { sheetOwner, writeOpportunitySheet } from '../opportunities/opportunities.sheet.js';
import type { CreateExportBody, ExportJob, ExportKind } from './exports.contract.js';

// Export jobs (issue 16). A large export never runs inside a request: POST /api/exports writes a
// row in export_jobs (queued) and answers at once; this runner, in the server process, takes the
// jobs one at a time on the embedded engine (two on a server) and writes each file under the data
// folder's exports/ as it reads the rows in chunks (platform/chunks.ts), so the server keeps
// answering everyone else meanwhile. The file is kept 24 hours, then removed (status expired).
//
// Jobs survive a restart as what they are: a job whose process stopped (its heartbeat, written
// every few seconds while it is queued or running, grew old; on the embedded engine, which one
// process owns, every open job found at start) is marked failed, "interrupted", never lost
// silently. Scope and masking are those of the user when they asked, exactly as the download
// inside a request (the same writeSheet / writeAuditExport).

const log = logger.child({ component: 'exports' });

export interface ExportRunnerOptions {
  /** where files are kept (the data folder's exports/) */
  dir: string;
  /** jobs at once: 1 on the embedded engine (its one connection), 2 on a server */
  concurrency?: number;
  /** how long a file is kept */
  keepHours?: number;
  /** how often heartbeats, progress and expiry are written (ms) */
  tickMs?: number;
  /** a job whose heartbeat is older than this is failed as interrupted (ms) */
  staleMs?: number;
}

/** Open jobs (queued or running) one user may have at once. */
export const OPEN_JOBS_MAX = 5;

interface JobRow {
  export_id: string;
  owner: string;
  kind: ExportKind;
  format: 'xlsx' | 'csv';
  filters: Record<string, unknown>;
  lang: Lang;
  status: ExportJob['status'];
  rows_done: number;
  rows_total: number | null;
  error_code: string | null;
  error_zh: string | null;
  error_en: string | null;
  file_name: string | null;
  bytes: string | null;
  audit_fields: string[];
  audit_detail: Record<string, unknown>;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date | null;
}

interface Queued {
  id: string;
  user: SignedInUser;
  body: CreateExportBody;
  lang: Lang;
}

interface Progress {
  done: number;
  total: number | null;
}

const INTERRUPTED = text('导出中断：服务器在导出过程中停止，请重新导出。', 'The export was interrupted: the server stopped while it ran. Start it again.');
const FAILED = text('导出失败，已记录，请稍后重试或联系管理员。', 'The export failed; it has been logged. Try again, or tell your administrator.');

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export class ExportRunner {
  readonly id = randomBytes(8).toString('hex');
  private readonly pool: JobPool<Progress>;
  private readonly keepHours: number;
  private timer: NodeJS.Timeout | null = null;
  /** the housekeeping under way, if any (one at a time), which close() waits for: it would otherwise reach a closed database */
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly o: ExportRunnerOptions,
  ) {
    this.pool = new JobPool<Progress>(o.concurrency ?? (db.engine === 'postgres' ? 2 : 1), (id, e) => log.error({ err: e, exportId: id }, 'export job bookkeeping failed'));
    this.keepHours = o.keepHours ?? 24;
  }

  /** Fails the jobs of stopped processes, removes expired files, and keeps doing so every few seconds. */
  async start(): Promise<void> {
    await this.sweep(this.db.engine !== 'postgres');
    this.timer = setInterval(() => {
      // a slow database: the next round waits for this one instead of piling up beside it
      if (this.ticking) return;
      this.ticking = this.tick()
        .catch((e: unknown) => log.error({ err: e }, 'export housekeeping failed'))
        .finally(() => {
          this.ticking = null;
        });
    }, this.o.tickMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops taking jobs; the running ones stop at their next chunk and are failed as interrupted. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const waiting = await this.pool.close();
    if (waiting.length) await this.fail(waiting, 'interrupted', INTERRUPTED).catch(() => {});
  }

  // ---- asking -------------------------------------------------------------------------------

  /** Checks what can be checked at once (permission, owner, dates), queues the job; its row. */
  async submit(user: SignedInUser, body: CreateExportBody, lang: Lang): Promise<ExportJob> {
    if (this.pool.stopping) throw new AppError('unavailable', text('服务器正在停止，请稍后再试。', 'The server is stopping; try again shortly.'));
    await this.precheck(user, body);
    const open = await this.db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM export_jobs WHERE owner = $1 AND status IN ('queued', 'running')`, [user.login]));
    if ((open.rows[0]?.n ?? 0) >= OPEN_JOBS_MAX) {
      throw new AppError('conflict', text(`您已有 ${OPEN_JOBS_MAX} 个导出在进行中，请等其完成后再导出。`, `You already have ${OPEN_JOBS_MAX} exports in progress; wait for one to finish.`));
    }
    const id = randomBytes(12).toString('base64url');
    const format = body.kind === 'audit' ? body.format : 'xlsx';
    await this.db.session((s) =>
      s.query(`INSERT INTO export_jobs (export_id, owner, kind, format, filters, lang, status, runner) VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'queued', $7)`, [
        id,
        user.login,
        body.kind,
        format,
        JSON.stringify(body.filters ?? {}),
        lang,
        this.id,
      ]),
    );
    const queued: Queued = { id, user, body, lang };
    this.pool.add(id, { done: 0, total: null }, (progress) => this.run(queued, progress));
    const job = await this.get(user.login, id, lang);
    if (!job) throw new Error('the export job was not written');
    return job;
  }

  private async precheck(user: SignedInUser, body: CreateExportBody): Promise<void> {
    if (body.kind === 'audit') {
      if (!can(user.role, 'audit.read')) throw new AppError('forbidden', text('您的角色不能导出审计日志。', 'Your role may not export the audit trail.'));
      return;
    }
    if (body.kind === 'opportunities') {
      // the 商机管理表: its owner, scope and period are checked now, as the file will be made
      await sheetOwner(this.db, { user, ip: null, lang: 'zh' }, body.filters);
      return;
    }
    const f = body.filters;
    // an owner outside the scope, or someone else's for an owner: refused now, as the download does
    await this.db.session((s) => workScope(s, user, f.staffId));
    if (body.kind === 'contact_log') {
      const to = (body.filters as { to?: string }).to ?? (await today(this.db));
      const from = (body.filters as { from?: string }).from ?? addDays(to, -30);
      const span = daysBetween(from, to);
      if (span < 0 || span + 1 > 366) {
        throw new AppError('bad_request', text('请选择不超过 366 天的日期范围。', 'Choose a range of at most 366 days.'), {
          'filters.to': text(`须在 ${from} 之后 366 天内`, `must be on or after ${from}, within 366 days`),
        });
      }
    }
  }

  // ---- reading ------------------------------------------------------------------------------

  /** One job of this owner (null: none, or someone else's), with the progress of a running one. */
  async get(owner: string, id: string, lang: Lang): Promise<ExportJob | null> {
    const r = await this.db.session((s) => s.query<JobRow>(`SELECT * FROM export_jobs WHERE export_id = $1 AND owner = $2`, [id, owner]));
    const row = r.rows[0];
    return row ? this.present(row, lang) : null;
  }

  /** The owner's jobs of the last 7 days, newest first. */
  async list(owner: string, lang: Lang): Promise<ExportJob[]> {
    const r = await this.db.session((s) =>
      s.query<JobRow>(`SELECT * FROM export_jobs WHERE owner = $1 AND created_at > now() - interval '7 days' ORDER BY created_at DESC, export_id LIMIT 50`, [owner]),
    );
    return r.rows.map((row) => this.present(row, lang));
  }

  /** The file of a finished job of this owner, and what its download's audit entry records. */
  async file(owner: string, id: string): Promise<{ path: string; row: JobRow; customerIds: string[] } | null> {
    const r = await this.db.session((s) => s.query<JobRow>(`SELECT * FROM export_jobs WHERE export_id = $1 AND owner = $2`, [id, owner]));
    const row = r.rows[0];
    if (!row) return null;
    const file = this.path(id, row.format);
    if (row.status !== 'done' || !existsSync(file)) {
      const why: Record<string, LocalText> = {
        queued: text('导出尚未开始，请稍候。', 'The export has not started yet; wait a moment.'),
        running: text('导出尚未完成，请稍候。', 'The export is not finished yet; wait a moment.'),
        failed: text('导出失败，没有文件可下载，请重新导出。', 'The export failed: there is no file to download. Start it again.'),
      };
      throw new AppError('conflict', why[row.status] ?? text('导出文件已过期删除（保留 24 小时），请重新导出。', 'The file was removed after 24 hours; export it again.'));
    }
    const ids = existsSync(this.customersPath(id)) ? readFileSync(this.customersPath(id), 'utf8').split('\n').filter(Boolean) : [];
    return { path: file, row, customerIds: ids };
  }

  private present(row: JobRow, lang: Lang): ExportJob {
    const live = this.pool.isRunning(row.export_id) ? this.pool.progress(row.export_id) : undefined;
    const done = live?.done ?? row.rows_done;
    const total = live?.total ?? row.rows_total;
    const status = row.status;
    const percent = status === 'done' ? 100 : total ? Math.min(99, Math.floor((done / total) * 100)) : 0;
    return {
      exportId: row.export_id,
      kind: row.kind,
      format: row.format,
      filters: row.filters,
      status,
      rowsDone: done,
      rowsTotal: total,
      percent,
      error: row.error_code ? { code: row.error_code, message: (lang === 'en' ? row.error_en : row.error_zh) ?? row.error_code } : null,
      fileName: row.file_name,
      bytes: row.bytes === null ? null : Number(row.bytes),
      createdAt: new Date(row.created_at).toISOString(),
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      expiresAt: iso(row.expires_at),
      downloadUrl: status === 'done' ? `/api/exports/${row.export_id}/file` : null,
    };
  }

  // ---- running ------------------------------------------------------------------------------

  private path(id: string, format: string) {
    return path.join(this.o.dir, `${id}.${format}`);
  }
  private customersPath(id: string) {
    return path.join(this.o.dir, `${id}.customers`);
  }

  private async run(job: Queued, progress: Progress): Promise<void> {
    const t = Date.now();
    await this.db.session((s) => s.query(`UPDATE export_jobs SET status = 'running', started_at = now(), heartbeat_at = now() WHERE export_id = $1 AND status = 'queued'`, [job.id]));
    mkdirSync(this.o.dir, { recursive: true });
    const format = job.body.kind === 'audit' ? job.body.format : 'xlsx';
    const final = this.path(job.id, format);
    const partial = `${final}.part`;
    const target = createWriteStream(partial);
    const watch = {
      total: (n: number) => void (progress.total = n),
      rows: (n: number) => void (progress.done = n),
      check: () => {
        if (this.pool.stopping) throw new AppError('unavailable', INTERRUPTED);
      },
    };
    try {
      let written: { rows: number; filename: string; fields: string[]; detail: Record<string, unknown>; customerIds: string[] };
      if (job.body.kind === 'audit') {
        const f = await writeAuditExport(this.db, job.user, job.body.filters, job.body.format, job.lang, { cap: MAX_ENTRIES, target, progress: watch });
        written = { rows: f.rows, filename: f.filename, fields: [], detail: f.detail, customerIds: [] };
      } else if (job.body.kind === 'opportunities') {
        const sheet = await writeOpportunitySheet(this.db, { user: job.user, ip: null, lang: job.lang }, job.body.filters, { cap: XLSX_MAX_ROWS, target, progress: watch });
        written = { rows: sheet.rows, filename: sheet.filename, fields: sheet.fields, detail: sheet.detail, customerIds: sheet.customerIds };
      } else {
        const sheet = await writeSheet(this.db, { user: job.user, ip: null, lang: job.lang }, { sheet: job.body.kind, ...job.body.filters }, { cap: XLSX_MAX_ROWS, target, progress: watch });
        written = { rows: sheet.rows, filename: sheet.filename, fields: sheet.fields, detail: sheet.detail, customerIds: sheet.customerIds };
      }
      writeFileSync(this.customersPath(job.id), written.customerIds.join('\n'));
      renameSync(partial, final);
      const bytes = statSync(final).size;
      await this.db.session((s) =>
        s.query(
          `UPDATE export_jobs SET status = 'done', rows_done = $2, rows_total = $2, file_name = $3, bytes = $4, audit_fields = $5::text[], audit_detail = $6::jsonb,
                  finished_at = now(), heartbeat_at = now(), expires_at = now() + make_interval(hours => $7::int) WHERE export_id = $1`,
          [job.id, written.rows, written.filename, bytes, written.fields, JSON.stringify(written.detail), this.keepHours],
        ),
      );
      log.info({ exportId: job.id, kind: job.body.kind, rows: written.rows, bytes, ms: Date.now() - t }, 'export done');
    } catch (e) {
      target.destroy();
      rmSync(partial, { force: true });
      rmSync(this.customersPath(job.id), { force: true });
      if (this.pool.stopping) {
        await this.fail([job.id], 'interrupted', INTERRUPTED);
      } else if (e instanceof AppError) {
        const message = typeof e.text === 'string' ? text(e.text, e.text) : e.text;
        await this.fail([job.id], e.code, message);
      } else {
        log.error({ err: e, exportId: job.id }, 'export failed');
        await this.fail([job.id], 'internal', FAILED);
      }
    }
  }

  private async fail(ids: string[], code: string, why: LocalText): Promise<void> {
    await this.db.session((s) =>
      s.query(`UPDATE export_jobs SET status = 'failed', error_code = $2, error_zh = $3, error_en = $4, finished_at = now() WHERE export_id = ANY($1::text[]) AND status IN ('queued', 'running')`, [
        ids,
        code,
        why.zh,
        why.en,
      ]),
    );
  }

  // ---- housekeeping -------------------------------------------------------------------------

  /** Heartbeats and progress of this process's jobs, then the sweep. */
  async tick(): Promise<void> {
    if (this.pool.stopping) return;
    const mine = this.pool.active();
    await this.db.session(async (s) => {
      await s.query(`UPDATE export_jobs SET heartbeat_at = now() WHERE runner = $1 AND status IN ('queued', 'running')`, [this.id]);
      for (const [id, p] of mine) {
        await s.query(`UPDATE export_jobs SET rows_done = $2, rows_total = $3 WHERE export_id = $1 AND status = 'running'`, [id, p.done, p.total]);
      }
    });
    await this.sweep(false);
  }

  /**
   * Fails the open jobs of processes that stopped (`all`: every open job not of this process: the
   * embedded database has one process), and removes the files of expired ones.
   */
  async sweep(all: boolean): Promise<void> {
    const stale = Math.round((this.o.staleMs ?? 60_000) / 1000);
    await this.db.session((s) =>
      s.query(
        `UPDATE export_jobs SET status = 'failed', error_code = 'interrupted', error_zh = $3, error_en = $4, finished_at = now()
          WHERE status IN ('queued', 'running') AND runner IS DISTINCT FROM $1
            AND ($2::boolean OR heartbeat_at < now() - make_interval(secs => $5::int))`,
        [this.id, all, INTERRUPTED.zh, INTERRUPTED.en, stale],
      ),
    );
    const expired = await this.db.session((s) =>
      s.query<{ export_id: string; format: string }>(`UPDATE export_jobs SET status = 'expired' WHERE status = 'done' AND expires_at <= now() RETURNING export_id, format`),
    );
    for (const r of expired.rows) {
      rmSync(this.path(r.export_id, r.format), { force: true });
      rmSync(this.customersPath(r.export_id), { force: true });
    }
  }
}
