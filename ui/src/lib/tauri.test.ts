import { describe, expect, it, vi } from "vitest";
import { CATCH_UP_LIMIT, createTauriClient, EVENT_CHANNEL, type ChannelLike, type InvokeFn, type ListenFn } from "./tauri";
import type { Event, ProgramStatus, StatusUpdate } from "./types";

const ev = (id: number): Event => ({ id, ts: id, kind: "program_removed", program_id: 1, message: `m${id}`, detail: null, job_id: null });

function fakeListen(channel = EVENT_CHANNEL) {
  let handler: ((e: { payload: unknown }) => void) | null = null;
  const unlisten = vi.fn(() => {
    handler = null;
  });
  const listen: ListenFn = vi.fn(async (name, h) => {
    expect(name).toBe(channel);
    handler = h;
    return unlisten;
  });
  return {
    listen,
    unlisten,
    emit: (e: unknown) => handler?.({ payload: e }),
    get active() {
      return handler !== null;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Tauri transport: one call command", () => {
  it("invokes `call` with the operation name and the request", async () => {
    const invoke = vi.fn(async () => "ok") as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await c.status();
    await c.getProgram({ id: 3 });
    await c.addProgram({ name: "n", path: "/p" });
    await c.listProgramEvents({ id: 6, before: 40, limit: 10 });
    await c.runJob({ id: "nightly", options: { dry: true } });
    expect(invoke.mock.calls).toEqual([
      ["call", { op: "status", args: {} }],
      ["call", { op: "get_program", args: { id: 3 } }],
      ["call", { op: "add_program", args: { name: "n", path: "/p" } }],
      ["call", { op: "list_program_events", args: { id: 6, before: 40, limit: 10 } }],
      ["call", { op: "run_job", args: { id: "nightly", options: { dry: true } } }],
    ]);
  });

  it("resolves 204 operations with nothing and others with the answer", async () => {
    const invoke = (async (_cmd: string, args?: Record<string, unknown>) => (args?.op === "tail_log" ? ["a", "b"] : { removed: true })) as InvokeFn;
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await expect(c.tailLog({ id: 1, lines: 2 })).resolves.toEqual(["a", "b"]);
    await expect(c.removeProgram({ id: 1 })).resolves.toBeUndefined();
    await expect(c.deleteJob({ id: "x" })).resolves.toBeUndefined();
    await expect(c.revokeTrigger({ job: "x", id: 2 })).resolves.toBeUndefined();
    await expect(c.getRun({ id: 1 })).resolves.toEqual({ removed: true });
  });

  it("passes ApiError rejections through and normalises anything else", async () => {
    const apiErr = { code: "conflict", message: "exists" };
    let next: unknown = apiErr;
    const invoke: InvokeFn = async () => {
      throw next;
    };
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await expect(c.status()).rejects.toEqual(apiErr);
    next = "command call not found";
    await expect(c.status()).rejects.toEqual({ code: "internal", message: "command call not found" });
    next = { code: "weird", message: "m" };
    await expect(c.status()).rejects.toEqual({ code: "internal", message: "m" });
  });
});

describe("Tauri subscribe", () => {
  it("catches up, then delivers live events once and in id order", async () => {
    const l = fakeListen();
    let resolveCatchUp: (v: Event[]) => void = () => {};
    const invoke = vi.fn((cmd: string) => {
      expect(cmd).toBe("call");
      return new Promise<Event[]>((r) => (resolveCatchUp = r));
    }) as unknown as InvokeFn;
    const got: number[] = [];
    const opened = vi.fn();
    const c = createTauriClient({ invoke, listen: l.listen });
    c.subscribe(2, (e) => got.push(e.id), { onOpen: opened });
    await tick();
    expect(invoke).toHaveBeenCalledWith("call", { op: "list_events", args: { since: 2, limit: CATCH_UP_LIMIT } });
    // live events arrive while the catch-up is still in flight, overlapping it
    l.emit(ev(6));
    l.emit(ev(5));
    expect(got).toEqual([]);
    resolveCatchUp([ev(5), ev(3), ev(4), ev(2)]);
    await tick();
    expect(got).toEqual([3, 4, 5, 6]);
    expect(opened).toHaveBeenCalledTimes(1);
    l.emit(ev(6));
    l.emit(ev(7));
    l.emit(ev(4));
    l.emit(ev(8));
    expect(got).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("pages through a backlog larger than one page", async () => {
    const l = fakeListen();
    const all = Array.from({ length: CATCH_UP_LIMIT + 50 }, (_, i) => ev(i + 1));
    const sinces: number[] = [];
    const invoke = (async (_cmd: string, args?: Record<string, unknown>) => {
      const req = args?.args as { since: number; limit: number };
      const since = req.since;
      const limit = req.limit;
      sinces.push(since);
      return all.filter((e) => e.id > since).slice(0, limit);
    }) as InvokeFn;
    const got: number[] = [];
    createTauriClient({ invoke, listen: l.listen }).subscribe(0, (e) => got.push(e.id));
    await vi.waitFor(() => expect(got.length).toBe(all.length));
    expect(got).toEqual(all.map((e) => e.id));
    expect(sinces).toEqual([0, CATCH_UP_LIMIT]);
  });

  it("reports a failed catch-up and still goes live", async () => {
    const l = fakeListen();
    const invoke: InvokeFn = async () => {
      throw { code: "unavailable", message: "engine down" };
    };
    const errors: unknown[] = [];
    const got: number[] = [];
    createTauriClient({ invoke, listen: l.listen }).subscribe(0, (e) => got.push(e.id), {
      onError: (e) => errors.push(e),
    });
    await tick();
    await tick();
    expect(errors).toEqual([{ code: "unavailable", message: "engine down" }]);
    l.emit(ev(1));
    expect(got).toEqual([1]);
  });

  it("reports a failed listen and still catches up", async () => {
    const listen: ListenFn = async () => {
      throw new Error("no event plugin");
    };
    const invoke = (async () => [ev(1), ev(2)]) as unknown as InvokeFn;
    const errors: unknown[] = [];
    const got: number[] = [];
    let opened = false;
    createTauriClient({ invoke, listen }).subscribe(0, (e) => got.push(e.id), {
      onError: (e) => errors.push(e),
      onOpen: () => (opened = true),
    });
    await tick();
    await tick();
    expect(errors).toEqual([{ code: "internal", message: "no event plugin" }]);
    expect(got).toEqual([1, 2]);
    expect(opened).toBe(true);
  });

  it("unsubscribe stops delivery and unlistens, even before listen resolved", async () => {
    const l = fakeListen();
    const invoke = (async () => []) as unknown as InvokeFn;
    const got: number[] = [];
    const unsub = createTauriClient({ invoke, listen: l.listen }).subscribe(0, (e) => got.push(e.id));
    unsub(); // before listen() resolved
    await tick();
    await tick();
    expect(l.unlisten).toHaveBeenCalledTimes(1);
    l.emit(ev(1));
    expect(got).toEqual([]);

    const l2 = fakeListen();
    const got2: number[] = [];
    const unsub2 = createTauriClient({ invoke, listen: l2.listen }).subscribe(0, (e) => got2.push(e.id));
    await tick();
    await tick();
    l2.emit(ev(1));
    unsub2();
    expect(l2.unlisten).toHaveBeenCalledTimes(1);
    l2.emit(ev(2));
    expect(got2).toEqual([1]);
  });
});

const pst = (id: number, recent: [number, number, number][] = []) => ({ program_id: id, state: "running", recent }) as unknown as ProgramStatus;

/** Stand-in channels, kept in the order the client made them. */
function channels() {
  const made: ChannelLike<unknown>[] = [];
  return { made, channel: () => { const c = { onmessage: (_m: unknown) => {} } as ChannelLike<unknown>; made.push(c); return c; } };
}

describe("Tauri watchStatuses", () => {
  it("takes every update from one channel in order, opens on the full one, unfollows when stopped", async () => {
    const ch = channels();
    const invoke = vi.fn(async (cmd: string) => (cmd === "watch_statuses" ? 9 : null)) as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const got: StatusUpdate[] = [];
    const opened = vi.fn();
    const stop = createTauriClient({ invoke, listen: fakeListen().listen, channel: ch.channel }).watchStatuses((u) => got.push(u), { onOpen: opened });
    await tick();
    expect(invoke.mock.calls[0]).toEqual(["watch_statuses", { channel: ch.made[0] }]);
    ch.made[0].onmessage({ full: true, statuses: [pst(1), pst(2)], removed: [] });
    ch.made[0].onmessage({ full: false, statuses: [pst(2, [[2, 2, 2]])], removed: [1] });
    ch.made[0].onmessage({ nonsense: true });
    expect(got).toEqual([
      { full: true, statuses: [pst(1), pst(2)], removed: [] },
      { full: false, statuses: [pst(2, [[2, 2, 2]])], removed: [1] },
    ]);
    expect(opened).toHaveBeenCalledOnce();
    stop();
    await tick();
    expect(invoke).toHaveBeenCalledWith("unfollow", { follow: 9 });
    ch.made[0].onmessage({ full: false, statuses: [pst(3)], removed: [] });
    expect(got).toHaveLength(2);
  });

  it("reports a failed watch and tries again", async () => {
    const ch = channels();
    let n = 0;
    const invoke = (async (cmd: string) => {
      if (cmd !== "watch_statuses") return null;
      if (++n === 1) throw { code: "unavailable", message: "starting" };
      return 3;
    }) as InvokeFn;
    const errors: string[] = [];
    createTauriClient({ invoke, listen: fakeListen().listen, channel: ch.channel, retryDelayMs: () => 1 }).watchStatuses(() => {}, {
      onError: (e) => errors.push(e.code),
    });
    await vi.waitFor(() => expect(ch.made).toHaveLength(2));
    expect(errors).toEqual(["unavailable"]);
  });
});

describe("Tauri follows", () => {
  it("follows a run's output through a channel and unfollows when stopped", async () => {
    const ch = channels();
    const invoke = vi.fn(async (cmd: string) => (cmd === "follow_run_output" ? 17 : null)) as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const lines: string[] = [];
    const onEnd = vi.fn();
    const stop = createTauriClient({ invoke, listen: fakeListen().listen, channel: ch.channel }).followRunOutput(5, (l) => lines.push(l), onEnd);
    await tick();
    expect(invoke.mock.calls[0]).toEqual(["follow_run_output", { id: 5, channel: ch.made[0] }]);
    ch.made[0].onmessage({ kind: "line", line: "a" });
    ch.made[0].onmessage({ kind: "line", line: "b" });
    expect(lines).toEqual(["a", "b"]);
    stop();
    expect(invoke.mock.calls[1]).toEqual(["unfollow", { follow: 17 }]);
    ch.made[0].onmessage({ kind: "line", line: "c" });
    expect(lines).toEqual(["a", "b"]);
    expect(onEnd).not.toHaveBeenCalled();
  });

  it("ends a run's follow on its end message, or with the refusal", async () => {
    const ch = channels();
    const invoke = (async (cmd: string, args?: Record<string, unknown>) => {
      if (args?.id === 404) throw { code: "not_found", message: "no run 404" };
      return cmd === "follow_run_output" ? 1 : null;
    }) as InvokeFn;
    const c = createTauriClient({ invoke, listen: fakeListen().listen, channel: ch.channel });
    const ends: unknown[] = [];
    c.followRunOutput(1, () => {}, (err) => ends.push(err ?? "end"));
    ch.made[0].onmessage({ kind: "end" });
    c.followRunOutput(404, () => {}, (err) => ends.push(err ?? "end"));
    await tick();
    expect(ends).toEqual(["end", { code: "not_found", message: "no run 404" }]);
  });

  it("follows a log, unfollowing one stopped before the command answered, and reports conflict", async () => {
    const ch = channels();
    let answer: (n: number) => void = () => {};
    const calls: [string, Record<string, unknown> | undefined][] = [];
    const invoke = ((cmd: string, args?: Record<string, unknown>) => {
      calls.push([cmd, args]);
      if (cmd === "follow_log" && args?.id === 2) return Promise.reject({ code: "conflict", message: "only watched" });
      if (cmd === "follow_log") return new Promise((r) => (answer = r as (n: number) => void));
      return Promise.resolve(null);
    }) as InvokeFn;
    const c = createTauriClient({ invoke, listen: fakeListen().listen, channel: ch.channel });
    const stop = c.followLog(1, () => {});
    stop();
    answer(9);
    await tick();
    expect(calls.map((x) => x[0])).toEqual(["follow_log", "unfollow"]);
    expect(calls[1][1]).toEqual({ follow: 9 });
    const err = await new Promise((resolve) => c.followLog(2, () => {}, resolve));
    expect(err).toEqual({ code: "conflict", message: "only watched" });
  });
});
