import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import { RevealBody } from '../pii/pii.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './opportunities.contract.js';
import { getReview, listReviews, saveReview } from './opportunities.review.js';
import { board, createOpportunity, customerOpportunities, getOpportunity, listOpportunities, moveStage, updateOpportunity } from './opportunities.service.js';
import { createProspect, getProspect, listProspects, recordProspectContact, revealProspect, updateProspect } from './prospects.service.js';
import { z } from 'zod';

// Opportunities (商机), the weekly review and prospects (issue 19 §1, §4): parse → authorize →
// service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: 'opportunities.own' | 'opportunities.review') => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['opportunities'];
const ptags = ['prospects'];
const ProspectRevealResponse = z.object({
  data: z.object({
    prospectId: z.string(),
    values: z.object({ phone: z.string().nullable().optional(), id_number: z.string().nullable().optional(), address: z.string().nullable().optional() }),
  }),
});

export async function opportunityRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/opportunities',
    { config: need('opportunities.own'), schema: { tags, summary: 'Opportunities as a table: mine, or (a reviewer) the scope or one owner; by stage, status, stale, due; sorted and paged', querystring: c.OpportunitiesQuery, response: { 200: c.OpportunityListResponse, ...errors } } },
    async (req) => ({ data: await listOpportunities(db, actor(req), req.query) }),
  );
  api.post(
    '/api/opportunities',
    { config: need('opportunities.own'), schema: { tags, summary: 'Make an opportunity: from one of my reminders (one click: customer, target, amount and next step suggested; the reminder is closed), a contact, a referral, a walk-in, a campaign, or by hand', body: c.CreateOpportunityBody, response: { 200: c.OpportunityResponse, ...errors } } },
    async (req) => ({ data: await createOpportunity(db, actor(req), req.body) }),
  );
  api.get(
    '/api/opportunities/board',
    { config: need('opportunities.own'), schema: { tags, summary: 'My opportunities as a board: a column per stage with its count and amount (won and lost: the last 30 days); a reviewer may read an owner’s', querystring: c.BoardQuery, response: { 200: c.BoardResponse, ...errors } } },
    async (req) => ({ data: await board(db, actor(req), req.query) }),
  );
  api.get(
    '/api/opportunities/review',
    { config: need('opportunities.review'), schema: { tags, summary: 'The weekly review: per manager of the scope the opportunities created, moved, won, lost and stale in the 7 days to the date, the week’s opportunities and this review’s comments', querystring: c.ReviewQuery, response: { 200: c.ReviewResponse, ...errors } } },
    async (req) => ({ data: await getReview(db, actor(req), req.query) }),
  );
  api.post(
    '/api/opportunities/review',
    { config: need('opportunities.review'), schema: { tags, summary: 'Save the review of a date with a comment per opportunity (which its owner sees); saved again, it is updated', body: c.SaveReviewBody, response: { 200: c.ReviewResponse, ...errors } } },
    async (req) => ({ data: await saveReview(db, actor(req), req.body) }),
  );
  api.get(
    '/api/opportunities/reviews',
    { config: need('opportunities.review'), schema: { tags, summary: 'The weekly reviews saved in the scope in a period (default the last 90 days)', querystring: c.ReviewsQuery, response: { 200: c.ReviewsResponse, ...errors } } },
    async (req) => ({ data: await listReviews(db, actor(req), req.query) }),
  );
  api.get(
    '/api/opportunities/:opportunityId',
    { config: need('opportunities.own'), schema: { tags, summary: 'One opportunity with its stage changes and the reviews’ comments; another manager’s answers 404', params: c.OpportunityParams, response: { 200: c.OpportunityResponse, ...errors } } },
    async (req) => ({ data: await getOpportunity(db, actor(req), req.params.opportunityId) }),
  );
  api.patch(
    '/api/opportunities/:opportunityId',
    { config: need('opportunities.own'), schema: { tags, summary: 'Change my open opportunity’s target, amount, next step and its date, notes; a reviewer hands it to another staff member (audited)', params: c.OpportunityParams, body: c.UpdateOpportunityBody, response: { 200: c.OpportunityResponse, ...errors } } },
    async (req) => ({ data: await updateOpportunity(db, actor(req), req.params.opportunityId, req.body) }),
  );
  api.post(
    '/api/opportunities/:opportunityId/stage',
    { config: need('opportunities.own'), schema: { tags, summary: 'Move my opportunity to a later stage, or close it won or lost (with the reason); kept with who and when', params: c.OpportunityParams, body: c.StageBody, response: { 200: c.OpportunityResponse, ...errors } } },
    async (req) => ({ data: await moveStage(db, actor(req), req.params.opportunityId, req.body) }),
  );
  api.get(
    '/api/customers/:customerId/opportunities',
    { config: { access: { permission: 'customers.read' } }, schema: { tags, summary: "The customer's opportunities you may see (360 page): open ones first; none for a role that works no opportunities", params: CustomerIdParams, response: { 200: c.CustomerOpportunitiesResponse, ...errors } } },
    async (req) => ({ data: await customerOpportunities(db, actor(req), req.params.customerId) }),
  );

  // prospects
  api.get(
    '/api/prospects',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: 'Prospects: mine; a branch head the branches’, the department all; by status, owner, name or the phone’s last four digits', querystring: c.ProspectsQuery, response: { 200: c.ProspectListResponse, ...errors } } },
    async (req) => ({ data: await listProspects(db, actor(req), req.query) }),
  );
  api.post(
    '/api/prospects',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: 'Register a prospect (not a customer yet): name, phone or ID number, source, notes; 409 when registered already or a customer', body: c.CreateProspectBody, response: { 200: c.ProspectResponse, ...errors } } },
    async (req) => ({ data: await createProspect(db, actor(req), req.body) }),
  );
  api.get(
    '/api/prospects/:prospectId',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: 'One prospect (phone and ID number masked) with its contacts and opportunities', params: c.ProspectParams, response: { 200: c.ProspectResponse, ...errors } } },
    async (req) => ({ data: await getProspect(db, actor(req), req.params.prospectId) }),
  );
  api.patch(
    '/api/prospects/:prospectId',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: 'Change my prospect, or close it (no longer pursued)', params: c.ProspectParams, body: c.UpdateProspectBody, response: { 200: c.ProspectResponse, ...errors } } },
    async (req) => ({ data: await updateProspect(db, actor(req), req.params.prospectId, req.body) }),
  );
  api.post(
    '/api/prospects/:prospectId/contacts',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: 'Record a contact with my prospect (the 递进沟通表 has it)', params: c.ProspectParams, body: c.ProspectContactBody, response: { 200: c.ProspectContactResponse, ...errors } } },
    async (req) => ({ data: await recordProspectContact(db, actor(req), req.params.prospectId, req.body) }),
  );
  api.post(
    '/api/prospects/:prospectId/reveal',
    { config: need('opportunities.own'), schema: { tags: ptags, summary: "Show a prospect's phone or ID number in full, with a reason; audited like a customer's; never cached", params: c.ProspectParams, body: RevealBody, response: { 200: ProspectRevealResponse, ...errors } } },
    async (req) => ({ data: await revealProspect(db, signedIn(req), req.params.prospectId, req.body, { ip: req.ip }) }),
  );
}
