import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import {
  CustomerTiersResponse,
  MigrationQuery,
  MigrationResponse,
  PoliciesResponse,
  PublishBody,
  PublishResponse,
  SimulateBody,
  SimulationResponse,
  TierMixQuery,
  TierMixResponse,
} from './tiering.contract.js';
import { customerTiers, listPolicies, publishDraft, simulateDraft, tierMigration, tierMix } from './tiering.service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export async function tieringRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers/:customerId/tiers',
    {
      config: { access: { permission: 'customers.read' } },
      schema: { tags: ['tiering'], summary: "The customer's tier under each model, why, since when, and the history of changes", params: CustomerIdParams, response: { 200: CustomerTiersResponse, ...errors } },
    },
    async (req) => ({ data: await customerTiers(db, signedIn(req), req.params.customerId) }),
  );
  api.get(
    '/api/policies',
    { config: { access: { permission: 'policies.read' } }, schema: { tags: ['tiering'], summary: 'Every version of every tiering policy', response: { 200: PoliciesResponse, ...errors } } },
    async () => ({ data: await listPolicies(db) }),
  );
  api.post(
    '/api/policies/simulate',
    {
      config: { access: { permission: 'policies.read' } },
      schema: {
        tags: ['tiering'],
        summary: 'What a draft policy would do on a business date (one the daily batch ran for), changing nothing: for the customers of your scope',
        body: SimulateBody,
        response: { 200: SimulationResponse, ...errors },
      },
    },
    async (req) => ({ data: await simulateDraft(db, signedIn(req), req.body.yaml, req.body.date) }),
  );
  api.post(
    '/api/policies',
    {
      config: { access: { permission: 'policies.publish' } },
      schema: { tags: ['tiering'], summary: "Publish a policy as its model's next version, in effect from a business date", body: PublishBody, response: { 200: PublishResponse, ...errors } },
    },
    async (req) => ({ data: await publishDraft(db, signedIn(req), req.body) }),
  );
  api.get(
    '/api/branch/tier-mix',
    {
      config: { access: { permission: 'reports.branch' } },
      schema: { tags: ['tiering'], summary: 'Customers and AUM per tier of a model on a date, within your scope', querystring: TierMixQuery, response: { 200: TierMixResponse, ...errors } },
    },
    async (req) => ({ data: await tierMix(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/branch/migration',
    {
      config: { access: { permission: 'reports.branch' } },
      schema: { tags: ['tiering'], summary: 'How many customers moved from each tier to each other between two dates', querystring: MigrationQuery, response: { 200: MigrationResponse, ...errors } },
    },
    async (req) => ({ data: await tierMigration(db, signedIn(req), req.query) }),
  );
}
