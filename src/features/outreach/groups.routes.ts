import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './groups.contract.js';
import { changeGroup, countFilter, countGroup, createGroup, getGroup, listGroups, removeGroup } from './groups.service.js';

// Customer groups (客户分组, issue 21 §1): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const config = { access: { permission: 'groups.manage' } } as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['groups'];

export async function groupRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.post(
    '/api/groups/count',
    { config, schema: { tags, summary: `How many customers within your scope an unsaved filter holds, and the first ${c.PREVIEW_SIZE} by AUM (masked as the customer list)`, body: c.GroupCountBody, response: { 200: c.GroupCountResponse, ...errors } } },
    async (req) => ({ data: await countFilter(db, signedIn(req), req.body.filter) }),
  );
  api.get(
    '/api/groups',
    { config, schema: { tags, summary: 'The groups you see: your own, and those of the branches within your scope', response: { 200: c.GroupsResponse, ...errors } } },
    async (req) => ({ data: await listGroups(db, signedIn(req)) }),
  );
  api.post(
    '/api/groups',
    { config, schema: { tags, summary: 'Save a filter as a group of your branch (audited)', body: c.GroupBody, response: { 200: c.GroupResponse, ...errors } } },
    async (req) => ({ data: await createGroup(db, actor(req), req.body) }),
  );
  api.get(
    '/api/groups/:groupId',
    { config, schema: { tags, summary: 'One group', params: c.GroupParams, response: { 200: c.GroupResponse, ...errors } } },
    async (req) => ({ data: await getGroup(db, signedIn(req), req.params.groupId) }),
  );
  api.put(
    '/api/groups/:groupId',
    { config, schema: { tags, summary: 'Change a group’s name and filter: its creator or the head of its branch (audited)', params: c.GroupParams, body: c.GroupBody, response: { 200: c.GroupResponse, ...errors } } },
    async (req) => ({ data: await changeGroup(db, actor(req), req.params.groupId, req.body) }),
  );
  api.delete(
    '/api/groups/:groupId',
    { config, schema: { tags, summary: 'Delete a group: its creator or the head of its branch (audited)', params: c.GroupParams, response: { 200: c.DeletedResponse, ...errors } } },
    async (req) => ({ data: await removeGroup(db, actor(req), req.params.groupId) }),
  );
  api.get(
    '/api/groups/:groupId/count',
    { config, schema: { tags, summary: `A saved group's count within your scope and the first ${c.PREVIEW_SIZE} by AUM`, params: c.GroupParams, response: { 200: c.GroupCountResponse, ...errors } } },
    async (req) => ({ data: await countGroup(db, signedIn(req), req.params.groupId) }),
  );
}
