import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './counter.contract.js';
import { availableManagers, counterSearch, handOverToManager, myAvailability, setMyAvailability } from './counter.service.js';

// The counter's view (issue 22 §3): search, today's managers, the hand-over, one's own availability.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const tags = ['counter'];
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });

export async function counterRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/counter/search',
    {
      config: { access: { permission: 'counter.search' } },
      schema: { tags, summary: 'Find a walk-in customer within your scope by phone tail, ID number tail, card or customer number, or name; each with band, entitlements, owner, open reminders and opportunities', querystring: c.CounterSearchQuery, response: { 200: c.CounterSearchResponse, ...errors } },
    },
    async (req) => ({ data: await counterSearch(db, signedIn(req), req.query.q) }),
  );
  api.get(
    '/api/counter/managers',
    { config: { access: { permission: 'counter.handover' } }, schema: { tags, summary: "Your outlet's customer managers and whether each is available today", response: { 200: c.ManagersResponse, ...errors } } },
    async (req) => ({ data: await availableManagers(db, signedIn(req)) }),
  );
  api.post(
    '/api/counter/handovers',
    {
      config: { access: { permission: 'counter.handover' } },
      schema: { tags, summary: 'Hand a walk-in customer to a customer manager of your outlet available today: recorded, audited, a work task on their My day', body: c.HandoverBody, response: { 201: c.HandoverResponse, ...errors } },
    },
    async (req, reply) => reply.code(201).send({ data: await handOverToManager(db, actor(req), req.body) }),
  );
  api.get(
    '/api/me/availability',
    { config: { access: { permission: 'availability.set' } }, schema: { tags, summary: 'Whether you are marked away today', response: { 200: c.AvailabilityResponse, ...errors } } },
    async (req) => ({ data: await myAvailability(db, signedIn(req)) }),
  );
  api.put(
    '/api/me/availability',
    { config: { access: { permission: 'availability.set' } }, schema: { tags, summary: 'Mark yourself away today, or back (audited): the lobby manager hands walk-ins only to managers not away', body: c.AvailabilityBody, response: { 200: c.AvailabilityResponse, ...errors } } },
    async (req) => ({ data: await setMyAvailability(db, actor(req), req.body.away) }),
  );
}
