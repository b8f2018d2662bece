import { z } from 'zod';
import { Entitled } from './entitlements.contract.js';

// The API of the counter's view (issue 22 §3). Shared by the server (validation, OpenAPI) and the web app (types).

export const MATCHED_BY = ['phone_tail', 'id_tail', 'card', 'customer_id', 'name'] as const;

export const CounterSearchQuery = z.object({
  q: z.string().trim().min(1).max(40).describe("the last 4 digits of the phone or of the ID number (3 digits and X), a card or customer number, or the beginning of the name"),
});
export const CounterHit = z.object({
  customerId: z.string(),
  matchedBy: z.enum(MATCHED_BY),
  name: z.string().describe('masked (张*明) for the lobby manager and the lobby assistant'),
  phone: z.string().nullable().describe('always masked'),
  idNumber: z.string().nullable().describe('always masked'),
  branch: z.object({ branchId: z.string(), name: z.string() }),
  aumBand: z.string().nullable(),
  cardGrade: z.string().nullable(),
  entitlements: z.array(Entitled),
  owner: z.object({ staffId: z.string(), name: z.string() }).nullable().describe('the primary owner'),
  openReminders: z.number().int(),
  openOpportunities: z.number().int(),
});
export type CounterHit = z.infer<typeof CounterHit>;
export const CounterSearchResponse = z.object({
  data: z.object({ q: z.string(), readings: z.array(z.enum(MATCHED_BY)).describe('how the text was read'), items: z.array(CounterHit).describe('at most 20, within your scope') }),
});

export const ManagersResponse = z.object({
  data: z.object({ day: z.string(), items: z.array(z.object({ staffId: z.string(), name: z.string(), available: z.boolean() })) }),
});
export const HandoverBody = z.object({ customerId: z.string().trim().min(1).max(40), staffId: z.string().trim().min(1).max(40), note: z.string().max(500).optional() });
export const HandoverResponse = z.object({
  data: z.object({ handoverId: z.string(), customerId: z.string(), to: z.object({ staffId: z.string(), name: z.string() }), note: z.string().nullable(), handedAt: z.string() }),
});
export const AvailabilityBody = z.object({ away: z.boolean() });
export const AvailabilityResponse = z.object({ data: z.object({ day: z.string().describe('today, China time'), away: z.boolean() }) });
