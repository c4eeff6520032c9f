//! One generic handler serves every operation: the request's fields come from the path, the
//! query string and the body as the operation's row says; the answer is JSON with the row's
//! status.

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use vigil_engine::api::ops::{Body, Method, Operation};
use vigil_engine::{ApiError, ErrorCode};

use crate::HttpError;
use crate::state::AppState;

/// The largest body `op` accepts: a whole document (an import) may be large, fields are not.
pub(super) fn body_limit(op: &Operation) -> usize {
    match op.body {
        Body::Field(_) => crate::MAX_DOCUMENT_BODY,
        Body::None | Body::Fields => crate::MAX_BODY,
    }
}

/// The route serving `op` at its method.
pub(super) fn route(op: &'static Operation) -> MethodRouter<AppState> {
    let filter = match op.method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
        Method::Put => MethodFilter::PUT,
        Method::Delete => MethodFilter::DELETE,
    };
    let route = on(
        filter,
        move |State(s): State<AppState>,
              params: RawPathParams,
              RawQuery(query): RawQuery,
              body: Result<Bytes, BytesRejection>| async move {
            serve(op, &s, &params, query.as_deref(), body).await
        },
    );
    route.layer(DefaultBodyLimit::max(body_limit(op)))
}

/// Runs `op` for one HTTP request.
pub(crate) async fn serve(
    op: &'static Operation,
    s: &AppState,
    params: &RawPathParams,
    query: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(op, s, params, query, body).await {
        Ok(response) => response,
        Err(e) => HttpError(e).into_response(),
    }
}

async fn answer(
    op: &'static Operation,
    s: &AppState,
    params: &RawPathParams,
    query: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {} bytes", body_limit(op)),
            )
        } else {
            ApiError::invalid(format!("cannot read the body: {e}"))
        }
    })?;
    let values: Vec<String> = params.iter().map(|(_, v)| v.to_owned()).collect();
    let args = op.request_from_http(&values, query, &body)?;
    let value = op.run_http(&s.engine, args).await?;
    let status = StatusCode::from_u16(op.status).unwrap_or(StatusCode::OK);
    Ok(if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, axum::Json(value)).into_response()
    })
}
