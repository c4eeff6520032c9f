//! Routes for notification endpoints, rules, the delivery log, trigger credentials and the
//! incoming trigger hook. Adapters only: each calls one engine request.

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use vigil_core::{Attempt, Delivery, Endpoint, ErrorCode, Rule, TriggerCredential};
use vigil_engine::ApiError;
use vigil_engine::api::{
    CreateTrigger, DeleteEndpoint, DeleteRule, DeliveryDetail, GetDelivery, GetEndpoint, GetHealth,
    GetRule, Health, HookRun, ListDeliveries, ListEndpoints, ListRules, ListTriggers, NewTrigger,
    ReplayDeliveries, Replayed, RevokeTrigger, RunAccepted, SaveEndpoint, SaveRule, TestEndpoint,
};

use crate::routes::{AppState, parse_id};
use crate::{ApiJson, ApiQuery, HttpError};

type ApiResult<T> = Result<T, HttpError>;

/// The `/api` routes (behind the API token).
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/health/overall", get(health))
        .route("/endpoints", get(list_endpoints).post(create_endpoint))
        .route(
            "/endpoints/{id}",
            get(get_endpoint)
                .put(update_endpoint)
                .delete(delete_endpoint),
        )
        .route("/endpoints/{id}/test", post(test_endpoint))
        .route("/rules", get(list_rules).post(create_rule))
        .route(
            "/rules/{id}",
            get(get_rule).put(update_rule).delete(delete_rule),
        )
        .route("/deliveries", get(list_deliveries))
        .route("/deliveries/replay", post(replay))
        .route("/deliveries/{id}", get(get_delivery))
        .route(
            "/jobs/{id}/triggers",
            get(list_triggers).post(create_trigger),
        )
        .route(
            "/jobs/{id}/triggers/{trigger}",
            axum::routing::delete(revoke_trigger),
        )
}

/// The `/hooks` routes: authenticated by their own trigger credentials, not the API token.
pub(crate) fn hooks() -> Router<AppState> {
    Router::new().route("/jobs/{id}", post(hook_run))
}

async fn health(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(s.engine.call(GetHealth {}).await?))
}

async fn list_endpoints(State(s): State<AppState>) -> ApiResult<Json<Vec<Endpoint>>> {
    Ok(Json(s.engine.call(ListEndpoints {}).await?))
}

async fn create_endpoint(
    State(s): State<AppState>,
    ApiJson(mut endpoint): ApiJson<Endpoint>,
) -> ApiResult<(StatusCode, Json<Endpoint>)> {
    endpoint.id = 0;
    let saved = s.engine.call(SaveEndpoint { endpoint }).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn get_endpoint(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Endpoint>> {
    let id = parse_id(&id)?;
    Ok(Json(s.engine.call(GetEndpoint { id }).await?))
}

async fn update_endpoint(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiJson(mut endpoint): ApiJson<Endpoint>,
) -> ApiResult<Json<Endpoint>> {
    endpoint.id = positive(parse_id(&id)?)?;
    Ok(Json(s.engine.call(SaveEndpoint { endpoint }).await?))
}

async fn delete_endpoint(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    s.engine.call(DeleteEndpoint { id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn test_endpoint(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Attempt>> {
    let id = parse_id(&id)?;
    Ok(Json(s.engine.call(TestEndpoint { id }).await?))
}

async fn list_rules(State(s): State<AppState>) -> ApiResult<Json<Vec<Rule>>> {
    Ok(Json(s.engine.call(ListRules {}).await?))
}

async fn create_rule(
    State(s): State<AppState>,
    ApiJson(mut rule): ApiJson<Rule>,
) -> ApiResult<(StatusCode, Json<Rule>)> {
    rule.id = 0;
    Ok((
        StatusCode::CREATED,
        Json(s.engine.call(SaveRule { rule }).await?),
    ))
}

async fn get_rule(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Rule>> {
    let id = parse_id(&id)?;
    Ok(Json(s.engine.call(GetRule { id }).await?))
}

async fn update_rule(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiJson(mut rule): ApiJson<Rule>,
) -> ApiResult<Json<Rule>> {
    rule.id = positive(parse_id(&id)?)?;
    Ok(Json(s.engine.call(SaveRule { rule }).await?))
}

async fn delete_rule(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    s.engine.call(DeleteRule { id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn positive(id: i64) -> Result<i64, HttpError> {
    if id > 0 {
        Ok(id)
    } else {
        Err(HttpError(ApiError::not_found(format!(
            "no object with id {id}"
        ))))
    }
}

async fn list_deliveries(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListDeliveries>,
) -> ApiResult<Json<Vec<Delivery>>> {
    Ok(Json(s.engine.call(q).await?))
}

async fn get_delivery(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliveryDetail>> {
    let id = parse_id(&id)?;
    Ok(Json(s.engine.call(GetDelivery { id }).await?))
}

async fn replay(
    State(s): State<AppState>,
    ApiJson(request): ApiJson<ReplayDeliveries>,
) -> ApiResult<Json<Replayed>> {
    Ok(Json(s.engine.call(request).await?))
}

async fn list_triggers(
    State(s): State<AppState>,
    Path(job): Path<String>,
) -> ApiResult<Json<Vec<TriggerCredential>>> {
    Ok(Json(s.engine.call(ListTriggers { job }).await?))
}

async fn create_trigger(
    State(s): State<AppState>,
    Path(job): Path<String>,
    ApiJson(mut request): ApiJson<CreateTrigger>,
) -> ApiResult<(StatusCode, Json<NewTrigger>)> {
    request.job = job;
    Ok((StatusCode::CREATED, Json(s.engine.call(request).await?)))
}

async fn revoke_trigger(
    State(s): State<AppState>,
    Path((job, trigger)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&trigger)?;
    s.engine.call(RevokeTrigger { job, id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /hooks/jobs/{id}`: runs the job for a request carrying a trigger token
/// (`Authorization: Bearer` or `X-Vigil-Token`) or a body signature (`X-Vigil-Signature-256`).
async fn hook_run(
    State(s): State<AppState>,
    Path(job): Path<String>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<RunAccepted>)> {
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
        .and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
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
