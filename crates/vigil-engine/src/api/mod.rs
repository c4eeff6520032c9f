//! The one API. Each operation is a request type with exactly one response type; Tauri
//! commands, HTTP routes and CLI commands deserialize the request, call [`crate::Engine::call`]
//! and serialize the response or the [`ApiError`]. Nothing else decides behaviour.

mod events;
mod history;
mod jobs;
mod notify;
pub mod ops;
mod plugins;
mod programs;
mod settings;
mod status;
mod system;

use std::future::Future;

use serde::Serialize;
use vigil_core::ApiError;

use crate::Engine;

pub use crate::statuses::{ProcessStatus, ProgramState, ProgramStatus, StatusUpdate};
// Each concept's module exports its requests and answers; a new operation needs no line here.
pub use crate::system::{DiskInfo, MemoryInfo, NetworkInfo, ProcessInfo, SystemOverview};
pub use events::*;
pub use history::*;
pub use jobs::*;
pub use notify::*;
pub use ops::{OPERATIONS, Op, Operation};
pub use plugins::*;
pub use programs::*;
pub use settings::*;
pub use status::*;
pub use system::*;
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
