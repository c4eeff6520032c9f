//! Keeping the disk bounded: launched-process identities, and the pruning of runs, events,
//! deliveries and their attempts by age and count, in bounded batches.
//!
//! Architecture Invariant: pruning never stalls the writer. Each call deletes at most
//! [`PRUNE_BATCH`] rows per table, walking from the oldest id (the primary key, so no extra
//! index and no scan of the rest); the caller repeats while a call removed a full batch,
//! yielding the writer to other commands between calls. Open runs and pending deliveries are
//! never pruned, whatever their age.

use rusqlite::{OptionalExtension, params};
use vigil_core::ProgramId;

use crate::{StoreError, Tx};

/// Most rows one prune call deletes from each table.
pub const PRUNE_BATCH: i64 = 2_000;

/// How much history of each kind is kept. Ages in days, counts in rows; `0` means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryRetention {
    /// Finished runs (and their output files) older than this go.
    pub run_days: i64,
    /// At most this many finished runs are kept (the oldest go first).
    pub max_runs: i64,
    /// Events older than this go.
    pub event_days: i64,
    /// At most this many events are kept.
    pub max_events: i64,
    /// Delivered and dead-lettered deliveries (with their attempts) older than this go.
    pub delivery_days: i64,
}

impl Default for HistoryRetention {
    fn default() -> Self {
        Self {
            run_days: 30,
            max_runs: 100_000,
            event_days: 30,
            max_events: 1_000_000,
            delivery_days: 14,
        }
    }
}

/// What one prune call removed. `run_ids` are the runs whose output files should go too.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Runs deleted (their output files are the caller's to delete).
    pub run_ids: Vec<i64>,
    /// Events deleted.
    pub events: usize,
    /// Deliveries deleted (attempts go with them).
    pub deliveries: usize,
}

impl Pruned {
    /// Whether some table had more to prune than one batch took.
    pub fn more(&self) -> bool {
        self.run_ids.len() as i64 >= PRUNE_BATCH
            || self.events as i64 >= PRUNE_BATCH
            || self.deliveries as i64 >= PRUNE_BATCH
    }
}

const DAY_MS: i64 = 86_400_000;

fn cutoff(now_ms: i64, days: i64) -> i64 {
    if days <= 0 {
        i64::MIN
    } else {
        now_ms - days.saturating_mul(DAY_MS)
    }
}

/// Deletes one batch of old history per table (see the module's invariant).
pub fn prune_history(
    tx: &mut Tx<'_>,
    keep: HistoryRetention,
    now_ms: i64,
) -> Result<Pruned, StoreError> {
    let conn = tx.conn();
    let mut pruned = Pruned::default();

    // Runs: finished, and old or beyond the count. Only the oldest batch of rows is looked at
    // (by id, the primary key), so a prune that finds nothing to do reads a bounded number of
    // rows. Each job's newest run and newest scheduled run are kept whatever their age: the
    // first is what a job's page shows last, the second is how a `missed: run_once` job
    // knows, after a long absence, that it missed a fire.
    let max_id: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM runs", [], |r| r.get(0))?;
    let below = if keep.max_runs > 0 {
        max_id - keep.max_runs
    } else {
        i64::MIN
    };
    {
        let mut stmt = conn.prepare_cached(
            // The newest-per-job checks are correlated lookups through the `(job_id, id)`
            // index, for the candidates only, not a `GROUP BY job_id` over the whole table.
            "SELECT id FROM (
                 SELECT id, job_id, status, queued_at, ended_at FROM runs ORDER BY id LIMIT ?3
             ) AS old
             WHERE status NOT IN ('queued', 'running')
               AND (COALESCE(ended_at, queued_at) < ?1 OR id <= ?2)
               AND id < (SELECT MAX(id) FROM runs WHERE job_id = old.job_id)
               AND id != COALESCE((SELECT id FROM runs WHERE job_id = old.job_id
                                   AND trigger = 'schedule' ORDER BY id DESC LIMIT 1), -1)",
        )?;
        let ids = stmt.query_map(
            params![cutoff(now_ms, keep.run_days), below, PRUNE_BATCH],
            |r| r.get::<_, i64>(0),
        )?;
        for id in ids {
            pruned.run_ids.push(id?);
        }
    }
    {
        let mut del = conn.prepare_cached("DELETE FROM runs WHERE id = ?1")?;
        for id in &pruned.run_ids {
            del.execute([id])?;
        }
    }

    // Events: old or beyond the count, among the oldest batch by id.
    let max_event: i64 =
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?;
    let below = if keep.max_events > 0 {
        max_event - keep.max_events
    } else {
        i64::MIN
    };
    pruned.events = conn.execute(
        "DELETE FROM events WHERE id IN (
             SELECT id FROM (SELECT id, ts FROM events ORDER BY id LIMIT ?3)
             WHERE ts < ?1 OR id <= ?2)",
        params![cutoff(now_ms, keep.event_days), below, PRUNE_BATCH],
    )?;

    // Deliveries that are over (delivered or dead), old, with their attempts.
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM deliveries
             WHERE status IN ('delivered', 'dead') AND updated_at < ?1
             ORDER BY id LIMIT ?2",
        )?;
        stmt.query_map(
            params![cutoff(now_ms, keep.delivery_days), PRUNE_BATCH],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?
    };
    {
        let mut attempts = conn.prepare_cached("DELETE FROM attempts WHERE delivery_id = ?1")?;
        let mut delivery = conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")?;
        for id in &ids {
            attempts.execute([id])?;
            delivery.execute([id])?;
        }
    }
    pruned.deliveries = ids.len();
    Ok(pruned)
}

/// Records the process a launched program runs as (replacing any earlier one).
pub fn launched_started(
    tx: &mut Tx<'_>,
    program: ProgramId,
    pid: u32,
    pid_start: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    tx.conn().execute(
        "INSERT OR REPLACE INTO launched (program_id, pid, pid_start, at) VALUES (?1, ?2, ?3, ?4)",
        params![program, pid, pid_start, now_ms],
    )?;
    Ok(())
}

/// Forgets a launched program's process (it exited and its tree was ended).
pub fn launched_ended(tx: &mut Tx<'_>, program: ProgramId) -> Result<(), StoreError> {
    tx.conn()
        .execute("DELETE FROM launched WHERE program_id = ?1", [program])?;
    Ok(())
}

/// The launched processes recorded as running: `(program, pid, start time)`. After a crash of
/// Vigil these are the leftovers to end.
pub fn launched_leftovers(
    conn: &rusqlite::Connection,
) -> Result<Vec<(ProgramId, u32, i64)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT program_id, pid, pid_start FROM launched ORDER BY program_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The launched process recorded for one program, if any.
pub fn launched_of(
    conn: &rusqlite::Connection,
    program: ProgramId,
) -> Result<Option<(u32, i64)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT pid, pid_start FROM launched WHERE program_id = ?1",
            [program],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
