//! Routes that stream: the event log, program statuses, log and run-output follows (as
//! Server-Sent Events) and history downloads. Without `follow=true`, the log and output paths
//! answer as their operations (`tail_log`, `get_run_output`).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, RawPathParams, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use vigil_engine::ApiError;
use vigil_engine::api::ops;
use vigil_engine::api::{ExportFormat, ExportKind, ExportRequest, GetRunOutput};

use super::Id;
use crate::state::AppState;
use crate::{ApiQuery, HttpError};

type ApiResult<T> = Result<T, HttpError>;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Whether `follow=true` was asked, and the query without it (for the operation it falls back
/// to). `follow` takes `true` or `false`, once.
fn follow_of(query: Option<&str>) -> Result<(bool, Option<String>), HttpError> {
    let mut follow = None;
    let mut rest = Vec::new();
    for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        if key != "follow" {
            rest.push(part);
            continue;
        }
        let asked = match value {
            "true" => true,
            "false" => false,
            other => {
                return Err(HttpError(ApiError::invalid(format!(
                    "follow takes true or false, got {other:?}"
                ))));
            }
        };
        if follow.replace(asked).is_some() {
            return Err(HttpError(ApiError::invalid("follow is given twice")));
        }
    }
    Ok((follow.unwrap_or(false), query.map(|_| rest.join("&"))))
}

fn lines_as_sse(
    rx: tokio::sync::broadcast::Receiver<String>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(|line| async move {
        line.ok()
            .map(|l| Ok(SseEvent::default().data(l.trim_end())))
    })
}

/// The last lines as JSON (`tail_log`), or with `follow=true` the lines printed from now on.
pub(super) async fn logs(
    State(s): State<AppState>,
    Id(id): Id,
    params: RawPathParams,
    RawQuery(query): RawQuery,
) -> Response {
    let (follow, query) = match follow_of(query.as_deref()) {
        Ok(asked) => asked,
        Err(e) => return e.into_response(),
    };
    if !follow {
        let op = ops::find("tail_log").expect("tail_log is an operation");
        return super::ops::serve(op, &s, &params, query.as_deref(), Ok(Bytes::new())).await;
    }
    match s.engine.follow_log(id) {
        Ok(rx) => Sse::new(lines_as_sse(rx))
            .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
            .into_response(),
        Err(e) => HttpError(e).into_response(),
    }
}

/// A run's output as text (`get_run_output`), or with `follow=true` as SSE: what was printed
/// so far, then new lines until the run ends.
pub(super) async fn run_output(
    State(s): State<AppState>,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (follow, rest) = follow_of(query.as_deref())?;
    if rest.is_some_and(|r| !r.is_empty()) {
        return Err(HttpError(ApiError::invalid(
            "a run's output takes no query but follow",
        )));
    }
    // Subscribe before reading, so no line falls between the two (one may come twice).
    let live = if follow {
        s.engine.follow_run(id)
    } else {
        None
    };
    let text = s.engine.call(GetRunOutput { id }).await?;
    if !follow {
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response());
    }
    let backlog: Vec<Result<SseEvent, Infallible>> = text
        .lines()
        .map(|l| Ok(SseEvent::default().data(l)))
        .collect();
    let backlog = futures_util::stream::iter(backlog);
    let stream = match live {
        Some(rx) => backlog.chain(lines_as_sse(rx)).boxed(),
        None => backlog.boxed(),
    };
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct ExportQuery {
    kind: ExportKind,
    format: ExportFormat,
    from: i64,
    to: i64,
}

/// Streams history as CSV or JSON Lines; nothing is collected in memory first.
pub(super) async fn export(
    State(s): State<AppState>,
    Id(id): Id,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let rx = s
        .engine
        .export(ExportRequest {
            id,
            kind: q.kind,
            format: q.format,
            from: q.from,
            to: q.to,
        })
        .await?;
    let content_type = match q.format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Jsonl => "application/x-ndjson",
    };
    let body = tokio_stream::wrappers::ReceiverStream::new(rx)
        .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.message)));
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct EventsQuery {
    since: Option<String>,
}

/// The event log as Server-Sent Events: the backlog after `since` (or the `Last-Event-ID`
/// header a reconnecting EventSource sends), then live events; each SSE id is the event id.
pub(super) async fn events(
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
        Some(raw) => match raw.trim_ascii().parse::<i64>() {
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
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// Program statuses as Server-Sent Events: one `full` update with every program, then after
/// each sweep only what changed (see [`vigil_engine::api::StatusUpdate`]).
pub(super) async fn statuses(
    State(s): State<AppState>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = s.engine.watch_statuses().map(|update| {
        Ok(SseEvent::default()
            .json_data(&update)
            .unwrap_or_else(|_| SseEvent::default().comment("unserializable update")))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}
