import { toCents } from '../customers/money.js';

/** The exact sum of yuan amounts, as yuan text (BigInt cents: no rounding error). */
export function sumYuan(amounts: readonly string[]): string {
  const cents = amounts.reduce((n, a) => n + toCents(a), 0n);
  const abs = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
