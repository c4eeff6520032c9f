import { describe, expect, it, vi } from "vitest";
import { CATCH_UP_LIMIT, createTauriClient, EVENT_CHANNEL, type InvokeFn, type ListenFn } from "./tauri";
import type { Event } from "./types";

const ev = (id: number): Event => ({ id, ts: id, kind: "program_removed", program_id: 1, message: `m${id}`, detail: null, job_id: null });

function fakeListen() {
  let handler: ((e: { payload: unknown }) => void) | null = null;
  const unlisten = vi.fn(() => {
    handler = null;
  });
  const listen: ListenFn = vi.fn(async (name, h) => {
    expect(name).toBe(EVENT_CHANNEL);
    handler = h;
    return unlisten;
  });
  return { listen, unlisten, emit: (e: Event) => handler?.({ payload: e }), get active() { return handler !== null; } };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Tauri transport commands", () => {
  it("maps methods to commands and arguments", async () => {
    const invoke = vi.fn(async () => "ok") as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await c.status();
    await c.listPrograms();
    await c.getProgram(3);
    await c.addProgram({ name: "n", path: "/p" });
    await c.removeProgram(4);
    expect(invoke.mock.calls).toEqual([
      ["status", undefined],
      ["list_programs", undefined],
      ["get_program", { id: 3 }],
      ["add_program", { request: { name: "n", path: "/p" } }],
      ["remove_program", { id: 4 }],
    ]);
  });

  it("maps the live-monitoring methods to their commands and arguments", async () => {
    const invoke = vi.fn(async () => []) as unknown as InvokeFn & ReturnType<typeof vi.fn>;
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await c.programStatuses();
    await c.programStatus(1);
    await c.startProgram(2);
    await c.stopProgram(3);
    await c.restartProgram(4);
    await c.samples(5, 1000, 2000, 60);
    await c.programEvents(6);
    await c.programEvents(6, 40, 10);
    await c.logTail(7, 200);
    expect(invoke.mock.calls).toEqual([
      ["program_statuses", undefined],
      ["program_status", { id: 1 }],
      ["start_program", { id: 2 }],
      ["stop_program", { id: 3 }],
      ["restart_program", { id: 4 }],
      ["samples", { id: 5, from: 1000, to: 2000, points: 60 }],
      ["program_events", { id: 6, before: null, limit: null }],
      ["program_events", { id: 6, before: 40, limit: 10 }],
      ["log_tail", { id: 7, lines: 200 }],
    ]);
  });

  it("returns what the command answered and maps its errors", async () => {
    const invoke: InvokeFn = (async (cmd: string) => {
      if (cmd === "log_tail") return ["a", "b"];
      throw { code: "conflict", message: "only watched" };
    }) as InvokeFn;
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await expect(c.logTail(1, 2)).resolves.toEqual(["a", "b"]);
    await expect(c.startProgram(1)).rejects.toEqual({ code: "conflict", message: "only watched" });
  });

  it("passes ApiError rejections through and normalises anything else", async () => {
    const apiErr = { code: "conflict", message: "exists" };
    let next: unknown = apiErr;
    const invoke: InvokeFn = async () => {
      throw next;
    };
    const c = createTauriClient({ invoke, listen: fakeListen().listen });
    await expect(c.status()).rejects.toEqual(apiErr);
    next = "command status not found";
    await expect(c.status()).rejects.toEqual({ code: "internal", message: "command status not found" });
    next = { code: "weird", message: "m" };
    await expect(c.status()).rejects.toEqual({ code: "internal", message: "m" });
  });
});

describe("Tauri subscribe", () => {
  it("catches up, then delivers live events once and in id order", async () => {
    const l = fakeListen();
    let resolveCatchUp: (v: Event[]) => void = () => {};
    const invoke = vi.fn((cmd: string) => {
      expect(cmd).toBe("events_since");
      return new Promise<Event[]>((r) => (resolveCatchUp = r));
    }) as unknown as InvokeFn;
    const got: number[] = [];
    const opened = vi.fn();
    const c = createTauriClient({ invoke, listen: l.listen });
    c.subscribe(2, (e) => got.push(e.id), { onOpen: opened });
    await tick();
    expect(invoke).toHaveBeenCalledWith("events_since", { since: 2, limit: CATCH_UP_LIMIT });
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
      const since = args?.since as number;
      const limit = args?.limit as number;
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
