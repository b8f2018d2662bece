import { z } from 'zod';
import { DateText } from '../../platform/contract.js';
import { StaffRef } from '../worklist/worklist.contract.js';
import { CONTACT_CHANNELS, CONTACT_TIMES, CORE_FIELDS, PROFILE_FIELDS } from './profile.rules.js';

// The API of a customer's profile (issue 23 §2): what staff collect, proposals for the core
// system, completeness, and the outlet's list of customers to complete. Shared by the server
// (validation, OpenAPI) and the web app (types).

const ChinaTime = z.string().describe('ISO 8601 in China time, e.g. 2026-12-05T10:30:00+08:00');

export const CoreValue = z.object({
  field: z.enum(CORE_FIELDS),
  feedValue: z.string().nullable().describe("the core system's value from the feed (phone and address masked; birth date and income only with pii.details)"),
  proposal: z
    .object({ value: z.string().nullable().describe('masked like the feed value'), proposedBy: StaffRef, proposedAt: ChinaTime })
    .nullable()
    .describe('an open proposal for entry in the core system, listed in the 个人客户信息梳理表'),
});
export const Profile = z.object({
  customerId: z.string(),
  core: z.array(CoreValue),
  interests: z.array(z.string()),
  familyNotes: z.string().nullable(),
  contactTime: z.enum(CONTACT_TIMES).nullable(),
  contactChannel: z.enum(CONTACT_CHANNELS).nullable(),
  updatedBy: StaffRef.nullable(),
  updatedAt: ChinaTime.nullable(),
  completeness: z
    .object({ businessDate: DateText, filled: z.number().int(), of: z.number().int(), missing: z.array(z.enum(PROFILE_FIELDS)) })
    .nullable()
    .describe('as the last daily batch computed it (null: not computed yet)'),
  canEdit: z.boolean(),
});
export type Profile = z.infer<typeof Profile>;
export const ProfileResponse = z.object({ data: Profile });

export const ProfileBody = z.object({
  phone: z.string().max(20).optional().describe('a mainland mobile number (1[3-9] and 9 digits): a proposal for the core system'),
  address: z.string().max(200).optional().describe('a proposal for the core system'),
  birthDate: z.string().max(10).optional().describe('YYYY-MM-DD, not in the future: a proposal for the core system'),
  occupation: z.string().max(60).optional().describe('a proposal for the core system'),
  annualIncome: z.number().optional().describe('yuan, 0 or more: a proposal for the core system'),
  interests: z.array(z.string().max(20)).max(20).optional().describe("Stratum's own: short tags; [] clears"),
  familyNotes: z.string().max(500).nullable().optional().describe('Stratum’s own; "none" / "无" when there is no family to record; null clears'),
  contactTime: z.enum(CONTACT_TIMES).nullable().optional(),
  contactChannel: z.enum(CONTACT_CHANNELS).nullable().optional(),
});
export type ProfileBody = z.infer<typeof ProfileBody>;

export const OutletQuery = z.object({
  branchId: z.string().max(40).optional().describe('the outlet (default: your own branch); within your branches'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const OutletRow = z.object({
  customerId: z.string(),
  name: z.string(),
  aum: z.string().describe('yuan'),
  aumBand: z.string().nullable(),
  filled: z.number().int(),
  of: z.number().int(),
  missing: z.array(z.enum(PROFILE_FIELDS)),
  assignee: z.enum(['owner', 'tellers']),
  owner: StaffRef.nullable(),
});
export const OutletResponse = z.object({
  data: z.object({ businessDate: DateText.nullable(), branch: z.object({ id: z.string(), name: z.string() }), items: z.array(OutletRow), total: z.number().int() }),
});
export type OutletRow = z.infer<typeof OutletRow>;
