//! Telling people: which events go where (rules), how a webhook request is built (endpoints,
//! presets, templates, signatures), and the pure timing rules of delivery (retry delays with
//! jitter, the circuit breaker). The outbox itself lives in the store and the engine.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{ApiError, Event, EventKind, JobId, ProgramId};

/// An endpoint's id, assigned by the store.
pub type EndpointId = i64;
/// A rule's id, assigned by the store.
pub type RuleId = i64;
/// A delivery's id, assigned by the store.
pub type DeliveryId = i64;

/// What a secret value looks like when it is read back. Saving an endpoint with this value in
/// a secret field keeps the stored secret, so an edit form never needs the real one.
pub const SECRET_MASK: &str = "********";

/// Most headers on one endpoint.
pub const MAX_HEADERS: usize = 32;
/// Longest URL, header value or template accepted.
pub const MAX_TEXT: usize = 8 * 1024;
/// Longest folding window (a day).
pub const MAX_FOLD_SECS: u32 = 86_400;

/// The shape of the body a webhook sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// A JSON object with the event, its subject and the fold count.
    #[default]
    Json,
    /// A Slack incoming webhook (`{"text": ...}`).
    Slack,
    /// A Discord webhook (`{"content": ...}`).
    Discord,
    /// A Microsoft Teams incoming webhook (a MessageCard).
    Teams,
    /// The endpoint's own template with `{{field}}` placeholders.
    Custom,
}

/// The HTTP method of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// The usual one.
    #[default]
    Post,
    /// For receivers that want it.
    Put,
    /// For receivers that want it.
    Patch,
}

/// One extra request header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Header value; masked when read back if `secret`.
    pub value: String,
    /// A credential (an API key, a bearer token): stored, sent, never returned or logged.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub secret: bool,
}

/// Where webhook deliveries go and how they are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub id: EndpointId,
    /// A name for people, unique.
    pub name: String,
    /// `http://` or `https://` URL.
    pub url: String,
    /// Default POST.
    #[serde(default)]
    #[ts(as = "Option<Method>", optional)]
    pub method: Method,
    /// Extra headers.
    #[serde(default)]
    #[ts(as = "Option<Vec<Header>>", optional)]
    pub headers: Vec<Header>,
    /// Body shape (default: generic JSON).
    #[serde(default)]
    #[ts(as = "Option<Preset>", optional)]
    pub preset: Preset,
    /// The body for the `custom` preset; placeholders are filled JSON-escaped.
    #[serde(default)]
    #[ts(optional)]
    pub template: Option<String>,
    /// Key of the `X-Vigil-Signature-256: sha256=<hex>` header (HMAC-SHA256 of the body).
    #[serde(default)]
    #[ts(optional)]
    pub signing_secret: Option<String>,
    /// Disabled endpoints get no new deliveries.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// Per attempt (default 10 s).
    #[serde(default = "default_timeout")]
    #[ts(as = "Option<u32>", optional)]
    pub timeout_ms: u32,
    /// Attempts before a delivery is dead-lettered (default 8).
    #[serde(default = "default_attempts")]
    #[ts(as = "Option<u32>", optional)]
    pub max_attempts: u32,
    /// First retry delay; each later one doubles, with jitter, up to an hour (default 5 s).
    #[serde(default = "default_backoff")]
    #[ts(as = "Option<u32>", optional)]
    pub backoff_ms: u32,
}

fn yes() -> bool {
    true
}
fn default_timeout() -> u32 {
    10_000
}
fn default_attempts() -> u32 {
    8
}
fn default_backoff() -> u32 {
    5_000
}

impl Endpoint {
    /// Checks every field; the error names the first bad one.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(ApiError::invalid(
                "an endpoint name must be 1 to 100 characters",
            ));
        }
        if self.url.len() > MAX_TEXT {
            return Err(ApiError::invalid("the URL is too long"));
        }
        let url = url::Url::parse(self.url.trim())
            .map_err(|e| ApiError::invalid(format!("invalid URL {:?}: {e}", self.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ApiError::invalid(format!(
                "the URL {:?} must be http:// or https:// with a host",
                self.url
            )));
        }
        self.url = url.to_string();
        if self.headers.len() > MAX_HEADERS {
            return Err(ApiError::invalid(format!(
                "at most {MAX_HEADERS} headers are accepted"
            )));
        }
        for h in &mut self.headers {
            h.name = h.name.trim().to_owned();
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if h.name.is_empty() || !h.name.chars().all(token) {
                return Err(ApiError::invalid(format!(
                    "{:?} is not a valid header name",
                    h.name
                )));
            }
            if h.value.len() > MAX_TEXT || h.value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(ApiError::invalid(format!(
                    "the value of header {:?} is too long or has control characters",
                    h.name
                )));
            }
        }
        if !(100..=120_000).contains(&self.timeout_ms) {
            return Err(ApiError::invalid(
                "timeout_ms must be between 100 and 120000",
            ));
        }
        if !(1..=50).contains(&self.max_attempts) {
            return Err(ApiError::invalid("max_attempts must be between 1 and 50"));
        }
        if !(10..=3_600_000).contains(&self.backoff_ms) {
            return Err(ApiError::invalid(
                "backoff_ms must be between 10 and 3600000",
            ));
        }
        if let Some(s) = &self.signing_secret
            && (s.is_empty() || s.len() > MAX_TEXT)
        {
            return Err(ApiError::invalid(
                "a signing secret must be 1 to 8192 bytes",
            ));
        }
        match (&self.preset, &self.template) {
            (Preset::Custom, None) => {
                return Err(ApiError::invalid("the custom preset needs a template"));
            }
            (Preset::Custom, Some(t)) => {
                if t.len() > MAX_TEXT {
                    return Err(ApiError::invalid("the template is too long"));
                }
                let sample = Notice::sample();
                let body = fill_template(t, &sample)?;
                serde_json::from_str::<Value>(&body).map_err(|e| {
                    ApiError::invalid(format!("the template does not make valid JSON: {e}"))
                })?;
            }
            _ => {}
        }
        Ok(self)
    }

    /// The endpoint as it may be shown or logged: secret header values and the signing secret
    /// replaced by [`SECRET_MASK`].
    pub fn masked(mut self) -> Self {
        for h in self.headers.iter_mut().filter(|h| h.secret) {
            h.value = SECRET_MASK.to_owned();
        }
        if self.signing_secret.is_some() {
            self.signing_secret = Some(SECRET_MASK.to_owned());
        }
        self
    }

    /// Puts back the stored secrets wherever this (edited) endpoint still carries the mask.
    pub fn keep_secrets(mut self, stored: &Endpoint) -> Self {
        for h in self
            .headers
            .iter_mut()
            .filter(|h| h.secret && h.value == SECRET_MASK)
        {
            if let Some(old) = stored.headers.iter().find(|o| o.name == h.name) {
                h.value = old.value.clone();
            }
        }
        if self.signing_secret.as_deref() == Some(SECRET_MASK) {
            self.signing_secret = stored.signing_secret.clone();
        }
        self
    }

    /// The request body for a notice, by preset.
    pub fn body(&self, n: &Notice) -> Result<String, ApiError> {
        let text = n.text();
        let value = match self.preset {
            Preset::Json => json!({
                "event": n.event,
                "subject": n.subject,
                "count": n.count,
                "text": text,
            }),
            Preset::Slack => json!({ "text": text }),
            // Discord refuses content over 2,000 characters.
            Preset::Discord => json!({ "content": text.chars().take(2000).collect::<String>() }),
            Preset::Teams => json!({
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": n.title(),
                "title": n.title(),
                "text": text,
            }),
            Preset::Custom => {
                return fill_template(self.template.as_deref().unwrap_or("{}"), n);
            }
        };
        Ok(value.to_string())
    }
}

/// Which events go to which channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub id: RuleId,
    /// A name for people.
    pub name: String,
    /// Disabled rules send nothing.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// The kinds it sends; empty means every kind.
    #[serde(default)]
    #[ts(as = "Option<Vec<EventKind>>", optional)]
    pub kinds: Vec<EventKind>,
    /// Only events of these programs (or of the jobs / tags below); all empty means any.
    #[serde(default)]
    #[ts(as = "Option<Vec<i32>>", optional)]
    pub programs: Vec<ProgramId>,
    /// Only events of these jobs.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub jobs: Vec<JobId>,
    /// Only events of programs or jobs carrying one of these tags.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    /// Show an OS notification (desktop app).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub os: bool,
    /// Webhook endpoints to send to.
    #[serde(default)]
    #[ts(as = "Option<Vec<i32>>", optional)]
    pub endpoints: Vec<EndpointId>,
    /// Repeats of the same event (same kind and subject) within this many seconds of the first
    /// are folded into one follow-up delivery with their count, sent when the window ends.
    /// 0 sends every one.
    #[serde(default = "default_fold")]
    #[ts(as = "Option<u32>", optional)]
    pub fold_secs: u32,
}

fn default_fold() -> u32 {
    300
}

impl Rule {
    /// Checks the fields that need no other state (endpoint ids are checked by the store).
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(ApiError::invalid("a rule name must be 1 to 100 characters"));
        }
        if !self.os && self.endpoints.is_empty() {
            return Err(ApiError::invalid(
                "a rule needs a channel: the OS notification or at least one endpoint",
            ));
        }
        if self.fold_secs > MAX_FOLD_SECS {
            return Err(ApiError::invalid(format!(
                "fold_secs must be at most {MAX_FOLD_SECS}"
            )));
        }
        for list in [&mut self.tags, &mut self.jobs] {
            list.sort();
            list.dedup();
        }
        self.programs.sort_unstable();
        self.programs.dedup();
        self.endpoints.sort_unstable();
        self.endpoints.dedup();
        self.kinds.sort_by_key(|k| k.as_str());
        self.kinds.dedup();
        Ok(self)
    }

    /// Whether the rule sends this event. `tags` are the tags of the event's program or job.
    pub fn matches(&self, event: &Event, tags: &[String]) -> bool {
        if !self.enabled || (!self.kinds.is_empty() && !self.kinds.contains(&event.kind)) {
            return false;
        }
        if self.programs.is_empty() && self.jobs.is_empty() && self.tags.is_empty() {
            return true;
        }
        event.program_id.is_some_and(|p| self.programs.contains(&p))
            || event.job_id.as_ref().is_some_and(|j| self.jobs.contains(j))
            || tags.iter().any(|t| self.tags.contains(t))
    }
}

/// An event as a delivery tells it: with its subject's name and how many were folded in.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// The event (the latest one, when several were folded).
    pub event: &'a Event,
    /// The program's or job's name, if the event has a subject.
    pub subject: Option<String>,
    /// How many events this delivery stands for.
    pub count: u32,
}

impl Notice<'_> {
    fn sample() -> Notice<'static> {
        static SAMPLE: std::sync::OnceLock<Event> = std::sync::OnceLock::new();
        let event = SAMPLE.get_or_init(|| Event {
            id: 1,
            ts: 0,
            kind: EventKind::ProgramCrashed,
            program_id: Some(1),
            job_id: None,
            message: "\"sample\" crashed".into(),
            detail: Some("last lines".into()),
        });
        Notice {
            event,
            subject: Some("sample".into()),
            count: 1,
        }
    }

    /// A short heading: `Vigil: <subject>: <what happened>`.
    pub fn title(&self) -> String {
        let what = self.event.kind.as_str().replace('_', " ");
        match &self.subject {
            Some(s) => format!("Vigil: {s}: {what}"),
            None => format!("Vigil: {what}"),
        }
    }

    /// The event's sentence, with the fold count when there is one.
    pub fn text(&self) -> String {
        if self.count > 1 {
            format!(
                "{} ({} times in the folding window)",
                self.event.message, self.count
            )
        } else {
            self.event.message.clone()
        }
    }

    /// The page of the UI this notice is about (a hash route).
    pub fn link(&self) -> String {
        if let Some(p) = self.event.program_id {
            format!("#/programs/{p}")
        } else if let Some(j) = &self.event.job_id {
            format!("#/jobs/{j}")
        } else {
            "#/events".to_owned()
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let e = self.event;
        Some(match name {
            "id" => json!(e.id),
            "ts" => json!(e.ts),
            "time" => json!(crate::utc_ms(e.ts).to_rfc3339()),
            "kind" => json!(e.kind.as_str()),
            "title" => json!(self.title()),
            "message" => json!(e.message),
            "detail" => json!(e.detail.clone().unwrap_or_default()),
            "text" => json!(self.text()),
            "program_id" => json!(e.program_id),
            "job_id" => json!(e.job_id),
            "subject" => json!(self.subject.clone().unwrap_or_default()),
            "count" => json!(self.count),
            _ => return None,
        })
    }
}

/// Fills `{{field}}` placeholders. Text values are inserted JSON-escaped without quotes (so
/// `"{{message}}"` in a JSON template stays valid whatever the message holds); numbers and
/// null as JSON. An unknown field is refused with its name.
pub fn fill_template(template: &str, n: &Notice) -> Result<String, ApiError> {
    crate::template::render(template, |key| {
        let value = n.field(key).ok_or_else(|| {
            ApiError::invalid(format!(
                "unknown template field {{{{{key}}}}}; known: id, ts, time, kind, title, \
                 message, detail, text, program_id, job_id, subject, count"
            ))
        })?;
        Ok(match value {
            Value::String(s) => {
                let quoted = Value::String(s).to_string();
                quoted[1..quoted.len() - 1].to_owned()
            }
            other => other.to_string(),
        })
    })
}

type HmacSha256 = Hmac<Sha256>;

/// The signature header value for a body: `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (`sha256=<hex>`) is the signature of `body` under `secret`, compared in
/// constant time.
pub fn verify_signature(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(sig) = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The stored form of a trigger token: hex SHA-256. Tokens are long random strings, so a
/// plain hash (no salt, no stretching) is enough to make a stolen database useless.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

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

/// How an incoming trigger request proves itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// `Authorization: Bearer <token>` (or `X-Vigil-Token`). Stored hashed.
    Token,
    /// `X-Vigil-Signature-256: sha256=<HMAC-SHA256(secret, body)>`. The secret itself never
    /// travels; it is stored as is, because checking a signature needs the key.
    Hmac,
}

impl TriggerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Hmac => "hmac",
        }
    }
}

/// A credential that lets an outside system run one job through `POST /hooks/jobs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TriggerCredential {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// The job it runs.
    pub job_id: JobId,
    /// A name for people (which system uses it).
    pub name: String,
    /// Token or HMAC secret.
    pub kind: TriggerKind,
    /// When it was created, unix ms.
    #[ts(type = "number")]
    pub created_at: i64,
    /// When a request last used it, unix ms.
    #[ts(type = "number | null")]
    pub last_used_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        serde_json::from_value(json!({"name": "hook", "url": "http://127.0.0.1:9/x"})).unwrap()
    }

    fn event(kind: EventKind, program: Option<i64>, job: Option<&str>) -> Event {
        Event {
            id: 7,
            ts: 1_700_000_000_000,
            kind,
            program_id: program,
            job_id: job.map(str::to_owned),
            message: "said \"hi\"\nthen left".into(),
            detail: None,
        }
    }

    #[test]
    fn endpoint_defaults_and_validation() {
        let e = endpoint().validate().unwrap();
        assert_eq!(
            (e.method, e.preset, e.enabled, e.timeout_ms, e.max_attempts),
            (Method::Post, Preset::Json, true, 10_000, 8)
        );
        for (field, value) in [
            ("url", json!("ftp://x/")),
            ("url", json!("not a url")),
            ("name", json!("  ")),
            ("timeout_ms", json!(5)),
            ("max_attempts", json!(0)),
            ("headers", json!([{"name": "Bad Name", "value": "x"}])),
            (
                "headers",
                json!([{"name": "X", "value": "a\r\nInjected: 1"}]),
            ),
        ] {
            let mut v = serde_json::to_value(endpoint()).unwrap();
            v[field] = value.clone();
            let e: Endpoint = serde_json::from_value(v).unwrap();
            assert!(e.validate().is_err(), "{field} = {value} must be refused");
        }
        let mut custom = endpoint();
        custom.preset = Preset::Custom;
        assert!(
            custom.clone().validate().is_err(),
            "custom needs a template"
        );
        custom.template = Some(r#"{"m": "{{message}}", "c": {{count}}, "x": {{nope}}}"#.into());
        let err = custom.clone().validate().unwrap_err();
        assert!(err.message.contains("nope"), "{err:?}");
        custom.template = Some(r#"{"m": {{message}}}"#.into());
        let err = custom.clone().validate().unwrap_err();
        assert!(err.message.contains("valid JSON"), "{err:?}");
        custom.template = Some(r#"{"m": "{{message}}", "c": {{count}}}"#.into());
        custom.validate().unwrap();
    }

    #[test]
    fn bodies_escape_whatever_the_event_says() {
        let ev = event(EventKind::ProgramCrashed, Some(3), None);
        let n = Notice {
            event: &ev,
            subject: Some("web".into()),
            count: 3,
        };
        for preset in [
            Preset::Json,
            Preset::Slack,
            Preset::Discord,
            Preset::Teams,
            Preset::Custom,
        ] {
            let mut e = endpoint();
            e.preset = preset;
            e.template = Some(r#"{"text": "{{title}}: {{text}}", "n": {{count}}}"#.into());
            let body = e.body(&n).unwrap();
            let v: Value = serde_json::from_str(&body)
                .unwrap_or_else(|err| panic!("{preset:?} made invalid JSON {body}: {err}"));
            assert!(
                body.contains("3 times"),
                "{preset:?} must carry the fold count: {body}"
            );
            assert!(v.is_object());
        }
        assert_eq!(n.link(), "#/programs/3");
    }

    #[test]
    fn secrets_are_masked_and_kept() {
        let mut e = endpoint();
        e.headers = vec![
            Header {
                name: "Authorization".into(),
                value: "Bearer s3cret".into(),
                secret: true,
            },
            Header {
                name: "X-Plain".into(),
                value: "visible".into(),
                secret: false,
            },
        ];
        e.signing_secret = Some("hmac-key".into());
        let shown = e.clone().masked();
        let text = serde_json::to_string(&shown).unwrap();
        assert!(
            !text.contains("s3cret") && !text.contains("hmac-key"),
            "{text}"
        );
        assert!(text.contains("visible"));
        let kept = shown.keep_secrets(&e);
        assert_eq!(
            kept, e,
            "saving the masked form must keep the stored secrets"
        );
    }

    #[test]
    fn rules_match_kinds_and_subjects() {
        let rule: Rule = serde_json::from_value(json!({
            "name": "r", "os": true, "kinds": ["program_crashed", "run_failed"],
            "programs": [3], "tags": ["prod"]
        }))
        .unwrap();
        let rule = rule.validate().unwrap();
        assert!(rule.matches(&event(EventKind::ProgramCrashed, Some(3), None), &[]));
        assert!(!rule.matches(&event(EventKind::ProgramStarted, Some(3), None), &[]));
        assert!(!rule.matches(&event(EventKind::ProgramCrashed, Some(4), None), &[]));
        assert!(rule.matches(
            &event(EventKind::RunFailed, None, Some("backup")),
            &["prod".into()]
        ));
        assert!(!rule.matches(&event(EventKind::RunFailed, None, None), &[]));
        let any: Rule = serde_json::from_value(json!({"name": "all", "endpoints": [1]})).unwrap();
        assert!(any.matches(&event(EventKind::EngineStarted, None, None), &[]));
        let none: Rule = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert!(
            none.validate().is_err(),
            "a rule without a channel is refused"
        );
    }

    #[test]
    fn signatures_verify_only_the_same_body_and_key() {
        let sig = sign(b"key", b"{\"a\":1}");
        assert!(sig.starts_with("sha256="));
        assert!(verify_signature(b"key", b"{\"a\":1}", &sig));
        assert!(!verify_signature(b"key", b"{\"a\":2}", &sig));
        assert!(!verify_signature(b"other", b"{\"a\":1}", &sig));
        assert!(!verify_signature(b"key", b"{\"a\":1}", "sha256=zz"));
        assert_eq!(hash_token("t").len(), 64);
    }

    #[test]
    fn retry_delays_grow_with_jitter_and_a_cap() {
        assert_eq!(retry_delay_ms(1000, 1, 0.0), 500);
        assert_eq!(retry_delay_ms(1000, 1, 0.999), 999);
        assert_eq!(retry_delay_ms(1000, 3, 0.0), 2000);
        assert_eq!(retry_delay_ms(1000, 60, 1.0), MAX_RETRY_DELAY_MS);
    }

    #[test]
    fn breaker_opens_after_failures_and_closes_on_success() {
        let mut b = Breaker::default();
        for i in 0..BREAKER_THRESHOLD - 1 {
            assert_eq!(b.failure(i64::from(i)), None);
        }
        let Some(BreakerChange::Opened { until }) = b.failure(10) else {
            panic!("the fifth failure must open it");
        };
        assert_eq!(until, 10 + BREAKER_COOLDOWN_MS);
        assert!(!b.allows(11));
        assert!(b.allows(until), "half-open after the cooldown");
        assert!(b.half_open(until) && !b.half_open(until - 1));
        let Some(BreakerChange::Opened { until: again }) = b.failure(until) else {
            panic!("a failed trial opens it again");
        };
        assert_eq!(again - until, 2 * BREAKER_COOLDOWN_MS, "and for longer");
        assert_eq!(b.success(), Some(BreakerChange::Closed));
        assert!(b.allows(again - 1));
        assert_eq!(b.success(), None);
    }
}
