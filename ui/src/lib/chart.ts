// The resource charts' rules: which windows there are and which one opens first, the live
// tail merged after the loaded buckets, the shared y scale of compared programs, and the
// 24-hour time and value texts of the axes and the hover line. The components only draw.
import type { SampleBucket } from "./types";
import type { BandData, Metric } from "./monitor";
import { formatClock, formatDateTime } from "./format";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export type WindowKey = "5m" | "15m" | "1h" | "24h" | "7d" | "30d";

export type WindowSpec = {
  key: WindowKey;
  label: string;
  spanMs: number;
  /** Buckets asked for: 1 s, 2 s, 30 s, 5 min, 30 min and 2 h. */
  points: number;
  /** A live window slides with the clock and takes in each pushed sample at once. */
  live: boolean;
};

export const WINDOWS: readonly WindowSpec[] = [
  { key: "5m", label: "5 min", spanMs: 5 * MIN, points: 300, live: true },
  { key: "15m", label: "15 min", spanMs: 15 * MIN, points: 450, live: true },
  { key: "1h", label: "1 h", spanMs: HOUR, points: 120, live: false },
  { key: "24h", label: "24 h", spanMs: DAY, points: 288, live: false },
  { key: "7d", label: "7 d", spanMs: 7 * DAY, points: 336, live: false },
  { key: "30d", label: "30 d", spanMs: 30 * DAY, points: 360, live: false },
];

export function windowSpec(key: WindowKey): WindowSpec {
  const w = WINDOWS.find((x) => x.key === key);
  if (!w) throw new Error(`unknown window ${key}`);
  return w;
}

export function isWindowKey(s: string): s is WindowKey {
  return WINDOWS.some((w) => w.key === s);
}

/** The longest window a chart opens on by itself (older data is a click away). */
const LONGEST_DEFAULT: WindowKey = "24h";

/**
 * The window a chart opens on: the shortest one that holds all the data there is (since
 * `since`, the program's registration or its first sample), at most a day. A program
 * registered 3 minutes ago opens on the live 5 minutes, not on a day that is mostly empty.
 */
export function fitWindow(since: number | null | undefined, now: number): WindowKey {
  if (since === null || since === undefined || !Number.isFinite(since)) return "1h";
  const age = Math.max(0, now - since);
  for (const w of WINDOWS) {
    if (age <= w.spanMs) return w.key;
    if (w.key === LONGEST_DEFAULT) break;
  }
  return LONGEST_DEFAULT;
}

export type ChartWindow = { key: WindowKey; from: number; to: number; points: number; stepMs: number; live: boolean };

/**
 * The `samples()` query of a window ending now. A fixed window ends at the next bucket edge,
 * so that refreshes ask for the same buckets; a live one ends now (it slides each second).
 */
export function chartWindow(key: WindowKey, now: number): ChartWindow {
  const w = windowSpec(key);
  const stepMs = w.spanMs / w.points;
  const to = w.live ? now : Math.ceil(now / stepMs) * stepMs;
  return { key, from: to - w.spanMs, to, points: w.points, stepMs, live: w.live };
}

/** The window's x edges in unix seconds at `now` (a live window slides, a fixed one stays). */
export function xRange(win: ChartWindow, now: number): [number, number] {
  if (!win.live) return [win.from / SEC, win.to / SEC];
  const span = win.to - win.from;
  const to = Math.max(win.to, now);
  return [(to - span) / SEC, to / SEC];
}

// ---------------------------------------------------------------- live tail

/** Pushed samples further apart than this are drawn with a break between them. */
const LIVE_GAP_MS = 5 * SEC;

/** A pushed sample: `[unix_ms, cpu_percent, memory_bytes]` (ProgramStatus.recent). */
export type LiveSample = readonly [number, number, number];

/**
 * Adds the pushed samples newer than everything in `tail` (oldest first, any overlap
 * dropped), and forgets those older than `keepFrom`. Returns `tail` itself when nothing
 * changed.
 */
export function growTail(tail: readonly LiveSample[], pushed: readonly LiveSample[], keepFrom: number): readonly LiveSample[] {
  const last = tail.length > 0 ? tail[tail.length - 1][0] : -Infinity;
  const fresh = pushed.filter((s) => s[0] > last && s[0] >= keepFrom);
  const firstKept = tail.findIndex((s) => s[0] >= keepFrom);
  const dropped = firstKept === -1 ? tail.length : firstKept;
  if (fresh.length === 0 && dropped === 0) return tail;
  return [...tail.slice(dropped), ...fresh];
}

/**
 * The chart data of the loaded buckets followed by the live samples pushed after the last
 * bucket (each one point, min = avg = max), memory in MiB like `bandData`. A gap longer
 * than 1.5 steps (or 5 s between samples) breaks the line.
 */
export function withTail(base: BandData, tail: readonly LiveSample[], metric: Metric, stepMs: number): BandData {
  const lastX = base[0].length > 0 ? base[0][base[0].length - 1] * SEC : -Infinity;
  const after = tail.filter((s) => s[0] >= lastX + Math.max(stepMs, 1));
  if (after.length === 0) return base;
  const out: BandData = [[...base[0]], [...base[1]], [...base[2]], [...base[3]]];
  const scale = metric === "mem" ? 1 / (1024 * 1024) : 1;
  // The last bucket ends a step after its start; pushed samples come about every second.
  let prevEnd = lastX + stepMs;
  let limit = 1.5 * Math.max(stepMs, 1);
  for (const [ts, cpu, mem] of after) {
    const v = (metric === "cpu" ? cpu : mem) * scale;
    if (Number.isFinite(prevEnd) && ts - prevEnd > limit) {
      out[0].push((prevEnd + ts) / 2 / SEC);
      out[1].push(null);
      out[2].push(null);
      out[3].push(null);
    }
    out[0].push(ts / SEC);
    out[1].push(v);
    out[2].push(v);
    out[3].push(v);
    prevEnd = ts;
    limit = LIVE_GAP_MS;
  }
  return out;
}

// ---------------------------------------------------------------- scale

/** The highest value of a band (its max series), or 0. */
export function bandMax(d: BandData): number {
  let m = 0;
  for (const v of d[3]) if (v !== null && Number.isFinite(v) && v > m) m = v;
  return m;
}

/** A round number at or above `v`: 1, 2, 2.5, 5 times a power of ten. */
export function niceCeil(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) {
    const c = f * p;
    if (c >= v * (1 - 1e-12)) return Number(c.toPrecision(12));
  }
  return 10 * p;
}

/**
 * The top of a y axis shared by several programs' charts: the highest value of any of them
 * with a little headroom, at least `floor`, rounded up. The same number for every chart, so
 * the same height means the same load.
 */
export function sharedTop(maxes: readonly number[], floor: number): number {
  const m = Math.max(floor, ...maxes.filter((x) => Number.isFinite(x)));
  return niceCeil(m * 1.1);
}

// ---------------------------------------------------------------- time texts (24-hour)

/** Tick steps of time axes, seconds: never below a second (labels show whole seconds). */
export const TIME_INCRS: readonly number[] = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
];

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Labels of the x axis ticks (unix seconds), 24-hour local time: "14:05" within a day
 * ("14:05:30" when a tick is not on a whole minute), "11-28" at midnight and
 * "11-28 14:00" otherwise for longer windows.
 */
export function axisTimeLabels(splits: readonly number[], spanSecs: number): string[] {
  return splits.map((s) => {
    const d = new Date(s * SEC);
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (spanSecs <= 86_400 + 1) return d.getSeconds() !== 0 ? `${hm}:${pad(d.getSeconds())}` : hm;
    const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    return d.getHours() === 0 && d.getMinutes() === 0 ? md : `${md} ${hm}`;
  });
}

/**
 * The time of a hovered point (unix seconds): the clock for a sample or a bucket within the
 * last day ("14:03:22", or "14:03:00–14:03:30" for a bucket), the date too beyond that.
 */
export function hoverTime(ts: number, stepMs: number, spanMs: number): string {
  const ms = ts * SEC;
  const long = spanMs > DAY;
  const at = (t: number) => (long ? formatDateTime(t) : formatClock(t));
  if (stepMs <= 2 * SEC) return at(ms);
  const end = ms + stepMs;
  const endText = long && new Date(end).toDateString() !== new Date(ms).toDateString() ? formatDateTime(end) : formatClock(end);
  return `${at(ms)}–${endText}`;
}

/** A hovered point's values: "12.3%" for a single sample, "avg 12.3% · min–max 10%–15.2%". */
export function hoverValues(
  min: number | null | undefined,
  avg: number | null | undefined,
  max: number | null | undefined,
  fmt: (v: number) => string,
): string {
  if (avg === null || avg === undefined || !Number.isFinite(avg)) return "no data";
  const lo = min ?? avg;
  const hi = max ?? avg;
  if (fmt(lo) === fmt(hi)) return fmt(avg);
  return `avg ${fmt(avg)} · min–max ${fmt(lo)}–${fmt(hi)}`;
}

/** The hover line of point `i` of `d`: "14:03:22 · CPU avg 12% · min–max 10%–15%". */
export function hoverText(
  d: BandData,
  i: number | null | undefined,
  label: string,
  fmt: (v: number) => string,
  stepMs: number,
  spanMs: number,
): string | null {
  if (i === null || i === undefined || i < 0 || i >= d[0].length) return null;
  return `${hoverTime(d[0][i], stepMs, spanMs)} · ${label} ${hoverValues(d[1][i], d[2][i], d[3][i], fmt)}`;
}

/** Convenience for tests and callers with buckets in hand. */
export type { BandData, Metric, SampleBucket };
