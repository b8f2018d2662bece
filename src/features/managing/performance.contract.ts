import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';

// The API of manager performance (管户业绩统计, issue 20 §1). Shared by the server (validation,
// OpenAPI) and the web app (types). Money is an exact decimal string in yuan.

/** The measures whose customers a number drills into. */
export const CUSTOMER_MEASURES = ['customers', 'signed', 'time_deposit', 'wealth', 'fund', 'insurance', 'mobile', 'up_moves', 'down_moves', 'churned'] as const;
export type CustomerMeasure = (typeof CUSTOMER_MEASURES)[number];

export const PERIOD_KINDS = ['month', 'quarter', 'year', 'range'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export const PerformanceQuery = z.object({
  period: z.enum(PERIOD_KINDS).optional().describe('month (default), quarter, year, or range (from and to)'),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month_format').optional().describe('YYYY-MM (default: the month of the latest business date)'),
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/, 'quarter_format').optional().describe('YYYY-Qn'),
  year: z.string().regex(/^\d{4}$/, 'year_format').optional().describe('YYYY'),
  from: DateText.optional().describe('range: the first business date (A), loaded'),
  to: DateText.optional().describe('range: the last business date (B), loaded'),
  branchId: z.string().min(1).max(40).optional().describe('a branch (and the branches under it) within your scope'),
});
export type PerformanceQuery = z.infer<typeof PerformanceQuery>;

export const Period = z.object({
  kind: z.enum(PERIOD_KINDS),
  /** what the user chose: 2026-11, 2026-Q4, 2026, or A → B */
  label: z.string(),
  from: DateText.describe('A: the business date the period starts from (its balances are the start)'),
  to: DateText.describe('B: the period’s last business date (its balances are the end)'),
});
export type Period = z.infer<typeof Period>;

/** The figures of one staff member, a branch or the bank. */
export const Figures = z.object({
  customers: z.number().int(),
  aumEnd: Money,
  aumStart: Money,
  aumChange: Money,
  /** 金融资产 as the bank's PCRM counts them: the same balances as AUM */
  financialAssetsEnd: Money,
  financialAssetsStart: Money,
  financialAssetsChange: Money,
  depositsEnd: Money,
  depositsStart: Money,
  depositsChange: Money,
  signed: z.number().int(),
  coverage: z.object({
    timeDeposit: z.number().int(),
    wealth: z.number().int(),
    fund: z.number().int(),
    insurance: z.number().int(),
    mobile: z.number().int(),
  }).describe('customers holding each on B (shares: divide by customers)'),
  contacts: z.number().int(),
  planDone: z.number().int(),
  planItems: z.number().int(),
  /** plan items done ÷ planned, 0–1; null with no plan items */
  planRate: z.number().nullable(),
  upMoves: z.number().int(),
  downMoves: z.number().int(),
  churned: z.number().int(),
  churnedAum: Money,
  opportunitiesWon: z.number().int(),
  opportunitiesLost: z.number().int(),
  /** won ÷ (won + lost); null when none closed */
  conversion: z.number().nullable(),
  referralsSent: z.number().int(),
  referralsConverted: z.number().int(),
});
export type Figures = z.infer<typeof Figures>;

export const StaffFigures = z.object({
  staffId: z.string(),
  name: z.string(),
  role: z.string(),
  branchId: z.string(),
  branchName: z.string(),
  active: z.boolean(),
  figures: Figures,
  /** the same staff member in the previous period (null: no previous period, or not in it) */
  previous: Figures.nullable(),
});
export type StaffFigures = z.infer<typeof StaffFigures>;

export const BranchFigures = z.object({ branchId: z.string(), branchName: z.string(), staff: z.number().int(), figures: Figures, previous: Figures.nullable() });

export const PerformanceReport = z.object({
  period: Period,
  previous: Period.nullable().describe('the period before, of the same kind (a range: as long, ending at A)'),
  staff: z.array(StaffFigures),
  branches: z.array(BranchFigures).describe('per branch of the staff, the sums of its staff'),
  total: z.object({ figures: Figures, previous: Figures.nullable() }).describe('the scope (the bank for the department)'),
  /** the business dates loaded, newest first, for choosing a range */
  loadedDates: z.array(DateText),
});
export type PerformanceReport = z.infer<typeof PerformanceReport>;
export const PerformanceResponse = z.object({ data: PerformanceReport });

export const MeasureCustomersQuery = PerformanceQuery.extend({
  measure: z.enum(CUSTOMER_MEASURES).describe('the number drilled into'),
  staffId: z.string().min(1).max(40).optional().describe('one staff member (default: every staff member of the scope)'),
  page: z.coerce.number().int().min(0).default(0),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type MeasureCustomersQuery = z.infer<typeof MeasureCustomersQuery>;

export const MeasureCustomer = z.object({
  customerId: z.string(),
  name: z.string(),
  branchId: z.string(),
  staffId: z.string(),
  aumStart: Money.nullable(),
  aumEnd: Money.nullable(),
  depositsStart: Money.nullable(),
  depositsEnd: Money.nullable(),
  bandStart: z.string().nullable(),
  bandEnd: z.string().nullable(),
});
export const MeasureCustomersResponse = z.object({
  data: z.object({ period: Period, measure: z.enum(CUSTOMER_MEASURES), total: z.number().int(), items: z.array(MeasureCustomer) }),
});
