import { describe, expect, it } from "vitest";
import type { ProgramStatus } from "./types";
import { endLabel, removePlan, stopAsks } from "./programsafety";

const status = (state: string, pids: number[]) =>
  ({ state, processes: pids.map((pid) => ({ pid })) }) as unknown as ProgramStatus;

describe("stop and remove confirmations", () => {
  it("counts what Stop ends", () => {
    expect(endLabel(3)).toBe("End 3 processes");
    expect(endLabel(1)).toBe("End 1 process");
    expect(stopAsks({ launch: false })).toBe(true);
    expect(stopAsks({ launch: true })).toBe(false);
  });

  it("a launched running program: stopped with its children", () => {
    const plan = removePlan({ name: "web", launch: true }, status("running", [4242, 4250]));
    expect(plan.message).toBe("Removing web stops it (PID 4242 and its child processes) and deletes its history.");
    expect(plan.confirm).toBe("Stop and remove");
    expect(plan.title).toBe("Remove web?");
  });

  it("a launched program that is not running", () => {
    expect(removePlan({ name: "web", launch: true }, status("stopped", [])).message).toBe(
      "web is not running. Removing it deletes its definition and its history.",
    );
    expect(removePlan({ name: "web", launch: true }, undefined).confirm).toBe("Remove");
  });

  it("a watched program: its processes keep running", () => {
    expect(removePlan({ name: "db", launch: false }, status("running", [1, 2, 3])).message).toBe(
      "The 3 processes it watches keep running; only Vigil's record and history go.",
    );
    expect(removePlan({ name: "db", launch: false }, status("running", [1])).message).toBe(
      "The 1 process it watches keeps running; only Vigil's record and history go.",
    );
    expect(removePlan({ name: "db", launch: false }, status("stopped", [])).message).toMatch(/no running process/);
  });
});
