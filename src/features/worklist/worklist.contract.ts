import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { ROLES } from '../access/access.permissions.js';

// The API of every morning's work (issue 6): reminders, the contact plan, the work log, the
// products maturing list and the bank's Excel sheets. Shared by the server (validation, OpenAPI)
// and the web app (types). Money is an exact decimal string in yuan; dates are 'YYYY-MM-DD'.
// Free-text reasons and notes are checked in the service too (a clear error at the field, zh/en).

const Id = z.string().min(1).max(40);

export const REMINDER_KINDS = ['risk', 'opportunity', 'information', 'work_task'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export const REMINDER_STATUSES = ['open', 'done', 'dismissed', 'expired'] as const;
/** the work log's channels (issue 6: phone, SMS, visit, branch, WeChat) */
export const WORKLOG_CHANNELS = ['phone', 'sms', 'visit', 'branch', 'wechat'] as const;
export const CONTACT_OUTCOMES = ['reached', 'not_reached', 'interested', 'declined', 'appointment', 'product_sold', 'service_done'] as const;
export const PLAN_REASONS = ['risk', 'opportunity', 'due_contact', 'next_contact', 'manual'] as const;
export const CONTACT_SOURCES = ['plan', 'reminder', 'customer'] as const;

export const StaffRef = z.object({ staffId: z.string(), name: z.string(), role: z.enum(ROLES) });

/** The customer as every worklist row shows it (name masked for the lobby roles). */
export const CustomerBrief = z.object({
  customerId: z.string(),
  name: z.string(),
  aum: Money,
  aumBand: z.string().nullable(),
  relationshipTier: z.string().nullable(),
  /** do-not-disturb, or no marketing consent: service contact only */
  serviceOnly: z.boolean(),
  /** why marketing is disabled, in the request's language (null when it is not) */
  serviceOnlyReason: z.string().nullable(),
});
export type CustomerBrief = z.infer<typeof CustomerBrief>;

export const Reminder = z.object({
  /** null: a reminder about no customer (event coaching_follow_up: the monthly review's coaching follow-up, facts.staff_id the manager) */
  customer: CustomerBrief.nullable(),
  event: z.string(),
  occurrence: z.string(),
  kind: z.enum(REMINDER_KINDS),
  /** amounts (yuan strings), dates, channel, share of AUM, threshold… as the batch recorded them */
  facts: z.record(z.string(), z.unknown()),
  /** one sentence from the facts, in the request's language: "大额支出 32.5万（11-20，手机银行），占金融资产 41%" */
  summary: z.string(),
  firstDate: DateText,
  lastDate: DateText,
  dueOn: DateText,
  status: z.enum(REMINDER_STATUSES),
  snoozedUntil: DateText.nullable(),
  closedReason: z.string().nullable(),
  /** marketing actions (offer, product pitch) allowed on it: false for service-only customers, with customer.serviceOnlyReason */
  marketingAllowed: z.boolean(),
});
export type Reminder = z.infer<typeof Reminder>;
/** path parameters naming one reminder of the signed-in owner */
export const ReminderKey = z.object({ customerId: Id, event: z.string().min(1).max(60), occurrence: z.string().max(200) });
export type ReminderKey = z.infer<typeof ReminderKey>;

export const RemindersQuery = z.object({
  kind: z.enum(REMINDER_KINDS).optional(),
  status: z.enum(['open', 'snoozed', 'closed']).default('open').describe('open: open and not snoozed past today'),
  customerId: Id.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const RemindersResponse = z.object({
  data: z.object({
    asOf: DateText.nullable(),
    /** open (not snoozed) reminders per kind, whatever the filter */
    counts: z.object({ risk: z.number().int(), opportunity: z.number().int(), information: z.number().int(), work_task: z.number().int() }),
    items: z.array(Reminder),
    total: z.number().int(),
  }),
});

export const ReminderActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('done') }),
  z.object({ action: z.literal('dismiss'), reason: z.string().max(200) }),
  z.object({ action: z.literal('snooze'), until: DateText }),
  z.object({ action: z.literal('reopen') }),
]);
export const ReminderResponse = z.object({ data: Reminder });

// the contact plan
export const PlanItem = z.object({
  customer: CustomerBrief,
  position: z.number().int(),
  reason: z.enum(PLAN_REASONS),
  /** why, in the request's language: "风险提醒：大额支出 32.5万" / "距上次联络 45 天（应每 30 天）" */
  reasonText: z.string(),
  facts: z.record(z.string(), z.unknown()),
  source: z.enum(['batch', 'manual']),
  status: z.enum(['planned', 'contacted', 'removed']),
  /** open reminders of this owner about this customer (linked: closed when the contact is logged) */
  reminders: z.array(ReminderKey.extend({ kind: z.enum(REMINDER_KINDS), summary: z.string() })),
  lastContact: z.string().nullable().describe('ISO time of the last recorded contact by any owner'),
});
export type PlanItem = z.infer<typeof PlanItem>;
export const PlanComment = z.object({ commentId: z.string(), author: StaffRef, body: z.string(), createdAt: z.string() });
export const Plan = z.object({
  staff: StaffRef,
  planDate: DateText.describe('the business date whose data made it'),
  workDate: DateText.describe('the working day it is for'),
  size: z.number().int(),
  items: z.array(PlanItem),
  /** execution: planned items contacted so far / planned items not removed */
  contacted: z.number().int(),
  planned: z.number().int(),
  comments: z.array(PlanComment),
  reviewedAt: z.string().nullable(),
});
export type Plan = z.infer<typeof Plan>;
export const PlanQuery = z.object({ date: DateText.optional().describe('the plan date; the latest when absent'), staffId: Id.optional().describe("a branch head: another owner's plan in the branch") });
export const PlanResponse = z.object({ data: Plan.nullable() });
export const PlanChangeBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('reorder'), customerIds: z.array(Id).min(1).max(500).describe('the plan items in their new order') }),
  z.object({ action: z.literal('add'), customerId: Id }),
  z.object({ action: z.literal('remove'), customerId: Id }),
]);

/** a branch head's view of every owner's plan of a date and its execution */
export const PlansOverviewQuery = z.object({ date: DateText.optional(), branchId: Id.optional() });
export const PlanSummary = z.object({
  staff: StaffRef,
  branch: z.object({ id: z.string(), name: z.string() }),
  planDate: DateText,
  planned: z.number().int(),
  contacted: z.number().int(),
  removed: z.number().int(),
  added: z.number().int(),
  openRisk: z.number().int(),
  comments: z.number().int(),
  reviewedAt: z.string().nullable(),
});
export const PlansOverviewResponse = z.object({ data: z.object({ planDate: DateText.nullable(), items: z.array(PlanSummary) }) });
export const PlanCommentBody = z.object({ staffId: Id, date: DateText, body: z.string().max(1000) });
export const PlanCommentResponse = z.object({ data: PlanComment });

// the work log
export const ContactBody = z.object({
  customerId: Id,
  channel: z.enum(WORKLOG_CHANNELS),
  outcome: z.enum(CONTACT_OUTCOMES),
  notes: z.string().max(2000).optional(),
  /** when it happened; now when absent (not in the future) */
  contactedAt: z.string().datetime({ offset: true }).optional(),
  nextContactOn: DateText.optional().describe('feeds the plans: the customer is due on that date'),
  /** reminders of the signed-in owner about this customer closed by this contact (done) */
  reminders: z.array(ReminderKey.omit({ customerId: true })).max(50).default([]),
  source: z.enum(CONTACT_SOURCES).default('customer'),
});
export type ContactBody = z.infer<typeof ContactBody>;
export const Contact = z.object({
  contactId: z.string(),
  customer: z.object({ customerId: z.string(), name: z.string() }),
  staff: StaffRef,
  contactedAt: z.string(),
  channel: z.string(),
  outcome: z.string().nullable(),
  notes: z.string().nullable(),
  nextContactOn: DateText.nullable(),
  source: z.string(),
  /** the reminders it closed */
  closedReminders: z.array(z.object({ event: z.string(), occurrence: z.string(), kind: z.enum(REMINDER_KINDS), summary: z.string() })),
});
export type Contact = z.infer<typeof Contact>;
export const ContactResponse = z.object({ data: Contact });
export const WorkLogQuery = z.object({
  from: DateText,
  to: DateText,
  staffId: Id.optional().describe("a branch head: an owner's log in the branch; yourself when absent"),
});
export const WorkLogResponse = z.object({
  data: z.object({
    /** per day (China time) of the range: how many contacts */
    days: z.array(z.object({ date: DateText, contacts: z.number().int() })),
    items: z.array(Contact),
  }),
});

/** the customer's timeline on the 360 page: contacts, reminders and tier changes, newest first */
export const TimelineEntry = z.object({
  at: z.string().describe('ISO time, or a date for batch entries'),
  type: z.enum(['contact', 'reminder', 'tier_change']),
  title: z.string(),
  detail: z.string().nullable(),
  staff: StaffRef.nullable(),
});
export const TimelineResponse = z.object({ data: z.object({ items: z.array(TimelineEntry), nextContactOn: DateText.nullable() }) });

// products maturing (seed 003): wealth products and time deposits, past 90 and next 90 days
export const MaturingQuery = z.object({
  window: z.enum(['past', 'next', 'both']).default('both'),
  days: z.coerce.number().int().min(1).max(90).default(90),
  staffId: Id.optional().describe('a branch head: one owner; all owners in scope when absent'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const MaturingItem = z.object({
  customer: CustomerBrief,
  accountId: z.string(),
  kind: z.enum(['wealth', 'time_deposit']),
  productCode: z.string().nullable(),
  productName: z.string().nullable(),
  amount: Money,
  maturesOn: DateText,
  daysFromToday: z.number().int().describe('negative: matured that many days ago'),
  reinvested: z.boolean().describe('matured, and a wealth or time-deposit account opened on or after that date'),
  owner: StaffRef.nullable(),
});
export const MaturingResponse = z.object({ data: z.object({ asOf: DateText.nullable(), items: z.array(MaturingItem), total: z.number().int(), totalAmount: Money }) });

// the bank's Excel sheets (exports: audited, masked by role)
export const SheetQuery = z.object({
  sheet: z.enum(['customer_info', 'contact_log']).describe('个人客户信息梳理表 or 递进沟通表'),
  staffId: Id.optional().describe('a branch head: one owner; yourself (or your scope) when absent'),
  from: DateText.optional().describe('contact_log: first day'),
  to: DateText.optional().describe('contact_log: last day'),
});
