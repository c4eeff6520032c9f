use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use vigil_core::{ApiError, EventKind, Job, JobId, NewEvent, Run, RunId, RunStatus, Trigger};

use crate::jobs::{Cancel, RunOutput, RunRequest};
use crate::{Engine, Request, now_ms};

/// Every job, by id.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListJobs {}

impl Request for ListJobs {
    type Response = Vec<Job>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Job>, ApiError> {
        Ok(engine.jobs().all())
    }
}

/// One job.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetJob {
    /// The job's id.
    pub id: JobId,
}

impl Request for GetJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        engine
            .jobs()
            .job(&self.id)
            .ok_or_else(|| ApiError::not_found(format!("no job {:?}", self.id)))
    }
}

/// Saves a job (create, or replace when `replace`) from its JSON definition: a template it
/// `extends` is applied first, then the job is validated alone, then with every other job
/// (unknown ids, cycles), then written; nothing is stored half-way.
#[derive(Debug, Clone)]
pub struct SaveJob {
    /// The job's definition as sent (a [`Job`], possibly partial when it extends a template).
    pub definition: Value,
    /// Replace an existing job with this id (PUT) rather than create a new one (POST).
    pub replace: bool,
}

impl SaveJob {
    /// Saving a complete job.
    pub fn job(job: &Job, replace: bool) -> Self {
        Self {
            definition: serde_json::to_value(job).unwrap_or_default(),
            replace,
        }
    }
}

/// Applies a template (if the definition extends one) and reads the result as a job.
fn resolve(engine: &Engine, definition: Value) -> Result<Job, ApiError> {
    let templates = engine
        .jobs()
        .all()
        .into_iter()
        .filter(|j| j.template)
        .map(|j| (j.id.clone(), serde_json::to_value(&j).unwrap_or_default()))
        .collect();
    let resolved = vigil_core::resolve_template(definition, &templates)?;
    let job: Job = serde_json::from_value(resolved)
        .map_err(|e| ApiError::invalid(format!("invalid job: {e}")))?;
    job.validate()
}

impl Request for SaveJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        let job = resolve(engine, self.definition)?;
        if !self.replace && engine.jobs().job(&job.id).is_some() {
            return Err(ApiError::conflict(format!(
                "a job with id {:?} already exists",
                job.id
            )));
        }
        let mut all: Vec<Job> = engine
            .jobs()
            .all()
            .into_iter()
            .filter(|j| j.id != job.id)
            .collect();
        all.push(job.clone());
        vigil_core::check_graph(&all)?;
        let saved = job.clone();
        let put = if self.replace {
            vigil_store::Put::Replace
        } else {
            vigil_store::Put::Create
        };
        engine
            .write(move |tx| {
                vigil_store::put_job(tx, &saved, put, now_ms())?;
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobSaved,
                    program_id: None,
                    job_id: Some(saved.id.clone()),
                    message: format!("job {:?} saved", saved.id),
                    detail: None,
                })
            })
            .await?;
        engine
            .jobs()
            .schedule_from(&job.id, engine.config().clock.now());
        {
            let mut jobs = vigil_core::sync::write(&engine.jobs().jobs);
            jobs.insert(job.id.clone(), job.clone());
        }
        engine.schedule_changed();
        Ok(job)
    }
}

/// Creates a job from its JSON definition (`POST /jobs`); refused when the id exists.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateJob(#[ts(type = "Job")] pub Value);

impl Request for CreateJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        SaveJob {
            definition: self.0,
            replace: false,
        }
        .handle(engine)
        .await
    }
}

/// Replaces the job with the definition's id (`PUT /jobs/{id}`).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateJob(#[ts(type = "Job")] pub Value);

impl Request for UpdateJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        SaveJob {
            definition: self.0,
            replace: true,
        }
        .handle(engine)
        .await
    }
}

/// Deletes a job (its runs stay in the history). Refused while other jobs refer to it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteJob {
    /// The job's id.
    pub id: JobId,
}

impl Request for DeleteJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        let users: Vec<JobId> = engine
            .jobs()
            .all()
            .into_iter()
            .filter(|j| {
                j.depends_on
                    .iter()
                    .chain(&j.on_success)
                    .chain(&j.on_failure)
                    .any(|d| *d == self.id)
            })
            .map(|j| j.id)
            .collect();
        if !users.is_empty() {
            return Err(ApiError::conflict(format!(
                "job {:?} is used by {users:?}; change those first",
                self.id
            )));
        }
        let id = self.id.clone();
        let removed = engine
            .write(move |tx| {
                let job = vigil_store::delete_job(tx, &id)?;
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobRemoved,
                    program_id: None,
                    job_id: Some(id.clone()),
                    message: format!("job {id:?} deleted"),
                    detail: None,
                })?;
                Ok(job)
            })
            .await?;
        {
            let mut jobs = vigil_core::sync::write(&engine.jobs().jobs);
            jobs.remove(&self.id);
        }
        engine.schedule_changed();
        Ok(removed)
    }
}

/// Starts a run of a job by hand with option values; answers at once with the run id.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RunJob {
    /// The job's id.
    pub id: JobId,
    /// Option values by option name; unset options take their defaults.
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub options: BTreeMap<String, Value>,
}

/// The answer to [`RunJob`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunAccepted {
    /// The new run.
    #[ts(type = "number")]
    pub run_id: RunId,
}

impl Request for RunJob {
    type Response = RunAccepted;

    async fn handle(self, engine: &Engine) -> Result<RunAccepted, ApiError> {
        let run = crate::jobs::start(
            engine,
            RunRequest {
                job_id: self.id,
                options: self.options,
                trigger: Trigger::Manual,
                not_before: None,
            },
        )
        .await?;
        Ok(RunAccepted { run_id: run.id })
    }
}

/// The run history, newest first, filtered and paged.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListRuns {
    /// Only this job's runs.
    #[serde(default)]
    #[ts(optional)]
    pub job: Option<JobId>,
    /// Only runs in this state.
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<RunStatus>,
    /// At most this many (default 50, at most 1,000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only runs older than this id (the last id of the previous page).
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub before: Option<RunId>,
}

impl Request for ListRuns {
    type Response = Vec<Run>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Run>, ApiError> {
        let limit = match self.limit {
            None => 50,
            Some(0) => return Err(ApiError::invalid("limit must be at least 1")),
            Some(n) => n.min(1000),
        };
        let filter = vigil_store::RunFilter {
            job: self.job,
            status: self.status,
            before: self.before,
            limit,
        };
        engine
            .read(move |c| vigil_store::list_runs(c, &filter))
            .await
    }
}

/// One run.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetRun {
    /// The run's id.
    #[ts(type = "number")]
    pub id: RunId,
}

impl Request for GetRun {
    type Response = Run;

    async fn handle(self, engine: &Engine) -> Result<Run, ApiError> {
        engine.read(move |c| vigil_store::get_run(c, self.id)).await
    }
}

/// Cancels a queued or running run: its whole process tree is killed.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CancelRun {
    /// The run's id.
    #[ts(type = "number")]
    pub id: RunId,
}

impl Request for CancelRun {
    type Response = Run;

    async fn handle(self, engine: &Engine) -> Result<Run, ApiError> {
        let run = engine
            .read(move |c| vigil_store::get_run(c, self.id))
            .await?;
        if run.status.is_final() {
            return Err(ApiError::conflict(format!(
                "run {} already ended ({})",
                run.id,
                run.status.as_str()
            )));
        }
        let mut ended = engine.jobs().ended.subscribe();
        engine.jobs().cancel(self.id, Cancel::Requested);
        // Answer with the final record once the runner has written it (a run waiting behind
        // a long dependency ends when that level is done; then this answers with it queued).
        let id = self.id;
        let waited = tokio::time::timeout(std::time::Duration::from_secs(15), async {
            loop {
                let run = engine.read(move |c| vigil_store::get_run(c, id)).await?;
                if run.status.is_final() {
                    return Ok(run);
                }
                if ended.changed().await.is_err() {
                    return Ok(run);
                }
            }
        })
        .await;
        match waited {
            Ok(result) => result,
            Err(_) => engine.read(move |c| vigil_store::get_run(c, id)).await,
        }
    }
}

/// A run's output so far: stdout and stderr interleaved, one stamped line each.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetRunOutput {
    /// The run's id.
    #[ts(type = "number")]
    pub id: RunId,
}

impl Request for GetRunOutput {
    type Response = String;

    async fn handle(self, engine: &Engine) -> Result<String, ApiError> {
        engine
            .read(move |c| vigil_store::get_run(c, self.id))
            .await?;
        // A live run's lines written so far are in the file before it is read.
        if engine.jobs().output(self.id).is_some() {
            engine.appender().flush().await;
        }
        let path = RunOutput::path_of(&engine.data_dir().join("runs"), self.id);
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(ApiError::internal(format!("cannot read run output: {e}"))),
        }
    }
}

impl Engine {
    /// The lines a run prints from now on, or `None` when it is not running. Read the output
    /// first, then follow: a line printed between the two may be seen twice, never lost.
    pub fn follow_run(&self, id: RunId) -> Option<tokio::sync::broadcast::Receiver<String>> {
        self.jobs().output(id).map(|o| o.follow())
    }
}

/// The next fire times of a cron expression, for a schedule field's preview.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct PreviewSchedule {
    /// Cron expression (5 or 6 fields).
    pub schedule: String,
    /// IANA time zone (default UTC).
    #[serde(default)]
    #[ts(optional)]
    pub timezone: Option<String>,
    /// How many fires (default 5, at most 50).
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub count: Option<usize>,
}

impl Request for PreviewSchedule {
    type Response = Vec<i64>;

    async fn handle(self, _engine: &Engine) -> Result<Vec<i64>, ApiError> {
        let cron = vigil_core::parse_schedule(&self.schedule)?;
        let tz = match &self.timezone {
            Some(t) => vigil_core::parse_tz(t)?,
            None => chrono_tz::UTC,
        };
        let n = self.count.unwrap_or(5).clamp(1, 50);
        Ok(
            vigil_core::next_fires(&cron, tz, vigil_core::utc_ms(now_ms()), n)
                .into_iter()
                .map(|t| t.timestamp_millis())
                .collect(),
        )
    }
}

/// A run in flight, with how long it has been going.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunningRun {
    /// The run.
    pub run: Run,
    /// Milliseconds since it started (or was queued).
    #[ts(type = "number")]
    pub elapsed_ms: i64,
}

/// A coming scheduled fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NextFire {
    /// The job.
    pub job_id: JobId,
    /// When, unix ms.
    #[ts(type = "number")]
    pub at: i64,
}

/// The jobs page at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobsDashboard {
    /// Runs that succeeded since local midnight.
    pub succeeded_today: u32,
    /// Runs that failed or timed out since local midnight.
    pub failed_today: u32,
    /// Runs queued or running now.
    pub running: Vec<RunningRun>,
    /// The next five scheduled fires.
    pub next: Vec<NextFire>,
    /// The latest failures.
    pub recent_failures: Vec<Run>,
    /// Every job, so the jobs page needs this one request.
    pub jobs: Vec<Job>,
    /// The newest run of each job that has run.
    pub last_runs: Vec<Run>,
}

/// Asks for the [`JobsDashboard`].
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct GetJobsDashboard {}

impl Request for GetJobsDashboard {
    type Response = JobsDashboard;

    async fn handle(self, engine: &Engine) -> Result<JobsDashboard, ApiError> {
        let now = engine.config().clock.now();
        let midnight = now
            .with_timezone(&chrono::Local)
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map_or(0, |t| t.timestamp_millis());
        let jobs = engine.jobs().all();
        let ids: Vec<JobId> = jobs.iter().map(|j| j.id.clone()).collect();
        let (succeeded_today, failed_today, timed_out, open, recent_failures, last_runs) = engine
            .read(move |c| {
                Ok((
                    vigil_store::count_runs_since(c, RunStatus::Succeeded, midnight)?,
                    vigil_store::count_runs_since(c, RunStatus::Failed, midnight)?,
                    vigil_store::count_runs_since(c, RunStatus::TimedOut, midnight)?,
                    vigil_store::open_runs(c)?,
                    vigil_store::recent_failures(c, 5)?,
                    vigil_store::last_runs(c, &ids)?,
                ))
            })
            .await?;
        let now_ms = now.timestamp_millis();
        let running = open
            .into_iter()
            .map(|run| RunningRun {
                elapsed_ms: now_ms - run.started_at.unwrap_or(run.queued_at),
                run,
            })
            .collect();
        let mut next: Vec<NextFire> = jobs
            .iter()
            .filter(|j| j.enabled && !j.template)
            .flat_map(|j| {
                j.next_fires(now, 5)
                    .into_iter()
                    .map(move |t| NextFire {
                        job_id: j.id.clone(),
                        at: t.timestamp_millis(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        next.sort_by_key(|n| n.at);
        next.truncate(5);
        Ok(JobsDashboard {
            succeeded_today,
            failed_today: failed_today + timed_out,
            running,
            next,
            recent_failures,
            jobs,
            last_runs,
        })
    }
}

/// Vigil's own file format for jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobsFile {
    /// Format version (1).
    pub vigil_jobs: u32,
    /// Every job, templates included.
    pub jobs: Vec<Job>,
}

/// Exports every job in Vigil's format.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ExportJobs {}

impl Request for ExportJobs {
    type Response = JobsFile;

    async fn handle(self, engine: &Engine) -> Result<JobsFile, ApiError> {
        Ok(JobsFile {
            vigil_jobs: 1,
            jobs: engine.jobs().all(),
        })
    }
}

/// Imports jobs, all or nothing: Vigil's format (`{"vigil_jobs": 1, "jobs": [...]}`) or the
/// older dashboard's `jobs.json` (`{"jobs": [...]}` or a bare array, with `command` as a shell
/// line and `execution.timeout` in milliseconds).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportJobs {
    /// The document.
    #[ts(type = "unknown")]
    pub document: Value,
    /// Replace jobs whose ids exist (otherwise such an id refuses the whole import).
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub replace: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// The ids imported.
    pub imported: Vec<JobId>,
}

/// Converts one job of the older `jobs.json` format to a Vigil definition.
fn from_legacy(v: &Value) -> Value {
    let mut job = serde_json::Map::new();
    for key in ["id", "name", "schedule", "enabled", "category", "tags"] {
        if let Some(x) = v.get(key) {
            job.insert(key.into(), x.clone());
        }
    }
    if let Some(cmd) = v.get("command") {
        job.insert("command".into(), cmd.clone());
        job.insert("shell".into(), Value::Bool(true));
    }
    let options: Vec<Value> = v
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| {
            let flag = o.get("flag").and_then(Value::as_str);
            let name = o
                .get("arg")
                .and_then(Value::as_str)
                .or_else(|| flag.map(|f| f.trim_start_matches('-')))
                .or_else(|| o.get("label").and_then(Value::as_str))
                .unwrap_or("option");
            serde_json::json!({
                "name": name,
                "label": o.get("label").cloned().unwrap_or(Value::Null).as_str().unwrap_or(name),
                "type": o.get("type").cloned().unwrap_or(Value::String("string".into())),
                "flag": flag,
                "choices": o.get("choices").cloned().unwrap_or(Value::Array(Vec::new())),
                "default": o.get("default").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    job.insert("options".into(), Value::Array(options));
    if let Some(e) = v.get("execution") {
        let ms = |k: &str| e.get(k).and_then(Value::as_u64);
        let mut exec = serde_json::Map::new();
        if let Some(t) = ms("timeout") {
            exec.insert("timeout_secs".into(), Value::from(t.div_ceil(1000).max(1)));
        }
        if let Some(r) = ms("maxRetries") {
            exec.insert("retries".into(), Value::from(r));
        }
        if let Some(d) = ms("retryDelay") {
            exec.insert("retry_delay_ms".into(), Value::from(d));
        }
        if let Some(b) = e.get("backoff") {
            exec.insert("backoff".into(), b.clone());
        }
        job.insert("execution".into(), Value::Object(exec));
    }
    Value::Object(job)
}

impl ImportJobs {
    /// The document's job definitions, each of the older format converted to Vigil's, before
    /// templates are applied. Public so the fuzz targets reach the parsing an uploaded file meets.
    pub fn definitions(&self) -> Result<Vec<Value>, ApiError> {
        let (items, legacy) = match &self.document {
            Value::Object(o) if o.contains_key("vigil_jobs") => (o.get("jobs"), false),
            Value::Object(o) => (o.get("jobs"), true),
            Value::Array(_) => (Some(&self.document), true),
            _ => (None, false),
        };
        let items = items.and_then(Value::as_array).ok_or_else(|| {
            ApiError::invalid(
                "expected {\"vigil_jobs\": 1, \"jobs\": [...]}, {\"jobs\": [...]} or an array of jobs",
            )
        })?;
        Ok(items
            .iter()
            .map(|item| {
                if legacy {
                    from_legacy(item)
                } else {
                    item.clone()
                }
            })
            .collect())
    }
}

impl Request for ImportJobs {
    type Response = ImportReport;

    async fn handle(self, engine: &Engine) -> Result<ImportReport, ApiError> {
        let definitions = self.definitions()?;
        let mut jobs = Vec::with_capacity(definitions.len());
        for (i, definition) in definitions.into_iter().enumerate() {
            let job = resolve(engine, definition).map_err(|e| {
                ApiError::invalid(format!("job {} of the file: {}", i + 1, e.message))
            })?;
            if jobs.iter().any(|j: &Job| j.id == job.id) {
                return Err(ApiError::invalid(format!(
                    "the file has job {:?} twice",
                    job.id
                )));
            }
            jobs.push(job);
        }
        let existing = engine.jobs().all();
        if !self.replace
            && let Some(clash) = jobs.iter().find(|j| existing.iter().any(|e| e.id == j.id))
        {
            return Err(ApiError::conflict(format!(
                "job {:?} already exists; import with replace to overwrite",
                clash.id
            )));
        }
        let mut all: Vec<Job> = existing
            .into_iter()
            .filter(|e| !jobs.iter().any(|j| j.id == e.id))
            .collect();
        all.extend(jobs.iter().cloned());
        vigil_core::check_graph(&all)?;
        let to_write = jobs.clone();
        engine
            .write(move |tx| {
                for job in &to_write {
                    vigil_store::put_job(tx, job, vigil_store::Put::Upsert, now_ms())?;
                }
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobSaved,
                    program_id: None,
                    job_id: None,
                    message: format!("{} jobs imported", to_write.len()),
                    detail: None,
                })
            })
            .await?;
        let now = engine.config().clock.now();
        for j in &jobs {
            engine.jobs().schedule_from(&j.id, now);
        }
        {
            let mut map = vigil_core::sync::write(&engine.jobs().jobs);
            for j in &jobs {
                map.insert(j.id.clone(), j.clone());
            }
        }
        engine.schedule_changed();
        Ok(ImportReport {
            imported: jobs.into_iter().map(|j| j.id).collect(),
        })
    }
}
