import type { Program } from "./types";
import type { StatusMap } from "./monitor";
import { toApiError } from "./errors";

/** What can be done to several programs at once. */
export type BulkAction = "start" | "stop" | "restart" | "autostart-on" | "autostart-off";

export const BULK_ACTIONS: readonly { action: BulkAction; label: string; done: string }[] = [
  { action: "start", label: "Start", done: "Started" },
  { action: "stop", label: "Stop", done: "Stopped" },
  { action: "restart", label: "Restart", done: "Restarted" },
  { action: "autostart-on", label: "Start with Vigil: on", done: "Set to start with Vigil" },
  { action: "autostart-off", label: "Start with Vigil: off", done: "No longer start with Vigil" },
];

/** Why a program is left out of a bulk action. */
export type SkipReason = "watched" | "not-running" | "running" | "already";

export type BulkPlan = {
  action: BulkAction;
  /** The programs it acts on, in the order given. */
  targets: Program[];
  skipped: { program: Program; reason: SkipReason }[];
};

/**
 * Which of the selected programs a bulk action acts on. Only launched programs: a watched
 * one is not Vigil's to start or restart, and its Stop asks first, listing the processes
 * it would end (on its own row), so a bulk Stop never ends one. Stop leaves out what is not
 * running, Start what runs, the autostart switches what is set that way already.
 */
export function planBulk(action: BulkAction, programs: readonly Program[], statuses: StatusMap): BulkPlan {
  const plan: BulkPlan = { action, targets: [], skipped: [] };
  for (const p of programs) {
    const state = statuses[p.id]?.state;
    let reason: SkipReason | null = null;
    if (!p.launch) reason = "watched";
    else if (action === "stop" && state !== "running" && state !== "waiting") reason = "not-running";
    else if (action === "start" && state === "running") reason = "running";
    else if (action === "autostart-on" && p.autostart) reason = "already";
    else if (action === "autostart-off" && !p.autostart) reason = "already";
    if (reason) plan.skipped.push({ program: p, reason });
    else plan.targets.push(p);
  }
  return plan;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Why programs were left out, a sentence per reason (none when nothing was). */
export function skipLines(plan: BulkPlan): string[] {
  const count = (r: SkipReason) => plan.skipped.filter((s) => s.reason === r).length;
  const out: string[] = [];
  const watched = count("watched");
  if (watched > 0) {
    const why =
      plan.action === "stop"
        ? "a watched program's Stop asks first and lists the processes it would end: use Stop… on its row"
        : plan.action === "start" || plan.action === "restart"
          ? "Vigil watches them but does not launch them"
          : "only launched programs start with Vigil";
    out.push(`Skipped ${plural(watched, "watched program", "watched programs")}: ${why}.`);
  }
  const idle = count("not-running");
  if (idle > 0) out.push(`Skipped ${plural(idle, "program", "programs")} not running.`);
  const running = count("running");
  if (running > 0) out.push(`Skipped ${plural(running, "program", "programs")} already running.`);
  const already = count("already");
  if (already > 0) out.push(`Skipped ${plural(already, "program", "programs")} already set that way.`);
  return out;
}

export type BulkFailure = { program: Program; message: string };
export type BulkResult = { done: number; failures: BulkFailure[] };

/**
 * Runs `one` for every target, `concurrency` at a time; a failure is noted (by its
 * message) and the others go on. `onunauthorized` hears a refused token.
 */
export async function runBulk(
  targets: readonly Program[],
  one: (p: Program) => Promise<unknown>,
  { concurrency = 4, onunauthorized }: { concurrency?: number; onunauthorized?: () => void } = {},
): Promise<BulkResult> {
  const result: BulkResult = { done: 0, failures: [] };
  const failed = new Map<number, string>();
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const p = targets[next++];
      try {
        await one(p);
        result.done++;
      } catch (e) {
        const err = toApiError(e);
        if (err.code === "unauthorized") onunauthorized?.();
        failed.set(p.id, err.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, targets.length)) }, worker));
  // In the order given, whatever order they finished in.
  for (const p of targets) if (failed.has(p.id)) result.failures.push({ program: p, message: failed.get(p.id)! });
  return result;
}

/** The result in one line: "Stopped 5 of 7 programs." */
export function doneLine(action: BulkAction, result: BulkResult, targets: number): string {
  const verb = BULK_ACTIONS.find((a) => a.action === action)?.done ?? action;
  if (targets === 0) return "Nothing to do.";
  return result.done === targets ? `${verb}: ${plural(targets, "program", "programs")}.` : `${verb}: ${result.done} of ${plural(targets, "program", "programs")}.`;
}
