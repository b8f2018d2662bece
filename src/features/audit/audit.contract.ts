import { z } from 'zod';
import { DateText as CalendarDate } from '../../platform/contract.js';

// The audit page's API: entries filtered and paged on the server, and their export.

const DateText = CalendarDate.describe('YYYY-MM-DD (China time)');

export const AuditFilters = z.object({
  from: DateText.optional().describe('entries on or after this date'),
  to: DateText.optional().describe('entries on or before this date'),
  actor: z.string().trim().min(1).max(64).optional().describe('a login (staff number)'),
  action: z.string().regex(/^[a-z][a-z0-9_.]*$/).max(40).optional().describe('sign_in, sign_in_failed, reveal, export, assign, policy_publish …'),
  customerId: z.string().trim().min(1).max(40).optional().describe('entries about this customer'),
  outcome: z.enum(['allowed', 'refused']).optional(),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

export const AuditListQuery = AuditFilters.extend({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

export const AuditExportQuery = AuditFilters.extend({ format: z.enum(['csv', 'xlsx']).default('csv') });

export const AuditItem = z.object({
  entryId: z.number().int(),
  at: z.string().describe('ISO time'),
  actor: z.string().nullable(),
  actorName: z.string().nullable(),
  role: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  customerIds: z.array(z.string()).describe("the entry's customers within your scope (the department: all of them), when the entry lists them itself (up to 500)"),
  customerCount: z.number().int().describe("how many of the entry's customers are within your scope, listed or not"),
  customersRef: z
    .string()
    .nullable()
    .describe("an entry about more than 500 customers keeps them one per row (audit_customers:<entryId>) instead of in customerIds; searching by customerId finds it; null: customerIds is the list"),
  customersOutsideScope: z.number().int().describe("how many of the entry's customers are outside your scope: counted, their ids not shown"),
  fields: z.array(z.string()),
  outcome: z.enum(['allowed', 'refused']),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditItem = z.infer<typeof AuditItem>;

export const AuditListResponse = z.object({
  data: z.object({ items: z.array(AuditItem), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
});
