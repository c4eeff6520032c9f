import { describe, expect, it, vi } from "vitest";
import type { ApiError, Run, RunStatus } from "./types";
import { watchRun } from "./runwatch";
import { makeRun } from "./jobfixtures.test-util";

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A client whose run status the test sets and whose output follows the test drives. */
function fakeClient(status: RunStatus) {
  const c = {
    status,
    follows: [] as { onLine: (l: string) => void; onEnd: (err?: ApiError) => void; stopped: boolean }[],
    getRun: vi.fn(async ({ id }: { id: number }): Promise<Run> => makeRun({ id, status: c.status })),
    followRunOutput: vi.fn((_id: number, onLine: (l: string) => void, onEnd: (err?: ApiError) => void) => {
      const f = { onLine, onEnd, stopped: false };
      c.follows.push(f);
      return () => {
        f.stopped = true;
      };
    }),
  };
  return c;
}

/** Timers run by hand. */
function manualTimers() {
  const pending: (() => void)[] = [];
  return {
    setTimer: (fn: () => void) => {
      pending.push(fn);
      return pending.length;
    },
    clearTimer: () => {},
    fire: () => {
      for (const fn of pending.splice(0)) fn();
    },
  };
}

function handlers() {
  return { runs: [] as RunStatus[], lines: [] as string[][], errors: [] as ApiError[] };
}

function watch(c: ReturnType<typeof fakeClient>, t = manualTimers()) {
  const h = handlers();
  const w = watchRun(
    c,
    7,
    { onRun: (r) => h.runs.push(r.status), onLines: (l) => h.lines.push(l), onError: (e) => h.errors.push(e) },
    { setTimer: t.setTimer, clearTimer: t.clearTimer },
  );
  return { h, w, t };
}

describe("watchRun", () => {
  it("reads the run, follows its output in batches, and reads the final status when it ends", async () => {
    const c = fakeClient("running");
    const { h, t } = watch(c);
    await flush();
    expect(h.runs).toEqual(["running"]);
    expect(c.followRunOutput).toHaveBeenCalledOnce();
    c.follows[0].onLine("a");
    c.follows[0].onLine("b");
    expect(h.lines).toEqual([]);
    t.fire();
    expect(h.lines).toEqual([["a", "b"]]);
    c.follows[0].onLine("c");
    c.status = "succeeded";
    c.follows[0].onEnd();
    expect(h.lines).toEqual([["a", "b"], ["c"]]);
    await flush();
    expect(h.runs).toEqual(["running", "succeeded"]);
    expect(c.getRun).toHaveBeenCalledTimes(2);
    expect(c.followRunOutput).toHaveBeenCalledOnce();
  });

  it("drops a line that came twice at the seam of backlog and live lines", async () => {
    const c = fakeClient("running");
    const { h, t } = watch(c);
    for (const l of ["t1 out a", "t2 out b", "t2 out b", "t3 out c"]) c.follows[0].onLine(l);
    t.fire();
    expect(h.lines).toEqual([["t1 out a", "t2 out b", "t3 out c"]]);
  });

  it("waits for a queued run: refresh() follows it once it runs, without repeating lines", async () => {
    const c = fakeClient("queued");
    const { h, w, t } = watch(c);
    // Not running yet: nothing to follow, the stream ends at once.
    c.follows[0].onEnd();
    await flush();
    expect(h.runs.at(-1)).toBe("queued");
    t.fire();
    expect(c.followRunOutput).toHaveBeenCalledOnce();
    c.status = "running";
    w.refresh();
    await flush();
    expect(c.followRunOutput).toHaveBeenCalledTimes(2);
    c.follows[1].onLine("x");
    t.fire();
    // The follow broke off while the run still runs: it follows again after a moment, and
    // the backlog that follow sends again is not repeated.
    c.follows[1].onEnd();
    await flush();
    expect(c.followRunOutput).toHaveBeenCalledTimes(2);
    t.fire();
    expect(c.followRunOutput).toHaveBeenCalledTimes(3);
    c.follows[2].onLine("x");
    c.follows[2].onLine("y");
    t.fire();
    expect(h.lines.flat()).toEqual(["x", "y"]);
    expect(h.errors).toEqual([]);
  });

  it("reports a failed follow and a failed read", async () => {
    const c = fakeClient("running");
    c.getRun.mockRejectedValueOnce({ code: "not_found", message: "no run 7" });
    const { h } = watch(c);
    await flush();
    c.follows[0].onEnd({ code: "unavailable", message: "down" });
    expect(h.errors).toEqual([
      { code: "not_found", message: "no run 7" },
      { code: "unavailable", message: "down" },
    ]);
  });

  it("stops on demand: the follow is stopped and nothing is reported afterwards", async () => {
    const c = fakeClient("running");
    const { h, w, t } = watch(c);
    w.stop();
    expect(c.follows[0].stopped).toBe(true);
    c.follows[0].onLine("late");
    t.fire();
    await flush();
    expect(h.runs).toEqual([]);
    expect(h.lines).toEqual([]);
  });
});
