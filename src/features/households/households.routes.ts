import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './households.contract.js';
import { addHouseholdLink, customerHousehold, removeHouseholdLink } from './households.service.js';

// Households (issue 23 §1): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['customers'];

export async function householdRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers/:customerId/household',
    {
      config: need('customers.read'),
      schema: { tags, summary: "The customer's household (members, AUM, band) as the last daily batch computed it, and the links staff added", params: CustomerIdParams, response: { 200: c.HouseholdResponse, ...errors } },
    },
    async (req) => ({ data: await customerHousehold(db, signedIn(req), req.params.customerId) }),
  );
  api.post(
    '/api/customers/:customerId/household/links',
    {
      config: need('households.link'),
      schema: {
        tags,
        summary: "Link another customer of your scope to this one as family, with the customer's consent noted (audited); the household includes it from the next daily batch",
        params: CustomerIdParams,
        body: c.LinkBody,
        response: { 200: c.LinkResponse, ...errors },
      },
    },
    async (req) => ({ data: await addHouseholdLink(db, actor(req), req.params.customerId, req.body) }),
  );
  api.delete(
    '/api/customers/:customerId/household/links/:relatedCustomerId',
    {
      config: need('households.link'),
      schema: { tags, summary: 'Remove a link staff added between two customers of your scope (audited); the household follows from the next daily batch', params: c.LinkParams, response: { 200: c.UnlinkResponse, ...errors } },
    },
    async (req) => ({ data: await removeHouseholdLink(db, actor(req), req.params.customerId, req.params.relatedCustomerId) }),
  );
}
