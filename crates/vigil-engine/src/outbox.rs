//! The outbox worker: sends the deliveries the store's routing wrote, a bounded number at a
//! time, and records every attempt.
//!
//! Architecture Invariant: the worker holds no delivery only in memory. It reads due rows,
//! sends them, and writes the outcome; a crash between sending and writing means the delivery
//! is sent again after a restart (at least once, with the same idempotency key), never lost.
//! Deliveries beyond the in-flight bound wait in the table, so memory does not grow with the
//! backlog.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vigil_core::sync::lock;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use ts_rs::TS;
use vigil_core::{
    ApiError, Attempt, Breaker, BreakerChange, DeliveryId, Endpoint, EndpointId, EventKind, Method,
    NewEvent, Notice, retry_delay_ms, sign,
};
use vigil_store::{AttemptOutcome, Due};

use crate::{Engine, now_ms};

/// An OS notification as the rules made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OsNotification {
    /// The heading.
    pub title: String,
    /// The sentence.
    pub body: String,
    /// The UI page it is about (a hash route such as `#/programs/3`).
    pub link: String,
}

/// Shows OS notifications. The desktop app provides one; the headless daemon has none, and
/// then rules' OS channel makes no deliveries.
pub trait Notifier: Send + Sync + fmt::Debug {
    /// Shows one notification; an error is recorded as a failed attempt and retried.
    fn show(&self, notification: &OsNotification) -> Result<(), String>;
}

/// The worker's shared state.
pub(crate) struct Outbox {
    wake: Notify,
    client: reqwest::Client,
    breakers: Mutex<HashMap<EndpointId, Breaker>>,
    endpoints: Mutex<Option<HashMap<EndpointId, Endpoint>>>,
    /// Half-open endpoints with their one trial delivery in flight.
    trials: Mutex<HashSet<EndpointId>>,
    max_in_flight: std::sync::atomic::AtomicUsize,
    breaker_cooldown_ms: i64,
}

impl Outbox {
    pub(crate) fn new(max_in_flight: usize, breaker_cooldown: Duration) -> Self {
        Self {
            wake: Notify::new(),
            client: reqwest::Client::builder()
                .user_agent(concat!("Vigil/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            breakers: Mutex::new(HashMap::new()),
            endpoints: Mutex::new(None),
            trials: Mutex::new(HashSet::new()),
            max_in_flight: std::sync::atomic::AtomicUsize::new(max_in_flight.max(1)),
            breaker_cooldown_ms: breaker_cooldown.as_millis() as i64,
        }
    }

    /// Changes the most deliveries in flight at once (the settings); a lower limit lets the
    /// ones in flight finish.
    pub(crate) fn set_max_in_flight(&self, max: usize) {
        self.max_in_flight
            .store(max.max(1), std::sync::atomic::Ordering::SeqCst);
        self.wake();
    }

    /// Something may have become due: new events (and so maybe deliveries), a replay.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Endpoints changed; the worker reads them again.
    pub(crate) fn endpoints_changed(&self) {
        {
            let mut e = lock(&self.endpoints);
            *e = None;
        }
        self.wake();
    }

    /// Endpoints whose breaker is open now, or half-open with its trial in flight.
    pub(crate) fn resting(&self, now: i64) -> Vec<EndpointId> {
        let mut out: Vec<EndpointId> = lock(&self.breakers)
            .iter()
            .filter(|(_, br)| !br.allows(now))
            .map(|(id, _)| *id)
            .collect();
        {
            let t = lock(&self.trials);
            out.extend(t.iter().copied());
        }
        out
    }

    /// Whether a delivery to `endpoint` may go now (`Some(is a trial)`): always, unless the
    /// endpoint is half-open, where only one trial goes at a time (released with
    /// [`Outbox::end_trial`]).
    fn take_slot(&self, endpoint: Option<EndpointId>, now: i64) -> Option<bool> {
        let Some(e) = endpoint else {
            return Some(false);
        };
        let half_open = lock(&self.breakers)
            .get(&e)
            .is_some_and(|br| br.half_open(now));
        if !half_open {
            return Some(false);
        }
        let first = lock(&self.trials).insert(e);
        first.then_some(true)
    }

    fn end_trial(&self, endpoint: EndpointId) {
        {
            let mut t = lock(&self.trials);
            t.remove(&endpoint);
        }
    }
}

/// Runs until shutdown. Deliveries in flight at shutdown are dropped unrecorded and therefore
/// sent again on the next start.
pub(crate) async fn run(engine: Engine, mut shutdown: watch::Receiver<bool>) {
    let outbox = engine.outbox();
    let in_flight: Arc<Mutex<HashSet<DeliveryId>>> = Arc::default();
    let mut tasks = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let mut wait = Duration::from_secs(60);
        let max = outbox
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst);
        // Refill in batches (when at most half the slots are busy) so a large backlog costs
        // one read per batch, not one per delivery.
        if tasks.len() <= max / 2 {
            let now = engine.clock_ms();
            let resting = outbox.resting(now);
            let busy: Vec<DeliveryId> = lock(&in_flight).iter().copied().collect();
            let free = max.saturating_sub(tasks.len());
            let due = engine
                .read(move |c| vigil_store::due_deliveries(c, now, free, &busy, &resting))
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "cannot read due deliveries");
                    Vec::new()
                });
            let full = due.len() == free;
            for d in due {
                // A half-open endpoint gets one trial; its other deliveries stay pending.
                let Some(trial) = outbox.take_slot(d.endpoint_id, now) else {
                    continue;
                };
                {
                    let mut s = lock(&in_flight);
                    s.insert(d.id);
                }
                let (engine, in_flight) = (engine.clone(), in_flight.clone());
                tasks.spawn(async move {
                    let (id, endpoint) = (d.id, d.endpoint_id);
                    send(&engine, d).await;
                    {
                        let mut s = lock(&in_flight);
                        s.remove(&id);
                    }
                    if let (true, Some(e)) = (trial, endpoint) {
                        engine.outbox().end_trial(e);
                    }
                });
            }
            if full {
                wait = Duration::ZERO;
            } else {
                wait = next_wait(&engine, now).await;
            }
        }
        let until = engine.clock_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
        tokio::select! {
            _ = outbox.wake.notified() => {}
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            () = engine.sleep_until_ms(until), if !wait.is_zero() => {}
            _ = shutdown.changed() => {}
        }
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
}

/// How long until something could become sendable: the next delivery due later (leaving out
/// resting endpoints) or the end of a breaker's rest, at most a minute.
async fn next_wait(engine: &Engine, now: i64) -> Duration {
    let resting = engine.outbox().resting(now);
    let rest_ends = lock(&engine.outbox().breakers)
        .values()
        .filter_map(|br| br.open_until())
        .filter(|&t| t > now)
        .min()
        .unwrap_or(i64::MAX);
    let next = engine
        .read(move |c| vigil_store::next_due_at(c, now, &resting))
        .await
        .ok()
        .flatten()
        .unwrap_or(i64::MAX);
    let at = next.min(rest_ends).min(now + 60_000);
    Duration::from_millis((at - now).clamp(1, 60_000) as u64)
}

async fn endpoint(engine: &Engine, id: EndpointId) -> Option<Endpoint> {
    let cached = lock(&engine.outbox().endpoints)
        .as_ref()
        .map(|m| m.get(&id).cloned());
    match cached {
        Some(found) => found,
        None => {
            let all = engine.read(vigil_store::list_endpoints).await.ok()?;
            let map: HashMap<_, _> = all.into_iter().map(|e| (e.id, e)).collect();
            let found = map.get(&id).cloned();
            {
                let mut e = lock(&engine.outbox().endpoints);
                *e = Some(map);
            }
            found
        }
    }
}

/// The result of one try, before it is judged.
pub(crate) struct Tried {
    pub(crate) status_code: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) latency_ms: u32,
    /// A 429 or 503 answer's `Retry-After` (in seconds), as milliseconds.
    pub(crate) retry_after_ms: Option<u64>,
}

impl Tried {
    fn ok(&self) -> bool {
        self.error.is_none() && self.status_code.is_none_or(|c| (200..300).contains(&c))
    }
}

/// Sends one webhook request: the endpoint's method, headers and body, with the idempotency
/// key and (when the endpoint has a secret) the signature. An email endpoint's delivery goes
/// through its SMTP server instead.
pub(crate) async fn post(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    body: &str,
    key: &str,
    delivery: DeliveryId,
) -> Tried {
    if endpoint.preset == vigil_core::Preset::Email {
        let started = Instant::now();
        let sent = crate::mailer::send(endpoint, body, key).await;
        return Tried {
            status_code: None,
            error: sent.err(),
            latency_ms: started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32,
            retry_after_ms: None,
        };
    }
    let method = match endpoint.method {
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
    };
    let mut req = client
        .request(method, &endpoint.url)
        .timeout(Duration::from_millis(u64::from(endpoint.timeout_ms)))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .header("X-Vigil-Delivery", delivery.to_string());
    for h in &endpoint.headers {
        req = req.header(&h.name, &h.value);
    }
    if let Some(secret) = &endpoint.signing_secret {
        req = req.header(
            "X-Vigil-Signature-256",
            sign(secret.as_bytes(), body.as_bytes()),
        );
    }
    let started = Instant::now();
    let result = req.body(body.to_owned()).send().await;
    let latency_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
    match result {
        Ok(resp) => Tried {
            status_code: Some(resp.status().as_u16()),
            error: None,
            latency_ms,
            retry_after_ms: retry_after(&resp),
        },
        // Errors are shown without the URL: a Slack or Discord URL is itself the secret.
        Err(e) => Tried {
            status_code: None,
            error: Some(if e.is_timeout() {
                format!("no answer within {} ms", endpoint.timeout_ms)
            } else if e.is_connect() {
                format!("cannot connect: {}", crate::root_cause(&e))
            } else {
                crate::root_cause(&e.without_url())
            }),
            latency_ms,
            retry_after_ms: None,
        },
    }
}

/// The wait a busy receiver asks for: `Retry-After: <seconds>` on a 429 or 503. (The
/// HTTP-date form is rare for webhooks and is ignored: the usual backoff applies.)
fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    let status = resp.status().as_u16();
    if status != 429 && status != 503 {
        return None;
    }
    let secs: u64 = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(secs.saturating_mul(1000))
}

async fn send(engine: &Engine, d: Due) {
    let (tried, endpoint) = match d.endpoint_id {
        None => (show(engine, &d.body).await, None),
        Some(id) => match endpoint(engine, id).await {
            Some(e) => (
                post(
                    &engine.outbox().client,
                    &e,
                    &d.body,
                    &d.idempotency_key,
                    d.id,
                )
                .await,
                Some(e),
            ),
            None => (
                Tried {
                    status_code: None,
                    error: Some("the endpoint was deleted".into()),
                    latency_ms: 0,
                    retry_after_ms: None,
                },
                None,
            ),
        },
    };
    let now = engine.clock_ms();
    let round = d.round_tries + 1;
    let max_attempts = endpoint.as_ref().map_or(3, |e| e.max_attempts);
    let outcome = if tried.ok() {
        AttemptOutcome::Delivered
    } else if round >= max_attempts || (d.endpoint_id.is_some() && endpoint.is_none()) {
        AttemptOutcome::Dead
    } else {
        let base = endpoint.as_ref().map_or(5_000, |e| u64::from(e.backoff_ms));
        // A receiver that says when to come back is believed (up to the longest wait).
        let delay = retry_delay_ms(base, round, fastrand::f64())
            .max(tried.retry_after_ms.unwrap_or(0))
            .min(vigil_core::MAX_RETRY_DELAY_MS);
        AttemptOutcome::Retry(now + delay as i64)
    };
    let change = d.endpoint_id.and_then(|id| {
        let mut breakers = lock(&engine.outbox().breakers);
        let cooldown = engine.outbox().breaker_cooldown_ms;
        let b = breakers.entry(id).or_insert_with(|| Breaker::new(cooldown));
        if tried.ok() {
            b.success()
        } else {
            b.failure(now)
        }
    });
    let attempt = Attempt {
        n: d.attempts + 1,
        ts: now,
        status_code: tried.status_code,
        error: tried.error.clone(),
        latency_ms: tried.latency_ms,
    };
    let name = endpoint.as_ref().map(|e| e.name.clone());
    let (id, skip) = (d.id, d.endpoint_id);
    let result = engine
        .write(move |tx| {
            vigil_store::record_attempt(tx, id, &attempt, outcome)?;
            let about = name.map_or_else(|| "the OS notification".to_owned(), |n| format!("{n:?}"));
            if outcome == AttemptOutcome::Dead {
                let why = attempt
                    .error
                    .clone()
                    .or(attempt.status_code.map(|c| format!("HTTP {c}")))
                    .unwrap_or_default();
                tx.event_skipping(
                    NewEvent {
                        ts: now,
                        kind: EventKind::DeliveryDeadLettered,
                        program_id: None,
                        job_id: None,
                        message: format!(
                            "delivery {id} to {about} failed {} times and was dead-lettered",
                            round
                        ),
                        detail: Some(format!("last attempt: {why}")),
                    },
                    skip,
                )?;
            }
            match change {
                Some(BreakerChange::Opened { until }) => {
                    tx.event_skipping(
                        NewEvent {
                            ts: now,
                            kind: EventKind::EndpointFailing,
                            program_id: None,
                            job_id: None,
                            message: format!(
                                "endpoint {about} keeps failing; sending paused for {} s",
                                (until - now) / 1000
                            ),
                            detail: None,
                        },
                        skip,
                    )?;
                }
                Some(BreakerChange::Closed) => {
                    tx.event(NewEvent {
                        ts: now,
                        kind: EventKind::EndpointRecovered,
                        program_id: None,
                        job_id: None,
                        message: format!("endpoint {about} accepts deliveries again"),
                        detail: None,
                    })?;
                }
                None => {}
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(delivery = id, error = %e, "cannot record a delivery attempt");
    }
}

async fn show(engine: &Engine, body: &str) -> Tried {
    let started = Instant::now();
    let error = match (
        engine.config().notifier.clone(),
        serde_json::from_str::<OsNotification>(body),
    ) {
        (None, _) => Some("no desktop session to show notifications".to_owned()),
        (_, Err(e)) => Some(format!("unreadable notification: {e}")),
        (Some(n), Ok(note)) => tokio::task::spawn_blocking(move || n.show(&note))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r)
            .err(),
    };
    Tried {
        status_code: None,
        error,
        latency_ms: started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32,
        retry_after_ms: None,
    }
}

/// Sends a made-up event to an endpoint now, outside the outbox, and says what happened.
pub(crate) async fn send_test(engine: &Engine, endpoint: &Endpoint) -> Result<Attempt, ApiError> {
    let event = vigil_core::Event {
        id: 0,
        ts: now_ms(),
        kind: EventKind::EngineStarted,
        program_id: None,
        job_id: None,
        message: format!("Test message from Vigil to endpoint {:?}", endpoint.name),
        detail: None,
    };
    let body = endpoint.body(&Notice {
        event: &event,
        subject: None,
        count: 1,
    })?;
    let key = format!("test-{}", now_ms());
    let tried = post(&engine.outbox().client, endpoint, &body, &key, 0).await;
    Ok(Attempt {
        n: 1,
        ts: event.ts,
        status_code: tried.status_code,
        error: tried.error,
        latency_ms: tried.latency_ms,
    })
}
