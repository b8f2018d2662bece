import type { FastifyRequest } from 'fastify';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { langOf } from '../../platform/i18n.js';
import { signedIn } from '../access/access.guard.js';
import type { Permission } from '../access/access.permissions.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import * as c from './campaigns.contract.js';
import { CampaignSends, type CampaignSendOptions } from './campaign.sends.js';
import { approveFromApi, campaignDetail, createCampaignFromGroup, listCampaigns, sendFromApi, type SendDeps } from './campaigns.service.js';

// Campaigns (群发活动, issue 21 §3 and §6): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const need = (permission: Permission) => ({ access: { permission } }) as const;
const actor = (req: FastifyRequest): WorkActor => ({ user: signedIn(req), ip: req.ip, lang: langOf(req.headers['accept-language']) });
const tags = ['campaigns'];

/**
 * The routes and the runner of their sends (started with the server, stopped with it); `deps.now`
 * stands in for the clock of the sender's marketing hours, `deps.sends` sets the runner (tests).
 */
export function campaignRoutes(deps: Omit<SendDeps, 'settings'> & { sends?: CampaignSendOptions } = {}) {
  return async function routes(api: Api, { db }: AppDeps): Promise<void> {
    const sends = new CampaignSends(db, deps.sends ?? {});
    await sends.start();
    api.addHook('onClose', async () => sends.close());

    api.get(
      '/api/campaigns',
      { config: need('campaigns.read'), schema: { tags, summary: "Campaigns you see, newest first: your own; a branch head's branch's; the department's every one", querystring: c.CampaignsQuery, response: { 200: c.CampaignsResponse, ...errors } } },
      async (req) => ({ data: await listCampaigns(db, signedIn(req), req.query.status) }),
    );
    api.post(
      '/api/campaigns',
      {
        config: need('campaigns.write'),
        schema: {
          tags,
          summary: "Make a campaign (a draft) from a customer group and an approved template: the group's members are taken on the business date within your scope and kept with it, a share held out (default 10%) (audited)",
          body: c.CampaignBody,
          response: { 200: c.CampaignResponse, ...errors },
        },
      },
      async (req) => ({ data: await createCampaignFromGroup(db, actor(req), req.body) }),
    );
    api.get(
      '/api/campaigns/:campaignId',
      {
        config: need('campaigns.read'),
        schema: {
          tags,
          summary: 'A campaign: its messages sent, delivered, failed, opted out and skipped by reason; its latest send and its progress (send); 30 days after the send the AUM change and new opportunities of its recipients against the held-out customers',
          params: c.CampaignParams,
          response: { 200: c.CampaignResponse, ...errors },
        },
      },
      async (req) => ({ data: await campaignDetail(db, signedIn(req), req.params.campaignId, { lang: langOf(req.headers['accept-language']), sends }) }),
    );
    api.post(
      '/api/campaigns/:campaignId/approve',
      { config: need('campaigns.approve'), schema: { tags, summary: 'Approve a draft campaign: the head of its branch, the department a bank-wide one, never its author (audited)', params: c.CampaignParams, response: { 200: c.CampaignResponse, ...errors } } },
      async (req) => ({ data: await approveFromApi(db, actor(req), req.params.campaignId) }),
    );
    api.post(
      '/api/campaigns/:campaignId/send',
      {
        config: need('campaigns.write'),
        schema: {
          tags,
          summary:
            'Send an approved campaign through the SMS gateway, or finish a send that stopped: its author or the head of its branch; every rule of the messages policy kept, the held-out customers never sent (audited). The server sends in the background: 202 with the send to follow on the campaign (GET, send). 409: not approved, sent already, or a send of it under way',
          params: c.CampaignParams,
          response: { 202: c.SendResponse, ...errors, 503: ErrorResponse },
        },
      },
      async (req, reply) => reply.status(202).send({ data: await sendFromApi(db, actor(req), req.params.campaignId, sends, deps.now ? { now: deps.now } : {}) }),
    );
  };
}
