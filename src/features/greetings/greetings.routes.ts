import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { businessToday } from '../system/system.service.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './greetings.contract.js';
import { approveGreeting, getGreeting, listGreetings } from './greetings.service.js';

// Greetings (issue 21 §4): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const config = { access: { permission: 'greetings.approve' } } as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['greetings'];

export async function greetingRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/greetings',
    { config, schema: { tags, summary: "The birthday and festival greetings the daily batch prepared for your branches (the department: all), the next first", querystring: c.GreetingsQuery, response: { 200: c.GreetingsResponse, ...errors } } },
    async (req) => ({ data: await listGreetings(db, signedIn(req), req.query, await businessToday(db)) }),
  );
  api.get(
    '/api/greetings/:campaignId',
    { config, schema: { tags, summary: 'One prepared greeting with its recipients counted', params: c.GreetingParams, response: { 200: c.GreetingResponse, ...errors } } },
    async (req) => ({ data: await getGreeting(db, signedIn(req), req.params.campaignId, await businessToday(db)) }),
  );
  api.post(
    '/api/greetings/:campaignId/approve',
    {
      config,
      schema: { tags, summary: 'Approve a prepared greeting (audited): the head of its branch, the department any; then `stratum sms send` sends it under the marketing rules', params: c.GreetingParams, response: { 200: c.GreetingResponse, ...errors } },
    },
    async (req) => ({ data: await approveGreeting(db, actor(req), req.params.campaignId, await businessToday(db)) }),
  );
}
