//! Trigger credentials: how an incoming request to run a job proves itself.

#[allow(unused_imports)]
use super::*;

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
