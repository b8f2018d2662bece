import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import * as c from './selling.contract.js';
import type { SellingActor } from './selling.common.js';
import { cancelSigning, customerSignings, decideSigning, mySignings, recordCardIssued, requestSigning, signingsToApprove } from './signings.service.js';
import { customerSuitability, recommendProduct } from './suitability.service.js';

// VIP signing with its voucher, and suitable products (issue 19 §2, §3): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: string) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): SellingActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['selling'];

export async function sellingRoutes(api: Api, { db }: AppDeps): Promise<void> {
  // VIP signing
  api.get(
    '/api/customers/:customerId/signings',
    {
      config: need('customers.read'),
      schema: { tags, summary: "Where the customer stands against each VIP card standard today (aum_avg_mtd), and the customer's signings with their vouchers", params: CustomerIdParams, response: { 200: c.CustomerSigningsResponse, ...errors } },
    },
    async (req) => ({ data: await customerSignings(db, signedIn(req), req.params.customerId) }),
  );
  api.post(
    '/api/customers/:customerId/signings',
    {
      config: need('signings.request'),
      schema: {
        tags,
        summary: 'Sign the customer for a VIP card grade: signed at once (with its voucher) when the customer qualifies, else waiting for the approver (gold, platinum: the branch head; diamond: the department)',
        params: CustomerIdParams,
        body: c.SignBody,
        response: { 201: c.SignResponse, ...errors },
      },
    },
    async (req, reply) => {
      const data = await requestSigning(db, actor(req), req.params.customerId, req.body.grade);
      void reply.code(201);
      return { data };
    },
  );
  api.post(
    '/api/customers/:customerId/signings/:signingId/decision',
    {
      config: need('signings.approve'),
      schema: { tags, summary: 'Approve (the voucher is written) or reject with a reason a signing waiting for you', params: c.SigningParams, body: c.DecisionBody, response: { 200: c.SigningResponse, ...errors } },
    },
    async (req) => ({ data: await decideSigning(db, actor(req), req.params.customerId, req.params.signingId, req.body) }),
  );
  api.post(
    '/api/customers/:customerId/signings/:signingId/cancel',
    {
      config: need('signings.request'),
      schema: { tags, summary: 'Cancel a signing, or withdraw a request, with a reason: the voucher is kept, marked cancelled', params: c.SigningParams, body: c.CancelBody, response: { 200: c.SigningResponse, ...errors } },
    },
    async (req) => ({ data: await cancelSigning(db, actor(req), req.params.customerId, req.params.signingId, req.body) }),
  );
  api.post(
    '/api/customers/:customerId/signings/:signingId/card-issued',
    {
      config: need('signings.request'),
      schema: { tags, summary: 'Record the card issued: only with a complete voucher (signed, approved where needed, not cancelled)', params: c.SigningParams, body: c.CardIssuedBody, response: { 200: c.SigningResponse, ...errors } },
    },
    async (req) => ({ data: await recordCardIssued(db, actor(req), req.params.customerId, req.params.signingId, req.body) }),
  );
  api.get(
    '/api/signings/approvals',
    {
      config: need('signings.approve'),
      schema: { tags, summary: 'Signings waiting for your approval (or decided), of customers in your scope: a branch head gold and platinum, the department diamond', querystring: c.ApprovalsQuery, response: { 200: c.SigningListResponse, ...errors } },
    },
    async (req) => ({ data: await signingsToApprove(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/signings',
    { config: need('signings.request'), schema: { tags, summary: 'The signings you requested, newest first: their outcome and vouchers', querystring: c.MySigningsQuery, response: { 200: c.SigningListResponse, ...errors } } },
    async (req) => ({ data: await mySignings(db, signedIn(req), req.query) }),
  );

  // suitable products
  api.get(
    '/api/customers/:customerId/suitability',
    {
      config: need('customers.read'),
      schema: { tags, summary: 'The products that suit the customer and those that do not, each with the reason; the risk assessment; recent recommendations', params: CustomerIdParams, response: { 200: c.CustomerSuitabilityResponse, ...errors } },
    },
    async (req) => ({ data: await customerSuitability(db, signedIn(req), langOf(req.headers['accept-language']), req.params.customerId) }),
  );
  api.post(
    '/api/customers/:customerId/recommendations',
    {
      config: need('products.recommend'),
      schema: {
        tags,
        summary: 'Record a product recommended or proposed to the customer: 422 product_unsuitable when it does not suit; 422 confirmation_required for R4/R5 to a customer of 65 or over without a second staff member (audited)',
        params: CustomerIdParams,
        body: c.RecommendBody,
        response: { 201: c.RecommendationResponse, ...errors, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const data = await recommendProduct(db, actor(req), req.params.customerId, req.body);
      void reply.code(201);
      return { data };
    },
  );
}
