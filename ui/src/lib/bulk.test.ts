import { describe, expect, it, vi } from "vitest";
import type { Program, ProgramStatus } from "./types";
import type { StatusMap } from "./monitor";
import { apiError } from "./errors";
import { doneLine, planBulk, runBulk, skipLines } from "./bulk";

const prog = (id: number, over: Partial<Program> = {}) => ({ id, name: `p${id}`, launch: true, autostart: false, ...over }) as unknown as Program;
const st = (id: number, state: ProgramStatus["state"]) => ({ program_id: id, state }) as unknown as ProgramStatus;

describe("planBulk", () => {
  const programs = [prog(1), prog(2), prog(3, { launch: false }), prog(4, { autostart: true }), prog(5, { launch: false })];
  const statuses: StatusMap = { 1: st(1, "running"), 2: st(2, "stopped"), 3: st(3, "running"), 4: st(4, "waiting"), 5: st(5, "stopped") };
  const targets = (a: Parameters<typeof planBulk>[0]) => planBulk(a, programs, statuses).targets.map((p) => p.id);

  it("never stops a watched program, and says so", () => {
    const plan = planBulk("stop", programs, statuses);
    expect(plan.targets.map((p) => p.id)).toEqual([1, 4]);
    expect(plan.skipped.map((s) => [s.program.id, s.reason])).toEqual([
      [2, "not-running"],
      [3, "watched"],
      [5, "watched"],
    ]);
    const lines = skipLines(plan);
    expect(lines[0]).toMatch(/^Skipped 2 watched programs: .*asks first.*processes/);
    expect(lines[1]).toBe("Skipped 1 program not running.");
  });

  it("starts and restarts launched programs only; start leaves the running ones", () => {
    expect(targets("start")).toEqual([2, 4]);
    expect(targets("restart")).toEqual([1, 2, 4]);
    expect(skipLines(planBulk("restart", programs, statuses))).toEqual(["Skipped 2 watched programs: Vigil watches them but does not launch them."]);
    expect(skipLines(planBulk("start", programs, statuses))).toContain("Skipped 1 program already running.");
  });

  it("switches autostart where it is not set that way already", () => {
    expect(targets("autostart-on")).toEqual([1, 2]);
    expect(targets("autostart-off")).toEqual([4]);
    expect(skipLines(planBulk("autostart-off", [prog(1)], {}))).toEqual(["Skipped 1 program already set that way."]);
  });
});

describe("runBulk", () => {
  it("runs every target a few at a time and lists the failures in order", async () => {
    let running = 0;
    let most = 0;
    const one = vi.fn(async (p: Program) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, p.id === 1 ? 5 : 1));
      running--;
      if (p.id === 1 || p.id === 4) throw apiError("conflict", `no ${p.id}`);
    });
    const list = [1, 2, 3, 4, 5, 6].map((id) => prog(id));
    const result = await runBulk(list, one, { concurrency: 2 });
    expect(one).toHaveBeenCalledTimes(6);
    expect(most).toBe(2);
    expect(result.done).toBe(4);
    expect(result.failures.map((f) => [f.program.id, f.message])).toEqual([
      [1, "no 1"],
      [4, "no 4"],
    ]);
    expect(doneLine("stop", result, 6)).toBe("Stopped: 4 of 6 programs.");
    expect(doneLine("start", { done: 1, failures: [] }, 1)).toBe("Started: 1 program.");
  });

  it("hands a refused token to onunauthorized", async () => {
    const onunauthorized = vi.fn();
    const r = await runBulk([prog(1)], () => Promise.reject(apiError("unauthorized", "token")), { onunauthorized });
    expect(onunauthorized).toHaveBeenCalledOnce();
    expect(r.failures).toHaveLength(1);
  });
});
