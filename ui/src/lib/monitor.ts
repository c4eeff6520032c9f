import type { ProgramStatus, SampleBucket, StatusUpdate } from "./types";

// ---------------------------------------------------------------- ranges

export type RangeKey = "1h" | "24h" | "7d" | "30d";

export type RangeSpec = { key: RangeKey; label: string; spanMs: number; points: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Chart ranges; `points` gives buckets of 30 s, 5 min, 30 min and 2 h. */
export const RANGES: readonly RangeSpec[] = [
  { key: "1h", label: "1 h", spanMs: HOUR, points: 120 },
  { key: "24h", label: "24 h", spanMs: DAY, points: 288 },
  { key: "7d", label: "7 d", spanMs: 7 * DAY, points: 336 },
  { key: "30d", label: "30 d", spanMs: 30 * DAY, points: 360 },
];

export function rangeSpec(key: RangeKey): RangeSpec {
  const r = RANGES.find((x) => x.key === key);
  if (!r) throw new Error(`unknown range ${key}`);
  return r;
}

export type SampleWindow = { from: number; to: number; points: number; stepMs: number };

/**
 * The `samples()` query for a range ending now. `to` is rounded up to a whole
 * bucket so repeated refreshes ask for the same bucket edges and the chart
 * does not shimmer; the window always spans exactly the range.
 */
export function sampleWindow(key: RangeKey, now: number): SampleWindow {
  const r = rangeSpec(key);
  const stepMs = r.spanMs / r.points;
  const to = Math.ceil(now / stepMs) * stepMs;
  return { from: to - r.spanMs, to, points: r.points, stepMs };
}

// ---------------------------------------------------------------- chart data

/** uPlot's aligned data: x in unix seconds, then min, avg, max. */
export type BandData = [number[], (number | null)[], (number | null)[], (number | null)[]];

export type Metric = "cpu" | "mem";

/**
 * Shape buckets for a min/avg/max band chart. Buckets are sorted by time;
 * where the daemon has no bucket for more than 1.5 steps (the program was not
 * running) a null point is inserted so the lines break instead of bridging
 * the gap. Memory is converted to MiB.
 */
export function bandData(buckets: readonly SampleBucket[], metric: Metric, stepMs: number): BandData {
  const sorted = [...buckets].sort((a, b) => a.ts - b.ts);
  const out: BandData = [[], [], [], []];
  const scale = metric === "mem" ? 1 / (1024 * 1024) : 1;
  let prev: number | null = null;
  for (const b of sorted) {
    if (prev !== null && stepMs > 0 && b.ts - prev > 1.5 * stepMs) {
      out[0].push((prev + stepMs) / 1000);
      out[1].push(null);
      out[2].push(null);
      out[3].push(null);
    }
    const [min, avg, max] =
      metric === "cpu" ? [b.cpu_min, b.cpu_avg, b.cpu_max] : [b.mem_min, b.mem_avg, b.mem_max];
    out[0].push(b.ts / 1000);
    out[1].push(min * scale);
    out[2].push(avg * scale);
    out[3].push(max * scale);
    prev = b.ts;
  }
  return out;
}

// ---------------------------------------------------------------- sparkline

/**
 * SVG polyline points for the CPU column of `recent` ([ms, cpu, mem]), in a
 * width x height box, oldest at the left. The y scale tops out at the peak,
 * but at least at `floor` percent so idle noise stays flat.
 */
export function sparkPoints(
  recent: readonly (readonly [number, number, number])[],
  width: number,
  height: number,
  floor = 10,
): string {
  if (recent.length === 0) return "";
  const t0 = recent[0][0];
  const t1 = recent[recent.length - 1][0];
  const span = t1 - t0;
  const top = Math.max(floor, ...recent.map((r) => r[1]));
  const fmt = (n: number) => String(Math.round(n * 10) / 10);
  return recent
    .map(([t, cpu], i) => {
      const x = span > 0 ? ((t - t0) / span) * width : recent.length > 1 ? (i / (recent.length - 1)) * width : width;
      const y = height - (Math.max(0, cpu) / top) * height;
      return `${fmt(x)},${fmt(y)}`;
    })
    .join(" ");
}

// ---------------------------------------------------------------- statuses

export type StatusMap = Record<number, ProgramStatus>;

/** Index a full poll by program id (programs not in it are gone or unknown). */
export function indexStatuses(list: readonly ProgramStatus[]): StatusMap {
  const out: StatusMap = {};
  for (const s of list) out[s.program_id] = s;
  return out;
}

/** Replace one program's status (from an action's answer). */
export function withStatus(map: StatusMap, s: ProgramStatus): StatusMap {
  return { ...map, [s.program_id]: s };
}

/** Most `recent` samples kept per program (the sparkline's width). */
export const MAX_RECENT = 120;

/**
 * Apply a pushed status update: a `full` one replaces everything; a delta replaces the
 * programs it names, appending their new `recent` samples to those already held (at most
 * `cap`, newest kept), and drops the `removed` ones. Returns a new map.
 */
export function applyStatusUpdate(map: StatusMap, u: StatusUpdate, cap = MAX_RECENT): StatusMap {
  const out: StatusMap = u.full ? {} : { ...map };
  for (const s of u.statuses) {
    const had = u.full ? undefined : out[s.program_id];
    const recent = had ? [...had.recent, ...s.recent] : [...s.recent];
    out[s.program_id] = { ...s, recent: recent.length > cap ? recent.slice(recent.length - cap) : recent };
  }
  for (const id of u.removed) delete out[id];
  return out;
}

/** Seconds a program has been in its current state, or null. */
export function sinceSecs(s: ProgramStatus | undefined, now: number): number | null {
  if (!s || s.since === null) return null;
  return Math.max(0, (now - s.since) / 1000);
}
