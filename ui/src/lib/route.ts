/**
 * Hash routes:
 * - `#/` programs dashboard, `#/programs/<id>` one program, `#/programs/new` the register form
 *   (`#/programs/new?pid=1234`: to watch that running process);
 * - `#/jobs` jobs, `#/jobs/new` and `#/jobs/<id>/edit` the editor, `#/jobs/<id>` one job;
 * - `#/runs/<id>` one run;
 * - `#/events` the recent events;
 * - `#/system` the machine: CPU, memory, disks, network, busiest processes;
 * - `#/notifications/endpoints` (the default tab of `#/notifications`), `#/notifications/rules`,
 *   `#/notifications/deliveries`; `…/endpoints/new`, `…/endpoints/<id>` and the same for rules
 *   open the editor, `…/deliveries/<id>` one delivery;
 * - `#/settings` the engine's settings (and, in the desktop app, its preferences);
 * - `#/checks` the checks, `#/checks/new` (`?program=<id>`: for that program) and
 *   `#/checks/<id>/edit` the editor, `#/checks/<id>` one check; `#/actions` the actions,
 *   `#/actions/new` and `#/actions/<id>` one action (its editor and runs); `#/plugins` the plugins.
 */
export type Route =
  | { name: "dashboard" }
  | { name: "program"; id: number }
  | { name: "program-new"; pid: number | null }
  | { name: "jobs" }
  | { name: "job-new" }
  | { name: "job-edit"; id: string }
  | { name: "job"; id: string }
  | { name: "run"; id: number }
  | { name: "events" }
  | { name: "system" }
  | { name: "notifications"; tab: NotifyTab; id: number | "new" | null }
  | { name: "settings" }
  | { name: "checks" }
  | { name: "check-new"; program: number | null }
  | { name: "check-edit"; id: number }
  | { name: "check"; id: number }
  | { name: "actions"; id: number | "new" | null }
  | { name: "plugins" };

export type NotifyTab = "endpoints" | "rules" | "deliveries";
export type Section = "programs" | "jobs" | "system" | "checks" | "notifications" | "settings";

/** Which top-level section a route belongs to (for the nav). */
export function section(r: Route): Section {
  switch (r.name) {
    case "dashboard":
    case "program":
    case "program-new":
    case "events":
      return "programs";
    case "notifications":
      return "notifications";
    case "settings":
      return "settings";
    case "system":
      return "system";
    case "checks":
    case "check-new":
    case "check-edit":
    case "check":
    case "actions":
    case "plugins":
      return "checks";
    default:
      return "jobs";
  }
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
  let m = /^\/programs\/new\/?(?:\?(.*))?$/.exec(path);
  if (m) {
    const pid = Number(new URLSearchParams(m[1] ?? "").get("pid") ?? "");
    return { name: "program-new", pid: Number.isSafeInteger(pid) && pid > 0 ? pid : null };
  }
  m = /^\/programs\/(\d+)$/.exec(path);
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
  if (path === "/events") return { name: "events" };
  if (path === "/system") return { name: "system" };
  if (path === "/settings") return { name: "settings" };
  if (path === "/checks") return { name: "checks" };
  m = /^\/checks\/new\/?(?:\?(.*))?$/.exec(path);
  if (m) {
    const program = Number(new URLSearchParams(m[1] ?? "").get("program") ?? "");
    return { name: "check-new", program: Number.isSafeInteger(program) && program > 0 ? program : null };
  }
  m = /^\/checks\/(\d+)(\/edit)?$/.exec(path);
  if (m) {
    const id = numericId(m[1]);
    if (id !== null) return m[2] ? { name: "check-edit", id } : { name: "check", id };
  }
  if (path === "/actions") return { name: "actions", id: null };
  m = /^\/actions\/(new|\d+)$/.exec(path);
  if (m) {
    const id = m[1] === "new" ? "new" : numericId(m[1]);
    if (id !== null) return { name: "actions", id };
  }
  if (path === "/plugins") return { name: "plugins" };
  if (path === "/notifications") return { name: "notifications", tab: "endpoints", id: null };
  m = /^\/notifications\/(endpoints|rules|deliveries)(?:\/(new|\d+))?$/.exec(path);
  if (m) {
    const tab = m[1] as NotifyTab;
    if (m[2] === undefined) return { name: "notifications", tab, id: null };
    if (m[2] === "new") {
      if (tab !== "deliveries") return { name: "notifications", tab, id: "new" };
    } else {
      const id = numericId(m[2]);
      if (id !== null) return { name: "notifications", tab, id };
    }
  }
  return { name: "dashboard" };
}

export function programHref(id: number): string {
  return `#/programs/${id}`;
}

/** The register form; with `pid`, set to watch that running process. */
export function newProgramHref(pid?: number): string {
  return pid === undefined ? "#/programs/new" : `#/programs/new?pid=${pid}`;
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

export const EVENTS_HREF = "#/events";
export const SYSTEM_HREF = "#/system";
export const NOTIFICATIONS_HREF = "#/notifications/endpoints";
export const SETTINGS_HREF = "#/settings";

/** A notifications tab, or one object in it (an endpoint, a rule, a delivery; "new" for an editor). */
export function notifyHref(tab: NotifyTab, id?: number | "new"): string {
  return id === undefined ? `#/notifications/${tab}` : `#/notifications/${tab}/${id}`;
}

export const CHECKS_HREF = "#/checks";
export const ACTIONS_HREF = "#/actions";
export const PLUGINS_HREF = "#/plugins";

/** One check's page. */
export function checkHref(id: number): string {
  return `#/checks/${id}`;
}

/** The check editor: a check's, or a new one (for `program` when given). */
export function checkEditHref(id: number | "new", program?: number): string {
  if (id !== "new") return `#/checks/${id}/edit`;
  return program === undefined ? "#/checks/new" : `#/checks/new?program=${program}`;
}

/** One action's page (its editor and runs), or "new". */
export function actionHref(id: number | "new"): string {
  return `#/actions/${id}`;
}

/** Open the page of `hash` (one of the `…Href` values). */
export function go(hash: string): void {
  location.hash = hash;
}
