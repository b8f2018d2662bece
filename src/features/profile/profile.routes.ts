import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './profile.contract.js';
import { getProfile, outletToComplete, putProfile } from './profile.service.js';

// A customer's profile and its collection (issue 23 §2): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['profile'];

export async function profileRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers/:customerId/profile',
    {
      config: need('customers.read'),
      schema: {
        tags,
        summary: "The customer's profile: the core system's values with open proposals for it, Stratum's own fields, completeness (9 fields) as the last batch computed it",
        params: CustomerIdParams,
        response: { 200: c.ProfileResponse, ...errors },
      },
    },
    async (req) => ({ data: await getProfile(db, signedIn(req), req.params.customerId) }),
  );
  api.put(
    '/api/customers/:customerId/profile',
    {
      config: need('profile.collect'),
      schema: {
        tags,
        summary: "Record what was collected: phone, address, birth date, occupation, income as proposals for the core system (the feed's value wins once it arrives); interests, family notes, preferred contact time and channel in Stratum. Fields left out are unchanged (audited)",
        params: CustomerIdParams,
        body: c.ProfileBody,
        response: { 200: c.ProfileResponse, ...errors },
      },
    },
    async (req) => ({ data: await putProfile(db, actor(req), req.params.customerId, req.body) }),
  );
  api.get(
    '/api/profile/outlet',
    {
      config: need('profile.collect'),
      schema: {
        tags,
        summary: 'The customers of an outlet under 7 of 9 profile fields that you collect for (your customers; a counter teller also those below band_3), the highest AUM first, with the fields missing',
        querystring: c.OutletQuery,
        response: { 200: c.OutletResponse, ...errors },
      },
    },
    async (req) => ({ data: await outletToComplete(db, signedIn(req), req.query) }),
  );
}
