use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::ApiError;

use crate::{Engine, Request};

/// Asks how the engine is doing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct GetStatus {}

/// The engine's health at a glance, for a dashboard header or `vigil status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Status {
    /// Vigil's version.
    pub version: String,
    /// When the engine started, unix milliseconds.
    #[ts(type = "number")]
    pub started_at: i64,
    /// Seconds since start, by the monotonic clock (immune to clock changes).
    #[ts(type = "number")]
    pub uptime_secs: u64,
    /// Registered programs.
    #[ts(type = "number")]
    pub programs: i64,
    /// The newest event id: a client that saw it is up to date.
    #[ts(type = "number")]
    pub last_event_id: i64,
}

impl Request for GetStatus {
    type Response = Status;

    async fn handle(self, engine: &Engine) -> Result<Status, ApiError> {
        let (programs, last_event_id) = engine
            .read(|c| {
                Ok((
                    vigil_store::program_count(c)?,
                    vigil_store::last_event_id(c)?,
                ))
            })
            .await?;
        Ok(Status {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: engine.started_at(),
            uptime_secs: engine.uptime_secs(),
            programs,
            last_event_id,
        })
    }
}

/// Asks for the overall state the tray shows.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct GetHealth {}

/// All well, something to look at, or something broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    /// Nothing needs a person.
    Ok,
    /// Something may need a look: a program waiting to restart, dead-lettered deliveries, an
    /// endpoint that keeps failing.
    Warning,
    /// Something is broken: a program Vigil gave up on, a job whose last run failed.
    Failing,
}

/// The overall state with the counts behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Health {
    /// The overall level.
    pub level: HealthLevel,
    /// Programs running now.
    pub programs_running: u32,
    /// Programs stopped.
    pub programs_stopped: u32,
    /// Programs waiting for a restart.
    pub programs_waiting: u32,
    /// Programs Vigil gave up on.
    pub programs_errored: u32,
    /// Runs going now.
    pub runs_running: u32,
    /// Jobs whose latest run failed.
    pub failing_jobs: Vec<String>,
    /// Deliveries waiting to be sent.
    #[ts(type = "number")]
    pub deliveries_pending: u64,
    /// Deliveries that ran out of attempts.
    #[ts(type = "number")]
    pub deliveries_dead: u64,
    /// Endpoints Vigil stopped sending to for a while.
    pub endpoints_resting: u32,
    /// Which endpoints those are.
    #[ts(type = "number[]")]
    pub resting_endpoints: Vec<i64>,
    /// Checks whose latest answer is CRITICAL (by name).
    pub checks_critical: Vec<String>,
    /// Checks whose latest answer is WARNING or UNKNOWN (by name).
    pub checks_warning: Vec<String>,
    /// Plugins resting after repeated failures.
    pub plugins_resting: Vec<String>,
    /// One sentence per reason the level is not ok.
    pub reasons: Vec<String>,
}

impl Request for GetHealth {
    type Response = Health;

    async fn handle(self, engine: &Engine) -> Result<Health, ApiError> {
        use crate::statuses::ProgramState;
        let (failing_jobs, (deliveries_pending, deliveries_dead), endpoints) = engine
            .read(|c| {
                Ok((
                    vigil_store::failing_jobs(c)?,
                    vigil_store::delivery_counts(c)?,
                    vigil_store::list_endpoints(c)?,
                ))
            })
            .await?;
        let mut resting_endpoints = engine.outbox().resting(crate::now_ms());
        resting_endpoints.sort_unstable();
        resting_endpoints.dedup();
        let resting_names: Vec<String> = endpoints
            .iter()
            .filter(|e| resting_endpoints.contains(&e.id))
            .map(|e| format!("{:?}", e.name))
            .collect();
        let mut h = Health {
            level: HealthLevel::Ok,
            programs_running: 0,
            programs_stopped: 0,
            programs_waiting: 0,
            programs_errored: 0,
            runs_running: vigil_core::sync::lock(&engine.jobs().running).len() as u32,
            failing_jobs,
            deliveries_pending,
            deliveries_dead,
            endpoints_resting: resting_endpoints.len() as u32,
            resting_endpoints,
            checks_critical: Vec::new(),
            checks_warning: Vec::new(),
            plugins_resting: Vec::new(),
            reasons: Vec::new(),
        };
        for v in engine
            .plugins()
            .views()
            .into_iter()
            .filter(|v| v.check.enabled)
        {
            match v.latest.map(|r| r.answer.status) {
                Some(vigil_core::CheckStatus::Critical) => h.checks_critical.push(v.check.name),
                Some(vigil_core::CheckStatus::Warning | vigil_core::CheckStatus::Unknown) => {
                    h.checks_warning.push(v.check.name);
                }
                _ => {}
            }
        }
        h.plugins_resting = engine
            .plugins()
            .info()
            .into_iter()
            .filter(|p| p.breaker == crate::plugins::BreakerState::Open)
            .map(|p| p.name)
            .collect();
        for p in engine.programs() {
            match engine.statuses().get(p.id, 0).state {
                ProgramState::Running => h.programs_running += 1,
                ProgramState::Stopped => h.programs_stopped += 1,
                ProgramState::Waiting => h.programs_waiting += 1,
                ProgramState::Errored => h.programs_errored += 1,
            }
        }
        let mut warn = |cond: bool, level: HealthLevel, why: String| {
            if cond {
                h.level = h.level.max(level);
                h.reasons.push(why);
            }
        };
        warn(
            h.programs_errored > 0,
            HealthLevel::Failing,
            format!("{} program(s) given up on", h.programs_errored),
        );
        warn(
            !h.failing_jobs.is_empty(),
            HealthLevel::Failing,
            format!("last run failed: {}", h.failing_jobs.join(", ")),
        );
        warn(
            !h.checks_critical.is_empty(),
            HealthLevel::Failing,
            format!("critical: {}", h.checks_critical.join(", ")),
        );
        warn(
            !h.checks_warning.is_empty(),
            HealthLevel::Warning,
            format!("check warnings: {}", h.checks_warning.join(", ")),
        );
        warn(
            !h.plugins_resting.is_empty(),
            HealthLevel::Warning,
            format!(
                "plugins resting after failures: {}",
                h.plugins_resting.join(", ")
            ),
        );
        warn(
            h.programs_waiting > 0,
            HealthLevel::Warning,
            format!("{} program(s) waiting to restart", h.programs_waiting),
        );
        warn(
            h.deliveries_dead > 0,
            HealthLevel::Warning,
            format!("{} dead-lettered deliveries", h.deliveries_dead),
        );
        warn(
            h.endpoints_resting > 0,
            HealthLevel::Warning,
            format!("failing endpoints, paused: {}", resting_names.join(", ")),
        );
        Ok(h)
    }
}
