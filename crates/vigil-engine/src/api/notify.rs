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

/// Every endpoint, secrets masked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListEndpoints {}

impl Request for ListEndpoints {
    type Response = Vec<Endpoint>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Endpoint>, ApiError> {
        let all = engine.read(vigil_store::list_endpoints).await?;
        Ok(all.into_iter().map(Endpoint::masked).collect())
    }
}

/// One endpoint, secrets masked.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for GetEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let e = engine
            .read(move |c| vigil_store::get_endpoint(c, self.id))
            .await?;
        Ok(e.masked())
    }
}

/// Creates an endpoint (`id` 0 or absent) or replaces one; secrets sent back masked keep
/// their stored values. Returns it masked.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveEndpoint {
    /// The endpoint as sent.
    pub endpoint: Endpoint,
}

impl Request for SaveEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let endpoint = self.endpoint.validate()?;
        let saved = engine
            .write(move |tx| vigil_store::put_endpoint(tx, endpoint, now_ms()))
            .await?;
        engine.outbox().endpoints_changed();
        Ok(saved.masked())
    }
}

/// Creates an endpoint (`POST /endpoints`): any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateEndpoint(pub Endpoint);

impl Request for CreateEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let mut endpoint = self.0;
        endpoint.id = 0;
        SaveEndpoint { endpoint }.handle(engine).await
    }
}

/// Replaces the endpoint with this id; secrets sent back masked keep their stored values.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateEndpoint(pub Endpoint);

impl Request for UpdateEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let endpoint = self.0;
        if endpoint.id <= 0 {
            return Err(ApiError::not_found(format!(
                "no object with id {}",
                endpoint.id
            )));
        }
        SaveEndpoint { endpoint }.handle(engine).await
    }
}

/// Deletes an endpoint no rule uses.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for DeleteEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let e = engine
            .write(move |tx| vigil_store::delete_endpoint(tx, self.id, now_ms()))
            .await?;
        engine.outbox().endpoints_changed();
        Ok(e.masked())
    }
}

/// Sends a test message to an endpoint now (outside the outbox) and reports the attempt.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct TestEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for TestEndpoint {
    type Response = Attempt;

    async fn handle(self, engine: &Engine) -> Result<Attempt, ApiError> {
        let e = engine
            .read(move |c| vigil_store::get_endpoint(c, self.id))
            .await?;
        crate::outbox::send_test(engine, &e).await
    }
}

/// Every rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListRules {}

impl Request for ListRules {
    type Response = Vec<Rule>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Rule>, ApiError> {
        engine.read(vigil_store::list_rules).await
    }
}

/// One rule.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetRule {
    /// Its id.
    #[ts(type = "number")]
    pub id: RuleId,
}

impl Request for GetRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        engine
            .read(vigil_store::list_rules)
            .await?
            .into_iter()
            .find(|r| r.id == self.id)
            .ok_or_else(|| ApiError::not_found(format!("no rule {}", self.id)))
    }
}

/// Creates a rule (`id` 0 or absent) or replaces one.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveRule {
    /// The rule as sent.
    pub rule: Rule,
}

impl Request for SaveRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let rule = self.rule.validate()?;
        engine
            .write(move |tx| vigil_store::put_rule(tx, rule, now_ms()))
            .await
    }
}

/// Creates a rule (`POST /rules`): any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateRule(pub Rule);

impl Request for CreateRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let mut rule = self.0;
        rule.id = 0;
        SaveRule { rule }.handle(engine).await
    }
}

/// Replaces the rule with this id.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateRule(pub Rule);

impl Request for UpdateRule {
    type Response = Rule;

    async fn handle(self, engine: &Engine) -> Result<Rule, ApiError> {
        let rule = self.0;
        if rule.id <= 0 {
            return Err(ApiError::not_found(format!(
                "no object with id {}",
                rule.id
            )));
        }
        SaveRule { rule }.handle(engine).await
    }
}

/// Deletes a rule.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteRule {
    /// Its id.
    #[ts(type = "number")]
    pub id: RuleId,
}

impl Request for DeleteRule {
    type Response = ();

    async fn handle(self, engine: &Engine) -> Result<(), ApiError> {
        engine
            .write(move |tx| vigil_store::delete_rule(tx, self.id))
            .await
    }
}

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

/// A job's trigger credentials (never their secrets).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListTriggers {
    /// The job.
    pub job: JobId,
}

impl Request for ListTriggers {
    type Response = Vec<TriggerCredential>;

    async fn handle(self, engine: &Engine) -> Result<Vec<TriggerCredential>, ApiError> {
        known_job(engine, &self.job)?;
        let all = engine
            .read(move |c| vigil_store::trigger_secrets(c, &self.job))
            .await?;
        Ok(all.into_iter().map(|(t, _)| t).collect())
    }
}

fn known_job(engine: &Engine, id: &str) -> Result<(), ApiError> {
    engine
        .jobs()
        .job(id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("no job {id:?}")))
}

/// Creates a trigger credential for a job. The secret is in the answer once and never again.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateTrigger {
    /// The job it runs.
    pub job: JobId,
    /// A name for people.
    pub name: String,
    /// Token (default) or HMAC secret.
    #[serde(default = "token_kind")]
    pub kind: TriggerKind,
}

fn token_kind() -> TriggerKind {
    TriggerKind::Token
}

/// A new credential and its secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewTrigger {
    /// The credential.
    pub credential: TriggerCredential,
    /// The token (send as `Authorization: Bearer`) or the HMAC key (sign the body with it).
    pub secret: String,
}

impl Request for CreateTrigger {
    type Response = NewTrigger;

    async fn handle(self, engine: &Engine) -> Result<NewTrigger, ApiError> {
        known_job(engine, &self.job)?;
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ApiError::invalid(
                "a trigger name must be 1 to 100 characters",
            ));
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
        let secret = format!("vgt_{}", hex::encode(bytes));
        let stored = match self.kind {
            TriggerKind::Token => hash_token(&secret),
            TriggerKind::Hmac => secret.clone(),
        };
        let (job, kind) = (self.job, self.kind);
        let credential = engine
            .write(move |tx| vigil_store::insert_trigger(tx, &job, &name, kind, &stored, now_ms()))
            .await?;
        Ok(NewTrigger { credential, secret })
    }
}

/// Revokes a trigger credential.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RevokeTrigger {
    /// The job.
    pub job: JobId,
    /// The credential.
    #[ts(type = "number")]
    pub id: i64,
}

impl Request for RevokeTrigger {
    type Response = ();

    async fn handle(self, engine: &Engine) -> Result<(), ApiError> {
        engine
            .write(move |tx| vigil_store::delete_trigger(tx, &self.job, self.id))
            .await
    }
}

/// Largest body an incoming trigger may carry.
pub const MAX_HOOK_BODY: usize = 64 * 1024;

/// An incoming webhook asking to run a job: authenticated by a trigger token or an HMAC
/// signature of the body; the body (`{"options": {...}}`, or empty) is checked against the
/// job's options. A refused request starts nothing.
#[derive(Debug, Clone)]
pub struct HookRun {
    /// The job.
    pub job: JobId,
    /// The raw body.
    pub body: Vec<u8>,
    /// The presented token, if any.
    pub token: Option<String>,
    /// The presented `sha256=<hex>` signature, if any.
    pub signature: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HookBody {
    #[serde(default)]
    options: BTreeMap<String, Value>,
}

impl Request for HookRun {
    type Response = RunAccepted;

    async fn handle(self, engine: &Engine) -> Result<RunAccepted, ApiError> {
        if self.body.len() > MAX_HOOK_BODY {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is over {MAX_HOOK_BODY} bytes"),
            ));
        }
        known_job(engine, &self.job)?;
        let job = self.job.clone();
        let credentials = engine
            .read(move |c| vigil_store::trigger_secrets(c, &job))
            .await?;
        let presented = self.token.as_deref().map(hash_token);
        let matched = credentials.iter().find(|(c, stored)| match c.kind {
            TriggerKind::Token => presented
                .as_ref()
                .is_some_and(|h| bool::from(h.as_bytes().ct_eq(stored.as_bytes()))),
            TriggerKind::Hmac => self
                .signature
                .as_deref()
                .is_some_and(|s| verify_signature(stored.as_bytes(), &self.body, s)),
        });
        let Some((credential, _)) = matched else {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "a valid trigger token or body signature is required",
            ));
        };
        // JSON whitespace only: a form feed is not blank, it is an invalid body.
        let body: HookBody = if self
            .body
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            HookBody {
                options: BTreeMap::new(),
            }
        } else {
            serde_json::from_slice(&self.body)
                .map_err(|e| ApiError::invalid(format!("invalid JSON body: {e}")))?
        };
        let run = crate::jobs::start(
            engine,
            RunRequest {
                job_id: self.job,
                options: body.options,
                trigger: Trigger::Webhook,
                not_before: None,
            },
        )
        .await?;
        let id = credential.id;
        engine
            .write(move |tx| vigil_store::trigger_used(tx, id, now_ms()))
            .await?;
        Ok(RunAccepted { run_id: run.id })
    }
}
