import type { z } from 'zod';
import type { OutletResponse, Profile, ProfileBody } from '../../../features/profile/profile.contract.js';
import type { CONTACT_CHANNELS, CONTACT_TIMES, PROFILE_FIELDS } from '../../../features/profile/profile.rules.js';
import { apiRequest } from '../../app/api.js';

// A customer's profile and the outlet's customers to complete as the pages use them; types from the shared contract (types only).

export type { Profile, ProfileBody };
export type Outlet = z.infer<typeof OutletResponse>['data'];
export type OutletRow = Outlet['items'][number];
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ContactTime = (typeof CONTACT_TIMES)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type CoreField = Profile['core'][number]['field'];

// the same lists as profile.rules.ts, in its order (a Record: a value added there fails here by type)
const TIMES: Record<ContactTime, true> = { morning: true, noon: true, afternoon: true, evening: true, weekend: true, any: true };
const CHANNELS: Record<ContactChannel, true> = { phone: true, sms: true, wechat: true, visit: true, counter: true };
export const CONTACT_TIME_LIST = Object.keys(TIMES) as ContactTime[];
export const CONTACT_CHANNEL_LIST = Object.keys(CHANNELS) as ContactChannel[];

const enc = encodeURIComponent;

export const profileApi = {
  get: (customerId: string, signal?: AbortSignal) => apiRequest<Profile>(`/api/customers/${enc(customerId)}/profile`, { signal }),
  put: (customerId: string, body: ProfileBody) => apiRequest<Profile>(`/api/customers/${enc(customerId)}/profile`, { method: 'PUT', body }),
  outlet: (query: { branchId?: string; page: number; pageSize: number }, signal: AbortSignal) => apiRequest<Outlet>('/api/profile/outlet', { query, signal }),
};
