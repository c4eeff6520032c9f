use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::{ApiError, Event};

use crate::{Engine, Request};

/// Most events returned by one [`ListEvents`] call.
pub const MAX_EVENTS_PAGE: u32 = 1000;

/// Reads a page of the event log after a cursor (the polling twin of
/// [`Engine::subscribe`](crate::Engine::subscribe)).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListEvents {
    /// Return events with id greater than this.
    #[serde(default)]
    #[ts(type = "number")]
    pub since: i64,
    /// At most this many (default and cap: 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl Request for ListEvents {
    type Response = Vec<Event>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Event>, ApiError> {
        if self.since < 0 {
            return Err(ApiError::invalid("since must not be negative"));
        }
        let limit = match self.limit {
            None => MAX_EVENTS_PAGE,
            Some(0) => return Err(ApiError::invalid("limit must be at least 1")),
            Some(n) => n.min(MAX_EVENTS_PAGE),
        };
        let since = self.since;
        engine
            .read(move |c| vigil_store::events_since(c, since, limit))
            .await
    }
}
