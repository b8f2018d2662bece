import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { ROLES } from '../access/access.permissions.js';

// The API of VIP signing with its voucher and of suitable products (issue 19 §2, §3), shared by
// the server (validation, OpenAPI) and the web app (types). Times are ISO 8601 in China time
// (+08:00); money an exact decimal string in yuan. Reasons and notes are checked in the service
// too (a clear error at the field, zh/en), so the schemas only bound their length.

const Id = z.string().min(1).max(40);
export const VIP_GRADES = ['gold', 'platinum', 'diamond'] as const;
export type VipGrade = (typeof VIP_GRADES)[number];
export const SIGNING_STATUSES = ['pending_approval', 'signed', 'rejected', 'cancelled'] as const;
export const APPROVER_ROLES = ['branch_head', 'pb_dept'] as const;
export const ChinaTime = z.string().describe('ISO 8601 in China time, e.g. 2026-12-05T10:31:00+08:00');

export const StaffRef = z.object({ staffId: z.string(), name: z.string(), role: z.enum(ROLES) });

// ---- VIP signing ---------------------------------------------------------------------------------

/** The signing voucher (签约凭证): its six fields, never edited; a cancelled signing keeps it, marked. */
export const Voucher = z.object({
  agreementNo: z.string().describe('unique, never reused: QY, the China-time day of signing, a sequence number'),
  customerId: z.string(),
  customerName: z.string(),
  qualifiedGrades: z.array(z.enum(VIP_GRADES)).describe('the grades the customer qualified for on the day (aum_avg_mtd against each standard)'),
  appliedGrade: z.enum(VIP_GRADES),
  signedAt: ChinaTime,
  cancelled: z.boolean(),
});
export type Voucher = z.infer<typeof Voucher>;

export const Signing = z.object({
  signingId: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  grade: z.enum(VIP_GRADES),
  status: z.enum(SIGNING_STATUSES),
  requestedBy: StaffRef,
  requestedAt: ChinaTime,
  /** what the request was judged on */
  factsDate: DateText.nullable(),
  aumAvgMtd: Money.nullable(),
  qualifiedAtRequest: z.array(z.enum(VIP_GRADES)),
  /** null: signed at once (the customer qualified) */
  approverRole: z.enum(APPROVER_ROLES).nullable(),
  /** the customer's outlet: a branch head above it approves gold and platinum */
  branch: z.object({ id: z.string(), name: z.string() }),
  decidedBy: StaffRef.nullable(),
  decidedAt: ChinaTime.nullable(),
  decisionReason: z.string().nullable(),
  cancelledBy: StaffRef.nullable(),
  cancelledAt: ChinaTime.nullable(),
  cancelReason: z.string().nullable(),
  cardIssuedBy: StaffRef.nullable(),
  cardIssuedAt: ChinaTime.nullable(),
  /** the card of this grade the feed (cards.csv) delivered, issued on or after the business date of the request */
  card: z.object({ cardId: z.string(), issuedOn: DateText, status: z.enum(['active', 'cancelled']) }).nullable(),
  voucher: Voucher.nullable(),
});
export type Signing = z.infer<typeof Signing>;

export const GradeStanding = z.object({
  grade: z.enum(VIP_GRADES),
  standard: Money,
  qualifies: z.boolean(),
  /** who must approve a signing of this grade now (null: signs at once) */
  approverRole: z.enum(APPROVER_ROLES).nullable(),
});

export const CustomerSignings = z.object({
  /** the latest business date with the customer's facts (null: the batch has not run for them) */
  asOf: DateText.nullable(),
  aumAvgMtd: Money.nullable(),
  grades: z.array(GradeStanding),
  /** the grades the customer qualifies for today */
  qualifies: z.array(z.enum(VIP_GRADES)),
  items: z.array(Signing),
});
export const CustomerSigningsResponse = z.object({ data: CustomerSignings });

export const SigningParams = z.object({ customerId: Id, signingId: z.string().min(1).max(60) });
export const SignBody = z.object({ grade: z.enum(VIP_GRADES) });
export const SignResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed'), signing: Signing, voucher: Voucher }),
  z.object({ status: z.literal('pending_approval'), signing: Signing, approverRole: z.enum(APPROVER_ROLES) }),
]);
export const SignResponse = z.object({ data: SignResult });
export const SigningResponse = z.object({ data: Signing });

export const DecisionBody = z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().max(500).optional() });
export const CancelBody = z.object({ reason: z.string().max(500) });
export const CardIssuedBody = z.object({ note: z.string().max(200).optional() });

export const ApprovalsQuery = z.object({
  status: z.enum(['pending', 'decided']).default('pending'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const MySigningsQuery = z.object({
  status: z.enum(SIGNING_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const SigningListResponse = z.object({ data: z.object({ items: z.array(Signing), total: z.number().int() }) });

// ---- suitable products ----------------------------------------------------------------------------

export const SUITABILITY_RULES = ['within_level', 'senior_confirmation', 'above_level', 'not_assessed', 'assessment_expired'] as const;
export const ASSESSMENTS = ['valid', 'missing', 'expired'] as const;

export const ProductCheck = z.object({
  productCode: z.string(),
  name: z.string(),
  kind: z.string(),
  riskLevel: z.string(),
  minAmount: Money,
  suitable: z.boolean(),
  /** suits only with a second staff member's confirmation (65 and over, R4/R5) */
  needsConfirmation: z.boolean(),
  rule: z.enum(SUITABILITY_RULES),
  /** why, in the request's language: the product's risk, the customer's level (or its absence) and the rule */
  reason: z.string(),
});
export type ProductCheck = z.infer<typeof ProductCheck>;

export const Recommendation = z.object({
  recommendationId: z.string(),
  customerId: z.string(),
  productCode: z.string(),
  productName: z.string().nullable(),
  kind: z.enum(['recommendation', 'proposal']),
  staff: StaffRef,
  confirmedBy: StaffRef.nullable(),
  businessDate: DateText,
  productRisk: z.string(),
  customerLevel: z.string().nullable(),
  assessment: z.enum(ASSESSMENTS),
  note: z.string().nullable(),
  createdAt: ChinaTime,
});
export type Recommendation = z.infer<typeof Recommendation>;

export const CustomerSuitability = z.object({
  /** the day of the check: the latest loaded business date */
  asOf: DateText,
  riskLevel: z.enum(['C1', 'C2', 'C3', 'C4', 'C5']).nullable(),
  assessedOn: DateText.nullable(),
  assessment: z.enum(ASSESSMENTS),
  /** the first day the assessment no longer held (expired only) */
  expiredSince: DateText.nullable(),
  age: z.number().int().nullable(),
  /** what the assessment allows, when it is missing or expired */
  notice: z.string().nullable(),
  suitable: z.array(ProductCheck),
  unsuitable: z.array(ProductCheck),
  /** colleagues who may confirm an R4/R5 product for a customer of 65 or over (they serve this customer) */
  confirmers: z.array(StaffRef),
  recent: z.array(Recommendation),
});
export type CustomerSuitability = z.infer<typeof CustomerSuitability>;
export const CustomerSuitabilityResponse = z.object({ data: CustomerSuitability });

export const RecommendBody = z.object({
  productCode: Id,
  kind: z.enum(['recommendation', 'proposal']).default('recommendation'),
  /** another staff member who serves the customer: required for R4/R5 to a customer of 65 or over */
  confirmedBy: Id.optional(),
  note: z.string().max(500).optional(),
});
export const RecommendationResponse = z.object({ data: Recommendation });
