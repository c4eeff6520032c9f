import type { Limits, MatchPreview, MatchRule, MatchedProcess, NewProgram, PreviewMatch, Program, RestartMode } from "./types";
import { FormError, toApiError } from "./errors";
import { parseArgs, parseTags } from "./format";
import { DEFAULT_RESTART } from "./labels";
import { Latest } from "./latest";
import { Timer } from "./timer";
import { commandLine, type ProcessInfo } from "./processes";

export type MatchBy = MatchRule["by"];

/** What the program form edits: text as typed, converted by `formToProgram`. */
export type ProgramForm = {
  name: string;
  path: string;
  /** One argument per line. */
  args: string;
  cwd: string;
  /** As the environment editor hands it on (its rows' problems are checked there). */
  env: Record<string, string>;
  launch: boolean;
  autostart: boolean;
  match_by: MatchBy;
  /** The process name or command-line text (for `name` and `cmdline`). */
  match_value: string;
  /** Comma separated. */
  tags: string;
  restart_mode: RestartMode;
  /** Comma separated exit codes. */
  success_codes: string;
  backoff_initial_ms: string;
  backoff_max_ms: string;
  reset_after_secs: string;
  max_restarts: string;
  window_secs: string;
  /** Empty: no limit. */
  cpu_percent: string;
  /** Empty: no limit. */
  memory_mb: string;
  sustain_secs: string;
  restart_on_memory: boolean;
};

export const MATCH_KINDS: readonly { value: MatchBy; label: string; hint: string }[] = [
  { value: "name", label: "By name", hint: "Processes with this name, such as node.exe (case-insensitive on Windows)." },
  { value: "cmdline", label: "By command line", hint: "Processes whose command line contains this text: the way to tell copies of one program apart." },
  { value: "exe", label: "By executable path", hint: "Processes running the executable at the path above." },
];

/**
 * The fields the program form shows the daemon's messages next to (its `ApiError.field`
 * paths); a deeper path goes to the nearest of these, anything else with the whole form.
 */
export const PROGRAM_FIELDS: readonly string[] = [
  "name",
  "path",
  "args",
  "cwd",
  "env",
  "tags",
  "match_by",
  "restart.mode",
  "restart.success_codes",
  "restart.backoff_initial_ms",
  "restart.backoff_max_ms",
  "restart.reset_after_secs",
  "restart.max_restarts",
  "restart.window_secs",
  "restart",
  "limits.cpu_percent",
  "limits.memory_mb",
  "limits.sustain_secs",
  "limits",
];

/** The daemon's default limits (none). */
export const DEFAULT_LIMITS: Limits = { cpu_percent: null, memory_mb: null, sustain_secs: 30, restart_on_memory: false };

export function emptyProgramForm(): ProgramForm {
  return programToForm({
    name: "",
    path: "",
    args: [],
    cwd: null,
    env: {},
    launch: true,
    autostart: false,
    match_by: { by: "exe" },
    tags: [],
    restart: DEFAULT_RESTART,
    limits: DEFAULT_LIMITS,
  });
}

/** The form filled with a program (or a NewProgram with every field). */
export function programToForm(p: Required<NewProgram> | Program): ProgramForm {
  const r = p.restart;
  const l = p.limits;
  return {
    name: p.name,
    path: p.path,
    args: p.args.join("\n"),
    cwd: p.cwd ?? "",
    env: Object.fromEntries(Object.entries(p.env).filter((e): e is [string, string] => typeof e[1] === "string")),
    launch: p.launch,
    autostart: p.autostart,
    match_by: p.match_by.by,
    match_value: p.match_by.by === "exe" ? "" : p.match_by.value,
    tags: p.tags.join(", "),
    restart_mode: r.mode,
    success_codes: r.success_codes.join(", "),
    backoff_initial_ms: String(r.backoff_initial_ms),
    backoff_max_ms: String(r.backoff_max_ms),
    reset_after_secs: String(r.reset_after_secs),
    max_restarts: String(r.max_restarts),
    window_secs: String(r.window_secs),
    cpu_percent: l.cpu_percent === null ? "" : String(l.cpu_percent),
    memory_mb: l.memory_mb === null ? "" : String(l.memory_mb),
    sustain_secs: String(l.sustain_secs),
    restart_on_memory: l.restart_on_memory,
  };
}

function whole(text: string, what: string, field: string): number {
  const t = text.trim();
  const v = Number(t);
  if (t === "" || !Number.isSafeInteger(v) || v < 0) throw new FormError(`${what}: enter a whole number (0 or more).`, field);
  return v;
}

function optionalNumber(text: string, what: string, field: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const v = Number(t);
  if (!Number.isFinite(v) || v <= 0) throw new FormError(`${what}: enter a number above 0, or leave it empty for no limit.`, field);
  return v;
}

/** The match rule the form describes. */
export function matchRule(f: Pick<ProgramForm, "match_by" | "match_value">): MatchRule {
  return f.match_by === "exe" ? { by: "exe" } : { by: f.match_by, value: f.match_value.trim() };
}

/**
 * The program the form describes. Only presence and number syntax are checked here; the
 * daemon validates everything else and its message is what the user sees.
 */
export function formToProgram(f: ProgramForm): NewProgram {
  const name = f.name.trim();
  const path = f.path.trim();
  if (!name) throw new FormError("Name is required.", "name");
  if (!path) throw new FormError("Executable path is required.", "path");
  if (!f.launch && f.match_by !== "exe" && !f.match_value.trim()) {
    throw new FormError(f.match_by === "name" ? "Enter the process name to watch." : "Enter the command-line text to look for.", "match_by");
  }
  const codes = f.success_codes
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "")
    .map((c) => {
      const v = Number(c);
      if (!Number.isSafeInteger(v)) throw new FormError(`Success exit codes: ${c} is not a whole number.`, "restart.success_codes");
      return v;
    });
  return {
    name,
    path,
    args: parseArgs(f.args),
    cwd: f.cwd.trim() ? f.cwd.trim() : null,
    env: { ...f.env },
    launch: f.launch,
    // Autostart and restarts only mean something for programs Vigil launches.
    autostart: f.launch && f.autostart,
    match_by: matchRule(f),
    tags: parseTags(f.tags),
    restart: {
      mode: f.launch ? f.restart_mode : "never",
      success_codes: codes.length > 0 ? codes : [0],
      backoff_initial_ms: whole(f.backoff_initial_ms, "First restart delay", "restart.backoff_initial_ms"),
      backoff_max_ms: whole(f.backoff_max_ms, "Longest restart delay", "restart.backoff_max_ms"),
      reset_after_secs: whole(f.reset_after_secs, "Healthy after", "restart.reset_after_secs"),
      max_restarts: whole(f.max_restarts, "Crash-loop limit", "restart.max_restarts"),
      window_secs: whole(f.window_secs, "Crash-loop window", "restart.window_secs"),
    },
    limits: {
      cpu_percent: optionalNumber(f.cpu_percent, "CPU limit", "limits.cpu_percent"),
      memory_mb: optionalNumber(f.memory_mb, "Memory limit", "limits.memory_mb"),
      sustain_secs: whole(f.sustain_secs, "Sustained for", "limits.sustain_secs"),
      restart_on_memory: f.restart_on_memory,
    },
  };
}

/** The `preview_match` request for the form's rule (the daemon says what is missing). */
export function previewRequest(f: Pick<ProgramForm, "match_by" | "match_value" | "path">): PreviewMatch {
  return f.match_by === "exe" ? { by: "exe", path: f.path.trim() } : { by: f.match_by, value: f.match_value.trim() };
}

// ------------------------------------------------------------ live preview

export type PreviewState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "ok"; preview: MatchPreview }
  | { kind: "error"; message: string; code: string };

/** How long typing must pause before the preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 400;

/**
 * The "matches N processes now" line: `request` asks again `delayMs` after the last change
 * (changes meanwhile fold into one request), and only the newest request's answer is shown;
 * `stop` drops what is pending and any answer still coming.
 */
export class MatchPreviewer {
  readonly #fetch: (req: PreviewMatch) => Promise<MatchPreview>;
  readonly #show: (s: PreviewState) => void;
  readonly #delayMs: number;
  readonly #timer = new Timer();
  readonly #latest = new Latest();
  #lastKey: string | null = null;

  constructor(fetch: (req: PreviewMatch) => Promise<MatchPreview>, show: (s: PreviewState) => void, delayMs = PREVIEW_DEBOUNCE_MS) {
    this.#fetch = fetch;
    this.#show = show;
    this.#delayMs = delayMs;
  }

  /** Preview `req` soon; `null` clears the line (nothing to preview). The same request again asks nothing. */
  request(req: PreviewMatch | null): void {
    const key = req === null ? null : JSON.stringify(req);
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#timer.stop();
    this.#latest.cancel();
    if (req === null) {
      this.#show({ kind: "idle" });
      return;
    }
    this.#show({ kind: "loading" });
    this.#timer.start(this.#delayMs, () => {
      void this.#latest.load(
        () => this.#fetch(req),
        (preview) => this.#show({ kind: "ok", preview }),
        (e) => {
          const err = toApiError(e);
          this.#show({ kind: "error", message: err.message, code: err.code });
        },
      );
    });
  }

  stop(): void {
    this.#timer.stop();
    this.#latest.cancel();
    this.#lastKey = null;
  }
}

/** "matches 3 processes now" and the like. */
export function previewSummary(p: MatchPreview): string {
  if (p.count === 0) return "matches no process now";
  return `matches ${p.count} ${p.count === 1 ? "process" : "processes"} now`;
}

/**
 * The warning under a preview that finds more than one process: Stop offers to end every
 * process a watched program has, so a rule that is too wide is a risk. Null for 0 or 1.
 */
export function matchWarning(count: number, by: MatchBy): string | null {
  if (count <= 1) return null;
  const narrow = by === "cmdline" ? "make the command-line text more specific" : "narrow it with the command line";
  return `This rule matches ${count} processes: Stop would offer to end all of them; ${narrow}.`;
}

/** The preview's processes for the table (an older daemon gave neither command line nor executable). */
export function previewRows(p: MatchPreview): MatchedProcess[] {
  return p.processes.map((m) => ({ pid: m.pid, name: m.name, cmd: m.cmd ?? [], exe: m.exe ?? null }));
}

// ------------------------------------------------------------ picking a running process

/** The match value a picked process gives for `by` ("" for the executable, which uses the path). */
export function pickedValue(proc: Pick<ProcessInfo, "name" | "cmd">, by: MatchBy): string {
  return by === "name" ? proc.name : by === "cmdline" ? commandLine(proc) : "";
}

/** The rule a pick starts with: its executable when known, else its name. */
export function defaultPickRule(proc: Pick<ProcessInfo, "exe">): MatchBy {
  return proc.exe ? "exe" : "name";
}

/**
 * The form after picking `proc` to watch: launch off, the path from its executable, its
 * name when the form has none yet, and the rule `by` (default: `defaultPickRule`) filled from it.
 */
export function withPick(f: ProgramForm, proc: ProcessInfo, by: MatchBy = defaultPickRule(proc)): ProgramForm {
  return {
    ...f,
    launch: false,
    autostart: false,
    path: proc.exe ?? f.path,
    name: f.name.trim() ? f.name : proc.name.replace(/\.exe$/i, ""),
    match_by: by,
    match_value: pickedValue(proc, by),
  };
}

/** How long typing in the process search must pause before it asks. */
export const SEARCH_DEBOUNCE_MS = 300;

export type SearchState =
  | { kind: "loading" }
  | { kind: "ok"; processes: ProcessInfo[] }
  | { kind: "error"; message: string; code: string };

/**
 * The picker's list: `search(q)` asks `delayMs` after the last change (the first time at
 * once), only the newest answer is shown; `stop` drops what is pending.
 */
export class ProcessSearch {
  readonly #fetch: (q: string) => Promise<ProcessInfo[]>;
  readonly #show: (s: SearchState) => void;
  readonly #delayMs: number;
  readonly #timer = new Timer();
  readonly #latest = new Latest();
  #asked = false;
  #lastQ: string | null = null;

  constructor(fetch: (q: string) => Promise<ProcessInfo[]>, show: (s: SearchState) => void, delayMs = SEARCH_DEBOUNCE_MS) {
    this.#fetch = fetch;
    this.#show = show;
    this.#delayMs = delayMs;
  }

  search(q: string): void {
    const text = q.trim();
    if (text === this.#lastQ) return;
    this.#lastQ = text;
    this.#timer.stop();
    this.#latest.cancel();
    this.#show({ kind: "loading" });
    const go = () =>
      void this.#latest.load(
        () => this.#fetch(text),
        (processes) => this.#show({ kind: "ok", processes }),
        (e) => {
          const err = toApiError(e);
          this.#show({ kind: "error", message: err.message, code: err.code });
        },
      );
    if (!this.#asked) {
      this.#asked = true;
      go();
    } else this.#timer.start(this.#delayMs, go);
  }

  /** Ask again for the same text (the list is a snapshot). */
  refresh(): void {
    const q = this.#lastQ ?? "";
    this.#lastQ = null;
    this.#asked = false;
    this.search(q);
  }

  stop(): void {
    this.#timer.stop();
    this.#latest.cancel();
    this.#lastQ = null;
  }
}
