import type { EventKind, ProgramState, RestartMode, RestartPolicy } from "./types";

export const EVENT_LABELS: Record<EventKind, string> = {
  engine_started: "engine started",
  engine_stopped: "engine stopped",
  program_added: "added",
  program_removed: "removed",
  program_started: "started",
  program_stopped: "stopped",
  program_crashed: "crashed",
  program_restarted: "restarted",
  program_pid_changed: "pid changed",
  program_start_failed: "start failed",
  restart_given_up: "gave up",
  threshold_exceeded: "over limit",
  threshold_recovered: "recovered",
  job_saved: "job saved",
  job_removed: "job removed",
  run_started: "run started",
  run_succeeded: "succeeded",
  run_failed: "failed",
  run_timed_out: "timed out",
  run_cancelled: "cancelled",
  run_skipped: "skipped",
  run_interrupted: "interrupted",
  run_overran: "overran",
  run_retrying: "retrying",
  delivery_dead_lettered: "delivery dead",
  endpoint_failing: "endpoint failing",
  endpoint_recovered: "endpoint recovered",
  program_changed: "program changed",
  settings_changed: "settings changed",
  check_recovered: "check OK again",
  check_warning: "check warning",
  check_critical: "check critical",
  check_unknown: "check unknown",
  plugin_breaker_opened: "plugin resting",
  plugin_breaker_closed: "plugin running again",
  action_failed: "action failed",
};

export function eventLabel(kind: string): string {
  return (EVENT_LABELS as Record<string, string>)[kind] ?? kind.replace(/_/g, " ");
}

export const PROGRAM_STATES: readonly ProgramState[] = ["stopped", "running", "waiting", "errored"];

export const RESTART_MODES: readonly { value: RestartMode; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "on_failure", label: "On failure" },
  { value: "always", label: "Always" },
];

/** The daemon's default policy (on failure, 1 s doubling to 60 s, give up after 5 in 5 min). */
export const DEFAULT_RESTART: RestartPolicy = {
  mode: "on_failure",
  success_codes: [0],
  backoff_initial_ms: 1_000,
  backoff_max_ms: 60_000,
  reset_after_secs: 60,
  max_restarts: 5,
  window_secs: 300,
};

/** Kinds that change a program's live status: the list re-polls at once. */
export const STATUS_EVENT_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  "program_started",
  "program_stopped",
  "program_crashed",
  "program_restarted",
  "program_pid_changed",
  "program_start_failed",
  "restart_given_up",
]);
