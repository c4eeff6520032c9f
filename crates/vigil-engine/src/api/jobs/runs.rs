//! Runs: start one by hand, the history, one run, cancel, output.

#[allow(unused_imports)]
use super::*;

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
