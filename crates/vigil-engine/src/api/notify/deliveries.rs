//! The delivery log: list, one delivery with its attempts, replay.

#[allow(unused_imports)]
use super::*;

/// The delivery log, newest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListDeliveries {
    /// Only in this state.
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<DeliveryStatus>,
    /// Only to this endpoint.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub endpoint: Option<EndpointId>,
    /// Only ids below this.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub before: Option<DeliveryId>,
    /// At most this many (default 100, at most 1,000).
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub limit: Option<usize>,
}

impl Request for ListDeliveries {
    type Response = Vec<Delivery>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Delivery>, ApiError> {
        let filter = vigil_store::DeliveryFilter {
            status: self.status,
            endpoint: self.endpoint,
            before: self.before,
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
        };
        engine
            .read(move |c| vigil_store::list_deliveries(c, &filter))
            .await
    }
}

/// One delivery with every attempt.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetDelivery {
    /// Its id.
    #[ts(type = "number")]
    pub id: DeliveryId,
}

/// A delivery and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryDetail {
    /// The delivery.
    pub delivery: Delivery,
    /// Every attempt, first first.
    pub attempts: Vec<Attempt>,
}

impl Request for GetDelivery {
    type Response = DeliveryDetail;

    async fn handle(self, engine: &Engine) -> Result<DeliveryDetail, ApiError> {
        let (delivery, attempts) = engine
            .read(move |c| vigil_store::get_delivery(c, self.id))
            .await?;
        Ok(DeliveryDetail { delivery, attempts })
    }
}

/// Sends dead-lettered deliveries again: the listed ones, or (with no ids) every dead one,
/// optionally only of one endpoint.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ReplayDeliveries {
    /// Which ones; empty means every dead delivery.
    #[serde(default)]
    #[ts(type = "Array<number>")]
    pub ids: Vec<DeliveryId>,
    /// Only this endpoint's.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub endpoint: Option<EndpointId>,
}

/// How many deliveries a replay requeued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Replayed {
    /// Requeued deliveries.
    #[ts(type = "number")]
    pub replayed: u64,
}

impl Request for ReplayDeliveries {
    type Response = Replayed;

    async fn handle(self, engine: &Engine) -> Result<Replayed, ApiError> {
        if self.ids.len() > 10_000 {
            return Err(ApiError::invalid("at most 10000 ids per replay"));
        }
        let replayed = engine
            .write(move |tx| vigil_store::replay(tx, &self.ids, self.endpoint, now_ms()))
            .await?;
        engine.outbox().wake();
        Ok(Replayed { replayed })
    }
}
