// POLICIES "Messages and campaigns": the rules every message keeps, in one place.

/** Every marketing message ends with the opt-out line. */
export const OPT_OUT_LINE = '拒收请回复R';
/** Marketing messages go out from 08:00 to 21:00 China time (a batch started outside waits). */
export const MARKETING_HOURS = { from: 8 * 60, to: 21 * 60 } as const;
/** At most this many marketing messages per customer in any 7 days. */
export const MARKETING_PER_7_DAYS = 2;
/** The replies that record an opt-out (any case, trimmed). */
export const OPT_OUT_WORDS = ['R', 'TD', 'T', '退订'] as const;

export type SkipReason = 'no_phone' | 'opted_out' | 'no_consent' | 'do_not_disturb' | 'weekly_limit' | 'left';
export const SKIP_REASONS: readonly SkipReason[] = ['no_phone', 'opted_out', 'no_consent', 'do_not_disturb', 'weekly_limit', 'left'];

/** What each skip reason means, for the CLI and the guide. */
export const SKIP_WORDS: Record<SkipReason, string> = {
  no_phone: 'no phone number',
  opted_out: 'replied R/TD/T/退订 (opted out)',
  no_consent: 'no marketing consent',
  do_not_disturb: 'do not disturb',
  weekly_limit: 'already 2 marketing messages in the last 7 days',
  left: 'no longer a customer',
};

/** Minutes since midnight in China time (UTC+8 all year). */
export function chinaMinutes(at: Date): number {
  return Math.floor(((at.getTime() / 60_000 + 8 * 60) % 1440 + 1440) % 1440);
}

export function inMarketingHours(at: Date): boolean {
  const m = chinaMinutes(at);
  return m >= MARKETING_HOURS.from && m < MARKETING_HOURS.to;
}

/** The next 08:00 China time at or after `at` (when a waiting marketing campaign may go on), as an instant. */
export function nextMarketingStart(at: Date): Date {
  if (inMarketingHours(at)) return at;
  const m = chinaMinutes(at);
  const wait = m < MARKETING_HOURS.from ? MARKETING_HOURS.from - m : 1440 - m + MARKETING_HOURS.from;
  const d = new Date(at.getTime() + wait * 60_000);
  d.setUTCSeconds(0, 0);
  return d;
}

/** A marketing text with the opt-out line at its end (added when missing). */
export function withOptOutLine(text: string): string {
  const t = text.trim();
  return t.endsWith(OPT_OUT_LINE) ? t : `${t}${OPT_OUT_LINE}`;
}

/** Whether a reply is a refusal: R, TD, T or 退订, in any case, spaces around ignored. */
export function isOptOutReply(text: string): boolean {
  const t = text.normalize('NFKC').trim().toUpperCase();
  return (OPT_OUT_WORDS as readonly string[]).includes(t);
}
