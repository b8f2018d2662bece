import type { CustomerMeasure, Figures, MeasureCustomersQuery, Period, PerformanceQuery, PerformanceReport, StaffFigures } from '../../../features/managing/performance.contract.js';
import { apiRequest } from '../../app/api.js';

// Manager performance (管户业绩统计) as the page uses it; types from the shared contract (types only).

export type { CustomerMeasure, Figures, Period, PerformanceQuery, PerformanceReport, StaffFigures };

export interface MeasureCustomer {
  customerId: string;
  name: string;
  branchId: string;
  staffId: string;
  aumStart: string | null;
  aumEnd: string | null;
  depositsStart: string | null;
  depositsEnd: string | null;
  bandStart: string | null;
  bandEnd: string | null;
}

const query = (q: PerformanceQuery) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;

export const performanceApi = {
  report: (q: PerformanceQuery, signal: AbortSignal) => apiRequest<PerformanceReport>('/api/performance/managers', { query: query(q), signal }),
  customers: (q: Omit<MeasureCustomersQuery, 'page' | 'pageSize'> & { page: number; pageSize: number }, signal: AbortSignal) =>
    apiRequest<{ period: Period; measure: CustomerMeasure; total: number; items: MeasureCustomer[] }>('/api/performance/customers', { query: { ...query(q), measure: q.measure, page: q.page, pageSize: q.pageSize, ...(q.staffId ? { staffId: q.staffId } : {}) }, signal }),
  /** the sheet's address: a plain link downloads it with the session's cookie */
  sheetUrl: (q: PerformanceQuery) => `/api/performance/sheet?${new URLSearchParams(query(q)).toString()}`,
};
