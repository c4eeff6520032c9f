import type { VigilClient } from "./client";
import type { Run } from "./types";
import { isLive } from "./jobs";

export type RunUpdate = { run: Run; output: string };

export type WatchOptions = {
  everyMs?: number;
  /** Injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
};

/**
 * Follows one run: reads its status and output now, then every `everyMs`
 * while it is queued or running, and stops after the read that saw it final
 * (that read's output is complete). Errors are reported and polling goes on
 * while the run was last seen live. Returns a stop function.
 */
export function watchRun(
  client: Pick<VigilClient, "getRun" | "runOutput">,
  id: number,
  onUpdate: (u: RunUpdate) => void,
  onError: (e: unknown) => void,
  opts: WatchOptions = {},
): () => void {
  const every = opts.everyMs ?? 1000;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let stopped = false;
  let timer: unknown = null;

  async function tick() {
    timer = null;
    let again = true;
    try {
      // Status first: output read after a final status is the whole output.
      const run = await client.getRun(id);
      const output = await client.runOutput(id);
      if (stopped) return;
      onUpdate({ run, output });
      again = isLive(run.status);
    } catch (e) {
      if (stopped) return;
      onError(e);
      const code = (e as { code?: unknown })?.code;
      // A run that does not exist will not start existing; nor will auth come back by polling.
      if (code === "not_found" || code === "unauthorized") again = false;
    }
    if (again && !stopped) timer = setTimer(() => void tick(), every);
  }

  void tick();
  return () => {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    timer = null;
  };
}
