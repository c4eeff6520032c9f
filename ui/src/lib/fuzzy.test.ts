import { describe, expect, it } from "vitest";
import { fold, fuzzyFilter, fuzzyScore } from "./fuzzy";

describe("fuzzyScore", () => {
  it("matches letters in order, ignoring case and accents", () => {
    expect(fuzzyScore("nb", "Nightly backup")).not.toBeNull();
    expect(fuzzyScore("bn", "Nightly backup")).toBeNull();
    expect(fuzzyScore("ELAN", "élan vital")).not.toBeNull();
    expect(fuzzyScore("zzz", "Nightly backup")).toBeNull();
    expect(fold("Ünïcödé")).toBe("unicode");
  });

  it("an empty query matches everything equally", () => {
    expect(fuzzyScore("", "x")).toBe(0);
    expect(fuzzyScore("   ", "x")).toBe(0);
  });

  it("ranks exact above prefix above word start above inner substring above scattered letters", () => {
    const exact = fuzzyScore("jobs", "jobs")!;
    const prefix = fuzzyScore("jobs", "jobs page")!;
    const word = fuzzyScore("jobs", "all jobs")!;
    const inner = fuzzyScore("obs", "jobs")!;
    const scattered = fuzzyScore("jbs", "jobs")!;
    expect(exact).toBeGreaterThan(prefix);
    expect(prefix).toBeGreaterThan(word);
    expect(word).toBeGreaterThan(inner);
    expect(inner).toBeGreaterThan(scattered);
  });

  it("matches query words at word starts in order", () => {
    expect(fuzzyScore("new job", "New scheduled job")).toBeGreaterThan(fuzzyScore("nwjb", "New scheduled job")!);
  });

  it("favours word-start initials over scattered letters", () => {
    expect(fuzzyScore("pas", "Pause all schedules")!).toBeGreaterThan(fuzzyScore("pas", "Open passwords")! - 1000);
    expect(fuzzyScore("pas", "Pause all schedules")).not.toBeNull();
  });

  it("handles texts whose case mapping changes length", () => {
    // "İ" lower-cases to two code units
    expect(fuzzyScore("istanbul", "İstanbul backup")).not.toBeNull();
    expect(fuzzyScore("xyz", "İstanbul")).toBeNull();
  });
});

describe("fuzzyFilter", () => {
  const items = ["Open jobs", "Jobs", "Run job backup", "Settings"];
  it("keeps matches, best first, stable on ties, capped by limit", () => {
    expect(fuzzyFilter(items, "jobs", (s) => s)).toEqual(["Jobs", "Open jobs"]);
    expect(fuzzyFilter(items, "", (s) => s)).toEqual(items);
    expect(fuzzyFilter(items, "", (s) => s, 2)).toEqual(["Open jobs", "Jobs"]);
    expect(fuzzyFilter(items, "qqq", (s) => s)).toEqual([]);
  });

  it("uses the best of several texts per item", () => {
    const rows = [{ name: "Backup", id: "nightly-backup" }, { name: "Other", id: "x" }];
    expect(fuzzyFilter(rows, "nightly", (r) => [r.name, r.id])).toEqual([rows[0]]);
  });
});
