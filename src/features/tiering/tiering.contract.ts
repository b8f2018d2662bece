import { z } from 'zod';
import { DateText, Money } from '../../platform/contract.js';

// The API of tiers, policies and the branch tier mix, shared by the server (validation, OpenAPI)
// and the web app (types). Money is a decimal string in yuan.

export const LocalLabel = z.object({ zh: z.string(), en: z.string() });
export type LocalLabel = z.infer<typeof LocalLabel>;

/** The models shown as columns and filters of the customer list. */
export const LIST_MODELS = ['aum_band', 'relationship_tier'] as const;

export const CustomerTiersResponse = z.object({
  data: z.object({
    /** the business date of the facts and tiers shown; null before the first batch run */
    asOf: DateText.nullable(),
    models: z.array(
      z.object({
        model: z.string(),
        label: LocalLabel,
        tier: z.string(),
        tierLabel: LocalLabel,
        since: DateText,
        policyVersion: z.number().int(),
        /** why, from the facts that produced it: "AUM 52.30万 ≥ 50万" */
        because: LocalLabel,
      }),
    ),
    tags: z.array(z.object({ group: z.string(), groupLabel: LocalLabel, tag: z.string(), tagLabel: LocalLabel, since: DateText })),
    history: z.array(
      z.object({
        model: z.string(),
        label: LocalLabel,
        date: DateText,
        from: z.string().nullable(),
        fromLabel: LocalLabel.nullable(),
        to: z.string(),
        toLabel: LocalLabel,
        /** up or down in the model's order (first tier of a model: 'first') */
        direction: z.enum(['up', 'down', 'first', 'changed']),
        policyVersion: z.number().int(),
      }),
    ),
  }),
});

export const PolicyVersion = z.object({
  model: z.string(),
  version: z.number().int(),
  label: LocalLabel,
  effectiveFrom: DateText,
  publishedBy: z.string(),
  publishedAt: z.string(),
  reason: z.string(),
  /** the policy document (see tiering.policy.ts), as JSON */
  document: z.record(z.string(), z.unknown()),
  /** the same document as YAML, for editing */
  yaml: z.string(),
});
export const PoliciesResponse = z.object({ data: z.object({ items: z.array(PolicyVersion) }) });

/** A draft is sent as YAML text (what the editor holds) */
export const SimulateBody = z.object({ yaml: z.string().min(1).max(100_000), date: DateText.optional() });
export const PublishBody = z.object({
  yaml: z.string().min(1).max(100_000),
  reason: z.string().trim().min(1).max(500),
  effectiveFrom: DateText,
});
export const PublishResponse = z.object({ data: PolicyVersion });

export const SimulationResponse = z.object({
  data: z.object({
    businessDate: DateText,
    customers: z.number().int().describe('customers counted: those of the scope with facts on the date'),
    scope: z
      .object({
        all: z.boolean().describe('true: the whole bank'),
        branches: z.array(z.object({ branchId: z.string(), name: z.string() })).describe('the top branches of the scope, each with its subtree; empty for the whole bank'),
      })
      .describe("whose customers the figures cover: the signed-in user's scope"),
    models: z.array(
      z.object({
        model: z.string(),
        publishedVersion: z.number().int().nullable(),
        tiers: z.array(z.object({ tier: z.string(), customers: z.number().int(), aum: Money })),
        migration: z.array(z.object({ from: z.string().nullable(), to: z.string(), customers: z.number().int() })),
        moved: z.number().int(),
      }),
    ),
  }),
});

export const TierMixQuery = z.object({
  model: z.string().max(40).default('aum_band'),
  date: DateText.optional().describe('default: the latest evaluated business date'),
  branchId: z.string().max(40).optional().describe('a branch and its subtree; default: the whole scope'),
});
export const TierMixResponse = z.object({
  data: z.object({
    model: z.string(),
    label: LocalLabel,
    date: DateText.nullable(),
    tiers: z.array(z.object({ tier: z.string(), label: LocalLabel, customers: z.number().int(), aum: Money })),
    /** the dates evaluated, newest first, for the date pickers */
    dates: z.array(DateText),
    /** every model and tag group, for the model picker */
    models: z.array(z.object({ model: z.string(), label: LocalLabel })),
  }),
});

export const MigrationQuery = z.object({
  model: z.string().max(40).default('aum_band'),
  from: DateText,
  to: DateText,
  branchId: z.string().max(40).optional(),
});
export const MigrationResponse = z.object({
  data: z.object({
    model: z.string(),
    from: DateText,
    to: DateText,
    /** tiers in the model's order (rows and columns of the matrix) */
    tiers: z.array(z.object({ tier: z.string(), label: LocalLabel })),
    cells: z.array(z.object({ from: z.string().nullable(), to: z.string(), customers: z.number().int() })),
  }),
});
