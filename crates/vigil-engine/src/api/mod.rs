//! The one API. Each operation is a request type with exactly one response type; Tauri
//! commands, HTTP routes and CLI commands deserialize the request, call [`crate::Engine::call`]
//! and serialize the response or the [`ApiError`]. Nothing else decides behaviour.

mod events;
mod history;
mod jobs;
mod notify;
pub mod ops;
mod programs;
mod status;

use std::future::Future;

use serde::Serialize;
use vigil_core::ApiError;

use crate::Engine;

pub use crate::statuses::{ProcessStatus, ProgramState, ProgramStatus, StatusUpdate};
pub use events::ListEvents;
pub use history::{ExportFormat, ExportKind, ExportRequest, GetSamples, SampleBucket};
pub use jobs::{
    CancelRun, CreateJob, DeleteJob, ExportJobs, GetJob, GetJobsDashboard, GetRun, GetRunOutput,
    ImportJobs, ImportReport, JobsDashboard, JobsFile, ListJobs, ListRuns, NextFire,
    PreviewSchedule, RunAccepted, RunJob, RunningRun, SaveJob, UpdateJob,
};
pub use notify::{
    CreateEndpoint, CreateRule, CreateTrigger, DeleteEndpoint, DeleteRule, DeliveryDetail,
    GetDelivery, GetEndpoint, GetRule, HookRun, ListDeliveries, ListEndpoints, ListRules,
    ListTriggers, MAX_HOOK_BODY, NewTrigger, ReplayDeliveries, Replayed, RevokeTrigger,
    SaveEndpoint, SaveRule, TestEndpoint, UpdateEndpoint, UpdateRule,
};
pub use ops::{OPERATIONS, Op, Operation};
pub use programs::{
    GetProgram, GetProgramStatus, ListProgramEvents, ListProgramStatus, ListPrograms,
    RemoveProgram, RestartProgram, StartProgram, StopProgram, TailLog,
};
pub use status::{GetHealth, GetStatus, Health, HealthLevel, Status};
pub use vigil_core::NewProgram as AddProgram;

/// One operation of the API.
pub trait Request: Send + 'static {
    /// What a successful call returns.
    type Response: Serialize + Send + 'static;

    /// Carries the operation out. Bad input returns an error and changes nothing.
    fn handle(
        self,
        engine: &Engine,
    ) -> impl Future<Output = Result<Self::Response, ApiError>> + Send;
}
