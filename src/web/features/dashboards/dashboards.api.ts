import type { z } from 'zod';
import type { BandsResponse, BranchDashboardResponse, ItemMeasure, ItemsResponse, RankingResponse } from '../../../features/dashboards/dashboards.contract.js';
import { apiRequest } from '../../app/api.js';

// The dashboards API as the pages use it; types come from the shared contract (types only).

export type BranchDashboard = z.infer<typeof BranchDashboardResponse>['data'];
export type BandMonths = z.infer<typeof BandsResponse>['data'];
export type Ranking = z.infer<typeof RankingResponse>['data'];
export type RankingRow = Ranking['rows'][number];
export type DashboardItems = z.infer<typeof ItemsResponse>['data'];
export type DashboardItem = DashboardItems['items'][number];
export type { ItemMeasure };

export interface PeriodChoice {
  from?: string | undefined;
  to?: string | undefined;
  branchId?: string | undefined;
}

/** What a number's list is narrowed to: the measure, a state of it, a staff member, a branch. */
export interface ItemsChoice extends PeriodChoice {
  measure: ItemMeasure;
  status?: string | undefined;
  staffId?: string | undefined;
}

export const dashboardsApi = {
  branch: (q: PeriodChoice, signal: AbortSignal) => apiRequest<BranchDashboard>('/api/dashboards/branch', { query: { ...q }, signal }),
  bands: (q: { to?: string | undefined; branchId?: string | undefined; months?: number }, signal: AbortSignal) => apiRequest<BandMonths>('/api/dashboards/bands', { query: { ...q }, signal }),
  branches: (q: PeriodChoice, signal: AbortSignal) => apiRequest<Ranking>('/api/dashboards/branches', { query: { ...q }, signal }),
  items: (q: ItemsChoice & { page: number; pageSize: number }, signal: AbortSignal) => apiRequest<DashboardItems>('/api/dashboards/items', { query: { ...q }, signal }),
};
