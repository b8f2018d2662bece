import { z } from 'zod';
import { DateText } from '../../platform/contract.js';
import { StaffRef } from '../worklist/worklist.contract.js';

// The API of complaints (投诉, issue 22 §1; POLICIES "Complaints"). Shared by the server
// (validation, OpenAPI) and the web app (types). Times are ISO 8601 in China time (+08:00).

const Id = z.string().min(1).max(60);
export const CHANNELS = ['counter', 'phone', 'online', 'letter', 'regulator'] as const;
export type Channel = (typeof CHANNELS)[number];
export const STATUSES = ['open', 'responded', 'resolved', 'reopened', 'escalated', 'closed'] as const;
export type ComplaintStatus = (typeof STATUSES)[number];
export const ANSWERS = ['satisfied', 'unsatisfied'] as const;
export type Answer = (typeof ANSWERS)[number];
export const ROOT_CAUSES = ['product', 'fees', 'process', 'system', 'staff_conduct', 'waiting_time', 'other'] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export const ESCALATIONS = ['none', 'branch_head', 'department'] as const;
export type Escalation = (typeof ESCALATIONS)[number];
export const ESCALATION_REASONS = ['first_response_late', 'resolution_late', 'resolution_150', 'unsatisfied_twice'] as const;
/** Where a complaint stands against its due times now: on time, the first response late, the resolution late, past 150% of it. */
export const DUE_STATES = ['on_time', 'response_overdue', 'resolution_overdue', 'resolution_150', 'done'] as const;
export const CATEGORIES = ['service', 'product', 'fees', 'waiting', 'staff', 'system', 'other'] as const;

/** A time in China: 2026-12-05T10:30:00+08:00. */
const ChinaTime = z.string().describe('ISO 8601 in China time, e.g. 2026-12-05T10:30:00+08:00');

export const ComplaintNote = z.object({
  noteId: z.string(),
  kind: z.enum(['response', 'progress', 'resolution', 'closing']),
  body: z.string(),
  answer: z.enum(ANSWERS).nullable(),
  writtenBy: StaffRef,
  writtenAt: ChinaTime,
});
export const ComplaintHandover = z.object({ from: StaffRef, to: StaffRef, reason: z.string(), handedBy: StaffRef, handedAt: ChinaTime });

export const Complaint = z.object({
  complaintId: z.string(),
  customer: z
    .object({ customerId: z.string(), name: z.string().nullable() })
    .nullable()
    .describe('null for a non-customer (then person)'),
  person: z.object({ name: z.string().nullable(), phone: z.string().nullable().describe('masked') }).nullable().describe('a non-customer: name and masked phone'),
  channel: z.enum(CHANNELS),
  category: z.string(),
  description: z.string(),
  branch: z.object({ id: z.string(), name: z.string() }),
  band: z.string().nullable().describe("the customer's aum_band at receipt (null: none, the longest limits)"),
  receivedAt: ChinaTime,
  first_response_due: ChinaTime,
  resolution_due: ChinaTime,
  firstResponseAt: ChinaTime.nullable(),
  resolvedAt: ChinaTime.nullable(),
  closedAt: ChinaTime.nullable(),
  status: z.enum(STATUSES),
  dueState: z.enum(DUE_STATES),
  customerAnswer: z.enum(ANSWERS).nullable(),
  reopenedOnce: z.boolean(),
  rootCause: z.enum(ROOT_CAUSES).nullable(),
  escalation: z.enum(ESCALATIONS),
  escalationReason: z.enum(ESCALATION_REASONS).nullable(),
  escalatedAt: ChinaTime.nullable(),
  owner: StaffRef,
  recordedBy: StaffRef,
});
export type Complaint = z.infer<typeof Complaint>;
export const ComplaintDetail = Complaint.extend({ notes: z.array(ComplaintNote), handovers: z.array(ComplaintHandover) });
export type ComplaintDetail = z.infer<typeof ComplaintDetail>;

export const ComplaintParams = z.object({ complaintId: Id });
export const CreateComplaintBody = z.object({
  channel: z.enum(CHANNELS),
  customerId: z.string().max(40).optional().describe('the customer; leave out for a non-customer and give personName and personPhone'),
  personName: z.string().max(60).optional(),
  personPhone: z.string().max(20).optional(),
  category: z.enum(CATEGORIES),
  description: z.string().max(2000),
  receivedAt: z.string().max(40).optional().describe('when it was received (a letter or a regulator’s referral received earlier); default now; not in the future'),
});
export const ComplaintResponse = z.object({ data: ComplaintDetail });
export const ComplaintsQuery = z.object({
  status: z.enum(['open', 'closed', 'all']).optional().describe('open (default): not closed'),
  mine: z.enum(['true', 'false']).optional().describe('true: only the complaints I own'),
});
export const ComplaintListResponse = z.object({ data: z.object({ items: z.array(Complaint) }) });
export const NoteBody = z.object({ kind: z.enum(['response', 'progress']), body: z.string().max(2000) });
export const ResolveBody = z.object({ body: z.string().max(2000).describe('what was done'), answer: z.enum(ANSWERS).describe("the customer's answer") });
export const CloseBody = z.object({ rootCause: z.enum(ROOT_CAUSES), body: z.string().max(2000).optional() });
export const HandoverBody = z.object({ toStaffId: Id, reason: z.string().max(500) });

export const ReportQuery = z.object({ from: DateText.optional(), to: DateText.optional() });
export const ReportRow = z.object({
  branch: z.object({ id: z.string(), name: z.string() }),
  month: z.string().describe('YYYY-MM of receipt (China time)'),
  rootCause: z.string().nullable().describe('null: not closed yet'),
  received: z.number().int(),
  resolved: z.number().int(),
  resolvedWithinLimit: z.number().int(),
  shareWithinLimit: z.number().nullable().describe('resolved within the limit ÷ resolved'),
  meanFirstResponseHours: z.number().nullable(),
  meanResolutionHours: z.number().nullable(),
});
export type ReportRow = z.infer<typeof ReportRow>;
export const ReportResponse = z.object({ data: z.object({ from: DateText, to: DateText, rows: z.array(ReportRow), totals: ReportRow.omit({ branch: true, month: true, rootCause: true }) }) });
