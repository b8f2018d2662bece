import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';

// The API of households (issue 23 §1): a customer's household as the night's batch computed it
// (members, AUM, band) and the links staff add between two customers, with the customer's consent
// noted. Shared by the server (validation, OpenAPI) and the web app (types).

export const RELATIONS = ['spouse', 'parent', 'child', 'sibling', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];
export const RELATIONS_TO_HEAD = ['self', ...RELATIONS] as const;
export const BANDS = ['below', 'band_1', 'band_2', 'band_3', 'band_4', 'band_5'] as const;

export const HouseholdMember = z.object({
  customerId: z.string(),
  /** masked for a member outside your scope, and for the roles that see names masked */
  name: z.string(),
  /** what the member is to the head: self, spouse, parent, child, sibling, other (also a member related through others) */
  relationToHead: z.enum(RELATIONS_TO_HEAD),
  /** the member's own AUM: null for a member outside your scope */
  aum: Money.nullable(),
  inScope: z.boolean(),
  /**
   * the events of the member's open risk reminders (aum_fall, large_outflow, card_cancelled…), for
   * whoever sees the member and for the household's owner (the head's primary owner) even where
   * the member is someone else's customer; empty otherwise
   */
  openRisks: z.array(z.string()),
});

export const Household = z.object({
  householdId: z.string(),
  /** the business date the batch computed it for */
  businessDate: DateText,
  headCustomerId: z.string(),
  aum: Money,
  /** aum_band on the household's AUM */
  band: z.string(),
  /** the household's owner: the primary owner of its head (null: the head has none) */
  ownerStaffId: z.string().nullable(),
  members: z.array(HouseholdMember),
});

export const HouseholdLink = z.object({
  relatedCustomerId: z.string(),
  name: z.string(),
  /** what the related customer is to this customer */
  relation: z.enum(RELATIONS),
  consentNote: z.string(),
  consentOn: DateText,
  /** the login of who recorded the link, and their name (an administrator's login when not staff) */
  createdBy: z.string(),
  createdByName: z.string(),
  createdAt: z.string(),
});
export type HouseholdLink = z.infer<typeof HouseholdLink>;

export const HouseholdResponse = z.object({
  data: z.object({
    /** null: the customer is in no household (no relation) on the last computed date */
    household: Household.nullable(),
    /** links staff added for this customer (they join the household from the next daily batch) */
    links: z.array(HouseholdLink),
  }),
});
export type HouseholdView = z.infer<typeof HouseholdResponse>['data'];

export const LinkBody = z.object({
  relatedCustomerId: z.string().min(1).max(40),
  relation: z.enum(RELATIONS).describe('what the related customer is to this customer'),
  consentNote: z.string().max(500).describe("how the customer agreed to the link (required, 2 to 500 characters)"),
  consentOn: DateText.optional().describe('when the customer agreed (default today, China time); not in the future'),
});
export const LinkParams = z.object({ customerId: z.string().min(1).max(40), relatedCustomerId: z.string().min(1).max(40) });
export const LinkResponse = z.object({ data: HouseholdLink });
export const UnlinkResponse = z.object({ data: z.object({ removed: z.boolean() }) });
