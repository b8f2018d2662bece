import type { z } from 'zod';
import type {
  AumHistoryResponse,
  BranchesResponse,
  Customer360Response,
  CUSTOMER_SORTS,
  CustomerListResponse,
  TransactionsResponse,
} from '../../../features/customers/customers.contract.js';
import { apiRequest, type QueryValue } from '../../app/api.js';

// The customer API as the pages use it; types come from the shared contract (types only).

export type CustomerList = z.infer<typeof CustomerListResponse>['data'];
export type CustomerListRow = CustomerList['items'][number];
export type Customer360Data = z.infer<typeof Customer360Response>['data'];
export type AumHistory = z.infer<typeof AumHistoryResponse>['data'];
export type Transactions = z.infer<typeof TransactionsResponse>['data'];
export type TransactionChannel = Transactions['items'][number]['channel'];
export type Branch = z.infer<typeof BranchesResponse>['data']['items'][number];
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

/** The list query as sent: the URL's search params, already in the API's names and units (yuan). */
export type CustomerListParams = Record<'q' | 'branchId' | 'aumMin' | 'aumMax' | 'vipCard' | 'openedAfter' | 'sort' | 'page' | 'pageSize', QueryValue>;

const customerPath = (customerId: string) => `/api/customers/${encodeURIComponent(customerId)}`;

export const customersApi = {
  list: (query: CustomerListParams, signal: AbortSignal) => apiRequest<CustomerList>('/api/customers', { query, signal }),
  get: (customerId: string, signal: AbortSignal) => apiRequest<Customer360Data>(customerPath(customerId), { signal }),
  aumHistory: (customerId: string, days: number, signal: AbortSignal) =>
    apiRequest<AumHistory>(`${customerPath(customerId)}/aum-history`, { query: { days }, signal }),
  transactions: (customerId: string, page: number, pageSize: number, signal: AbortSignal) =>
    apiRequest<Transactions>(`${customerPath(customerId)}/transactions`, { query: { page, pageSize }, signal }),
  branches: (signal: AbortSignal) => apiRequest<{ items: Branch[] }>('/api/branches', { signal }),
};
