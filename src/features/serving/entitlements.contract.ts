import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';

// The API of service entitlements (issue 22 §2; POLICIES "Service entitlements"). Shared by the
// server (validation, OpenAPI) and the web app (types).

const Label = z.object({ zh: z.string(), en: z.string() });
export const Entitled = z.object({
  id: z.string().describe('priority_queue, fast_lane, dedicated_manager, fees_waived, health_check_lounge, birthday_visit (the policy may add others)'),
  label: Label,
  why: z.array(z.string()).describe('every rule of the policy the customer meets, with their value: "aum_band band_3 ≥ band_3", "AUM 1,234,567.00 in [1,000,000, 3,000,000)"'),
});
export type Entitled = z.infer<typeof Entitled>;

export const CustomerEntitlementsResponse = z.object({
  data: z.object({
    customerId: z.string(),
    policyVersion: z.number().int(),
    standing: z
      .object({
        aumBand: z.string().nullable(),
        valueTier: z.string().nullable(),
        cardGrade: z.string().nullable().describe('the highest active VIP card grade'),
        aum: Money.nullable(),
        aumDate: DateText.nullable().describe('the business date of the AUM'),
      })
      .describe('what the entitlements are judged on'),
    entitlements: z.array(Entitled),
  }),
});

const PolicyVersion = z.object({
  version: z.number().int(),
  effectiveFrom: DateText,
  publishedBy: z.string(),
  publishedAt: z.string(),
  reason: z.string(),
  yaml: z.string().describe('the policy as YAML, for editing'),
});
export const EntitlementPoliciesResponse = z.object({ data: z.object({ inEffect: z.number().int().describe('the version in effect today'), items: z.array(PolicyVersion) }) });

export const DraftBody = z.object({ yaml: z.string().min(1).max(50_000) });
export const CheckResponse = z.object({
  data: z.object({
    valid: z.boolean(),
    problems: z.array(z.object({ path: z.string(), line: z.number().int().nullable(), message: z.string() })),
  }),
});
export const SimulateResponse = z.object({
  data: z.object({
    customers: z.number().int().describe('active customers of your scope'),
    publishedVersion: z.number().int(),
    entitlements: z.array(z.object({ id: z.string(), label: Label, draft: z.number().int().nullable(), published: z.number().int().nullable() })),
  }),
});
export const PublishBody = z.object({ yaml: z.string().min(1).max(50_000), reason: z.string().trim().min(1).max(500), effectiveFrom: DateText });
export const PublishResponse = z.object({ data: PolicyVersion });
