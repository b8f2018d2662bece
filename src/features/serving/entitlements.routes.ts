import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './entitlements.contract.js';
import { checkDraft, customerEntitlements, entitlementsPolicyVersions, publishDraft, simulateDraft } from './entitlements.service.js';

// Service entitlements (issue 22 §2): a customer's, and the policy's versions, check, simulation, publishing.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const tags = ['entitlements'];
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });

export async function entitlementRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers/:customerId/entitlements',
    {
      config: { access: { permission: 'customers.read' } },
      schema: { tags, summary: 'What the customer is entitled to now, each with the rule met and their value (outside your scope 404)', params: CustomerIdParams, response: { 200: c.CustomerEntitlementsResponse, ...errors } },
    },
    async (req) => ({ data: await customerEntitlements(db, signedIn(req), req.params.customerId) }),
  );
  api.get(
    '/api/entitlements/policies',
    { config: { access: { permission: 'policies.read' } }, schema: { tags, summary: 'Every version of the entitlements policy, and the one in effect today', response: { 200: c.EntitlementPoliciesResponse, ...errors } } },
    async () => ({ data: await entitlementsPolicyVersions(db) }),
  );
  api.post(
    '/api/entitlements/policies/check',
    { config: { access: { permission: 'policies.read' } }, schema: { tags, summary: 'Check a draft: every problem with its field and line', body: c.DraftBody, response: { 200: c.CheckResponse, ...errors } } },
    async (req) => ({ data: checkDraft(req.body.yaml) }),
  );
  api.post(
    '/api/entitlements/policies/simulate',
    {
      config: { access: { permission: 'policies.read' } },
      schema: { tags, summary: 'How many customers of your scope get each entitlement under a draft and under the version in effect, changing nothing', body: c.DraftBody, response: { 200: c.SimulateResponse, ...errors } },
    },
    async (req) => ({ data: await simulateDraft(db, signedIn(req), req.body.yaml) }),
  );
  api.post(
    '/api/entitlements/policies',
    { config: { access: { permission: 'policies.publish' } }, schema: { tags, summary: 'Publish a draft as the next version, in effect from a day (today or later; audited)', body: c.PublishBody, response: { 200: c.PublishResponse, ...errors } } },
    async (req) => ({ data: await publishDraft(db, actor(req), req.body) }),
  );
}
