import { describe, expect, it, vi } from "vitest";
import type { VigilClient } from "./client";
import type { Program, ProgramStatus } from "./types";
import { VigilState } from "./state.svelte";
import { httpRequest } from "./http";
import { getProgramProcesses } from "./processes";

const program = (id: number, launch: boolean) => ({ id, name: `p${id}`, launch }) as unknown as Program;

function setup() {
  const client = {
    stopProgram: vi.fn(async ({ id }: { id: number }) => ({ program_id: id, state: "stopped", recent: [], processes: [] }) as unknown as ProgramStatus),
    getProgramProcesses: vi.fn(async () => [{ pid: 11 }, { pid: 12 }, { pid: 13 }]),
  };
  return { client, state: new VigilState(client as unknown as VigilClient, () => {}) };
}

describe("stopping exactly the listed processes", () => {
  it("a watched program's stop carries the confirmed pids; a launched one's carries none", async () => {
    const { client, state } = setup();
    const listed = await getProgramProcesses(state.client, 7);
    expect(client.getProgramProcesses).toHaveBeenCalledWith({ id: 7 });
    await state.act(program(7, false), "stop", listed.map((p) => p.pid));
    expect(client.stopProgram).toHaveBeenLastCalledWith({ id: 7, pids: [11, 12, 13] });
    await state.act(program(8, true), "stop");
    expect(client.stopProgram).toHaveBeenLastCalledWith({ id: 8 });
    expect(state.statuses[7]?.state).toBe("stopped");
  });

  it("the pids travel in the request body", () => {
    expect(httpRequest("stop_program", { id: 7, pids: [11, 12] })).toEqual({
      method: "POST",
      url: "/api/programs/7/stop",
      body: { id: 7, pids: [11, 12] },
    });
    expect(httpRequest("get_program_processes", { id: 7 })).toEqual({ method: "GET", url: "/api/programs/7/processes", body: undefined });
    expect(httpRequest("list_processes", { q: "node", limit: 50 }).url).toBe("/api/processes?q=node&limit=50");
  });
});
