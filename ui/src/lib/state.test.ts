import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SubscribeHooks, VigilClient } from "./client";
import type { Event, EventKind, Program, ProgramStatus, Status, StatusUpdate } from "./types";
import { apiError } from "./errors";
import { MAX_EVENTS, VigilState } from "./state.svelte";

const status = (over: Partial<Status> = {}) => ({ version: "t", uptime_secs: 1, programs: 1, last_event_id: 80, ...over }) as unknown as Status;
const program = (id: number) => ({ id, name: `p${id}` }) as unknown as Program;
const pstatus = (id: number, state: string, recent: [number, number, number][] = []) => ({ program_id: id, state, recent }) as unknown as ProgramStatus;
const event = (id: number, kind: EventKind) => ({ id, ts: id, kind }) as unknown as Event;

/** A client whose answers the test sets; only what the state uses. */
function fakeClient() {
  const c = {
    status: vi.fn(() => Promise.resolve(status())),
    listPrograms: vi.fn(() => Promise.resolve([program(1), program(2)])),
    startProgram: vi.fn(({ id }: { id: number }) => Promise.resolve(pstatus(id, "running"))),
    stopProgram: vi.fn(({ id }: { id: number }) => Promise.resolve(pstatus(id, "stopped"))),
    restartProgram: vi.fn(({ id }: { id: number }) => Promise.resolve(pstatus(id, "running"))),
    removeProgram: vi.fn(() => Promise.resolve()),
    unsubscribe: vi.fn(),
    subscribe: vi.fn((_since: number, _on: (e: Event) => void, _hooks?: SubscribeHooks) => c.unsubscribe),
    unwatch: vi.fn(),
    watchStatuses: vi.fn((_on: (u: StatusUpdate) => void, _hooks?: SubscribeHooks) => c.unwatch),
  };
  return c;
}

function setup() {
  const client = fakeClient();
  const onunauthorized = vi.fn();
  const state = new VigilState(client as unknown as VigilClient, onunauthorized);
  return { client, onunauthorized, state };
}

describe("VigilState", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("loads status and programs, then subscribes once a little in the past", async () => {
    const { client, state } = setup();
    expect(state.engine).toBe("connecting");
    await state.refresh();
    expect(state.programs?.map((p) => p.id)).toEqual([1, 2]);
    expect(state.status?.last_event_id).toBe(80);
    expect(state.engine).toBe("running");
    expect(client.subscribe).toHaveBeenCalledOnce();
    expect(client.subscribe.mock.calls[0][0]).toBe(80 - MAX_EVENTS);
    await state.refresh();
    expect(client.subscribe).toHaveBeenCalledOnce();
  });

  it("drops a refresh answer older than a newer one", async () => {
    const { client, state } = setup();
    let first!: (s: Status) => void;
    client.status.mockImplementationOnce(() => new Promise((r) => (first = r)));
    const older = state.refresh();
    client.status.mockImplementationOnce(() => Promise.resolve(status({ uptime_secs: 9 })));
    await state.refresh();
    first(status({ uptime_secs: 1 }));
    await older;
    expect(state.status?.uptime_secs).toBe(9);
  });

  it("maps failures: unavailable disconnects, unauthorized calls back, others show", async () => {
    const { client, onunauthorized, state } = setup();
    client.status.mockRejectedValueOnce(apiError("unavailable", "down"));
    await state.refresh();
    expect(state.engine).toBe("disconnected");
    expect(state.listError).toBeNull();
    client.status.mockRejectedValueOnce(apiError("unauthorized", "bad token"));
    await state.refresh();
    expect(onunauthorized).toHaveBeenCalledOnce();
    client.status.mockRejectedValueOnce(apiError("internal", "db broke"));
    await state.refresh();
    expect(state.engine).toBe("error");
    expect(state.listError).toBe("db broke");
  });

  it("keeps the newest MAX_EVENTS events first and follows the engine's events", () => {
    const { state } = setup();
    for (let i = 1; i <= MAX_EVENTS + 5; i++) state.onEvent(event(i, "program_added"));
    expect(state.events).toHaveLength(MAX_EVENTS);
    expect(state.events[0].id).toBe(MAX_EVENTS + 5);
    state.onEvent(event(100, "engine_stopped"));
    expect(state.engine).toBe("stopped");
    state.onEvent(event(101, "engine_started"));
    expect(state.engine).toBe("running");
  });

  it("bumps jobsTick once for a burst of job events", () => {
    const { state } = setup();
    state.onEvent(event(1, "run_started" as EventKind));
    state.onEvent(event(2, "run_succeeded"));
    expect(state.jobsTick).toBe(0);
    vi.advanceTimersByTime(150);
    expect(state.jobsTick).toBe(1);
  });

  it("acts on a program: pending while it runs, its status after", async () => {
    const { client, state } = setup();
    const p = program(1);
    const done = state.act(p, "stop");
    expect(state.pending[1]).toBe("stop");
    await state.act(p, "start"); // refused while one is pending
    expect(client.startProgram).not.toHaveBeenCalled();
    await done;
    expect(state.pending[1]).toBeUndefined();
    expect(state.statuses[1].state).toBe("stopped");
  });

  it("names the action and program when an action fails", async () => {
    const { client, state } = setup();
    client.restartProgram.mockRejectedValueOnce(apiError("conflict", "not launched by Vigil"));
    await state.act(program(2), "restart");
    expect(state.listError).toBe("restart p2: not launched by Vigil");
  });

  it("removes a program from the list; not_found shows nothing", async () => {
    const { client, state } = setup();
    await state.refresh();
    const done = state.remove(program(1));
    expect(state.removing.has(1)).toBe(true);
    await done;
    expect(state.removing.has(1)).toBe(false);
    expect(state.programs?.map((p) => p.id)).toEqual([2]);
    client.removeProgram.mockRejectedValueOnce(apiError("not_found", "gone"));
    await state.remove(program(2));
    expect(state.listError).toBeNull();
  });

  it("adds a registered program once", async () => {
    const { state } = setup();
    await state.refresh();
    state.added(program(3));
    state.added(program(3));
    expect(state.programs?.map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it("connect polls nothing: statuses are pushed, the feed starts after the status, and stop ends it all", async () => {
    const { client, state } = setup();
    const stop = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.status).toHaveBeenCalledTimes(1);
    expect(client.listPrograms).toHaveBeenCalledTimes(1);
    expect(client.watchStatuses).toHaveBeenCalledOnce();
    expect(client.subscribe).toHaveBeenCalledOnce();
    const push = client.watchStatuses.mock.calls[0][0];
    push({ full: true, statuses: [pstatus(1, "running", [[1, 1, 1]])], removed: [] });
    expect(state.statuses[1].state).toBe("running");
    push({ full: false, statuses: [pstatus(1, "running", [[2, 2, 2]])], removed: [] });
    expect(state.statuses[1].recent).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    // An idle minute: no request at all, only the display clock ticks.
    const before = state.now;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.now).toBeGreaterThan(before);
    expect(client.status).toHaveBeenCalledTimes(1);
    expect(client.listPrograms).toHaveBeenCalledTimes(1);
    stop();
    expect(client.unsubscribe).toHaveBeenCalledOnce();
    expect(client.unwatch).toHaveBeenCalledOnce();
    const now = state.now;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(state.now).toBe(now);
  });

  it("reads the program list again on program and engine events, and when the feed reconnects", async () => {
    const { client, state } = setup();
    const stop = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.listPrograms).toHaveBeenCalledTimes(1);
    state.onEvent(event(81, "program_started"));
    state.onEvent(event(82, "run_started"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.listPrograms).toHaveBeenCalledTimes(1);
    state.onEvent(event(83, "program_added"));
    state.onEvent(event(84, "program_removed"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.listPrograms).toHaveBeenCalledTimes(2);
    client.subscribe.mock.calls[0][2]?.onOpen?.();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.listPrograms).toHaveBeenCalledTimes(3);
    stop();
  });

  it("retries the first load while the daemon cannot be reached, then stops retrying", async () => {
    const { client, state } = setup();
    client.status.mockRejectedValueOnce(apiError("unavailable", "down"));
    client.status.mockRejectedValueOnce(apiError("unavailable", "down"));
    const stop = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.engine).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.status).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.status).toHaveBeenCalledTimes(3);
    expect(state.engine).toBe("running");
    expect(client.subscribe).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.status).toHaveBeenCalledTimes(3);
    stop();
  });

  it("bumps feedTick once for a burst of events, and a status stream error disconnects", async () => {
    const { client, state } = setup();
    const stop = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    state.onEvent(event(81, "delivery_dead_lettered"));
    state.onEvent(event(82, "endpoint_failing"));
    await vi.advanceTimersByTimeAsync(300);
    expect(state.feedTick).toBe(1);
    client.watchStatuses.mock.calls[0][1]?.onError?.(apiError("unavailable", "gone"));
    expect(state.engine).toBe("disconnected");
    stop();
  });

  it("gives each program's row its own live cell: an unchanged status keeps its object, a level sparkline is not redrawn", async () => {
    const { client, state } = setup();
    const stop = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    const push = client.watchStatuses.mock.calls[0][0];
    const live = (id: number, t: number, cpu = 0) =>
      ({ program_id: id, state: "running", processes: [{ pid: id, started: 1, cpu_percent: cpu, memory_bytes: 5 }], cpu_percent: cpu, memory_bytes: 5, since: 1, restarts: 0, last_exit: null, recent: [[t, cpu, 5]] }) as ProgramStatus;
    push({ full: true, statuses: [live(1, 0), live(2, 0)], removed: [] });
    const one = state.row(1);
    const two = state.row(2);
    expect(state.row(1)).toBe(one);
    expect(one.status?.program_id).toBe(1);
    push({ full: false, statuses: [live(1, 1), live(2, 1)], removed: [] });
    const status1 = one.status;
    const spark1 = one.spark;
    expect(spark1).toHaveLength(2);
    for (let t = 2; t < 300; t++) push({ full: false, statuses: [live(1, t), live(2, t, t % 2)], removed: [] });
    // Program 1: idle all along. Same status object, same samples array (its line is level).
    expect(one.status).toBe(status1);
    expect(one.spark).toBe(spark1);
    // ... while the map holds its newest samples, at most MAX_RECENT.
    expect(state.statuses[1].recent).toHaveLength(120);
    expect(state.statuses[1].recent.at(-1)?.[0]).toBe(299);
    // Program 2: its CPU moves, its row moves with it.
    expect(two.status?.cpu_percent).toBe(1);
    expect(two.spark.at(-1)?.[0]).toBe(299);
    expect(two.spark).toHaveLength(120);
    // A program removed: its row shows nothing, and a new cell is made if asked again.
    push({ full: false, statuses: [], removed: [2] });
    expect(two.status).toBeUndefined();
    expect(state.row(2)).not.toBe(two);
    stop();
  });

  it("keeps the list's uptimes on the clock's tick, and stops with it", async () => {
    const { state } = setup();
    const stop = state.connect();
    const el = { textContent: null as string | null };
    state.ticker.add(el, (now) => String(Math.floor(now / 1000)));
    const first = el.textContent;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(Number(el.textContent)).toBe(Number(first) + 3);
    stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(Number(el.textContent)).toBe(Number(first) + 3);
  });

  it("acts for a bulk action: pending meanwhile, a failure thrown, not shown", async () => {
    const { client, state } = setup();
    const p = program(1);
    const done = state.actOrThrow(p, "stop");
    expect(state.pending[1]).toBe("stop");
    await expect(state.actOrThrow(p, "start")).rejects.toMatchObject({ code: "conflict" });
    await done;
    expect(state.pending[1]).toBeUndefined();
    expect(state.statuses[1].state).toBe("stopped");
    client.restartProgram.mockRejectedValueOnce(apiError("conflict", "not launched by Vigil"));
    await expect(state.actOrThrow(program(2), "restart")).rejects.toMatchObject({ message: "not launched by Vigil" });
    expect(state.listError).toBeNull();
    expect(state.pending[2]).toBeUndefined();
  });

  it("switches autostart by saving the whole program, and shows the saved one", async () => {
    const { client, state } = setup();
    await state.refresh();
    const p = { ...program(1), path: "/bin/p1", args: ["-x"], cwd: null, env: {}, launch: true, autostart: false, match_by: { by: "exe" }, tags: ["t"], restart: {}, limits: {} } as unknown as Program;
    const update = vi.fn((req: Record<string, unknown>) => Promise.resolve({ program: { ...p, autostart: req.autostart }, restarted: false, effect: "applied" }));
    (client as unknown as { updateProgram: typeof update }).updateProgram = update;
    await state.setAutostart(p, true);
    expect(update).toHaveBeenCalledOnce();
    expect(update.mock.calls[0][0]).toMatchObject({ id: 1, name: "p1", path: "/bin/p1", args: ["-x"], tags: ["t"], launch: true, autostart: true });
    expect(state.programs?.find((x) => x.id === 1)?.autostart).toBe(true);
  });
});
