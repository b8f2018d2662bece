// Keeps the keyboard inside an open dialog (antd's Modal and Drawer with a mask).
//
// Ant Design locks the focus by watching `focusin`; but its dialogs are at the end of the page,
// so Tab on a dialog's last control leaves the page for the browser's own bar, where no `focusin`
// comes back, and the focus ends up on the page body behind the dialog. Here Tab on the last
// control goes to the first, Shift+Tab on the first to the last, and a Tab from outside the
// topmost dialog goes into it: WCAG 2.4.3 (focus order) for the forms of My day and the 360 page.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

const shown = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';

/** the dialog on top: the last open modal dialog in the page */
function topDialog(): HTMLElement | null {
  const open = [...document.querySelectorAll<HTMLElement>('[role="dialog"][aria-modal="true"]')].filter(shown);
  return open.at(-1) ?? null;
}

function focusables(dialog: HTMLElement): HTMLElement[] {
  // antd's own focus sentinels (empty, tabindex 0, aria-hidden) are not stops of their own
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => shown(el) && el.getAttribute('aria-hidden') !== 'true');
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.key !== 'Tab' || e.defaultPrevented) return;
  const dialog = topDialog();
  if (!dialog) return;
  const stops = focusables(dialog);
  const first = stops[0];
  const last = stops.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  const inside = active instanceof Node && dialog.contains(active);
  const at = inside ? stops.findIndex((el) => el === active || el.contains(active)) : -1;
  if (!inside) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  } else if (!e.shiftKey && at === stops.length - 1) {
    e.preventDefault();
    first.focus();
  } else if (e.shiftKey && at === 0) {
    e.preventDefault();
    last.focus();
  }
}

let installed = false;

/** Installs the trap once for the whole app. */
export function keepFocusInDialogs(): void {
  if (installed) return;
  installed = true;
  document.addEventListener('keydown', onKeyDown);
}
