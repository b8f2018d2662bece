import type { RunItem, RunKind, RunOutcome, RunsPage, RunStatus } from '../../../features/system/runs.contract.js';
import { apiRequest } from '../../app/api.js';

// The runs status API as the Runs page and the header use it; types from the shared contract (types only).

export type { RunItem, RunKind, RunOutcome, RunsPage, RunStatus };

export interface RunsFilters {
  kind?: RunKind;
  outcome?: RunOutcome;
  from?: string;
  to?: string;
}

export const runsApi = {
  list: (q: RunsFilters & { page: number; pageSize: number }, signal: AbortSignal) => apiRequest<RunsPage>('/api/system/runs', { query: { ...q }, signal }),
  /** the header's: the latest business date, and whether last night's run is late */
  status: (signal?: AbortSignal) => apiRequest<RunStatus>('/api/system/runs/latest', { signal }),
};
