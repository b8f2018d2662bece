import type { z } from 'zod';
import type { CampaignBody, CampaignResponse, CampaignsResponse, SendResponse } from '../../../features/outreach/campaigns.contract.js';
import type { GroupCountResponse, GroupFilter, GroupResponse, GroupsResponse } from '../../../features/outreach/groups.contract.js';
import type { PreviewBody, PreviewResponse, TemplateBody, TemplateResponse, TemplatesResponse, TemplateVersionsResponse } from '../../../features/outreach/templates.contract.js';
import { apiRequest } from '../../app/api.js';

// Customer groups, message templates and campaigns as the pages use them; types from the shared contracts.

export type Filter = GroupFilter;
export type Counted = z.infer<typeof GroupCountResponse>['data'];
export type Member = Counted['preview'][number];
export type Group = z.infer<typeof GroupResponse>['data'];
export type Template = z.infer<typeof TemplateResponse>['data'];
export type Preview = z.infer<typeof PreviewResponse>['data'];
export type Campaign = z.infer<typeof CampaignResponse>['data'];
export type CampaignItem = z.infer<typeof CampaignsResponse>['data']['items'][number];
export type Sent = z.infer<typeof SendResponse>['data'];
export interface Branch {
  id: string;
  name: string;
  parentId: string | null;
  level: string;
}

const enc = encodeURIComponent;

export const outreachApi = {
  count: (filter: Filter, signal?: AbortSignal) => apiRequest<Counted>('/api/groups/count', { method: 'POST', body: { filter }, ...(signal ? { signal } : {}) }),
  groups: (signal: AbortSignal) => apiRequest<z.infer<typeof GroupsResponse>['data']>('/api/groups', { signal }),
  createGroup: (name: string, filter: Filter) => apiRequest<Group>('/api/groups', { method: 'POST', body: { name, filter } }),
  updateGroup: (id: string, name: string, filter: Filter) => apiRequest<Group>(`/api/groups/${enc(id)}`, { method: 'PUT', body: { name, filter } }),
  deleteGroup: (id: string) => apiRequest<{ deleted: boolean }>(`/api/groups/${enc(id)}`, { method: 'DELETE' }),
  branches: (signal: AbortSignal) => apiRequest<{ items: Branch[] }>('/api/branches', { signal }),
  templates: (signal: AbortSignal) => apiRequest<z.infer<typeof TemplatesResponse>['data']>('/api/templates', { signal }),
  versions: (id: string, signal: AbortSignal) => apiRequest<z.infer<typeof TemplateVersionsResponse>['data']>(`/api/templates/${enc(id)}`, { signal }),
  createTemplate: (body: z.input<typeof TemplateBody>) => apiRequest<Template>('/api/templates', { method: 'POST', body }),
  updateTemplate: (id: string, body: z.input<typeof TemplateBody>) => apiRequest<Template>(`/api/templates/${enc(id)}`, { method: 'PUT', body }),
  submit: (id: string) => apiRequest<Template>(`/api/templates/${enc(id)}/submit`, { method: 'POST', body: {} }),
  decide: (id: string, decision: 'approve' | 'reject', note?: string) => apiRequest<Template>(`/api/templates/${enc(id)}/decision`, { method: 'POST', body: { decision, ...(note ? { note } : {}) } }),
  campaigns: (signal: AbortSignal) => apiRequest<z.infer<typeof CampaignsResponse>['data']>('/api/campaigns', { signal }),
  campaign: (id: string, signal: AbortSignal) => apiRequest<Campaign>(`/api/campaigns/${enc(id)}`, { signal }),
  createCampaign: (body: z.input<typeof CampaignBody>) => apiRequest<Campaign>('/api/campaigns', { method: 'POST', body }),
  approveCampaign: (id: string) => apiRequest<Campaign>(`/api/campaigns/${enc(id)}/approve`, { method: 'POST', body: {} }),
  sendCampaign: (id: string) => apiRequest<Sent>(`/api/campaigns/${enc(id)}/send`, { method: 'POST', body: {} }),
  preview: (body: z.input<typeof PreviewBody>, signal?: AbortSignal) => apiRequest<Preview>('/api/templates/preview', { method: 'POST', body, ...(signal ? { signal } : {}) }),
};
