import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
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
    async (req, reply) => {
      void reply.header('cache-control', 'no-store');
      return { data: await listAudit(db, signedIn(req), req.query) };
    },
  );

  api.get(
    '/api/audit/export',
    {
      config: read,
      schema: { tags: ['audit'], summary: 'The filtered audit entries as CSV or Excel (the export is itself audited); errors as elsewhere', querystring: AuditExportQuery },
    },
    async (req, reply) => {
      const { format, ...filters } = req.query;
      const file = await exportAudit(db, signedIn(req), filters, format, { ip: req.ip });
      return reply
        .header('cache-control', 'no-store')
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );
}
