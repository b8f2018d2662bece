import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';
import { EVENT_KINDS } from '../events/events.policy.js';
import { CONTACT_CHANNELS } from '../profile/profile.rules.js';

// The API of customer groups (客户分组, issue 21 §1): saved filters over the customers a reader
// sees. Shared by the server (validation, OpenAPI) and the web app (types). Within one criterion
// the values are alternatives (any of these tiers); the criteria all hold together.

const Code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).max(60);
export const PRODUCT_KINDS = ['time_deposit', 'wealth', 'fund', 'insurance'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

export const GroupFilter = z
  .object({
    tiers: z
      .array(z.object({ model: Code.describe('a tiering model, e.g. aum_band, value_tier, relationship_tier'), tiers: z.array(Code).min(1).max(20) }).strict())
      .max(10)
      .optional()
      .describe("the customer holds one of these tiers of the model (the latest batch run's)"),
    tags: z
      .array(z.object({ group: Code.describe('a tag group of the tags policy'), tags: z.array(Code).min(1).max(20) }).strict())
      .max(10)
      .optional()
      .describe('the customer carries one of these tags of the group'),
    aumBands: z.array(Code).min(1).max(10).optional().describe('the aum_band tier is one of these, e.g. band_4, band_5'),
    aumMin: z.number().min(0).max(1e15).optional().describe('AUM of the latest business date at least this (yuan)'),
    aumMax: z.number().min(0).max(1e15).optional().describe('AUM below this (yuan)'),
    openEventKinds: z.array(z.enum(EVENT_KINDS)).min(1).max(4).optional().describe('the customer has an open reminder of one of these kinds'),
    openEvents: z.array(Code).min(1).max(20).optional().describe('the customer has an open reminder of one of these events (e.g. td_maturing)'),
    products: z.array(z.enum(PRODUCT_KINDS)).min(1).max(4).optional().describe('the customer holds each of these (a balance above 0 on the latest business date)'),
    branchIds: z.array(Code).min(1).max(50).optional().describe('customers of these branches (each with its subtree), within your scope'),
    ownerIds: z.array(Code).min(1).max(50).optional().describe('customers these staff members own or co-own'),
    interests: z.array(z.string().min(1).max(20)).min(1).max(20).optional().describe("the customer's profile lists one of these interests (issue 23)"),
    contactChannels: z.array(z.enum(CONTACT_CHANNELS)).min(1).max(5).optional().describe("the customer's preferred contact channel is one of these"),
    completenessBelow: z.number().int().min(1).max(9).optional().describe('profile completeness (as the last batch computed it) below this many of 9 fields'),
  })
  .strict();
export type GroupFilter = z.infer<typeof GroupFilter>;

export const PREVIEW_SIZE = 20;

export const GroupMember = z.object({
  customerId: z.string(),
  /** as the customer list shows it: masked for the roles that see names masked */
  name: z.string(),
  gender: z.enum(['M', 'F']).nullable(),
  /** masked: 138****5678 */
  phone: z.string().nullable(),
  branch: z.object({ id: z.string(), name: z.string() }),
  aum: Money,
  aumBand: z.string().nullable(),
});
export type GroupMember = z.infer<typeof GroupMember>;

export const GroupCount = z.object({
  count: z.number().int().describe('customers matching the filter within your scope'),
  preview: z.array(GroupMember).describe(`the first ${PREVIEW_SIZE} by AUM, highest first`),
  asOf: DateText.nullable().describe('the business date of the AUM figures'),
});
export const GroupCountResponse = z.object({ data: GroupCount });
export const GroupCountBody = z.object({ filter: GroupFilter }).strict();

const StaffBrief = z.object({ staffId: z.string(), name: z.string() });
export const Group = z.object({
  groupId: z.string(),
  name: z.string(),
  filter: GroupFilter,
  branch: z.object({ id: z.string(), name: z.string() }),
  createdBy: StaffBrief,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** the signed-in user may change or delete it */
  editable: z.boolean(),
});
export type Group = z.infer<typeof Group>;

export const GroupBody = z.object({ name: z.string().min(1).max(60), filter: GroupFilter }).strict();
export const GroupParams = z.object({ groupId: z.string().min(1).max(60) });
export const GroupResponse = z.object({ data: Group });
export const GroupsResponse = z.object({ data: z.object({ items: z.array(Group) }) });
export const DeletedResponse = z.object({ data: z.object({ deleted: z.boolean() }) });
