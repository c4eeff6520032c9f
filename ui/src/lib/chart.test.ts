import { describe, expect, it } from "vitest";
import {
  WINDOWS,
  axisTimeLabels,
  bandMax,
  chartWindow,
  fitWindow,
  growTail,
  hoverText,
  hoverTime,
  hoverValues,
  niceCeil,
  sharedTop,
  withTail,
  xRange,
  type LiveSample,
} from "./chart";
import type { BandData } from "./monitor";
import { formatPercent } from "./format";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Local time, so the texts do not depend on the machine's zone. */
const at = (h: number, m: number, s = 0, day = 28, month = 10) => new Date(2026, month, day, h, m, s).getTime();

describe("fitWindow", () => {
  const now = at(14, 0);
  it.each([
    [10_000, "5m"],
    [3 * MIN, "5m"],
    [5 * MIN, "5m"],
    [5 * MIN + 1, "15m"],
    [14 * MIN, "15m"],
    [40 * MIN, "1h"],
    [3 * HOUR, "24h"],
    [23 * HOUR, "24h"],
    [3 * DAY, "24h"],
    [90 * DAY, "24h"],
  ])("data %i ms old opens on %s", (age, key) => {
    expect(fitWindow(now - age, now)).toBe(key);
  });

  it("a program registered 3 minutes ago opens on a window that shows those minutes, not a day", () => {
    const key = fitWindow(now - 3 * MIN, now);
    const w = WINDOWS.find((x) => x.key === key)!;
    expect(w.spanMs).toBeGreaterThanOrEqual(3 * MIN);
    expect(w.spanMs).toBeLessThan(HOUR);
    expect(w.live).toBe(true);
  });

  it("unknown age: one hour; a clock set back (since in the future): the shortest", () => {
    expect(fitWindow(null, now)).toBe("1h");
    expect(fitWindow(undefined, now)).toBe("1h");
    expect(fitWindow(Number.NaN, now)).toBe("1h");
    expect(fitWindow(now + HOUR, now)).toBe("5m");
  });
});

describe("chartWindow", () => {
  it("a live window ends now and slides with the clock", () => {
    const now = 1_700_000_012_345;
    const w = chartWindow("5m", now);
    expect(w).toMatchObject({ to: now, from: now - 5 * MIN, points: 300, stepMs: 1000, live: true });
    expect(xRange(w, now + 7_000)).toEqual([(now + 7_000 - 5 * MIN) / 1000, (now + 7_000) / 1000]);
    expect(chartWindow("15m", now).stepMs).toBe(2000);
  });

  it("a fixed window ends on a bucket edge and stays", () => {
    const now = 1_700_000_012_345;
    const w = chartWindow("1h", now);
    expect(w.to % 30_000).toBe(0);
    expect(w.to - w.from).toBe(HOUR);
    expect(w.live).toBe(false);
    expect(xRange(w, now + 10 * MIN)).toEqual([w.from / 1000, w.to / 1000]);
  });
});

describe("growTail and withTail", () => {
  const s = (ts: number, cpu: number, mem = 0): LiveSample => [ts, cpu, mem];

  it("adds only newer samples and forgets those out of the window", () => {
    const t1 = growTail([], [s(1000, 1), s(2000, 2)], 0);
    expect(t1.map((x) => x[0])).toEqual([1000, 2000]);
    // The pushed list overlaps what is held: no duplicates.
    const t2 = growTail(t1, [s(2000, 2), s(3000, 3)], 0);
    expect(t2.map((x) => x[0])).toEqual([1000, 2000, 3000]);
    const t3 = growTail(t2, [], 2500);
    expect(t3.map((x) => x[0])).toEqual([3000]);
    // Nothing new and nothing to forget: the same array (no redraw).
    expect(growTail(t3, [s(3000, 3)], 0)).toBe(t3);
  });

  it("appends samples after the last bucket as single points, memory in MiB", () => {
    const base: BandData = [[10], [1], [2], [3]];
    const tail = [s(9_000, 50, 0), s(10_500, 60, 0), s(11_000, 7, 2 * 1024 * 1024), s(12_000, 8, 3 * 1024 * 1024)];
    const cpu = withTail(base, tail, "cpu", 1000);
    // 9 000 and 10 500 are inside the last bucket (10 s + 1 s): already counted.
    expect(cpu).toEqual([[10, 11, 12], [1, 7, 8], [2, 7, 8], [3, 7, 8]]);
    expect(withTail(base, tail, "mem", 1000)[2]).toEqual([2, 2, 3]);
    expect(withTail(base, [], "cpu", 1000)).toBe(base);
  });

  it("breaks the line over a gap instead of bridging it", () => {
    const base: BandData = [[10], [1], [1], [1]];
    const d = withTail(base, [s(60_000, 5), s(61_000, 6), s(90_000, 7)], "cpu", 1000);
    expect(d[2]).toEqual([1, null, 5, 6, null, 7]);
    // x stays increasing
    for (let i = 1; i < d[0].length; i++) expect(d[0][i]).toBeGreaterThan(d[0][i - 1]);
  });
});

describe("shared scale", () => {
  it("niceCeil rounds up to 1, 2, 2.5, 5 × 10^n", () => {
    expect([0, 0.3, 1, 1.2, 2.2, 3, 7, 11, 180, 250, 251].map(niceCeil)).toEqual([1, 0.5, 1, 2, 2.5, 5, 10, 20, 200, 250, 500]);
  });

  it("uses the highest of the programs shown, with headroom, at least the floor", () => {
    expect(sharedTop([12, 160, 3], 5)).toBe(200);
    expect(sharedTop([0.2, 0.1], 5)).toBe(10);
    expect(sharedTop([], 5)).toBe(10);
    expect(sharedTop([Number.NaN, 40], 5)).toBe(50);
  });

  it("bandMax reads the max series, skipping gaps", () => {
    expect(bandMax([[1, 2, 3], [0, null, 1], [1, null, 2], [4, null, 9]])).toBe(9);
    expect(bandMax([[], [], [], []])).toBe(0);
  });
});

describe("24-hour times", () => {
  it("axis labels within a day are HH:MM, with seconds only when a tick needs them", () => {
    expect(axisTimeLabels([at(0, 0) / 1000, at(13, 5) / 1000, at(23, 59) / 1000], 3600)).toEqual(["00:00", "13:05", "23:59"]);
    expect(axisTimeLabels([at(13, 5, 30) / 1000], 300)).toEqual(["13:05:30"]);
  });

  it("longer windows show the date at midnight and the date and hour elsewhere", () => {
    expect(axisTimeLabels([at(0, 0, 0, 3, 0) / 1000, at(18, 0, 0, 3, 0) / 1000], 7 * 86400)).toEqual(["01-03", "01-03 18:00"]);
  });

  it("no AM/PM anywhere", () => {
    const labels = axisTimeLabels([at(15, 0) / 1000], 3600);
    expect(labels[0]).toBe("15:00");
    expect(hoverTime(at(15, 4, 5) / 1000, 1000, 5 * MIN)).toBe("15:04:05");
  });

  it("a bucket's hover time is its span; beyond a day with the date", () => {
    expect(hoverTime(at(14, 3) / 1000, 30_000, HOUR)).toBe("14:03:00–14:03:30");
    expect(hoverTime(at(14, 0) / 1000, 30 * MIN, 7 * DAY)).toBe("2026-11-28 14:00:00–14:30:00");
    expect(hoverTime(at(23, 30) / 1000, HOUR, 7 * DAY)).toBe("2026-11-28 23:30:00–2026-11-29 00:30:00");
  });
});

describe("hover values", () => {
  it("avg with min–max for a bucket, one value for a single sample", () => {
    expect(hoverValues(10, 12.34, 15.2, formatPercent)).toBe("avg 12.3% · min–max 10%–15.2%");
    expect(hoverValues(7, 7, 7, formatPercent)).toBe("7%");
    expect(hoverValues(null, null, null, formatPercent)).toBe("no data");
  });

  it("hoverText puts time, label and values together; out of range: nothing", () => {
    const d: BandData = [[at(14, 3, 22) / 1000], [1], [2], [3]];
    expect(hoverText(d, 0, "CPU", formatPercent, 1000, 5 * MIN)).toBe("14:03:22 · CPU avg 2% · min–max 1%–3%");
    expect(hoverText(d, null, "CPU", formatPercent, 1000, 5 * MIN)).toBeNull();
    expect(hoverText(d, 1, "CPU", formatPercent, 1000, 5 * MIN)).toBeNull();
  });
});
