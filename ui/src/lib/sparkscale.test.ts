import { describe, expect, it } from "vitest";
import { setPeak, sharedPeak } from "./sparkscale.svelte";

describe("shared sparkline scale", () => {
  it("is the highest peak on screen, at least the floor, and forgets unmounted ones", () => {
    expect(sharedPeak(10)).toBe(10);
    const a = setPeak(Symbol("a"), 4);
    const b = setPeak(Symbol("b"), 150);
    expect(sharedPeak(10)).toBe(150);
    b();
    expect(sharedPeak(10)).toBe(10);
    const c = setPeak(Symbol("c"), Number.NaN);
    expect(sharedPeak(1)).toBe(4);
    a();
    c();
    expect(sharedPeak(1)).toBe(1);
  });
});
