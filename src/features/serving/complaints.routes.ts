import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponse, sendDownload, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './complaints.contract.js';
import { complaintsReport } from './complaints.report.js';
import { complaintsWorkbook } from './complaints.sheet.js';
import { addNote, closeComplaint, createComplaint, customerComplaints, escalatedComplaints, getComplaint, handOver, listComplaints, resolveComplaint } from './complaints.service.js';

// Complaints (投诉, issue 22 §1): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['complaints'];

export async function complaintRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.post(
    '/api/complaints',
    {
      config: need('complaints.record'),
      schema: {
        tags,
        summary: 'Record a complaint (a customer, or a non-customer’s name and phone); you own it as first responder. Answers 201 with its due times by the customer’s band (audited)',
        body: c.CreateComplaintBody,
        response: { 201: c.ComplaintResponse, ...errors },
      },
    },
    async (req, reply) => {
      const data = await createComplaint(db, actor(req), req.body);
      return reply.code(201).send({ data });
    },
  );
  api.get(
    '/api/complaints',
    { config: need('complaints.record'), schema: { tags, summary: 'The complaints you may read (yours, and those of customers in your scope), the most urgent first', querystring: c.ComplaintsQuery, response: { 200: c.ComplaintListResponse, ...errors } } },
    async (req) => ({ data: await listComplaints(db, signedIn(req), { status: req.query.status, mine: req.query.mine === 'true' }) }),
  );
  api.get(
    '/api/complaints/escalated',
    { config: need('complaints.escalated'), schema: { tags, summary: 'The red list: escalated complaints not closed, of your branches (the department: all), computed at the moment of reading', response: { 200: c.ComplaintListResponse, ...errors } } },
    async (req) => ({ data: await escalatedComplaints(db, signedIn(req)) }),
  );
  api.get(
    '/api/complaints/report',
    { config: need('complaints.escalated'), schema: { tags, summary: 'Complaints by branch, month and root cause: resolved within the limit, mean times', querystring: c.ReportQuery, response: { 200: c.ReportResponse, ...errors } } },
    async (req) => ({ data: await complaintsReport(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/complaints/report/sheet',
    { config: need('complaints.escalated'), schema: { tags, summary: 'The same report as .xlsx (audited as an export)', querystring: c.ReportQuery, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: errors } },
    async (req, reply) => sendDownload(reply as unknown as FastifyReply, await complaintsWorkbook(db, signedIn(req), req.query, langOf(req.headers['accept-language']), req.ip)),
  );
  api.get(
    '/api/complaints/:complaintId',
    { config: need('complaints.record'), schema: { tags, summary: 'One complaint with its notes and hand-overs (outside your scope 404)', params: c.ComplaintParams, response: { 200: c.ComplaintResponse, ...errors } } },
    async (req) => ({ data: await getComplaint(db, signedIn(req), req.params.complaintId) }),
  );
  api.post(
    '/api/complaints/:complaintId/notes',
    { config: need('complaints.record'), schema: { tags, summary: 'A response or progress note; the first response note sets the first response time (audited)', params: c.ComplaintParams, body: c.NoteBody, response: { 200: c.ComplaintResponse, ...errors } } },
    async (req) => ({ data: await addNote(db, actor(req), req.params.complaintId, req.body) }),
  );
  api.post(
    '/api/complaints/:complaintId/resolution',
    { config: need('complaints.record'), schema: { tags, summary: "The resolution with the customer's answer: unsatisfied reopens once, then escalates (audited)", params: c.ComplaintParams, body: c.ResolveBody, response: { 200: c.ComplaintResponse, ...errors } } },
    async (req) => ({ data: await resolveComplaint(db, actor(req), req.params.complaintId, req.body) }),
  );
  api.post(
    '/api/complaints/:complaintId/close',
    { config: need('complaints.record'), schema: { tags, summary: 'Close a resolved complaint with its root cause (audited)', params: c.ComplaintParams, body: c.CloseBody, response: { 200: c.ComplaintResponse, ...errors } } },
    async (req) => ({ data: await closeComplaint(db, actor(req), req.params.complaintId, req.body) }),
  );
  api.post(
    '/api/complaints/:complaintId/hand-over',
    { config: need('complaints.record'), schema: { tags, summary: 'Hand the complaint to another staff member with a reason (audited)', params: c.ComplaintParams, body: c.HandoverBody, response: { 200: c.ComplaintResponse, ...errors } } },
    async (req) => ({ data: await handOver(db, actor(req), req.params.complaintId, req.body) }),
  );
  api.get(
    '/api/customers/:customerId/complaints',
    { config: need('customers.read'), schema: { tags, summary: "The customer's complaints, newest first (the 360 page)", params: CustomerIdParams, response: { 200: c.ComplaintListResponse, ...errors } } },
    async (req) => ({ data: await customerComplaints(db, signedIn(req), req.params.customerId) }),
  );
}
