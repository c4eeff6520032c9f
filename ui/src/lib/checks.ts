/**
 * Checks: their statuses and a program's health in words, the check editor's form and its
 * conversion to and from a `Check` (probe fields, the plugin's generated config form), when
 * the list reads again. The metric charts' data is checkmetrics.ts's. The components only show.
 */
import type { Check, CheckRecord, CheckResult, CheckStatus, CheckView, JobOption, Probe, ProgramHealth, ProgramStatus } from "./types";
import { FormError } from "./errors";
import type { Confirmation } from "./confirmations";
import { buildRunOptions, initialOptionInputs, parseNumber, runOptionProblems, type OptionInput } from "./jobs";

export type { Check, CheckAnswer, CheckRecord, CheckResult, CheckStatus, CheckView, Metric, MetricSeries, Probe } from "./types";
/** A program's health from its checks (`ProgramStatus.health`; null: it has no checks). */
export type CheckHealth = ProgramHealth;
export type ProbeType = Probe["type"];

// ------------------------------------------------------------ statuses in words

export const CHECK_STATUSES: readonly CheckStatus[] = ["ok", "warning", "critical", "unknown"];

export const STATUS_LABELS: Record<CheckStatus, string> = {
  ok: "OK",
  warning: "Warning",
  critical: "Critical",
  unknown: "Unknown",
};

/** A status's label; "not run yet" before the first answer. */
export function statusLabel(s: CheckStatus | null | undefined): string {
  return s ? STATUS_LABELS[s] : "Not run yet";
}

export const HEALTH_LABELS: Record<CheckHealth, string> = {
  healthy: "Healthy",
  degraded: "Degraded",
  unhealthy: "Unhealthy",
  unknown: "Health unknown",
};

/** What each health means, for a tooltip. */
export const HEALTH_HINTS: Record<CheckHealth, string> = {
  healthy: "Every check answered OK.",
  degraded: "A check answered Warning (none Critical).",
  unhealthy: "A check answered Critical.",
  unknown: "A check has not answered yet, or answered Unknown.",
};

/** A program's health as its status carries it (null: it has no checks, nothing is shown). */
export function programHealth(s: Pick<ProgramStatus, "health"> | undefined | null): CheckHealth | null {
  return s?.health ?? null;
}

/** The status a check shows: its latest answer's, or null before it answered. */
export function viewStatus(v: { latest: { answer: { status: CheckStatus } } | null }): CheckStatus | null {
  return v.latest?.answer.status ?? null;
}

/** The line a result shows: the plugin's failure when it failed, else its message. */
export function resultText(r: Pick<CheckResult, "answer" | "error">): string {
  if (r.error) return `The check could not run: ${r.error}`;
  return r.answer.message || "(no message)";
}

/** A history record's line, like `resultText`. */
export function recordText(r: Pick<CheckRecord, "message" | "error">): string {
  if (r.error) return `The check could not run: ${r.error}`;
  return r.message || "(no message)";
}

/** "3 OK · 1 warning · 2 not run yet": how many checks are in each status. */
export function statusCounts(views: readonly { latest: { answer: { status: CheckStatus } } | null }[]): { status: CheckStatus | null; count: number }[] {
  const order: (CheckStatus | null)[] = ["critical", "warning", "unknown", "ok", null];
  const counts = new Map<CheckStatus | null, number>();
  for (const v of views) {
    const s = viewStatus(v);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return order.filter((s) => counts.has(s)).map((s) => ({ status: s, count: counts.get(s) ?? 0 }));
}

/** Where a check belongs: its program's name, "standalone", or the id of a removed program. */
export function programLabel(programId: number | null | undefined, names: ReadonlyMap<number, string>): string {
  if (programId === null || programId === undefined) return "standalone";
  return names.get(programId) ?? `program #${programId} (removed)`;
}

/** A metric's value with its unit: "12.5 ms", "42 %", "7". */
export function formatMetric(value: number, unit: string): string {
  const v = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (!unit) return v;
  return unit === "%" ? `${v}%` : `${v} ${unit}`;
}

// ------------------------------------------------------------ probe types

export const PROBE_TYPES: readonly { value: ProbeType; label: string; hint: string }[] = [
  { value: "http", label: "HTTP(S) request", hint: "Critical when the request fails, answers an unexpected status or lacks a text; Warning when slow." },
  { value: "tcp", label: "TCP port", hint: "Critical when the port refuses the connection or does not answer in time." },
  { value: "log_file", label: "Log file pattern", hint: "New lines of a file matching a regular expression make it Warning or Critical." },
  { value: "disk", label: "Disk free space", hint: "Warning or Critical below a share of free space on the disk holding a path." },
  { value: "plugin", label: "Plugin", hint: "An installed check plugin, with its own settings." },
  { value: "hung_window", label: "Hung window (Windows)", hint: "Critical when one of the program's windows stops responding. Needs a program; Windows only." },
];

export function probeTypeLabel(t: ProbeType): string {
  return PROBE_TYPES.find((p) => p.value === t)?.label ?? t;
}

/** What a probe looks at, in a few words for the list: the URL, host:port, the path… */
export function probeTarget(p: Probe): string {
  switch (p.type) {
    case "plugin":
      return `plugin ${p.plugin}`;
    case "http":
      return p.url;
    case "tcp":
      return `${p.host}:${p.port}`;
    case "log_file":
      return `${p.path} /${p.pattern}/`;
    case "disk":
      return `free space of ${p.path}`;
    case "hung_window":
      return "its windows";
  }
}

// ------------------------------------------------------------ the editor's form

/** Every probe field as typed; the form keeps all of them while the type changes. */
export type ProbeForm = {
  type: ProbeType;
  plugin: string;
  url: string;
  expect_status: string;
  body_contains: string;
  warn_ms: string;
  crit_ms: string;
  host: string;
  port: string;
  path: string;
  pattern: string;
  match_status: "warning" | "critical";
  warn_free_percent: string;
  crit_free_percent: string;
};

export type CheckForm = {
  name: string;
  /** "" for a check standing alone. */
  program_id: string;
  probe: ProbeForm;
  /** The plugin's config as typed (by option name). */
  config: Record<string, OptionInput>;
  /** The config as saved, kept as it is while the plugin's options are not known. */
  savedConfig: Record<string, unknown>;
  interval_secs: string;
  timeout_secs: string;
  retries: string;
  enabled: boolean;
  restart_after: string;
};

export const DEFAULT_RETRIES = 2;
export const MAX_RETRIES = 10;
export const MAX_SECS = 86_400;

export function emptyProbeForm(type: ProbeType = "http"): ProbeForm {
  return {
    type,
    plugin: "",
    url: "",
    expect_status: "",
    body_contains: "",
    warn_ms: "",
    crit_ms: "",
    host: "",
    port: "",
    path: "",
    pattern: "",
    match_status: "critical",
    warn_free_percent: "20",
    crit_free_percent: "10",
  };
}

export function emptyCheckForm(programId: number | null = null): CheckForm {
  return {
    name: "",
    program_id: programId === null ? "" : String(programId),
    probe: emptyProbeForm(),
    config: {},
    savedConfig: {},
    interval_secs: "",
    timeout_secs: "",
    retries: String(DEFAULT_RETRIES),
    enabled: true,
    restart_after: "",
  };
}

const text = (n: number | null | undefined): string => (n === null || n === undefined ? "" : String(n));

export function probeToForm(p: Probe): ProbeForm {
  const f = emptyProbeForm(p.type);
  switch (p.type) {
    case "plugin":
      f.plugin = p.plugin;
      break;
    case "http":
      f.url = p.url;
      f.expect_status = text(p.expect_status);
      f.body_contains = p.body_contains ?? "";
      f.warn_ms = text(p.warn_ms);
      f.crit_ms = text(p.crit_ms);
      break;
    case "tcp":
      f.host = p.host;
      f.port = text(p.port);
      f.warn_ms = text(p.warn_ms);
      break;
    case "log_file":
      f.path = p.path;
      f.pattern = p.pattern;
      f.match_status = p.status === "warning" ? "warning" : "critical";
      break;
    case "disk":
      f.path = p.path;
      f.warn_free_percent = text(p.warn_free_percent);
      f.crit_free_percent = text(p.crit_free_percent);
      break;
  }
  return f;
}

/**
 * The form of a saved check. `options`: its plugin's config options when known (the form
 * then starts from the saved values, the plugin's defaults for the rest).
 */
export function checkToForm(c: Check, options: readonly JobOption[] | null = null): CheckForm {
  const saved = c.probe.type === "plugin" ? { ...c.probe.config } : {};
  return {
    name: c.name,
    program_id: c.program_id === null || c.program_id === undefined ? "" : String(c.program_id),
    probe: probeToForm(c.probe),
    config: options ? configInputs(options, saved) : {},
    savedConfig: saved,
    interval_secs: text(c.interval_secs),
    timeout_secs: text(c.timeout_secs),
    retries: String(c.retries ?? DEFAULT_RETRIES),
    enabled: c.enabled ?? true,
    restart_after: text(c.restart_after),
  };
}

// ------------------------------------------------------------ a plugin's config form

/**
 * The config form's starting inputs: the saved values where there are some, the options'
 * defaults for the rest (the run-options form's rules, `initialOptionInputs`).
 */
export function configInputs(options: readonly JobOption[], values: Readonly<Record<string, unknown>> = {}): Record<string, OptionInput> {
  return initialOptionInputs(options.map((o) => (o.name in values && values[o.name] !== null ? { ...o, default: values[o.name] as JobOption["default"] } : o)));
}

/** The config form's own problems, by daemon path ("config.<name>"). */
export function configProblems(options: readonly JobOption[], inputs: Readonly<Record<string, OptionInput | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(runOptionProblems(options, inputs))) out[`config.${name}`] = message;
  return out;
}

/**
 * The config values to save (the run-options form's rules, `buildRunOptions`): an empty
 * text is left out so the plugin's default applies. Throws a FormError at "config.<name>".
 */
export function configValues(options: readonly JobOption[], inputs: Readonly<Record<string, OptionInput | undefined>>): Record<string, unknown> {
  const wrong = Object.entries(configProblems(options, inputs))[0];
  if (wrong) throw new FormError(`${optionLabel(options, wrong[0].slice("config.".length))}: ${wrong[1]}`, wrong[0]);
  try {
    return buildRunOptions(options, inputs);
  } catch (e) {
    if (e instanceof FormError && e.field?.startsWith("options.")) throw new FormError(e.message, `config.${e.field.slice("options.".length)}`);
    throw e;
  }
}

function optionLabel(options: readonly JobOption[], name: string): string {
  const o = options.find((x) => x.name === name);
  return o?.label || name;
}

/**
 * The daemon's message about a config option, wherever it puts it ("config.port" or
 * "probe.config.port").
 */
export function configFieldError(fields: Readonly<Record<string, string>>, name: string): string | null {
  return fields[`config.${name}`] ?? fields[`probe.config.${name}`] ?? null;
}

// ------------------------------------------------------------ form to check

function whole(t: string, what: string, path: string, min: number, max: number): number | undefined {
  const s = t.trim();
  if (s === "") return undefined;
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new FormError(`${what}: enter a whole number, not "${s}".`, path);
  const n = Number(s);
  if (n < min || n > max) throw new FormError(`${what}: ${min} to ${max}.`, path);
  return n;
}

function needed(t: string, message: string, path: string): string {
  const s = t.trim();
  if (s === "") throw new FormError(message, path);
  return s;
}

function percent(t: string, what: string, path: string): number {
  const n = parseNumber(t);
  if (n === null || n === undefined) throw new FormError(`${what}: enter a percentage from 0 to 100.`, path);
  if (n < 0 || n > 100) throw new FormError(`${what}: a percentage is 0 to 100.`, path);
  return n;
}

/**
 * The probe to save. The form checks what it can tell itself (a missing host, a port that is
 * no number); the rest (is the URL an http one, does the regular expression compile) is the
 * daemon's to say, next to the same fields. `options`: the plugin's config options (null:
 * not known, the saved config is kept as it was).
 */
export function formToProbe(f: ProbeForm, config: Record<string, OptionInput>, savedConfig: Record<string, unknown>, options: readonly JobOption[] | null): Probe {
  switch (f.type) {
    case "plugin": {
      const plugin = needed(f.plugin, "Pick a plugin.", "probe.plugin");
      return { type: "plugin", plugin, config: options ? configValues(options, config) : { ...savedConfig } };
    }
    case "http": {
      const p: Probe = { type: "http", url: needed(f.url, "Enter the URL to request, like https://example.com/health.", "probe.url") };
      const status = whole(f.expect_status, "Expected status", "probe.expect_status", 100, 599);
      if (status !== undefined) p.expect_status = status;
      if (f.body_contains !== "") p.body_contains = f.body_contains;
      const warn = whole(f.warn_ms, "Warning after", "probe.warn_ms", 1, MAX_SECS * 1000);
      const crit = whole(f.crit_ms, "Critical after", "probe.crit_ms", 1, MAX_SECS * 1000);
      if (warn !== undefined && crit !== undefined && warn > crit) throw new FormError("Warning after: not longer than Critical after.", "probe.warn_ms");
      if (warn !== undefined) p.warn_ms = warn;
      if (crit !== undefined) p.crit_ms = crit;
      return p;
    }
    case "tcp": {
      const host = needed(f.host, "Enter a host name or address, like 127.0.0.1.", "probe.host");
      const port = whole(f.port, "Port", "probe.port", 1, 65535);
      if (port === undefined) throw new FormError("Enter the port, 1 to 65535.", "probe.port");
      const p: Probe = { type: "tcp", host, port };
      const warn = whole(f.warn_ms, "Warning after", "probe.warn_ms", 1, MAX_SECS * 1000);
      if (warn !== undefined) p.warn_ms = warn;
      return p;
    }
    case "log_file":
      return {
        type: "log_file",
        path: needed(f.path, "Enter the path of the log file.", "probe.path"),
        pattern: needed(f.pattern, "Enter the pattern to look for (a regular expression).", "probe.pattern"),
        status: f.match_status,
      };
    case "disk": {
      const path = needed(f.path, "Enter a path on the disk, like / or C:\\.", "probe.path");
      const warn = percent(f.warn_free_percent, "Warning below", "probe.warn_free_percent");
      const crit = percent(f.crit_free_percent, "Critical below", "probe.crit_free_percent");
      if (crit > warn) throw new FormError("Critical below: not above Warning below.", "probe.crit_free_percent");
      return { type: "disk", path, warn_free_percent: warn, crit_free_percent: crit };
    }
    case "hung_window":
      return { type: "hung_window" };
  }
}

/** The check to save from the form; throws a FormError (with its field) for what it can tell is wrong. */
export function formToCheck(f: CheckForm, options: readonly JobOption[] | null, id?: number): Check {
  const name = needed(f.name, "Give the check a name.", "name");
  const program = f.program_id === "" ? null : Number(f.program_id);
  if (f.probe.type === "hung_window" && program === null) throw new FormError("A hung-window check needs its program: pick one.", "program_id");
  const c: Check = {
    name,
    probe: formToProbe(f.probe, f.config, f.savedConfig, options),
    retries: whole(f.retries, "Retries", "retries", 0, MAX_RETRIES) ?? DEFAULT_RETRIES,
    enabled: f.enabled,
  };
  const interval = whole(f.interval_secs, "Every", "interval_secs", 1, MAX_SECS);
  if (interval !== undefined) c.interval_secs = interval;
  const timeout = whole(f.timeout_secs, "Timeout", "timeout_secs", 1, MAX_SECS);
  if (timeout !== undefined) c.timeout_secs = timeout;
  if (program !== null) {
    c.program_id = program;
    const after = whole(f.restart_after, "Restart after", "restart_after", 1, 1000);
    if (after !== undefined) c.restart_after = after;
  }
  if (id !== undefined && id > 0) c.id = id;
  return c;
}

/** The fields the check editor shows a message next to (daemon paths). */
export function checkEditorShows(path: string): boolean {
  return (
    [
      "name",
      "program_id",
      "interval_secs",
      "timeout_secs",
      "retries",
      "restart_after",
      "probe.type",
      "probe.plugin",
      "probe.url",
      "probe.expect_status",
      "probe.body_contains",
      "probe.warn_ms",
      "probe.crit_ms",
      "probe.host",
      "probe.port",
      "probe.path",
      "probe.pattern",
      "probe.status",
      "probe.warn_free_percent",
      "probe.crit_free_percent",
    ].includes(path) || /^(probe\.)?config\.[^.]+$/.test(path)
  );
}

// ------------------------------------------------------------ when to read again

const MIN_RELOAD_MS = 2_000;
const MAX_RELOAD_MS = 30_000;

/**
 * How long until the checks list reads again: a moment after the soonest next run (its answer
 * is then in), at least 2 s, at most 30 s (a check whose next run is not known, or far off).
 */
export function nextReloadMs(views: readonly Pick<CheckView, "next_at">[], now: number): number {
  let soonest = Infinity;
  for (const v of views) if (v.next_at !== null && v.next_at < soonest) soonest = v.next_at;
  if (!Number.isFinite(soonest)) return MAX_RELOAD_MS;
  return Math.min(MAX_RELOAD_MS, Math.max(MIN_RELOAD_MS, soonest - now + 1_000));
}

/** The check an event is about (its detail `{ "check_id": N }`), or null. */
export function checkOf(detail: string | null | undefined): number | null {
  if (!detail) return null;
  try {
    const d: unknown = JSON.parse(detail);
    const id = typeof d === "object" && d !== null ? (d as { check_id?: unknown }).check_id : undefined;
    return typeof id === "number" && Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------ delete

/** Deleting a check: it stops running, and its program's health no longer counts it. */
export function deleteCheckConfirmation(name: string): Confirmation {
  return {
    title: `Delete check ${name}?`,
    lines: ["It stops running, its program's health no longer counts it, and its history of answers goes.", "The events it raised stay in the event log."],
    confirm: "Delete check",
  };
}
