use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;
use ts_rs::TS;
use vigil_core::{
    ApiError, Attempt, Delivery, DeliveryId, DeliveryStatus, Endpoint, EndpointId, ErrorCode,
    JobId, Rule, RuleId, Trigger, TriggerCredential, TriggerKind, hash_token, verify_signature,
};

use crate::api::RunAccepted;
use crate::jobs::RunRequest;
use crate::{Engine, Request, now_ms};

mod deliveries;
mod endpoints;
mod rules;
mod triggers;

pub use deliveries::*;
pub use endpoints::*;
pub use rules::*;
pub use triggers::*;
