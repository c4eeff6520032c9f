use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use vigil_engine::api::{AddProgram, GetProgram, GetStatus, ListPrograms, RemoveProgram, Status};
use vigil_engine::{ApiError, Engine, ErrorCode, Program};

use crate::{ApiJson, HttpError, MAX_BODY, assets};

#[derive(Clone)]
struct AppState {
    engine: Engine,
    token: Arc<str>,
}

type ApiResult<T> = Result<T, HttpError>;

pub(crate) fn router(engine: Engine, token: String) -> Router {
    let state = AppState {
        engine,
        token: token.into(),
    };
    let api = Router::new()
        .route("/status", get(status))
        .route("/programs", get(list_programs).post(add_program))
        .route("/programs/{id}", get(get_program).delete(remove_program))
        .route("/events", get(events))
        .fallback(api_not_found)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/health", get(health));
    Router::new()
        .nest("/api", api)
        .fallback(assets::serve)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Every `/api/*` route except health needs `Authorization: Bearer <token>`, compared in
/// constant time so response timing does not leak the token.
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(t) if bool::from(t.as_bytes().ct_eq(state.token.as_bytes())) => next.run(req).await,
        Some(_) => unauthorized("the API token is wrong"),
        None => unauthorized(
            "an `Authorization: Bearer <token>` header is required; the token is in the data dir's api-token file",
        ),
    }
}

fn unauthorized(message: &str) -> Response {
    HttpError(ApiError::new(ErrorCode::Unauthorized, message)).into_response()
}

async fn api_not_found() -> HttpError {
    HttpError(ApiError::not_found("no such API route"))
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

async fn status(State(s): State<AppState>) -> ApiResult<Json<Status>> {
    Ok(Json(s.engine.call(GetStatus {}).await?))
}

async fn list_programs(State(s): State<AppState>) -> ApiResult<Json<Vec<Program>>> {
    Ok(Json(s.engine.call(ListPrograms {}).await?))
}

async fn add_program(
    State(s): State<AppState>,
    ApiJson(request): ApiJson<AddProgram>,
) -> ApiResult<(StatusCode, Json<Program>)> {
    Ok((StatusCode::CREATED, Json(s.engine.call(request).await?)))
}

async fn get_program(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Program>> {
    Ok(Json(
        s.engine.call(GetProgram { id: parse_id(&id)? }).await?,
    ))
}

async fn remove_program(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.engine.call(RemoveProgram { id: parse_id(&id)? }).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_id(raw: &str) -> Result<i64, HttpError> {
    raw.parse::<i64>().map_err(|_| {
        HttpError(ApiError::invalid(format!(
            "id must be an integer, got {raw:?}"
        )))
    })
}

#[derive(Deserialize)]
struct EventsQuery {
    since: Option<String>,
}

/// The event log as Server-Sent Events: the backlog after `since` (or the `Last-Event-ID`
/// header a reconnecting EventSource sends), then live events; each SSE id is the event id.
async fn events(
    State(s): State<AppState>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let since = match q.since.or(from_header) {
        None => 0,
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                return Err(HttpError(ApiError::invalid(format!(
                    "since must be a non-negative integer, got {raw:?}"
                ))));
            }
        },
    };
    let stream = s.engine.subscribe(since).map(|item| {
        Ok(match item {
            Ok(event) => SseEvent::default()
                .id(event.id.to_string())
                .json_data(&event)
                .unwrap_or_else(|_| SseEvent::default().comment("unserializable event")),
            Err(e) => SseEvent::default()
                .event("error")
                .json_data(&e)
                .unwrap_or_else(|_| SseEvent::default().comment("stream failed")),
        })
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
