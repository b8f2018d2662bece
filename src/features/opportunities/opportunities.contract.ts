import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { StaffRef, WORKLOG_CHANNELS, CONTACT_OUTCOMES } from '../worklist/worklist.contract.js';

// The API of opportunities (商机), the weekly review and prospects (递进沟通表) — issue 19 §1 and §4.
// Shared by the server (validation, OpenAPI) and the web app (types). Money is an exact decimal
// string in yuan; dates are 'YYYY-MM-DD'. Free text is checked in the service too (a clear error
// at the field, in the user's language).

const Id = z.string().min(1).max(40);

/** POLICIES.md "Opportunities": the stages in order, then won or lost. */
export const OPPORTUNITY_STAGES = ['identified', 'contacted', 'needs_confirmed', 'proposed', 'won', 'lost'] as const;
export type OpportunityStage = (typeof OPPORTUNITY_STAGES)[number];
export const OPEN_STAGES = ['identified', 'contacted', 'needs_confirmed', 'proposed'] as const;
export const OPPORTUNITY_SOURCES = ['event', 'contact', 'referral', 'walk_in', 'campaign'] as const;
export type OpportunitySource = (typeof OPPORTUNITY_SOURCES)[number];
export const TARGET_TYPES = ['product_kind', 'product', 'vip_signing'] as const;
/** the product kinds of products.csv */
export const PRODUCT_KINDS = ['current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan'] as const;
export const PROSPECT_SOURCES = ['walk_in', 'referral', 'campaign', 'other'] as const;
export const PROSPECT_STATUSES = ['open', 'converted', 'closed'] as const;
export const STALE_REASONS = ['next_step_overdue', 'stage_too_long'] as const;

/** An amount of yuan that is not negative, up to the fen. */
const Amount = z.string().regex(/^\d{1,16}(\.\d{1,2})?$/).describe('yuan, an exact decimal string, not negative');

/** What the opportunity is for: a product kind, a named product of products.csv, or VIP signing. */
export const TargetBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('product_kind'), code: z.enum(PRODUCT_KINDS) }),
  z.object({ type: z.literal('product'), code: Id.describe('a product code of products.csv') }),
  z.object({ type: z.literal('vip_signing') }),
]);
export type TargetBody = z.infer<typeof TargetBody>;
export const Target = z.object({
  type: z.enum(TARGET_TYPES),
  code: z.string().nullable(),
  /** in the request's language: 理财 / 稳盈 90 天 (WM1) / 贵宾客户签约 */
  label: z.string(),
});

export const LatestComment = z.object({ body: z.string(), author: StaffRef, reviewDate: DateText, createdAt: z.string() });

export const Opportunity = z.object({
  opportunityId: z.string(),
  /** the customer (null for a prospect's) */
  customer: z.object({ customerId: z.string(), name: z.string() }).nullable(),
  /** the prospect it is for, or began with (a prospect that became the customer) */
  prospect: z.object({ prospectId: z.string(), name: z.string() }).nullable(),
  target: Target,
  source: z.enum(OPPORTUNITY_SOURCES),
  sourceRef: z.string().nullable().describe('the reminder (event/occurrence), contact, referral or campaign it came from'),
  stage: z.enum(OPPORTUNITY_STAGES),
  stageSince: DateText,
  daysInStage: z.number().int(),
  status: z.enum(['open', 'won', 'lost']),
  expectedAmount: Money.nullable(),
  nextStep: z.string().nullable(),
  nextStepOn: DateText.nullable(),
  notes: z.string().nullable(),
  lostReason: z.string().nullable(),
  owner: StaffRef,
  /** POLICIES: the next step's date passed by more than 7 days, or more than 30 days in one stage */
  stale: z.boolean(),
  staleReasons: z.array(z.enum(STALE_REASONS)),
  /** open, and its next step is due (on or before today) */
  due: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  commentCount: z.number().int(),
  latestComment: LatestComment.nullable(),
});
export type Opportunity = z.infer<typeof Opportunity>;

export const StageChange = z.object({
  from: z.enum(OPPORTUNITY_STAGES).nullable(),
  to: z.enum(OPPORTUNITY_STAGES),
  by: StaffRef,
  at: z.string(),
  reason: z.string().nullable(),
});
export const ReviewComment = z.object({ reviewDate: DateText, author: StaffRef, body: z.string(), createdAt: z.string() });
export const OpportunityDetail = Opportunity.extend({ stages: z.array(StageChange), comments: z.array(ReviewComment) });
export type OpportunityDetail = z.infer<typeof OpportunityDetail>;
export const OpportunityResponse = z.object({ data: OpportunityDetail });

export const OpportunityParams = z.object({ opportunityId: Id });

export const CreateOpportunityBody = z.object({
  customerId: Id.optional().describe('the customer (or prospectId, or a reminder)'),
  prospectId: Id.optional().describe('a prospect of yours'),
  reminder: z
    .string()
    .min(3)
    .max(261)
    .optional()
    .describe("one of your reminders about customerId, as event/occurrence (vip_card_due/platinum:2026-11-20): the source 'event', a suggested target, amount and next step; the reminder is closed"),
  contactId: Id.optional().describe("a work-log contact with the customer (or a prospect's contact): source 'contact'"),
  referralId: Id.optional().describe("a referral of the customer: source 'referral'"),
  campaign: z.string().max(100).optional().describe("the campaign's name: source 'campaign'"),
  source: z.enum(OPPORTUNITY_SOURCES).optional().describe('required unless a reminder, contact or referral gives it'),
  target: TargetBody.optional().describe('required unless a reminder suggests it'),
  expectedAmount: Amount.optional(),
  nextStep: z.string().max(200).optional().describe('required (a reminder suggests one)'),
  nextStepOn: DateText.optional().describe('required (a reminder suggests one): from today, within a year'),
  notes: z.string().max(2000).optional(),
});
export type CreateOpportunityBody = z.infer<typeof CreateOpportunityBody>;

export const UpdateOpportunityBody = z.object({
  target: TargetBody.optional(),
  expectedAmount: Amount.nullable().optional(),
  nextStep: z.string().max(200).optional(),
  nextStepOn: DateText.optional(),
  notes: z.string().max(2000).nullable().optional(),
  ownerId: Id.optional().describe('a reviewer: hand it to another staff member of the branch'),
});
export type UpdateOpportunityBody = z.infer<typeof UpdateOpportunityBody>;

export const StageBody = z.object({
  stage: z.enum(OPPORTUNITY_STAGES).describe('a later stage (stages only move forward), won, or lost'),
  lostReason: z.string().max(200).optional().describe('required for lost (2–200 characters)'),
  nextStep: z.string().max(200).optional().describe('the next step after this stage (an open stage keeps the current one when absent)'),
  nextStepOn: DateText.optional(),
});
export type StageBody = z.infer<typeof StageBody>;

const Bool = z.enum(['true', 'false']);
export const OpportunitiesQuery = z.object({
  view: z.enum(['mine', 'scope']).default('mine').describe('mine: the ones you own; scope: every one you may see (reviewers)'),
  staffId: Id.optional().describe("a reviewer: one owner's"),
  customerId: Id.optional(),
  prospectId: Id.optional(),
  stage: z.enum(OPPORTUNITY_STAGES).optional(),
  status: z.enum(['open', 'won', 'lost', 'closed', 'all']).default('open'),
  stale: Bool.optional().describe('true: only stale ones'),
  due: Bool.optional().describe('true: only open ones whose next step is due'),
  sort: z.enum(['next_step_on', 'expected_amount', 'created_at', 'stage_since']).default('next_step_on'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type OpportunitiesQuery = z.infer<typeof OpportunitiesQuery>;
export const OpportunityListResponse = z.object({
  data: z.object({ asOf: DateText, items: z.array(Opportunity), total: z.number().int(), totalAmount: Money }),
});

export const BoardQuery = z.object({ staffId: Id.optional().describe("a reviewer: another owner's board") });
export const BoardColumn = z.object({
  stage: z.enum(OPPORTUNITY_STAGES),
  total: z.number().int(),
  amount: Money,
  /** the first 50: open ones by next step, closed ones (in the last 30 days) newest first */
  items: z.array(Opportunity),
});
export const BoardResponse = z.object({
  data: z.object({ asOf: DateText, owner: StaffRef, columns: z.array(BoardColumn), stale: z.number().int(), due: z.number().int() }),
});

export const CustomerOpportunitiesResponse = z.object({ data: z.object({ asOf: DateText, items: z.array(Opportunity) }) });

// the weekly review
export const ReviewQuery = z.object({
  date: DateText.optional().describe('the review date: the 7 days up to it (default today)'),
  branchId: Id.optional().describe('one branch of your scope (and its subtree)'),
  staffId: Id.optional().describe("one manager's opportunities of the week"),
  flag: z.enum(['created', 'moved', 'won', 'lost', 'stale']).optional().describe('only the week\'s opportunities with this flag'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const ManagerWeek = z.object({
  staff: StaffRef,
  branch: z.object({ id: z.string(), name: z.string() }),
  created: z.number().int(),
  moved: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  stale: z.number().int(),
  open: z.number().int(),
  wonAmount: Money,
});
export type ManagerWeek = z.infer<typeof ManagerWeek>;
export const WEEK_FLAGS = ['created', 'moved', 'won', 'lost', 'stale'] as const;
export const ReviewItem = Opportunity.extend({
  /** what it did in the week */
  flags: z.array(z.enum(WEEK_FLAGS)),
  /** this review's comment on it (the saved review of this reviewer and date) */
  comment: z.string().nullable(),
});
export const OutletWeek = ManagerWeek.omit({ staff: true });
export type OutletWeek = z.infer<typeof OutletWeek>;
export const Review = z.object({
  date: DateText,
  from: DateText,
  to: DateText,
  /** manager: per manager, with the week's opportunities; outlet: per outlet of a wide scope (the department's bank), none listed until one is chosen (branchId) */
  groupedBy: z.enum(['manager', 'outlet']),
  /** per outlet (groupedBy outlet): the stalest first */
  outlets: z.array(OutletWeek),
  managers: z.array(ManagerWeek),
  /** a page of the week's opportunities (narrowed to a manager and a flag, if asked) */
  items: z.array(ReviewItem),
  /** how many of the week's opportunities there are (narrowed likewise), of which `items` is page `page` */
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  saved: z.object({ reviewId: z.string(), savedAt: z.string(), reviewer: StaffRef }).nullable(),
});
export const ReviewResponse = z.object({ data: Review });
export const SaveReviewBody = z.object({
  date: DateText,
  branchId: Id.optional(),
  comments: z
    .array(z.object({ opportunityId: Id, body: z.string().max(1000).describe('empty: no comment (removes one saved before)') }))
    .max(500)
    .default([]),
});
export type SaveReviewBody = z.infer<typeof SaveReviewBody>;
export const ReviewsQuery = z.object({ from: DateText.optional(), to: DateText.optional() });
export const ReviewsResponse = z.object({
  data: z.object({
    items: z.array(z.object({ reviewId: z.string(), date: DateText, reviewer: StaffRef, branchId: z.string().nullable(), savedAt: z.string(), comments: z.number().int() })),
  }),
});

// prospects
export const Prospect = z.object({
  prospectId: z.string(),
  name: z.string(),
  /** masked (138****5678); in full only through POST /api/prospects/{id}/reveal */
  phone: z.string().nullable(),
  idNumber: z.string().nullable(),
  source: z.enum(PROSPECT_SOURCES),
  notes: z.string().nullable(),
  owner: StaffRef,
  branch: z.object({ id: z.string(), name: z.string() }),
  status: z.enum(PROSPECT_STATUSES),
  convertedCustomerId: z.string().nullable(),
  convertedOn: DateText.nullable(),
  createdAt: z.string(),
  contacts: z.number().int(),
  lastContactAt: z.string().nullable(),
  nextContactOn: DateText.nullable(),
  openOpportunities: z.number().int(),
});
export type Prospect = z.infer<typeof Prospect>;
export const ProspectContact = z.object({
  contactId: z.string(),
  staff: StaffRef,
  contactedAt: z.string(),
  channel: z.string(),
  outcome: z.string().nullable(),
  notes: z.string().nullable(),
  nextContactOn: DateText.nullable(),
});
export const ProspectDetail = Prospect.extend({ contactLog: z.array(ProspectContact), opportunities: z.array(Opportunity) });
export const ProspectResponse = z.object({ data: ProspectDetail });
export const ProspectParams = z.object({ prospectId: Id });
export const ProspectsQuery = z.object({
  status: z.enum([...PROSPECT_STATUSES, 'all']).default('open'),
  staffId: Id.optional().describe("a reviewer: one owner's"),
  q: z.string().max(40).optional().describe('a name, or the last four digits of the phone'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const ProspectListResponse = z.object({ data: z.object({ items: z.array(Prospect), total: z.number().int() }) });
export const CreateProspectBody = z.object({
  name: z.string().max(40),
  phone: z.string().max(20).optional().describe('a mainland mobile number (a phone or an ID number is required)'),
  idNumber: z.string().max(18).optional().describe('an 18-character resident ID number'),
  source: z.enum(PROSPECT_SOURCES),
  notes: z.string().max(2000).optional(),
});
export type CreateProspectBody = z.infer<typeof CreateProspectBody>;
export const UpdateProspectBody = z.object({
  name: z.string().max(40).optional(),
  phone: z.string().max(20).nullable().optional(),
  idNumber: z.string().max(18).nullable().optional(),
  source: z.enum(PROSPECT_SOURCES).optional(),
  notes: z.string().max(2000).nullable().optional(),
  status: z.enum(['open', 'closed']).optional().describe('closed: no longer pursued'),
});
export type UpdateProspectBody = z.infer<typeof UpdateProspectBody>;
export const ProspectContactBody = z.object({
  channel: z.enum(WORKLOG_CHANNELS),
  outcome: z.enum(CONTACT_OUTCOMES),
  notes: z.string().max(2000).optional(),
  contactedAt: z.string().datetime({ offset: true }).optional().describe('now when absent (not in the future)'),
  nextContactOn: DateText.optional(),
});
export type ProspectContactBody = z.infer<typeof ProspectContactBody>;
export const ProspectContactResponse = z.object({ data: ProspectContact });
