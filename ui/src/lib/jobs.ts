// Pure logic of the jobs pages: run-option forms, the job editor's form model,
// run output parsing, schedule previews and time formatting.
import type { Backoff, Job, JobOption, Missed, OptionKind, Overlap, RunStatus, Trigger } from "./types";
import { formatDateTime, parseArgs, parseTags } from "./format";
import { FormError } from "./errors";
import { fuzzyFilter } from "./fuzzy";

// ------------------------------------------------------------ run statuses

export const FINAL_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
  "interrupted",
]);

/** Queued or running: output may still grow and the run can be cancelled. */
export function isLive(status: RunStatus): boolean {
  return !FINAL_STATUSES.has(status);
}

export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
  cancelled: "cancelled",
  skipped: "skipped",
  interrupted: "interrupted",
};

export const TRIGGER_LABELS: Record<Trigger, string> = {
  manual: "manual",
  schedule: "schedule",
  dependency: "dependency",
  chain: "chain",
  retry: "retry",
  webhook: "webhook",
};

/** Event kinds that change what the jobs pages show. */
export const JOB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "job_saved",
  "job_removed",
  "run_started",
  "run_succeeded",
  "run_failed",
  "run_timed_out",
  "run_cancelled",
  "run_skipped",
  "run_interrupted",
  "run_overran",
  "run_retrying",
]);

// ------------------------------------------------------------ run options form

/** What a run-option input holds: a checkbox's boolean or an input's / textarea's text. */
export type OptionInput = boolean | string;

/** The form's starting values from the options' defaults. */
export function initialOptionInputs(options: readonly JobOption[]): Record<string, OptionInput> {
  const out: Record<string, OptionInput> = {};
  for (const o of options) {
    const d = o.default;
    switch (o.type) {
      case "boolean":
        out[o.name] = d === true;
        break;
      case "array":
        out[o.name] = Array.isArray(d) ? d.map(String).join("\n") : "";
        break;
      case "select":
        out[o.name] = typeof d === "string" && o.choices.includes(d) ? d : "";
        break;
      default:
        out[o.name] = d === null || d === undefined ? "" : String(d);
    }
  }
  return out;
}

/**
 * The `options` of a run request: checkboxes become booleans, array
 * textareas one string per non-blank line, and an empty text (or empty list)
 * is left out so the job's default applies. Names the job does not have are dropped.
 */
export function buildRunOptions(
  options: readonly JobOption[],
  inputs: Readonly<Record<string, OptionInput | undefined>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of options) {
    const v = inputs[o.name];
    if (v === undefined) continue;
    if (o.type === "boolean") {
      out[o.name] = v === true;
      continue;
    }
    const text = typeof v === "string" ? v : "";
    if (o.type === "array") {
      const items = parseArgs(text);
      if (items.length > 0) out[o.name] = items;
    } else if (o.type === "number") {
      const n = parseNumber(text);
      if (n === undefined) throw new FormError(`${o.label || o.name}: enter a number, or leave it empty for the default.`, `options.${o.name}`);
      if (n !== null) out[o.name] = n;
    } else if (text !== "") {
      out[o.name] = text;
    }
  }
  return out;
}

/**
 * A number as typed: null when empty (unset), undefined when it is not a finite number.
 * Accepts "1_000"-free plain forms: "42", "-1.5", "1e3", " 7 "; a comma as the decimal mark
 * ("1,5") too, since people type it.
 */
export function parseNumber(text: string): number | null | undefined {
  const t = text.trim();
  if (t === "") return null;
  const normal = /^[+-]?\d+,\d+$/.test(t) ? t.replace(",", ".") : t;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(normal)) return undefined;
  const n = Number(normal);
  return Number.isFinite(n) ? n : undefined;
}

/** The run form's own problems, by option name (before asking the daemon). */
export function runOptionProblems(
  options: readonly JobOption[],
  inputs: Readonly<Record<string, OptionInput | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of options) {
    const v = inputs[o.name];
    if (o.type === "number" && typeof v === "string" && parseNumber(v) === undefined) {
      out[o.name] = "Enter a number (like 42 or 2.5), or leave it empty for the default.";
    } else if (o.type === "select" && typeof v === "string" && v !== "" && !o.choices.includes(v)) {
      out[o.name] = `Pick one of: ${o.choices.join(", ")}.`;
    }
  }
  return out;
}

// ------------------------------------------------------------ job editor

export const OPTION_KINDS: readonly OptionKind[] = ["string", "number", "boolean", "select", "array"];
export const OVERLAPS: readonly { value: Overlap; label: string }[] = [
  { value: "skip", label: "Skip the new fire" },
  { value: "queue", label: "Queue it after the current run" },
  { value: "parallel", label: "Run in parallel" },
  { value: "replace", label: "Cancel the current run, start the new one" },
];
export const MISSED: readonly { value: Missed; label: string }[] = [
  { value: "skip", label: "Skip missed fires" },
  { value: "run_once", label: "Run once on start" },
];
export const BACKOFFS: readonly Backoff[] = ["fixed", "linear", "exponential"];

/** One row of the options editor; everything is text as typed. */
export type OptionRow = {
  name: string;
  label: string;
  type: OptionKind;
  flag: string;
  /** Comma separated (select only). */
  choices: string;
  /** Boolean: "true"/"false"; array: comma separated; others: the text. Empty: no default. */
  default: string;
};

/** The editor's fields as typed. */
export type JobForm = {
  id: string;
  name: string;
  command: string;
  /** One argument per line. */
  args: string;
  shell: boolean;
  cwd: string;
  schedule: string;
  timezone: string;
  enabled: boolean;
  overlap: Overlap;
  missed: Missed;
  timeout_secs: string;
  retries: string;
  retry_delay_ms: string;
  backoff: Backoff;
  /** Job ids. */
  depends_on: string[];
  on_success: string[];
  on_failure: string[];
  env: Record<string, string>;
  options: OptionRow[];
};

export function emptyOptionRow(): OptionRow {
  return { name: "", label: "", type: "string", flag: "", choices: "", default: "" };
}

export function emptyJobForm(): JobForm {
  return {
    id: "",
    name: "",
    command: "",
    args: "",
    shell: false,
    cwd: "",
    schedule: "",
    timezone: "",
    enabled: true,
    overlap: "skip",
    missed: "skip",
    timeout_secs: "",
    retries: "0",
    retry_delay_ms: "1000",
    backoff: "fixed",
    depends_on: [],
    on_success: [],
    on_failure: [],
    env: {},
    options: [],
  };
}

function defaultText(o: JobOption): string {
  const d = o.default;
  if (d === null || d === undefined) return "";
  if (Array.isArray(d)) return d.map(String).join(", ");
  return String(d);
}

export function jobToForm(job: Job): JobForm {
  return {
    id: job.id,
    name: job.name,
    command: job.command,
    args: job.args.join("\n"),
    shell: job.shell,
    cwd: job.cwd ?? "",
    schedule: job.schedule ?? "",
    timezone: job.timezone ?? "",
    enabled: job.enabled,
    overlap: job.overlap,
    missed: job.missed,
    timeout_secs: job.execution.timeout_secs === null ? "" : String(job.execution.timeout_secs),
    retries: String(job.execution.retries),
    retry_delay_ms: String(job.execution.retry_delay_ms),
    backoff: job.execution.backoff,
    depends_on: [...job.depends_on],
    on_success: [...job.on_success],
    on_failure: [...job.on_failure],
    env: definedOnly(job.env),
    options: job.options.map((o) => ({
      name: o.name,
      label: o.label,
      type: o.type,
      flag: o.flag ?? "",
      choices: o.choices.join(", "),
      default: defaultText(o),
    })),
  };
}

// `formToJob` throws a FormError for input the form itself can tell is wrong.
export { FormError };

function wholeNumber(text: string, what: string, min: number, path: string, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || !Number.isSafeInteger(Number(t))) {
    throw new FormError(`${what}: enter a whole number${min > 0 ? ` of at least ${min}` : ""}${t ? `, not "${t}"` : ""}.`, path);
  }
  if (Number(t) > max) throw new FormError(`${what}: at most ${max}.`, path);
  return Number(t);
}

function optionDefault(r: OptionRow, i: number): unknown {
  const t = r.default.trim();
  if (t === "") return null;
  const path = `options.${i}.default`;
  switch (r.type) {
    case "boolean":
      if (t === "true") return true;
      if (t === "false") return false;
      throw new FormError(`Default: write true or false.`, path);
    case "array":
      return parseTags(t);
    case "number": {
      const n = parseNumber(t);
      if (n === null || n === undefined) throw new FormError(`Default: enter a number (like 42 or 2.5), or leave it empty.`, path);
      return n;
    }
    case "select":
      if (!parseTags(r.choices).includes(t)) throw new FormError(`Default: pick one of the choices.`, path);
      return t;
    default:
      return t;
  }
}

/** Words the API uses under /jobs/, refused as ids (as the engine does). */
export const RESERVED_JOB_IDS: readonly string[] = ["new", "dashboard", "export", "import"];
export const MAX_JOB_ID = 64;

/** What is wrong with an id, in plain words (the engine's rule), or null. */
export function jobIdProblem(id: string): string | null {
  const t = id.trim();
  if (t === "") return "Give the job an id (it is used in links and by other jobs).";
  if (RESERVED_JOB_IDS.includes(t)) return `"${t}" is a word Vigil uses itself; pick another id.`;
  if (t.length > MAX_JOB_ID) return `At most ${MAX_JOB_ID} characters.`;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(t)) return "Use lowercase letters, digits, '-' and '_', starting with a letter or digit.";
  return null;
}

const TRANSLIT: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", ł: "l", þ: "th", ı: "i" };

/**
 * A job id made from a name: lowercase ASCII letters and digits with '-' between words
 * ("Nightly backup (DB)" → "nightly-backup-db", "Über Größe" → "uber-grosse"); letters
 * without an ASCII form are dropped; at most 64 characters; a reserved word gets "-job".
 * "" when nothing usable is left.
 */
export function slugify(name: string): string {
  const folded = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (c) => TRANSLIT[c] ?? c);
  let slug = folded
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length > MAX_JOB_ID) slug = slug.slice(0, MAX_JOB_ID).replace(/-+$/, "");
  if (RESERVED_JOB_IDS.includes(slug)) slug = `${slug}-job`;
  return slug;
}

/**
 * Whether the id keeps following the name after a hand edit of the id: only while the id
 * is empty or still what the name gives.
 */
export function idFollowsName(id: string, name: string): boolean {
  const t = id.trim();
  return t === "" || t === slugify(name);
}

/**
 * The editor's own checks before saving, by field path (the daemon's paths): the id, the
 * command, option names (not empty, not twice) and a select's choices. Empty when all is well.
 */
export function jobFormProblems(f: JobForm, editing: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!editing) {
    const id = jobIdProblem(f.id);
    if (id) out.id = id;
  }
  if (!f.command.trim()) out.command = "Enter the program or command line to run.";
  const seen = new Set<string>();
  f.options.forEach((o, i) => {
    if (blankOptionRow(o)) return;
    const n = o.name.trim();
    if (n === "") out[`options.${i}.name`] = "Give the option a name, or remove the row.";
    else if (seen.has(n)) out[`options.${i}.name`] = `Another option is already called "${n}".`;
    seen.add(n);
    if (o.type === "select" && parseTags(o.choices).length === 0) out[`options.${i}.choices`] = "A list needs its choices, separated by commas.";
  });
  for (const key of ["depends_on", "on_success", "on_failure"] as const) {
    if (f[key].includes(f.id.trim())) out[key] = "A job cannot depend on or start itself.";
  }
  return out;
}

/** The fields the job editor shows a message next to (daemon paths). */
export function jobEditorShows(path: string): boolean {
  return (
    [
      "id",
      "name",
      "command",
      "args",
      "cwd",
      "schedule",
      "timezone",
      "overlap",
      "missed",
      "execution.timeout_secs",
      "execution.retries",
      "execution.retry_delay_ms",
      "depends_on",
      "on_success",
      "on_failure",
      "env",
    ].includes(path) || /^options\.\d+\.(name|label|type|flag|choices|default)$/.test(path)
  );
}

/**
 * The Job to save. Fields the editor does not show (category, tags, retry_on, fix_command,
 * template, extends, vars) are kept from `base` when editing. Option rows are sent in
 * order (so the daemon's "options.N" paths name the same rows).
 */
export function formToJob(f: JobForm, base?: Job): Job {
  const timeout = f.timeout_secs.trim();
  return {
    id: f.id.trim(),
    name: f.name.trim(),
    command: f.command.trim(),
    args: parseArgs(f.args),
    shell: f.shell,
    cwd: f.cwd.trim() || null,
    env: { ...f.env },
    category: base?.category ?? null,
    tags: base?.tags ?? [],
    enabled: f.enabled,
    options: f.options.filter((r) => !blankOptionRow(r)).map((r, i) => ({
      name: r.name.trim(),
      label: r.label.trim(),
      type: r.type,
      flag: r.flag.trim() || null,
      choices: r.type === "select" ? parseTags(r.choices) : [],
      default: optionDefault(r, i),
    })),
    execution: {
      timeout_secs: timeout === "" ? null : wholeNumber(timeout, "Timeout", 1, "execution.timeout_secs"),
      retries: wholeNumber(f.retries || "0", "Retries", 0, "execution.retries", 100),
      retry_delay_ms: wholeNumber(f.retry_delay_ms || "0", "Retry delay", 0, "execution.retry_delay_ms"),
      backoff: f.backoff,
      retry_on: base?.execution.retry_on ?? ["timeout", "failure", "start_error"],
      fix_command: base?.execution.fix_command ?? null,
    },
    schedule: f.schedule.trim() || null,
    timezone: f.timezone.trim() || null,
    overlap: f.overlap,
    missed: f.missed,
    depends_on: unique(f.depends_on),
    on_success: unique(f.on_success),
    on_failure: unique(f.on_failure),
    template: base?.template ?? false,
    extends: base?.extends ?? null,
    vars: base?.vars ?? {},
  };
}

function definedOnly(m: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
  return out;
}

/** A row nothing was typed into: left out when saving (the editor removes it first, so row numbers match the daemon's). */
export function blankOptionRow(r: OptionRow): boolean {
  return [r.name, r.label, r.flag, r.choices, r.default].every((x) => x.trim() === "");
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids.map((x) => x.trim()).filter((x) => x !== ""))];
}

// ------------------------------------------------------------ pickers

/** A job offered by the dependency pickers. */
export type JobChoice = { id: string; name: string };

/**
 * The jobs a picker offers for `query`: every job but `self` and those already picked,
 * matched on name and id, best first. Templates are left out (they never run).
 */
export function jobChoices(
  jobs: readonly (JobChoice & { template?: boolean })[],
  self: string,
  picked: readonly string[],
  query: string,
  limit = 50,
): JobChoice[] {
  const pool = jobs.filter((j) => j.id !== self.trim() && !picked.includes(j.id) && !j.template);
  return fuzzyFilter(pool, query, (j) => [j.name, j.id], limit);
}

/**
 * The time zones to offer: "UTC" first, then the browser's own, then every other IANA zone
 * the browser knows (alphabetical), each once.
 */
export function timeZoneList(supported: readonly string[], browser: string | null | undefined): string[] {
  const first = ["UTC"];
  if (browser && browser !== "UTC" && browser !== "Etc/UTC") first.push(browser);
  const rest = [...supported].filter((z) => !first.includes(z)).sort();
  return [...first, ...rest];
}

/** The zones the browser knows (empty where it cannot say) and its own zone. */
export function browserTimeZones(): { supported: string[]; own: string | null } {
  let supported: string[] = [];
  let own: string | null = null;
  try {
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    supported = intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    supported = [];
  }
  try {
    own = Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    own = null;
  }
  return { supported, own };
}

/**
 * Zones matching `query` ("berlin", "new york", "europe/"), best first; the list's order
 * (UTC, the browser's zone, then alphabetical) when the query is empty. Spaces match '_'.
 */
export function filterTimeZones(zones: readonly string[], query: string, limit = 80): string[] {
  const q = query.trim().replace(/\s+/g, "_");
  if (q === "") return zones.slice(0, limit);
  return fuzzyFilter(zones, q, (z) => [z, z.slice(z.lastIndexOf("/") + 1)], limit);
}

// ------------------------------------------------------------ run output

export type OutputLine = {
  /** The stamp as written (RFC 3339, UTC); "" for a line without one. */
  ts: string;
  stream: "out" | "err";
  text: string;
};

const LINE_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (out|err)(?: (.*))?$/;

/**
 * Splits a run's stored output (`<rfc3339> <out|err> <text>` per line) into
 * lines. A line that does not follow the format (a note from the daemon, a
 * torn last line) is kept whole as stdout text without a stamp.
 */
export function parseOutput(raw: string): OutputLine[] {
  const lines = raw.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => {
    const m = LINE_RE.exec(l);
    if (!m) return { ts: "", stream: "out", text: l };
    return { ts: m[1], stream: m[2] as "out" | "err", text: m[3] ?? "" };
  });
}

/** "01:02:03.456" (UTC) from an output stamp; "" when there is none. */
export function stampClock(ts: string): string {
  const m = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(ts);
  return m ? m[1] : "";
}

// ------------------------------------------------------------ time

/** "in 5s", "in 3 min", "in 2 h 5 min", "in 3 d", "4 min ago", "now". */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  const s = Math.round(Math.abs(diff) / 1000);
  if (s < 1) return "now";
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    text = m > 0 ? `${h} h ${m} min` : `${h} h`;
  } else text = `${Math.floor(s / 86400)} d`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** A run's duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${(Math.floor(s * 10) / 10).toFixed(1)} s`;
  const total = Math.floor(s);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}

/** How long a run took, or has been going (with `now`); null before it started. */
export function runDuration(r: { started_at: number | null; ended_at: number | null }, now: number): number | null {
  if (r.started_at === null) return null;
  return Math.max(0, (r.ended_at ?? now) - r.started_at);
}

/** One preview line: "2026-11-22 01:00:00 (in 3 h)". */
export function formatFire(at: number, now: number): string {
  return `${formatDateTime(at)} (${formatRelative(at, now)})`;
}

// ------------------------------------------------------------ schedule preview

export type PreviewState =
  | { kind: "empty" }
  | { kind: "loading" }
  | { kind: "ok"; fires: number[] }
  | { kind: "error"; message: string };

export type PreviewTimers = {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

const realTimers: PreviewTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Debounced preview of a cron expression: `update` may be called on every
 * keystroke; only the last input after `delayMs` of quiet is asked for, and
 * an answer to an older input never replaces a newer one.
 */
export class SchedulePreview {
  private timer: unknown = null;
  private seq = 0;

  constructor(
    private readonly fetch: (schedule: string, timezone: string | null) => Promise<number[]>,
    private readonly onState: (s: PreviewState) => void,
    private readonly delayMs = 300,
    private readonly timers: PreviewTimers = realTimers,
  ) {}

  update(schedule: string, timezone: string): void {
    this.cancelTimer();
    const mine = ++this.seq;
    const expr = schedule.trim();
    if (expr === "") {
      this.onState({ kind: "empty" });
      return;
    }
    this.onState({ kind: "loading" });
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.fetch(expr, timezone.trim() || null).then(
        (fires) => {
          if (mine === this.seq) this.onState({ kind: "ok", fires });
        },
        (e: unknown) => {
          if (mine !== this.seq) return;
          const message =
            typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"
              ? (e as { message: string }).message
              : String(e);
          this.onState({ kind: "error", message });
        },
      );
    }, this.delayMs);
  }

  /** Stops any pending request; later answers are ignored. */
  dispose(): void {
    this.cancelTimer();
    this.seq++;
  }

  private cancelTimer() {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }
}

/**
 * What the editor says about options on a shell job, or null when there is nothing to say.
 * On Unix a shell line gets option values as "$@" ($1, $2, ...) and never parses them; on
 * Windows (cmd /D /C) they are appended to the line, and values cmd.exe would read as syntax
 * are refused when a run is asked for. A Unix line that mentions none of them drops them.
 */
export function shellOptionsNote(form: { shell: boolean; command: string; options: readonly unknown[] }): {
  text: string;
  warn: boolean;
} | null {
  if (!form.shell || form.options.length === 0) return null;
  const uses = /\$@|\$\*|\$\{?[1-9]/.test(form.command);
  const base =
    'Options reach the line as "$@" ($1, $2, …) on Linux and macOS; on Windows they are appended to the line, and values holding " & | < > ^ % ! ( ) or line breaks are refused.';
  return uses
    ? { text: base, warn: false }
    : { text: `This line never mentions "$@" or $1, so on Linux and macOS its options are ignored. ${base}`, warn: true };
}
