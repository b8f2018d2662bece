import type { z } from 'zod';
import type {
  CoachingBody,
  CoachingListResponse,
  CoachingResponse,
  CustomerFeedbackResponse,
  DrawSpotCheckBody,
  FeedbackBody,
  FeedbackCountsResponse,
  FeedbackResponse,
  MyCoachingResponse,
  SpotCheckResponse,
  SpotChecksResponse,
  SpotResultBody,
  SpotResultResponse,
  UpdateCoachingBody,
} from '../../../features/review/review.contract.js';
import type { FeedbackKind, SpotResult } from '../../../features/review/review.contract.js';
import { apiRequest } from '../../app/api.js';

// The monthly review's API as the pages use it; types come from the shared contract (types only).

export type SpotChecks = z.infer<typeof SpotChecksResponse>['data'];
export type SpotCheck = SpotChecks['items'][number];
export type SpotManager = SpotCheck['managers'][number];
export type SpotCheckDetail = z.infer<typeof SpotCheckResponse>['data'];
export type SpotItem = z.infer<typeof SpotResultResponse>['data'];
export type FeedbackCounts = z.infer<typeof FeedbackCountsResponse>['data'];
export type FeedbackManager = FeedbackCounts['managers'][number];
export type Feedback = z.infer<typeof FeedbackResponse>['data'];
export type CoachingList = z.infer<typeof CoachingListResponse>['data'];
export type CoachingManager = CoachingList['managers'][number];
export type Coaching = z.infer<typeof CoachingResponse>['data'];
export type { FeedbackKind, SpotResult };
export const FEEDBACK_KIND_LIST: readonly FeedbackKind[] = ['volunteered_private_info', 'asked_for_help', 'contacted_on_own', 'referred_someone'];

const enc = encodeURIComponent;

export const reviewApi = {
  spotChecks: (q: { month?: string; branchId?: string }, signal: AbortSignal) => apiRequest<SpotChecks>('/api/review/spot-checks', { query: q, signal }),
  draw: (body: z.input<typeof DrawSpotCheckBody>) => apiRequest<SpotCheckDetail>('/api/review/spot-checks', { method: 'POST', body }),
  spotCheck: (reviewId: string, staffId: string | undefined, signal: AbortSignal) => apiRequest<SpotCheckDetail>(`/api/review/spot-checks/${enc(reviewId)}`, { query: { staffId }, signal }),
  result: (reviewId: string, body: z.input<typeof SpotResultBody>) => apiRequest<SpotItem>(`/api/review/spot-checks/${enc(reviewId)}/results`, { method: 'POST', body }),
  feedbackCounts: (q: { from?: string; to?: string; branchId?: string }, signal: AbortSignal) => apiRequest<FeedbackCounts>('/api/review/feedback', { query: q, signal }),
  customerFeedback: (customerId: string, signal: AbortSignal) => apiRequest<z.infer<typeof CustomerFeedbackResponse>['data']>(`/api/customers/${enc(customerId)}/feedback`, { signal }),
  recordFeedback: (customerId: string, body: z.input<typeof FeedbackBody>) => apiRequest<Feedback>(`/api/customers/${enc(customerId)}/feedback`, { method: 'POST', body }),
  coaching: (q: { staffId?: string; from?: string; to?: string }, signal: AbortSignal) => apiRequest<CoachingList>('/api/review/coaching', { query: q, signal }),
  createCoaching: (body: z.input<typeof CoachingBody>) => apiRequest<Coaching>('/api/review/coaching', { method: 'POST', body }),
  updateCoaching: (id: string, body: z.input<typeof UpdateCoachingBody>) => apiRequest<Coaching>(`/api/review/coaching/${enc(id)}`, { method: 'PATCH', body }),
  followUp: (id: string, note: string) => apiRequest<Coaching>(`/api/review/coaching/${enc(id)}/follow-up`, { method: 'POST', body: { note } }),
  myCoaching: (signal: AbortSignal) => apiRequest<z.infer<typeof MyCoachingResponse>['data']>('/api/review/my-coaching', { signal }),
};
