//! Telling people, against real HTTP receivers on 127.0.0.1 (one that is down, one that answers
//! 500, one that hangs, one that is slow), a real SQLite file and real job runs. Tests wait on
//! conditions, never fixed sleeps.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::{DEADLINE, fixture_path};

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use vigil_core::{
    Delivery, DeliveryStatus, Endpoint, EventKind, Job, Rule, Trigger, TriggerKind, hash_token,
    sign, verify_signature,
};
use vigil_engine::api::{
    CreateTrigger, DeleteEndpoint, DeleteRule, GetDelivery, GetEndpoint, GetHealth, GetRule,
    GetRun, HealthLevel, HookRun, ListDeliveries, ListEndpoints, ListEvents, ListRules, ListRuns,
    ListTriggers, ReplayDeliveries, RevokeTrigger, SaveEndpoint, SaveJob, SaveRule, TestEndpoint,
};
use vigil_engine::{Engine, EngineConfig, ErrorCode, Notifier, OsNotification};

/// How a receiver answers.
#[derive(Debug, Clone)]
enum Mode {
    Ok,
    /// Answers 500 this many times, then 200.
    FailFirst(u32),
    /// Never answers.
    Hang,
    /// Answers 200 after this long.
    Slow(Duration),
    /// Answers 429 with `Retry-After: 1` this many times, then 200.
    Busy(u32),
}

#[derive(Debug, Clone)]
struct Hit {
    headers: HeaderMap,
    body: String,
}

/// A webhook receiver on 127.0.0.1 recording every request.
#[derive(Clone)]
struct Receiver {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    mode: Arc<Mutex<Mode>>,
}

impl Receiver {
    async fn start(mode: Mode) -> Self {
        Self::on(SocketAddr::from(([127, 0, 0, 1], 0)), mode).await
    }

    async fn on(addr: SocketAddr, mode: Mode) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let me = Self {
            addr: listener.local_addr().unwrap(),
            hits: Arc::default(),
            mode: Arc::new(Mutex::new(mode)),
        };
        let state = me.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                state.hits.lock().unwrap().push(Hit { headers, body });
                let mode = state.mode.lock().unwrap().clone();
                let status = match mode {
                    Mode::Busy(n) if n > 0 => {
                        *state.mode.lock().unwrap() = Mode::Busy(n - 1);
                        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")])
                            .into_response();
                    }
                    Mode::Busy(_) | Mode::Ok => StatusCode::OK,
                    Mode::FailFirst(n) if n > 0 => {
                        *state.mode.lock().unwrap() = Mode::FailFirst(n - 1);
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Mode::FailFirst(_) => StatusCode::OK,
                    Mode::Hang => {
                        std::future::pending::<()>().await;
                        StatusCode::OK
                    }
                    Mode::Slow(d) => {
                        tokio::time::sleep(d).await;
                        StatusCode::OK
                    }
                };
                status.into_response()
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        me
    }

    /// An address where nothing listens (a receiver that is down).
    async fn down() -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

async fn start(dir: &tempfile::TempDir) -> Engine {
    Engine::start(EngineConfig::new(dir.path())).await.unwrap()
}

/// Polls `f` until it gives `Some`, failing with `what` after the deadline.
async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn endpoint(url: &str, extra: Value) -> Endpoint {
    let mut e = json!({ "name": format!("hook {url}"), "url": url, "backoff_ms": 20 });
    if let (Some(base), Some(more)) = (e.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    serde_json::from_value(e).unwrap()
}

async fn add_endpoint(engine: &Engine, url: &str, extra: Value) -> Endpoint {
    engine
        .call(SaveEndpoint {
            endpoint: endpoint(url, extra),
        })
        .await
        .unwrap()
}

async fn add_rule(engine: &Engine, rule: Value) -> Rule {
    let rule: Rule = serde_json::from_value(rule).unwrap();
    engine.call(SaveRule { rule }).await.unwrap()
}

/// Saves a job, which records a `job_saved` event about it.
async fn save_job(engine: &Engine, id: &str, extra: Value) {
    let mut j = json!({ "id": id, "name": id, "command": fixture_path(), "args": ["exit", "0"] });
    if let (Some(base), Some(more)) = (j.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    let job: Job = serde_json::from_value(j).unwrap();
    let exists = engine
        .call(vigil_engine::api::ListJobs {})
        .await
        .unwrap()
        .iter()
        .any(|j| j.id == id);
    engine.call(SaveJob::job(&job, exists)).await.unwrap();
}

async fn deliveries(engine: &Engine) -> Vec<Delivery> {
    engine.call(ListDeliveries::default()).await.unwrap()
}

/// Waits until delivery `id` is in `status`.
async fn delivery_in(engine: &Engine, id: i64, status: DeliveryStatus) -> Delivery {
    until(&format!("delivery {id} to be {status:?}"), || async {
        let d = engine.call(GetDelivery { id }).await.unwrap().delivery;
        (d.status == status).then_some(d)
    })
    .await
}

/// Whether an event of `kind` has been recorded.
async fn has_event(engine: &Engine, kind: EventKind) -> bool {
    let all = ListEvents {
        since: 0,
        limit: None,
    };
    engine
        .call(all)
        .await
        .unwrap()
        .iter()
        .any(|e| e.kind == kind)
}

async fn only_delivery(engine: &Engine) -> Delivery {
    let all = deliveries(engine).await;
    assert_eq!(all.len(), 1, "exactly one delivery was expected: {all:?}");
    all.into_iter().next().unwrap()
}

/// An engine with one endpoint at a receiver in `mode`, a rule sending `job_saved` to it, and
/// job "a" saved once: the one delivery that made. Keep the temp dir alive with the engine.
async fn one_delivery(mode: Mode, extra: Value) -> (tempfile::TempDir, Engine, Receiver, Delivery) {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let (rx, d) = one_delivery_on(&engine, mode, extra).await;
    (dir, engine, rx, d)
}

/// The same on a given engine.
async fn one_delivery_on(engine: &Engine, mode: Mode, extra: Value) -> (Receiver, Delivery) {
    let rx = Receiver::start(mode).await;
    let e = add_endpoint(engine, &rx.url(), extra).await;
    add_rule(
        engine,
        json!({"name": "r", "kinds": ["job_saved"], "endpoints": [e.id]}),
    )
    .await;
    save_job(engine, "a", json!({})).await;
    let d = only_delivery(engine).await;
    (rx, d)
}

#[tokio::test]
async fn a_rule_sends_matching_events_signed_with_the_idempotency_key() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let rx = Receiver::start(Mode::Ok).await;
    let e = add_endpoint(
        &engine,
        &rx.url(),
        json!({
            "signing_secret": "sign-me",
            "headers": [{"name": "X-Api-Key", "value": "k3y", "secret": true}]
        }),
    )
    .await;
    add_rule(
        &engine,
        json!({"name": "a only", "kinds": ["job_saved"], "jobs": ["a"], "endpoints": [e.id]}),
    )
    .await;
    save_job(&engine, "b", json!({})).await;
    save_job(&engine, "a", json!({"tags": ["prod"]})).await;
    let d = only_delivery(&engine).await;
    let d = delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    let hits = rx.hits();
    assert_eq!(hits.len(), 1, "one event matched, one request");
    let hit = &hits[0];
    let body: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(body["event"]["kind"], "job_saved");
    assert_eq!(body["event"]["job_id"], "a");
    assert_eq!(body["subject"], "a");
    assert_eq!(
        hit.headers["idempotency-key"].to_str().unwrap(),
        d.idempotency_key
    );
    assert_eq!(hit.headers["x-api-key"], "k3y", "secret headers are sent");
    let sig = hit.headers["x-vigil-signature-256"].to_str().unwrap();
    assert!(
        verify_signature(b"sign-me", hit.body.as_bytes(), sig),
        "the receiver must be able to verify the body's signature"
    );
    let detail = engine.call(GetDelivery { id: d.id }).await.unwrap();
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.attempts[0].status_code, Some(200));

    // The tag filter matches too, and a disabled rule sends nothing.
    add_rule(
        &engine,
        json!({"name": "prod", "kinds": ["job_saved"], "tags": ["prod"], "endpoints": [e.id], "fold_secs": 0}),
    )
    .await;
    add_rule(
        &engine,
        json!({"name": "off", "enabled": false, "endpoints": [e.id]}),
    )
    .await;
    save_job(&engine, "a", json!({"tags": ["prod"], "category": "again"})).await;
    until("the tag rule's delivery", || async {
        (rx.hits().len() == 2).then_some(())
    })
    .await;
    engine.stop().await;
}

#[tokio::test]
async fn a_500_is_retried_with_backoff_until_delivered() {
    let (_dir, engine, rx, d) = one_delivery(Mode::FailFirst(2), json!({"max_attempts": 5})).await;
    let d = delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    let detail = engine.call(GetDelivery { id: d.id }).await.unwrap();
    let codes: Vec<_> = detail.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)], "{detail:?}");
    let keys: Vec<_> = rx
        .hits()
        .iter()
        .map(|h| h.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "every attempt carries the same key"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_busy_receiver_is_retried_no_sooner_than_it_asks() {
    let (_dir, engine, _rx, d) = one_delivery(Mode::Busy(1), json!({"backoff_ms": 20})).await;
    delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    let a = engine
        .call(GetDelivery { id: d.id })
        .await
        .unwrap()
        .attempts;
    assert_eq!(a[0].status_code, Some(429));
    assert!(
        a[1].ts - a[0].ts >= 1000,
        "Retry-After: 1 outweighs a 20 ms backoff: {a:?}"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_hanging_receiver_times_out_is_dead_lettered_then_replayed() {
    let (_dir, engine, rx, d) =
        one_delivery(Mode::Hang, json!({"timeout_ms": 200, "max_attempts": 2})).await;
    let d = delivery_in(&engine, d.id, DeliveryStatus::Dead).await;
    let detail = engine.call(GetDelivery { id: d.id }).await.unwrap();
    assert_eq!(detail.attempts.len(), 2);
    for a in &detail.attempts {
        assert_eq!(a.status_code, None);
        assert_eq!(a.error.as_deref(), Some("no answer within 200 ms"));
        assert!(a.latency_ms >= 200, "{a:?}");
    }
    assert!(
        has_event(&engine, EventKind::DeliveryDeadLettered).await,
        "dead-lettering is an event"
    );
    rx.set(Mode::Ok);
    let replayed = engine
        .call(ReplayDeliveries {
            ids: vec![d.id],
            endpoint: None,
        })
        .await
        .unwrap();
    assert_eq!(replayed.replayed, 1);
    delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    engine.stop().await;
}

#[tokio::test]
async fn a_receiver_down_for_the_whole_window_is_dead_lettered_and_replay_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let addr = Receiver::down().await;
    let url = format!("http://{addr}/hook");
    let e = add_endpoint(&engine, &url, json!({"max_attempts": 3})).await;
    // Every kind, including the dead-letter event itself: it must not be sent to the endpoint
    // whose failure it reports.
    add_rule(&engine, json!({"name": "all", "endpoints": [e.id]})).await;
    save_job(&engine, "a", json!({})).await;
    let d = only_delivery(&engine).await;
    let dead = delivery_in(&engine, d.id, DeliveryStatus::Dead).await;
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|m| m.starts_with("cannot connect")),
        "{dead:?}"
    );
    assert!(
        !dead
            .last_error
            .as_deref()
            .unwrap()
            .contains(&addr.to_string()),
        "errors must not repeat the URL (it can be the secret)"
    );
    let rx = Receiver::on(addr, Mode::Ok).await;
    let replayed = engine
        .call(ReplayDeliveries {
            ids: vec![],
            endpoint: Some(e.id),
        })
        .await
        .unwrap();
    assert_eq!(replayed.replayed, 1);
    delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    let kinds: Vec<String> = rx
        .hits()
        .iter()
        .map(|h| serde_json::from_str::<Value>(&h.body).unwrap()["event"]["kind"].to_string())
        .collect();
    assert_eq!(kinds, ["\"job_saved\""], "only the original event arrives");
    assert_eq!(
        deliveries(&engine).await.len(),
        1,
        "the dead-letter event made no delivery to its own endpoint"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_slow_receiver_within_the_timeout_is_delivered_with_its_latency() {
    let (_dir, engine, _rx, d) = one_delivery(
        Mode::Slow(Duration::from_millis(300)),
        json!({"timeout_ms": 5000}),
    )
    .await;
    delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    let detail = engine.call(GetDelivery { id: d.id }).await.unwrap();
    assert_eq!(detail.attempts.len(), 1, "slow is not failed");
    assert!(detail.attempts[0].latency_ms >= 300, "{detail:?}");
    engine.stop().await;
}

#[tokio::test]
async fn repeats_within_the_window_fold_into_one_follow_up_with_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let rx = Receiver::start(Mode::Ok).await;
    let e = add_endpoint(&engine, &rx.url(), json!({"preset": "slack"})).await;
    add_rule(
        &engine,
        json!({"name": "r", "kinds": ["job_saved"], "endpoints": [e.id], "fold_secs": 3}),
    )
    .await;
    for i in 0..5 {
        save_job(&engine, "a", json!({"category": format!("v{i}")})).await;
    }
    let all = deliveries(&engine).await;
    assert_eq!(all.len(), 2, "a lead and one fold: {all:?}");
    assert_eq!(all[0].count, 4, "the follow-up carries the repeats");
    assert_eq!(all[1].count, 1);
    until("both deliveries", || async {
        (rx.hits().len() == 2).then_some(())
    })
    .await;
    let hits = rx.hits();
    let first: Value = serde_json::from_str(&hits[0].body).unwrap();
    let second: Value = serde_json::from_str(&hits[1].body).unwrap();
    assert!(!first["text"].as_str().unwrap().contains("times"));
    assert!(
        second["text"].as_str().unwrap().contains("4 times"),
        "{second}"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_failing_endpoint_rests_while_others_keep_flowing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(dir.path());
    config.breaker_cooldown = Duration::from_millis(500);
    let engine = Engine::start(config).await.unwrap();
    let down_addr = Receiver::down().await;
    let down = format!("http://{down_addr}/hook");
    let bad = add_endpoint(&engine, &down, json!({"max_attempts": 1})).await;
    let rx = Receiver::start(Mode::Ok).await;
    let good = add_endpoint(&engine, &rx.url(), json!({})).await;
    add_rule(
        &engine,
        json!({"name": "r", "kinds": ["job_saved"], "endpoints": [bad.id, good.id], "fold_secs": 0}),
    )
    .await;
    // Fail one delivery after another until the breaker opens.
    let mut saved = 0;
    while !has_event(&engine, EventKind::EndpointFailing).await {
        assert!(saved < 20, "five failures in a row must open the breaker");
        saved += 1;
        save_job(&engine, "a", json!({"category": format!("v{saved}")})).await;
        until("the bad endpoint's attempt", || async {
            let to_bad = engine
                .call(ListDeliveries {
                    endpoint: Some(bad.id),
                    ..Default::default()
                })
                .await
                .unwrap();
            to_bad.iter().all(|d| d.attempts > 0).then_some(())
        })
        .await;
    }
    assert_eq!(saved, 5, "the fifth failure in a row opens it");
    for i in 0..3 {
        save_job(&engine, "a", json!({"category": format!("after{i}")})).await;
    }
    until("every delivery to the good endpoint", || async {
        (rx.hits().len() == saved + 3).then_some(())
    })
    .await;
    let to_bad = engine
        .call(ListDeliveries {
            endpoint: Some(bad.id),
            limit: Some(3),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        to_bad
            .iter()
            .all(|d| d.status == DeliveryStatus::Pending && d.attempts == 0),
        "while the breaker is open, the endpoint's deliveries wait untried: {to_bad:?}"
    );
    let health = engine.call(GetHealth {}).await.unwrap();
    assert_eq!(health.endpoints_resting, 1);
    assert_eq!(health.resting_endpoints, [bad.id]);
    assert!(
        health.reasons.iter().any(|r| r.contains(&bad.name)),
        "the reason names the endpoint: {health:?}"
    );
    assert!(health.level >= HealthLevel::Warning, "{health:?}");

    // The endpoint comes back: after the rest one trial goes, succeeds, and the waiting
    // deliveries follow.
    let back = Receiver::on(down_addr, Mode::Ok).await;
    until("the endpoint_recovered event", || async {
        has_event(&engine, EventKind::EndpointRecovered)
            .await
            .then_some(())
    })
    .await;
    until("the waiting deliveries", || async {
        (back.hits().len() >= 3).then_some(())
    })
    .await;
    engine.stop().await;
}

#[tokio::test]
async fn secrets_are_masked_when_read_and_kept_when_saved_back() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let rx = Receiver::start(Mode::Ok).await;
    let e = add_endpoint(
        &engine,
        &rx.url(),
        json!({
            "signing_secret": "sign-me",
            "headers": [{"name": "Authorization", "value": "Bearer t0k", "secret": true}]
        }),
    )
    .await;
    for shown in [
        serde_json::to_string(&e).unwrap(),
        serde_json::to_string(&engine.call(ListEndpoints {}).await.unwrap()).unwrap(),
        serde_json::to_string(&engine.call(GetEndpoint { id: e.id }).await.unwrap()).unwrap(),
    ] {
        assert!(
            !shown.contains("t0k") && !shown.contains("sign-me"),
            "{shown}"
        );
    }
    // Edit the name only, sending the masked values back.
    let mut edited = engine.call(GetEndpoint { id: e.id }).await.unwrap();
    edited.name = "renamed".into();
    engine
        .call(SaveEndpoint { endpoint: edited })
        .await
        .unwrap();
    let attempt = engine.call(TestEndpoint { id: e.id }).await.unwrap();
    assert_eq!(attempt.status_code, Some(200));
    let hit = rx.hits().pop().unwrap();
    assert_eq!(hit.headers["authorization"], "Bearer t0k");
    assert_eq!(
        hit.headers["x-vigil-signature-256"].to_str().unwrap(),
        sign(b"sign-me", hit.body.as_bytes())
    );
    engine.stop().await;
}

#[tokio::test]
async fn bad_notification_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let e = add_endpoint(&engine, "http://127.0.0.1:9/x", json!({})).await;
    let rule = add_rule(&engine, json!({"name": "r", "endpoints": [e.id]})).await;
    let code = |r: Result<_, vigil_engine::ApiError>| r.map(|_: ()| ()).unwrap_err().code;
    let save = |v: Value| {
        let engine = engine.clone();
        async move {
            let endpoint: Endpoint = serde_json::from_value(v).unwrap();
            engine.call(SaveEndpoint { endpoint }).await.map(|_| ())
        }
    };
    for (bad, want) in [
        (
            json!({"name": "x", "url": "ftp://h/"}),
            ErrorCode::InvalidInput,
        ),
        (json!({"name": "x", "url": "::"}), ErrorCode::InvalidInput),
        (
            json!({"name": "x", "url": "http://h/", "preset": "custom", "template": "{\"a\": {{nope}}}"}),
            ErrorCode::InvalidInput,
        ),
        (
            json!({"name": "x", "url": "http://h/", "preset": "custom", "template": "{\"a\": {{message}}}"}),
            ErrorCode::InvalidInput,
        ),
        (
            json!({"name": e.name, "url": "http://h/"}),
            ErrorCode::Conflict,
        ),
        (
            json!({"id": 999, "name": "y", "url": "http://h/"}),
            ErrorCode::NotFound,
        ),
    ] {
        assert_eq!(code(save(bad.clone()).await), want, "{bad}");
    }
    let rule_err = |v: Value| {
        let engine = engine.clone();
        async move {
            let rule: Rule = serde_json::from_value(v).unwrap();
            engine.call(SaveRule { rule }).await.map(|_| ())
        }
    };
    assert_eq!(
        code(rule_err(json!({"name": "r2", "endpoints": [999]})).await),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(rule_err(json!({"name": "r2"})).await),
        ErrorCode::InvalidInput,
        "no channel"
    );
    assert_eq!(
        code(rule_err(json!({"id": 999, "name": "r2", "os": true})).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(engine.call(DeleteEndpoint { id: e.id }).await.map(|_| ())),
        ErrorCode::Conflict,
        "an endpoint a rule uses cannot go"
    );
    assert_eq!(
        code(engine.call(GetDelivery { id: 42 }).await.map(|_| ())),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            engine
                .call(ReplayDeliveries {
                    ids: vec![42],
                    endpoint: None
                })
                .await
                .map(|_| ())
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(engine.call(DeleteRule { id: 999 }).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(engine.call(GetRule { id: 999 }).await.map(|_| ())),
        ErrorCode::NotFound
    );
    assert_eq!(engine.call(GetRule { id: rule.id }).await.unwrap(), rule);
    let endpoints = engine.call(ListEndpoints {}).await.unwrap();
    assert_eq!(endpoints.len(), 1, "nothing was added: {endpoints:?}");
    assert_eq!(
        endpoints[0].url, "http://127.0.0.1:9/x",
        "nothing was changed"
    );
    assert_eq!(engine.call(ListRules {}).await.unwrap(), vec![rule]);

    // A pending delivery cannot be replayed.
    save_job(&engine, "a", json!({})).await;
    let d = deliveries(&engine).await.pop().unwrap();
    if d.status != DeliveryStatus::Dead {
        assert_eq!(
            code(
                engine
                    .call(ReplayDeliveries {
                        ids: vec![d.id],
                        endpoint: None
                    })
                    .await
                    .map(|_| ())
            ),
            ErrorCode::Conflict
        );
    }
    engine.stop().await;
}

#[tokio::test]
async fn deliveries_wait_in_the_database_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let addr = Receiver::down().await;
    let engine = start(&dir).await;
    let e = add_endpoint(
        &engine,
        &format!("http://{addr}/hook"),
        json!({"max_attempts": 50, "backoff_ms": 50}),
    )
    .await;
    add_rule(
        &engine,
        json!({"name": "r", "kinds": ["job_saved"], "endpoints": [e.id], "fold_secs": 0}),
    )
    .await;
    for i in 0..3 {
        save_job(&engine, "a", json!({"category": format!("v{i}")})).await;
    }
    until("a failed attempt", || async {
        deliveries(&engine)
            .await
            .iter()
            .any(|d| d.attempts > 0)
            .then_some(())
    })
    .await;
    engine.stop().await;
    let rx = Receiver::on(addr, Mode::Ok).await;
    let engine = start(&dir).await;
    until("every delivery after the restart", || async {
        let all = deliveries(&engine).await;
        all.iter()
            .all(|d| d.status == DeliveryStatus::Delivered)
            .then_some(())
    })
    .await;
    assert!(rx.hits().len() >= 3, "{:?}", rx.hits().len());
    engine.stop().await;
}

#[derive(Debug, Default)]
struct Shown(Mutex<Vec<OsNotification>>, Mutex<u32>);

impl Notifier for Shown {
    fn show(&self, n: &OsNotification) -> Result<(), String> {
        let mut fails = self.1.lock().unwrap();
        if *fails > 0 {
            *fails -= 1;
            return Err("no notification daemon".into());
        }
        self.0.lock().unwrap().push(n.clone());
        Ok(())
    }
}

#[tokio::test]
async fn os_notifications_go_through_the_notifier_and_are_retried() {
    let dir = tempfile::tempdir().unwrap();
    let shown = Arc::new(Shown::default());
    *shown.1.lock().unwrap() = 1;
    let mut config = EngineConfig::new(dir.path());
    config.notifier = Some(shown.clone());
    let engine = Engine::start(config).await.unwrap();
    add_rule(
        &engine,
        json!({"name": "os", "kinds": ["job_saved"], "os": true}),
    )
    .await;
    save_job(&engine, "nightly", json!({})).await;
    let n = until("the notification", || async {
        shown.0.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!(n.link, "#/jobs/nightly");
    assert!(n.title.contains("nightly"), "{n:?}");
    // The attempt is recorded after the notifier answered: wait for the record.
    let d = only_delivery(&engine).await;
    let d = delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    assert_eq!(d.attempts, 2, "the failed first try was retried");
    engine.stop().await;

    // Without a notifier (the headless daemon), the OS channel makes no deliveries.
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    add_rule(
        &engine,
        json!({"name": "os", "kinds": ["job_saved"], "os": true}),
    )
    .await;
    save_job(&engine, "nightly", json!({})).await;
    assert!(deliveries(&engine).await.is_empty());
    engine.stop().await;
}

fn hook(job: &str, body: &str, token: Option<&str>, signature: Option<String>) -> HookRun {
    HookRun {
        job: job.into(),
        body: body.as_bytes().to_vec(),
        token: token.map(str::to_owned),
        signature,
    }
}

#[tokio::test]
async fn incoming_triggers_need_a_valid_token_or_signature_and_valid_options() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save_job(
        &engine,
        "deploy",
        json!({"options": [{"name": "env", "type": "select", "choices": ["prod", "test"], "flag": "--env"}]}),
    )
    .await;
    let token = engine
        .call(CreateTrigger {
            job: "deploy".into(),
            name: "ci".into(),
            kind: TriggerKind::Token,
        })
        .await
        .unwrap();
    let hmac = engine
        .call(CreateTrigger {
            job: "deploy".into(),
            name: "github".into(),
            kind: TriggerKind::Hmac,
        })
        .await
        .unwrap();
    let listed = engine
        .call(ListTriggers {
            job: "deploy".into(),
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        !serde_json::to_string(&listed)
            .unwrap()
            .contains(&token.secret)
    );
    let stored: String = vigil_store::Connection::open(dir.path().join(vigil_store::DB_FILE))
        .unwrap()
        .query_row(
            "SELECT secret FROM triggers WHERE id = ?1",
            [token.credential.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stored,
        hash_token(&token.secret),
        "tokens are stored hashed"
    );

    let body = r#"{"options": {"env": "test"}}"#;
    let refused = [
        (
            hook("deploy", body, Some("vgt_wrong"), None),
            ErrorCode::Unauthorized,
        ),
        (hook("deploy", body, None, None), ErrorCode::Unauthorized),
        (
            hook(
                "deploy",
                body,
                None,
                Some(sign(b"wrong key", body.as_bytes())),
            ),
            ErrorCode::Unauthorized,
        ),
        (
            hook("nope", body, Some(&token.secret), None),
            ErrorCode::NotFound,
        ),
        (
            hook(
                "deploy",
                r#"{"options": {"env": "staging"}}"#,
                Some(&token.secret),
                None,
            ),
            ErrorCode::InvalidInput,
        ),
        (
            hook(
                "deploy",
                r#"{"options": {"colour": "red"}}"#,
                Some(&token.secret),
                None,
            ),
            ErrorCode::InvalidInput,
        ),
        (
            hook("deploy", "{not json", Some(&token.secret), None),
            ErrorCode::InvalidInput,
        ),
        (
            hook("deploy", &" ".repeat(65 * 1024), Some(&token.secret), None),
            ErrorCode::PayloadTooLarge,
        ),
    ];
    for (request, want) in refused {
        let what = format!("{:?} {:?}", request.job, &request.token);
        let err = engine.call(request).await.unwrap_err();
        assert_eq!(err.code, want, "{what}: {err:?}");
    }
    let runs = engine.call(ListRuns::default()).await.unwrap();
    assert!(runs.is_empty(), "refused requests leave no run: {runs:?}");

    let by_token = engine
        .call(hook("deploy", body, Some(&token.secret), None))
        .await
        .unwrap();
    let run = engine
        .call(GetRun {
            id: by_token.run_id,
        })
        .await
        .unwrap();
    assert_eq!(run.trigger, Trigger::Webhook);
    assert_eq!(run.options, json!({"env": "test"}));
    let by_signature = engine
        .call(hook(
            "deploy",
            body,
            None,
            Some(sign(hmac.secret.as_bytes(), body.as_bytes())),
        ))
        .await
        .unwrap();
    assert_ne!(by_signature.run_id, by_token.run_id);

    engine
        .call(RevokeTrigger {
            job: "deploy".into(),
            id: token.credential.id,
        })
        .await
        .unwrap();
    let err = engine
        .call(hook("deploy", body, Some(&token.secret), None))
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Unauthorized,
        "a revoked token is refused"
    );
    let used = engine
        .call(ListTriggers {
            job: "deploy".into(),
        })
        .await
        .unwrap();
    assert!(used[0].last_used_at.is_some(), "{used:?}");

    // A job deleted and created again under the same id does not inherit its credentials.
    engine
        .call(vigil_engine::api::DeleteJob {
            id: "deploy".into(),
        })
        .await
        .unwrap();
    save_job(&engine, "deploy", json!({})).await;
    let err = engine
        .call(hook(
            "deploy",
            "",
            None,
            Some(sign(hmac.secret.as_bytes(), b"")),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthorized, "{err:?}");
    engine.stop().await;
}

/// The outbox waits on the engine's clock: an hour of backoff passes when a test moves the
/// clock, not in real time (and not before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backoff_waits_on_the_engines_clock() {
    let dir = tempfile::tempdir().unwrap();
    // A minute ahead of the wall clock, which stamps the event and so its delivery's due time.
    let start_at = chrono::Utc::now() + chrono::Duration::minutes(1);
    let clock = vigil_engine::ManualClock::new(start_at);
    let mut config = EngineConfig::new(dir.path());
    config.clock = clock.clone() as Arc<dyn vigil_engine::Clock>;
    let engine = Engine::start(config).await.unwrap();
    let (rx, d) = one_delivery_on(
        &engine,
        Mode::FailFirst(1),
        json!({"backoff_ms": 3_600_000, "max_attempts": 3}),
    )
    .await;
    until("the first attempt", || async {
        (rx.hits().len() == 1).then_some(())
    })
    .await;
    // Half a second of real time is nothing on an hour's backoff.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.hits().len(), 1, "no retry before the clock moves");
    let t = Instant::now();
    clock.set(start_at + chrono::Duration::hours(2));
    let d = delivery_in(&engine, d.id, DeliveryStatus::Delivered).await;
    assert_eq!(d.attempts, 2);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "the retry came when the clock moved, not an hour later"
    );
    engine.stop().await;
}
