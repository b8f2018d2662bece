import type { z } from 'zod';
import type {
  CustomerTiersResponse,
  LocalLabel,
  MigrationResponse,
  PoliciesResponse,
  PublishResponse,
  SimulationResponse,
  TierMixResponse,
} from '../../../features/tiering/tiering.contract.js';
import { apiRequest } from '../../app/api.js';

// The tiering API as the pages use it; types come from the shared contract (types only).

export type { LocalLabel };
export type CustomerTiers = z.infer<typeof CustomerTiersResponse>['data'];
export type PolicyVersion = z.infer<typeof PoliciesResponse>['data']['items'][number];
export type Simulation = z.infer<typeof SimulationResponse>['data'];
export type SimulatedModel = Simulation['models'][number];
export type TierMix = z.infer<typeof TierMixResponse>['data'];
export type Migration = z.infer<typeof MigrationResponse>['data'];
/** A cell of a migration matrix: how many customers went from one tier (null: none) to another. */
export type MigrationCell = Migration['cells'][number];

export const tieringApi = {
  customerTiers: (customerId: string, signal: AbortSignal) =>
    apiRequest<CustomerTiers>(`/api/customers/${encodeURIComponent(customerId)}/tiers`, { signal }),
  policies: (signal: AbortSignal) => apiRequest<{ items: PolicyVersion[] }>('/api/policies', { signal }),
  simulate: (yaml: string, date?: string) => apiRequest<Simulation>('/api/policies/simulate', { method: 'POST', body: { yaml, date } }),
  publish: (yaml: string, reason: string, effectiveFrom: string) =>
    apiRequest<PolicyVersion>('/api/policies', { method: 'POST', body: { yaml, reason, effectiveFrom } }),
  tierMix: (query: { model: string; date?: string; branchId?: string }, signal: AbortSignal) =>
    apiRequest<TierMix>('/api/branch/tier-mix', { query, signal }),
  migration: (query: { model: string; from: string; to: string; branchId?: string }, signal: AbortSignal) =>
    apiRequest<Migration>('/api/branch/migration', { query, signal }),
};
