import { z } from 'zod';
import { DateText } from '../../platform/contract.js';
import { AuditFilters } from '../audit/audit.contract.js';

// Exports as background jobs (issue 16): the bank's sheets (个人客户信息梳理表, 递进沟通表, 商机管理表) and the
// audit trail, made into a file by the server while the user goes on working, then downloaded.
// Shared by the server (validation, OpenAPI) and the web app (types).

export const EXPORT_KINDS = ['customer_info', 'contact_log', 'audit', 'opportunities'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_STATUSES = ['queued', 'running', 'done', 'failed', 'expired'] as const;

const Id = z.string().min(1).max(40);

export const CreateExportBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('customer_info').describe('个人客户信息梳理表: the active customers of your scope (of one owner, for a reviewer)'),
    filters: z.object({ staffId: Id.optional().describe('a reviewer: one owner; yourself (or your scope) when absent') }).default({}),
  }),
  z.object({
    kind: z.literal('contact_log').describe('递进沟通表: the contacts of a date range (at most 366 days; default the last 30)'),
    filters: z
      .object({
        staffId: Id.optional().describe('a reviewer: one owner'),
        from: DateText.optional().describe('first day'),
        to: DateText.optional().describe('last day'),
      })
      .default({}),
  }),
  z.object({
    kind: z.literal('opportunities').describe('商机管理表: your opportunities, or (a reviewer) those of your scope or one owner; alive in the period when one is given (created by `to`, not closed before `from`)'),
    filters: z
      .object({
        staffId: Id.optional().describe('a reviewer: one owner'),
        status: z.enum(['open', 'closed', 'all']).optional().describe('default all'),
        from: DateText.optional(),
        to: DateText.optional(),
      })
      .default({}),
  }),
  z.object({
    kind: z.literal('audit').describe('the audit trail (needs audit.read): the entries the filters find, in your scope'),
    format: z.enum(['csv', 'xlsx']).default('xlsx'),
    filters: AuditFilters.default({}),
  }),
]);
export type CreateExportBody = z.infer<typeof CreateExportBody>;

export const ExportParams = z.object({
  exportId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .describe('the export job, as POST /api/exports answered it'),
});

export const ExportJob = z.object({
  exportId: z.string(),
  kind: z.enum(EXPORT_KINDS),
  format: z.enum(['xlsx', 'csv']),
  filters: z.record(z.string(), z.unknown()),
  status: z
    .enum(EXPORT_STATUSES)
    .describe('queued (waiting for its turn), running, done (the file can be downloaded), failed (see error), expired (the file was removed after 24 hours)'),
  rowsDone: z.number().int().describe('rows written so far'),
  rowsTotal: z.number().int().nullable().describe('rows the file will have, once counted'),
  percent: z.number().int().min(0).max(100),
  error: z
    .object({ code: z.string().describe('interrupted (the server stopped while it ran), bad_request (e.g. more rows than Excel holds), internal'), message: z.string().describe("in the request's language") })
    .nullable(),
  fileName: z.string().nullable().describe("the download's name, in the language of the request that started the export, e.g. 个人客户信息梳理表_2026-11-20.xlsx"),
  bytes: z.number().int().nullable(),
  createdAt: z.string().describe('ISO time'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable().describe('when the file is removed'),
  downloadUrl: z.string().nullable().describe('GET this when status is done'),
});
export type ExportJob = z.infer<typeof ExportJob>;

export const ExportJobResponse = z.object({ data: ExportJob });
export const ExportListResponse = z.object({ data: z.object({ items: z.array(ExportJob).describe('your exports of the last 7 days, newest first (at most 50)') }) });
