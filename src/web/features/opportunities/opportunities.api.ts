import type { z } from 'zod';
import type {
  BoardResponse,
  CreateOpportunityBody,
  CreateProspectBody,
  CustomerOpportunitiesResponse,
  OpportunityListResponse,
  OpportunitiesQuery,
  OpportunityResponse,
  OpportunityStage,
  ProspectContactBody,
  ProspectContactResponse,
  ProspectListResponse,
  ProspectResponse,
  ReviewResponse,
  SaveReviewBody,
  StageBody,
  UpdateOpportunityBody,
  UpdateProspectBody,
} from '../../../features/opportunities/opportunities.contract.js';
import { apiRequest } from '../../app/api.js';

// The opportunities and prospects API as the pages use it; types come from the shared contract (types only).

export type Opportunity = z.infer<typeof OpportunityListResponse>['data']['items'][number];
export type OpportunityDetail = z.infer<typeof OpportunityResponse>['data'];
export type OpportunityList = z.infer<typeof OpportunityListResponse>['data'];
export type Board = z.infer<typeof BoardResponse>['data'];
export type Review = z.infer<typeof ReviewResponse>['data'];
export type ReviewItem = Review['items'][number];
export type ManagerWeek = Review['managers'][number];
export type OutletWeek = Review['outlets'][number];
export const WEEK_FLAGS = ['created', 'moved', 'won', 'lost', 'stale'] as const;
export type WeekFlag = (typeof WEEK_FLAGS)[number];
export type Prospect = z.infer<typeof ProspectListResponse>['data']['items'][number];
export type ProspectDetail = z.infer<typeof ProspectResponse>['data'];
export type ProspectContact = z.infer<typeof ProspectContactResponse>['data'];
export type NewOpportunity = z.input<typeof CreateOpportunityBody>;
export interface ListQuery {
  view?: 'mine' | 'scope';
  staffId?: string;
  customerId?: string;
  stage?: OpportunityStage;
  status?: 'open' | 'won' | 'lost' | 'closed' | 'all';
  stale?: 'true' | 'false';
  due?: 'true' | 'false';
  sort?: z.infer<typeof OpportunitiesQuery>['sort'];
  page?: number;
  pageSize?: number;
}
export type { OpportunityStage };

export const STAGES: readonly OpportunityStage[] = ['identified', 'contacted', 'needs_confirmed', 'proposed', 'won', 'lost'];
export const OPEN_STAGES: readonly OpportunityStage[] = ['identified', 'contacted', 'needs_confirmed', 'proposed'];
export const SOURCES = ['walk_in', 'contact', 'referral', 'campaign'] as const;
export const PRODUCT_KINDS = ['wealth', 'time_deposit', 'fund', 'insurance', 'current', 'loan'] as const;
export const PROSPECT_SOURCES = ['walk_in', 'referral', 'campaign', 'other'] as const;

const enc = encodeURIComponent;

export const opportunitiesApi = {
  list: (q: ListQuery, signal: AbortSignal) => apiRequest<OpportunityList>('/api/opportunities', { query: { ...q }, signal }),
  board: (staffId: string | undefined, signal: AbortSignal) => apiRequest<Board>('/api/opportunities/board', { query: { staffId }, signal }),
  get: (id: string, signal?: AbortSignal) => apiRequest<OpportunityDetail>(`/api/opportunities/${enc(id)}`, { signal }),
  create: (body: NewOpportunity) => apiRequest<OpportunityDetail>('/api/opportunities', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof UpdateOpportunityBody>) => apiRequest<OpportunityDetail>(`/api/opportunities/${enc(id)}`, { method: 'PATCH', body }),
  stage: (id: string, body: z.input<typeof StageBody>) => apiRequest<OpportunityDetail>(`/api/opportunities/${enc(id)}/stage`, { method: 'POST', body }),
  ofCustomer: (customerId: string, signal: AbortSignal) =>
    apiRequest<z.infer<typeof CustomerOpportunitiesResponse>['data']>(`/api/customers/${enc(customerId)}/opportunities`, { signal }),
  review: (q: { date?: string; branchId?: string; staffId?: string; flag?: WeekFlag; page?: number; pageSize?: number }, signal: AbortSignal) => apiRequest<Review>('/api/opportunities/review', { query: q, signal }),
  saveReview: (body: z.input<typeof SaveReviewBody>) => apiRequest<Review>('/api/opportunities/review', { method: 'POST', body }),
  prospects: (q: { status?: string; q?: string; page?: number; pageSize?: number }, signal: AbortSignal) =>
    apiRequest<z.infer<typeof ProspectListResponse>['data']>('/api/prospects', { query: q, signal }),
  prospect: (id: string, signal?: AbortSignal) => apiRequest<ProspectDetail>(`/api/prospects/${enc(id)}`, { signal }),
  createProspect: (body: z.input<typeof CreateProspectBody>) => apiRequest<ProspectDetail>('/api/prospects', { method: 'POST', body }),
  updateProspect: (id: string, body: z.input<typeof UpdateProspectBody>) => apiRequest<ProspectDetail>(`/api/prospects/${enc(id)}`, { method: 'PATCH', body }),
  prospectContact: (id: string, body: z.input<typeof ProspectContactBody>) => apiRequest<ProspectContact>(`/api/prospects/${enc(id)}/contacts`, { method: 'POST', body }),
  revealProspect: (id: string, fields: ('phone' | 'id_number')[], reason: string) =>
    apiRequest<{ prospectId: string; values: { phone?: string | null; id_number?: string | null } }>(`/api/prospects/${enc(id)}/reveal`, { method: 'POST', body: { fields, reason } }),
};
