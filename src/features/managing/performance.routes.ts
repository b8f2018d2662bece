import type { FastifyReply } from 'fastify';
import { ErrorResponse, sendDownload, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import * as c from './performance.contract.js';
import { managerPerformance, performanceCustomers } from './performance.service.js';
import { performanceWorkbook } from './performance.sheet.js';

// Manager performance (管户业绩统计, issue 20 §1): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const need = { access: { permission: 'performance.read' } } as const;
const tags = ['performance'];

export async function performanceRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/performance/managers',
    { config: need, schema: { tags, summary: 'Manager performance (管户业绩统计) for a month, quarter, year or two loaded business dates, with the period before: per staff member, per branch and in total (a branch head: their branches; the department: the bank; anyone else: their own line)', querystring: c.PerformanceQuery, response: { 200: c.PerformanceResponse, ...errors } } },
    async (req) => ({ data: await managerPerformance(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/performance/sheet',
    { config: need, schema: { tags, summary: 'The same report as the bank’s sheet (.xlsx, audited)', querystring: c.PerformanceQuery, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: errors } },
    async (req, reply) => sendDownload(reply as unknown as FastifyReply, await performanceWorkbook(db, signedIn(req), req.query, langOf(req.headers['accept-language']), req.ip)),
  );
  api.get(
    '/api/performance/customers',
    { config: need, schema: { tags, summary: 'The customers behind one number of the report (a staff member’s, or the scope’s), largest AUM first, within your scope', querystring: c.MeasureCustomersQuery, response: { 200: c.MeasureCustomersResponse, ...errors } } },
    async (req) => ({ data: await performanceCustomers(db, signedIn(req), req.query) }),
  );
}
