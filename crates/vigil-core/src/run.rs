//! Runs: one execution of a job, as recorded.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ExitStatus, JobId, RetryOn};

/// A run's id: assigned by the store, increasing.
pub type RunId = i64;

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A person, from the UI, the API or the CLI.
    Manual,
    /// The job's schedule.
    Schedule,
    /// Another job that depends on this one.
    Dependency,
    /// Another job's `on_success` / `on_failure`.
    Chain,
    /// A retry of a failed attempt.
    Retry,
    /// An incoming webhook.
    Webhook,
}

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Waiting for a slot (concurrency limit, overlap queue, dependencies).
    Queued,
    /// Its process is running.
    Running,
    /// Exited with code 0.
    Succeeded,
    /// Exited with another code, or could not start.
    Failed,
    /// Killed at its timeout.
    TimedOut,
    /// Cancelled by a person (or replaced by a newer run).
    Cancelled,
    /// Not run (overlap policy, a failed dependency, a missed fire).
    Skipped,
    /// Vigil stopped or crashed while it ran.
    Interrupted,
}

impl RunStatus {
    /// The stable name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
            Self::Interrupted => "interrupted",
        }
    }

    /// Every status.
    pub const ALL: [Self; 8] = [
        Self::Queued,
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::TimedOut,
        Self::Cancelled,
        Self::Skipped,
        Self::Interrupted,
    ];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the run is over.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }
}

impl Trigger {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Schedule => "schedule",
            Self::Dependency => "dependency",
            Self::Chain => "chain",
            Self::Retry => "retry",
            Self::Webhook => "webhook",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Manual,
            Self::Schedule,
            Self::Dependency,
            Self::Chain,
            Self::Retry,
            Self::Webhook,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Run {
    /// Store-assigned id.
    #[ts(type = "number")]
    pub id: RunId,
    /// The job it ran.
    pub job_id: JobId,
    /// What started it.
    pub trigger: Trigger,
    /// Where it is.
    pub status: RunStatus,
    /// 1 for the first attempt, 2 for the first retry...
    pub attempt: u32,
    /// Option values it was started with.
    #[ts(type = "Record<string, unknown>")]
    pub options: serde_json::Value,
    /// The exact argv (after the command).
    pub argv: Vec<String>,
    /// When it was asked for, unix ms.
    #[ts(type = "number")]
    pub queued_at: i64,
    /// When its process started, unix ms.
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    /// When it ended, unix ms.
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// Exit code, when it exited.
    #[ts(type = "number | null")]
    pub exit_code: Option<i64>,
    /// Its process while it runs (with `pid_start`, the identity that survives PID reuse).
    pub pid: Option<u32>,
    /// The process start time, unix seconds.
    #[ts(type = "number | null")]
    pub pid_start: Option<i64>,
    /// Why it failed or was skipped, in words.
    pub error: Option<String>,
    /// This attempt failed and a retry followed: it is not the final word of its run (counts
    /// and notifications look at the final attempt only).
    #[serde(default)]
    pub retried: bool,
}

impl Run {
    /// A run about to be recorded as queued (the store assigns its id).
    pub fn queued(
        job_id: JobId,
        trigger: Trigger,
        options: serde_json::Value,
        argv: Vec<String>,
        attempt: u32,
        queued_at: i64,
    ) -> Self {
        Self {
            id: 0,
            job_id,
            trigger,
            status: RunStatus::Queued,
            attempt,
            options,
            argv,
            queued_at,
            started_at: None,
            ended_at: None,
            exit_code: None,
            pid: None,
            pid_start: None,
            error: None,
            retried: false,
        }
    }

    /// How long it ran, milliseconds.
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.ended_at? - self.started_at?)
    }
}

/// How one attempt of a run ended, as the runner saw it. The runner decides this once, where it
/// knows it (the exit of the process, a failed spawn, the timer, a cancel); the status, the
/// retry kind, the exit code and the words recorded all derive from it here, in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The process ran and ended (a code, a signal, or gone without a known status).
    Exited(ExitStatus),
    /// The command could not be started; why.
    StartFailed(String),
    /// Killed at its timeout of this many seconds.
    TimedOut(u64),
    /// Cancelled by a person or replaced by a newer run; when.
    Cancelled(String),
    /// Vigil stopped while it ran or waited.
    Interrupted,
    /// Not run; why (overlap policy, a failed dependency).
    Skipped(String),
}

impl Outcome {
    /// The status recorded for the run.
    pub fn status(&self) -> RunStatus {
        match self {
            Self::Exited(ExitStatus::Code(0)) => RunStatus::Succeeded,
            Self::Exited(_) | Self::StartFailed(_) => RunStatus::Failed,
            Self::TimedOut(_) => RunStatus::TimedOut,
            Self::Cancelled(_) => RunStatus::Cancelled,
            Self::Interrupted => RunStatus::Interrupted,
            Self::Skipped(_) => RunStatus::Skipped,
        }
    }

    /// Which `retry_on` kind this outcome is, if a retry policy may retry it at all.
    pub fn retry_kind(&self) -> Option<RetryOn> {
        match self {
            Self::Exited(ExitStatus::Code(0)) => None,
            Self::Exited(_) => Some(RetryOn::Failure),
            Self::StartFailed(_) => Some(RetryOn::StartError),
            Self::TimedOut(_) => Some(RetryOn::Timeout),
            Self::Cancelled(_) | Self::Interrupted | Self::Skipped(_) => None,
        }
    }

    /// The exit code recorded, when the process returned one.
    pub fn exit_code(&self) -> Option<i64> {
        match self {
            Self::Exited(ExitStatus::Code(c)) => Some(*c),
            _ => None,
        }
    }

    /// Why it did not succeed, in words (none for a success).
    pub fn error(&self) -> Option<String> {
        match self {
            Self::Exited(ExitStatus::Code(0)) => None,
            Self::Exited(exit) => Some(exit.describe()),
            Self::StartFailed(why) | Self::Cancelled(why) | Self::Skipped(why) => Some(why.clone()),
            Self::TimedOut(secs) => Some(format!("killed after its {secs} s timeout")),
            Self::Interrupted => Some("Vigil stopped while it ran".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_one_status_and_retry_kind() {
        let cases = [
            (
                Outcome::Exited(ExitStatus::Code(0)),
                RunStatus::Succeeded,
                None,
            ),
            (
                Outcome::Exited(ExitStatus::Code(1)),
                RunStatus::Failed,
                Some(RetryOn::Failure),
            ),
            (
                Outcome::Exited(ExitStatus::Signal(9)),
                RunStatus::Failed,
                Some(RetryOn::Failure),
            ),
            (
                Outcome::Exited(ExitStatus::Unknown),
                RunStatus::Failed,
                Some(RetryOn::Failure),
            ),
            (
                Outcome::StartFailed("x".into()),
                RunStatus::Failed,
                Some(RetryOn::StartError),
            ),
            (
                Outcome::TimedOut(3),
                RunStatus::TimedOut,
                Some(RetryOn::Timeout),
            ),
            (Outcome::Cancelled("x".into()), RunStatus::Cancelled, None),
            (Outcome::Interrupted, RunStatus::Interrupted, None),
            (Outcome::Skipped("x".into()), RunStatus::Skipped, None),
        ];
        for (outcome, status, retry) in cases {
            assert_eq!(outcome.status(), status, "{outcome:?}");
            assert_eq!(outcome.retry_kind(), retry, "{outcome:?}");
            assert_eq!(
                outcome.error().is_none(),
                status == RunStatus::Succeeded,
                "{outcome:?}"
            );
            assert!(
                status.is_final(),
                "an outcome always ends the run: {outcome:?}"
            );
        }
        assert_eq!(Outcome::Exited(ExitStatus::Code(3)).exit_code(), Some(3));
        assert_eq!(Outcome::StartFailed("x".into()).exit_code(), None);
    }
}
