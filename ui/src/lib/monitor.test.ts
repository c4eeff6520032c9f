import { describe, expect, it } from "vitest";
import {
  MAX_RECENT,
  RANGES,
  applyStatusUpdate,
  bandData,
  indexStatuses,
  sampleWindow,
  sinceSecs,
  sparkPoints,
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
});
