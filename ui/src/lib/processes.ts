// The running processes: the picker's list, a program's processes (what a Stop ends).
import type { VigilClient } from "./client";
import type { ProcessInfo } from "./types";

export type { ProcessInfo };

/** Running processes whose name, executable or command line contains `q` (all when empty), busiest first. */
export function listProcesses(client: VigilClient, q: string, limit = 50): Promise<ProcessInfo[]> {
  const text = q.trim();
  return client.listProcesses(text ? { q: text, limit } : { limit });
}

/** The processes a program has now: exactly what a Stop would end. */
export function getProgramProcesses(client: VigilClient, id: number): Promise<ProcessInfo[]> {
  return client.getProgramProcesses({ id });
}

/** A process's command line as one text ("" when it could not be read). */
export function commandLine(p: { cmd: readonly string[] }): string {
  return p.cmd.join(" ");
}
