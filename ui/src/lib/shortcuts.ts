/**
 * Keyboard shortcuts of the whole app: `g` then a letter goes to a page, `n` registers a
 * program, `/` focuses the page's search, `?` lists the shortcuts, Ctrl+K / Cmd+K opens the
 * command palette. None fires while typing in a field or with Ctrl, Cmd or Alt held (except
 * Ctrl+K / Cmd+K, which works everywhere).
 */

export type ShortcutAction =
  | "palette"
  | "go-programs"
  | "go-jobs"
  | "go-system"
  | "go-events"
  | "go-notifications"
  | "go-settings"
  | "new-program"
  | "focus-search"
  | "help";

/** The list shown by `?`, in order. */
export const SHORTCUTS: readonly { keys: string[]; action: ShortcutAction; label: string }[] = [
  { keys: ["Ctrl+K"], action: "palette", label: "Open the command palette (⌘K on a Mac)" },
  { keys: ["g", "p"], action: "go-programs", label: "Go to programs" },
  { keys: ["g", "j"], action: "go-jobs", label: "Go to jobs" },
  { keys: ["g", "s"], action: "go-system", label: "Go to system" },
  { keys: ["g", "e"], action: "go-events", label: "Go to events" },
  { keys: ["g", "n"], action: "go-notifications", label: "Go to notifications" },
  { keys: ["g", ","], action: "go-settings", label: "Go to settings" },
  { keys: ["n"], action: "new-program", label: "Register a program" },
  { keys: ["/"], action: "focus-search", label: "Search on this page" },
  { keys: ["?"], action: "help", label: "Show these shortcuts" },
];

const AFTER_G: Record<string, ShortcutAction> = {
  p: "go-programs",
  j: "go-jobs",
  s: "go-system",
  e: "go-events",
  n: "go-notifications",
  ",": "go-settings",
};

/** How long `g` waits for its second key. */
export const SEQUENCE_MS = 1500;

/** What a key event carries that matters here (a KeyboardEvent has all of it). */
export type KeyLike = {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  isComposing?: boolean;
  repeat?: boolean;
  defaultPrevented?: boolean;
  target: EventTarget | null;
};

/** Whether the element takes typed text (an input other than a button/checkbox, a textarea, a select, an editable element). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as (Partial<HTMLElement> & { type?: string; tagName?: string }) | null;
  if (!el || typeof el.tagName !== "string") return false;
  const tag = el.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (el.type ?? "text").toLowerCase();
    return !["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"].includes(type);
  }
  if (el.isContentEditable === true) return true;
  const role = typeof el.getAttribute === "function" ? el.getAttribute("role") : null;
  return role === "textbox" || role === "combobox" || role === "searchbox";
}

/** Ctrl+K or Cmd+K (with no Alt). */
export function isPaletteKey(e: KeyLike): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k";
}

/**
 * Turns key presses into actions, remembering a pending `g`. `feed` returns the action a
 * key completes, or null (the key is then not the app's: let it do what it does).
 */
export class ShortcutKeys {
  #gAt: number | null = null;

  /** Whether a `g` waits for its second key. */
  pending(now: number): boolean {
    return this.#gAt !== null && now - this.#gAt <= SEQUENCE_MS;
  }

  feed(e: KeyLike, now: number): ShortcutAction | null {
    if (isPaletteKey(e)) {
      this.#gAt = null;
      return "palette";
    }
    if (e.defaultPrevented || e.isComposing) return null;
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) {
      this.#gAt = null;
      return null;
    }
    if (e.key === "Shift") return null;
    if (this.pending(now)) {
      this.#gAt = null;
      return AFTER_G[e.key.toLowerCase()] ?? null;
    }
    this.#gAt = null;
    if (e.repeat) return null;
    switch (e.key) {
      case "g":
        this.#gAt = now;
        return null;
      case "n":
        return "new-program";
      case "/":
        return "focus-search";
      case "?":
        return "help";
      default:
        return null;
    }
  }

  reset(): void {
    this.#gAt = null;
  }
}
