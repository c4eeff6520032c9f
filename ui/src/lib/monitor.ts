import type { ProgramStatus, SampleBucket, StatusUpdate } from "./types";
import { formatUptime } from "./format";

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

/** One live sample: [unix ms, CPU percent, memory bytes]. */
export type Sample = readonly [number, number, number];

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Lowest and highest CPU of a `History.toArray()` view, worked out as it was made. */
const viewStats = new WeakMap<readonly Sample[], { min: number; max: number }>();

/** The highest CPU in `recent` (0 for none); free for a history's view. */
export function peakOf(recent: readonly Sample[]): number {
  const known = viewStats.get(recent);
  if (known) return Math.max(0, known.max);
  let m = 0;
  for (let i = 0; i < recent.length; i++) if (recent[i][1] > m) m = recent[i][1];
  return m;
}

/**
 * The polyline's points (x, y rounded to 0.1 px) into `xs`/`ys`; returns how many. Points
 * that land where the previous one did are dropped, and so are the middle points of a
 * level run (same y), which draw nothing: an idle program is two points, not 120.
 */
function sparkCoords(recent: readonly Sample[], width: number, height: number, floor: number, xs: number[], ys: number[]): number {
  const n = recent.length;
  if (n === 0) return 0;
  const t0 = recent[0][0];
  const span = recent[n - 1][0] - t0;
  const known = viewStats.get(recent);
  if (known && known.min === known.max && n > 1) {
    // A level line (an idle program): its two ends, without a walk over the samples.
    const top = Math.max(floor, known.max);
    const y = round1(height - (Math.max(0, known.max) / top) * height);
    xs[0] = 0;
    ys[0] = y;
    if (round1(width) === 0) return 1;
    xs[1] = round1(width);
    ys[1] = y;
    return 2;
  }
  let top = floor;
  for (let i = 0; i < n; i++) if (recent[i][1] > top) top = recent[i][1];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = recent[i];
    const x = round1(span > 0 ? ((r[0] - t0) / span) * width : n > 1 ? (i / (n - 1)) * width : width);
    const y = round1(height - (Math.max(0, r[1]) / top) * height);
    if (k > 0 && xs[k - 1] === x && ys[k - 1] === y) continue;
    // A level run: move its end instead of adding a point (keeps its first point).
    if (k > 1 && ys[k - 1] === y && ys[k - 2] === y) {
      xs[k - 1] = x;
      continue;
    }
    xs[k] = x;
    ys[k] = y;
    k++;
  }
  return k;
}

function joinCoords(xs: readonly number[], ys: readonly number[], k: number): string {
  let out = "";
  for (let i = 0; i < k; i++) out += (i > 0 ? " " : "") + xs[i] + "," + ys[i];
  return out;
}

/**
 * SVG polyline points for the CPU column of `recent` ([ms, cpu, mem]), in a
 * width x height box, oldest at the left. The y scale tops out at the peak,
 * but at least at `floor` percent so idle noise stays flat.
 */
export function sparkPoints(recent: readonly Sample[], width: number, height: number, floor = 10): string {
  const xs: number[] = [];
  const ys: number[] = [];
  return joinCoords(xs, ys, sparkCoords(recent, width, height, floor, xs, ys));
}

/**
 * `sparkPoints` for one sparkline that is redrawn as samples come: the same input gives
 * the same string without work, and a new input whose points come out as before gives the
 * previous string (no new string, no DOM write). Its scratch arrays are reused.
 */
export function sparkMemo(): (recent: readonly Sample[], width: number, height: number, floor?: number) => string {
  let last: readonly Sample[] | null = null;
  let lastKey = "";
  let out = "";
  let xs: number[] = [];
  let ys: number[] = [];
  let k = -1;
  let nx: number[] = [];
  let ny: number[] = [];
  return (recent, width, height, floor = 10) => {
    const key = `${width} ${height} ${floor}`;
    if (recent === last && key === lastKey) return out;
    last = recent;
    lastKey = key;
    const m = sparkCoords(recent, width, height, floor, nx, ny);
    let same = m === k;
    for (let i = 0; same && i < m; i++) same = nx[i] === xs[i] && ny[i] === ys[i];
    if (same) return out;
    [xs, nx] = [nx, xs];
    [ys, ny] = [ny, ys];
    k = m;
    xs.length = m;
    ys.length = m;
    out = joinCoords(xs, ys, m);
    return out;
  };
}

// ---------------------------------------------------------------- statuses

export type StatusMap = Record<number, ProgramStatus>;

/** Index a full poll by program id (programs not in it are gone or unknown). */
export function indexStatuses(list: readonly ProgramStatus[]): StatusMap {
  const out: StatusMap = {};
  for (const s of list) out[s.program_id] = s;
  return out;
}

/** Most `recent` samples kept per program (the sparkline's width). */
export const MAX_RECENT = 120;

/**
 * One program's newest samples in a ring of fixed size: pushing never grows it past `cap`
 * and never copies what it holds. `toArray()` gives them oldest first, the same array until
 * the next push that adds one (made only when asked for).
 */
export class History {
  readonly cap: number;
  readonly #ring: Sample[];
  #start = 0;
  #len = 0;
  #view: readonly Sample[] | null = null;
  /** How many of the newest samples have the newest one's CPU (at most `cap`). */
  #run = 0;
  #drawn = 0;

  constructor(cap = MAX_RECENT) {
    if (!(cap >= 1)) throw new Error(`history needs room for a sample, got ${cap}`);
    this.cap = cap;
    this.#ring = new Array<Sample>(cap);
  }

  get length(): number {
    return this.#len;
  }

  /** The newest sample. */
  get last(): Sample | undefined {
    return this.#len === 0 ? undefined : this.#ring[(this.#start + this.#len - 1) % this.cap];
  }

  /**
   * Counts the pushes that may change what a sparkline of these samples draws: every one,
   * except a sample that keeps a level line level (an idle program's line looks the same
   * however far it moved on, so what draws it need not be told).
   */
  get drawn(): number {
    return this.#drawn;
  }

  /** Appends the samples newer than the newest held (older ones and repeats are skipped); whether any was. */
  push(samples: readonly Sample[]): boolean {
    let added = false;
    // Only the newest `cap` can stay.
    for (let i = Math.max(0, samples.length - this.cap); i < samples.length; i++) {
      const s = samples[i];
      const last = this.last;
      if (last !== undefined && s[0] <= last[0]) continue;
      const wasLevel = this.#len > 1 && this.#run >= this.#len;
      const same = last !== undefined && s[1] === last[1];
      this.#run = same ? Math.min(this.#run + 1, this.cap) : 1;
      if (!(wasLevel && same)) this.#drawn++;
      if (this.#len < this.cap) {
        this.#ring[(this.#start + this.#len) % this.cap] = s;
        this.#len++;
      } else {
        this.#ring[this.#start] = s;
        this.#start = (this.#start + 1) % this.cap;
      }
      added = true;
    }
    if (added) this.#view = null;
    return added;
  }

  toArray(): readonly Sample[] {
    if (this.#view === null) {
      const out = new Array<Sample>(this.#len);
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < this.#len; i++) {
        const s = this.#ring[(this.#start + i) % this.cap];
        out[i] = s;
        if (s[1] < min) min = s[1];
        if (s[1] > max) max = s[1];
      }
      if (this.#len > 0) viewStats.set(out, { min, max });
      this.#view = out;
    }
    return this.#view;
  }
}

const HISTORY = Symbol("history");
type Live = ProgramStatus & { [HISTORY]?: History };

/** The history a status of this map keeps its samples in (none for a plain status). */
export function historyOf(s: ProgramStatus | undefined): History | undefined {
  return (s as Live | undefined)?.[HISTORY];
}

function sameProcesses(a: ProgramStatus["processes"], b: ProgramStatus["processes"]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.pid !== y.pid || x.started !== y.started || x.cpu_percent !== y.cpu_percent || x.memory_bytes !== y.memory_bytes) return false;
  }
  return true;
}

/** Whether two statuses show the same, samples apart. */
function sameShown(a: ProgramStatus, b: ProgramStatus): boolean {
  return (
    a.state === b.state &&
    a.cpu_percent === b.cpu_percent &&
    a.memory_bytes === b.memory_bytes &&
    a.since === b.since &&
    a.restarts === b.restarts &&
    a.last_exit === b.last_exit &&
    a.health === b.health &&
    sameProcesses(a.processes, b.processes)
  );
}

/**
 * The status to keep for `s`, its samples added to `prev`'s history: `prev` itself when
 * nothing else shows differently (a row that did not change keeps its object, and what it
 * renders is not worked out again), else a new object that keeps `prev`'s processes array
 * when they are the same. Its `recent` reads the history (the newest `cap` samples).
 */
function merged(prev: Live | undefined, s: ProgramStatus, cap: number): ProgramStatus {
  let h = prev?.[HISTORY];
  if (!h) {
    h = new History(cap);
    // A plain status (not made here) brings the samples it holds.
    if (prev) h.push(prev.recent);
  }
  h.push(s.recent);
  if (prev && prev[HISTORY] && sameShown(prev, s)) return prev;
  const out = { ...s, processes: prev && sameProcesses(prev.processes, s.processes) ? prev.processes : s.processes } as Live;
  const history = h;
  Object.defineProperty(out, "recent", { get: () => history.toArray() as ProgramStatus["recent"], enumerable: true, configurable: true });
  Object.defineProperty(out, HISTORY, { value: h, enumerable: false });
  return out;
}

/** Replace one program's status (from an action's answer); the samples held are kept. */
export function withStatus(map: StatusMap, s: ProgramStatus, cap = MAX_RECENT): StatusMap {
  const next = merged(map[s.program_id], s, cap);
  return next === map[s.program_id] ? map : { ...map, [s.program_id]: next };
}

/**
 * Apply a pushed status update: a `full` one replaces everything; a delta replaces the
 * programs it names, appending their new `recent` samples to those already held (at most
 * `cap`, newest kept, in a fixed ring), and drops the `removed` ones. Returns a new map
 * (the same one when the update changes nothing); a program whose status shows the same
 * as before keeps its object.
 */
export function applyStatusUpdate(map: StatusMap, u: StatusUpdate, cap = MAX_RECENT): StatusMap {
  if (!u.full && u.statuses.length === 0 && !u.removed.some((id) => id in map)) return map;
  const out: StatusMap = u.full ? {} : { ...map };
  for (const s of u.statuses) out[s.program_id] = merged(u.full ? undefined : map[s.program_id], s, cap);
  for (const id of u.removed) delete out[id];
  return out;
}

/** A running program's uptime as shown in the list ("5m 07s"), "–" when it is not running. */
export function uptimeText(s: ProgramStatus | undefined, now: number): string {
  const up = s?.state === "running" ? sinceSecs(s, now) : null;
  return up === null ? "–" : formatUptime(up);
}

/** Seconds a program has been in its current state, or null. */
export function sinceSecs(s: ProgramStatus | undefined, now: number): number | null {
  if (!s || s.since === null) return null;
  return Math.max(0, (now - s.since) / 1000);
}
