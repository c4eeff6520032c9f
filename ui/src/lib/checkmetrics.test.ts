import { describe, expect, it } from "vitest";
import type { CheckView, MetricSeries } from "./types";
import {
  METRIC_COLORS,
  PROGRAM_CHARTS_PER_CHECK,
  checkCharts,
  checkIntervalMs,
  isCheckEventOf,
  metricBand,
  metricCheckIds,
  metricColor,
  metricFloor,
  metricStepMs,
  metricTitle,
  metricWindow,
  metricsEnd,
  readMetrics,
} from "./checkmetrics";

const MIN = 60_000;

const series = (label: string, points: MetricSeries["points"], unit = "ms", resolution_secs = 0): MetricSeries => ({ label, unit, resolution_secs, points });

function view(id: number, name: string, answered = true, interval_secs?: number): CheckView {
  return {
    check: { id, name, program_id: 1, probe: { type: "tcp", host: "127.0.0.1", port: 80 }, ...(interval_secs ? { interval_secs } : {}) },
    latest: answered ? { answer: { status: "ok", message: "", metrics: [] }, ts: 0, duration_ms: 1, attempts: 1 } : null,
    next_at: null,
    criticals_in_a_row: 0,
  };
}

describe("a metric as chart data", () => {
  it("opens on the shortest window that holds the history", () => {
    const now = 100 * 86_400_000;
    expect(metricWindow(now - 60_000, now)).toBe("1h");
    expect(metricWindow(now - 5 * 3_600_000, now)).toBe("24h");
    expect(metricWindow(now - 3 * 86_400_000, now)).toBe("7d");
    expect(metricWindow(null, now)).toBe("24h");
  });

  it("orders rollups as chart data and breaks the line over a gap of more than 1.5 steps", () => {
    const band = metricBand({
      resolution_secs: 60,
      points: [
        [120_000, 5, 4, 6],
        [0, 1, 0.5, 2],
        [60_000, 3, 3, 3],
      ],
    });
    expect(band).toEqual([
      [0, 60, 120],
      [0.5, 3, 4],
      [1, 3, 5],
      [2, 3, 6],
    ]);
    const gap = metricBand({ resolution_secs: 60, points: [[0, 1, 1, 1], [600_000, 2, 2, 2]] });
    expect(gap[0]).toEqual([0, 60, 600]);
    expect(gap[2]).toEqual([1, null, 2]);
  });

  it("joins raw values a check's interval apart (they are not one-second buckets)", () => {
    const pts: MetricSeries["points"] = [0, 1, 2, 3].map((i) => [i * MIN, i, i, i]);
    const band = metricBand({ resolution_secs: 0, points: pts }, MIN);
    expect(band[0]).toEqual([0, 60, 120, 180]);
    expect(band[2]).toEqual([0, 1, 2, 3]);
    // Without the interval (a plugin's own), the usual gap between answers is the step.
    expect(metricBand({ resolution_secs: 0, points: pts })[2]).toEqual([0, 1, 2, 3]);
  });

  it("breaks raw values where the check did not run for more than two intervals", () => {
    const pts: MetricSeries["points"] = [0, 1, 2, 10, 11].map((i) => [i * MIN, i, i, i]);
    const band = metricBand({ resolution_secs: 0, points: pts }, MIN);
    expect(band[0]).toEqual([0, 60, 120, 360, 600, 660]);
    expect(band[2]).toEqual([0, 1, 2, null, 10, 11]);
    // The same from the gaps alone.
    expect(metricBand({ resolution_secs: 0, points: pts })[2]).toEqual([0, 1, 2, null, 10, 11]);
  });

  it("never breaks raw values for runs by hand between scheduled ones", () => {
    // Hourly, with two runs by hand a few seconds apart: the short gaps do not set the step.
    const pts: MetricSeries["points"] = [
      [0, 1, 1, 1],
      [2_000, 2, 2, 2],
      [60 * MIN, 3, 3, 3],
    ];
    expect(metricBand({ resolution_secs: 0, points: pts }, 60 * MIN)[2]).toEqual([1, 2, 3]);
    // One point, or none: no break, no step.
    expect(metricBand({ resolution_secs: 0, points: [[5_000, 7, 7, 7]] })).toEqual([[5], [7], [7], [7]]);
    expect(metricBand({ resolution_secs: 0, points: [] })).toEqual([[], [], [], []]);
  });

  it("a point's span: the rollup's bucket, one second for raw values", () => {
    expect(metricStepMs({ resolution_secs: 60 })).toBe(60_000);
    expect(metricStepMs({ resolution_secs: 0 })).toBe(1_000);
  });

  it("reaches the highest value, at least 1", () => {
    expect(metricFloor(series("t", [[0, 2, 1, 40], [1, 3, 1, 12]]))).toBe(40);
    expect(metricFloor(series("t", []))).toBe(1);
    expect(metricFloor(series("t", [[0, 0, 0, 0]]))).toBe(1);
  });

  it("titles a metric with its unit, a plain number without", () => {
    expect(metricTitle({ label: "time", unit: "ms" })).toBe("time (ms)");
    expect(metricTitle({ label: "procs", unit: "" })).toBe("procs");
  });

  it("colours series in turn", () => {
    expect(metricColor(0)).toBe(METRIC_COLORS[0]);
    expect(metricColor(METRIC_COLORS.length + 1)).toBe(METRIC_COLORS[1]);
  });

  it("knows a check's interval only when it says so", () => {
    expect(checkIntervalMs({ interval_secs: 30 })).toBe(30_000);
    expect(checkIntervalMs({})).toBeUndefined();
  });
});

describe("a program's check charts", () => {
  it("reads the metrics of the checks that have answered, by id", () => {
    expect(metricCheckIds([view(9, "b"), view(3, "a"), view(5, "never", false)])).toEqual([3, 9]);
    expect(metricCheckIds([])).toEqual([]);
  });

  it("charts each check with metrics in the window, in the list's order, and leaves the others out", () => {
    const views = [view(3, "alpha", true, 30), view(5, "beta"), view(7, "gamma"), view(9, "delta")];
    const time = series("time", [[0, 1, 1, 1]]);
    const free = series("free", [[0, 40, 40, 40]], "%");
    const charts = checkCharts(views, {
      3: [time],
      5: [],
      // A metric that had values once, none in this window: no empty chart.
      7: [series("old", [])],
      9: [series("old", []), free],
    });
    expect(charts).toEqual([
      { id: 3, name: "alpha", intervalMs: 30_000, series: [time], more: 0, colorFrom: 0 },
      { id: 9, name: "delta", intervalMs: undefined, series: [free], more: 0, colorFrom: 1 },
    ]);
    // Not read (yet): nothing.
    expect(checkCharts(views, {})).toEqual([]);
  });

  it("charts the first few metrics of a check and counts the rest", () => {
    const many = Array.from({ length: PROGRAM_CHARTS_PER_CHECK + 3 }, (_, i) => series(`m${i}`, [[0, i, i, i]]));
    const [c] = checkCharts([view(3, "busy")], { 3: many });
    expect(c.series.map((s) => s.label)).toEqual(many.slice(0, PROGRAM_CHARTS_PER_CHECK).map((s) => s.label));
    expect(c.more).toBe(3);
    // The next check's charts take the next colours.
    const two = checkCharts([view(3, "busy"), view(4, "next")], { 3: many, 4: [series("t", [[0, 1, 1, 1]])] });
    expect(two[1].colorFrom).toBe(PROGRAM_CHARTS_PER_CHECK);
    expect(checkCharts([view(3, "busy")], { 3: many }, 2)[0]).toMatchObject({ more: PROGRAM_CHARTS_PER_CHECK + 1 });
  });

  it("asks up to the end of the window's last second", () => {
    expect(metricsEnd(1_795_901_316_226)).toBe(1_795_901_317_000);
    expect(metricsEnd(1_795_901_316_000)).toBe(1_795_901_316_000);
  });

  it("reads every check's metrics in the window at once; a deleted check has none", async () => {
    const asked: unknown[] = [];
    const got = await readMetrics(
      async (r) => {
        asked.push(r);
        if (r.id === 2) throw { code: "not_found", message: "no check 2" };
        return [series(`m${r.id}`, [[r.from, 1, 1, 1]])];
      },
      [1, 2],
      1_000,
      2_300,
    );
    // Up to the end of the window's last second (values are kept per second).
    expect(asked).toEqual([
      { id: 1, from: 1_000, to: 3_000 },
      { id: 2, from: 1_000, to: 3_000 },
    ]);
    expect(got).toEqual({ 1: [series("m1", [[1_000, 1, 1, 1]])], 2: [] });
  });

  it("fails the read on any other failure (a refused token is the page's to handle)", async () => {
    await expect(
      readMetrics(
        async (r) => {
          if (r.id === 2) throw { code: "unauthorized", message: "token" };
          return [];
        },
        [1, 2],
        0,
        1,
      ),
    ).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("reads again after a status change of one of the program's checks only", () => {
    expect(isCheckEventOf({ kind: "check_critical", program_id: 4 }, 4)).toBe(true);
    expect(isCheckEventOf({ kind: "check_recovered", program_id: 4 }, 4)).toBe(true);
    expect(isCheckEventOf({ kind: "check_critical", program_id: 5 }, 4)).toBe(false);
    expect(isCheckEventOf({ kind: "check_warning", program_id: null }, 4)).toBe(false);
    expect(isCheckEventOf({ kind: "program_crashed", program_id: 4 }, 4)).toBe(false);
  });
});
