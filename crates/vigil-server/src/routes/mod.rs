//! The router: every operation of [`vigil_engine::api::ops::OPERATIONS`] under `/api` at its
//! declared method and path, plus the routes that are not operations, listed in
//! [`NOT_OPERATIONS`].

mod hooks;
mod ops;
mod streams;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};
use vigil_engine::api::ops::OPERATIONS;
use vigil_engine::{ApiError, Engine};

use crate::state::{AppState, require_token};
use crate::{HttpError, MAX_BODY, assets};

/// Routes that are not operations: streams, downloads, hooks, liveness and the UI's files,
/// as (method, path, why). The contract test checks each exists and every operation has a route.
pub const NOT_OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/api/health",
        "liveness for scripts and installers: no token, no engine call",
    ),
    (
        "GET",
        "/api/events",
        "the event log as Server-Sent Events (backlog after `since`, then live)",
    ),
    (
        "GET",
        "/api/programs/status/stream",
        "program statuses as Server-Sent Events: all of them, then what changed each sweep",
    ),
    (
        "GET",
        "/api/programs/{id}/logs?follow=true",
        "a program's new log lines as Server-Sent Events (without follow: tail_log)",
    ),
    (
        "GET",
        "/api/runs/{id}/output?follow=true",
        "a run's output so far, then new lines, as Server-Sent Events (without follow: get_run_output as text)",
    ),
    (
        "GET",
        "/api/programs/{id}/export",
        "history as a CSV or JSON Lines download, streamed",
    ),
    (
        "POST",
        "/hooks/jobs/{id}",
        "incoming webhooks, authenticated by trigger credentials instead of the API token",
    ),
    ("GET", "/", "the UI's files (browser mode)"),
];

pub(crate) fn router(engine: Engine, token: String, local_only: bool) -> Router {
    let state = AppState::new(engine, token);
    let mut paths: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for op in OPERATIONS {
        let route = match op.name {
            // Served beside their streams: the same path with `?follow=true`.
            "tail_log" => get(streams::logs),
            "get_run_output" => get(streams::run_output),
            _ => ops::route(op),
        };
        let path = op.route_path();
        let merged = match paths.remove(&path) {
            Some(existing) => existing.merge(route),
            None => route,
        };
        paths.insert(path, merged);
    }
    let mut api = Router::new();
    for (path, route) in paths {
        api = api.route(&path, route);
    }
    let api = api
        .route("/events", get(streams::events))
        .route("/programs/status/stream", get(streams::statuses))
        .route("/programs/{p0}/export", get(streams::export))
        .fallback(api_not_found)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/health", get(health));
    Router::new()
        .nest("/api", api)
        .nest(
            "/hooks",
            Router::new().route("/jobs/{p0}", post(hooks::hook_run)),
        )
        .fallback(assets::serve)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(move |req, next| {
            crate::state::local_only(local_only, req, next)
        }))
        .with_state(state)
}

async fn api_not_found() -> HttpError {
    HttpError(ApiError::not_found("no such API route"))
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "ok": true }))
}

/// The one integer id in a route's path (`{p0}`), refused with a clear message when it is not
/// an integer.
pub(crate) struct Id(pub(crate) i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = Text::from_request_parts(parts, state).await?.0;
        raw.parse::<i64>().map(Id).map_err(|_| {
            HttpError(ApiError::invalid(format!(
                "id must be an integer, got {raw:?}"
            )))
        })
    }
}

/// The one text id in a route's path (`{p0}`).
pub(crate) struct Text(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Text {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| HttpError(ApiError::invalid(format!("bad path: {e}"))))?;
        params
            .iter()
            .next()
            .map(|(_, v)| Text(v.to_owned()))
            .ok_or_else(|| HttpError(ApiError::invalid("the path has no id")))
    }
}
