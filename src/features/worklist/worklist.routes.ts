import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponse, sendDownload, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from './worklist.common.js';
import * as c from './worklist.contract.js';
import { customerTimeline, recordContact, workLog } from './worklist.log.js';
import { maturingList } from './worklist.maturing.js';
import { changePlan, commentOnPlan, planFor, plansOverview } from './worklist.plans.js';
import { actOnReminder, listMyReminders } from './worklist.reminders.js';
import { exportSheet } from './worklist.sheets.js';

// Every morning's work (issue 6): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: string) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['worklist'];

export async function worklistRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/worklist/reminders',
    { config: need('worklist.own'), schema: { tags, summary: 'My reminders: open ones counted per kind; filtered by kind, status, customer; paged', querystring: c.RemindersQuery, response: { 200: c.RemindersResponse, ...errors } } },
    async (req) => ({ data: await listMyReminders(db, actor(req), req.query) }),
  );
  api.post(
    '/api/worklist/reminders/:customerId/:event/:occurrence',
    { config: need('worklist.own'), schema: { tags, summary: 'Done, dismiss (with a reason), snooze (to a date within 90 days) or reopen one of my reminders', params: c.ReminderKey, body: c.ReminderActionBody, response: { 200: c.ReminderResponse, ...errors } } },
    async (req) => ({ data: await actOnReminder(db, actor(req), req.params, req.body) }),
  );
  api.get(
    '/api/worklist/plan',
    { config: need('worklist.own'), schema: { tags, summary: "My contact plan (latest, or of a date); a reviewer may read an owner's within scope", querystring: c.PlanQuery, response: { 200: c.PlanResponse, ...errors } } },
    async (req) => ({ data: await planFor(db, actor(req), req.query) }),
  );
  api.post(
    '/api/worklist/plan',
    { config: need('worklist.own'), schema: { tags, summary: 'Reorder my latest plan, add a customer of mine, or remove one', body: c.PlanChangeBody, response: { 200: c.PlanResponse, ...errors } } },
    async (req) => ({ data: await changePlan(db, actor(req), req.body) }),
  );
  api.get(
    '/api/worklist/plans',
    { config: need('worklist.review'), schema: { tags, summary: "Every owner's plan of a date within your branches, and its execution", querystring: c.PlansOverviewQuery, response: { 200: c.PlansOverviewResponse, ...errors } } },
    async (req) => ({ data: await plansOverview(db, actor(req), req.query) }),
  );
  api.post(
    '/api/worklist/plans/comments',
    { config: need('worklist.review'), schema: { tags, summary: "Comment on an owner's plan of a date (marks it reviewed)", body: c.PlanCommentBody, response: { 200: c.PlanCommentResponse, ...errors } } },
    async (req) => ({ data: await commentOnPlan(db, actor(req), req.body) }),
  );
  api.post(
    '/api/worklist/contacts',
    { config: need('worklist.own'), schema: { tags, summary: 'Record a contact: closes the linked reminders and work tasks, marks the plan item contacted', body: c.ContactBody, response: { 200: c.ContactResponse, ...errors } } },
    async (req) => ({ data: await recordContact(db, actor(req), req.body) }),
  );
  api.get(
    '/api/worklist/log',
    { config: need('worklist.own'), schema: { tags, summary: "My work log by China-time day (at most 62 days); a reviewer may read an owner's within scope", querystring: c.WorkLogQuery, response: { 200: c.WorkLogResponse, ...errors } } },
    async (req) => ({ data: await workLog(db, actor(req), req.query) }),
  );
  api.get(
    '/api/customers/:customerId/timeline',
    { config: need('customers.read'), schema: { tags, summary: "The customer's contacts, reminders and tier changes, newest first, and the next contact date", params: CustomerIdParams, response: { 200: c.TimelineResponse, ...errors } } },
    async (req) => ({ data: await customerTimeline(db, signedIn(req), langOf(req.headers['accept-language']), req.params.customerId) }),
  );
  api.get(
    '/api/worklist/maturing',
    { config: need('worklist.own'), schema: { tags, summary: 'Wealth products and time deposits matured in the last or maturing in the next N days (≤ 90), of my customers or, for reviewers, the scope', querystring: c.MaturingQuery, response: { 200: c.MaturingResponse, ...errors } } },
    async (req) => ({ data: await maturingList(db, actor(req), req.query) }),
  );
  api.get(
    '/api/worklist/sheets',
    { config: need('worklist.own'), schema: { tags, summary: '个人客户信息梳理表 or 递进沟通表 as .xlsx (masked by role, audited), up to 5,000 rows; more: 400, use POST /api/exports, which makes the file in the background', querystring: c.SheetQuery, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: errors } },
    async (req, reply) => {
      const file = await exportSheet(db, actor(req), req.query);
      return sendDownload(reply as unknown as FastifyReply, file);
    },
  );
}
