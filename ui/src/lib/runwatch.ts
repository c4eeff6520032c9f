import type { VigilClient } from "./client";
import type { ApiError, Run } from "./types";
import { toApiError } from "./errors";

export type RunWatchHandlers = {
  /** The run as read now (first, after each `refresh()`, and once more when its output ended). */
  onRun: (run: Run) => void;
  /** New output lines, in order, batched. */
  onLines: (lines: string[]) => void;
  onError: (err: ApiError) => void;
  /** The output stream ended (the run is over, or the stream failed). */
  onEnd?: () => void;
};

export type WatchOptions = {
  /** Lines are handed over at most this often (default 100 ms). */
  flushMs?: number;
  /** Injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
};

/** Delay before following again a run that is running but whose follow ended. */
const REFOLLOW_MS = 500;

export type RunWatch = {
  /** Read the run's status again (after a job or run event); follows its output once it runs. */
  refresh: () => void;
  stop: () => void;
};

/**
 * Follows one run: reads its status, and follows its output (what was printed so far,
 * then each new line) until the run ends, then reads its final status. Nothing is polled:
 * a run still queued has no output to follow yet, and `refresh()` (called on job and run
 * events) reads it again and follows it once it runs. A follow sends what was printed so
 * far, and may repeat the line at the seam of backlog and live lines: output lines are
 * stamped to the millisecond, so a line already shown is dropped.
 */
export function watchRun(
  client: Pick<VigilClient, "getRun" | "followRunOutput">,
  id: number,
  h: RunWatchHandlers,
  opts: WatchOptions = {},
): RunWatch {
  const flushMs = opts.flushMs ?? 100;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let stopped = false;
  let flushTimer: unknown = null;
  let followTimer: unknown = null;
  let pending: string[] = [];
  const seen = new Set<string>();
  let readSeq = 0;
  let unfollow: (() => void) | null = null;
  let ended = false;

  function flush() {
    if (flushTimer !== null) clearTimer(flushTimer);
    flushTimer = null;
    if (stopped || pending.length === 0) return;
    const batch = pending;
    pending = [];
    h.onLines(batch);
  }

  function read(afterEnd = false) {
    const mine = ++readSeq;
    client.getRun({ id }).then(
      (run) => {
        if (stopped || mine !== readSeq) return;
        h.onRun(run);
        if (unfollow !== null || followTimer !== null) return;
        if (run.status === "running") {
          if (afterEnd) followTimer = setTimer(follow, REFOLLOW_MS);
          else follow();
        }
      },
      (e: unknown) => {
        if (!stopped && mine === readSeq) h.onError(toApiError(e));
      },
    );
  }

  function follow() {
    followTimer = null;
    if (stopped || unfollow !== null) return;
    let done = false;
    const un = client.followRunOutput(
      id,
      (line) => {
        if (stopped || done || seen.has(line)) return;
        seen.add(line);
        pending.push(line);
        if (flushTimer === null) flushTimer = setTimer(flush, flushMs);
      },
      (err) => {
        if (stopped || done) return;
        done = true;
        unfollow = null;
        flush();
        if (err) {
          h.onError(err);
          return;
        }
        if (!ended) {
          ended = true;
          h.onEnd?.();
        }
        // The output so far is complete; a run that ended shows its final status now.
        read(true);
      },
    );
    if (!done) unfollow = un;
  }

  read();
  follow();

  return {
    refresh: () => {
      if (!stopped) read();
    },
    stop: () => {
      stopped = true;
      for (const t of [flushTimer, followTimer]) if (t !== null) clearTimer(t);
      flushTimer = followTimer = null;
      unfollow?.();
      unfollow = null;
    },
  };
}
