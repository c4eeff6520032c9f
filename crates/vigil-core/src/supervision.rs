//! The rules of keeping a program alive: when to restart, how long to wait, when to give up,
//! and what an exit code means. Pure functions of their inputs; the supervisor supplies time.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// When Vigil restarts a program it launched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RestartMode {
    /// Never restart; an exit is final.
    Never,
    /// Restart when the exit counts as a failure (a code outside `success_codes`, or a signal).
    #[default]
    OnFailure,
    /// Restart after any exit that Vigil did not ask for.
    Always,
}

/// How a launched program is kept alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct RestartPolicy {
    /// When to restart.
    pub mode: RestartMode,
    /// Exit codes that count as success (default: 0).
    #[ts(type = "Array<number>")]
    pub success_codes: Vec<i64>,
    /// First restart delay, milliseconds; doubled on each consecutive restart.
    #[ts(type = "number")]
    pub backoff_initial_ms: u64,
    /// Longest restart delay, milliseconds.
    #[ts(type = "number")]
    pub backoff_max_ms: u64,
    /// After this long up, the program counts as healthy and the backoff starts over.
    #[ts(type = "number")]
    pub reset_after_secs: u64,
    /// Crash-loop limit: at most this many restarts within `window_secs`, then give up.
    pub max_restarts: u32,
    /// The crash-loop window, seconds.
    #[ts(type = "number")]
    pub window_secs: u64,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            mode: RestartMode::OnFailure,
            success_codes: vec![0],
            backoff_initial_ms: 1_000,
            backoff_max_ms: 60_000,
            reset_after_secs: 60,
            max_restarts: 5,
            window_secs: 300,
        }
    }
}

impl RestartPolicy {
    /// Checks the numbers make sense together.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.backoff_initial_ms == 0 || self.backoff_max_ms < self.backoff_initial_ms {
            return Err(ApiError::invalid_field(
                "restart.backoff_initial_ms",
                "restart.backoff_initial_ms must be at least 1 and at most backoff_max_ms",
            ));
        }
        if self.max_restarts == 0 || self.window_secs == 0 {
            return Err(ApiError::invalid_field(
                "restart.max_restarts",
                "restart.max_restarts and restart.window_secs must be at least 1",
            ));
        }
        Ok(())
    }

    /// Whether this exit should lead to a restart (before crash-loop and backoff rules).
    pub fn wants_restart(&self, exit: &ExitStatus) -> bool {
        match self.mode {
            RestartMode::Never => false,
            RestartMode::Always => true,
            RestartMode::OnFailure => exit.is_failure(&self.success_codes),
        }
    }

    /// The delay before restart number `consecutive` (0-based): initial * 2^n, capped.
    pub fn backoff_ms(&self, consecutive: u32) -> u64 {
        let factor = 1u64.checked_shl(consecutive.min(63)).unwrap_or(u64::MAX);
        self.backoff_initial_ms
            .saturating_mul(factor)
            .min(self.backoff_max_ms)
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum ExitStatus {
    /// It returned an exit code (on Windows, possibly an NTSTATUS such as 0xC0000005).
    Code(#[ts(type = "number")] i64),
    /// It was ended by a Unix signal.
    Signal(i32),
    /// It is gone, but how it ended is unknown (a process Vigil only watched).
    Unknown,
    /// A process Vigil kept running across a quit (it is not this Vigil's child) is gone
    /// without being asked to stop: its exit code cannot be read, so it counts as a failure
    /// (restarted under `on_failure`, reported as a crash) rather than be silently lost.
    Vanished,
}

impl ExitStatus {
    /// Whether this counts as a failure given the codes that mean success.
    pub fn is_failure(&self, success_codes: &[i64]) -> bool {
        match self {
            Self::Code(c) => !success_codes.contains(c),
            Self::Signal(_) => true,
            Self::Unknown => false,
            Self::Vanished => true,
        }
    }

    /// A few words a person can act on: "exited with code 3", "access violation (0xC0000005)".
    pub fn describe(&self) -> String {
        match *self {
            Self::Code(code) => match ntstatus_name(code) {
                Some(name) => format!("{name} (0x{:08X})", code as u32),
                None => format!("exited with code {code}"),
            },
            Self::Signal(sig) => match signal_name(sig) {
                Some(name) => format!("killed by signal {sig} ({name})"),
                None => format!("killed by signal {sig}"),
            },
            Self::Unknown => "exited".to_owned(),
            Self::Vanished => "ended unexpectedly (its exit code cannot be read: it was left \
                               running by an earlier Vigil)"
                .to_owned(),
        }
    }
}

/// Names of the NTSTATUS codes a crashing Windows program most often exits with. Exit codes
/// arrive as i32 from Windows and may be sign-extended, so both forms are matched.
fn ntstatus_name(code: i64) -> Option<&'static str> {
    let code = code as u32;
    Some(match code {
        0xC000_0005 => "access violation",
        0xC000_001D => "illegal instruction",
        0xC000_0017 => "out of memory",
        0xC000_008E..=0xC000_0093 => "floating-point fault",
        0xC000_0094 => "integer division by zero",
        0xC000_0095 => "integer overflow",
        0xC000_00FD => "stack overflow",
        0xC000_0135 => "a required DLL was not found",
        0xC000_0139 => "an entry point was not found in a DLL",
        0xC000_0142 => "a DLL failed to initialise",
        0xC000_013A => "ended by Ctrl-C",
        0xC000_0409 => "stack buffer overrun (fail-fast)",
        0xC000_0374 => "heap corruption",
        0xC000_0602 => "unhandled exception (fail-fast)",
        0x4001_0004 => "terminated by a debugger",
        0xE043_4352 | 0xE043_4F4D => "unhandled .NET exception",
        0xE06D_7363 => "unhandled C++ exception",
        _ => return None,
    })
}

fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// Decides, restart by restart, whether a launched program may be restarted again.
///
/// It remembers when recent restarts happened; more than `max_restarts` within `window_secs`
/// is a crash loop and the answer becomes [`RestartDecision::GiveUp`]. A run that stayed up
/// `reset_after_secs` resets the backoff.
#[derive(Debug, Clone, Default)]
pub struct RestartTracker {
    recent: Vec<i64>,
    consecutive: u32,
}

/// What to do after an exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartDecision {
    /// The policy does not restart after this exit.
    Stay,
    /// Restart after this many milliseconds.
    RestartAfter(u64),
    /// A crash loop: stop trying and mark the program errored.
    GiveUp {
        /// Restarts counted within the window.
        restarts: u32,
    },
}

impl RestartTracker {
    /// Decides after an exit at `now_ms` of a run that had been up `uptime_ms`.
    pub fn on_exit(
        &mut self,
        policy: &RestartPolicy,
        exit: &ExitStatus,
        now_ms: i64,
        uptime_ms: u64,
    ) -> RestartDecision {
        if !policy.wants_restart(exit) {
            return RestartDecision::Stay;
        }
        if uptime_ms >= policy.reset_after_secs.saturating_mul(1000) {
            self.consecutive = 0;
        }
        let window_ms = i64::try_from(policy.window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.recent
            .retain(|&t| now_ms.saturating_sub(t) < window_ms);
        if self.recent.len() >= policy.max_restarts as usize {
            return RestartDecision::GiveUp {
                restarts: self.recent.len() as u32,
            };
        }
        let delay = policy.backoff_ms(self.consecutive);
        self.consecutive = self.consecutive.saturating_add(1);
        self.recent.push(now_ms);
        RestartDecision::RestartAfter(delay)
    }

    /// Forgets history, for a manual start after giving up.
    pub fn reset(&mut self) {
        self.recent.clear();
        self.consecutive = 0;
    }
}

/// A threshold on one measure (CPU % or memory), sustained for a duration before it counts.
#[derive(Debug, Clone, Default)]
pub struct ThresholdWatch {
    above_since: Option<i64>,
    raised: bool,
}

/// A change of a threshold's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdChange {
    /// The value stayed above the limit for the whole sustain time.
    Exceeded,
    /// The value is back under the limit after an `Exceeded`.
    Recovered,
}

impl ThresholdWatch {
    /// Feeds one observation; returns a change when the state flips.
    pub fn observe(
        &mut self,
        now_ms: i64,
        value: f64,
        limit: f64,
        sustain_ms: i64,
    ) -> Option<ThresholdChange> {
        if value > limit {
            let since = *self.above_since.get_or_insert(now_ms);
            if !self.raised && now_ms - since >= sustain_ms {
                self.raised = true;
                return Some(ThresholdChange::Exceeded);
            }
            None
        } else {
            self.above_since = None;
            if self.raised {
                self.raised = false;
                return Some(ThresholdChange::Recovered);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_failure_restarts_only_failures() {
        let p = RestartPolicy {
            success_codes: vec![0, 3],
            ..RestartPolicy::default()
        };
        assert!(!p.wants_restart(&ExitStatus::Code(0)));
        assert!(
            !p.wants_restart(&ExitStatus::Code(3)),
            "3 was declared a success"
        );
        assert!(p.wants_restart(&ExitStatus::Code(1)));
        assert!(p.wants_restart(&ExitStatus::Signal(9)));
        let never = RestartPolicy {
            mode: RestartMode::Never,
            ..p.clone()
        };
        assert!(!never.wants_restart(&ExitStatus::Code(1)));
        let always = RestartPolicy {
            mode: RestartMode::Always,
            ..p
        };
        assert!(always.wants_restart(&ExitStatus::Code(0)));
    }

    #[test]
    fn backoff_doubles_and_caps_without_overflow() {
        let p = RestartPolicy {
            backoff_initial_ms: 100,
            backoff_max_ms: 1_000,
            ..RestartPolicy::default()
        };
        let delays: Vec<u64> = (0..6).map(|n| p.backoff_ms(n)).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(
            p.backoff_ms(u32::MAX),
            1_000,
            "huge attempt counts must not overflow"
        );
    }

    #[test]
    fn crash_loop_gives_up_and_healthy_uptime_resets_backoff() {
        let p = RestartPolicy {
            backoff_initial_ms: 100,
            backoff_max_ms: 10_000,
            max_restarts: 3,
            window_secs: 60,
            reset_after_secs: 30,
            ..RestartPolicy::default()
        };
        let crash = ExitStatus::Code(1);
        let mut t = RestartTracker::default();
        assert_eq!(
            t.on_exit(&p, &crash, 0, 10),
            RestartDecision::RestartAfter(100)
        );
        assert_eq!(
            t.on_exit(&p, &crash, 1_000, 10),
            RestartDecision::RestartAfter(200)
        );
        assert_eq!(
            t.on_exit(&p, &crash, 2_000, 10),
            RestartDecision::RestartAfter(400)
        );
        assert_eq!(
            t.on_exit(&p, &crash, 3_000, 10),
            RestartDecision::GiveUp { restarts: 3 },
            "a fourth crash inside the window is a loop"
        );
        // Long after the window, with a healthy run, it starts over from the initial delay.
        let mut t = RestartTracker::default();
        t.on_exit(&p, &crash, 0, 10);
        t.on_exit(&p, &crash, 1_000, 10);
        assert_eq!(
            t.on_exit(&p, &crash, 500_000, 40_000),
            RestartDecision::RestartAfter(100),
            "a run that stayed up past reset_after resets the backoff"
        );
        assert_eq!(
            t.on_exit(&p, &ExitStatus::Code(0), 600_000, 10),
            RestartDecision::Stay
        );
    }

    #[test]
    fn exits_are_described_in_words() {
        assert_eq!(ExitStatus::Code(3).describe(), "exited with code 3");
        assert_eq!(
            ExitStatus::Code(0xC000_0005).describe(),
            "access violation (0xC0000005)"
        );
        assert_eq!(
            ExitStatus::Code(-1_073_741_819).describe(),
            "access violation (0xC0000005)",
            "a sign-extended NTSTATUS is still recognised"
        );
        assert_eq!(
            ExitStatus::Code(0xC000_00FD).describe(),
            "stack overflow (0xC00000FD)"
        );
        assert_eq!(
            ExitStatus::Signal(9).describe(),
            "killed by signal 9 (SIGKILL)"
        );
    }

    #[test]
    fn threshold_needs_sustain_and_reports_recovery_once() {
        let mut w = ThresholdWatch::default();
        assert_eq!(w.observe(0, 95.0, 90.0, 3_000), None);
        assert_eq!(
            w.observe(2_000, 95.0, 90.0, 3_000),
            None,
            "not yet sustained"
        );
        assert_eq!(
            w.observe(3_000, 99.0, 90.0, 3_000),
            Some(ThresholdChange::Exceeded)
        );
        assert_eq!(
            w.observe(4_000, 99.0, 90.0, 3_000),
            None,
            "raised once, not every sweep"
        );
        assert_eq!(
            w.observe(5_000, 10.0, 90.0, 3_000),
            Some(ThresholdChange::Recovered)
        );
        assert_eq!(w.observe(6_000, 10.0, 90.0, 3_000), None);
        // A dip resets the sustain clock.
        assert_eq!(w.observe(7_000, 95.0, 90.0, 3_000), None);
        assert_eq!(w.observe(8_000, 50.0, 90.0, 3_000), None);
        assert_eq!(w.observe(10_500, 95.0, 90.0, 3_000), None);
    }

    #[test]
    fn inconsistent_policies_are_refused() {
        let bad = RestartPolicy {
            backoff_initial_ms: 0,
            ..RestartPolicy::default()
        };
        assert!(bad.validate().is_err());
        let bad = RestartPolicy {
            backoff_max_ms: 10,
            backoff_initial_ms: 100,
            ..RestartPolicy::default()
        };
        assert!(bad.validate().is_err());
        let bad = RestartPolicy {
            max_restarts: 0,
            ..RestartPolicy::default()
        };
        assert!(bad.validate().is_err());
        assert!(RestartPolicy::default().validate().is_ok());
    }
}
