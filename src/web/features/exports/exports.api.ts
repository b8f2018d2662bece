import type { z } from 'zod';
import type { CreateExportBody, ExportJobResponse } from '../../../features/exports/exports.contract.js';
import { apiRequest } from '../../app/api.js';

// The export jobs API as the export button and "My exports" use it; types from the shared contract.

export type ExportJob = z.infer<typeof ExportJobResponse>['data'];
export type ExportRequest = z.input<typeof CreateExportBody>;

export const exportsApi = {
  start: (body: ExportRequest) => apiRequest<ExportJob>('/api/exports', { method: 'POST', body }),
  get: (id: string, signal?: AbortSignal) => apiRequest<ExportJob>(`/api/exports/${encodeURIComponent(id)}`, { signal }),
  mine: (signal?: AbortSignal) => apiRequest<{ items: ExportJob[] }>('/api/exports', { signal }),
  /** a plain link: the browser downloads the file with the session cookie */
  fileUrl: (id: string) => `/api/exports/${encodeURIComponent(id)}/file`,
};
