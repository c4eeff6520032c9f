//! Trigger credentials and the incoming hook that uses them.

#[allow(unused_imports)]
use super::*;

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
