import type { z } from 'zod';
import type { AnswerBody, DoorResponse, GatheringBody, GatheringResponse, GatheringsResponse, InvitationBody, InvitationResponse, InviteeResponse } from '../../../features/gatherings/gatherings.contract.js';
import { apiRequest } from '../../app/api.js';

// Relationship events as the pages use them; types from the shared contract.

export type Gathering = z.infer<typeof GatheringResponse>['data'];
export type GatheringItem = z.infer<typeof GatheringsResponse>['data']['items'][number];
export type Invitee = z.infer<typeof InviteeResponse>['data'];
export type Door = z.infer<typeof DoorResponse>['data'];

const enc = encodeURIComponent;

export const gatheringsApi = {
  list: (signal: AbortSignal) => apiRequest<z.infer<typeof GatheringsResponse>['data']>('/api/gatherings', { signal }),
  get: (id: string, signal: AbortSignal) => apiRequest<Gathering>(`/api/gatherings/${enc(id)}`, { signal }),
  create: (body: z.input<typeof GatheringBody>) => apiRequest<Gathering>('/api/gatherings', { method: 'POST', body }),
  invite: (id: string, body: z.input<typeof InvitationBody>) => apiRequest<z.infer<typeof InvitationResponse>['data']>(`/api/gatherings/${enc(id)}/invitations`, { method: 'POST', body }),
  answer: (id: string, customerId: string, state: z.input<typeof AnswerBody>['state']) => apiRequest<Invitee>(`/api/gatherings/${enc(id)}/invitees/${enc(customerId)}/answer`, { method: 'POST', body: { state } }),
  attend: (id: string, customerId: string) => apiRequest<Invitee>(`/api/gatherings/${enc(id)}/invitees/${enc(customerId)}/attend`, { method: 'POST', body: {} }),
  close: (id: string) => apiRequest<Gathering>(`/api/gatherings/${enc(id)}/close`, { method: 'POST', body: {} }),
  door: (id: string, q: string, signal: AbortSignal) => apiRequest<Door>(`/api/gatherings/${enc(id)}/door`, { signal, query: q ? { q } : {} }),
  callListUrl: (id: string) => `/api/gatherings/${enc(id)}/call-list`,
};
