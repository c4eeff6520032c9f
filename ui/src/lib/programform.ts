import type { Limits, MatchPreview, MatchRule, NewProgram, PreviewMatch, Program, RestartMode } from "./types";
import { FormError, toApiError } from "./errors";
import { parseArgs, parseTags } from "./format";
import { DEFAULT_RESTART } from "./labels";
import { Latest } from "./latest";
import { Timer } from "./timer";

export type MatchBy = MatchRule["by"];
export type EnvRow = { key: string; value: string };

/** What the program form edits: text as typed, converted by `formToProgram`. */
export type ProgramForm = {
  name: string;
  path: string;
  /** One argument per line. */
  args: string;
  cwd: string;
  env: EnvRow[];
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
  { value: "exe", label: "By executable", hint: "Processes running the executable at the path above." },
  { value: "name", label: "By process name", hint: "Processes with this name, such as node.exe (case-insensitive on Windows)." },
  { value: "cmdline", label: "By command-line text", hint: "Processes whose command line contains this text." },
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

export function emptyEnvRow(): EnvRow {
  return { key: "", value: "" };
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
    env: Object.entries(p.env)
      .filter((e): e is [string, string] => typeof e[1] === "string")
      .map(([key, value]) => ({ key, value })),
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

function whole(text: string, what: string): number {
  const t = text.trim();
  const v = Number(t);
  if (t === "" || !Number.isSafeInteger(v) || v < 0) throw new FormError(`${what}: enter a whole number (0 or more).`);
  return v;
}

function optionalNumber(text: string, what: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const v = Number(t);
  if (!Number.isFinite(v) || v <= 0) throw new FormError(`${what}: enter a number above 0, or leave it empty for no limit.`);
  return v;
}

/** Environment rows as a map; blank rows are skipped, a value without a name or a name twice is refused. */
export function envFromRows(rows: readonly EnvRow[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { key, value } of rows) {
    const k = key.trim();
    if (k === "") {
      if (value.trim() !== "") throw new FormError("Environment: a value has no variable name.");
      continue;
    }
    if (Object.hasOwn(env, k)) throw new FormError(`Environment: ${k} is set twice.`);
    env[k] = value;
  }
  return env;
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
  if (!name) throw new FormError("Name is required.");
  if (!path) throw new FormError("Executable path is required.");
  const codes = f.success_codes
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "")
    .map((c) => {
      const v = Number(c);
      if (!Number.isSafeInteger(v)) throw new FormError(`Success exit codes: ${c} is not a whole number.`);
      return v;
    });
  return {
    name,
    path,
    args: parseArgs(f.args),
    cwd: f.cwd.trim() ? f.cwd.trim() : null,
    env: envFromRows(f.env),
    launch: f.launch,
    // Autostart and restarts only mean something for programs Vigil launches.
    autostart: f.launch && f.autostart,
    match_by: matchRule(f),
    tags: parseTags(f.tags),
    restart: {
      mode: f.launch ? f.restart_mode : "never",
      success_codes: codes.length > 0 ? codes : [0],
      backoff_initial_ms: whole(f.backoff_initial_ms, "First restart delay"),
      backoff_max_ms: whole(f.backoff_max_ms, "Longest restart delay"),
      reset_after_secs: whole(f.reset_after_secs, "Healthy after"),
      max_restarts: whole(f.max_restarts, "Crash-loop limit"),
      window_secs: whole(f.window_secs, "Crash-loop window"),
    },
    limits: {
      cpu_percent: optionalNumber(f.cpu_percent, "CPU limit"),
      memory_mb: optionalNumber(f.memory_mb, "Memory limit"),
      sustain_secs: whole(f.sustain_secs, "Sustained for"),
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
