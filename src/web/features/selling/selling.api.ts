import type { z } from 'zod';
import type {
  CustomerSigningsResponse,
  CustomerSuitabilityResponse,
  ProductCheck,
  Recommendation,
  Signing,
  SignResponse,
  SigningListResponse,
  VipGrade,
  Voucher,
} from '../../../features/selling/selling.contract.js';
import { apiRequest } from '../../app/api.js';

// VIP signing and suitable products as the pages use them; types come from the shared contract (types only).

export type { ProductCheck, Recommendation, Signing, VipGrade, Voucher };
export type CustomerSignings = z.infer<typeof CustomerSigningsResponse>['data'];
export type SignResult = z.infer<typeof SignResponse>['data'];
export type SigningList = z.infer<typeof SigningListResponse>['data'];
export type CustomerSuitability = z.infer<typeof CustomerSuitabilityResponse>['data'];

export const GRADE_LIST: readonly VipGrade[] = ['gold', 'platinum', 'diamond'];

const customerPath = (id: string) => `/api/customers/${encodeURIComponent(id)}`;
const signingPath = (customerId: string, signingId: string) => `${customerPath(customerId)}/signings/${encodeURIComponent(signingId)}`;

export const sellingApi = {
  signings: (customerId: string, signal: AbortSignal) => apiRequest<CustomerSignings>(`${customerPath(customerId)}/signings`, { signal }),
  sign: (customerId: string, grade: VipGrade) => apiRequest<SignResult>(`${customerPath(customerId)}/signings`, { method: 'POST', body: { grade } }),
  decide: (customerId: string, signingId: string, decision: 'approve' | 'reject', reason?: string) =>
    apiRequest<Signing>(`${signingPath(customerId, signingId)}/decision`, { method: 'POST', body: { decision, ...(reason ? { reason } : {}) } }),
  cancel: (customerId: string, signingId: string, reason: string) => apiRequest<Signing>(`${signingPath(customerId, signingId)}/cancel`, { method: 'POST', body: { reason } }),
  cardIssued: (customerId: string, signingId: string) => apiRequest<Signing>(`${signingPath(customerId, signingId)}/card-issued`, { method: 'POST', body: {} }),
  approvals: (status: 'pending' | 'decided', signal: AbortSignal) => apiRequest<SigningList>('/api/signings/approvals', { query: { status, pageSize: 200 }, signal }),
  mine: (signal: AbortSignal) => apiRequest<SigningList>('/api/signings', { query: { pageSize: 200 }, signal }),
  suitability: (customerId: string, signal: AbortSignal) => apiRequest<CustomerSuitability>(`${customerPath(customerId)}/suitability`, { signal }),
  recommend: (customerId: string, body: { productCode: string; kind: 'recommendation' | 'proposal'; confirmedBy?: string; note?: string }) =>
    apiRequest<Recommendation>(`${customerPath(customerId)}/recommendations`, { method: 'POST', body }),
};

/** The printable voucher's address. */
export const voucherPath = (customerId: string, signingId: string) => `/customers/${encodeURIComponent(customerId)}/signings/${encodeURIComponent(signingId)}/voucher`;
