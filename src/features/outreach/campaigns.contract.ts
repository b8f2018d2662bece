import { z } from 'zod';

// The API of campaigns (群发活动, issue 21 §3 and §6): made from a customer group and an approved
// template, approved by the head of the branch (the department for a bank-wide one), sent through
// the SMS gateway, and measured against the customers held out of it.

export const CAMPAIGN_STATUSES = ['draft', 'approved', 'sending', 'done'] as const;
export const SKIP_REASONS = ['no_phone', 'opted_out', 'no_consent', 'do_not_disturb', 'weekly_limit', 'left'] as const;

const Person = z.object({ staffId: z.string(), name: z.string() });

export const CampaignSummary = z.object({
  campaignId: z.string(),
  name: z.string(),
  kind: z.enum(['marketing', 'service']),
  status: z.enum(CAMPAIGN_STATUSES),
  branch: z.object({ id: z.string(), name: z.string() }).nullable().describe('null: bank-wide (the department approves)'),
  group: z.object({ id: z.string(), name: z.string() }).nullable().describe('null: a campaign of the command line (a customer list)'),
  template: z.object({ id: z.string(), version: z.number().int(), name: z.string() }).nullable(),
  takenOn: z.string().nullable().describe("the business date the group's members were taken on"),
  holdoutPercent: z.number().int().describe('the share of the members held out (never sent), 0: none'),
  members: z.number().int(),
  heldOut: z.number().int(),
  createdBy: Person,
  createdAt: z.string(),
  approvedBy: Person.nullable(),
  approvedAt: z.string().nullable(),
  sentOn: z.string().nullable().describe('the business date its sending began'),
  /** the signed-in user may approve it now */
  approvable: z.boolean(),
  /** the signed-in user may send it now (approved, or a send to finish) */
  sendable: z.boolean(),
});

export const SEND_STATES = ['queued', 'running', 'done', 'waiting', 'failed', 'interrupted'] as const;

/** A campaign's send, run by the server in the background: where it stands. */
export const SendJob = z.object({
  campaignId: z.string(),
  jobId: z.string().describe('this send (a campaign sent again, to finish it, has a new one)'),
  state: z
    .enum(SEND_STATES)
    .describe(
      'queued (waiting for its turn), running, done (every recipient handled), waiting (a marketing campaign stopped at 21:00 China time: send it again from 08:00), failed (see error; send again to finish), interrupted (the server stopped while it sent; send again to finish — nothing is sent twice)',
    ),
  done: z.number().int().describe('recipients handled so far: handed to the gateway or skipped under the rules'),
  total: z.number().int().describe('recipients the campaign sends to (its members not held out)'),
  sent: z.number().int().describe('messages handed to the gateway so far (as messages.sent: one the gateway refused is counted failed)'),
  percent: z.number().int().min(0).max(100),
  posted: z.number().int().describe('messages posted by this send (a message a stopped send left unanswered is posted again under the same reference, never delivered twice)'),
  waitsUntil: z.string().nullable().describe('state waiting: when the campaign may be sent again (ISO time)'),
  error: z.string().nullable().describe("state failed or interrupted: what happened, in the request's language"),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type SendJob = z.infer<typeof SendJob>;

const Arm = z.object({
  customers: z.number().int().describe('customers compared'),
  aumBefore: z.number().describe('their AUM on the send date, in total (yuan)'),
  aumAfter: z.number().describe('their AUM 30 days later, in total (yuan)'),
  meanAumChange: z.number().nullable().describe('mean AUM change per customer (yuan); null without customers'),
  withNewOpportunity: z.number().int().describe('customers with an opportunity created within the 30 days'),
  newOpportunityShare: z.number().nullable().describe('their share, 0 to 1'),
});

export const CampaignDetail = CampaignSummary.extend({
  text: z.string().describe('the text as approved: placeholders are filled per recipient when sent'),
  messages: z.object({
    queued: z.number().int(),
    sent: z.number().int().describe('handed to the gateway (sending, accepted, delivered or failed)'),
    delivered: z.number().int(),
    failed: z.number().int().describe('failed on delivery or rejected by the gateway'),
    optedOut: z.number().int().describe('recipients who replied R, TD, T or 退订 after it was sent'),
    skipped: z.number().int(),
    skippedBy: z.record(z.string(), z.number().int()).describe('skipped recipients by reason'),
  }),
  send: SendJob.nullable().describe('its latest send and its progress; null before it is first sent'),
  results: z.object({
    availableOn: z.string().nullable().describe('the business date 30 days after the send; null before the send'),
    ready: z.boolean().describe('that business date is loaded: the comparison below is given'),
    recipients: Arm.nullable().describe('members sent a message'),
    holdout: Arm.nullable().describe('held-out members who could have been sent it (phone, consent, not do-not-disturb, not opted out)'),
  }),
});
export type CampaignDetail = z.infer<typeof CampaignDetail>;
export type CampaignSummary = z.infer<typeof CampaignSummary>;

export const CampaignBody = z
  .object({
    name: z.string().min(1).max(80),
    groupId: z.string().min(1).max(100),
    templateId: z.string().min(1).max(60).describe('an approved template you see: its latest approved version is used'),
    holdoutPercent: z.number().int().min(0).max(50).optional().describe('share of the group held out (default 10, STRATUM_CAMPAIGN_HOLDOUT_PERCENT); 0: none'),
  })
  .strict();
export const CampaignParams = z.object({ campaignId: z.string().min(1).max(100) });
export const CampaignsQuery = z.object({ status: z.enum(CAMPAIGN_STATUSES).optional() }).strict();
export const CampaignResponse = z.object({ data: CampaignDetail });
export const CampaignsResponse = z.object({ data: z.object({ items: z.array(CampaignSummary).describe('newest first') }) });
export const RecipientsQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).optional() }).strict();
export const SendResponse = z.object({ data: SendJob });
