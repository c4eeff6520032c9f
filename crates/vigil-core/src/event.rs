use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{JobId, ProgramId};

/// What happened. New kinds are added as capabilities land; clients must ignore kinds they do
/// not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The engine finished starting and is serving.
    EngineStarted,
    /// The engine is stopping on request; the last event of a clean run.
    EngineStopped,
    /// A program was registered.
    ProgramAdded,
    /// A program was unregistered.
    ProgramRemoved,
    /// A registered program's definition was changed (same id, same history).
    ProgramChanged,
    /// A program's first process appeared (launched by Vigil or found running).
    ProgramStarted,
    /// A program's last process went away without failing (a clean exit or a requested stop).
    ProgramStopped,
    /// A program's process ended with a failure: a failing exit code, an NTSTATUS, a signal.
    ProgramCrashed,
    /// Vigil restarted a program by its restart policy (or on request).
    ProgramRestarted,
    /// A program's main process is now a different one (pid, start time).
    ProgramPidChanged,
    /// Vigil could not launch a program (missing file, permission denied...).
    ProgramStartFailed,
    /// Crash loop: restarts stopped and the program is marked errored.
    RestartGivenUp,
    /// CPU or memory stayed over a limit for the sustain time.
    ThresholdExceeded,
    /// A value that exceeded its limit is back under it.
    ThresholdRecovered,
    /// A job was created or changed.
    JobSaved,
    /// A job was deleted (its runs stay in the history).
    JobRemoved,
    /// A run's process started.
    RunStarted,
    /// A run exited with code 0.
    RunSucceeded,
    /// A run failed (exit code, or it could not start).
    RunFailed,
    /// A run was killed at its timeout.
    RunTimedOut,
    /// A run was cancelled.
    RunCancelled,
    /// A run was skipped (overlap, failed dependency).
    RunSkipped,
    /// Vigil stopped while a run was going.
    RunInterrupted,
    /// A run has taken longer than is usual for its job (past its learned spread).
    RunOverran,
    /// An attempt of a run failed and a retry follows (the run is not over).
    RunRetrying,
    /// A webhook delivery failed every attempt and waits for a replay.
    DeliveryDeadLettered,
    /// An endpoint kept failing; Vigil stopped sending to it for a while (circuit open).
    EndpointFailing,
    /// An endpoint that was failing accepted a delivery again.
    EndpointRecovered,
    /// Engine settings were changed.
    SettingsChanged,
    /// A check answered OK again after another status.
    CheckRecovered,
    /// A check's answer changed to WARNING.
    CheckWarning,
    /// A check's answer changed to CRITICAL.
    CheckCritical,
    /// A check's answer changed to UNKNOWN (or its plugin failed to answer).
    CheckUnknown,
    /// A plugin kept failing (crashes, timeouts, garbage); Vigil rests it for a while.
    PluginBreakerOpened,
    /// A resting plugin answered its trial and runs again.
    PluginBreakerClosed,
    /// An action plugin ran on an event and failed.
    ActionFailed,
}

impl EventKind {
    /// The stable name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EngineStarted => "engine_started",
            Self::EngineStopped => "engine_stopped",
            Self::ProgramAdded => "program_added",
            Self::ProgramRemoved => "program_removed",
            Self::ProgramStarted => "program_started",
            Self::ProgramStopped => "program_stopped",
            Self::ProgramCrashed => "program_crashed",
            Self::ProgramRestarted => "program_restarted",
            Self::ProgramPidChanged => "program_pid_changed",
            Self::ProgramStartFailed => "program_start_failed",
            Self::RestartGivenUp => "restart_given_up",
            Self::ThresholdExceeded => "threshold_exceeded",
            Self::ThresholdRecovered => "threshold_recovered",
            Self::JobSaved => "job_saved",
            Self::JobRemoved => "job_removed",
            Self::RunStarted => "run_started",
            Self::RunSucceeded => "run_succeeded",
            Self::RunFailed => "run_failed",
            Self::RunTimedOut => "run_timed_out",
            Self::RunCancelled => "run_cancelled",
            Self::RunSkipped => "run_skipped",
            Self::RunInterrupted => "run_interrupted",
            Self::RunOverran => "run_overran",
            Self::RunRetrying => "run_retrying",
            Self::DeliveryDeadLettered => "delivery_dead_lettered",
            Self::EndpointFailing => "endpoint_failing",
            Self::EndpointRecovered => "endpoint_recovered",
            Self::SettingsChanged => "settings_changed",
            Self::ProgramChanged => "program_changed",
            Self::CheckRecovered => "check_recovered",
            Self::CheckWarning => "check_warning",
            Self::CheckCritical => "check_critical",
            Self::CheckUnknown => "check_unknown",
            Self::PluginBreakerOpened => "plugin_breaker_opened",
            Self::PluginBreakerClosed => "plugin_breaker_closed",
            Self::ActionFailed => "action_failed",
        }
    }

    /// Every kind, for parsing and exhaustive tests.
    pub const ALL: [Self; 36] = [
        Self::EngineStarted,
        Self::EngineStopped,
        Self::ProgramAdded,
        Self::ProgramRemoved,
        Self::ProgramStarted,
        Self::ProgramStopped,
        Self::ProgramCrashed,
        Self::ProgramRestarted,
        Self::ProgramPidChanged,
        Self::ProgramStartFailed,
        Self::RestartGivenUp,
        Self::ThresholdExceeded,
        Self::ThresholdRecovered,
        Self::JobSaved,
        Self::JobRemoved,
        Self::RunStarted,
        Self::RunSucceeded,
        Self::RunFailed,
        Self::RunTimedOut,
        Self::RunCancelled,
        Self::RunSkipped,
        Self::RunInterrupted,
        Self::RunOverran,
        Self::RunRetrying,
        Self::DeliveryDeadLettered,
        Self::EndpointFailing,
        Self::EndpointRecovered,
        Self::SettingsChanged,
        Self::ProgramChanged,
        Self::CheckRecovered,
        Self::CheckWarning,
        Self::CheckCritical,
        Self::CheckUnknown,
        Self::PluginBreakerOpened,
        Self::PluginBreakerClosed,
        Self::ActionFailed,
    ];

    /// Parses a stored name; `None` for a kind written by a newer binary.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An event before it is persisted: it has no id until the store commits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// When it happened, in unix milliseconds (passed in; core reads no clock).
    pub ts: i64,
    /// What happened.
    pub kind: EventKind,
    /// The program it concerns, if any. Not a foreign key: events outlive their program.
    pub program_id: Option<ProgramId>,
    /// The job it concerns, if any.
    pub job_id: Option<JobId>,
    /// A sentence for a person.
    pub message: String,
    /// Longer text, such as the last lines a crashed program printed.
    pub detail: Option<String>,
}

/// A committed event. Ids are assigned by the store, strictly increasing, never reused, so a
/// listener can resume with `since=<last id seen>` and miss nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Event {
    /// Monotonic id, the resume cursor.
    #[ts(type = "number")]
    pub id: i64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub ts: i64,
    /// What happened.
    pub kind: EventKind,
    /// The program it concerns, if any.
    #[ts(type = "number | null")]
    pub program_id: Option<ProgramId>,
    /// The job it concerns, if any.
    pub job_id: Option<JobId>,
    /// A sentence for a person.
    pub message: String,
    /// Longer text, such as the last lines a crashed program printed.
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_match_serde() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", kind.as_str()),
                "the stored name and the wire name must be the same string"
            );
        }
        assert_eq!(EventKind::parse("from_the_future"), None);
    }
}
