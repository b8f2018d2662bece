import type { z } from 'zod';
import type { AuditFilters, AuditListResponse } from '../../../features/audit/audit.contract.js';
import type { RevealResponse } from '../../../features/pii/pii.contract.js';
import type { RevealableField } from '../../../platform/pii.js';
import { apiRequest, withQuery } from '../../app/api.js';

// The audit and reveal API as the pages use it; types from the shared contracts (types only).

export type AuditItem = z.infer<typeof AuditListResponse>['data']['items'][number];
export type AuditPage = z.infer<typeof AuditListResponse>['data'];
export type AuditQuery = AuditFilters & { page: number; pageSize: number };
export type { RevealableField };

export const auditApi = {
  list: (q: AuditQuery, signal: AbortSignal) => apiRequest<AuditPage>('/api/audit', { query: { ...q }, signal }),
  /** a plain link: the browser downloads the file with the session cookie */
  exportUrl: (q: AuditFilters, format: 'csv' | 'xlsx') => withQuery('/api/audit/export', { ...q, format }),
  reveal: (customerId: string, fields: RevealableField[], reason: string) =>
    apiRequest<z.infer<typeof RevealResponse>['data']>(`/api/customers/${encodeURIComponent(customerId)}/reveal`, { method: 'POST', body: { fields, reason } }),
};
