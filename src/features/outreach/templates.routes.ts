import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './templates.contract.js';
import { changeTemplate, createTemplate, decideTemplate, getTemplate, listTemplates, previewTemplate, submitTemplate, templateVersions } from './templates.service.js';

// Message templates (短信模板, issue 21 §2): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['templates'];

export async function templateRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/templates',
    { config: need('templates.write'), schema: { tags, summary: "Message templates you see (your branch's and the bank-wide), each at its latest version", querystring: c.TemplatesQuery, response: { 200: c.TemplatesResponse, ...errors } } },
    async (req) => ({ data: await listTemplates(db, signedIn(req), req.query.status) }),
  );
  api.post(
    '/api/templates',
    { config: need('templates.write'), schema: { tags, summary: 'Write a template, a draft (audited); an unknown placeholder is refused with its position', body: c.TemplateBody, response: { 200: c.TemplateResponse, ...errors } } },
    async (req) => ({ data: await createTemplate(db, actor(req), req.body) }),
  );
  api.post(
    '/api/templates/preview',
    {
      config: need('templates.write'),
      schema: { tags, summary: 'A text as a customer within your scope would receive it, with its characters and SMS segments (the opt-out line of marketing counted)', body: c.PreviewBody, response: { 200: c.PreviewResponse, ...errors } },
    },
    async (req) => ({ data: await previewTemplate(db, signedIn(req), req.body) }),
  );
  api.get(
    '/api/templates/:templateId',
    { config: need('templates.write'), schema: { tags, summary: "A template's versions, newest first", params: c.TemplateParams, response: { 200: c.TemplateVersionsResponse, ...errors } } },
    async (req) => ({ data: await templateVersions(db, signedIn(req), req.params.templateId) }),
  );
  api.put(
    '/api/templates/:templateId',
    { config: need('templates.write'), schema: { tags, summary: 'Change a draft or rejected template; an approved one gets a new version, a draft (audited)', params: c.TemplateParams, body: c.TemplateBody, response: { 200: c.TemplateResponse, ...errors } } },
    async (req) => ({ data: await changeTemplate(db, actor(req), req.params.templateId, req.body) }),
  );
  api.post(
    '/api/templates/:templateId/submit',
    { config: need('templates.write'), schema: { tags, summary: 'Submit a draft for approval (audited)', params: c.TemplateParams, response: { 200: c.TemplateResponse, ...errors } } },
    async (req) => ({ data: await submitTemplate(db, actor(req), req.params.templateId) }),
  );
  api.post(
    '/api/templates/:templateId/decision',
    {
      config: need('templates.approve'),
      schema: { tags, summary: 'Approve or reject a submitted template: the head of its branch, the department a bank-wide one, never its author (audited)', params: c.TemplateParams, body: c.DecisionBody, response: { 200: c.TemplateResponse, ...errors } },
    },
    async (req) => ({ data: await decideTemplate(db, actor(req), req.params.templateId, req.body) }),
  );
}
export { getTemplate };
