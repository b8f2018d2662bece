import type { z } from 'zod';
import type { CloseBody, Complaint as ComplaintSchema, ComplaintDetail as DetailSchema, CreateComplaintBody, HandoverBody, NoteBody, ReportResponse, ResolveBody } from '../../../features/serving/complaints.contract.js';
import { apiRequest } from '../../app/api.js';

// Complaints as the pages use them; types from the shared contract.

export type Complaint = z.infer<typeof ComplaintSchema>;
export type ComplaintDetail = z.infer<typeof DetailSchema>;
export type Report = z.infer<typeof ReportResponse>['data'];
export type ReportRow = Report['rows'][number];
// the contract's lists (the contract itself is not bundled: types only)
export const CHANNELS = ['counter', 'phone', 'online', 'letter', 'regulator'] as const satisfies readonly Complaint['channel'][];
export const CATEGORIES = ['service', 'product', 'fees', 'waiting', 'staff', 'system', 'other'] as const;
export const ANSWERS = ['satisfied', 'unsatisfied'] as const satisfies readonly NonNullable<Complaint['customerAnswer']>[];
export const ROOT_CAUSES = ['product', 'fees', 'process', 'system', 'staff_conduct', 'waiting_time', 'other'] as const satisfies readonly NonNullable<Complaint['rootCause']>[];
export type Category = (typeof CATEGORIES)[number];

const enc = encodeURIComponent;
type Items = { items: Complaint[] };

export const complaintsApi = {
  create: (body: z.input<typeof CreateComplaintBody>) => apiRequest<ComplaintDetail>('/api/complaints', { method: 'POST', body }),
  list: (q: { status: 'open' | 'closed' | 'all'; mine: boolean }, signal: AbortSignal) => apiRequest<Items>('/api/complaints', { query: { status: q.status, mine: q.mine ? 'true' : 'false' }, signal }),
  escalated: (signal: AbortSignal) => apiRequest<Items>('/api/complaints/escalated', { signal }),
  report: (q: { from: string; to: string }, signal: AbortSignal) => apiRequest<Report>('/api/complaints/report', { query: q, signal }),
  /** the report's .xlsx: a plain link downloads it with the session's cookie */
  sheetUrl: (q: { from: string; to: string }) => `/api/complaints/report/sheet?from=${enc(q.from)}&to=${enc(q.to)}`,
  get: (id: string, signal: AbortSignal) => apiRequest<ComplaintDetail>(`/api/complaints/${enc(id)}`, { signal }),
  note: (id: string, body: z.input<typeof NoteBody>) => apiRequest<ComplaintDetail>(`/api/complaints/${enc(id)}/notes`, { method: 'POST', body }),
  resolve: (id: string, body: z.input<typeof ResolveBody>) => apiRequest<ComplaintDetail>(`/api/complaints/${enc(id)}/resolution`, { method: 'POST', body }),
  close: (id: string, body: z.input<typeof CloseBody>) => apiRequest<ComplaintDetail>(`/api/complaints/${enc(id)}/close`, { method: 'POST', body }),
  handOver: (id: string, body: z.input<typeof HandoverBody>) => apiRequest<ComplaintDetail>(`/api/complaints/${enc(id)}/hand-over`, { method: 'POST', body }),
  ofCustomer: (customerId: string, signal: AbortSignal) => apiRequest<Items>(`/api/customers/${enc(customerId)}/complaints`, { signal }),
};
