import { describe, expect, it } from "vitest";
import { naturalCompare, naturalSort } from "./sort";

const sorted = (xs: string[]) => [...xs].sort(naturalCompare);

describe("naturalCompare", () => {
  it("orders numbers by value, not by text", () => {
    expect(sorted(["p10", "p2", "p100", "p0", "p1"])).toEqual(["p0", "p1", "p2", "p10", "p100"]);
    expect(sorted(["file-20.log", "file-3.log", "file-100.log"])).toEqual(["file-3.log", "file-20.log", "file-100.log"]);
  });

  it("handles numbers longer than any integer type", () => {
    const big = "p" + "9".repeat(40);
    const bigger = "p1" + "0".repeat(40);
    expect(sorted([bigger, big, "p5"])).toEqual(["p5", big, bigger]);
    expect(naturalCompare("x" + "1".repeat(30) + "2", "x" + "1".repeat(30) + "3")).toBeLessThan(0);
  });

  it("compares leading zeros by value, fewer zeros first when equal", () => {
    expect(sorted(["p010", "p9", "p0011", "p1"])).toEqual(["p1", "p9", "p010", "p0011"]);
    expect(naturalCompare("p1", "p01")).toBeLessThan(0);
    expect(naturalCompare("p01", "p001")).toBeLessThan(0);
    expect(naturalCompare("p001", "p1")).toBeGreaterThan(0);
    // Equal numbers, the text after them decides before the zeros do.
    expect(naturalCompare("p01b", "p1a")).toBeGreaterThan(0);
  });

  it("ignores case, but still gives equal-but-for-case names a fixed order", () => {
    expect(sorted(["Beta", "alpha", "Gamma", "delta"])).toEqual(["alpha", "Beta", "delta", "Gamma"]);
    const c = naturalCompare("web", "Web");
    expect(c).not.toBe(0);
    expect(naturalCompare("Web", "web")).toBe(-c);
    expect(naturalCompare("web", "web")).toBe(0);
  });

  it("mixes text and numbers in several runs", () => {
    expect(sorted(["v1.10.2", "v1.2.10", "v1.2.9", "v1.10", "v1"])).toEqual(["v1", "v1.2.9", "v1.2.10", "v1.10", "v1.10.2"]);
    expect(sorted(["a10b2", "a10b10", "a2b30", "a"])).toEqual(["a", "a2b30", "a10b2", "a10b10"]);
    // A number sorts before text at the same place; a prefix before what extends it.
    expect(sorted(["pa", "p1", "p"])).toEqual(["p", "p1", "pa"]);
  });

  it("sorts Unicode letters by the language, accents after the plain letter", () => {
    expect(sorted(["Zeta", "élan", "eagle", "Ösel", "oak"])).toEqual(["eagle", "élan", "oak", "Ösel", "Zeta"]);
    expect(naturalCompare("é", "e")).toBeGreaterThan(0);
    // Full-width digits count as digits.
    expect(sorted(["p１０", "p２"])).toEqual(["p２", "p１０"]);
  });

  it("is a consistent order (antisymmetric, transitive on a mixed sample)", () => {
    const xs = ["p1", "P1", "p01", "p10", "p2", "p", "pa", "Pa", "p 1", "p-1", "", "10", "9", "é", "e", "E"];
    for (const a of xs) {
      for (const b of xs) {
        expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0);
        if (a !== b) expect(naturalCompare(a, b)).not.toBe(0);
      }
    }
    const s = sorted(xs);
    for (let i = 0; i + 1 < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) expect(naturalCompare(s[i], s[j])).toBeLessThan(0);
    }
  });
});

describe("naturalSort", () => {
  it("sorts a copy by a key", () => {
    const items = [{ name: "p10" }, { name: "p9" }];
    const out = naturalSort(items, (x) => x.name);
    expect(out.map((x) => x.name)).toEqual(["p9", "p10"]);
    expect(items[0].name).toBe("p10");
  });
});
