/**
 * Hash routes:
 * - `#/` programs dashboard, `#/programs/<id>` one program;
 * - `#/jobs` jobs, `#/jobs/new` and `#/jobs/<id>/edit` the editor, `#/jobs/<id>` one job;
 * - `#/runs/<id>` one run.
 */
export type Route =
  | { name: "dashboard" }
  | { name: "program"; id: number }
  | { name: "jobs" }
  | { name: "job-new" }
  | { name: "job-edit"; id: string }
  | { name: "job"; id: string }
  | { name: "run"; id: number };

/** Which top-level section a route belongs to (for the nav). */
export function section(r: Route): "programs" | "jobs" {
  return r.name === "dashboard" || r.name === "program" ? "programs" : "jobs";
}

function numericId(s: string): number | null {
  const id = Number(s);
  return Number.isSafeInteger(id) ? id : null;
}

function jobId(s: string): string | null {
  try {
    const id = decodeURIComponent(s);
    return id.length > 0 ? id : null;
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "");
  let m = /^\/programs\/(\d+)$/.exec(path);
  if (m) {
    const id = numericId(m[1]);
    if (id !== null) return { name: "program", id };
  }
  if (path === "/jobs") return { name: "jobs" };
  if (path === "/jobs/new") return { name: "job-new" };
  m = /^\/jobs\/([^/]+)\/edit$/.exec(path);
  if (m) {
    const id = jobId(m[1]);
    if (id !== null) return { name: "job-edit", id };
  }
  m = /^\/jobs\/([^/]+)$/.exec(path);
  if (m) {
    const id = jobId(m[1]);
    if (id !== null) return { name: "job", id };
  }
  m = /^\/runs\/(\d+)$/.exec(path);
  if (m) {
    const id = numericId(m[1]);
    if (id !== null) return { name: "run", id };
  }
  return { name: "dashboard" };
}

export function programHref(id: number): string {
  return `#/programs/${id}`;
}

export const DASHBOARD_HREF = "#/";
export const JOBS_HREF = "#/jobs";
export const NEW_JOB_HREF = "#/jobs/new";

export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id)}`;
}

export function jobEditHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id)}/edit`;
}

export function runHref(id: number): string {
  return `#/runs/${id}`;
}
