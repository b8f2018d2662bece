import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';

// A message template's text (短信模板, issue 21 §2; POLICIES "Messages and campaigns"): its
// placeholders, rendering for one recipient, the opt-out line of marketing messages, and how many
// characters and SMS segments it makes. Characters are counted as a phone counts them: one per
// Unicode character (a Chinese character is one, as is a Latin letter or a digit).

export const PLACEHOLDERS = ['姓名', '称谓', '客户经理', '网点', '产品', '日期'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string>>;

/** Ends every marketing message (POLICIES); a reply of R, TD, T or 退订 opts the customer out. */
export const OPT_OUT_LINE = '拒收请回复R';
/** A message of up to this many characters is one SMS segment… */
export const SINGLE_SEGMENT = 70;
/** …a longer one is billed per this many. */
export const PART_SEGMENT = 67;

const PLACEHOLDER = /\{([^{}]*)\}/gu;

/** Characters as a phone counts them (code points). */
export const charCount = (s: string) => [...s].length;

/** SMS segments of a message of n characters: up to 70 one, longer ones per 67. */
export const segmentsOf = (chars: number) => (chars === 0 ? 0 : chars <= SINGLE_SEGMENT ? 1 : Math.ceil(chars / PART_SEGMENT));

/** The placeholders of a text in order, each with the (1-based) character where its "{" stands. */
export function placeholdersIn(body: string): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) out.push({ name: m[1] ?? '', at: charCount(body.slice(0, m.index ?? 0)) + 1 });
  return out;
}

/** Refuses a text with an unknown placeholder, naming it and its position (the field `body`). */
export function checkPlaceholders(body: string, field = 'body'): void {
  const unknown = placeholdersIn(body).find((p) => !(PLACEHOLDERS as readonly string[]).includes(p.name));
  if (!unknown) return;
  const zh = `未知占位符 {${unknown.name}} 在第 ${unknown.at} 个字符`;
  const en = `unknown placeholder {${unknown.name}} at character ${unknown.at}`;
  throw new AppError(
    'bad_request',
    text(`${zh}；可用的占位符：${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}。`, `The text has an ${en}; the placeholders are ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}.`),
    { [field]: text(zh, en) },
  );
}

/** The whole message of a template as sent: a marketing one ends with the opt-out line. */
export const withOptOut = (body: string, kind: 'marketing' | 'service') => (kind === 'marketing' && !body.trimEnd().endsWith(OPT_OUT_LINE) ? body + OPT_OUT_LINE : body);

/** Each placeholder replaced by its value ('' for one without a value); other text as it is. */
export function renderTemplate(body: string, values: TemplateValues): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? (values[name as Placeholder] ?? '') : whole));
}

/** 先生 for a man, 女士 for a woman, 客户 when the gender is not known. */
export const salutationOf = (gender: string | null | undefined) => (gender === 'M' ? '先生' : gender === 'F' ? '女士' : '客户');

/** A date as a message says it: 2026-12-05 → 12月5日. */
export function spokenDate(iso: string): string {
  const [, m, d] = iso.split('-').map(Number);
  return `${m}月${d}日`;
}

/** Characters and segments of a message. */
export const measure = (message: string) => {
  const chars = charCount(message);
  return { chars, segments: segmentsOf(chars) };
};
