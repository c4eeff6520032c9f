use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::ApiError;

use crate::{Engine, Request};

/// Asks how the engine is doing.
#[derive(Debug, Clone, Default, Deserialize)]
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
