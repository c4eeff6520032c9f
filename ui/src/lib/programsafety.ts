// What the confirmations of Stop and Remove say, from what Vigil knows of the program now.
import type { Program, ProgramStatus } from "./types";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The Stop confirmation's button: "End 3 processes". */
export function endLabel(count: number): string {
  return `End ${plural(count, "process", "processes")}`;
}

/** Whether Stop asks first: a watched program's processes are not Vigil's own, so the person sees what ends. */
export function stopAsks(p: Pick<Program, "launch">): boolean {
  return !p.launch;
}

/** The Remove confirmation's question and button. */
export type RemovePlan = { title: string; message: string; confirm: string };

/**
 * What removing `p` does: a launched program that runs is stopped with its children, a
 * watched one's processes keep running; the record and history go in every case.
 */
export function removePlan(p: Pick<Program, "name" | "launch">, s: Pick<ProgramStatus, "state" | "processes"> | undefined): RemovePlan {
  const title = `Remove ${p.name}?`;
  const processes = s?.processes ?? [];
  if (p.launch) {
    const running = s !== undefined && (s.state === "running" || s.state === "waiting") && processes.length > 0;
    if (running) {
      return {
        title,
        message: `Removing ${p.name} stops it (PID ${processes[0].pid} and its child processes) and deletes its history.`,
        confirm: "Stop and remove",
      };
    }
    return { title, message: `${p.name} is not running. Removing it deletes its definition and its history.`, confirm: "Remove" };
  }
  const n = processes.length;
  const message =
    n === 0
      ? `Vigil watches no running process of ${p.name} now; only Vigil's record and history go.`
      : `The ${plural(n, "process", "processes")} it watches ${n === 1 ? "keeps" : "keep"} running; only Vigil's record and history go.`;
  return { title, message, confirm: "Remove" };
}
