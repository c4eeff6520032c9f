// Job API shapes not yet in the generated `types.ts`. The Rust side will add
// them there with exactly these shapes; then this file re-exports or goes away.
import type { Run, RunStatus } from "./types";

/** Answer to a run request (HTTP 202). */
export type RunAccepted = { run_id: number };
/** A run in progress and how long it has been going. */
export type RunningRun = { run: Run; elapsed_ms: number };
/** The next scheduled fire of a job, unix ms. */
export type NextFire = { job_id: string; at: number };
/** Today's summary for the jobs page. */
export type JobsDashboard = {
  succeeded_today: number;
  failed_today: number;
  running: Array<RunningRun>;
  next: Array<NextFire>;
  recent_failures: Array<Run>;
};

/** Filter of `listRuns`; unset fields are not sent (HTTP) or sent as null (IPC). */
export type RunFilter = { job?: string; status?: RunStatus; limit?: number; before?: number };
