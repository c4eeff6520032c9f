//! Deliveries and their attempts, and the pure timing rules: retry delays with jitter and the circuit breaker per endpoint.

#[allow(unused_imports)]
use super::*;

/// Longest wait between two attempts of one delivery.
pub const MAX_RETRY_DELAY_MS: u64 = 3_600_000;

/// The wait after failed attempt `attempt` (1 for the first): `base * 2^(attempt-1)`, capped
/// at an hour, with "equal jitter": half of it fixed, the other half scaled by `jitter` (a
/// random number in [0, 1)), so many deliveries failing together do not retry together.
pub fn retry_delay_ms(base_ms: u64, attempt: u32, jitter: f64) -> u64 {
    let exp = base_ms
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(40))
        .min(MAX_RETRY_DELAY_MS);
    let half = exp / 2;
    half + (half as f64 * jitter.clamp(0.0, 1.0)) as u64
}

/// When an endpoint keeps failing, stop sending to it for a while instead of spending every
/// delivery's attempts (and the in-flight slots) on it.
#[derive(Debug, Clone)]
pub struct Breaker {
    failures: u32,
    open_until: Option<i64>,
    opened: u32,
    cooldown_ms: i64,
}

impl Default for Breaker {
    fn default() -> Self {
        Self::new(BREAKER_COOLDOWN_MS)
    }
}

/// Consecutive failures that open the breaker.
pub const BREAKER_THRESHOLD: u32 = 5;
/// First open period; doubles each time it opens again without a success, up to 10 min.
pub const BREAKER_COOLDOWN_MS: i64 = 30_000;

/// A change of a breaker's state worth an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerChange {
    /// Sending stopped until this time (unix ms).
    Opened {
        /// When one trial delivery will be let through.
        until: i64,
    },
    /// A delivery succeeded after the breaker had opened.
    Closed,
}

impl Breaker {
    /// A closed breaker whose first open period is `cooldown_ms`.
    pub fn new(cooldown_ms: i64) -> Self {
        Self {
            failures: 0,
            open_until: None,
            opened: 0,
            cooldown_ms: cooldown_ms.max(1),
        }
    }

    /// Whether a delivery may be sent now. Once the open period has passed, deliveries go
    /// again (half-open); the next failure opens it again for longer.
    pub fn allows(&self, now: i64) -> bool {
        self.open_until.is_none_or(|t| now >= t)
    }

    /// Whether the open period has passed without a success since: the next delivery is a
    /// trial, and only one should be in flight.
    pub fn half_open(&self, now: i64) -> bool {
        self.opened > 0 && self.open_until.is_some_and(|t| now >= t)
    }

    /// Until when it is open, if it has opened since the last success.
    pub fn open_until(&self) -> Option<i64> {
        self.open_until
    }

    /// Records a success.
    pub fn success(&mut self) -> Option<BreakerChange> {
        self.failures = 0;
        self.open_until = None;
        (std::mem::take(&mut self.opened) > 0).then_some(BreakerChange::Closed)
    }

    /// Records a failure at `now`.
    pub fn failure(&mut self, now: i64) -> Option<BreakerChange> {
        self.failures += 1;
        let half_open = self.opened > 0 && self.open_until.is_some_and(|t| now >= t);
        if self.failures >= BREAKER_THRESHOLD && (self.open_until.is_none() || half_open) {
            let cooldown =
                (self.cooldown_ms << self.opened.min(5)).min(600_000.max(self.cooldown_ms));
            self.opened += 1;
            let until = now + cooldown;
            self.open_until = Some(until);
            return Some(BreakerChange::Opened { until });
        }
        None
    }
}

/// Where a delivery goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// An OS notification shown by the desktop app.
    Os,
    /// An HTTP request to an endpoint.
    Webhook,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Os => "os",
            Self::Webhook => "webhook",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Os, Self::Webhook]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (or for its folding window to end).
    Pending,
    /// The receiver answered 2xx (or the notification was shown).
    Delivered,
    /// Every attempt failed; waits for a replay.
    Dead,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One event (or a fold of repeats) on its way to one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Delivery {
    /// Its id.
    #[ts(type = "number")]
    pub id: DeliveryId,
    /// The event it tells (the latest, when repeats were folded in).
    #[ts(type = "number")]
    pub event_id: i64,
    /// The rule that sent it.
    #[ts(type = "number | null")]
    pub rule_id: Option<RuleId>,
    /// The endpoint, for webhooks.
    #[ts(type = "number | null")]
    pub endpoint_id: Option<EndpointId>,
    /// Webhook or OS notification.
    pub channel: Channel,
    /// Where it is.
    pub status: DeliveryStatus,
    /// How many events it stands for.
    pub count: u32,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (pending only), unix ms.
    #[ts(type = "number")]
    pub next_at: i64,
    /// When it was created, unix ms.
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it last changed, unix ms.
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Sent as the `Idempotency-Key` header; the same on every attempt and replay, so a
    /// receiver can drop the duplicates that at-least-once delivery may bring.
    pub idempotency_key: String,
    /// The sentence it tells.
    pub summary: String,
    /// The last attempt's error or status.
    pub last_error: Option<String>,
}

/// One try at sending a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attempt {
    /// 1 for the first.
    pub n: u32,
    /// When it was made, unix ms.
    #[ts(type = "number")]
    pub ts: i64,
    /// The HTTP status, when the receiver answered.
    pub status_code: Option<u16>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// From sending to the answer (or the failure).
    pub latency_ms: u32,
}
