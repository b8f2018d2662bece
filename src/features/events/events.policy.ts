import { z } from 'zod';
import { BUILT_IN_TIERS, builtInTiers, type PolicyProblem } from '../tiering/tiering.policy.js';

// The events policy (kind 'events', model 'events'): the thresholds of event detection, and the
// contact frequency and plan order the reminders and plans read. It is kept as versions in the
// same `policies` table as the tiering models; its document has its own checked shape.

export const EVENT_KINDS = ['risk', 'opportunity', 'information', 'work_task'] as const; // seed 003
export type EventKind = (typeof EVENT_KINDS)[number];
export const AUM_BANDS = BUILT_IN_TIERS.aum_band ?? [];
export const CARD_GRADES = ['ordinary', 'gold', 'platinum', 'diamond'] as const;
export const FESTIVALS = ['spring_festival', 'lantern', 'dragon_boat', 'mid_autumn', 'national_day', 'new_year'] as const;
export type Festival = (typeof FESTIVALS)[number];
export const PLAN_GROUPS = ['open_risk_reminders', 'open_opportunity_reminders', 'due_contacts'] as const;

const Kind = z.enum(EVENT_KINDS);
const Band = z.enum(AUM_BANDS as [string, ...string[]]);
const Money = z.number().nonnegative();
const Days = z.number().int().min(0).max(60);
const PerBand = <T extends z.ZodType>(v: T) => z.record(Band, v);
const Simple = z.object({ kind: Kind }).strict();
const Window = z.object({ kind: Kind, window_days: Days }).strict();
const Flow = z.object({ kind: Kind, thresholds: PerBand(z.number().positive()) }).strict();
const Change = z.object({ kind: Kind, lookback_days: z.number().int().min(1).max(366), min_share: z.number().positive().max(1), min_amount: Money }).strict();

export const EventsPolicy = z
  .object({
    model: z.literal('events'),
    kind: z.literal('events'),
    label: z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict(),
    description: z.string().optional(),
    band_model: z.literal('aum_band'),
    events: z
      .object({
        birthday_soon: Window,
        anniversary_soon: Window,
        // seed 000: festival greetings go out in the branch's name from this band up (optional: versions published before it existed have none)
        festival_soon: z.object({ kind: Kind, window_days: Days, min_band: Band, in_branch_name_from: Band.optional(), festivals: z.array(z.enum(FESTIVALS)) }).strict(),
        large_inflow: Flow,
        large_outflow: Flow,
        aum_rise: Change,
        aum_fall: Change,
        maturing: Window,
        matured_not_reinvested: Window.extend({ window_days: Days.min(1) }),
        card_cancelled: Simple,
        vip_card_due: Simple,
        card_below_standard: Simple,
        tier_changed: z.object({ kind: Kind, kind_when_up: Kind, models: z.record(z.string(), z.array(z.string()).min(2)) }).strict(),
      })
      .strict(),
    card_standards: z.object({ gold: z.number().positive(), platinum: z.number().positive(), diamond: z.number().positive() }).strict(),
    contact: z.object({ frequency_days: PerBand(z.number().int().positive().nullable()) }).strict(),
    // optional: versions published before it existed expire undated reminders after 30 days
    reminders: z.object({ expire_after_days: z.number().int().min(1).max(366) }).strict().optional(),
    plan: z
      .object({
        size: z.number().int().min(1).max(200),
        order: z.array(z.enum(PLAN_GROUPS)).min(1),
        within_group: z.literal('aum_desc'),
        do_not_disturb: z.literal('service_only'),
      })
      .strict(),
  })
  .strict();
export type EventsPolicy = z.infer<typeof EventsPolicy>;
export type EventType = keyof EventsPolicy['events'];

const pathText = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Every problem of an events policy, each with where it is; an empty list means it is valid. */
export function checkEventsPolicy(input: unknown): { policy?: EventsPolicy; problems: PolicyProblem[] } {
  const parsed = EventsPolicy.safeParse(input);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => ({ path: pathText(i.path) || '(document)', message: i.message })) };
  const policy = parsed.data;
  const problems: PolicyProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const dupes = (list: readonly string[], path: string) =>
    list.forEach((x, i) => {
      if (list.indexOf(x) !== i) add(`${path}[${i}]`, `'${x}' is listed twice`);
    });

  const { gold, platinum, diamond } = policy.card_standards;
  if (platinum <= gold) add('card_standards.platinum', `(${platinum}) is not above card_standards.gold (${gold})`);
  if (diamond <= platinum) add('card_standards.diamond', `(${diamond}) is not above card_standards.platinum (${platinum})`);
  dupes(policy.events.festival_soon.festivals, 'events.festival_soon.festivals');
  dupes(policy.plan.order, 'plan.order');
  for (const [model, tiers] of Object.entries(policy.events.tier_changed.models)) {
    const fixed = builtInTiers(model);
    const path = `events.tier_changed.models.${model}`;
    if (!fixed) add(path, `unknown model '${model}': give one of ${Object.keys(BUILT_IN_TIERS).join(', ')}`);
    else if ([...tiers].sort().join() !== [...fixed].sort().join()) add(path, `list every tier of ${model} once, lowest first: ${fixed.join(', ')} (found ${tiers.join(', ')})`);
  }
  return problems.length ? { problems } : { policy, problems };
}

/** The band thresholds of a flow event as parallel arrays, for SQL (unnest). */
export function bandThresholds(t: Record<string, number>): { bands: string[]; amounts: string[] } {
  const bands = Object.keys(t).sort();
  // amounts as text so that a threshold stays exactly what the policy says in numeric
  return { bands, amounts: bands.map((b) => String(t[b])) };
}
