//! What every route shares: the engine and the API token, and the middleware that checks it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use vigil_engine::{ApiError, Engine, ErrorCode};

use crate::HttpError;

/// The router's state.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Engine,
    token: Arc<str>,
}

impl AppState {
    pub(crate) fn new(engine: Engine, token: String) -> Self {
        Self {
            engine,
            token: token.into(),
        }
    }
}

/// Every `/api/*` route except health needs `Authorization: Bearer <token>`, compared in
/// constant time so response timing does not leak the token.
pub(crate) async fn require_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    match presented {
        Some(t) if bool::from(t.as_bytes().ct_eq(state.token.as_bytes())) => next.run(req).await,
        Some(_) => unauthorized("the API token is wrong"),
        None => unauthorized(
            "an `Authorization: Bearer <token>` header is required; the token is in the data dir's api-token file",
        ),
    }
}

/// The credentials of an `Authorization: Bearer <token>` header; the scheme's name is
/// case-insensitive (RFC 9110).
pub(crate) fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized(message: &str) -> Response {
    HttpError(ApiError::new(ErrorCode::Unauthorized, message)).into_response()
}

/// With LAN access off, a connection from anywhere but this PC is refused (403) on every
/// route, even if the listener somehow accepted it. A request without a peer address (a test
/// calling the router directly) is let through to the token check.
pub(crate) async fn local_only(enforce: bool, req: Request, next: Next) -> Response {
    if enforce
        && let Some(peer) = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        && !peer.0.ip().is_loopback()
    {
        return HttpError(ApiError::new(
            ErrorCode::Forbidden,
            "LAN access is off: Vigil answers only this PC (turn it on in the settings)",
        ))
        .into_response();
    }
    next.run(req).await
}
