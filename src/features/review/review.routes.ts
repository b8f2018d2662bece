import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import { createCoaching, listCoaching, myCoaching, myCoachingRecord, recordFollowUp, updateCoaching } from './review.coaching.js';
import * as c from './review.contract.js';
import { customerFeedback, feedbackCounts, recordFeedback } from './review.feedback.js';
import { drawSpotCheck, getSpotCheck, listSpotChecks, recordSpotResult } from './review.spot.js';

// The branch head's monthly review (管户效果评估, issue 20 §3): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['review'];

export async function reviewRoutes(api: Api, { db }: AppDeps): Promise<void> {
  // the spot check of familiar customers (熟户抽查)
  api.get(
    '/api/review/spot-checks',
    { config: need('review.manage'), schema: { tags, summary: 'The spot checks of a month within your scope, with their results per manager', querystring: c.SpotChecksQuery, response: { 200: c.SpotChecksResponse, ...errors } } },
    async (req) => ({ data: await listSpotChecks(db, actor(req), req.query) }),
  );
  api.post(
    '/api/review/spot-checks',
    {
      config: need('review.manage'),
      schema: {
        tags,
        summary: 'Draw the spot check of a month: N customers per manager of the branch’s subtree among those they own or claimed, seeded by the spot check’s id (audited); drawn once, asked again it is returned',
        body: c.DrawSpotCheckBody,
        response: { 200: c.SpotCheckResponse, ...errors },
      },
    },
    async (req) => ({ data: await drawSpotCheck(db, actor(req), req.body) }),
  );
  api.get(
    '/api/review/spot-checks/:reviewId',
    { config: need('review.manage'), schema: { tags, summary: 'One spot check: its results per manager and its sampled customers (of one manager, or all)', params: c.SpotCheckParams, querystring: c.SpotCheckQuery, response: { 200: c.SpotCheckResponse, ...errors } } },
    async (req) => ({ data: await getSpotCheck(db, actor(req), req.params.reviewId, req.query) }),
  );
  api.post(
    '/api/review/spot-checks/:reviewId/results',
    {
      config: need('review.manage'),
      schema: { tags, summary: 'Record whether the manager knows a sampled customer, with a note (audited); "not familiar" offers recall through POST /api/ownership/recall', params: c.SpotCheckParams, body: c.SpotResultBody, response: { 200: c.SpotResultResponse, ...errors } },
    },
    async (req) => ({ data: await recordSpotResult(db, actor(req), req.params.reviewId, req.body) }),
  );

  // customers' feedback (客户反馈)
  api.get(
    '/api/customers/:customerId/feedback',
    { config: need('customers.read'), schema: { tags, summary: "The customer's feedback, newest first", params: CustomerIdParams, response: { 200: c.CustomerFeedbackResponse, ...errors } } },
    async (req) => ({ data: await customerFeedback(db, signedIn(req), req.params.customerId) }),
  );
  api.post(
    '/api/customers/:customerId/feedback',
    { config: need('feedback.record'), schema: { tags, summary: "Record a customer's feedback: volunteered private information, asked for help, got in touch on their own, referred someone", params: CustomerIdParams, body: c.FeedbackBody, response: { 200: c.FeedbackResponse, ...errors } } },
    async (req) => ({ data: await recordFeedback(db, actor(req), req.params.customerId, req.body) }),
  );
  api.get(
    '/api/review/feedback',
    { config: need('review.manage'), schema: { tags, summary: "Customers' feedback of a period counted per manager (the primary owner when it was recorded) and kind, within your scope", querystring: c.FeedbackCountsQuery, response: { 200: c.FeedbackCountsResponse, ...errors } } },
    async (req) => ({ data: await feedbackCounts(db, actor(req), req.query) }),
  );

  // the coaching log (绩效沟通辅导)
  api.get(
    '/api/review/coaching',
    { config: need('review.manage'), schema: { tags, summary: 'The coaching log of your scope (or one manager): per manager the records, last coaching and next follow-up, and the records', querystring: c.CoachingQuery, response: { 200: c.CoachingListResponse, ...errors } } },
    async (req) => ({ data: await listCoaching(db, actor(req), req.query) }),
  );
  api.post(
    '/api/review/coaching',
    { config: need('review.manage'), schema: { tags, summary: 'Write a coaching record for a manager of your scope; its follow-up date becomes a work task on your My day', body: c.CoachingBody, response: { 200: c.CoachingResponse, ...errors } } },
    async (req) => ({ data: await createCoaching(db, actor(req), req.body) }),
  );
  api.patch(
    '/api/review/coaching/:coachingId',
    { config: need('review.manage'), schema: { tags, summary: 'Change a coaching record you wrote: findings, actions, follow-up date (the reminder moves with it)', params: c.CoachingParams, body: c.UpdateCoachingBody, response: { 200: c.CoachingResponse, ...errors } } },
    async (req) => ({ data: await updateCoaching(db, actor(req), req.params.coachingId, req.body) }),
  );
  api.post(
    '/api/review/coaching/:coachingId/follow-up',
    { config: need('review.manage'), schema: { tags, summary: 'Record the follow-up of a coaching record you wrote; its reminder is done', params: c.CoachingParams, body: c.FollowUpBody, response: { 200: c.CoachingResponse, ...errors } } },
    async (req) => ({ data: await recordFollowUp(db, actor(req), req.params.coachingId, req.body) }),
  );
  api.get(
    '/api/review/my-coaching',
    { config: need('coaching.own'), schema: { tags, summary: 'My coaching records, newest first (read-only)', response: { 200: c.MyCoachingResponse, ...errors } } },
    async (req) => ({ data: await myCoaching(db, actor(req)) }),
  );
  api.get(
    '/api/review/my-coaching/:coachingId',
    { config: need('coaching.own'), schema: { tags, summary: "One of my coaching records; another manager's answers 404", params: c.CoachingParams, response: { 200: c.CoachingResponse, ...errors } } },
    async (req) => ({ data: await myCoachingRecord(db, actor(req), req.params.coachingId) }),
  );
}
