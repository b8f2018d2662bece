import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';

// The API of the customer list and the customer 360 page, shared by the server (validation,
// OpenAPI) and the web app (types). Money is a decimal string in yuan ("523000.00"): exact,
// never a floating-point number; the web app shows it in 万.

const NonNegMoneyParam = z.coerce.number().min(0).max(1e13);

export const CUSTOMER_SORTS = ['aum_desc', 'aum_asc', 'name', 'opened_desc', 'opened_asc', 'customer_id'] as const;
export const CARD_GRADES = ['ordinary', 'gold', 'platinum', 'diamond'] as const;
/** VIP cards (seed 003): gold, platinum and diamond */
export const VIP_GRADES = ['gold', 'platinum', 'diamond'] as const;

export const CustomerListQuery = z
  .object({
    q: z.string().trim().max(40).optional().describe('name (or its beginning), customer number, or the last 4 digits of the phone'),
    branchId: z.string().max(40).optional().describe('an outlet, or a branch: its whole subtree'),
    aumMin: NonNegMoneyParam.optional().describe('yuan, inclusive'),
    aumMax: NonNegMoneyParam.optional().describe('yuan, exclusive'),
    vipCard: z.enum(['true', 'false']).optional().describe('true: holds an active gold, platinum or diamond card'),
    openedAfter: DateText.optional().describe('customers who opened their first account on or after this date'),
    aumBand: z.string().regex(/^[a-z][a-z0-9_]*$/).max(40).optional().describe('a tier of the aum_band model, e.g. band_4'),
    relationshipTier: z.string().regex(/^[a-z][a-z0-9_]*$/).max(40).optional().describe('a tier of the relationship_tier model: vip, potential, mass'),
    householdBand: z.string().regex(/^[a-z][a-z0-9_]*$/).max(40).optional().describe("the band of the customer's household (aum_band on the household's AUM), e.g. band_4; any: in some household"),
    owner: z.enum(['me']).optional().describe("me: only the customers you own or co-own ('my customers')"),
    sort: z.enum(CUSTOMER_SORTS).default('aum_desc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((v) => v.aumMin === undefined || v.aumMax === undefined || v.aumMin < v.aumMax, {
    message: 'aum_range', // http.ts VALIDATION_MESSAGES
    path: ['aumMax'],
  });
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const CustomerListItem = z.object({
  customerId: z.string(),
  name: z.string(),
  gender: z.enum(['M', 'F']).nullable(),
  /** masked: 138****5678 */
  phone: z.string().nullable(),
  branch: z.object({ id: z.string(), name: z.string() }),
  openedOn: DateText,
  aum: Money,
  vipCard: z.enum(VIP_GRADES).nullable(),
  status: z.enum(['active', 'left']),
  /** tiers from the latest batch run (null before the first) */
  aumBand: z.string().nullable(),
  relationshipTier: z.string().nullable(),
  /** the band of the customer's household (null: in no household) */
  householdBand: z.string().nullable(),
});
export type CustomerListItem = z.infer<typeof CustomerListItem>;

export const CustomerListResponse = z.object({
  data: z.object({
    items: z.array(CustomerListItem),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** exact up to 10,000; beyond that `totalIsLowerBound` is true (refine the filter) */
    total: z.number().int(),
    totalIsLowerBound: z.boolean(),
    /** the business date the AUM figures are from */
    asOf: DateText.nullable(),
  }),
});

export const CustomerIdParams = z.object({ customerId: z.string().min(1).max(40) });

export const BalancesByKind = z.object({
  current: Money,
  timeDeposit: Money,
  wealth: Money,
  fund: Money,
  insurance: Money,
  loans: Money,
});

export const Customer360 = z.object({
  profile: z.object({
    customerId: z.string(),
    name: z.string(),
    gender: z.enum(['M', 'F']).nullable(),
    birthDate: DateText.nullable(),
    age: z.number().int().nullable(),
    /** masked: 110105********1234 */
    idNumber: z.string().nullable(),
    /** masked: 138****5678 */
    phone: z.string().nullable(),
    address: z.string().nullable(),
    occupation: z.string().nullable(),
    annualIncome: Money.nullable(),
    riskLevel: z.enum(['C1', 'C2', 'C3', 'C4', 'C5']).nullable(),
    branch: z.object({ id: z.string(), name: z.string() }),
    openedOn: DateText,
    doNotDisturb: z.boolean(),
    marketingConsent: z.boolean(),
    status: z.enum(['active', 'left']),
  }),
  /** null when no business date has been loaded for this customer */
  aum: z.object({ asOf: DateText, total: Money, deposits: Money, byKind: BalancesByKind }).nullable(),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      kind: z.enum(['current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan']),
      productCode: z.string().nullable(),
      productName: z.string().nullable(),
      balance: Money,
      openedOn: DateText,
      maturesOn: DateText.nullable(),
      /** days from the business date to maturity; negative when already matured */
      daysToMaturity: z.number().int().nullable(),
      status: z.enum(['active', 'closed']),
    }),
  ),
  cards: z.array(
    z.object({ cardId: z.string(), grade: z.enum(CARD_GRADES), issuedOn: DateText, status: z.enum(['active', 'cancelled']), cancelledOn: DateText.nullable() }),
  ),
  loans: z.array(
    z.object({
      loanId: z.string(),
      principal: Money,
      outstanding: Money,
      overdueDays: z.number().int(),
      openedOn: DateText,
      status: z.enum(['active', 'repaid']),
    }),
  ),
});
export type Customer360 = z.infer<typeof Customer360>;
export const Customer360Response = z.object({ data: Customer360 });

export const AumHistoryQuery = z.object({ days: z.coerce.number().int().min(7).max(3660).default(90) });
export const AumHistoryResponse = z.object({
  data: z.object({
    points: z.array(z.object({ date: DateText, aum: Money, deposits: Money, wealth: Money, fund: Money, insurance: Money })),
  }),
});

export const TransactionsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export const TransactionsResponse = z.object({
  data: z.object({
    items: z.array(
      z.object({
        txnId: z.string(),
        accountId: z.string(),
        bookedAt: z.string().describe('ISO 8601 with offset'),
        amount: Money,
        channel: z.enum(['counter', 'atm', 'mobile', 'online', 'pos', 'other']),
        counterparty: z.string().nullable(),
      }),
    ),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  }),
});

export const BranchesResponse = z.object({
  data: z.object({
    items: z.array(z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable(), level: z.enum(['bank', 'branch', 'sub_branch', 'outlet']) })),
  }),
});
