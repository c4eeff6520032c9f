//! Plugins, checks and actions: the manifest a plugin folder carries, the two result
//! protocols (the Nagios / Monitoring-Plugins convention as it is, and Vigil's JSON), the
//! definitions of checks (attached to a program or standing alone) and actions (run on
//! events), and a program's health from its checks' latest answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{ApiError, EventKind, JobId, JobOption, ProgramId};

mod check;
mod manifest;
mod nagios;
mod result;

pub use check::*;
pub use manifest::*;
pub use nagios::*;
pub use result::*;

/// A check's id, assigned by the store.
pub type CheckId = i64;
/// An action's id, assigned by the store.
pub type ActionId = i64;

fn yes() -> bool {
    true
}

/// A name people give (a check's, an action's): trimmed, 1 to 100 characters.
fn check_name(name: &mut String, what: &str) -> Result<(), ApiError> {
    *name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.contains(['\0', '\n', '\r']) {
        return Err(ApiError::invalid_field(
            "name",
            format!("a {what} name must be 1 to 100 characters on one line"),
        ));
    }
    Ok(())
}
