import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import { exportAuditEntry, recordAuditDb } from '../../platform/audit.js';
import { loadConfig } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { ErrorResponse, sendDownload, type Api, type AppDeps, type RegisterRoutes } from '../../platform/http.js';
import { langOf, text } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { XLSX_TYPE } from '../worklist/worklist.sheets.js';
import { CreateExportBody, ExportJobResponse, ExportListResponse, ExportParams } from './exports.contract.js';
import { ExportRunner, type ExportRunnerOptions } from './exports.runner.js';

// Export jobs: start one, follow it, download its file (issue 16). Every signed-in role with a
// worklist (worklist.own) may export its sheets; the audit trail needs audit.read as well. A job
// and its file are its owner's only: anyone else is answered as if it did not exist.

const tags = ['exports'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const access = { access: { permission: 'worklist.own' } } as const;
const notFound = () => new AppError('not_found', text('没有这个导出（或它不是您的）。', 'There is no such export (or it is not yours).'));

/** The export routes and their job runner (started with the server, stopped with it). */
export function exportRoutes(o: Partial<ExportRunnerOptions> = {}): RegisterRoutes {
  return async (api: Api, { db }: AppDeps) => {
    const runner = new ExportRunner(db, { ...o, dir: o.dir ?? path.join(loadConfig().dataDir, 'exports') });
    await runner.start();
    api.addHook('onClose', async () => runner.close());

    api.post(
      '/api/exports',
      {
        config: access,
        schema: {
          tags,
          summary: 'Start an export in the background: 个人客户信息梳理表, 递进沟通表 (worklist.own) or the audit trail (audit.read); 202 with the job to follow. 409: five of yours already in progress',
          body: CreateExportBody,
          response: { 202: ExportJobResponse, ...errors },
        },
      },
      async (req, reply) => {
        const job = await runner.submit(signedIn(req), req.body, langOf(req.headers['accept-language']));
        return reply.status(202).send({ data: job });
      },
    );
    api.get(
      '/api/exports',
      { config: access, schema: { tags, summary: 'My exports of the last 7 days, newest first, with their progress', response: { 200: ExportListResponse, 401: ErrorResponse, 403: ErrorResponse } } },
      async (req) => ({ data: { items: await runner.list(signedIn(req).login, langOf(req.headers['accept-language'])) } }),
    );
    api.get(
      '/api/exports/:exportId',
      { config: access, schema: { tags, summary: "One of my exports: status, rows done of the total, percent, the error in the request's language; 404 when it is not mine", params: ExportParams, response: { 200: ExportJobResponse, ...errors } } },
      async (req) => {
        const job = await runner.get(signedIn(req).login, req.params.exportId, langOf(req.headers['accept-language']));
        if (!job) throw notFound();
        return { data: job };
      },
    );
    api.get(
      '/api/exports/:exportId/file',
      {
        config: access,
        schema: {
          tags,
          summary: "The file of one of my finished exports (kept 24 hours); every download is an audit entry 'export' with the rows and customers. 404: not mine; 409: not finished, failed or expired",
          params: ExportParams,
          produces: [XLSX_TYPE, 'text/csv'],
          response: errors,
        },
      },
      async (req, reply) => {
        const user = signedIn(req);
        const found = await runner.file(user.login, req.params.exportId);
        if (!found) throw notFound();
        const { row } = found;
        await recordAuditDb(db, exportAuditEntry(user, req.ip, { fields: row.audit_fields, customerIds: found.customerIds, detail: { ...row.audit_detail, exportId: row.export_id } }));
        const ext = path.extname(row.file_name ?? '') || `.${row.format}`;
        return sendDownload(reply as unknown as FastifyReply, {
          body: createReadStream(found.path),
          contentType: row.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE,
          filename: row.file_name ?? `export${ext}`,
          asciiName: `${String(row.audit_detail.what ?? row.kind).replace(/[^A-Za-z0-9_-]/g, '-')}_${row.export_id}${ext}`,
        });
      },
    );
  };
}
