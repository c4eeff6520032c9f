// The jobs list's rules: each job's state, next and last run, search, filters by category,
// tag and state, and what the bulk actions do.
import type { Job, JobsDashboard, Run, RunStatus } from "./types";
import { describeSchedule } from "./schedule";
import { naturalCompare } from "./sort";

export type JobState = "failing" | "running" | "disabled" | "scheduled";

export const JOB_STATES: readonly { value: JobState; label: string }[] = [
  { value: "failing", label: "failing" },
  { value: "running", label: "running" },
  { value: "disabled", label: "disabled" },
  { value: "scheduled", label: "scheduled" },
];

const FAILED: ReadonlySet<RunStatus> = new Set<RunStatus>(["failed", "timed_out", "interrupted"]);

export type JobRow = {
  job: Job;
  /** The newest run, or null when it never ran. */
  last: Run | null;
  /** The next scheduled fire, unix ms (null: none while disabled or unscheduled). */
  next: number | null;
  /** The schedule in words. */
  schedule: string;
  states: JobState[];
};

/** One row per job (templates included), in natural order of the name, then the id. */
export function jobRows(d: Pick<JobsDashboard, "jobs" | "last_runs" | "running" | "next"> & { next_per_job?: JobsDashboard["next_per_job"] }): JobRow[] {
  const last = new Map<string, Run>();
  for (const r of d.last_runs) last.set(r.job_id, r);
  const next = new Map<string, number>();
  for (const n of [...(d.next_per_job ?? []), ...d.next]) {
    const had = next.get(n.job_id);
    if (had === undefined || n.at < had) next.set(n.job_id, n.at);
  }
  const running = new Set(d.running.map((r) => r.run.job_id));
  return d.jobs
    .map((job) => {
      const l = last.get(job.id) ?? null;
      const states: JobState[] = [];
      if (l && FAILED.has(l.status)) states.push("failing");
      if (running.has(job.id) || (l && (l.status === "running" || l.status === "queued"))) states.push("running");
      if (!job.enabled) states.push("disabled");
      else if (job.schedule && !job.template) states.push("scheduled");
      return {
        job,
        last: l,
        next: job.enabled ? (next.get(job.id) ?? null) : null,
        schedule: job.schedule ? describeSchedule(job.schedule, job.timezone) : "manual only",
        states,
      };
    })
    .sort((a, b) => naturalCompare(a.job.name || a.job.id, b.job.name || b.job.id) || naturalCompare(a.job.id, b.job.id));
}

export type JobFilter = {
  /** Words to find in the id, name, command, category, tags or schedule. */
  q: string;
  /** "" for any. */
  category: string;
  tag: string;
  state: JobState | "";
};

export const NO_JOB_FILTER: JobFilter = { q: "", category: "", tag: "", state: "" };

/** Whether any filter is set. */
export function filtering(f: JobFilter): boolean {
  return f.q.trim() !== "" || f.category !== "" || f.tag !== "" || f.state !== "";
}

function haystack(r: JobRow): string {
  const j = r.job;
  return [j.id, j.name, j.command, ...j.args, j.category ?? "", ...j.tags, j.schedule ?? "", r.schedule].join("\n").toLowerCase();
}

/** The rows that match every filter; the search needs every word somewhere in the job. */
export function filterJobs(rows: readonly JobRow[], f: JobFilter): JobRow[] {
  const words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.category !== "" && (r.job.category ?? "") !== f.category) return false;
    if (f.tag !== "" && !r.job.tags.includes(f.tag)) return false;
    if (f.state !== "" && !r.states.includes(f.state)) return false;
    if (words.length === 0) return true;
    const text = haystack(r);
    return words.every((w) => text.includes(w));
  });
}

/** The categories and tags in use, each once, in natural order. */
export function facets(jobs: readonly Job[]): { categories: string[]; tags: string[] } {
  const cats = new Set<string>();
  const tags = new Set<string>();
  for (const j of jobs) {
    if (j.category) cats.add(j.category);
    for (const t of j.tags) tags.add(t);
  }
  return { categories: [...cats].sort(naturalCompare), tags: [...tags].sort(naturalCompare) };
}

/** The job to save with `enabled` set (everything else as read). */
export function withEnabled(job: Job, enabled: boolean): Job {
  return { ...job, enabled };
}

export type BulkAction = "enable" | "disable" | "run";

/**
 * The jobs a bulk action applies to: enabling skips those already enabled (and the other
 * way round), running skips templates (they never run); a run takes the options'
 * defaults. Returns those it acts on and those it skips with why.
 */
export function bulkPlan(jobs: readonly Job[], action: BulkAction): { act: Job[]; skip: { job: Job; why: string }[] } {
  const act: Job[] = [];
  const skip: { job: Job; why: string }[] = [];
  for (const j of jobs) {
    if (action === "enable" && j.enabled) skip.push({ job: j, why: "already enabled" });
    else if (action === "disable" && !j.enabled) skip.push({ job: j, why: "already disabled" });
    else if (action === "run" && j.template) skip.push({ job: j, why: "a template never runs" });
    else act.push(j);
  }
  return { act, skip };
}

/** "3 enabled", "2 started, 1 failed: nightly (the daemon's reason)". */
export function bulkSummary(action: BulkAction, done: number, failed: { id: string; message: string }[], skipped: number): string {
  const verb = action === "enable" ? "enabled" : action === "disable" ? "disabled" : "started";
  const parts = [`${done} ${verb}`];
  if (skipped > 0) parts.push(`${skipped} skipped`);
  let text = parts.join(", ");
  if (failed.length > 0) text += `; ${failed.length} failed: ${failed.map((f) => `${f.id} (${f.message})`).join(", ")}`;
  return text;
}
