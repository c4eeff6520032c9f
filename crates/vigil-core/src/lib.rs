//! Vigil's domain types and the pure rules over them.
//!
//! Architecture Invariant: this crate does no I/O, starts no tasks and reads no clock. Every
//! front end (desktop, daemon, CLI, tests) agrees on these types, and the TypeScript bindings the
//! UI compiles against are generated from them, so a change here is a change of the wire format.

mod error;
mod event;
mod job;
mod notify;
mod plugin;
mod program;
mod run;
mod settings;
mod supervision;
pub mod sync;
pub mod template;

pub use error::{ApiError, ErrorCode};
pub use event::{Event, EventKind, NewEvent};
pub use job::{
    Backoff, CMD_METACHARACTERS, ExecutionPolicy, Job, JobId, JobOption, LEARN_FROM, MAX_JOB_ID,
    MIN_SAMPLES, Missed, OptionKind, Overlap, RetryOn, Usual, check_graph, next_fires, parse_cron,
    parse_schedule, parse_tz, plan, resolve_template, utc_ms,
};
pub use notify::{
    Attempt, BREAKER_COOLDOWN_MS, BREAKER_THRESHOLD, Breaker, BreakerChange, Channel, Delivery,
    DeliveryId, DeliveryStatus, EmailSettings, EmailTls, Endpoint, EndpointId, Header,
    MAX_RETRY_DELAY_MS, Method, Notice, Preset, Rule, RuleId, SECRET_MASK, TriggerCredential,
    TriggerKind, fill_template, hash_token, retry_delay_ms, sign, verify_signature,
};
pub use plugin::{
    Action, ActionId, ActionRun, Check, CheckAnswer, CheckId, CheckRecord, CheckResult,
    CheckStatus, MAX_CHECK_RETRIES, MAX_METRICS, MAX_PLUGIN_SECS, Manifest, Metric, MetricSeries,
    PluginCommand, PluginKind, Probe, ProgramHealth, Protocol, health_of, parse_nagios,
    parse_perfdata, parse_vigil_result, plugin_name_ok,
};
pub use program::{
    Limits, MAX_ARGS, MAX_NAME_LEN, MAX_TAGS, MatchRule, NewProgram, Program, ProgramId,
    needs_restart, program_changes,
};
pub use run::{Outcome, Run, RunId, RunStatus, Trigger};
pub use settings::{DEFAULT_PORT, MAX_FAVOURITE_JOBS, RESTART_NEEDED, RetentionSettings, Settings};
pub use supervision::{
    ExitStatus, RestartDecision, RestartMode, RestartPolicy, RestartTracker, ThresholdChange,
    ThresholdWatch,
};
