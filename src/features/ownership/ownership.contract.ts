import { z } from 'zod';
import { ROLES } from '../access/access.permissions.js';

// The API of ownership, claims and referrals, shared by the server (validation, OpenAPI) and the
// web app (types). Reasons are checked in the service (a clear error naming the field in both
// languages), so the schemas only bound their length.

const Money = z.string().describe('yuan, as an exact decimal string');
const Id = z.string().min(1).max(40);
const Reason = z.string().max(500);
const CustomerIds = z.array(Id).min(1).max(1000);
const Page = { page: z.coerce.number().int().min(1).max(10_000).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(100) };

export const MANAGER_FACTS = ['knows_occupation', 'knows_family_finances', 'knows_preferences', 'monthly_contact', 'knows_asset_changes'] as const;
export const CUSTOMER_FACTS = ['product_kinds_3', 'wealth_purchases_3', 'books_appointments', 'purchase_over_1m', 'buys_monthly'] as const;
export const REFERRAL_NEEDS = ['wealth', 'deposit', 'fund', 'insurance', 'loan', 'vip_card', 'other'] as const;
export const REFERRAL_OUTCOMES = ['signed', 'product_sold', 'declined'] as const;
export const REFERRAL_STATUSES = ['open', 'accepted', 'contacted', 'closed'] as const;
export const CONTACT_CHANNELS = ['phone', 'visit', 'branch', 'sms', 'wechat', 'other'] as const;

export const StaffRef = z.object({ staffId: z.string(), name: z.string(), role: z.enum(ROLES) });

export const Owner = StaffRef.extend({ kind: z.enum(['primary', 'co']), since: z.string(), source: z.string(), reason: z.string().nullable() });

const CustomerRef = z.object({
  customerId: z.string(),
  name: z.string(),
  branch: z.object({ id: z.string(), name: z.string() }),
  aum: Money,
  aumBand: z.string().nullable(),
  vipCard: z.string().nullable(),
});

/** A customer named by a claim or a referral: outside the reader's scope, number and masked name only. */
const OutletCustomerRef = CustomerRef.extend({
  visible: z.boolean().describe("false: outside your scope (the customer's page answers 404): no AUM, band or card, the name masked"),
  aum: Money.nullable(),
});

export const Proposal = z.object({
  customer: CustomerRef,
  businessDate: z.string(),
  band: z.string(),
  cause: z.enum(['unassigned', 'role_mismatch', 'tier_changed', 'household']),
  priority: z.number().int(),
  proposed: StaffRef,
  coOwners: z.array(StaffRef),
  current: StaffRef.nullable(),
});

export const CustomerOwnership = z.object({ owners: z.array(Owner), proposal: Proposal.nullable() });
export const CustomerOwnershipResponse = z.object({ data: CustomerOwnership });

export const ScopeQuery = z.object({ branchId: z.string().max(40).optional(), ...Page });
export const PoolQuery = ScopeQuery.extend({ band: z.string().regex(/^[a-z][a-z0-9_]*$/).max(40).optional() });

export const PoolResponse = z.object({ data: z.object({ items: z.array(CustomerRef), total: z.number().int() }) });
export const ProposalsResponse = z.object({ data: z.object({ items: z.array(Proposal), total: z.number().int() }) });
export const StaffLoad = StaffRef.extend({ branch: z.object({ id: z.string(), name: z.string() }), primaryCustomers: z.number().int(), coCustomers: z.number().int() });
export const StaffResponse = z.object({ data: z.object({ items: z.array(StaffLoad) }) });

export const AssignBody = z.object({ customerIds: CustomerIds, staffId: Id, reason: Reason });
export const RecallBody = z.object({ customerIds: CustomerIds, reason: Reason });
export const DecideProposalsBody = z.object({
  decisions: z
    .array(z.object({ customerId: Id, decision: z.enum(['accept', 'reject']), staffId: Id.optional().describe('accept with another staff member of the same role (edit)') }))
    .min(1)
    .max(1000),
  reason: Reason.optional(),
});
export const ChangeResponse = z.object({ data: z.object({ changed: z.number().int(), customerIds: z.array(z.string()) }) });

export const ReallocationItem = z.object({
  customer: CustomerRef,
  owner: StaffRef,
  ownedSince: z.string(),
  lastContact: z.string().nullable(),
  frequencyDays: z.number().int(),
  daysWithoutContact: z.number().int().nullable(),
});
export const ReallocationResponse = z.object({ data: z.object({ asOf: z.string().nullable(), items: z.array(ReallocationItem) }) });

// claims (熟户认养)
export const ClaimBody = z.object({
  managerFacts: z.array(z.enum(MANAGER_FACTS)).max(MANAGER_FACTS.length),
  /** the feed has no appointments: the manager says so, and the branch head sees it as declared */
  booksAppointments: z.boolean().default(false),
  note: z.string().max(500).optional(),
});
export const CustomerFactState = z.enum(['met', 'not_met', 'declared']);
export const Claim = z.object({
  claimId: z.string(),
  customer: OutletCustomerRef,
  claimant: StaffRef,
  managerFacts: z.array(z.enum(MANAGER_FACTS)),
  // every customer-side fact by name (an object, so that the OpenAPI document defines each key it requires)
  customerFacts: z.object({
    product_kinds_3: CustomerFactState,
    wealth_purchases_3: CustomerFactState,
    books_appointments: CustomerFactState,
    purchase_over_1m: CustomerFactState,
    buys_monthly: CustomerFactState,
  } satisfies Record<(typeof CUSTOMER_FACTS)[number], typeof CustomerFactState>),
  note: z.string().nullable(),
  status: z.enum(['pending', 'approved', 'refused']),
  createdAt: z.string(),
  decisionNote: z.string().nullable(),
});
export const ClaimResponse = z.object({ data: z.object({ claimId: z.string(), status: z.literal('pending'), customerFactsMet: z.number().int() }) });
export const ClaimsQuery = z.object({ status: z.enum(['pending', 'approved', 'refused']).default('pending'), branchId: z.string().max(40).optional() });
export const ClaimsResponse = z.object({ data: z.object({ items: z.array(Claim) }) });
export const DecideClaimBody = z.object({ customerId: Id, claimId: Id, decision: z.enum(['approve', 'refuse']), note: Reason.optional() });

// referrals (转介)
export const ReferralBody = z.object({
  toStaffId: Id.nullable().default(null).describe("a manager of your outlet; null: the outlet's pool"),
  reason: Reason,
  need: z.enum(REFERRAL_NEEDS),
});
export const Referral = z.object({
  referralId: z.string(),
  customer: OutletCustomerRef.pick({ customerId: true, name: true, branch: true, visible: true }),
  referrer: StaffRef,
  to: StaffRef.nullable(),
  acceptedBy: StaffRef.nullable(),
  reason: z.string(),
  need: z.enum(REFERRAL_NEEDS),
  status: z.enum(REFERRAL_STATUSES),
  outcome: z.enum(REFERRAL_OUTCOMES).nullable(),
  createdAt: z.string(),
  acceptedAt: z.string().nullable(),
  contactedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});
export const ReferralCreated = z.object({ data: Referral });
export const ReferralsQuery = z.object({ view: z.enum(['mine', 'outlet']).default('mine'), status: z.enum(REFERRAL_STATUSES).optional() });
export const ReferralsResponse = z.object({ data: z.object({ items: z.array(Referral) }) });
export const ReferralProgressBody = z.object({
  customerId: Id,
  referralId: Id,
  step: z.enum(['accept', 'contact', 'outcome']),
  channel: z.enum(CONTACT_CHANNELS).optional().describe('for step contact'),
  outcome: z.enum(REFERRAL_OUTCOMES).optional().describe('for step outcome'),
  note: z.string().max(500).optional(),
});
export const ReferralCountsResponse = z.object({
  data: z.object({
    items: z.array(
      StaffRef.extend({ referred: z.number().int(), accepted: z.number().int(), contacted: z.number().int(), signed: z.number().int(), productSold: z.number().int(), declined: z.number().int() }),
    ),
  }),
});
