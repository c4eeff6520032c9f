use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use vigil_core::{ApiError, EventKind, Job, JobId, NewEvent, Run, RunId, RunStatus, Trigger};

use crate::jobs::{Cancel, RunOutput, RunRequest};
use crate::{Engine, Request, now_ms};

mod definitions;
mod runs;
mod schedule;
mod stats;
mod transfer;

pub use definitions::*;
pub use runs::*;
pub use schedule::*;
pub use stats::*;
pub use transfer::*;
