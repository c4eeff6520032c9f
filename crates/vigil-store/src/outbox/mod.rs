//! The transactional outbox: endpoints, rules, deliveries and their attempts.
//!
//! Architecture Invariant: a delivery row is inserted by [`RuleCache::route`], which the writer
//! calls from [`Tx::event`](crate::Tx::event) inside the savepoint that inserts the event. The
//! event and its deliveries therefore commit or roll back together; nothing about a delivery
//! lives only in memory.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use vigil_core::{
    ApiError, Attempt, Channel, Delivery, DeliveryId, DeliveryStatus, Endpoint, EndpointId, Event,
    Notice, Rule, RuleId,
};

use crate::{StoreError, Tx};

/// A document as stored (checks and actions use it too).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Api(ApiError::internal(e.to_string())))
}

/// A stored document read back; an unreadable one is an internal error naming `what`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| {
        StoreError::Api(ApiError::internal(format!(
            "stored {what} is unreadable: {e}"
        )))
    })
}

mod deliveries;
mod endpoints;
mod routing;
mod rules;

pub use deliveries::*;
pub use endpoints::*;
pub(crate) use routing::RuleCache;
pub use routing::*;
pub use rules::*;
