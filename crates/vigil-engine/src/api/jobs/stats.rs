//! A job's statistics: success rate, recent durations, what is usual for it, next and last run.

#[allow(unused_imports)]
use super::*;
use vigil_core::{LEARN_FROM, Usual};

/// How far back the counts of a job's statistics look.
pub const STATS_DAYS: i64 = 30;
/// How many recent runs the duration chart shows.
pub const STATS_RECENT: u32 = 100;

/// Asks for one job's statistics.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetJobStats {
    /// The job's id.
    pub id: JobId,
}

/// One finished run on a job's duration chart (a run and its retries are one point: the final
/// attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunPoint {
    /// The final attempt's run id.
    #[ts(type = "number")]
    pub run_id: RunId,
    /// When it ended, unix ms.
    #[ts(type = "number")]
    pub ended_at: i64,
    /// How long the final attempt ran, ms (none when it never started).
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// How it ended.
    pub status: RunStatus,
    /// Attempts it took.
    pub attempts: u32,
    /// What started its final attempt.
    pub trigger: Trigger,
}

/// A job's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobStats {
    /// The job.
    pub job_id: JobId,
    /// Start of the counted window, unix ms ([`STATS_DAYS`] back).
    #[ts(type = "number")]
    pub since: i64,
    /// Runs that succeeded or failed in the window (a run and its retries count once).
    pub runs: u32,
    /// Of those, succeeded.
    pub succeeded: u32,
    /// Of those, failed or timed out.
    pub failed: u32,
    /// `succeeded / runs`; none without runs.
    pub success_rate: Option<f64>,
    /// Its learned duration, once it has enough successful runs.
    pub usual: Option<Usual>,
    /// Its timeout, ms.
    #[ts(type = "number | null")]
    pub timeout_ms: Option<i64>,
    /// The last finished runs, oldest first.
    pub recent: Vec<RunPoint>,
    /// Its next scheduled run, unix ms (none when unscheduled, disabled or paused).
    #[ts(type = "number | null")]
    pub next_run: Option<i64>,
}

impl Request for GetJobStats {
    type Response = JobStats;

    async fn handle(self, engine: &Engine) -> Result<JobStats, ApiError> {
        let job = engine
            .jobs()
            .job(&self.id)
            .ok_or_else(|| ApiError::not_found(format!("no job {:?}", self.id)))?;
        let now = engine.config().clock.now();
        let since = now.timestamp_millis() - STATS_DAYS * 86_400_000;
        let id = job.id.clone();
        let ((rows, succeeded, failed), durations) = engine
            .read(move |c| {
                Ok((
                    vigil_store::job_history(c, &id, STATS_RECENT, since)?,
                    vigil_store::recent_durations(c, &id, LEARN_FROM)?,
                ))
            })
            .await?;
        let runs = succeeded + failed;
        let paused = engine.settings().schedules_paused;
        let next_run = (job.enabled && !job.template && !paused)
            .then(|| job.next_fires(now, 1).first().map(|t| t.timestamp_millis()))
            .flatten();
        Ok(JobStats {
            job_id: job.id.clone(),
            since,
            runs,
            succeeded,
            failed,
            success_rate: (runs > 0).then(|| f64::from(succeeded) / f64::from(runs)),
            usual: Usual::learn(&durations),
            timeout_ms: job
                .execution
                .timeout_secs
                .map(|t| i64::try_from(t).unwrap_or(i64::MAX / 1000) * 1000),
            recent: rows
                .into_iter()
                .map(|r| RunPoint {
                    run_id: r.id,
                    ended_at: r.ended_at,
                    duration_ms: r.duration_ms,
                    status: r.status,
                    attempts: r.attempt,
                    trigger: r.trigger,
                })
                .collect(),
            next_run,
        })
    }
}
