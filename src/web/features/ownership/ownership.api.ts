import type { z } from 'zod';
import type {
  ChangeResponse,
  ClaimsResponse,
  CustomerOwnershipResponse,
  PoolResponse,
  ProposalsResponse,
  ReallocationResponse,
  ReferralCountsResponse,
  ReferralCreated,
  ReferralsResponse,
  StaffResponse,
} from '../../../features/ownership/ownership.contract.js';
import type { CUSTOMER_FACTS, MANAGER_FACTS, REFERRAL_NEEDS, REFERRAL_OUTCOMES } from '../../../features/ownership/ownership.contract.js';
import { apiRequest } from '../../app/api.js';

// The ownership API as the pages use it; types come from the shared contract (types only).

export type Proposal = z.infer<typeof ProposalsResponse>['data']['items'][number];
export type PoolCustomer = z.infer<typeof PoolResponse>['data']['items'][number];
export type StaffLoad = z.infer<typeof StaffResponse>['data']['items'][number];
export type Reallocation = z.infer<typeof ReallocationResponse>['data'];
export type Claim = z.infer<typeof ClaimsResponse>['data']['items'][number];
export type Referral = z.infer<typeof ReferralCreated>['data'];
export type ReferralCount = z.infer<typeof ReferralCountsResponse>['data']['items'][number];
export type CustomerOwnership = z.infer<typeof CustomerOwnershipResponse>['data'];
export type Change = z.infer<typeof ChangeResponse>['data'];
export type ManagerFact = (typeof MANAGER_FACTS)[number];
export type CustomerFact = (typeof CUSTOMER_FACTS)[number];
export type ReferralNeed = (typeof REFERRAL_NEEDS)[number];
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export const MANAGER_FACT_LIST: readonly ManagerFact[] = ['knows_occupation', 'knows_family_finances', 'knows_preferences', 'monthly_contact', 'knows_asset_changes'];
export const NEED_LIST: readonly ReferralNeed[] = ['wealth', 'deposit', 'fund', 'insurance', 'loan', 'vip_card', 'other'];

const customerPath = (id: string) => `/api/customers/${encodeURIComponent(id)}`;

export const ownershipApi = {
  customer: (id: string, signal: AbortSignal) => apiRequest<CustomerOwnership>(`${customerPath(id)}/owners`, { signal }),
  proposals: (signal: AbortSignal) => apiRequest<{ items: Proposal[]; total: number }>('/api/ownership/proposals', { query: { pageSize: 500 }, signal }),
  pool: (page: number, signal: AbortSignal) => apiRequest<{ items: PoolCustomer[]; total: number }>('/api/ownership/pool', { query: { page, pageSize: 100 }, signal }),
  staff: (signal: AbortSignal) => apiRequest<{ items: StaffLoad[] }>('/api/ownership/staff', { signal }),
  reallocation: (signal: AbortSignal) => apiRequest<Reallocation>('/api/ownership/reallocation', { signal }),
  decide: (decisions: { customerId: string; decision: 'accept' | 'reject'; staffId?: string }[], reason?: string) =>
    apiRequest<Change>('/api/ownership/proposals/decisions', { method: 'POST', body: { decisions, reason } }),
  assign: (customerIds: string[], staffId: string, reason: string) => apiRequest<Change>('/api/ownership/assign', { method: 'POST', body: { customerIds, staffId, reason } }),
  recall: (customerIds: string[], reason: string) => apiRequest<Change>('/api/ownership/recall', { method: 'POST', body: { customerIds, reason } }),
  claims: (signal: AbortSignal) => apiRequest<{ items: Claim[] }>('/api/ownership/claims', { signal }),
  claim: (customerId: string, managerFacts: ManagerFact[], booksAppointments: boolean, note?: string) =>
    apiRequest<{ claimId: string; customerFactsMet: number }>(`${customerPath(customerId)}/claims`, { method: 'POST', body: { managerFacts, booksAppointments, note } }),
  decideClaim: (customerId: string, claimId: string, decision: 'approve' | 'refuse', note?: string) =>
    apiRequest<Change>('/api/ownership/claims/decisions', { method: 'POST', body: { customerId, claimId, decision, note } }),
  refer: (customerId: string, toStaffId: string | null, reason: string, need: ReferralNeed) =>
    apiRequest<Referral>(`${customerPath(customerId)}/referrals`, { method: 'POST', body: { toStaffId, reason, need } }),
  referrals: (view: 'mine' | 'outlet', signal: AbortSignal) => apiRequest<{ items: Referral[] }>('/api/referrals', { query: { view }, signal }),
  progress: (r: { customerId: string; referralId: string; step: 'accept' | 'contact' | 'outcome'; channel?: string; outcome?: ReferralOutcome; note?: string }) =>
    apiRequest<Referral>('/api/referrals/progress', { method: 'POST', body: r }),
  counts: (signal: AbortSignal) => apiRequest<{ items: ReferralCount[] }>('/api/referrals/counts', { signal }),
};
