/**
 * A table as wide as its columns, scrolling sideways inside the page when the window is narrower,
 * instead of wrapping a column a character a line. Only while it has rows: the rows carry the links
 * and buttons that let a keyboard user scroll the region, and an empty table that scrolls is a
 * region no keyboard can reach (axe: scrollable-region-focusable).
 */
export function scrollWhenRows(rows: readonly unknown[] | undefined): { x: 'max-content' } | undefined {
  return rows && rows.length > 0 ? { x: 'max-content' } : undefined;
}
