import type { FastifyReply } from 'fastify';
import { ErrorResponse, sendDownload, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { AuditExportQuery, AuditListQuery, AuditListResponse } from './audit.contract.js';
import { exportAudit, listAudit } from './audit.service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const read = { access: { permission: 'audit.read' } } as const;

export async function auditRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/audit',
    {
      config: read,
      schema: {
        tags: ['audit'],
        summary: "Audit entries, newest first: the department all, a branch head those about their subtree (customers or staff) with only its customers' ids; filtered and paged",
        querystring: AuditListQuery,
        response: { 200: AuditListResponse, ...errors },
      },
    },
    async (req) => {
      return { data: await listAudit(db, signedIn(req), req.query) };
    },
  );

  api.get(
    '/api/audit/export',
    {
      config: read,
      schema: {
        tags: ['audit'],
        summary: 'The filtered audit entries as CSV or Excel, up to 5,000 (the export is itself audited); more: 400, use POST /api/exports (kind audit), which makes the file in the background',
        querystring: AuditExportQuery,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { format, ...filters } = req.query;
      const file = await exportAudit(db, signedIn(req), filters, format, { ip: req.ip, lang: langOf(req.headers['accept-language']) });
      return sendDownload(reply as unknown as FastifyReply, file);
    },
  );
}
