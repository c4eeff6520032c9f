//! Jobs and runs, and the trigger credentials that run jobs from outside.

use rusqlite::{Connection, OptionalExtension, Row, params};
use vigil_core::{ApiError, Job, Run, RunId, RunStatus, Trigger};

use crate::{StoreError, Tx};

mod triggers;
pub use triggers::*;

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Api(ApiError::internal(e.to_string())))
}

fn job_from_spec(spec: &str) -> Result<Job, StoreError> {
    serde_json::from_str(spec)
        .map_err(|e| StoreError::Api(ApiError::internal(format!("stored job is unreadable: {e}"))))
}

/// Every job, by id.
pub fn list_jobs(conn: &Connection) -> Result<Vec<Job>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT spec FROM jobs ORDER BY id")?;
    let specs: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    specs.iter().map(|s| job_from_spec(s)).collect()
}

/// One job, or `NotFound`.
pub fn get_job(conn: &Connection, id: &str) -> Result<Job, StoreError> {
    let spec: Option<String> = conn
        .prepare_cached("SELECT spec FROM jobs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match spec {
        Some(s) => job_from_spec(&s),
        None => Err(ApiError::not_found(format!("no job {id:?}")).into()),
    }
}

/// How [`put_job`] treats an existing id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// Only a new id; an existing one is a conflict.
    Create,
    /// Only an existing id; a new one is not found.
    Replace,
    /// Either.
    Upsert,
}

/// Writes a job definition.
pub fn put_job(tx: &mut Tx<'_>, job: &Job, put: Put, now: i64) -> Result<(), StoreError> {
    let exists: bool = tx.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1)",
        [&job.id],
        |r| r.get(0),
    )?;
    match (put, exists) {
        (Put::Create, true) => {
            return Err(
                ApiError::conflict(format!("a job with id {:?} already exists", job.id)).into(),
            );
        }
        (Put::Replace, false) => {
            return Err(ApiError::not_found(format!("no job {:?}", job.id)).into());
        }
        _ => {}
    }
    tx.conn().execute(
        "INSERT INTO jobs (id, spec, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
        params![job.id, json(job)?, now],
    )?;
    Ok(())
}

/// Deletes a job and its trigger credentials; its runs stay in the history.
pub fn delete_job(tx: &mut Tx<'_>, id: &str) -> Result<Job, StoreError> {
    let job = get_job(tx.conn(), id)?;
    tx.conn().execute("DELETE FROM jobs WHERE id = ?1", [id])?;
    // Its trigger credentials go too: a new job under the same id must not inherit them.
    tx.conn()
        .execute("DELETE FROM triggers WHERE job_id = ?1", [id])?;
    Ok(job)
}

const RUN_COLUMNS: &str = "id, job_id, trigger, status, attempt, options, argv, queued_at, \
                           started_at, ended_at, exit_code, pid, pid_start, error, retried";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<Run> {
    let trigger: String = row.get(2)?;
    let status: String = row.get(3)?;
    let options: String = row.get(5)?;
    let argv: String = row.get(6)?;
    Ok(Run {
        id: row.get(0)?,
        job_id: row.get(1)?,
        trigger: Trigger::parse(&trigger).unwrap_or(Trigger::Manual),
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Interrupted),
        attempt: row.get(4)?,
        options: serde_json::from_str(&options).unwrap_or_default(),
        argv: serde_json::from_str(&argv).unwrap_or_default(),
        queued_at: row.get(7)?,
        started_at: row.get(8)?,
        ended_at: row.get(9)?,
        exit_code: row.get(10)?,
        pid: row.get(11)?,
        pid_start: row.get(12)?,
        error: row.get(13)?,
        retried: row.get(14)?,
    })
}

/// Records a new run (queued, or final with `status` when it was skipped).
pub fn insert_run(tx: &mut Tx<'_>, run: &Run) -> Result<Run, StoreError> {
    tx.conn().execute(
        "INSERT INTO runs (job_id, trigger, status, attempt, options, argv, queued_at, ended_at, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            run.job_id,
            run.trigger.as_str(),
            run.status.as_str(),
            run.attempt,
            json(&run.options)?,
            json(&run.argv)?,
            run.queued_at,
            run.ended_at,
            run.error
        ],
    )?;
    let id = tx.conn().last_insert_rowid();
    get_run(tx.conn(), id)
}

/// Marks a run started with its process identity.
pub fn run_started(
    tx: &mut Tx<'_>,
    id: RunId,
    at: i64,
    pid: Option<u32>,
    pid_start: Option<i64>,
) -> Result<Run, StoreError> {
    tx.conn().execute(
        "UPDATE runs SET status = 'running', started_at = ?2, pid = ?3, pid_start = ?4 WHERE id = ?1",
        params![id, at, pid, pid_start],
    )?;
    get_run(tx.conn(), id)
}

/// How a run's attempt ended, for [`run_finished`].
#[derive(Debug, Clone, Copy)]
pub struct Finished<'a> {
    /// Its final status.
    pub status: RunStatus,
    /// When, unix ms.
    pub at: i64,
    /// Exit code, when it exited.
    pub exit_code: Option<i64>,
    /// Why, in words.
    pub error: Option<&'a str>,
    /// A retry follows this attempt.
    pub retried: bool,
}

/// Records how a run ended.
pub fn run_finished(tx: &mut Tx<'_>, id: RunId, f: Finished<'_>) -> Result<Run, StoreError> {
    tx.conn().execute(
        "UPDATE runs SET status = ?2, ended_at = ?3, exit_code = ?4, error = ?5, retried = ?6 WHERE id = ?1",
        params![id, f.status.as_str(), f.at, f.exit_code, f.error, f.retried],
    )?;
    get_run(tx.conn(), id)
}

/// One run, or `NotFound`.
pub fn get_run(conn: &Connection, id: RunId) -> Result<Run, StoreError> {
    conn.prepare_cached(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"))?
        .query_row([id], run_from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no run {id}")).into())
}

/// A filter over the run history, newest first.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only this job's runs.
    pub job: Option<String>,
    /// Only runs in this state.
    pub status: Option<RunStatus>,
    /// Only runs with a smaller id (paging).
    pub before: Option<RunId>,
    /// At most this many.
    pub limit: u32,
}

/// Runs matching a filter, newest first.
pub fn list_runs(conn: &Connection, f: &RunFilter) -> Result<Vec<Run>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM runs
         WHERE (?1 IS NULL OR job_id = ?1) AND (?2 IS NULL OR status = ?2) AND id < ?3
         ORDER BY id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(
        params![
            f.job,
            f.status.map(RunStatus::as_str),
            f.before.unwrap_or(i64::MAX),
            f.limit
        ],
        run_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest run of each of these jobs (jobs without runs are left out), through the
/// `(job_id, id)` index: one lookup per job.
pub fn last_runs(conn: &Connection, jobs: &[String]) -> Result<Vec<Run>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE job_id = ?1 ORDER BY id DESC LIMIT 1"
    ))?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Some(run) = stmt.query_row([job], run_from_row).optional()? {
            out.push(run);
        }
    }
    Ok(out)
}

/// Runs still queued or running (after a crash of Vigil these are what was going on).
pub fn open_runs(conn: &Connection) -> Result<Vec<Run>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE status IN ('queued', 'running') ORDER BY id"
    ))?;
    let rows = stmt.query_map([], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Durations (ms) of the last `n` successful runs of a job, newest first.
pub fn recent_durations(conn: &Connection, job: &str, n: u32) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ended_at - started_at FROM runs
         WHERE job_id = ?1 AND status = 'succeeded' AND started_at IS NOT NULL AND ended_at IS NOT NULL
         ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![job, n], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the last scheduled run of a job was queued, unix ms.
pub fn last_scheduled(conn: &Connection, job: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn.query_row(
        "SELECT max(queued_at) FROM runs WHERE job_id = ?1 AND trigger = 'schedule'",
        [job],
        |r| r.get(0),
    )?)
}

/// How many runs ended in `status` since `since_ms` (a run and its retries count once, by
/// their final attempt).
pub fn count_runs_since(
    conn: &Connection,
    status: RunStatus,
    since_ms: i64,
) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM runs WHERE status = ?1 AND ended_at >= ?2 AND retried = 0",
        params![status.as_str(), since_ms],
        |r| r.get(0),
    )?)
}

/// The latest failed or timed-out runs (final attempts), newest first.
pub fn recent_failures(conn: &Connection, limit: u32) -> Result<Vec<Run>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE status IN ('failed', 'timed_out') AND retried = 0 ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Jobs whose latest finished run failed or timed out (they stay failing until a run succeeds).
pub fn failing_jobs(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.job_id FROM runs r JOIN jobs j ON j.id = r.job_id
         WHERE r.id IN (SELECT max(id) FROM runs
                        WHERE status IN ('succeeded', 'failed', 'timed_out') AND retried = 0
                        GROUP BY job_id)
           AND r.status IN ('failed', 'timed_out')
         ORDER BY r.job_id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One finished run of a job for its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// The run (its final attempt).
    pub id: RunId,
    /// When it ended, unix ms.
    pub ended_at: i64,
    /// How long its final attempt ran, ms (none when it never started).
    pub duration_ms: Option<i64>,
    /// How it ended.
    pub status: RunStatus,
    /// Which attempt this was.
    pub attempt: u32,
    /// What started the attempt.
    pub trigger: Trigger,
}

/// The last `n` finished final attempts of a job (oldest first), and the counts of succeeded
/// and failed-or-timed-out final attempts that ended since `since_ms`.
pub fn job_history(
    conn: &Connection,
    job: &str,
    n: u32,
    since_ms: i64,
) -> Result<(Vec<RunRow>, u32, u32), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, ended_at, ended_at - started_at, status, attempt, trigger FROM runs
         WHERE job_id = ?1 AND retried = 0 AND ended_at IS NOT NULL
           AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'interrupted')
         ORDER BY id DESC LIMIT ?2",
    )?;
    let mut rows: Vec<RunRow> = stmt
        .query_map(params![job, n], |r| {
            let status: String = r.get(3)?;
            let trigger: String = r.get(5)?;
            Ok(RunRow {
                id: r.get(0)?,
                ended_at: r.get(1)?,
                duration_ms: r.get(2)?,
                status: RunStatus::parse(&status).unwrap_or(RunStatus::Interrupted),
                attempt: r.get(4)?,
                trigger: Trigger::parse(&trigger).unwrap_or(Trigger::Manual),
            })
        })?
        .collect::<Result<_, _>>()?;
    rows.reverse();
    let (succeeded, failed) = conn.query_row(
        "SELECT coalesce(sum(status = 'succeeded'), 0), coalesce(sum(status IN ('failed', 'timed_out')), 0)
         FROM runs WHERE job_id = ?1 AND retried = 0 AND ended_at >= ?2",
        params![job, since_ms],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((rows, succeeded, failed))
}
