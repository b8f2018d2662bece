import type { QueryValue } from '../../app/api.js';
import { isListTier, type AumBand, type RelationshipTier } from '../tiering/tier-labels.js';
import type { CustomerListParams, CustomerSort } from './customers.api.js';

// The list's filters, page and sort live in the URL (back/forward and reload keep them), in the
// API's own names and units (AUM in yuan), so the URL's query is the API's query.

export const DEFAULT_SORT: CustomerSort = 'aum_desc';
export const DEFAULT_PAGE_SIZE = 50;
export const PAGE_SIZES = [20, 50, 100];
const SORTS: readonly CustomerSort[] = ['aum_desc', 'aum_asc', 'name', 'opened_desc', 'opened_asc', 'customer_id'];

export interface ListFilters {
  q: string;
  branchId: string | undefined;
  aumMin: string | undefined;
  aumMax: string | undefined;
  vipCard: 'true' | 'false' | undefined;
  openedAfter: string | undefined;
  aumBand: AumBand | undefined;
  relationshipTier: RelationshipTier | undefined;
  /** the household's band, or any: in some household */
  householdBand: AumBand | 'any' | undefined;
}

export interface ListState extends ListFilters {
  sort: CustomerSort;
  page: number;
  pageSize: number;
}

function positiveInt(text: string | null, fallback: number, max: number): number {
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

function optional(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

export function readListState(params: URLSearchParams): ListState {
  const sort = params.get('sort');
  const vip = params.get('vipCard');
  const aumBand = params.get('aumBand');
  const relationship = params.get('relationshipTier');
  const household = params.get('householdBand');
  return {
    q: params.get('q') ?? '',
    branchId: optional(params, 'branchId'),
    aumMin: optional(params, 'aumMin'),
    aumMax: optional(params, 'aumMax'),
    vipCard: vip === 'true' || vip === 'false' ? vip : undefined,
    openedAfter: optional(params, 'openedAfter'),
    aumBand: aumBand !== null && isListTier('aum_band', aumBand) ? aumBand : undefined,
    relationshipTier: relationship !== null && isListTier('relationship_tier', relationship) ? relationship : undefined,
    householdBand: household === 'any' ? 'any' : household !== null && isListTier('aum_band', household) ? household : undefined,
    sort: SORTS.find((s) => s === sort) ?? DEFAULT_SORT,
    page: positiveInt(params.get('page'), 1, 100_000),
    pageSize: positiveInt(params.get('pageSize'), DEFAULT_PAGE_SIZE, 200),
  };
}

/** The URL query of a state; defaults are left out so plain /customers stays plain. */
export function writeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q.trim());
  if (state.branchId) params.set('branchId', state.branchId);
  if (state.aumMin) params.set('aumMin', state.aumMin);
  if (state.aumMax) params.set('aumMax', state.aumMax);
  if (state.vipCard) params.set('vipCard', state.vipCard);
  if (state.openedAfter) params.set('openedAfter', state.openedAfter);
  if (state.aumBand) params.set('aumBand', state.aumBand);
  if (state.relationshipTier) params.set('relationshipTier', state.relationshipTier);
  if (state.householdBand) params.set('householdBand', state.householdBand);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  if (state.page !== 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(state.pageSize));
  return params;
}

/** The list query with the tier filters (tier ids, as the API takes them). */
export type ListApiQuery = CustomerListParams & Record<'aumBand' | 'relationshipTier' | 'householdBand', QueryValue>;

export function toApiQuery(state: ListState): ListApiQuery {
  return {
    q: state.q.trim() || undefined,
    branchId: state.branchId,
    aumMin: state.aumMin,
    aumMax: state.aumMax,
    vipCard: state.vipCard,
    openedAfter: state.openedAfter,
    aumBand: state.aumBand,
    relationshipTier: state.relationshipTier,
    householdBand: state.householdBand,
    sort: state.sort,
    page: state.page,
    pageSize: state.pageSize,
  };
}

export const EMPTY_FILTERS: ListFilters = {
  q: '',
  branchId: undefined,
  aumMin: undefined,
  aumMax: undefined,
  vipCard: undefined,
  openedAfter: undefined,
  aumBand: undefined,
  relationshipTier: undefined,
  householdBand: undefined,
};
