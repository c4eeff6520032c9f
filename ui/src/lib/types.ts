// Generated from the Rust types by `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`.
// Do not edit by hand: the test fails when this file drifts from the Rust types.

export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "unauthorized" | "forbidden" | "payload_too_large" | "unavailable" | "internal";

export type ApiError = { 
/**
 * What kind of failure this is; the only part a client should branch on.
 */
code: ErrorCode, 
/**
 * A sentence for a person, naming the offending input where there is one.
 */
message: string, 
/**
 * The request field an `invalid_input` error is about, as a dotted path (`name`,
 * `restart.max_restarts`, `options.0.name`), so a form can show it next to that field.
 */
field?: string, };

export type RestartMode = "never" | "on_failure" | "always";

export type RestartPolicy = { 
/**
 * When to restart.
 */
mode: RestartMode, 
/**
 * Exit codes that count as success (default: 0).
 */
success_codes: Array<number>, 
/**
 * First restart delay, milliseconds; doubled on each consecutive restart.
 */
backoff_initial_ms: number, 
/**
 * Longest restart delay, milliseconds.
 */
backoff_max_ms: number, 
/**
 * After this long up, the program counts as healthy and the backoff starts over.
 */
reset_after_secs: number, 
/**
 * Crash-loop limit: at most this many restarts within `window_secs`, then give up.
 */
max_restarts: number, 
/**
 * The crash-loop window, seconds.
 */
window_secs: number, };

export type MatchRule = { "by": "exe" } | { "by": "name", "value": string } | { "by": "cmdline", "value": string };

export type Limits = { 
/**
 * CPU usage limit in percent of one core (200 = two cores busy).
 */
cpu_percent: number | null, 
/**
 * Resident memory limit in MiB.
 */
memory_mb: number | null, 
/**
 * How long a value must stay over its limit, seconds.
 */
sustain_secs: number, 
/**
 * Restart a launched program that stays over its memory limit.
 */
restart_on_memory: boolean, };

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

export type EventKind = "engine_started" | "engine_stopped" | "program_added" | "program_removed" | "program_changed" | "program_started" | "program_stopped" | "program_crashed" | "program_restarted" | "program_pid_changed" | "program_start_failed" | "restart_given_up" | "threshold_exceeded" | "threshold_recovered" | "job_saved" | "job_removed" | "run_started" | "run_succeeded" | "run_failed" | "run_timed_out" | "run_cancelled" | "run_skipped" | "run_interrupted" | "run_overran" | "run_retrying" | "delivery_dead_lettered" | "endpoint_failing" | "endpoint_recovered" | "settings_changed" | "check_recovered" | "check_warning" | "check_critical" | "check_unknown" | "plugin_breaker_opened" | "plugin_breaker_closed" | "action_failed";

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
 * The job it concerns, if any.
 */
job_id: string | null, 
/**
 * A sentence for a person.
 */
message: string, 
/**
 * Longer text, such as the last lines a crashed program printed.
 */
detail: string | null, };

export type ProgramState = "stopped" | "running" | "waiting" | "errored";

export type ProcessStatus = { 
/**
 * OS process id.
 */
pid: number, 
/**
 * Start time, unix seconds.
 */
started: number, 
/**
 * CPU, percent of one core.
 */
cpu_percent: number, 
/**
 * Resident memory, bytes.
 */
memory_bytes: number, };

export type ProgramStatus = { 
/**
 * The program.
 */
program_id: number, 
/**
 * What it is doing.
 */
state: ProgramState, 
/**
 * Its processes, main process first.
 */
processes: Array<ProcessStatus>, 
/**
 * Total CPU of its processes, percent of one core.
 */
cpu_percent: number, 
/**
 * Total resident memory, bytes.
 */
memory_bytes: number, 
/**
 * When the current run started, unix milliseconds.
 */
since: number | null, 
/**
 * Restarts by policy since Vigil started.
 */
restarts: number, 
/**
 * How the last run ended, in words.
 */
last_exit: string | null, 
/**
 * Recent samples for a sparkline: `[unix_ms, cpu_percent, memory_bytes]`, oldest first.
 */
recent: Array<[number, number, number]>, 
/**
 * What its checks say: the worst of their latest answers; `null` when it has no checks.
 */
health: ProgramHealth | null, };

export type SampleBucket = { 
/**
 * Bucket start, unix milliseconds.
 */
ts: number, 
/**
 * Lowest CPU, percent of one core.
 */
cpu_min: number, 
/**
 * Average CPU.
 */
cpu_avg: number, 
/**
 * Highest CPU.
 */
cpu_max: number, 
/**
 * Lowest resident memory, bytes.
 */
mem_min: number, 
/**
 * Average memory.
 */
mem_avg: number, 
/**
 * Highest memory.
 */
mem_max: number, };

export type OptionKind = "boolean" | "string" | "array" | "select" | "number";

export type JobOption = { 
/**
 * The key a run request uses (`--opt name=value`).
 */
name: string, 
/**
 * What the UI shows.
 */
label: string, 
/**
 * How the value is typed and written.
 */
type: OptionKind, 
/**
 * The flag written before the value (`--date`); none for positional values.
 */
flag: string | null, 
/**
 * Allowed values of a select.
 */
choices: Array<string>, 
/**
 * Used when a run does not set it.
 */
default: unknown, };

export type Backoff = "fixed" | "linear" | "exponential";

export type RetryOn = "timeout" | "failure" | "start_error";

export type ExecutionPolicy = { 
/**
 * Kill the run's process tree after this many seconds.
 */
timeout_secs: number | null, 
/**
 * Extra attempts after a failure of a kind in `retry_on`.
 */
retries: number, 
/**
 * Base delay between attempts, milliseconds.
 */
retry_delay_ms: number, 
/**
 * How the delay grows.
 */
backoff: Backoff, 
/**
 * Which failures are retried (default: all).
 */
retry_on: Array<RetryOn>, 
/**
 * A command (argv) run before each retry, to repair what failed.
 */
fix_command: Array<string> | null, };

export type Overlap = "skip" | "queue" | "parallel" | "replace";

export type Missed = "skip" | "run_once";

export type Job = { 
/**
 * Stable slug.
 */
id: string, 
/**
 * Human name.
 */
name: string, 
/**
 * Executable (absolute path or a name found on PATH), or with `shell` a command line.
 */
command: string, 
/**
 * Fixed arguments, before those built from options.
 */
args: Array<string>, 
/**
 * Run `command` through the system shell (`sh -c` / `cmd /C`).
 */
shell: boolean, 
/**
 * Working directory.
 */
cwd: string | null, 
/**
 * Extra environment.
 */
env: { [key in string]?: string }, 
/**
 * Grouping in the UI.
 */
category: string | null, 
/**
 * Labels.
 */
tags: Array<string>, 
/**
 * Disabled jobs are not scheduled (manual runs still work).
 */
enabled: boolean, 
/**
 * Typed options.
 */
options: Array<JobOption>, 
/**
 * Timeouts and retries.
 */
execution: ExecutionPolicy, 
/**
 * Cron expression, 5 or 6 fields (seconds first when 6).
 */
schedule: string | null, 
/**
 * IANA time zone of the schedule (default UTC).
 */
timezone: string | null, 
/**
 * When a fire meets a running run.
 */
overlap: Overlap, 
/**
 * Fires missed while Vigil was away.
 */
missed: Missed, 
/**
 * Jobs that must succeed first, in the same trigger.
 */
depends_on: Array<string>, 
/**
 * Jobs started after a success.
 */
on_success: Array<string>, 
/**
 * Jobs started after a failure.
 */
on_failure: Array<string>, 
/**
 * A template: other jobs extend it; it is never scheduled or run itself.
 */
template: boolean, 
/**
 * The template this job was made from (resolved when saved).
 */
extends: string | null, 
/**
 * Values for the template's `{{variables}}`.
 */
vars: { [key in string]?: string }, };

export type Trigger = "manual" | "schedule" | "dependency" | "chain" | "retry" | "webhook";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "skipped" | "interrupted";

export type Run = { 
/**
 * Store-assigned id.
 */
id: number, 
/**
 * The job it ran.
 */
job_id: string, 
/**
 * What started it.
 */
trigger: Trigger, 
/**
 * Where it is.
 */
status: RunStatus, 
/**
 * 1 for the first attempt, 2 for the first retry...
 */
attempt: number, 
/**
 * Option values it was started with.
 */
options: Record<string, unknown>, 
/**
 * The exact argv (after the command).
 */
argv: Array<string>, 
/**
 * When it was asked for, unix ms.
 */
queued_at: number, 
/**
 * When its process started, unix ms.
 */
started_at: number | null, 
/**
 * When it ended, unix ms.
 */
ended_at: number | null, 
/**
 * Exit code, when it exited.
 */
exit_code: number | null, 
/**
 * Its process while it runs (with `pid_start`, the identity that survives PID reuse).
 */
pid: number | null, 
/**
 * The process start time, unix seconds.
 */
pid_start: number | null, 
/**
 * Why it failed or was skipped, in words.
 */
error: string | null, 
/**
 * This attempt failed and a retry followed: it is not the final word of its run (counts
 * and notifications look at the final attempt only).
 */
retried: boolean, };

export type RunAccepted = { 
/**
 * The new run.
 */
run_id: number, };

export type RunningRun = { 
/**
 * The run.
 */
run: Run, 
/**
 * Milliseconds since it started (or was queued).
 */
elapsed_ms: number, };

export type NextFire = { 
/**
 * The job.
 */
job_id: string, 
/**
 * When, unix ms.
 */
at: number, };

export type JobsDashboard = { 
/**
 * Runs that succeeded since local midnight.
 */
succeeded_today: number, 
/**
 * Runs that failed or timed out since local midnight.
 */
failed_today: number, 
/**
 * Runs queued or running now.
 */
running: Array<RunningRun>, 
/**
 * The next five scheduled fires.
 */
next: Array<NextFire>, 
/**
 * Each scheduled, enabled job's next fire (one per job), for the jobs list.
 */
next_per_job: Array<NextFire>, 
/**
 * The latest failures.
 */
recent_failures: Array<Run>, 
/**
 * Every job, so the jobs page needs this one request.
 */
jobs: Array<Job>, 
/**
 * The newest run of each job that has run.
 */
last_runs: Array<Run>, };

export type JobsFile = { 
/**
 * Format version (1).
 */
vigil_jobs: number, 
/**
 * Every job, templates included.
 */
jobs: Array<Job>, };

export type ImportReport = { 
/**
 * The ids imported.
 */
imported: Array<string>, };

export type Preset = "json" | "slack" | "discord" | "email" | "teams" | "custom";

export type Method = "POST" | "PUT" | "PATCH";

export type Header = { 
/**
 * Header name.
 */
name: string, 
/**
 * Header value; masked when read back if `secret`.
 */
value: string, 
/**
 * A credential (an API key, a bearer token): stored, sent, never returned or logged.
 */
secret?: boolean, };

export type Endpoint = { 
/**
 * Assigned by the store; ignored when creating.
 */
id?: number, 
/**
 * A name for people, unique.
 */
name: string, 
/**
 * `http://` or `https://` URL.
 */
url: string, 
/**
 * Default POST.
 */
method?: Method, 
/**
 * Extra headers.
 */
headers?: Array<Header>, 
/**
 * Body shape (default: generic JSON).
 */
preset?: Preset, 
/**
 * The body for the `custom` preset; placeholders are filled JSON-escaped.
 */
template?: string, 
/**
 * Key of the `X-Vigil-Signature-256: sha256=<hex>` header (HMAC-SHA256 of the body).
 */
signing_secret?: string, 
/**
 * Disabled endpoints get no new deliveries.
 */
enabled?: boolean, 
/**
 * Per attempt (default 10 s).
 */
timeout_ms?: number, 
/**
 * For the email preset: sender, recipients, login and transport security.
 */
email?: EmailSettings, 
/**
 * Attempts before a delivery is dead-lettered (default 8).
 */
max_attempts?: number, 
/**
 * First retry delay; each later one doubles, with jitter, up to an hour (default 5 s).
 */
backoff_ms?: number, };

export type Rule = { 
/**
 * Assigned by the store; ignored when creating.
 */
id?: number, 
/**
 * A name for people.
 */
name: string, 
/**
 * Disabled rules send nothing.
 */
enabled?: boolean, 
/**
 * The kinds it sends; empty means every kind.
 */
kinds?: Array<EventKind>, 
/**
 * Only events of these programs (or of the jobs / tags below); all empty means any.
 */
programs?: Array<number>, 
/**
 * Only events of these jobs.
 */
jobs?: Array<string>, 
/**
 * Only events of programs or jobs carrying one of these tags.
 */
tags?: Array<string>, 
/**
 * Show an OS notification (desktop app).
 */
os?: boolean, 
/**
 * Webhook endpoints to send to.
 */
endpoints?: Array<number>, 
/**
 * Repeats of the same event (same kind and subject) within this many seconds of the first
 * are folded into one follow-up delivery with their count, sent when the window ends.
 * 0 sends every one.
 */
fold_secs?: number, };

export type Channel = "os" | "webhook";

export type DeliveryStatus = "pending" | "delivered" | "dead";

export type Delivery = { 
/**
 * Its id.
 */
id: number, 
/**
 * The event it tells (the latest, when repeats were folded in).
 */
event_id: number, 
/**
 * The rule that sent it.
 */
rule_id: number | null, 
/**
 * The endpoint, for webhooks.
 */
endpoint_id: number | null, 
/**
 * Webhook or OS notification.
 */
channel: Channel, 
/**
 * Where it is.
 */
status: DeliveryStatus, 
/**
 * How many events it stands for.
 */
count: number, 
/**
 * Attempts made so far.
 */
attempts: number, 
/**
 * When the next attempt is due (pending only), unix ms.
 */
next_at: number, 
/**
 * When it was created, unix ms.
 */
created_at: number, 
/**
 * When it last changed, unix ms.
 */
updated_at: number, 
/**
 * Sent as the `Idempotency-Key` header; the same on every attempt and replay, so a
 * receiver can drop the duplicates that at-least-once delivery may bring.
 */
idempotency_key: string, 
/**
 * The sentence it tells.
 */
summary: string, 
/**
 * The last attempt's error or status.
 */
last_error: string | null, };

export type Attempt = { 
/**
 * 1 for the first.
 */
n: number, 
/**
 * When it was made, unix ms.
 */
ts: number, 
/**
 * The HTTP status, when the receiver answered.
 */
status_code: number | null, 
/**
 * What went wrong, when something did.
 */
error: string | null, 
/**
 * From sending to the answer (or the failure).
 */
latency_ms: number, };

export type DeliveryDetail = { 
/**
 * The delivery.
 */
delivery: Delivery, 
/**
 * Every attempt, first first.
 */
attempts: Array<Attempt>, };

export type Replayed = { 
/**
 * Requeued deliveries.
 */
replayed: number, };

export type TriggerKind = "token" | "hmac";

export type TriggerCredential = { 
/**
 * Its id.
 */
id: number, 
/**
 * The job it runs.
 */
job_id: string, 
/**
 * A name for people (which system uses it).
 */
name: string, 
/**
 * Token or HMAC secret.
 */
kind: TriggerKind, 
/**
 * When it was created, unix ms.
 */
created_at: number, 
/**
 * When a request last used it, unix ms.
 */
last_used_at: number | null, };

export type NewTrigger = { 
/**
 * The credential.
 */
credential: TriggerCredential, 
/**
 * The token (send as `Authorization: Bearer`) or the HMAC key (sign the body with it).
 */
secret: string, };

export type HealthLevel = "ok" | "warning" | "failing";

export type Health = { 
/**
 * The overall level.
 */
level: HealthLevel, 
/**
 * Programs running now.
 */
programs_running: number, 
/**
 * Programs stopped.
 */
programs_stopped: number, 
/**
 * Programs waiting for a restart.
 */
programs_waiting: number, 
/**
 * Programs Vigil gave up on.
 */
programs_errored: number, 
/**
 * Runs going now.
 */
runs_running: number, 
/**
 * Jobs whose latest run failed.
 */
failing_jobs: Array<string>, 
/**
 * Deliveries waiting to be sent.
 */
deliveries_pending: number, 
/**
 * Deliveries that ran out of attempts.
 */
deliveries_dead: number, 
/**
 * Endpoints Vigil stopped sending to for a while.
 */
endpoints_resting: number, 
/**
 * Which endpoints those are.
 */
resting_endpoints: number[], 
/**
 * Checks whose latest answer is CRITICAL (by name).
 */
checks_critical: Array<string>, 
/**
 * Checks whose latest answer is WARNING or UNKNOWN (by name).
 */
checks_warning: Array<string>, 
/**
 * Plugins resting after repeated failures.
 */
plugins_resting: Array<string>, 
/**
 * One sentence per reason the level is not ok.
 */
reasons: Array<string>, };

export type OsNotification = { 
/**
 * The heading.
 */
title: string, 
/**
 * The sentence.
 */
body: string, 
/**
 * The UI page it is about (a hash route such as `#/programs/3`).
 */
link: string, };

export type StatusUpdate = { 
/**
 * This replaces everything the watcher had (the first update, and after a lag).
 */
full: boolean, 
/**
 * Changed programs, whole, with `recent` holding only samples newer than the last update.
 */
statuses: Array<ProgramStatus>, 
/**
 * Programs removed since the last update.
 */
removed: Array<number>, };

export type RetentionSettings = { 
/**
 * Raw (per-sweep) samples, hours (1 to 720).
 */
raw_samples_hours: number, 
/**
 * Per-minute rollups, days (1 to 3,650).
 */
minute_rollup_days: number, 
/**
 * Per-hour rollups, days (1 to 3,650).
 */
hour_rollup_days: number, 
/**
 * Events, days (1 to 3,650).
 */
event_days: number, 
/**
 * Finished runs and their output, days (1 to 3,650).
 */
run_days: number, 
/**
 * Delivered and dead-lettered deliveries, days (1 to 3,650).
 */
delivery_days: number, };

export type Settings = { 
/**
 * Time between sweeps of the watched processes, milliseconds (250 to 60,000).
 */
sweep_ms: number, 
/**
 * Time between looks for new matching processes, milliseconds (at least the sweep
 * interval, at most 10 minutes).
 */
discovery_ms: number, 
/**
 * How long history is kept.
 */
retention: RetentionSettings, 
/**
 * Most job runs at once (1 to 64).
 */
max_concurrent_runs: number, 
/**
 * Most output kept per run, KiB (64 KiB to 1 GiB).
 */
max_run_output_kib: number, 
/**
 * How long a stopping program may take before its process tree is killed, seconds (1 to
 * 600).
 */
stop_grace_secs: number, 
/**
 * Most webhook deliveries in flight at once (1 to 256).
 */
max_deliveries_in_flight: number, 
/**
 * The local API's port (1024 to 65535). When it is taken, a free one is used and written
 * to the data dir's `endpoint` file.
 */
port: number, 
/**
 * Listen on every network interface (other PCs on the LAN can connect, with the token),
 * not only on this PC. Off by default.
 */
allow_lan: boolean, 
/**
 * No scheduled runs while set; runs started by hand, hooks and triggers still run.
 */
schedules_paused: boolean, 
/**
 * Jobs offered by the tray's "run job..." menu, in order.
 */
favourite_jobs: Array<string>, 
/**
 * When Vigil quits, leave the programs it launched running (the next start adopts them
 * by their recorded identity) instead of stopping them. Applies to programs started
 * while it is on: their output goes through a file that outlives Vigil.
 */
leave_running_on_quit: boolean, };

export type SettingsChange = { 
/**
 * The settings now.
 */
settings: Settings, 
/**
 * The fields that changed.
 */
changed: Array<string>, 
/**
 * The changed fields that take effect only when Vigil starts again.
 */
restart_needed: Array<string>, };

export type ProgramSaved = { 
/**
 * The program as saved.
 */
program: Program, 
/**
 * Whether its running process was restarted to take the change.
 */
restarted: boolean, 
/**
 * What happened, for people: applied at once, restarted, at the next start, or stopped.
 */
effect: string, };

export type MatchedProcess = { 
/**
 * Its PID.
 */
pid: number, 
/**
 * Its name.
 */
name: string, 
/**
 * Its executable, where readable.
 */
exe: string | null, 
/**
 * Its command line, one element per argument.
 */
cmd: Array<string>, };

export type MatchPreview = { 
/**
 * How many processes match.
 */
count: number, 
/**
 * The first of them, by PID.
 */
processes: Array<MatchedProcess>, };

export type EmailTls = "starttls" | "tls" | "none";

export type EmailSettings = { 
/**
 * The sender address (`vigil@example.com` or `Vigil <vigil@example.com>`).
 */
from: string, 
/**
 * Recipient addresses, at least one.
 */
to: Array<string>, 
/**
 * SMTP login name, if the server wants one.
 */
username?: string, 
/**
 * SMTP password: stored, sent, never returned or logged (masked like secret headers).
 */
password?: string, 
/**
 * Transport security (default STARTTLS).
 */
tls?: EmailTls, 
/**
 * Accept a certificate no known authority signed (a self-signed relay). Off by default.
 */
accept_invalid_certs?: boolean, };

export type ProcessInfo = { 
/**
 * OS process id.
 */
pid: number, 
/**
 * Parent PID, where known.
 */
parent: number | null, 
/**
 * Process name.
 */
name: string, 
/**
 * Executable path, where readable.
 */
exe: string | null, 
/**
 * Command line, one element per argument (empty where unreadable).
 */
cmd: Array<string>, 
/**
 * CPU since the previous look, percent of one core.
 */
cpu_percent: number, 
/**
 * Resident memory, bytes.
 */
memory_bytes: number, 
/**
 * Start time, unix milliseconds.
 */
started_at: number, 
/**
 * The registered program it belongs to now, if any.
 */
program_id: number | null, };

export type MemoryInfo = { 
/**
 * Installed memory, bytes.
 */
total_bytes: number, 
/**
 * In use, bytes.
 */
used_bytes: number, 
/**
 * Available to new work, bytes.
 */
available_bytes: number, 
/**
 * Swap (page file) size, bytes.
 */
swap_total_bytes: number, 
/**
 * Swap in use, bytes.
 */
swap_used_bytes: number, };

export type DiskInfo = { 
/**
 * Device name.
 */
name: string, 
/**
 * Where it is mounted (a drive letter on Windows).
 */
mount: string, 
/**
 * File system.
 */
fs: string, 
/**
 * Size, bytes.
 */
total_bytes: number, 
/**
 * Free for use, bytes.
 */
available_bytes: number, 
/**
 * A USB stick or similar.
 */
removable: boolean, };

export type NetworkInfo = { 
/**
 * Interface name.
 */
name: string, 
/**
 * Received since the previous look, bytes per second.
 */
rx_bytes_per_sec: number, 
/**
 * Sent since the previous look, bytes per second.
 */
tx_bytes_per_sec: number, 
/**
 * Received since boot, bytes.
 */
rx_total_bytes: number, 
/**
 * Sent since boot, bytes.
 */
tx_total_bytes: number, };

export type SystemOverview = { 
/**
 * When it was read, unix milliseconds.
 */
ts: number, 
/**
 * The machine's name.
 */
hostname: string | null, 
/**
 * Operating system and version.
 */
os: string | null, 
/**
 * Seconds since boot.
 */
uptime_secs: number, 
/**
 * All cores together, percent.
 */
cpu_percent: number, 
/**
 * Per logical core, percent.
 */
cores: Array<number>, 
/**
 * Memory and swap.
 */
memory: MemoryInfo, 
/**
 * Mounted disks.
 */
disks: Array<DiskInfo>, 
/**
 * Network interfaces.
 */
networks: Array<NetworkInfo>, 
/**
 * How many processes run.
 */
process_count: number, 
/**
 * The busiest processes by CPU.
 */
top_cpu: Array<ProcessInfo>, 
/**
 * The largest processes by resident memory.
 */
top_memory: Array<ProcessInfo>, };

export type Usual = { 
/**
 * The median duration, ms.
 */
median_ms: number, 
/**
 * The 95th percentile (nearest rank), ms.
 */
p95_ms: number, 
/**
 * The longest learned run, ms.
 */
longest_ms: number, 
/**
 * A running attempt older than this is unusual (`run_overran`), ms.
 */
warn_after_ms: number, 
/**
 * How many runs it was learned from.
 */
samples: number, };

export type RunPoint = { 
/**
 * The final attempt's run id.
 */
run_id: number, 
/**
 * When it ended, unix ms.
 */
ended_at: number, 
/**
 * How long the final attempt ran, ms (none when it never started).
 */
duration_ms: number | null, 
/**
 * How it ended.
 */
status: RunStatus, 
/**
 * Attempts it took.
 */
attempts: number, 
/**
 * What started its final attempt.
 */
trigger: Trigger, };

export type JobStats = { 
/**
 * The job.
 */
job_id: string, 
/**
 * Start of the counted window, unix ms ([`STATS_DAYS`] back).
 */
since: number, 
/**
 * Runs that succeeded or failed in the window (a run and its retries count once).
 */
runs: number, 
/**
 * Of those, succeeded.
 */
succeeded: number, 
/**
 * Of those, failed or timed out.
 */
failed: number, 
/**
 * `succeeded / runs`; none without runs.
 */
success_rate: number | null, 
/**
 * Its learned duration, once it has enough successful runs.
 */
usual: Usual | null, 
/**
 * Its timeout, ms.
 */
timeout_ms: number | null, 
/**
 * The last finished runs, oldest first.
 */
recent: Array<RunPoint>, 
/**
 * Its next scheduled run, unix ms (none when unscheduled, disabled or paused).
 */
next_run: number | null, };

export type ProgramHealth = "healthy" | "degraded" | "unhealthy" | "unknown";

export type CheckStatus = "ok" | "warning" | "critical" | "unknown";

export type Metric = { 
/**
 * What is measured (`time`, `/`, `procs`).
 */
label: string, 
/**
 * The value, in `unit`.
 */
value: number, 
/**
 * The unit (`s`, `ms`, `%`, `B`, `KB`, `MB`, `c`...), empty for a plain number.
 */
unit: string, 
/**
 * The warning range as the plugin wrote it.
 */
warn?: string, 
/**
 * The critical range as the plugin wrote it.
 */
crit?: string, };

export type CheckAnswer = { 
/**
 * The status.
 */
status: CheckStatus, 
/**
 * One line for a person.
 */
message: string, 
/**
 * Measured values.
 */
metrics: Array<Metric>, 
/**
 * Anything else the plugin returned (Vigil protocol only).
 */
details?: unknown, };

export type CheckResult = { 
/**
 * The answer; an invocation that failed (crash, timeout, garbage) is `unknown` with the
 * failure as its message and `error` set.
 */
answer: CheckAnswer, 
/**
 * Why the plugin failed to answer (its last attempt), if it did.
 */
error?: string, 
/**
 * When it finished (unix ms).
 */
ts: number, 
/**
 * How long the last attempt took.
 */
duration_ms: number, 
/**
 * Attempts made (1 when the first answered).
 */
attempts: number, };

export type CheckRecord = { 
/**
 * Its id in the log.
 */
id: number, 
/**
 * The check.
 */
check_id: number, 
/**
 * When it finished (unix ms).
 */
ts: number, 
/**
 * The status it came to.
 */
status: CheckStatus, 
/**
 * Its message.
 */
message: string, 
/**
 * Why the plugin failed to answer, if it did.
 */
error: string | null, 
/**
 * How long its last attempt took.
 */
duration_ms: number, 
/**
 * Attempts made.
 */
attempts: number, 
/**
 * What it measured.
 */
metrics: Array<Metric>, };

export type MetricSeries = { 
/**
 * The metric's label.
 */
label: string, 
/**
 * Its unit.
 */
unit: string, 
/**
 * Width of a point's bucket (0 for raw values).
 */
resolution_secs: number, 
/**
 * `[ts ms, average, min, max]` per bucket, oldest first.
 */
points: Array<[number, number, number, number]>, };

export type PluginKind = "check" | "action";

export type Protocol = "nagios" | "vigil";

export type PluginCommand = { 
/**
 * On Windows.
 */
windows?: Array<string>, 
/**
 * On Linux and other Unix systems.
 */
unix?: Array<string>, };

export type Manifest = { 
/**
 * Its id: lowercase letters, digits, `-`, `_` and `.`; unique among installed plugins.
 */
name: string, 
/**
 * Its version, as its author writes it.
 */
version: string, 
/**
 * What it does, for people.
 */
description: string, 
/**
 * A check or an action.
 */
kind: PluginKind, 
/**
 * How it answers.
 */
protocol: Protocol, 
/**
 * The command per OS.
 */
command: PluginCommand, 
/**
 * Its typed settings, which the UI shows as a form. With the Nagios protocol each value
 * becomes arguments (`flag value`); with Vigil's the values go in the request's `config`.
 */
config: Array<JobOption>, 
/**
 * How often a check runs unless its check says otherwise (seconds).
 */
interval_secs?: number, 
/**
 * How long one invocation may take before its process tree is killed (seconds).
 */
timeout_secs?: number, };

export type BreakerState = "closed" | "open" | "half_open";

export type PluginInfo = { 
/**
 * Its name (the folder's when the manifest was refused).
 */
name: string, 
/**
 * Its folder.
 */
dir: string, 
/**
 * Its manifest, when it was accepted.
 */
manifest: Manifest | null, 
/**
 * Why it was refused.
 */
error: string | null, 
/**
 * Its breaker.
 */
breaker: BreakerState, 
/**
 * Until when it rests (unix ms).
 */
open_until: number | null, 
/**
 * Failed invocations in a row.
 */
failures: number, 
/**
 * Checks using it.
 */
checks: number, 
/**
 * Actions using it.
 */
actions: number, };

export type Probe = { "type": "plugin", 
/**
 * The plugin's name.
 */
plugin: string, 
/**
 * Its config values (names from its manifest).
 */
config: Record<string, unknown>, } | { "type": "http", 
/**
 * `http://` or `https://` URL.
 */
url: string, 
/**
 * The status expected; any 2xx when not set.
 */
expect_status?: number, 
/**
 * Text the body must contain.
 */
body_contains?: string, 
/**
 * Slower than this is WARNING.
 */
warn_ms?: number, 
/**
 * Slower than this is CRITICAL.
 */
crit_ms?: number, } | { "type": "tcp", 
/**
 * Host name or address.
 */
host: string, 
/**
 * Port.
 */
port: number, 
/**
 * Slower than this is WARNING.
 */
warn_ms?: number, } | { "type": "log_file", 
/**
 * The file.
 */
path: string, 
/**
 * A regular expression.
 */
pattern: string, 
/**
 * What a match means (WARNING or CRITICAL).
 */
status?: CheckStatus, } | { "type": "disk", 
/**
 * A path on the disk.
 */
path: string, 
/**
 * Free percent below which it is WARNING.
 */
warn_free_percent: number, 
/**
 * Free percent below which it is CRITICAL.
 */
crit_free_percent: number, } | { "type": "hung_window", };

export type Check = { 
/**
 * Assigned by the store; ignored when creating.
 */
id?: number, 
/**
 * A name for people, unique.
 */
name: string, 
/**
 * The program whose health it tells; none for a check standing alone.
 */
program_id?: number, 
/**
 * What it runs.
 */
probe: Probe, 
/**
 * Seconds between two runs; the plugin's default (or 60) when not set.
 */
interval_secs?: number, 
/**
 * Seconds one attempt may take; the plugin's default (or 10) when not set.
 */
timeout_secs?: number, 
/**
 * Attempts after a failed one (a crash, a timeout, garbage; never after an answer, not
 * even CRITICAL), with a backoff between them.
 */
retries?: number, 
/**
 * Disabled checks do not run on their interval (run-now still works).
 */
enabled?: boolean, 
/**
 * Restart the (launched) program after this many CRITICAL answers in a row.
 */
restart_after?: number, };

export type CheckView = { 
/**
 * Its definition.
 */
check: Check, 
/**
 * Its latest result.
 */
latest: CheckResult | null, 
/**
 * When it runs next (unix ms); none when disabled.
 */
next_at: number | null, 
/**
 * CRITICAL answers in a row.
 */
criticals_in_a_row: number, };

export type Action = { 
/**
 * Assigned by the store; ignored when creating.
 */
id?: number, 
/**
 * A name for people, unique.
 */
name: string, 
/**
 * The action plugin it runs.
 */
plugin: string, 
/**
 * Its config values.
 */
config: Record<string, unknown>, 
/**
 * Disabled actions do not run.
 */
enabled?: boolean, 
/**
 * The event kinds it runs on (at least one).
 */
kinds: Array<EventKind>, 
/**
 * Only events of these programs (or of the jobs / tags below); all empty means any.
 */
programs?: Array<number>, 
/**
 * Only events of these jobs.
 */
jobs?: Array<string>, 
/**
 * Only events of programs or jobs carrying one of these tags.
 */
tags?: Array<string>, 
/**
 * Seconds one run may take; the plugin's default when not set.
 */
timeout_secs?: number, };

export type ActionRun = { 
/**
 * Its id in the log.
 */
id: number, 
/**
 * The action.
 */
action_id: number, 
/**
 * The event it ran on (none for a run-now test).
 */
event_id: number | null, 
/**
 * When it finished (unix ms).
 */
ts: number, 
/**
 * Whether it worked.
 */
ok: boolean, 
/**
 * What it said, or why it failed.
 */
message: string, 
/**
 * How long it took.
 */
duration_ms: number, };

export type GetStatus = Record<string, never>;

export type GetHealth = Record<string, never>;

export type ListEvents = { 
/**
 * Return events with id greater than this.
 */
since: number, 
/**
 * At most this many (default and cap: 1000).
 */
limit?: number, };

export type ListPrograms = Record<string, never>;

export type ListProgramStatus = Record<string, never>;

export type GetProgram = { 
/**
 * The program's id.
 */
id: number, };

export type UpdateProgram = NewProgram & { id: number };

export type PreviewMatch = { 
/**
 * The rule, as `by` and `value` (for example `by=name&value=node.exe`).
 */
by: string, 
/**
 * The name or command-line text (not for `exe`).
 */
value?: string, 
/**
 * The executable path, for `exe`.
 */
path?: string, };

export type RemoveProgram = { 
/**
 * The program's id.
 */
id: number, };

export type GetProgramStatus = { 
/**
 * The program's id.
 */
id: number, };

export type StartProgram = { 
/**
 * The program's id.
 */
id: number, };

export type StopProgram = { 
/**
 * The program's id.
 */
id: number, 
/**
 * For a watched program, the PIDs to end (required); ignored for a launched one.
 */
pids?: Array<number>, };

export type GetProgramProcesses = { 
/**
 * The program's id.
 */
id: number, };

export type RestartProgram = { 
/**
 * The program's id.
 */
id: number, };

export type GetSamples = { 
/**
 * The program.
 */
id: number, 
/**
 * Range start, unix milliseconds.
 */
from: number, 
/**
 * Range end (exclusive), unix milliseconds.
 */
to: number, 
/**
 * Most buckets wanted (default 500).
 */
points?: number, };

export type ListProgramEvents = { 
/**
 * The program's id.
 */
id: number, 
/**
 * Only events with an id below this (the last id of the previous page).
 */
before?: number, 
/**
 * At most this many (default 100, at most 1,000).
 */
limit?: number, };

export type TailLog = { 
/**
 * The program's id.
 */
id: number, 
/**
 * How many lines (default 200, at most 5,000).
 */
lines?: number, };

export type ListTags = Record<string, never>;

export type GetSystem = Record<string, never>;

export type ListProcesses = { 
/**
 * Only processes whose name, executable or command line holds this (any case), or whose
 * PID it is.
 */
q?: string, 
/**
 * At most this many (default 500, at most 2000).
 */
limit?: number, };

export type GetSettings = Record<string, never>;

export type UpdateSettings = Partial<Omit<Settings, "retention">> & { retention?: Partial<RetentionSettings> };

export type ListJobs = Record<string, never>;

export type CreateJob = Job;

export type GetJobsDashboard = Record<string, never>;

export type ExportJobs = Record<string, never>;

export type ImportJobs = { 
/**
 * The document.
 */
document: unknown, 
/**
 * Replace jobs whose ids exist (otherwise such an id refuses the whole import).
 */
replace?: boolean, };

export type GetJob = { 
/**
 * The job's id.
 */
id: string, };

export type UpdateJob = Job;

export type DeleteJob = { 
/**
 * The job's id.
 */
id: string, };

export type RunJob = { 
/**
 * The job's id.
 */
id: string, 
/**
 * Option values by option name; unset options take their defaults.
 */
options: Record<string, unknown>, };

export type GetJobStats = { 
/**
 * The job's id.
 */
id: string, };

export type ListTriggers = { 
/**
 * The job.
 */
job: string, };

export type CreateTrigger = { 
/**
 * The job it runs.
 */
job: string, 
/**
 * A name for people.
 */
name: string, 
/**
 * Token (default) or HMAC secret.
 */
kind: TriggerKind, };

export type RevokeTrigger = { 
/**
 * The job.
 */
job: string, 
/**
 * The credential.
 */
id: number, };

export type PreviewSchedule = { 
/**
 * Cron expression (5 or 6 fields).
 */
schedule: string, 
/**
 * IANA time zone (default UTC).
 */
timezone?: string, 
/**
 * How many fires (default 5, at most 50).
 */
count?: number, };

export type ListRuns = { 
/**
 * Only this job's runs.
 */
job?: string, 
/**
 * Only runs in this state.
 */
status?: RunStatus, 
/**
 * At most this many (default 50, at most 1,000).
 */
limit?: number, 
/**
 * Only runs older than this id (the last id of the previous page).
 */
before?: number, };

export type GetRun = { 
/**
 * The run's id.
 */
id: number, };

export type GetRunOutput = { 
/**
 * The run's id.
 */
id: number, };

export type CancelRun = { 
/**
 * The run's id.
 */
id: number, };

export type ListEndpoints = Record<string, never>;

export type CreateEndpoint = Endpoint;

export type GetEndpoint = { 
/**
 * Its id.
 */
id: number, };

export type UpdateEndpoint = Endpoint;

export type DeleteEndpoint = { 
/**
 * Its id.
 */
id: number, };

export type TestEndpoint = { 
/**
 * Its id.
 */
id: number, };

export type ListRules = Record<string, never>;

export type CreateRule = Rule;

export type GetRule = { 
/**
 * Its id.
 */
id: number, };

export type UpdateRule = Rule;

export type DeleteRule = { 
/**
 * Its id.
 */
id: number, };

export type ListDeliveries = { 
/**
 * Only in this state.
 */
status?: DeliveryStatus, 
/**
 * Only to this endpoint.
 */
endpoint?: number, 
/**
 * Only ids below this.
 */
before?: number, 
/**
 * At most this many (default 100, at most 1,000).
 */
limit?: number, };

export type ReplayDeliveries = { 
/**
 * Which ones; empty means every dead delivery.
 */
ids: Array<number>, 
/**
 * Only this endpoint's.
 */
endpoint?: number, };

export type GetDelivery = { 
/**
 * Its id.
 */
id: number, };

export type ListPlugins = Record<string, never>;

export type RescanPlugins = Record<string, never>;

export type ListChecks = Record<string, never>;

export type CreateCheck = Check;

export type GetCheck = { 
/**
 * Its id.
 */
id: number, };

export type UpdateCheck = Check;

export type DeleteCheck = { 
/**
 * Its id.
 */
id: number, };

export type RunCheck = { 
/**
 * Its id.
 */
id: number, };

export type ListCheckHistory = { 
/**
 * The check.
 */
id: number, 
/**
 * Only rows before this id (the next page).
 */
before?: number, 
/**
 * Most rows (default 100, at most 1000).
 */
limit?: number, };

export type GetCheckMetrics = { 
/**
 * The check.
 */
id: number, 
/**
 * Start, unix ms.
 */
from?: number, 
/**
 * End, unix ms (now by default).
 */
to?: number, };

export type ListActions = Record<string, never>;

export type CreateAction = Action;

export type UpdateAction = Action;

export type DeleteAction = { 
/**
 * Its id.
 */
id: number, };

export type RunAction = { 
/**
 * Its id.
 */
id: number, };

export type ListActionRuns = { 
/**
 * The action.
 */
id: number, 
/**
 * Most rows (default 100, at most 1000).
 */
limit?: number, };
