import { describe, expect, it, vi } from "vitest";
import { applyThemeChoice, desktopPrefs, loadThemeChoice, PREFS_EVENT, resolveTheme, saveThemeChoice, THEME_KEY, type Prefs } from "./prefs";
import type { InvokeFn, ListenFn } from "./tauri";

const PREFS: Prefs = { theme: "dark", close_to_tray: true, start_minimized: false, notifications: true, autostart: false };

function memoryStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe("theme", () => {
  it("resolves system to the OS scheme", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("keeps the browser's choice in localStorage, system by default", () => {
    const s = memoryStorage();
    expect(loadThemeChoice(s)).toBe("system");
    saveThemeChoice("light", s);
    expect(s.m.get(THEME_KEY)).toBe("light");
    expect(loadThemeChoice(s)).toBe("light");
    expect(loadThemeChoice(memoryStorage({ [THEME_KEY]: "purple" }))).toBe("system");
    expect(loadThemeChoice(null)).toBe("system");
    const broken = { getItem: () => { throw new Error("blocked"); }, setItem: () => { throw new Error("blocked"); } };
    expect(loadThemeChoice(broken)).toBe("system");
    expect(() => saveThemeChoice("dark", broken)).not.toThrow();
  });

  it("sets data-theme and the choice on the root element", () => {
    const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
    applyThemeChoice("system", root, false);
    expect(root.dataset).toEqual({ theme: "light", themeChoice: "system" });
    applyThemeChoice("dark", root, false);
    expect(root.dataset).toEqual({ theme: "dark", themeChoice: "dark" });
  });
});

describe("desktop prefs commands", () => {
  it("invokes get_prefs, set_prefs with the change, and server_info", async () => {
    const invoke = vi.fn(async (cmd: string) => (cmd === "server_info" ? { listen: "127.0.0.1:7474", urls: [], error: null } : PREFS));
    const p = desktopPrefs(invoke as unknown as InvokeFn, vi.fn() as unknown as ListenFn);
    await expect(p.get()).resolves.toEqual(PREFS);
    await p.set({ theme: "light" });
    await expect(p.serverInfo()).resolves.toMatchObject({ listen: "127.0.0.1:7474" });
    expect(invoke.mock.calls).toEqual([["get_prefs", undefined], ["set_prefs", { change: { theme: "light" } }], ["server_info", undefined]]);
  });

  it("rejects with the shell's {code, message}, normalising anything else", async () => {
    let next: unknown = { code: "invalid_input", message: "autostart could not be set: denied" };
    const invoke = (async () => {
      throw next;
    }) as InvokeFn;
    const p = desktopPrefs(invoke, vi.fn() as unknown as ListenFn);
    await expect(p.set({ autostart: true })).rejects.toEqual({ code: "invalid_input", message: "autostart could not be set: denied" });
    next = "boom";
    await expect(p.get()).rejects.toEqual({ code: "internal", message: "boom" });
  });

  it("watches the prefs event until stopped, also when stopped before listening began", async () => {
    let handler: ((e: { payload: unknown }) => void) | null = null;
    const un = vi.fn();
    const listen = vi.fn(async (name: string, h: (e: { payload: unknown }) => void) => {
      expect(name).toBe(PREFS_EVENT);
      handler = h;
      return un;
    }) as unknown as ListenFn;
    const p = desktopPrefs(vi.fn() as unknown as InvokeFn, listen);
    const seen: Prefs[] = [];
    const stop = p.watch((x) => seen.push(x));
    await Promise.resolve();
    await Promise.resolve();
    handler!({ payload: PREFS });
    handler!({ payload: null });
    expect(seen).toEqual([PREFS]);
    stop();
    expect(un).toHaveBeenCalledTimes(1);
    handler!({ payload: PREFS });
    expect(seen).toHaveLength(1);

    const un2 = vi.fn();
    const p2 = desktopPrefs(vi.fn() as unknown as InvokeFn, (async () => un2) as ListenFn);
    p2.watch(() => {})();
    await new Promise((r) => setTimeout(r, 0));
    expect(un2).toHaveBeenCalledTimes(1);
  });
});
