// Money arrives as exact decimal strings in yuan ("523000.00"). It is formatted with integer
// (BigInt) arithmetic on cents so that no figure is ever misrounded by floating point.

const MONEY = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "523000.5" → 52300050n (cents); throws on anything that is not a yuan decimal. */
export function toCents(yuan: string): bigint {
  const m = MONEY.exec(yuan.trim());
  if (!m) throw new Error(`not an amount of money: ${yuan}`);
  const cents = BigInt(m[2] ?? '0') * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An integer count of hundredths as "-1,234.56". */
function hundredthsText(hundredths: bigint): string {
  const negative = hundredths < 0n;
  const abs = negative ? -hundredths : hundredths;
  const whole = groupThousands((abs / 100n).toString());
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** Rounds cents to hundredths of 万 (100 yuan = 10,000 cents), half away from zero. */
function centsToWanHundredths(cents: bigint): bigint {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const rounded = (abs + 5_000n) / 10_000n;
  return negative ? -rounded : rounded;
}

/** "523000.00" → "52.30万"; "12345600" → "1,234.56万"; "3500" → "0.35万". */
export function formatWan(yuan: string, unit = '万'): string {
  return `${hundredthsText(centsToWanHundredths(toCents(yuan)))}${unit}`;
}

/** "1234.5" → "¥1,234.50"; negative amounts as "-¥1,234.50". */
export function formatYuan(yuan: string): string {
  const text = hundredthsText(toCents(yuan));
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}

/** The amount in 万 as a number, for charts only (display text always comes from formatWan). */
export function wanNumber(yuan: string): number {
  return Number(centsToWanHundredths(toCents(yuan))) / 100;
}

/** A figure typed in 万 (up to 2 decimals, e.g. 52.3) → yuan for the API ("523000"). */
export function wanToYuan(wan: number): string {
  // toFixed(2) is exact enough for what a person types; the shift by 4 places is done on text.
  const text = wan.toFixed(2);
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not an amount in 万: ${wan}`);
  const yuan = BigInt(m[1] ?? '0') * 10_000n + BigInt(m[2] ?? '0') * 100n;
  return yuan.toString();
}

/** Yuan from the URL ("523000") → 万 for an input (52.3); undefined when not a plain amount. */
export function yuanToWan(yuan: string | null): number | undefined {
  if (yuan === null || !MONEY.test(yuan)) return undefined;
  return wanNumber(yuan);
}
