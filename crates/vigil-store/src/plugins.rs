//! Checks and actions (JSON documents), the check invocation log, the metrics checks report
//! (raw values with per-minute and per-hour rollups, like CPU and memory), and the action log.

use rusqlite::{Connection, OptionalExtension, params};
use vigil_core::{
    Action, ActionId, ActionRun, ApiError, Check, CheckId, CheckRecord, CheckResult, CheckStatus,
    MetricSeries,
};

use crate::outbox::{from_json, to_json};
use crate::{Resolution, StoreError, Tx};

/// A write of a named row: a clash on the unique name is a conflict that names it.
fn named<T>(r: rusqlite::Result<T>, what: &str, name: &str) -> Result<T, StoreError> {
    match r {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(ApiError::conflict(format!("a {what} named {name:?} already exists")).into())
        }
        other => Ok(other?),
    }
}

/// Every check, by id.
pub fn list_checks(conn: &Connection) -> Result<Vec<Check>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, program_id, spec FROM checks ORDER BY id")?;
    let rows: Vec<(i64, Option<i64>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, program_id, spec)| {
            let mut c: Check = from_json("check", &spec)?;
            c.id = id;
            c.program_id = program_id;
            Ok(c)
        })
        .collect()
}

/// One check, or `NotFound`.
pub fn get_check(conn: &Connection, id: CheckId) -> Result<Check, StoreError> {
    list_checks(conn)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no check {id}")).into())
}

/// Creates (id 0) or replaces a check; its program must exist.
pub fn put_check(tx: &mut Tx<'_>, check: Check, now: i64) -> Result<Check, StoreError> {
    let mut c = check;
    let conn = tx.conn();
    if let Some(p) = c.program_id {
        let found: Option<i64> = conn
            .query_row("SELECT id FROM programs WHERE id = ?1", [p], |r| r.get(0))
            .optional()?;
        if found.is_none() {
            return Err(ApiError::invalid_field("program_id", format!("no program {p}")).into());
        }
    }
    if c.id == 0 {
        named(
            conn.execute(
                "INSERT INTO checks (name, program_id, spec, created_at, updated_at)
                 VALUES (?1, ?2, '{}', ?3, ?3)",
                params![c.name, c.program_id, now],
            ),
            "check",
            &c.name,
        )?;
        c.id = conn.last_insert_rowid();
    } else if named(
        conn.execute(
            "UPDATE checks SET name = ?2, program_id = ?3, updated_at = ?4 WHERE id = ?1",
            params![c.id, c.name, c.program_id, now],
        ),
        "check",
        &c.name,
    )? == 0
    {
        return Err(ApiError::not_found(format!("no check {}", c.id)).into());
    }
    conn.execute(
        "UPDATE checks SET spec = ?2 WHERE id = ?1",
        params![c.id, to_json(&c)?],
    )?;
    Ok(c)
}

/// Deletes a check with its log and metrics.
pub fn delete_check(tx: &mut Tx<'_>, id: CheckId) -> Result<(), StoreError> {
    if tx
        .conn()
        .execute("DELETE FROM checks WHERE id = ?1", [id])?
        == 0
    {
        return Err(ApiError::not_found(format!("no check {id}")).into());
    }
    Ok(())
}

/// Logs one invocation and stores its metrics (raw and rolled up). The check may have been
/// deleted meanwhile: then nothing is written.
pub fn record_check_result(
    tx: &mut Tx<'_>,
    check_id: CheckId,
    result: &CheckResult,
) -> Result<Option<i64>, StoreError> {
    let conn = tx.conn();
    let exists: Option<i64> = conn
        .prepare_cached("SELECT id FROM checks WHERE id = ?1")?
        .query_row([check_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO check_results (check_id, ts, status, message, error, duration_ms, attempts, metrics)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        check_id,
        result.ts,
        result.answer.status.as_str(),
        result.answer.message,
        result.error,
        result.duration_ms,
        result.attempts,
        to_json(&result.answer.metrics)?,
    ])?;
    let id = conn.last_insert_rowid();
    let secs = result.ts.div_euclid(1000);
    for m in &result.answer.metrics {
        let known: Option<i64> = conn
            .prepare_cached("SELECT id FROM metric_series WHERE check_id = ?1 AND label = ?2")?
            .query_row(params![check_id, m.label], |r| r.get(0))
            .optional()?;
        let series = match known {
            Some(id) => {
                conn.prepare_cached(
                    "UPDATE metric_series SET unit = ?2 WHERE id = ?1 AND unit != ?2",
                )?
                .execute(params![id, m.unit])?;
                id
            }
            None => {
                // A plugin whose labels change every run (a PID, a time) must not grow the
                // series without end: past the cap, new labels are not stored.
                let count: i64 = conn
                    .prepare_cached("SELECT COUNT(*) FROM metric_series WHERE check_id = ?1")?
                    .query_row([check_id], |r| r.get(0))?;
                if count >= MAX_SERIES_PER_CHECK {
                    continue;
                }
                conn.prepare_cached(
                    "INSERT INTO metric_series (check_id, label, unit) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![check_id, m.label, m.unit])?;
                conn.last_insert_rowid()
            }
        };
        conn.prepare_cached(
            "INSERT INTO metrics (series_id, ts, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![series, secs, m.value])?;
        for res in [Resolution::Minute, Resolution::Hour] {
            let bucket = secs - secs.rem_euclid(res.secs());
            conn.prepare_cached(&format!(
                "INSERT INTO {} (series_id, ts, n, vmin, vsum, vmax) VALUES (?1, ?2, 1, ?3, ?3, ?3)
                 ON CONFLICT (series_id, ts) DO UPDATE SET
                    n = n + 1, vmin = min(vmin, excluded.vmin),
                    vsum = vsum + excluded.vsum, vmax = max(vmax, excluded.vmax)",
                rollup_table(res)
            ))?
            .execute(params![series, bucket, m.value])?;
        }
    }
    Ok(Some(id))
}

/// Most metric series (labels) one check keeps.
pub const MAX_SERIES_PER_CHECK: i64 = 100;

fn rollup_table(res: Resolution) -> &'static str {
    match res {
        Resolution::Minute => "metrics_minute",
        Resolution::Hour => "metrics_hour",
    }
}

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<(CheckRecord, String)> {
    let status: String = r.get(3)?;
    Ok((
        CheckRecord {
            id: r.get(0)?,
            check_id: r.get(1)?,
            ts: r.get(2)?,
            status: CheckStatus::parse(&status).unwrap_or(CheckStatus::Unknown),
            message: r.get(4)?,
            error: r.get(5)?,
            duration_ms: r.get(6)?,
            attempts: r.get(7)?,
            metrics: Vec::new(),
        },
        r.get(8)?,
    ))
}

const RECORD_COLUMNS: &str =
    "id, check_id, ts, status, message, error, duration_ms, attempts, metrics";

/// A check's log, newest first, before the id `before` (all when `None`).
pub fn check_history(
    conn: &Connection,
    check_id: CheckId,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<CheckRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM check_results WHERE check_id = ?1 AND id < ?2
         ORDER BY id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(
        params![
            check_id,
            before.unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        record,
    )?;
    rows.map(|r| {
        let (mut rec, metrics) = r?;
        rec.metrics = from_json("metrics", &metrics)?;
        Ok(rec)
    })
    .collect()
}

/// Each check's latest logged invocation.
pub fn latest_check_results(conn: &Connection) -> Result<Vec<CheckRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM check_results
         WHERE id IN (SELECT MAX(id) FROM check_results GROUP BY check_id)"
    ))?;
    let rows = stmt.query_map([], record)?;
    rows.map(|r| {
        let (mut rec, metrics) = r?;
        rec.metrics = from_json("metrics", &metrics)?;
        Ok(rec)
    })
    .collect()
}

/// A check's metrics in `[from_ms, to_ms)`: raw values for spans up to 6 hours, per-minute
/// rollups up to 7 days, per-hour beyond (a 30-day chart reads rollups); a window starting
/// before what a resolution keeps (`retention` at `now_ms`) reads the next coarser one, so a
/// few hours of last week are not an empty chart.
pub fn check_metrics(
    conn: &Connection,
    check_id: CheckId,
    from_ms: i64,
    to_ms: i64,
    retention: crate::Retention,
    now_ms: i64,
) -> Result<Vec<MetricSeries>, StoreError> {
    // Values are stored by the second: a second counts when it starts before `to_ms` (an
    // answer given this very second is in a window ending now).
    let (from, to) = (
        from_ms.div_euclid(1000),
        to_ms.saturating_add(999).div_euclid(1000),
    );
    let span = to.saturating_sub(from);
    let now = now_ms.div_euclid(1000);
    let kept = |secs: i64| from >= now.saturating_sub(secs);
    let res = if span <= 6 * 3600 && kept(retention.raw_secs) {
        None
    } else if span <= 7 * 86_400 && kept(retention.minute_secs) {
        Some(Resolution::Minute)
    } else {
        Some(Resolution::Hour)
    };
    let series: Vec<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT id, label, unit FROM metric_series WHERE check_id = ?1 ORDER BY label",
        )?
        .query_map([check_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (id, label, unit) in series {
        let points: Vec<(i64, f64, f64, f64)> = match res {
            None => conn
                .prepare_cached(
                    "SELECT ts, value FROM metrics WHERE series_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
                )?
                .query_map(params![id, from, to], |r| {
                    let v: f64 = r.get(1)?;
                    Ok((r.get::<_, i64>(0)? * 1000, v, v, v))
                })?
                .collect::<Result<_, _>>()?,
            Some(res) => conn
                .prepare_cached(&format!(
                    "SELECT ts, vsum / n, vmin, vmax FROM {} WHERE series_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
                    rollup_table(res)
                ))?
                .query_map(params![id, from, to], |r| {
                    Ok((r.get::<_, i64>(0)? * 1000, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?,
        };
        if points.is_empty() {
            continue;
        }
        out.push(MetricSeries {
            label,
            unit,
            resolution_secs: res.map_or(0, Resolution::secs),
            points,
        });
    }
    Ok(out)
}

/// Deletes one bounded batch of old check history: invocation records older than `log_days`,
/// raw metrics and rollups past the sample retention. Returns the rows removed.
pub fn prune_check_history(
    tx: &mut Tx<'_>,
    log_days: i64,
    retention: crate::Retention,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let conn = tx.conn();
    let mut removed = 0;
    if log_days > 0 {
        // Only the oldest batch by id is looked at (rows come in time order), so a prune with
        // nothing to do reads a bounded number of rows, never the whole log.
        for table in ["check_results", "action_runs"] {
            removed += conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE id IN (
                         SELECT id FROM (SELECT id, ts FROM {table} ORDER BY id LIMIT ?2)
                         WHERE ts < ?1)"
                ),
                params![
                    now_ms - log_days.saturating_mul(86_400_000),
                    crate::samples::PRUNE_SAMPLES
                ],
            )?;
        }
    }
    let now = now_ms.div_euclid(1000);
    let series: Vec<i64> = conn
        .prepare_cached("SELECT id FROM metric_series")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (table, keep) in [
        ("metrics", retention.raw_secs),
        ("metrics_minute", retention.minute_secs),
        ("metrics_hour", retention.hour_secs),
    ] {
        let mut delete = conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE series_id = ?1 AND ts IN (
                 SELECT ts FROM {table} WHERE series_id = ?1 AND ts < ?2 ORDER BY ts LIMIT ?3)"
        ))?;
        for id in &series {
            removed += delete.execute(params![id, now - keep, crate::samples::PRUNE_SAMPLES])?;
        }
    }
    Ok(removed)
}

/// Every action, by id.
pub fn list_actions(conn: &Connection) -> Result<Vec<Action>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, spec FROM actions ORDER BY id")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, spec)| {
            let mut a: Action = from_json("action", &spec)?;
            a.id = id;
            Ok(a)
        })
        .collect()
}

/// Creates (id 0) or replaces an action.
pub fn put_action(tx: &mut Tx<'_>, action: Action, now: i64) -> Result<Action, StoreError> {
    let mut a = action;
    let conn = tx.conn();
    if a.id == 0 {
        named(
            conn.execute(
                "INSERT INTO actions (name, spec, created_at, updated_at) VALUES (?1, '{}', ?2, ?2)",
                params![a.name, now],
            ),
            "action",
            &a.name,
        )?;
        a.id = conn.last_insert_rowid();
    } else if named(
        conn.execute(
            "UPDATE actions SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![a.id, a.name, now],
        ),
        "action",
        &a.name,
    )? == 0
    {
        return Err(ApiError::not_found(format!("no action {}", a.id)).into());
    }
    conn.execute(
        "UPDATE actions SET spec = ?2 WHERE id = ?1",
        params![a.id, to_json(&a)?],
    )?;
    Ok(a)
}

/// Deletes an action with its log.
pub fn delete_action(tx: &mut Tx<'_>, id: ActionId) -> Result<(), StoreError> {
    if tx
        .conn()
        .execute("DELETE FROM actions WHERE id = ?1", [id])?
        == 0
    {
        return Err(ApiError::not_found(format!("no action {id}")).into());
    }
    Ok(())
}

/// Logs one run of an action (nothing when the action was deleted meanwhile).
pub fn record_action_run(
    tx: &mut Tx<'_>,
    run: &ActionRun,
) -> Result<Option<ActionRun>, StoreError> {
    let conn = tx.conn();
    let inserted = conn.execute(
        "INSERT INTO action_runs (action_id, event_id, ts, ok, message, duration_ms)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM actions WHERE id = ?1)",
        params![
            run.action_id,
            run.event_id,
            run.ts,
            run.ok,
            run.message,
            run.duration_ms
        ],
    )?;
    Ok((inserted == 1).then(|| ActionRun {
        id: conn.last_insert_rowid(),
        ..run.clone()
    }))
}

/// An action's log, newest first.
pub fn action_runs(
    conn: &Connection,
    action_id: ActionId,
    limit: usize,
) -> Result<Vec<ActionRun>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, action_id, event_id, ts, ok, message, duration_ms FROM action_runs
         WHERE action_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![action_id, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(ActionRun {
                id: r.get(0)?,
                action_id: r.get(1)?,
                event_id: r.get(2)?,
                ts: r.get(3)?,
                ok: r.get(4)?,
                message: r.get(5)?,
                duration_ms: r.get(6)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
