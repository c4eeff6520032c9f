/**
 * The command palette's entries and their ranking: pages, programs (open, start, stop,
 * restart), jobs (open, run now) and actions, found by fuzzy search. What an entry does is
 * data (`PaletteRun`); the palette component carries it out with the client calls the pages use.
 */
import type { Job, Program, ProgramState } from "./types";
import { fuzzyScore } from "./fuzzy";
import {
  ACTIONS_HREF,
  CHECKS_HREF,
  DASHBOARD_HREF,
  PLUGINS_HREF,
  actionHref,
  checkEditHref,
  EVENTS_HREF,
  JOBS_HREF,
  NEW_JOB_HREF,
  SETTINGS_HREF,
  SYSTEM_HREF,
  jobHref,
  newProgramHref,
  notifyHref,
  programHref,
} from "./route";

export type PaletteGroup = "Pages" | "Actions" | "Programs" | "Jobs";

export type PaletteRun =
  | { kind: "go"; href: string }
  | { kind: "program"; id: number; action: "start" | "stop" | "restart" }
  | { kind: "run-job"; id: string }
  | { kind: "schedules"; paused: boolean }
  | { kind: "help" };

export type PaletteEntry = {
  /** Unique and stable (a key for the list). */
  key: string;
  group: PaletteGroup;
  label: string;
  /** A second, quieter line: the id, the state, what happens. */
  detail?: string;
  /** More words it is found by (not shown). */
  keywords?: string[];
  run: PaletteRun;
};

export type PaletteSource = {
  programs: readonly Pick<Program, "id" | "name" | "launch" | "tags">[];
  /** Live state by program id (absent: unknown). */
  states: Readonly<Record<number, ProgramState | undefined>>;
  jobs: readonly Pick<Job, "id" | "name" | "options" | "template" | "category" | "tags">[];
  /** Whether schedules are paused now (null: not known, both offered). */
  paused: boolean | null;
};

const PAGES: readonly PaletteEntry[] = [
  { key: "page:programs", group: "Pages", label: "Programs", detail: "g p", keywords: ["dashboard", "home"], run: { kind: "go", href: DASHBOARD_HREF } },
  { key: "page:jobs", group: "Pages", label: "Jobs", detail: "g j", keywords: ["schedules", "cron"], run: { kind: "go", href: JOBS_HREF } },
  { key: "page:system", group: "Pages", label: "System", detail: "g s", keywords: ["cpu", "memory", "disks", "processes"], run: { kind: "go", href: SYSTEM_HREF } },
  { key: "page:events", group: "Pages", label: "Events", detail: "g e", keywords: ["timeline", "log"], run: { kind: "go", href: EVENTS_HREF } },
  { key: "page:checks", group: "Pages", label: "Checks", keywords: ["health", "probes", "monitoring"], run: { kind: "go", href: CHECKS_HREF } },
  { key: "page:actions", group: "Pages", label: "Actions on events", keywords: ["actions", "automation", "plugins"], run: { kind: "go", href: ACTIONS_HREF } },
  { key: "page:plugins", group: "Pages", label: "Plugins", keywords: ["extensions", "nagios", "rescan"], run: { kind: "go", href: PLUGINS_HREF } },
  { key: "page:notifications", group: "Pages", label: "Notifications", detail: "g n", keywords: ["endpoints", "webhooks", "email"], run: { kind: "go", href: notifyHref("endpoints") } },
  { key: "page:rules", group: "Pages", label: "Notification rules", keywords: ["alerts"], run: { kind: "go", href: notifyHref("rules") } },
  { key: "page:deliveries", group: "Pages", label: "Delivery log", keywords: ["notifications", "sent"], run: { kind: "go", href: notifyHref("deliveries") } },
  { key: "page:settings", group: "Pages", label: "Settings", detail: "g ,", keywords: ["preferences", "options"], run: { kind: "go", href: SETTINGS_HREF } },
];

const STATIC_ACTIONS: readonly PaletteEntry[] = [
  { key: "action:register", group: "Actions", label: "Register a program", detail: "n", keywords: ["add", "new program", "watch", "launch"], run: { kind: "go", href: newProgramHref() } },
  { key: "action:new-job", group: "Actions", label: "New job", keywords: ["add", "create", "schedule", "cron"], run: { kind: "go", href: NEW_JOB_HREF } },
  { key: "action:new-check", group: "Actions", label: "New check", keywords: ["add", "health", "http", "tcp", "probe"], run: { kind: "go", href: checkEditHref("new") } },
  { key: "action:new-action", group: "Actions", label: "New action on events", keywords: ["add", "automation", "plugin"], run: { kind: "go", href: actionHref("new") } },
  { key: "action:new-endpoint", group: "Actions", label: "New notification endpoint", keywords: ["webhook", "email", "slack", "add"], run: { kind: "go", href: notifyHref("endpoints", "new") } },
  { key: "action:new-rule", group: "Actions", label: "New notification rule", keywords: ["alert", "add"], run: { kind: "go", href: notifyHref("rules", "new") } },
  { key: "action:help", group: "Actions", label: "Keyboard shortcuts", detail: "?", keywords: ["help", "keys"], run: { kind: "help" } },
];

const LIVE: ReadonlySet<ProgramState | undefined> = new Set<ProgramState | undefined>(["running", "waiting"]);

/** Every entry for what is known now. */
export function paletteEntries(src: PaletteSource): PaletteEntry[] {
  const out: PaletteEntry[] = [...PAGES, ...STATIC_ACTIONS];
  if (src.paused !== true) {
    out.push({ key: "action:pause", group: "Actions", label: "Pause all schedules", detail: "runs by hand still work", keywords: ["stop schedules", "hold"], run: { kind: "schedules", paused: true } });
  }
  if (src.paused !== false) {
    out.push({ key: "action:resume", group: "Actions", label: "Resume schedules", keywords: ["unpause", "start schedules"], run: { kind: "schedules", paused: false } });
  }
  for (const p of src.programs) {
    const state = src.states[p.id];
    const words = [...(p.tags ?? []), `#${p.id}`];
    out.push({ key: `program:${p.id}`, group: "Programs", label: p.name, detail: state ? `program, ${state}` : "program", keywords: words, run: { kind: "go", href: programHref(p.id) } });
    const live = LIVE.has(state);
    if (p.launch && !live) {
      out.push({ key: `program:${p.id}:start`, group: "Programs", label: `Start ${p.name}`, keywords: words, run: { kind: "program", id: p.id, action: "start" } });
    }
    if (live || state === undefined) {
      // A watched program's stop is chosen on its page (which processes to end), never here.
      out.push(
        p.launch
          ? { key: `program:${p.id}:stop`, group: "Programs", label: `Stop ${p.name}`, keywords: words, run: { kind: "program", id: p.id, action: "stop" } }
          : { key: `program:${p.id}:stop`, group: "Programs", label: `Stop ${p.name}…`, detail: "opens the program to choose what to end", keywords: words, run: { kind: "go", href: programHref(p.id) } },
      );
    }
    if (p.launch && (live || state === undefined)) {
      out.push({ key: `program:${p.id}:restart`, group: "Programs", label: `Restart ${p.name}`, keywords: words, run: { kind: "program", id: p.id, action: "restart" } });
    }
  }
  for (const j of src.jobs) {
    if (j.template) continue;
    const words = [j.id, ...(j.category ? [j.category] : []), ...(j.tags ?? [])];
    out.push({ key: `job:${j.id}`, group: "Jobs", label: j.name || j.id, detail: j.name && j.name !== j.id ? `job ${j.id}` : "job", keywords: words, run: { kind: "go", href: jobHref(j.id) } });
    // A job with options opens its page, where they are filled in.
    out.push(
      j.options.length === 0
        ? { key: `job:${j.id}:run`, group: "Jobs", label: `Run ${j.name || j.id} now`, keywords: words, run: { kind: "run-job", id: j.id } }
        : { key: `job:${j.id}:run`, group: "Jobs", label: `Run ${j.name || j.id}…`, detail: "opens the job to fill in its options", keywords: words, run: { kind: "go", href: jobHref(j.id) } },
    );
  }
  return out;
}

const GROUP_ORDER: readonly PaletteGroup[] = ["Pages", "Actions", "Programs", "Jobs"];

/**
 * The entries for `query`, best first. Empty query: pages and actions, then programs and jobs
 * to open (not their start/stop/run entries). A label match beats a keyword match; an entry
 * that opens a thing beats the things you can do to it when both match equally.
 */
export function rankPalette(entries: readonly PaletteEntry[], query: string, limit = 50): PaletteEntry[] {
  const q = query.trim();
  if (q === "") {
    const plain = entries.filter((e) => e.group === "Pages" || e.group === "Actions" || e.run.kind === "go" && !e.label.endsWith("…"));
    return [...plain].sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group)).slice(0, limit);
  }
  const scored: { e: PaletteEntry; s: number; i: number }[] = [];
  entries.forEach((e, i) => {
    const label = fuzzyScore(q, e.label);
    let best = label;
    for (const k of e.keywords ?? []) {
      const s = fuzzyScore(q, k);
      if (s !== null && (best === null || s * 0.8 > best)) best = s * 0.8;
    }
    if (best === null) return;
    // opening a page or a thing first, then what can be done to it
    const opens = e.run.kind === "go" && !e.label.endsWith("…") ? 1 : 0;
    scored.push({ e, s: best + opens, i });
  });
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.e);
}

/** The next highlighted row for an arrow key (wrapping), or the same when the list is empty. */
export function moveActive(active: number, count: number, by: number): number {
  if (count <= 0) return 0;
  return (((active + by) % count) + count) % count;
}
