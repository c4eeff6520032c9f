//! What runs when: a cron expression's next fires and the jobs page's day.

#[allow(unused_imports)]
use super::*;

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
    /// Each scheduled, enabled job's next fire (one per job), for the jobs list.
    pub next_per_job: Vec<NextFire>,
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
        let next_per_job: Vec<NextFire> = jobs
            .iter()
            .filter(|j| j.enabled && !j.template)
            .filter_map(|j| {
                Some(NextFire {
                    job_id: j.id.clone(),
                    at: j.next_fires(now, 1).first()?.timestamp_millis(),
                })
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
            next_per_job,
            recent_failures,
            jobs,
            last_runs,
        })
    }
}
