import type { z } from 'zod';
import type {
  CONTACT_OUTCOMES,
  ContactBody,
  MaturingResponse,
  PlanComment,
  PlansOverviewResponse,
  RemindersResponse,
  ReminderKey,
  TimelineResponse,
  WORKLOG_CHANNELS,
  WorkLogResponse,
} from '../../../features/worklist/worklist.contract.js';
import type { Contact, Plan, PlanItem, Reminder, ReminderKind } from '../../../features/worklist/worklist.contract.js';
import { apiRequest, withQuery } from '../../app/api.js';

// The worklist API as the pages use it; types come from the shared contract (types only).

export type { Contact, Plan, PlanItem, Reminder, ReminderKind, ReminderKey };
export type Reminders = z.infer<typeof RemindersResponse>['data'];
export type PlansOverview = z.infer<typeof PlansOverviewResponse>['data'];
export type PlanSummary = PlansOverview['items'][number];
export type PlanCommentData = z.infer<typeof PlanComment>;
export type WorkLog = z.infer<typeof WorkLogResponse>['data'];
export type Timeline = z.infer<typeof TimelineResponse>['data'];
export type TimelineEntry = Timeline['items'][number];
export type Maturing = z.infer<typeof MaturingResponse>['data'];
export type MaturingItem = Maturing['items'][number];
export type Channel = (typeof WORKLOG_CHANNELS)[number];
export type Outcome = (typeof CONTACT_OUTCOMES)[number];
export type NewContact = z.input<typeof ContactBody>;
export type ReminderAction = { action: 'done' } | { action: 'dismiss'; reason: string } | { action: 'snooze'; until: string } | { action: 'reopen' };
export type Sheet = 'customer_info' | 'contact_log';

export const KIND_LIST: readonly ReminderKind[] = ['risk', 'opportunity', 'information', 'work_task'];
export const CHANNEL_LIST: readonly Channel[] = ['phone', 'sms', 'visit', 'branch', 'wechat'];
export const OUTCOME_LIST: readonly Outcome[] = ['reached', 'not_reached', 'interested', 'declined', 'appointment', 'product_sold', 'service_done'];

const enc = encodeURIComponent;

export const worklistApi = {
  reminders: (q: { kind?: ReminderKind; customerId?: string; page?: number; pageSize?: number }, signal: AbortSignal) =>
    apiRequest<Reminders>('/api/worklist/reminders', { query: { ...q }, signal }),
  act: (key: ReminderKey, body: ReminderAction) =>
    apiRequest<Reminder>(`/api/worklist/reminders/${enc(key.customerId)}/${enc(key.event)}/${enc(key.occurrence)}`, { method: 'POST', body }),
  plan: (q: { date?: string; staffId?: string }, signal: AbortSignal) => apiRequest<Plan | null>('/api/worklist/plan', { query: q, signal }),
  changePlan: (body: { action: 'reorder'; customerIds: string[] } | { action: 'add' | 'remove'; customerId: string }) =>
    apiRequest<Plan | null>('/api/worklist/plan', { method: 'POST', body }),
  plans: (q: { date?: string }, signal: AbortSignal) => apiRequest<PlansOverview>('/api/worklist/plans', { query: q, signal }),
  comment: (staffId: string, date: string, body: string) => apiRequest<PlanCommentData>('/api/worklist/plans/comments', { method: 'POST', body: { staffId, date, body } }),
  logContact: (body: NewContact) => apiRequest<Contact>('/api/worklist/contacts', { method: 'POST', body }),
  log: (q: { from: string; to: string; staffId?: string }, signal: AbortSignal) => apiRequest<WorkLog>('/api/worklist/log', { query: q, signal }),
  timeline: (customerId: string, signal: AbortSignal) => apiRequest<Timeline>(`/api/customers/${enc(customerId)}/timeline`, { signal }),
  maturing: (q: { window: 'past' | 'next' | 'both'; staffId?: string; page: number; pageSize: number }, signal: AbortSignal) =>
    apiRequest<Maturing>('/api/worklist/maturing', { query: q, signal }),
  /** a plain link: the browser downloads the .xlsx with the session cookie */
  sheetUrl: (sheet: Sheet, q: { staffId?: string; from?: string; to?: string } = {}) => withQuery('/api/worklist/sheets', { sheet, ...q }),
};
