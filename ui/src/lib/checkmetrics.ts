/**
 * Checks' metric charts: a metric's points as chart data, the window a check's page opens on,
 * and which checks of a program are charted on its page (those with metrics in the window),
 * read all at once. The components (CheckMetricsChart, CheckDetail, ProgramCheckCharts) only
 * show.
 */
import type { BandData } from "./monitor";
import type { Check, CheckView, MetricSeries } from "./types";
import { toApiError } from "./errors";

/** The chart colours of a check's metrics, in the order of its series. */
export const METRIC_COLORS: readonly string[] = ["#6ea8fe", "#5cc08a", "#e0b454", "#c792ea", "#ef6b6b"];

export function metricColor(i: number): string {
  return METRIC_COLORS[((i % METRIC_COLORS.length) + METRIC_COLORS.length) % METRIC_COLORS.length];
}

/** How often a check runs, ms, when it says so (a plugin's default is in its manifest: undefined). */
export function checkIntervalMs(c: Pick<Check, "interval_secs">): number | undefined {
  return c.interval_secs && c.interval_secs > 0 ? c.interval_secs * 1000 : undefined;
}

function medianGap(sortedTs: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < sortedTs.length; i++) gaps.push(sortedTs[i] - sortedTs[i - 1]);
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * A metric's points as chart data ([seconds, min, avg, max]), oldest first, with a break
 * where the check did not run (or was off): for rollups, more than 1.5 of their steps with no
 * point; for raw values (`resolution_secs` 0, one point per answer), a gap of more than twice
 * the check's interval (`intervalMs`, or the usual gap between its answers when that is
 * longer: a plugin's own interval is not known here). Answers asked for by hand only add
 * points, they never break the line.
 */
export function metricBand(s: Pick<MetricSeries, "points" | "resolution_secs">, intervalMs?: number): BandData {
  const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
  const raw = s.resolution_secs <= 0;
  const step = raw ? Math.max(intervalMs ?? 0, medianGap(sorted.map((p) => p[0]))) : s.resolution_secs * 1000;
  const limit = raw ? 2 * step : 1.5 * step;
  const out: BandData = [[], [], [], []];
  let prev: number | null = null;
  for (const [ts, avg, min, max] of sorted) {
    if (prev !== null && step > 0 && ts - prev > limit) {
      out[0].push((prev + (raw ? (ts - prev) / 2 : step)) / 1000);
      out[1].push(null);
      out[2].push(null);
      out[3].push(null);
    }
    out[0].push(ts / 1000);
    out[1].push(min);
    out[2].push(avg);
    out[3].push(max);
    prev = ts;
  }
  return out;
}

/** One point's span for the hover line, ms: a rollup's bucket, or an instant for raw values. */
export function metricStepMs(s: Pick<MetricSeries, "resolution_secs">): number {
  return Math.max(1, s.resolution_secs) * 1000;
}

/**
 * The metric window a check's page opens on: the shortest of 1 h, 24 h, 7 d that holds its
 * history since `oldest` (its oldest answer; null: older than one page of history, 24 h).
 */
export function metricWindow(oldest: number | null, now: number): "1h" | "24h" | "7d" {
  if (oldest === null) return "24h";
  const age = now - oldest;
  if (age <= 3_600_000) return "1h";
  if (age <= 86_400_000) return "24h";
  return "7d";
}

/** The highest value of a metric's series (the y axis reaches at least a little above 0). */
export function metricFloor(s: Pick<MetricSeries, "points">): number {
  let m = 0;
  for (const p of s.points) if (Number.isFinite(p[3]) && p[3] > m) m = p[3];
  return m > 0 ? m : 1;
}

/** A metric's title: "time (ms)", "load" for a plain number. */
export function metricTitle(s: Pick<MetricSeries, "label" | "unit">): string {
  return s.unit ? `${s.label} (${s.unit})` : s.label;
}

// ------------------------------------------------------------ a program's checks

/**
 * The checks of a program whose metrics are read: those that have answered (a check that
 * never did has none), by id. Their order does not matter; the key changes only when the set
 * does, so a list read again with the same checks does not read their metrics again.
 */
export function metricCheckIds(views: readonly Pick<CheckView, "check" | "latest">[]): number[] {
  const ids: number[] = [];
  for (const v of views) if (v.latest !== null && v.check.id !== undefined) ids.push(v.check.id);
  return ids.sort((a, b) => a - b);
}

export type CheckCharts = {
  id: number;
  name: string;
  intervalMs: number | undefined;
  /** Its metrics with at least one point in the window, the first `perCheck` of them. */
  series: MetricSeries[];
  /** How many more it has (charted on the check's own page). */
  more: number;
  /** Its first series' place among all the charts shown (each chart its own colour). */
  colorFrom: number;
};

/** The most metrics of one check the program page charts (a plugin may report dozens). */
export const PROGRAM_CHARTS_PER_CHECK = 4;

/**
 * What the program page charts: each of its checks (in the list's order) with the metrics
 * that have points in the window, at most `perCheck` of each. A check without any is left
 * out, with no empty chart.
 */
export function checkCharts(
  views: readonly Pick<CheckView, "check">[],
  metrics: Readonly<Record<number, readonly MetricSeries[]>>,
  perCheck = PROGRAM_CHARTS_PER_CHECK,
): CheckCharts[] {
  const out: CheckCharts[] = [];
  let colorFrom = 0;
  for (const v of views) {
    const id = v.check.id;
    if (id === undefined) continue;
    const series = (metrics[id] ?? []).filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const shown = series.slice(0, perCheck);
    out.push({ id, name: v.check.name, intervalMs: checkIntervalMs(v.check), series: shown, more: series.length - shown.length, colorFrom });
    colorFrom += shown.length;
  }
  return out;
}

/**
 * The end to ask metrics up to: `to` rounded up to a whole second. The daemon keeps one value
 * per second and reads whole seconds before the end's, so a window ending now (a live one)
 * would miss the answer given in this very second.
 */
export function metricsEnd(to: number): number {
  return Math.ceil(to / 1000) * 1000;
}

/**
 * Reads the metrics of `ids` in [from, to) at once (up to `metricsEnd(to)`). A check deleted meanwhile has none; any
 * other failure (the daemon gone, the token refused) fails the whole read.
 */
export async function readMetrics(
  get: (r: { id: number; from: number; to: number }) => Promise<MetricSeries[]>,
  ids: readonly number[],
  from: number,
  to: number,
): Promise<Record<number, MetricSeries[]>> {
  const got = await Promise.all(
    ids.map((id) =>
      get({ id, from, to: metricsEnd(to) }).catch((e: unknown) => {
        if (toApiError(e).code === "not_found") return [] as MetricSeries[];
        throw e;
      }),
    ),
  );
  return Object.fromEntries(ids.map((id, i) => [id, got[i]]));
}

/** The events that re-read a program's check metrics: a check of that program changed status. */
export function isCheckEventOf(e: { kind: string; program_id: number | null }, programId: number): boolean {
  return e.program_id === programId && e.kind.startsWith("check_");
}
