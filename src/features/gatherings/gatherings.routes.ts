import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponse, sendDownload, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './gatherings.contract.js';
import { answerInvitee, callListWorkbook, closeGathering, createGathering, door, gatheringDetail, inviteGathering, listGatherings, markAttended } from './gatherings.service.js';

// Relationship events (客户活动, issue 21 §5): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['gatherings'];

export async function gatheringRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/gatherings',
    { config: need('gatherings.read'), schema: { tags, summary: "Relationship events you see: the department every one, a branch head their branches' and the bank-wide ones, a manager those inviting their customers", querystring: c.GatheringsQuery, response: { 200: c.GatheringsResponse, ...errors } } },
    async (req) => ({ data: await listGatherings(db, signedIn(req), req.query.status) }),
  );
  api.post(
    '/api/gatherings',
    {
      config: need('gatherings.write'),
      schema: {
        tags,
        summary: 'Hold a relationship event: its invitees taken from a customer group within your scope, highest AUM first up to the capacity (a VIP gathering: AUM of 1,000,000 or more only) (audited)',
        body: c.GatheringBody,
        response: { 200: c.GatheringResponse, ...errors },
      },
    },
    async (req) => ({ data: await createGathering(db, actor(req), req.body) }),
  );
  api.get(
    '/api/gatherings/:gatheringId',
    { config: need('gatherings.read'), schema: { tags, summary: 'An event with the invitees you see (phones masked) and, 30 days after it, the AUM change of its attendees beside that of the invited who did not come', params: c.GatheringParams, response: { 200: c.GatheringResponse, ...errors } } },
    async (req) => ({ data: await gatheringDetail(db, signedIn(req), req.params.gatheringId) }),
  );
  api.post(
    '/api/gatherings/:gatheringId/invitations',
    {
      config: need('gatherings.write'),
      schema: {
        tags,
        summary: "Invite: by SMS (a campaign from an approved template, approved and sent like any campaign) or by a call list (a task on each owner's My day) (audited)",
        params: c.GatheringParams,
        body: c.InvitationBody,
        response: { 200: c.InvitationResponse, ...errors },
      },
    },
    async (req) => ({ data: await inviteGathering(db, actor(req), req.params.gatheringId, req.body) }),
  );
  api.get(
    '/api/gatherings/:gatheringId/call-list',
    {
      config: need('gatherings.read'),
      schema: { tags, summary: 'The call list as .xlsx: the invitees you see by owner, phones masked (audited as an export)', params: c.GatheringParams, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: errors },
    },
    async (req, reply) => sendDownload(reply as unknown as FastifyReply, await callListWorkbook(db, signedIn(req), req.params.gatheringId, langOf(req.headers['accept-language']), req.ip)),
  );
  api.get(
    '/api/gatherings/:gatheringId/door',
    { config: need('gatherings.read'), schema: { tags, summary: 'The door: invitees found by name or the last 4 digits of the phone (phones masked), arrived against expected', params: c.GatheringParams, querystring: c.DoorQuery, response: { 200: c.DoorResponse, ...errors } } },
    async (req) => ({ data: await door(db, signedIn(req), req.params.gatheringId, req.query.q) }),
  );
  api.post(
    '/api/gatherings/:gatheringId/invitees/:customerId/answer',
    { config: need('gatherings.read'), schema: { tags, summary: "An invitee's answer (accepted, declined, or no answer yet): their manager or the organiser (audited)", params: c.InviteeParams, body: c.AnswerBody, response: { 200: c.InviteeResponse, ...errors } } },
    async (req) => ({ data: await answerInvitee(db, actor(req), req.params.gatheringId, req.params.customerId, req.body.state) }),
  );
  api.post(
    '/api/gatherings/:gatheringId/invitees/:customerId/attend',
    { config: need('gatherings.read'), schema: { tags, summary: 'Mark an invitee arrived at the door: the organiser or their manager (audited)', params: c.InviteeParams, response: { 200: c.InviteeResponse, ...errors } } },
    async (req) => ({ data: await markAttended(db, actor(req), req.params.gatheringId, req.params.customerId) }),
  );
  api.post(
    '/api/gatherings/:gatheringId/close',
    {
      config: need('gatherings.write'),
      schema: { tags, summary: "Close the event: invitees not come become no-shows, each attendee's manager gets a follow-up due the next working day (audited)", params: c.GatheringParams, response: { 200: c.GatheringResponse, ...errors } },
    },
    async (req) => ({ data: await closeGathering(db, actor(req), req.params.gatheringId) }),
  );
}
