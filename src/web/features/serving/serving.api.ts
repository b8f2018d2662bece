import type { z } from 'zod';
import type { CHANNELS } from '../../../features/serving/complaints.contract.js';
import type { AvailabilityResponse, CounterSearchResponse, HandoverResponse, ManagersResponse } from '../../../features/serving/counter.contract.js';
import type { CheckResponse, CustomerEntitlementsResponse, EntitlementPoliciesResponse, PublishResponse, SimulateResponse } from '../../../features/serving/entitlements.contract.js';
import { apiRequest } from '../../app/api.js';

// Service entitlements and the counter's view as the pages use them; types from the shared contracts (types only).

export type CustomerEntitlements = z.infer<typeof CustomerEntitlementsResponse>['data'];
export type CounterSearch = z.infer<typeof CounterSearchResponse>['data'];
export type CounterHit = CounterSearch['items'][number];
export type Managers = z.infer<typeof ManagersResponse>['data'];
export type Handover = z.infer<typeof HandoverResponse>['data'];
export type Availability = z.infer<typeof AvailabilityResponse>['data'];
export type EntitlementPolicies = z.infer<typeof EntitlementPoliciesResponse>['data'];
export type EntitlementPolicyVersion = EntitlementPolicies['items'][number];
export type EntitlementCheck = z.infer<typeof CheckResponse>['data'];
export type EntitlementSimulation = z.infer<typeof SimulateResponse>['data'];
export type ComplaintChannel = (typeof CHANNELS)[number];

const enc = encodeURIComponent;

export const servingApi = {
  entitlements: (customerId: string, signal: AbortSignal) => apiRequest<CustomerEntitlements>(`/api/customers/${enc(customerId)}/entitlements`, { signal }),
  search: (q: string, signal: AbortSignal) => apiRequest<CounterSearch>('/api/counter/search', { query: { q }, signal }),
  managers: (signal: AbortSignal) => apiRequest<Managers>('/api/counter/managers', { signal }),
  handOver: (customerId: string, staffId: string, note: string) => apiRequest<Handover>('/api/counter/handovers', { method: 'POST', body: { customerId, staffId, ...(note.trim() ? { note: note.trim() } : {}) } }),
  availability: (signal: AbortSignal) => apiRequest<Availability>('/api/me/availability', { signal }),
  setAway: (away: boolean) => apiRequest<Availability>('/api/me/availability', { method: 'PUT', body: { away } }),
  policies: (signal: AbortSignal) => apiRequest<EntitlementPolicies>('/api/entitlements/policies', { signal }),
  checkPolicy: (yaml: string) => apiRequest<EntitlementCheck>('/api/entitlements/policies/check', { method: 'POST', body: { yaml } }),
  simulatePolicy: (yaml: string) => apiRequest<EntitlementSimulation>('/api/entitlements/policies/simulate', { method: 'POST', body: { yaml } }),
  publishPolicy: (yaml: string, reason: string, effectiveFrom: string) => apiRequest<z.infer<typeof PublishResponse>['data']>('/api/entitlements/policies', { method: 'POST', body: { yaml, reason, effectiveFrom } }),
  recordComplaint: (body: { customerId: string; channel: ComplaintChannel; category: string; description: string }) => apiRequest<{ complaintId: string }>('/api/complaints', { method: 'POST', body }),
};
