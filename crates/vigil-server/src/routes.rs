use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use vigil_core::{Job, Run};
use vigil_engine::api::{
    AddProgram, ExportFormat, ExportKind, ExportRequest, GetProgram, GetProgramStatus, GetSamples,
    GetStatus, ListProgramEvents, ListProgramStatus, ListPrograms, ProgramStatus, RemoveProgram,
    RestartProgram, SampleBucket, StartProgram, Status, StopProgram, TailLog,
};
use vigil_engine::api::{
    CancelRun, DeleteJob, GetJob, GetJobsDashboard, GetRun, GetRunOutput, JobsDashboard, ListJobs,
    ListRuns, PreviewSchedule, RunAccepted, RunJob, SaveJob,
};
use vigil_engine::api::{ExportJobs, ImportJobs, ImportReport, JobsFile};
use vigil_engine::{ApiError, Engine, ErrorCode, Event, Program};

use crate::{ApiJson, ApiQuery, HttpError, MAX_BODY, assets};

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Engine,
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
        .route("/programs/status", get(program_statuses))
        .route("/programs/{id}", get(get_program).delete(remove_program))
        .route("/programs/{id}/status", get(program_status))
        .route("/programs/{id}/start", post(start_program))
        .route("/programs/{id}/stop", post(stop_program))
        .route("/programs/{id}/restart", post(restart_program))
        .route("/programs/{id}/samples", get(samples))
        .route("/programs/{id}/events", get(program_events))
        .route("/programs/{id}/logs", get(logs))
        .route("/programs/{id}/export", get(export))
        .route("/events", get(events))
        .route("/jobs", get(list_jobs).post(create_job))
        .route("/jobs/dashboard", get(jobs_dashboard))
        .route("/jobs/export", get(export_jobs))
        .route("/jobs/import", post(import_jobs))
        .route(
            "/jobs/{id}",
            get(get_job).put(update_job).delete(delete_job),
        )
        .route("/jobs/{id}/run", post(run_job))
        .route("/runs", get(list_runs))
        .route("/runs/{id}", get(get_run))
        .route("/runs/{id}/output", get(run_output))
        .route("/runs/{id}/cancel", post(cancel_run))
        .route("/schedule/preview", get(preview_schedule))
        .merge(crate::notify::api())
        .fallback(api_not_found)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/health", get(health));
    Router::new()
        .nest("/api", api)
        .nest("/hooks", crate::notify::hooks())
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

async fn program_statuses(State(s): State<AppState>) -> ApiResult<Json<Vec<ProgramStatus>>> {
    Ok(Json(s.engine.call(ListProgramStatus {}).await?))
}

async fn program_status(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProgramStatus>> {
    Ok(Json(
        s.engine
            .call(GetProgramStatus { id: parse_id(&id)? })
            .await?,
    ))
}

async fn start_program(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProgramStatus>> {
    Ok(Json(
        s.engine.call(StartProgram { id: parse_id(&id)? }).await?,
    ))
}

async fn stop_program(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProgramStatus>> {
    Ok(Json(
        s.engine.call(StopProgram { id: parse_id(&id)? }).await?,
    ))
}

async fn restart_program(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProgramStatus>> {
    Ok(Json(
        s.engine.call(RestartProgram { id: parse_id(&id)? }).await?,
    ))
}

#[derive(Deserialize)]
struct RangeQuery {
    from: i64,
    to: i64,
    points: Option<u32>,
}

async fn samples(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Vec<SampleBucket>>> {
    let id = parse_id(&id)?;
    Ok(Json(
        s.engine
            .call(GetSamples {
                id,
                from: q.from,
                to: q.to,
                points: q.points,
            })
            .await?,
    ))
}

#[derive(Deserialize)]
struct EventsPage {
    before: Option<i64>,
    limit: Option<u32>,
}

async fn program_events(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<EventsPage>,
) -> ApiResult<Json<Vec<Event>>> {
    let id = parse_id(&id)?;
    Ok(Json(
        s.engine
            .call(ListProgramEvents {
                id,
                before: q.before,
                limit: q.limit,
            })
            .await?,
    ))
}

#[derive(Deserialize)]
struct LogsQuery {
    lines: Option<usize>,
    #[serde(default)]
    follow: bool,
}

/// The last lines as JSON, or with `follow=true` the lines printed from now on as SSE.
async fn logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LogsQuery>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    if !q.follow {
        return Ok(Json(s.engine.call(TailLog { id, lines: q.lines }).await?).into_response());
    }
    let rx = s.engine.follow_log(id)?;
    let stream = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(|line| async move {
        line.ok()
            .map(|l| Ok::<_, Infallible>(SseEvent::default().data(l)))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    kind: ExportKind,
    format: ExportFormat,
    from: i64,
    to: i64,
}

/// Streams history as CSV or JSON Lines; nothing is collected in memory first.
async fn export(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
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

async fn list_jobs(State(s): State<AppState>) -> ApiResult<Json<Vec<Job>>> {
    Ok(Json(s.engine.call(ListJobs {}).await?))
}

async fn create_job(
    State(s): State<AppState>,
    ApiJson(definition): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    let saved = s
        .engine
        .call(SaveJob {
            definition,
            replace: false,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn get_job(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Job>> {
    Ok(Json(s.engine.call(GetJob { id }).await?))
}

async fn update_job(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiJson(definition): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Job>> {
    if definition.get("id").and_then(|v| v.as_str()) != Some(id.as_str()) {
        return Err(HttpError(ApiError::invalid(format!(
            "the body's id {} does not match the path's {id:?}",
            definition.get("id").unwrap_or(&serde_json::Value::Null)
        ))));
    }
    Ok(Json(
        s.engine
            .call(SaveJob {
                definition,
                replace: true,
            })
            .await?,
    ))
}

async fn delete_job(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.engine.call(DeleteJob { id }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RunBody {
    #[serde(default)]
    options: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Starts a run; the body (`{"options": {...}}`) is optional.
async fn run_job(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<RunAccepted>)> {
    let body: RunBody = if body.iter().all(u8::is_ascii_whitespace) {
        RunBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| HttpError(ApiError::invalid(format!("invalid JSON body: {e}"))))?
    };
    let accepted = s
        .engine
        .call(RunJob {
            id,
            options: body.options,
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

async fn list_runs(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListRuns>,
) -> ApiResult<Json<Vec<Run>>> {
    Ok(Json(s.engine.call(q).await?))
}

async fn get_run(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Run>> {
    Ok(Json(s.engine.call(GetRun { id: parse_id(&id)? }).await?))
}

async fn cancel_run(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Run>> {
    Ok(Json(s.engine.call(CancelRun { id: parse_id(&id)? }).await?))
}

async fn export_jobs(State(s): State<AppState>) -> ApiResult<Json<JobsFile>> {
    Ok(Json(s.engine.call(ExportJobs {}).await?))
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    replace: bool,
}

async fn import_jobs(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiJson(document): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ImportReport>> {
    let report = s
        .engine
        .call(ImportJobs {
            document,
            replace: q.replace,
        })
        .await?;
    Ok(Json(report))
}

async fn jobs_dashboard(State(s): State<AppState>) -> ApiResult<Json<JobsDashboard>> {
    Ok(Json(s.engine.call(GetJobsDashboard {}).await?))
}

async fn preview_schedule(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PreviewSchedule>,
) -> ApiResult<Json<Vec<i64>>> {
    Ok(Json(s.engine.call(q).await?))
}

#[derive(Deserialize)]
struct OutputQuery {
    #[serde(default)]
    follow: bool,
}

/// A run's output as text, or with `follow=true` as SSE: what was printed so far, then new
/// lines until the run ends.
async fn run_output(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<OutputQuery>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    // Subscribe before reading, so no line falls between the two (one may come twice).
    let live = if q.follow {
        s.engine.follow_run(id)
    } else {
        None
    };
    let text = s.engine.call(GetRunOutput { id }).await?;
    if !q.follow {
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response());
    }
    let backlog: Vec<Result<SseEvent, Infallible>> = text
        .lines()
        .map(|l| Ok(SseEvent::default().data(l)))
        .collect();
    let backlog = futures_util::stream::iter(backlog);
    let stream = match live {
        Some(rx) => backlog
            .chain(
                tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(|line| async move {
                    line.ok()
                        .map(|l| Ok(SseEvent::default().data(l.trim_end())))
                }),
            )
            .boxed(),
        None => backlog.boxed(),
    };
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

pub(crate) fn parse_id(raw: &str) -> Result<i64, HttpError> {
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
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
