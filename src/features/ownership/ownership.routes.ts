import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import { claimCustomer, decideClaim, listClaims } from './ownership.claims.js';
import * as c from './ownership.contract.js';
import { createReferral, listReferrals, progressReferral, referralCounts } from './ownership.referrals.js';
import { assignCustomers, customerOwnership, decideProposals, listPool, listProposals, listStaff, reallocationReport, recallCustomers, type Actor } from './ownership.service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: string) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): Actor => ({ user: signedIn(req), ip: req.ip });
const tags = ['ownership'];

export async function ownershipRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers/:customerId/owners',
    { config: need('customers.read'), schema: { tags, summary: "The customer's owners and open ownership proposal", params: CustomerIdParams, response: { 200: c.CustomerOwnershipResponse, ...errors } } },
    async (req) => ({ data: await customerOwnership(db, signedIn(req), req.params.customerId) }),
  );
  api.get(
    '/api/ownership/pool',
    { config: need('ownership.manage'), schema: { tags, summary: 'Customers without an owner in your branches, richest first', querystring: c.PoolQuery, response: { 200: c.PoolResponse, ...errors } } },
    async (req) => ({ data: await listPool(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/ownership/proposals',
    { config: need('ownership.manage'), schema: { tags, summary: "Open owner proposals of the nightly step, in value priority", querystring: c.ScopeQuery, response: { 200: c.ProposalsResponse, ...errors } } },
    async (req) => ({ data: await listProposals(db, signedIn(req), req.query) }),
  );
  api.post(
    '/api/ownership/proposals/decisions',
    { config: need('ownership.manage'), schema: { tags, summary: 'Accept (optionally with another staff member of the same role) or reject proposals, in bulk', body: c.DecideProposalsBody, response: { 200: c.ChangeResponse, ...errors } } },
    async (req) => ({ data: await decideProposals(db, actor(req), req.body) }),
  );
  api.get(
    '/api/ownership/staff',
    { config: need('ownership.manage'), schema: { tags, summary: 'Staff of owning roles in your branches, with their loads', querystring: c.ScopeQuery.pick({ branchId: true }), response: { 200: c.StaffResponse, ...errors } } },
    async (req) => ({ data: await listStaff(db, signedIn(req), req.query) }),
  );
  api.post(
    '/api/ownership/assign',
    { config: need('ownership.manage'), schema: { tags, summary: 'Assign or re-assign customers to a primary owner, with a reason', body: c.AssignBody, response: { 200: c.ChangeResponse, ...errors } } },
    async (req) => ({ data: await assignCustomers(db, actor(req), req.body) }),
  );
  api.post(
    '/api/ownership/recall',
    { config: need('ownership.manage'), schema: { tags, summary: "Recall customers to the branch's unassigned pool, with a reason", body: c.RecallBody, response: { 200: c.ChangeResponse, ...errors } } },
    async (req) => ({ data: await recallCustomers(db, actor(req), req.body) }),
  );
  api.get(
    '/api/ownership/reallocation',
    { config: need('ownership.manage'), schema: { tags, summary: 'Owned customers whose owners have not met the contact frequency of their band', querystring: c.ScopeQuery.pick({ branchId: true }), response: { 200: c.ReallocationResponse, ...errors } } },
    async (req) => ({ data: await reallocationReport(db, signedIn(req), req.query) }),
  );

  api.post(
    '/api/customers/:customerId/claims',
    { config: need('ownership.claim'), schema: { tags, summary: 'Claim a familiar customer of your outlet (熟户认养)', params: CustomerIdParams, body: c.ClaimBody, response: { 200: c.ClaimResponse, ...errors } } },
    async (req) => ({ data: await claimCustomer(db, actor(req), req.params.customerId, req.body) }),
  );
  api.get(
    '/api/ownership/claims',
    { config: need('customers.read'), schema: { tags, summary: "Claims: a branch head's branches', a manager's own", querystring: c.ClaimsQuery, response: { 200: c.ClaimsResponse, ...errors } } },
    async (req) => ({ data: await listClaims(db, signedIn(req), req.query) }),
  );
  api.post(
    '/api/ownership/claims/decisions',
    { config: need('ownership.manage'), schema: { tags, summary: 'Approve or refuse a claim', body: c.DecideClaimBody, response: { 200: c.ChangeResponse, ...errors } } },
    async (req) => ({ data: await decideClaim(db, actor(req), req.body) }),
  );

  api.post(
    '/api/customers/:customerId/referrals',
    { config: need('referrals.create'), schema: { tags, summary: "Refer a customer of your outlet to a manager or the outlet's pool", params: CustomerIdParams, body: c.ReferralBody, response: { 200: c.ReferralCreated, ...errors } } },
    async (req) => ({ data: await createReferral(db, actor(req), req.params.customerId, req.body) }),
  );
  api.get(
    '/api/referrals',
    { config: need('customers.read'), schema: { tags, summary: 'Referrals: mine (made, addressed to or accepted by me) or the outlet’s', querystring: c.ReferralsQuery, response: { 200: c.ReferralsResponse, ...errors } } },
    async (req) => ({ data: await listReferrals(db, signedIn(req), req.query) }),
  );
  api.post(
    '/api/referrals/progress',
    { config: need('referrals.work'), schema: { tags, summary: 'Accept a referral, record the contact, or its outcome', body: c.ReferralProgressBody, response: { 200: c.ReferralCreated, ...errors } } },
    async (req) => ({ data: await progressReferral(db, actor(req), req.body) }),
  );
  api.get(
    '/api/referrals/counts',
    { config: need('reports.branch'), schema: { tags, summary: 'Referrals per referrer within your branches, with outcomes', querystring: c.ScopeQuery.pick({ branchId: true }), response: { 200: c.ReferralCountsResponse, ...errors } } },
    async (req) => ({ data: await referralCounts(db, signedIn(req), req.query) }),
  );
}
