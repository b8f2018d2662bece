import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { OPPORTUNITY_STAGES } from '../opportunities/opportunities.contract.js';
import { LocalLabel } from '../tiering/tiering.contract.js';
import { StaffRef } from '../worklist/worklist.contract.js';

// The API of the branch and department dashboards (issue 20 §2), shared by the server (validation,
// OpenAPI) and the web app (types). A period runs from business date A (`from`, its end) to B
// (`to`): what happened after A up to B. Money is an exact decimal string in yuan; a rate is a
// fraction (0.5 is half), null when there is nothing to divide by.

const Id = z.string().min(1).max(40);
const Rate = z.number().nullable().describe('a fraction (0.5 is half); null when there is nothing to divide by');
const BranchRef = z.object({ id: z.string(), name: z.string() });

export const PeriodQuery = z.object({
  from: DateText.optional().describe('A, a loaded business date: the period starts after its end (default: the last loaded date of the month before `to`)'),
  to: DateText.optional().describe('B, a loaded business date: the period ends with it (default: the latest loaded date)'),
  branchId: Id.optional().describe('a branch of your scope: its whole subtree (default: all of your scope)'),
});
export type PeriodQuery = z.infer<typeof PeriodQuery>;

/** The period and how complete its figures are. */
const Period = z.object({
  from: DateText,
  to: DateText,
  /** the branch chosen (null: all of the scope; the department's whole bank) */
  branch: BranchRef.nullable(),
  /** loaded business dates after A up to B that the batch's dashboards step has not run for: their plans, events and churn are missing */
  missingDates: z.array(DateText),
  /** the latest business date the dashboards step ran for: plan execution and events are as it counted them */
  countedOn: DateText.nullable(),
  /** the loaded business dates to choose A and B from, newest first (the last 500) */
  dates: z.array(DateText),
});

const Churn = z.object({
  /** customers of the scope on A who on B left the feed, or had AUM 0 after AUM ≥ 1,000 on A */
  customers: z.number().int(),
  leftFeed: z.number().int(),
  zeroed: z.number().int(),
  /** their AUM on A */
  aumLost: Money,
});

const PlanFigures = z.object({ planned: z.number().int(), done: z.number().int(), rate: Rate });
const EventFigures = z.object({ raised: z.number().int(), handled: z.number().int(), open: z.number().int(), expired: z.number().int(), rate: Rate });
const FunnelFigures = z.object({
  created: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  wonAmount: Money,
  /** won ÷ (won + lost) of those closed in the period */
  conversion: Rate,
  /** open now */
  open: z.number().int(),
});
const ReferralFigures = z.object({
  sent: z.number().int(),
  /** not closed yet (open, accepted or contacted) */
  pending: z.number().int(),
  signed: z.number().int(),
  productSold: z.number().int(),
  declined: z.number().int(),
  /** (signed + product sold) ÷ those closed */
  conversion: Rate,
});

export const BranchDashboardResponse = z.object({
  data: Period.extend({
    /** the per-staff lists are given for a scope of up to 30 outlets; a wider one (the department's bank) is compared per branch */
    staffListed: z.boolean(),
    customers: z.object({ onA: z.number().int(), onB: z.number().int(), aumOnA: Money, aumOnB: Money }),
    churn: Churn,
    plans: PlanFigures.extend({ managers: z.array(PlanFigures.extend({ staff: StaffRef, branch: BranchRef })) }),
    funnel: FunnelFigures.extend({
      stages: z.array(z.object({ stage: z.enum(OPPORTUNITY_STAGES), count: z.number().int() })),
      owners: z.array(FunnelFigures.extend({ staff: StaffRef, branch: BranchRef })),
    }),
    referrals: ReferralFigures.extend({ referrers: z.array(ReferralFigures.extend({ staff: StaffRef, branch: BranchRef })) }),
    events: EventFigures.extend({
      kinds: z.object({ risk: EventFigures, opportunity: EventFigures }),
      staff: z.array(EventFigures.extend({ staff: StaffRef, branch: BranchRef })),
    }),
  }),
});

export const BandsQuery = z.object({
  to: DateText.optional().describe('the last month shown is the one of this loaded business date (default: the latest)'),
  branchId: Id.optional().describe('a branch of your scope: its whole subtree'),
  months: z.coerce.number().int().min(1).max(36).default(12).describe('how many months back, 1–36'),
});

export const BandsResponse = z.object({
  data: z.object({
    branch: BranchRef.nullable(),
    model: z.string(),
    bands: z.array(z.object({ band: z.string(), label: LocalLabel })),
    /** oldest first: each month's last business date the batch counted, with customers and AUM per band */
    months: z.array(z.object({ month: z.string().describe('YYYY-MM'), date: DateText, bands: z.array(z.object({ band: z.string(), customers: z.number().int(), aum: Money })) })),
  }),
});

export const RankingQuery = PeriodQuery.extend({
  branchId: Id.optional().describe('compare the branches directly under this one (default: under the bank, or your own branch)'),
});

const RankingFigures = z.object({
  customers: z.number().int(),
  customersOnA: z.number().int(),
  aum: Money,
  aumOnA: Money,
  churn: z.number().int(),
  aumLost: Money,
  planned: z.number().int(),
  done: z.number().int(),
  planRate: Rate,
  created: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  conversion: Rate,
  referrals: z.number().int(),
  referralsConverted: z.number().int(),
  eventsRaised: z.number().int(),
  eventsHandled: z.number().int(),
  eventsRate: Rate,
});

export const RankingResponse = z.object({
  data: Period.extend({
    /** the branches are those directly under this one */
    parent: BranchRef.extend({ level: z.string() }),
    rows: z.array(RankingFigures.extend({ branch: BranchRef.extend({ level: z.string() }), hasChildren: z.boolean() })),
    total: RankingFigures,
  }),
});

export const ITEM_MEASURES = ['churn', 'plans', 'events', 'referrals', 'opportunities'] as const;
export type ItemMeasure = (typeof ITEM_MEASURES)[number];
/** The states each measure's list may be narrowed to. */
export const ITEM_STATES = {
  churn: ['left', 'zeroed'],
  plans: ['done', 'not_done'],
  events: ['handled', 'open', 'expired'],
  referrals: ['pending', 'signed', 'product_sold', 'declined'],
  opportunities: ['created', 'won', 'lost', 'open', 'identified', 'contacted', 'needs_confirmed', 'proposed'],
} as const satisfies Record<ItemMeasure, readonly string[]>;
const ALL_STATES = [...new Set(Object.values(ITEM_STATES).flat())] as [string, ...string[]];

export const ItemsQuery = PeriodQuery.extend({
  measure: z.enum(ITEM_MEASURES).describe('which number: churn, plans (plan items), events (risk and opportunity reminders), referrals, opportunities'),
  status: z.enum(ALL_STATES).optional().describe(Object.entries(ITEM_STATES).map(([m, s]) => `${m}: ${s.join(', ')}`).join('; ')),
  staffId: Id.optional().describe('one staff member: the owner (churn, opportunities), the plan’s or reminder’s owner, the referrer'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ItemsQuery = z.infer<typeof ItemsQuery>;

export const ItemsResponse = z.object({
  data: z.object({
    measure: z.enum(ITEM_MEASURES),
    from: DateText,
    to: DateText,
    items: z.array(
      z.object({
        /** null: an opportunity of a prospect */
        customer: z.object({ customerId: z.string().nullable(), name: z.string() }),
        branch: BranchRef,
        /** the owner, the plan's or reminder's staff member, the referrer */
        staff: StaffRef.nullable(),
        /** churn: B; plans: the working day; events: raised; referrals: made; opportunities: created, or closed (won, lost) */
        date: DateText,
        /** churn: left, zeroed; plans: done, not_done; events: handled, open, expired; referrals: pending, signed, product_sold, declined; opportunities: the stage */
        status: z.string(),
        /** plans: the plan's reason; events: the event; referrals: the need; opportunities: the target (a product kind, a product code, vip_signing) */
        detail: z.string().nullable(),
        /** churn: AUM on A; opportunities: the expected amount */
        amount: Money.nullable(),
        /** churn: AUM on B (null: left the feed) */
        amountOnB: Money.nullable(),
      }),
    ),
    total: z.number().int(),
    /** more than 10,000: `total` is 10,000 (narrow by branch, staff member or state to count them all) */
    totalIsLowerBound: z.boolean(),
    page: z.number().int(),
    pageSize: z.number().int(),
  }),
});
