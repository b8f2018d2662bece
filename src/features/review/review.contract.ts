import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { StaffRef } from '../worklist/worklist.contract.js';

// The API of the branch head's monthly review (管户效果评估, issue 20 §3): the spot check of
// familiar customers (熟户抽查), customers' feedback (客户反馈) and the coaching log (绩效沟通辅导).
// Shared by the server (validation, OpenAPI) and the web app (types). Dates are 'YYYY-MM-DD',
// months 'YYYY-MM'. Free text is checked in the service too (a clear error at the field, in the
// user's language); the schemas only bound its length.

const Id = z.string().min(1).max(40);
/** A month: YYYY-MM. */
export const MonthText = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month_format').describe('YYYY-MM');

/** The roles whose familiarity is spot-checked and who are coached: the customer managers and their supervisors. */
export const REVIEWED_ROLES = ['customer_manager', 'cm_supervisor'] as const;
/** How many customers per manager a spot check draws when the request does not say (STRATUM_SPOT_CHECK_SIZE overrides it). */
export const SPOT_CHECK_DEFAULT_SIZE = 5;
export const SPOT_CHECK_MAX_SIZE = 20;
export const SPOT_RESULTS = ['familiar', 'not_familiar'] as const;
export type SpotResult = (typeof SPOT_RESULTS)[number];
export const SPOT_BASES = ['primary', 'co', 'claim'] as const;
export const FEEDBACK_KINDS = ['volunteered_private_info', 'asked_for_help', 'contacted_on_own', 'referred_someone'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

const Branch = z.object({ id: z.string(), name: z.string() });
const Note = z.string().max(500);
const LongText = z.string().max(2000);

// ---- the spot check (熟户抽查) ------------------------------------------------------------------

/** One manager's figures in a spot check: share = familiar ÷ checked (null until one is checked). */
export const SpotManager = z.object({
  staff: StaffRef,
  branch: Branch,
  sampled: z.number().int(),
  checked: z.number().int(),
  familiar: z.number().int(),
  notFamiliar: z.number().int(),
  share: z.number().nullable().describe('familiar ÷ checked, 0 to 1; null while none is checked'),
});
export const SpotCheck = z.object({
  reviewId: z.string().describe('also the seed of the sample: the same review always has the same customers'),
  month: MonthText,
  branch: Branch.describe('the branch whose subtree the sample covers'),
  reviewer: StaffRef,
  sampleSize: z.number().int(),
  businessDate: DateText.describe('the latest loaded business date when the sample was drawn'),
  drawnAt: z.string(),
  managers: z.array(SpotManager),
  totals: z.object({ sampled: z.number().int(), checked: z.number().int(), familiar: z.number().int(), notFamiliar: z.number().int(), share: z.number().nullable() }),
});
export type SpotCheck = z.infer<typeof SpotCheck>;

export const SpotItem = z.object({
  customer: z.object({
    customerId: z.string(),
    name: z.string(),
    branch: Branch,
    /** false: outside your scope now (moved away): number and masked name only */
    visible: z.boolean(),
    aum: Money.nullable(),
    aumBand: z.string().nullable(),
  }),
  staff: StaffRef,
  position: z.number().int(),
  basis: z.enum(SPOT_BASES).describe("why the customer was in the manager's pool: primary or co-owner, or a claim (熟户认养)"),
  result: z.enum(SPOT_RESULTS).nullable(),
  note: z.string().nullable(),
  checkedBy: StaffRef.nullable(),
  checkedAt: z.string().nullable(),
  /** how the manager owns the customer now (null: no longer an owner: recalled or re-assigned) */
  ownerNow: z.enum(['primary', 'co']).nullable(),
  /**
   * "not familiar" and the manager is still the primary owner: recall is offered (POST
   * /api/ownership/recall, the re-allocation workbench's recall, with a reason)
   */
  recallOffered: z.boolean(),
});
export type SpotItem = z.infer<typeof SpotItem>;

export const SpotChecksQuery = z.object({
  month: MonthText.optional().describe("default: the month of the latest loaded business date"),
  branchId: Id.optional().describe('only spot checks of this branch and the branches under it'),
});
export const SpotChecksResponse = z.object({ data: z.object({ month: MonthText, items: z.array(SpotCheck) }) });

export const DrawSpotCheckBody = z.object({
  month: MonthText.optional().describe('default: the month of the latest loaded business date; not a month still ahead'),
  branchId: Id.optional().describe('a branch of your subtree (default: your own branch)'),
  n: z.number().int().min(1).max(SPOT_CHECK_MAX_SIZE).optional().describe(`customers per manager (default ${SPOT_CHECK_DEFAULT_SIZE}, the setting STRATUM_SPOT_CHECK_SIZE)`),
});
export const SpotCheckParams = z.object({ reviewId: Id });
export const SpotCheckQuery = z.object({ staffId: Id.optional().describe("only this manager's sampled customers") });
export const SpotCheckResponse = z.object({ data: SpotCheck.extend({ items: z.array(SpotItem) }) });

export const SpotResultBody = z.object({
  customerId: Id,
  staffId: Id.describe('the manager the customer was sampled for'),
  result: z.enum(SPOT_RESULTS),
  note: Note.optional(),
});
export const SpotResultResponse = z.object({ data: SpotItem });

// ---- customers' feedback (客户反馈) --------------------------------------------------------------

export const Feedback = z.object({
  feedbackId: z.string(),
  kind: z.enum(FEEDBACK_KINDS),
  on: DateText,
  note: z.string().nullable(),
  /** the customer's primary owner when it was recorded: whose count it adds to */
  owner: StaffRef.nullable(),
  recordedBy: StaffRef,
  recordedAt: z.string(),
});
export type Feedback = z.infer<typeof Feedback>;
export const FeedbackBody = z.object({
  kind: z.enum(FEEDBACK_KINDS),
  on: DateText.optional().describe('when it happened (default today, China time); not in the future'),
  note: Note.optional(),
});
export const FeedbackResponse = z.object({ data: Feedback });
export const CustomerFeedbackResponse = z.object({ data: z.object({ items: z.array(Feedback) }) });

export const FeedbackCountsQuery = z.object({
  from: DateText.optional().describe('default: the first day of the month of the latest loaded business date'),
  to: DateText.optional().describe('default: that month’s last day'),
  branchId: Id.optional(),
});
const KindCounts = z.object({
  volunteered_private_info: z.number().int(),
  asked_for_help: z.number().int(),
  contacted_on_own: z.number().int(),
  referred_someone: z.number().int(),
} satisfies Record<FeedbackKind, z.ZodNumber>);
export const FeedbackManager = z.object({ staff: StaffRef, branch: Branch, total: z.number().int(), kinds: KindCounts });
export const FeedbackCountsResponse = z.object({
  data: z.object({ from: DateText, to: DateText, managers: z.array(FeedbackManager), totals: z.object({ total: z.number().int(), kinds: KindCounts }) }),
});

// ---- the coaching log (绩效沟通辅导) --------------------------------------------------------------

export const Coaching = z.object({
  coachingId: z.string(),
  staff: StaffRef.describe('the manager coached'),
  branch: Branch,
  author: StaffRef,
  coachedOn: DateText,
  findings: z.string(),
  actions: z.string().describe('the actions agreed'),
  followUpOn: DateText.nullable(),
  followedUpAt: z.string().nullable(),
  followedUpBy: StaffRef.nullable(),
  followUpNote: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Coaching = z.infer<typeof Coaching>;
export const CoachingParams = z.object({ coachingId: Id });
export const CoachingQuery = z.object({
  staffId: Id.optional().describe("one manager's records"),
  branchId: Id.optional(),
  from: DateText.optional().describe('coached on or after'),
  to: DateText.optional().describe('coached on or before'),
});
export const CoachingManager = z.object({
  staff: StaffRef,
  branch: Branch,
  records: z.number().int(),
  lastCoachedOn: DateText.nullable(),
  nextFollowUpOn: DateText.nullable().describe('the earliest follow-up not yet recorded'),
});
export const CoachingListResponse = z.object({ data: z.object({ managers: z.array(CoachingManager), items: z.array(Coaching) }) });
export const MyCoachingResponse = z.object({ data: z.object({ items: z.array(Coaching) }) });
export const CoachingResponse = z.object({ data: Coaching });
export const CoachingBody = z.object({
  staffId: Id.describe('a customer manager or supervisor of your subtree'),
  coachedOn: DateText.describe('not in the future'),
  findings: LongText,
  actions: LongText,
  followUpOn: DateText.nullable().optional().describe("after coachedOn; becomes a work task on your My day on that date"),
});
export const UpdateCoachingBody = z.object({
  findings: LongText.optional(),
  actions: LongText.optional(),
  followUpOn: DateText.nullable().optional().describe('moves the reminder; null removes it'),
});
export const FollowUpBody = z.object({ note: Note.describe('what the follow-up found') });
