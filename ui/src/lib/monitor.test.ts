import { describe, expect, it } from "vitest";
import {
  History,
  MAX_RECENT,
  RANGES,
  applyStatusUpdate,
  bandData,
  indexStatuses,
  sampleWindow,
  sinceSecs,
  historyOf,
  peakOf,
  sparkMemo,
  sparkPoints,
  uptimeText,
  withStatus,
} from "./monitor";
import type { ProgramStatus, SampleBucket } from "./types";

const MIB = 1024 * 1024;

function bucket(ts: number, cpu: [number, number, number], mem: [number, number, number] = [0, 0, 0]): SampleBucket {
  return { ts, cpu_min: cpu[0], cpu_avg: cpu[1], cpu_max: cpu[2], mem_min: mem[0], mem_avg: mem[1], mem_max: mem[2] };
}

function status(id: number, state: ProgramStatus["state"], extra: Partial<ProgramStatus> = {}): ProgramStatus {
  return {
    program_id: id,
    state,
    processes: [],
    cpu_percent: 0,
    memory_bytes: 0,
    since: null,
    restarts: 0,
    last_exit: null,
    recent: [],
    health: null,
    ...extra,
  };
}

describe("sampleWindow", () => {
  it.each([
    ["1h", 3_600_000, 120, 30_000],
    ["24h", 86_400_000, 288, 300_000],
    ["7d", 7 * 86_400_000, 336, 1_800_000],
    ["30d", 30 * 86_400_000, 360, 7_200_000],
  ] as const)("%s spans %i ms in %i buckets of %i ms", (key, span, points, step) => {
    const now = 1_700_000_012_345;
    const w = sampleWindow(key, now);
    expect(w.to - w.from).toBe(span);
    expect(w.points).toBe(points);
    expect(w.stepMs).toBe(step);
    // ends at the first bucket edge at or after now
    expect(w.to % step).toBe(0);
    expect(w.to).toBeGreaterThanOrEqual(now);
    expect(w.to - now).toBeLessThan(step);
  });

  it("asks for the same window throughout one bucket, then moves by one bucket", () => {
    const edge = 30_000 * 33_333_334;
    const a = sampleWindow("1h", edge + 1);
    const b = sampleWindow("1h", edge + 29_999);
    expect(a.to).toBe(edge + 30_000);
    expect(b).toEqual(a);
    const c = sampleWindow("1h", a.to + 1);
    expect(c.from - a.from).toBe(30_000);
  });

  it("keeps now exactly on an edge as the end", () => {
    expect(sampleWindow("24h", 300_000 * 10).to).toBe(300_000 * 10);
  });

  it("has one button per range, in order", () => {
    expect(RANGES.map((r) => r.key)).toEqual(["1h", "24h", "7d", "30d"]);
  });
});

describe("bandData", () => {
  it("orders by time, converts ms to s and picks the metric's min/avg/max", () => {
    const d = bandData([bucket(60_000, [4, 5, 6]), bucket(30_000, [1, 2, 3])], "cpu", 30_000);
    expect(d).toEqual([
      [30, 60],
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it("converts memory to MiB", () => {
    const d = bandData([bucket(0, [9, 9, 9], [MIB, 1.5 * MIB, 2 * MIB])], "mem", 30_000);
    expect(d).toEqual([[0], [1], [1.5], [2]]);
  });

  it("breaks the line with a null point where buckets are missing", () => {
    const d = bandData([bucket(0, [1, 1, 1]), bucket(30_000, [2, 2, 2]), bucket(150_000, [3, 3, 3])], "cpu", 30_000);
    expect(d[0]).toEqual([0, 30, 60, 150]);
    expect(d[2]).toEqual([1, 2, null, 3]);
    expect(d[1]).toEqual([1, 2, null, 3]);
    expect(d[3]).toEqual([1, 2, null, 3]);
  });

  it("does not break adjacent buckets with slightly uneven spacing", () => {
    const d = bandData([bucket(0, [1, 1, 1]), bucket(40_000, [2, 2, 2])], "cpu", 30_000);
    expect(d[2]).toEqual([1, 2]);
  });

  it("gives four empty columns for no data", () => {
    expect(bandData([], "cpu", 30_000)).toEqual([[], [], [], []]);
  });
});

describe("sparkPoints", () => {
  it("spreads samples over the width by time and scales to the peak", () => {
    const pts = sparkPoints(
      [
        [1000, 0, 0],
        [2000, 50, 0],
        [5000, 100, 0],
      ],
      80,
      20,
    );
    expect(pts).toBe("0,20 20,10 80,0");
  });

  it("keeps small values low by a floor on the scale", () => {
    // peak 2% on a 10% floor: 1/5 of the height
    expect(sparkPoints([[0, 2, 0], [1, 2, 0]], 10, 20)).toBe("0,16 10,16");
  });

  it("handles one sample and none", () => {
    expect(sparkPoints([[5, 10, 0]], 10, 20)).toBe("10,0");
    expect(sparkPoints([], 10, 20)).toBe("");
  });

  it("draws a level run as its two ends, and drops points that land on the previous one", () => {
    const idle = Array.from({ length: 120 }, (_, i): [number, number, number] => [i * 1000, 0, 0]);
    expect(sparkPoints(idle, 56, 16)).toBe("0,16 56,16");
    const step: [number, number, number][] = [
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [3, 10, 0],
      [4, 10, 0],
      [5, 10, 0],
    ];
    expect(sparkPoints(step, 50, 10)).toBe("0,10 20,10 30,0 50,0");
    // 1000 samples on 10 px: at most one point per 0.1 px column and height.
    const dense = Array.from({ length: 1000 }, (_, i): [number, number, number] => [i, 5, 0]);
    expect(sparkPoints(dense, 10, 10)).toBe("0,5 10,5");
  });
});

describe("sparkMemo", () => {
  const at = (from: number, cpu: number[]) => cpu.map((c, i): [number, number, number] => [(from + i) * 1000, c, 0]);

  it("gives the very same string while the points come out the same, a new one when they move", () => {
    const spark = sparkMemo();
    const a = spark(at(0, [0, 0, 0, 0]), 56, 16);
    expect(a).toBe(sparkPoints(at(0, [0, 0, 0, 0]), 56, 16));
    // The window moved on by a sample, the line looks the same: no new work shows.
    expect(spark(at(1, [0, 0, 0, 0]), 56, 16)).toBe(a);
    const b = spark(at(2, [0, 0, 0, 5]), 56, 16);
    expect(b).not.toBe(a);
    expect(b).toBe(sparkPoints(at(2, [0, 0, 0, 5]), 56, 16));
    expect(spark(at(2, [0, 0, 0, 5]), 56, 16, 50)).toBe(sparkPoints(at(2, [0, 0, 0, 5]), 56, 16, 50));
    expect(spark([], 56, 16)).toBe("");
  });
});

describe("a history's view", () => {
  it("draws and peaks the same as a plain array, level or not", () => {
    for (const cpu of [[0, 0, 0, 0], [3, 3], [7], [0, 5, 0, 2], [-1, -1]]) {
      const h = new History(10);
      h.push(cpu.map((c, i): [number, number, number] => [i * 1000, c, 0]));
      const view = h.toArray();
      const plain = [...view];
      expect(sparkPoints(view, 56, 16)).toBe(sparkPoints(plain, 56, 16));
      expect(sparkPoints(view, 56, 16, 50)).toBe(sparkPoints(plain, 56, 16, 50));
      expect(peakOf(view)).toBe(peakOf(plain));
    }
    expect(peakOf([])).toBe(0);
    expect(peakOf([[1, 4, 0], [2, 9, 0]])).toBe(9);
  });
});

describe("History", () => {
  it("keeps at most cap samples in a fixed ring, the newest, oldest first", () => {
    const h = new History(5);
    for (let i = 0; i < 1000; i++) h.push([[i, i, i]]);
    expect(h.length).toBe(5);
    expect(h.toArray().map((s) => s[0])).toEqual([995, 996, 997, 998, 999]);
    expect(h.last?.[0]).toBe(999);
    h.push(Array.from({ length: 12 }, (_, i): [number, number, number] => [1000 + i, 0, 0]));
    expect(h.toArray().map((s) => s[0])).toEqual([1007, 1008, 1009, 1010, 1011]);
  });

  it("counts the pushes that change the drawing: not those that keep a level line level", () => {
    const h = new History(4);
    const push = (t: number, cpu: number) => {
      const before = h.drawn;
      h.push([[t, cpu, 0]]);
      return h.drawn !== before;
    };
    expect(push(1, 0)).toBe(true); // one point
    expect(push(2, 0)).toBe(true); // a line now
    expect(push(3, 0)).toBe(false);
    for (let t = 4; t < 50; t++) expect(push(t, 0)).toBe(false);
    expect(push(50, 2)).toBe(true); // a step
    expect(push(51, 2)).toBe(true); // the step moves left
    expect(push(52, 2)).toBe(true);
    expect(push(53, 2)).toBe(true); // the window is level again (2, 2, 2, 2) ...
    expect(h.toArray().every((s) => s[1] === 2)).toBe(true);
    expect(push(54, 2)).toBe(false); // ... and stays so
    expect(push(55, 2.5)).toBe(true);
    // Repeats change nothing.
    expect(push(55, 9)).toBe(false);
  });

  it("skips samples it holds already or older ones, and gives one array until a new sample", () => {
    const h = new History(3);
    expect(h.push([[1, 0, 0], [2, 0, 0]])).toBe(true);
    const view = h.toArray();
    expect(h.toArray()).toBe(view);
    expect(h.push([[2, 0, 0], [1, 0, 0]])).toBe(false);
    expect(h.toArray()).toBe(view);
    expect(h.push([[3, 0, 0]])).toBe(true);
    expect(h.toArray()).not.toBe(view);
    expect(h.toArray().map((s) => s[0])).toEqual([1, 2, 3]);
    expect(() => new History(0)).toThrow();
  });
});

describe("status merging", () => {
  it("indexes a poll by program id and drops programs no longer reported", () => {
    const old = indexStatuses([status(1, "running"), status(2, "stopped")]);
    const next = indexStatuses([status(2, "running")]);
    expect(Object.keys(next)).toEqual(["2"]);
    expect(next[2].state).toBe("running");
    expect(old[1].state).toBe("running");
  });

  it("replaces one status without touching the others or the original map", () => {
    const m = indexStatuses([status(1, "running"), status(2, "running")]);
    const n = withStatus(m, status(1, "stopped"));
    expect(n[1].state).toBe("stopped");
    expect(n[2]).toBe(m[2]);
    expect(m[1].state).toBe("running");
  });

  it("shows a running program's uptime, a dash otherwise", () => {
    expect(uptimeText(status(1, "running", { since: 10_000 }), 197_000)).toBe("3m 07s");
    expect(uptimeText(status(1, "stopped", { since: 10_000 }), 197_000)).toBe("–");
    expect(uptimeText(undefined, 197_000)).toBe("–");
  });

  it("uptime comes from since, never negative, null when unknown", () => {
    expect(sinceSecs(status(1, "running", { since: 10_000 }), 70_000)).toBe(60);
    expect(sinceSecs(status(1, "running", { since: 80_000 }), 70_000)).toBe(0);
    expect(sinceSecs(status(1, "stopped"), 70_000)).toBeNull();
    expect(sinceSecs(undefined, 70_000)).toBeNull();
  });
});

describe("applyStatusUpdate", () => {
  const ps = (id: number, state: ProgramStatus["state"], recent: [number, number, number][]) => status(id, state, { recent });

  it("a full update replaces everything", () => {
    const had = { 1: ps(1, "running", [[1, 1, 1]]), 2: ps(2, "running", []) };
    const out = applyStatusUpdate(had, { full: true, statuses: [ps(3, "stopped", [[5, 0, 0]])], removed: [] });
    expect(Object.keys(out)).toEqual(["3"]);
    expect(out[3].recent).toEqual([[5, 0, 0]]);
  });

  it("a delta replaces the programs it names, appends their new samples and keeps the others", () => {
    const had = { 1: ps(1, "running", [[1, 1, 1]]), 2: ps(2, "running", [[1, 2, 2]]) };
    const out = applyStatusUpdate(had, { full: false, statuses: [ps(1, "waiting", [[2, 3, 3], [3, 4, 4]])], removed: [] });
    expect(out[1].state).toBe("waiting");
    expect(out[1].recent).toEqual([
      [1, 1, 1],
      [2, 3, 3],
      [3, 4, 4],
    ]);
    expect(out[2]).toBe(had[2]);
    expect(had[1].recent).toHaveLength(1);
    // a program new to the map takes its samples as they are
    expect(applyStatusUpdate(had, { full: false, statuses: [ps(4, "running", [[9, 9, 9]])], removed: [] })[4].recent).toEqual([[9, 9, 9]]);
  });

  it("removed programs go", () => {
    const had = { 1: ps(1, "running", []), 2: ps(2, "running", []) };
    const out = applyStatusUpdate(had, { full: false, statuses: [], removed: [1, 7] });
    expect(Object.keys(out)).toEqual(["2"]);
  });

  it("keeps at most MAX_RECENT samples per program, the newest", () => {
    const many = (from: number, n: number): [number, number, number][] => Array.from({ length: n }, (_, i) => [from + i, 0, 0]);
    expect(MAX_RECENT).toBe(120);
    const had = { 1: ps(1, "running", many(0, 100)) };
    const out = applyStatusUpdate(had, { full: false, statuses: [ps(1, "running", many(100, 50))], removed: [] });
    expect(out[1].recent).toHaveLength(120);
    expect(out[1].recent[0][0]).toBe(30);
    expect(out[1].recent[119][0]).toBe(149);
    const full = applyStatusUpdate({}, { full: true, statuses: [ps(1, "running", many(0, 130))], removed: [] });
    expect(full[1].recent).toHaveLength(120);
    expect(full[1].recent[0][0]).toBe(10);
  });

  it("a status that shows the same keeps its object across ticks, its samples grow in a bounded ring", () => {
    const proc = (cpu: number) => [{ pid: 7, started: 1, cpu_percent: cpu, memory_bytes: 100 }];
    const tick = (id: number, t: number, cpu = 0) => status(id, "running", { processes: proc(cpu), cpu_percent: cpu, memory_bytes: 100, since: 5, recent: [[t, cpu, 100]] });
    let map = applyStatusUpdate({}, { full: true, statuses: [tick(1, 0), tick(2, 0)], removed: [] });
    const first = map[1];
    const ring = historyOf(first);
    expect(ring).toBeDefined();
    for (let t = 1; t <= 1000; t++) {
      const before = map;
      map = applyStatusUpdate(map, { full: false, statuses: [tick(1, t), tick(2, t, t === 1000 ? 3 : 0)], removed: [] });
      // A new map each tick (what reads the map sees the new samples) ...
      expect(map).not.toBe(before);
    }
    // ... the unchanged row is the same object, with the same ring, bounded.
    expect(map[1]).toBe(first);
    expect(historyOf(map[1])).toBe(ring);
    expect(map[1].recent).toHaveLength(MAX_RECENT);
    expect(map[1].recent.at(-1)?.[0]).toBe(1000);
    expect(map[1].recent[0][0]).toBe(1000 - MAX_RECENT + 1);
    // The row whose CPU changed is a new object; same ring, new processes (they changed).
    expect(map[2]).not.toBe(first);
    expect(map[2].cpu_percent).toBe(3);
    expect(map[2].recent.at(-1)).toEqual([1000, 3, 100]);
    // The same recent array while no sample comes.
    expect(map[1].recent).toBe(map[1].recent);
  });

  it("a changed status keeps an equal processes array", () => {
    const procs = [{ pid: 7, started: 1, cpu_percent: 0, memory_bytes: 100 }];
    const a = applyStatusUpdate({}, { full: true, statuses: [status(1, "running", { processes: procs, restarts: 0 })], removed: [] });
    const b = applyStatusUpdate(a, { full: false, statuses: [status(1, "running", { processes: procs.map((p) => ({ ...p })), restarts: 1 })], removed: [] });
    expect(b[1]).not.toBe(a[1]);
    expect(b[1].restarts).toBe(1);
    expect(b[1].processes).toBe(a[1].processes);
  });

  it("an update that changes nothing gives the same map", () => {
    const a = applyStatusUpdate({}, { full: true, statuses: [status(1, "stopped")], removed: [] });
    expect(applyStatusUpdate(a, { full: false, statuses: [], removed: [9] })).toBe(a);
    expect(withStatus(a, status(1, "stopped"))).toBe(a);
    const b = withStatus(a, status(1, "running", { since: 3, recent: [[3, 1, 1]] }));
    expect(b[1].state).toBe("running");
    expect(b[1].recent).toEqual([[3, 1, 1]]);
  });
});
