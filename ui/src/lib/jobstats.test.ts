import { describe, expect, it } from "vitest";
import { durationChart, formatRate, pointKind, pointText, rateSentence, usualSentence } from "./jobstats";
import type { RunPoint } from "./types";

const pt = (run_id: number, ended_at: number, duration_ms: number | null, status: RunPoint["status"] = "succeeded", attempts = 1): RunPoint => ({
  run_id,
  ended_at,
  duration_ms,
  status,
  attempts,
  trigger: "manual",
});

describe("rates", () => {
  it.each([
    [null, "–"],
    [0, "0%"],
    [0.5, "50%"],
    [0.923, "92%"],
    [0.995, "99.5%"],
    [0.9999, "99.9%"],
    [1, "100%"],
  ])("%s -> %s", (r, text) => expect(formatRate(r)).toBe(text));

  it("says how many of how many, over how long", () => {
    const since = 0;
    expect(rateSentence({ runs: 25, succeeded: 23, since }, 30 * 86_400_000)).toBe("23 of 25 runs succeeded in the last 30 days");
    expect(rateSentence({ runs: 0, succeeded: 0, since }, 30 * 86_400_000)).toBe("No runs in the last 30 days");
    expect(rateSentence({ runs: 1, succeeded: 1, since }, 86_400_000)).toBe("1 of 1 run succeeded in the last 1 day");
  });

  it("usual in words", () => {
    expect(usualSentence(null)).toMatch(/Not enough runs/);
    expect(usualSentence({ median_ms: 1200, p95_ms: 2000, longest_ms: 2500, warn_after_ms: 3100, samples: 40 })).toBe(
      "Usually 1.2 s (95% within 2.0 s, from 40 runs); a run past 3.1 s is unusual.",
    );
  });
});

describe("durationChart", () => {
  it("one point per run with a duration, in time order, split by how it ended", () => {
    const c = durationChart({
      recent: [pt(3, 3000, 300, "failed"), pt(1, 1000, 100), pt(2, 2000, null, "skipped"), pt(4, 4000, 400, "cancelled"), pt(5, 5000, 50, "timed_out")],
      usual: null,
      timeout_ms: null,
    });
    expect(c.data[0]).toEqual([1, 3, 4, 5]);
    expect(c.data[1]).toEqual([100, null, null, null]);
    expect(c.data[2]).toEqual([null, 300, null, 50]);
    expect(c.data[3]).toEqual([null, null, 400, null]);
    expect(c.points.map((p) => p.run_id)).toEqual([1, 3, 4, 5]);
    expect(c.lines).toEqual([]);
    expect(c.top).toBeCloseTo(440);
  });

  it("draws the usual, the warning threshold and a near timeout as lines", () => {
    const c = durationChart({
      recent: [pt(1, 1000, 1000), pt(2, 2000, 1200)],
      usual: { median_ms: 1100, p95_ms: 1200, longest_ms: 1200, warn_after_ms: 1800, samples: 2 },
      timeout_ms: 3000,
    });
    expect(c.lines.map((l) => [l.key, l.ms])).toEqual([
      ["median", 1100],
      ["warn", 1800],
      ["timeout", 3000],
    ]);
    expect(c.above).toEqual([]);
    expect(c.top).toBeCloseTo(3300);
  });

  it("names a timeout far above every run instead of flattening the points", () => {
    const c = durationChart({ recent: [pt(1, 1000, 1000)], usual: null, timeout_ms: 3_600_000 });
    expect(c.lines).toEqual([]);
    expect(c.above.map((l) => l.label)).toEqual(["timeout 1 h 00 min"]);
    expect(c.top).toBeCloseTo(1100);
  });

  it("no runs: an empty chart that still has a scale", () => {
    const c = durationChart({ recent: [], usual: null, timeout_ms: null });
    expect(c.data).toEqual([[], [], [], []]);
    expect(c.top).toBeGreaterThan(0);
  });

  it("kinds and hover text", () => {
    expect(pointKind("succeeded")).toBe("ok");
    expect(pointKind("interrupted")).toBe("bad");
    expect(pointKind("skipped")).toBe("other");
    expect(pointText(pt(12, 5000, 1200, "timed_out", 2), () => "14:03:22")).toBe("run #12 · timed out · 1.2 s · 14:03:22 · 2 attempts");
    expect(pointText(undefined, () => "")).toBeNull();
  });
});
