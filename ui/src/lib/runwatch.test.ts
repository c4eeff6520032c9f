import { describe, expect, it, vi } from "vitest";
import type { RunStatus } from "./types";
import { watchRun, type RunUpdate } from "./runwatch";
import { makeRun } from "./jobfixtures.test-util";

/** Timers run by hand: `fire()` runs the pending one. */
function manualTimers() {
  let pending: (() => void) | null = null;
  let scheduled = 0;
  return {
    setTimer: (fn: () => void, ms: number) => {
      expect(ms).toBe(1000);
      pending = fn;
      scheduled++;
      return scheduled;
    },
    clearTimer: vi.fn(() => {
      pending = null;
    }),
    fire: async () => {
      const fn = pending;
      pending = null;
      fn?.();
      await new Promise((r) => setTimeout(r, 0));
    },
    get pending() {
      return pending !== null;
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("watchRun", () => {
  it("polls status and output each second while live and stops after the final read", async () => {
    const statuses: RunStatus[] = ["queued", "running", "cancelled"];
    let n = 0;
    const client = {
      getRun: vi.fn(async (id: number) => makeRun({ id, status: statuses[Math.min(n, 2)] })),
      runOutput: vi.fn(async () => `out ${n++}`),
    };
    const t = manualTimers();
    const updates: RunUpdate[] = [];
    watchRun(client, 7, (u) => updates.push(u), () => {}, t);
    await flush();
    expect(updates.map((u) => [u.run.status, u.output])).toEqual([["queued", "out 0"]]);
    expect(t.pending).toBe(true);
    await t.fire();
    await t.fire();
    expect(updates.map((u) => [u.run.status, u.output])).toEqual([
      ["queued", "out 0"],
      ["running", "out 1"],
      ["cancelled", "out 2"],
    ]);
    expect(t.pending).toBe(false);
    expect(client.getRun).toHaveBeenCalledTimes(3);
    expect(client.getRun.mock.calls.every((c) => c[0] === 7)).toBe(true);
  });

  it("reads a finished run once", async () => {
    const client = { getRun: vi.fn(async () => makeRun({ status: "succeeded" })), runOutput: vi.fn(async () => "") };
    const t = manualTimers();
    watchRun(client, 1, () => {}, () => {}, t);
    await flush();
    expect(client.runOutput).toHaveBeenCalledTimes(1);
    expect(t.pending).toBe(false);
  });

  it("keeps polling through a transient error but not after not_found", async () => {
    let fail: unknown = { code: "unavailable", message: "down" };
    const client = {
      getRun: vi.fn(async () => {
        if (fail) throw fail;
        return makeRun();
      }),
      runOutput: vi.fn(async () => ""),
    };
    const t = manualTimers();
    const errors: unknown[] = [];
    watchRun(client, 1, () => {}, (e) => errors.push(e), t);
    await flush();
    expect(errors).toHaveLength(1);
    expect(t.pending).toBe(true);
    fail = { code: "not_found", message: "no run 1" };
    await t.fire();
    expect(errors).toHaveLength(2);
    expect(t.pending).toBe(false);
  });

  it("stops on demand and reports nothing afterwards", async () => {
    const client = { getRun: vi.fn(async () => makeRun()), runOutput: vi.fn(async () => "x") };
    const t = manualTimers();
    const onUpdate = vi.fn();
    const stop = watchRun(client, 1, onUpdate, () => {}, t);
    stop();
    await flush();
    expect(onUpdate).not.toHaveBeenCalled();
    expect(t.pending).toBe(false);
  });
});
