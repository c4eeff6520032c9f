//! Vigil's running system: the engine that owns the store, the monitor, the supervisors and
//! the event stream, and the API every front end (Tauri commands, HTTP routes, CLI) adapts in
//! a few lines.
//!
//! Architecture Invariant: persist, then publish. An event reaches listeners only after the
//! transaction that recorded it has committed, and listeners resume from an event id, so a slow
//! or reconnecting listener never loses an event and never slows the engine down.

pub mod api;
mod appender;
mod clock;
mod engine;
mod jobs;
mod logs;
mod mailer;
pub mod monitor;
mod observer;
mod outbox;
pub mod ownership;
mod platform;
pub mod plugins;
mod process;
mod settings;
mod statuses;
mod stream;
mod supervisor;
pub mod system;

pub use api::Request;

/// The innermost cause of an error, in words (a connection error's "connection refused"
/// rather than the layers around it).
pub(crate) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
pub use appender::LogLimits;
pub use clock::{Clock, ManualClock, SystemClock, now_ms};
pub use engine::{Engine, EngineConfig};
pub use jobs::default_concurrency;
pub use outbox::{Notifier, OsNotification};
pub use stream::EventStream;
pub use vigil_core::{ApiError, ErrorCode, Event, EventKind, NewProgram, Program};
pub use vigil_store::HistoryRetention;
