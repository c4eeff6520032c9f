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
