import { z } from 'zod';
import { GATHERING_KINDS, INVITEE_STATES } from './gatherings.policy.js';

// The API of relationship events (客户活动, issue 21 §5): salons, investment report meetings and
// VIP gatherings, their invitees taken from a customer group up to capacity, the invitation (an
// SMS campaign or a call list for the owners), answers, attendance at the door, the follow-ups and
// the result 30 days on.

const Ref = z.object({ id: z.string(), name: z.string() });
const Person = z.object({ staffId: z.string(), name: z.string() });

export const Counts = z.object({
  invitees: z.number().int(),
  invited: z.number().int().describe('no answer yet'),
  accepted: z.number().int(),
  declined: z.number().int(),
  attended: z.number().int(),
  noShow: z.number().int(),
});

export const GatheringSummary = z.object({
  gatheringId: z.string(),
  kind: z.enum(GATHERING_KINDS),
  title: z.string(),
  startsAt: z.string().describe('date and time, ISO 8601 with the China offset (+08:00)'),
  eventDate: z.string().describe('the day of the event in China time, YYYY-MM-DD'),
  place: z.string(),
  branch: Ref.nullable().describe('the branch that holds it; null: bank-wide (the department)'),
  capacity: z.number().int(),
  group: Ref,
  takenOn: z.string().describe('the business date the invitees were taken from the group'),
  skipped: z.object({ belowVipAum: z.number().int(), overCapacity: z.number().int() }).describe('members of the group not invited, by reason'),
  status: z.enum(['planned', 'closed']),
  invitedBy: z.enum(['sms', 'call_list']).nullable().describe('how the invitation went out; null: not yet'),
  campaignId: z.string().nullable().describe('the SMS campaign of the invitation (approved and sent as any campaign)'),
  createdBy: Person,
  counts: Counts.describe('the invitees you see (a manager: their own customers)'),
  /** the signed-in user organises it: invite, answer and mark any invitee, close it */
  manageable: z.boolean(),
});
export type GatheringSummary = z.infer<typeof GatheringSummary>;

export const Invitee = z.object({
  customerId: z.string(),
  name: z.string(),
  phone: z.string().nullable().describe('masked (138****1234)'),
  aum: z.number().describe('AUM when invited (yuan)'),
  owner: Person.nullable().describe('the primary owner'),
  state: z.enum(INVITEE_STATES),
  attendedAt: z.string().nullable(),
});
export type Invitee = z.infer<typeof Invitee>;

const Arm = z.object({
  customers: z.number().int(),
  aumBefore: z.number().describe('their AUM on the event date, in total (yuan)'),
  aumAfter: z.number().describe('their AUM 30 days later, in total (yuan)'),
  meanAumChange: z.number().nullable().describe('mean AUM change per customer (yuan); null without customers'),
});

export const GatheringDetail = GatheringSummary.extend({
  invitees: z.array(Invitee).describe('highest AUM first; a manager sees their own customers only'),
  result: z.object({
    availableOn: z.string().describe('the date 30 days after the event: the result is given once that business date is loaded'),
    ready: z.boolean(),
    attendees: Arm.nullable(),
    notAttended: Arm.nullable().describe('the invited who did not attend (no answer, declined or no show)'),
  }),
});
export type GatheringDetail = z.infer<typeof GatheringDetail>;

export const GatheringBody = z
  .object({
    kind: z.enum(GATHERING_KINDS),
    title: z.string().min(1).max(80),
    startsAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'date_time_format').describe('China time, YYYY-MM-DDTHH:mm'),
    place: z.string().min(1).max(120),
    groupId: z.string().min(1).max(100),
    capacity: z.number().int().min(1).max(2000).optional().describe('default by kind: salon 15, report_meeting 100, vip_gathering 20'),
    branchId: z.string().min(1).max(40).optional().describe('the department only: a branch to hold it (default bank-wide); a branch head holds it for their own branch'),
  })
  .strict();

export const InvitationBody = z
  .object({
    channel: z.enum(['sms', 'call_list']).describe('sms: a campaign (a draft for approval) to the invitees; call_list: a task on each owner’s My day and the call list to download'),
    templateId: z.string().min(1).max(60).optional().describe('sms: an approved template you see'),
  })
  .strict();

export const AnswerBody = z.object({ state: z.enum(['invited', 'accepted', 'declined']).describe('invited: no answer yet (undo)') }).strict();

export const GatheringParams = z.object({ gatheringId: z.string().min(1).max(100) });
export const InviteeParams = GatheringParams.extend({ customerId: z.string().min(1).max(40) });
export const GatheringsQuery = z.object({ status: z.enum(['planned', 'closed']).optional() }).strict();
export const DoorQuery = z.object({ q: z.string().max(40).optional().describe('a name (or its beginning) or the last 4 digits of the phone') }).strict();

export const GatheringResponse = z.object({ data: GatheringDetail });
export const GatheringsResponse = z.object({ data: z.object({ items: z.array(GatheringSummary).describe('the latest date first') }) });
export const DoorResponse = z.object({
  data: z.object({
    gatheringId: z.string(),
    title: z.string(),
    status: z.enum(['planned', 'closed']),
    arrived: z.number().int(),
    expected: z.number().int().describe('invitees who did not decline'),
    hits: z.array(Invitee).describe('at most 20'),
  }),
});
export const InviteeResponse = z.object({ data: Invitee });
export const InvitationResponse = z.object({
  data: GatheringDetail.extend({
    tasks: z.number().int().describe('call list: tasks put on the owners’ My day by this request'),
  }),
});
