// Number formats for people: thousands separators, money in 万 as a bank writes it.

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const count = (n: number) => grouped.format(n);

/** Yuan as 万 with two decimals: 1234567.8 → "123.46万". Exact input strings are fine. */
export function wan(yuan: string | number): string {
  return `${money2.format(Number(yuan) / 10_000)}万`;
}

export const seconds = (s: number) => (s < 10 ? s.toFixed(2) : s.toFixed(1));

/** Left-aligned first column, right-aligned others. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}
