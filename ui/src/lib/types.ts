// Generated from the Rust types by `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`.
// Do not edit by hand: the test fails when this file drifts from the Rust types.

export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "unauthorized" | "payload_too_large" | "unavailable" | "internal";

export type ApiError = { 
/**
 * What kind of failure this is; the only part a client should branch on.
 */
code: ErrorCode, 
/**
 * A sentence for a person, naming the offending input where there is one.
 */
message: string, };

export type Program = { 
/**
 * Store-assigned id.
 */
id: number, 
/**
 * Unique, human-chosen name.
 */
name: string, 
/**
 * Absolute path of the executable; never a shell string.
 */
path: string, 
/**
 * Arguments as argv, one element per argument, never re-split.
 */
args: Array<string>, 
/**
 * Working directory, absolute, if the program needs one.
 */
cwd: string | null, 
/**
 * Extra environment variables.
 */
env: { [key in string]?: string }, 
/**
 * Whether Vigil starts this program (and restarts it by its policy) or only watches it.
 */
launch: boolean, 
/**
 * Whether Vigil starts it when Vigil starts (only for launched programs).
 */
autostart: boolean, 
/**
 * How its processes are recognised among everything running.
 */
match_by: MatchRule, 
/**
 * Free labels for filtering and notification rules.
 */
tags: Array<string>, 
/**
 * How a launched program is kept alive.
 */
restart: RestartPolicy, 
/**
 * Resource limits that raise threshold events.
 */
limits: Limits, 
/**
 * When it was registered, unix milliseconds.
 */
created_at: number, };

export type NewProgram = { 
/**
 * Unique name; surrounding whitespace is trimmed.
 */
name: string, 
/**
 * Absolute path of an existing executable.
 */
path: string, 
/**
 * Arguments as argv.
 */
args?: Array<string>, 
/**
 * Absolute working directory.
 */
cwd?: string | null, 
/**
 * Extra environment variables.
 */
env?: { [key in string]?: string }, 
/**
 * Whether Vigil launches it (default) or only watches it.
 */
launch?: boolean, 
/**
 * Start it when Vigil starts (default: no).
 */
autostart?: boolean, 
/**
 * How its processes are recognised (default: by executable path).
 */
match_by?: MatchRule, 
/**
 * Labels.
 */
tags?: Array<string>, 
/**
 * Restart policy (default: on failure, 1 s doubling to 60 s, give up after 5 in 5 min).
 */
restart?: RestartPolicy, 
/**
 * Resource limits (default: none).
 */
limits?: Limits, };

export type Status = { 
/**
 * Vigil's version.
 */
version: string, 
/**
 * When the engine started, unix milliseconds.
 */
started_at: number, 
/**
 * Seconds since start, by the monotonic clock (immune to clock changes).
 */
uptime_secs: number, 
/**
 * Registered programs.
 */
programs: number, 
/**
 * The newest event id: a client that saw it is up to date.
 */
last_event_id: number, };

export type EventKind = "engine_started" | "engine_stopped" | "program_added" | "program_removed" | "program_started" | "program_stopped" | "program_crashed" | "program_restarted" | "program_pid_changed" | "program_start_failed" | "restart_given_up" | "threshold_exceeded" | "threshold_recovered";

export type Event = { 
/**
 * Monotonic id, the resume cursor.
 */
id: number, 
/**
 * Unix milliseconds.
 */
ts: number, 
/**
 * What happened.
 */
kind: EventKind, 
/**
 * The program it concerns, if any.
 */
program_id: number | null, 
/**
 * A sentence for a person.
 */
message: string, 
/**
 * Longer text, such as the last lines a crashed program printed.
 */
detail: string | null, };
