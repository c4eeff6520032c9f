use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The small, closed set of error kinds a client may branch on.
///
/// Clients (the UI, the CLI, scripts) decide what to do from the code alone; the message is for
/// people and may change wording at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was malformed or failed validation; nothing was changed.
    InvalidInput,
    /// The addressed object does not exist.
    NotFound,
    /// The request clashes with existing state (for example a duplicate name).
    Conflict,
    /// A token was missing or wrong.
    Unauthorized,
    /// The caller may not do this here (LAN access is off, a token lacks the scope).
    Forbidden,
    /// The request body was larger than the server accepts.
    PayloadTooLarge,
    /// The engine is stopping or a dependency is unreachable; retrying later may work.
    Unavailable,
    /// A bug or an unexpected fault (disk full, corrupt database).
    Internal,
}

/// An error as it crosses a boundary (HTTP, Tauri IPC, CLI): data, not a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message} ({code:?})")]
pub struct ApiError {
    /// What kind of failure this is; the only part a client should branch on.
    pub code: ErrorCode,
    /// A sentence for a person, naming the offending input where there is one.
    pub message: String,
    /// The request field an `invalid_input` error is about, as a dotted path (`name`,
    /// `restart.max_restarts`, `options.0.name`), so a form can show it next to that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl ApiError {
    /// Builds an error of any code; prefer the named constructors below.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Validation of one field failed: `field` is its dotted path.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(message).at(field)
    }

    /// Names the field this error is about (kept when it already names one: the innermost
    /// validation knows best).
    #[must_use]
    pub fn at(mut self, field: impl Into<String>) -> Self {
        if self.field.is_none() {
            self.field = Some(field.into());
        }
        self
    }

    /// Prefixes the field path with `parent` (`0.name` under `options` becomes
    /// `options.0.name`), for errors of a nested part.
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.field = Some(match self.field.take() {
            Some(f) => format!("{parent}.{f}"),
            None => parent.to_owned(),
        });
        self
    }

    /// Validation failed; the message says which field and why.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// The addressed object is unknown.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The request clashes with existing state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// An unexpected fault; the message should still help a person report it.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// The engine cannot serve right now (stopping, writer gone).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }
}
