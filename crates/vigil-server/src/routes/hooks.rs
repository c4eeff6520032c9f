//! `POST /hooks/jobs/{id}`: incoming webhooks, authenticated by their own trigger credentials,
//! not the API token.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use vigil_core::ErrorCode;
use vigil_engine::ApiError;
use vigil_engine::api::{HookRun, RunAccepted};

use super::Text;
use crate::HttpError;
use crate::state::AppState;

/// Runs the job for a request carrying a trigger token (`Authorization: Bearer` or
/// `X-Vigil-Token`) or a body signature (`X-Vigil-Signature-256`).
pub(super) async fn hook_run(
    State(s): State<AppState>,
    Text(job): Text,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RunAccepted>), HttpError> {
    let body = body.map_err(|e| {
        let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::InvalidInput
        };
        HttpError(ApiError::new(code, format!("cannot read the body: {e}")))
    })?;
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    };
    let token = text(header::AUTHORIZATION.as_str())
        .and_then(|v| crate::state::bearer(&v).map(str::to_owned))
        .or_else(|| text("x-vigil-token"));
    let accepted = s
        .engine
        .call(HookRun {
            job,
            body: body.to_vec(),
            token,
            signature: text("x-vigil-signature-256"),
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
