//! How a job's runs behave: timeout, retries and their backoff, overlap, missed fires.

#[allow(unused_imports)]
use super::*;

/// How retry delays grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay every time.
    #[default]
    Fixed,
    /// delay x attempt.
    Linear,
    /// delay x 2^(attempt-1).
    Exponential,
}

/// Which failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RetryOn {
    /// The run passed its timeout.
    Timeout,
    /// The run exited with a non-zero code.
    Failure,
    /// The command could not be started.
    StartError,
}

/// Timeouts and retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutionPolicy {
    /// Kill the run's process tree after this many seconds.
    #[ts(type = "number | null")]
    pub timeout_secs: Option<u64>,
    /// Extra attempts after a failure of a kind in `retry_on`.
    pub retries: u32,
    /// Base delay between attempts, milliseconds.
    #[ts(type = "number")]
    pub retry_delay_ms: u64,
    /// How the delay grows.
    pub backoff: Backoff,
    /// Which failures are retried (default: all).
    pub retry_on: Vec<RetryOn>,
    /// A command (argv) run before each retry, to repair what failed.
    pub fix_command: Option<Vec<String>>,
}

impl Default for ExecutionPolicy {
    fn default() -> Self {
        Self {
            timeout_secs: None,
            retries: 0,
            retry_delay_ms: 1_000,
            backoff: Backoff::Fixed,
            retry_on: vec![RetryOn::Timeout, RetryOn::Failure, RetryOn::StartError],
            fix_command: None,
        }
    }
}

impl ExecutionPolicy {
    /// The delay before attempt `attempt` (2 is the first retry), milliseconds, capped at an hour.
    pub fn retry_delay(&self, attempt: u32) -> u64 {
        let n = u64::from(attempt.saturating_sub(1).max(1));
        let delay = match self.backoff {
            Backoff::Fixed => self.retry_delay_ms,
            Backoff::Linear => self.retry_delay_ms.saturating_mul(n),
            Backoff::Exponential => self
                .retry_delay_ms
                .saturating_mul(1u64.checked_shl((n - 1).min(40) as u32).unwrap_or(u64::MAX)),
        };
        delay.min(3_600_000)
    }
}

/// What happens when a schedule fires while the previous run still goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Overlap {
    /// Skip this fire (recorded as a skipped run).
    #[default]
    Skip,
    /// Run after the current one ends.
    Queue,
    /// Run alongside it.
    Parallel,
    /// Cancel the current run and start this one.
    Replace,
}

/// What happens to fires missed while Vigil was not running (or the PC slept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Missed {
    /// Forget them.
    #[default]
    Skip,
    /// Run once on start for all of them.
    RunOnce,
}
