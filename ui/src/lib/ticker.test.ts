import { describe, expect, it } from "vitest";
import { Ticker } from "./ticker";

describe("Ticker", () => {
  it("sets a text at once, then writes it only when it changes, until removed", () => {
    const t = new Ticker();
    let writes = 0;
    let value: string | null = null;
    const el = {
      get textContent() {
        return value;
      },
      set textContent(v: string | null) {
        writes++;
        value = v;
      },
    };
    const stop = t.add(el, (now) => `${Math.floor(now / 1000)}s`, 1_000);
    expect(value).toBe("1s");
    expect(writes).toBe(1);
    expect(t.tick(1_500)).toBe(0);
    expect(writes).toBe(1);
    expect(t.tick(2_000)).toBe(1);
    expect(value).toBe("2s");
    expect(t.size).toBe(1);
    stop();
    expect(t.size).toBe(0);
    t.tick(9_000);
    expect(value).toBe("2s");
    stop(); // twice is harmless
  });

  it("keeps many texts with one tick", () => {
    const t = new Ticker();
    const els = Array.from({ length: 300 }, () => ({ textContent: null as string | null }));
    const stops = els.map((el, i) => t.add(el, (now) => String(now - i), 0));
    expect(t.tick(10)).toBe(300);
    expect(els[299].textContent).toBe("-289");
    for (const s of stops) s();
    expect(t.size).toBe(0);
  });
});
