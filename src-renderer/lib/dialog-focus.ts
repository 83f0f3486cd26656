// Modal dialog focus: on open the dialog takes focus (its first field, else its first
// button), Tab and Shift+Tab cycle inside it, Esc closes it, and on close focus returns
// to where it was.
import { onBeforeUnmount, onMounted, type Ref } from "vue";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hasAttribute("hidden") && el.getClientRects().length > 0,
  );
}

export function useDialogFocus(root: Ref<HTMLElement | null>, close: () => void): void {
  let before: Element | null = null;

  function onKey(e: KeyboardEvent) {
    const el = root.value;
    if (!el) return;
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== "Tab") return;
    const items = focusables(el);
    if (!items.length) {
      e.preventDefault();
      el.focus();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const inside = el.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  }

  onMounted(() => {
    before = document.activeElement;
    const el = root.value;
    if (el) {
      const field = el.querySelector<HTMLElement>("input, textarea, select");
      (field ?? focusables(el)[0] ?? el).focus();
    }
    // Capture: the dialog sees Esc and Tab before any page-wide shortcut.
    window.addEventListener("keydown", onKey, true);
  });
  onBeforeUnmount(() => {
    window.removeEventListener("keydown", onKey, true);
    if (before instanceof HTMLElement && before.isConnected) before.focus();
  });
}
