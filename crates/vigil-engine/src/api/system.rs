//! The machine and its processes: the system page, the register form's process picker, and
//! what a watched program's stop would end.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::{ApiError, ProgramId};

use crate::statuses::STATUS_RECENT;
use crate::system::{ProcessInfo, SystemOverview, matcher};
use crate::{Engine, Request};

/// Asks for the machine at a glance.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct GetSystem {}

impl Request for GetSystem {
    type Response = SystemOverview;

    async fn handle(self, engine: &Engine) -> Result<SystemOverview, ApiError> {
        Ok(engine.look_at_system().await?.0)
    }
}

/// Most processes one listing returns.
pub const MAX_PROCESSES: u32 = 2000;

/// Lists the running processes, busiest first, for picking one to watch.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListProcesses {
    /// Only processes whose name, executable or command line holds this (any case), or whose
    /// PID it is.
    #[serde(default)]
    #[ts(optional)]
    pub q: Option<String>,
    /// At most this many (default 500, at most 2000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl Request for ListProcesses {
    type Response = Vec<ProcessInfo>;

    async fn handle(self, engine: &Engine) -> Result<Vec<ProcessInfo>, ApiError> {
        let limit = self.limit.unwrap_or(500);
        if limit == 0 || limit > MAX_PROCESSES {
            return Err(ApiError::invalid_field(
                "limit",
                format!("limit must be between 1 and {MAX_PROCESSES}"),
            ));
        }
        if self.q.as_ref().is_some_and(|q| q.len() > 1000) {
            return Err(ApiError::invalid_field("q", "the search is too long"));
        }
        let (_, procs) = engine.look_at_system().await?;
        let wanted = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(matcher);
        Ok(procs
            .into_iter()
            .filter(|p| wanted.as_ref().is_none_or(|m| m(p)))
            .take(limit as usize)
            .collect())
    }
}

/// The processes a program has right now: what its Stop would end.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetProgramProcesses {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for GetProgramProcesses {
    type Response = Vec<ProcessInfo>;

    async fn handle(self, engine: &Engine) -> Result<Vec<ProcessInfo>, ApiError> {
        engine
            .program(self.id)
            .ok_or_else(|| ApiError::not_found(format!("no program with id {}", self.id)))?;
        let procs = engine.statuses().get(self.id, STATUS_RECENT).processes;
        let id = self.id;
        tokio::task::spawn_blocking(move || crate::system::describe(id, &procs))
            .await
            .map_err(|e| ApiError::internal(format!("reading the processes failed: {e}")))
    }
}
