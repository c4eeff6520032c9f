import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import { toApiError } from "./errors";
import type { InvokeFn, ListenFn } from "./tauri";

/**
 * The desktop shell's preferences: Tauri commands of the desktop app (not API operations),
 * so they exist only inside it.
 */
export type ThemeChoice = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export type Prefs = {
  theme: ThemeChoice;
  /** The window's close button hides it to the tray (true) or quits Vigil (false). */
  close_to_tray: boolean;
  start_minimized: boolean;
  /** OS notifications (toasts). */
  notifications: boolean;
  /** Start with the OS login (in the tray). */
  autostart: boolean;
};

/** Where the desktop app's API listens, the URLs a browser can use, or why it could not listen. */
export type ServerInfo = { listen: string | null; urls: string[]; error: string | null };

export const PREFS_EVENT = "vigil://prefs";

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function isThemeChoice(v: unknown): v is ThemeChoice {
  return v === "system" || v === "light" || v === "dark";
}

/** The desktop commands; `invoke`/`listen` are injectable for tests. Failures reject with an ApiError. */
export function desktopPrefs(invoke: InvokeFn = (cmd, args) => tauriInvoke(cmd, args), listen: ListenFn = (e, h) => tauriListen(e, h)) {
  async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      throw toApiError(e);
    }
  }
  return {
    get: () => call<Prefs>("get_prefs"),
    set: (change: Partial<Prefs>) => call<Prefs>("set_prefs", { change }),
    serverInfo: () => call<ServerInfo>("server_info"),
    /** Calls `fn` with the prefs each time they change; returns the function that stops it. */
    watch(fn: (p: Prefs) => void): () => void {
      let stopped = false;
      let un: (() => void) | null = null;
      listen(PREFS_EVENT, (e) => {
        if (!stopped && e.payload && typeof e.payload === "object") fn(e.payload as Prefs);
      }).then(
        (u) => {
          if (stopped) u();
          else un = u;
        },
        () => {},
      );
      return () => {
        stopped = true;
        un?.();
      };
    },
  };
}

export type DesktopPrefs = ReturnType<typeof desktopPrefs>;

// ------------------------------------------------------------ theme

/** The theme shown for a choice: "system" follows the OS. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  if (choice === "system") return systemDark ? "dark" : "light";
  return choice;
}

/** Browser mode keeps the choice here (the desktop app keeps it in its prefs). */
export const THEME_KEY = "vigil.theme";

type StorageLike = Pick<Storage, "getItem" | "setItem">;

function defaultStorage(): StorageLike | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadThemeChoice(storage: StorageLike | null = defaultStorage()): ThemeChoice {
  try {
    const v = storage?.getItem(THEME_KEY);
    return isThemeChoice(v) ? v : "system";
  } catch {
    return "system";
  }
}

export function saveThemeChoice(choice: ThemeChoice, storage: StorageLike | null = defaultStorage()): void {
  try {
    storage?.setItem(THEME_KEY, choice);
  } catch {
    /* storage full or blocked: the choice lasts this session */
  }
}

const DARK_QUERY = "(prefers-color-scheme: dark)";

function systemDark(): boolean {
  return typeof matchMedia === "function" ? matchMedia(DARK_QUERY).matches : true;
}

/**
 * Show `choice`: `data-theme` on the root element is the theme shown, `data-theme-choice`
 * the choice (what `followSystemTheme` re-resolves when the OS scheme changes).
 */
export function applyThemeChoice(choice: ThemeChoice, root: HTMLElement = document.documentElement, dark = systemDark()): void {
  root.dataset.themeChoice = choice;
  root.dataset.theme = resolveTheme(choice, dark);
}

/** Keeps a "system" choice following the OS scheme; returns the function that stops it. */
export function followSystemTheme(root: HTMLElement = document.documentElement): () => void {
  if (typeof matchMedia !== "function") return () => {};
  const mq = matchMedia(DARK_QUERY);
  const onChange = () => {
    const choice = root.dataset.themeChoice;
    if (isThemeChoice(choice)) applyThemeChoice(choice, root, mq.matches);
  };
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}
