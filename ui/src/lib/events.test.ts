import { describe, expect, it } from "vitest";
import { EventSequencer } from "./events";
import type { Event } from "./types";

const ev = (id: number): Event => ({ id, ts: 1000 + id, kind: "program_added", program_id: id, message: `e${id}`, detail: null, job_id: null });

describe("EventSequencer", () => {
  it("delivers new events and skips ids at or below the last one", () => {
    const got: number[] = [];
    const s = new EventSequencer((e) => got.push(e.id), 2);
    expect(s.push(ev(2))).toBe(false);
    expect(s.push(ev(3))).toBe(true);
    expect(s.push(ev(3))).toBe(false);
    expect(s.push(ev(1))).toBe(false);
    expect(s.push(ev(5))).toBe(true);
    expect(got).toEqual([3, 5]);
    expect(s.lastId).toBe(5);
  });

  it("sorts and dedupes a batch", () => {
    const got: number[] = [];
    const s = new EventSequencer((e) => got.push(e.id));
    expect(s.pushMany([ev(4), ev(2), ev(4), ev(3)])).toBe(3);
    expect(got).toEqual([2, 3, 4]);
  });
});

import { NO_FILTER, filterEvents, groupRepeats, kindsPresent, severityOf } from "./events";

const mk = (id: number, kind: Event["kind"] | "run_retrying", program_id: number | null = null, job_id: string | null = null): Event =>
  ({ id, ts: 1_000 * id, kind: kind as Event["kind"], program_id, job_id, message: `${kind} ${id}`, detail: null });

describe("severityOf", () => {
  it("reads how bad an event is from its kind", () => {
    expect(severityOf("program_crashed")).toBe("error");
    expect(severityOf("run_failed")).toBe("error");
    expect(severityOf("run_timed_out")).toBe("error");
    expect(severityOf("run_overran")).toBe("warning");
    expect(severityOf("run_retrying")).toBe("warning");
    expect(severityOf("program_started")).toBe("info");
    expect(severityOf("a_kind_from_a_newer_daemon")).toBe("info");
  });
});

describe("filterEvents", () => {
  const list = [mk(5, "program_crashed", 1), mk(4, "program_started", 1), mk(3, "run_overran", null, "j"), mk(2, "run_succeeded", null, "j")];

  it("passes everything without a filter", () => {
    expect(filterEvents(list, NO_FILTER)).toEqual(list);
  });

  it("keeps one kind", () => {
    expect(filterEvents(list, { kind: "program_started", severity: "all" }).map((e) => e.id)).toEqual([4]);
  });

  it("keeps a severity and worse", () => {
    expect(filterEvents(list, { kind: "", severity: "warning" }).map((e) => e.id)).toEqual([5, 3]);
    expect(filterEvents(list, { kind: "", severity: "error" }).map((e) => e.id)).toEqual([5]);
    expect(filterEvents(list, { kind: "program_started", severity: "error" })).toEqual([]);
  });

  it("lists the kinds present once each, in the order asked", () => {
    expect(kindsPresent([...list, mk(1, "program_crashed", 2)], (a, b) => a.localeCompare(b))).toEqual([
      "program_crashed",
      "program_started",
      "run_overran",
      "run_succeeded",
    ]);
  });
});

describe("groupRepeats", () => {
  it("collapses consecutive events of one kind about one program into one group, newest first", () => {
    const list = [
      mk(14, "program_crashed", 1),
      mk(13, "program_crashed", 1),
      mk(12, "program_crashed", 1),
      mk(11, "program_started", 1),
      mk(10, "program_crashed", 1),
    ];
    const g = groupRepeats(list);
    expect(g.map((x) => [x.key, x.events.length])).toEqual([
      [14, 3],
      [11, 1],
      [10, 1],
    ]);
    expect(g[0].newest.id).toBe(14);
    expect(g[0].events.map((e) => e.id)).toEqual([14, 13, 12]);
  });

  it("keeps apart the same kind about different programs or jobs", () => {
    const g = groupRepeats([mk(4, "program_crashed", 1), mk(3, "program_crashed", 2), mk(2, "run_failed", null, "a"), mk(1, "run_failed", null, "b")]);
    expect(g.map((x) => x.events.length)).toEqual([1, 1, 1, 1]);
  });

  it("groups job events by job, and engine events (no subject) with each other", () => {
    const g = groupRepeats([mk(4, "run_failed", null, "a"), mk(3, "run_failed", null, "a"), mk(2, "engine_started"), mk(1, "engine_started")]);
    expect(g.map((x) => x.events.length)).toEqual([2, 2]);
  });

  it("filtering first joins repeats that other kinds separated", () => {
    const list = [mk(3, "program_crashed", 1), mk(2, "program_started", 1), mk(1, "program_crashed", 1)];
    expect(groupRepeats(filterEvents(list, { kind: "program_crashed", severity: "all" }))[0].events.length).toBe(2);
    expect(groupRepeats([])).toEqual([]);
  });
});
