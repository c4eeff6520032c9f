import { describe, expect, it } from "vitest";
import { SHORTCUTS, SEQUENCE_MS, ShortcutKeys, isTyping, type KeyLike } from "./shortcuts";

const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, getAttribute: (a: string) => (extra[a] as string) ?? null, ...extra }) as unknown as EventTarget;
const body = el("BODY");
const key = (k: string, o: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: body, ...o });

describe("shortcuts", () => {
  it("g then a letter goes to a page; g waits only so long", () => {
    const s = new ShortcutKeys();
    expect(s.feed(key("g"), 0)).toBeNull();
    expect(s.pending(10)).toBe(true);
    expect(s.feed(key("j"), 10)).toBe("go-jobs");
    expect(s.feed(key("g"), 100)).toBeNull();
    expect(s.feed(key("p"), 200)).toBe("go-programs");
    for (const [k, a] of [["s", "go-system"], ["e", "go-events"], ["n", "go-notifications"], [",", "go-settings"]] as const) {
      s.feed(key("g"), 1000);
      expect(s.feed(key(k), 1001)).toBe(a);
    }
    s.feed(key("g"), 5000);
    expect(s.feed(key("j"), 5000 + SEQUENCE_MS + 1)).toBeNull();
    // g then an unknown key does nothing, and the next key starts afresh
    s.feed(key("g"), 9000);
    expect(s.feed(key("x"), 9001)).toBeNull();
    expect(s.feed(key("j"), 9002)).toBeNull();
  });

  it("single keys: n, /, ?", () => {
    const s = new ShortcutKeys();
    expect(s.feed(key("n"), 0)).toBe("new-program");
    expect(s.feed(key("/"), 0)).toBe("focus-search");
    expect(s.feed(key("?", { shiftKey: true }), 0)).toBe("help");
    expect(s.feed(key("Shift", { shiftKey: true }), 0)).toBeNull();
    expect(s.feed(key("x"), 0)).toBeNull();
  });

  it("never fires while typing in an input, textarea, select or editable element", () => {
    const s = new ShortcutKeys();
    for (const target of [el("INPUT", { type: "text" }), el("INPUT", { type: "search" }), el("INPUT"), el("TEXTAREA"), el("SELECT"), el("DIV", { isContentEditable: true }), el("DIV", { role: "combobox" })]) {
      for (const k of ["n", "/", "?", "g"]) expect(s.feed(key(k, { target }), 0)).toBeNull();
      s.feed(key("g"), 0);
      expect(s.feed(key("j", { target }), 1)).toBeNull();
    }
    expect(isTyping(el("INPUT", { type: "checkbox" }))).toBe(false);
    expect(isTyping(el("BUTTON"))).toBe(false);
    expect(isTyping(null)).toBe(false);
    // a checkbox or button with focus does not stop them
    expect(s.feed(key("n", { target: el("INPUT", { type: "checkbox" }) }), 0)).toBe("new-program");
  });

  it("never fires with Ctrl, Cmd or Alt, except Ctrl+K / Cmd+K, which works even in a field", () => {
    const s = new ShortcutKeys();
    expect(s.feed(key("n", { ctrlKey: true }), 0)).toBeNull();
    expect(s.feed(key("n", { metaKey: true }), 0)).toBeNull();
    expect(s.feed(key("n", { altKey: true }), 0)).toBeNull();
    s.feed(key("g"), 0);
    expect(s.feed(key("j", { ctrlKey: true }), 1)).toBeNull();
    expect(s.feed(key("j"), 2)).toBeNull();
    expect(s.feed(key("k", { ctrlKey: true }), 0)).toBe("palette");
    expect(s.feed(key("K", { metaKey: true, shiftKey: true }), 0)).toBe("palette");
    expect(s.feed(key("k", { ctrlKey: true, target: el("TEXTAREA") }), 0)).toBe("palette");
    expect(s.feed(key("k", { ctrlKey: true, altKey: true }), 0)).toBeNull();
    expect(s.feed(key("k"), 0)).toBeNull();
  });

  it("ignores handled, composing and repeated presses", () => {
    const s = new ShortcutKeys();
    expect(s.feed(key("n", { defaultPrevented: true }), 0)).toBeNull();
    expect(s.feed(key("n", { isComposing: true }), 0)).toBeNull();
    expect(s.feed(key("n", { repeat: true }), 0)).toBeNull();
  });

  it("lists every action once", () => {
    const actions = SHORTCUTS.map((x) => x.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions).toContain("help");
  });
});
