//! Typed queries. Reads take a `&Connection` (run them through [`crate::Store::read`]); writes
//! take a [`Tx`] (run them through [`crate::Writer::write`]) so their events commit with them.

use std::collections::BTreeMap;

use rusqlite::{Connection, ErrorCode as SqliteCode, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use vigil_core::{
    ApiError, Event, EventKind, Limits, MatchRule, NewEvent, NewProgram, Program, ProgramId,
    RestartPolicy,
};

use crate::{StoreError, Tx};

const PROGRAM_COLUMNS: &str = "id, name, path, args, cwd, env, created_at, options";

/// A program's supervision options, stored as one JSON column so adding an option needs no
/// migration. Missing keys (rows from older versions) take their defaults.
#[derive(Serialize, Deserialize)]
#[serde(default)]
struct Options {
    launch: bool,
    autostart: bool,
    match_by: MatchRule,
    tags: Vec<String>,
    restart: RestartPolicy,
    limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        let d = NewProgram::default();
        Self {
            launch: d.launch,
            autostart: d.autostart,
            match_by: d.match_by,
            tags: d.tags,
            restart: d.restart,
            limits: d.limits,
        }
    }
}

fn program_from_row(row: &Row<'_>) -> rusqlite::Result<Program> {
    let args: String = row.get(3)?;
    let env: String = row.get(5)?;
    let options: String = row.get(7)?;
    let o: Options = serde_json::from_str(&options).unwrap_or_default();
    Ok(Program {
        id: row.get(0)?,
        name: row.get(1)?,
        path: row.get(2)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        cwd: row.get(4)?,
        env: serde_json::from_str::<BTreeMap<String, String>>(&env).unwrap_or_default(),
        launch: o.launch,
        autostart: o.autostart,
        match_by: o.match_by,
        tags: o.tags,
        restart: o.restart,
        limits: o.limits,
        created_at: row.get(6)?,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Api(ApiError::internal(e.to_string())))
}

/// Every registered program, by name.
pub fn list_programs(conn: &Connection) -> Result<Vec<Program>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PROGRAM_COLUMNS} FROM programs ORDER BY name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([], program_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One program, or `NotFound`.
pub fn get_program(conn: &Connection, id: ProgramId) -> Result<Program, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {PROGRAM_COLUMNS} FROM programs WHERE id = ?1"
    ))?
    .query_row([id], program_from_row)
    .optional()?
    .ok_or_else(|| ApiError::not_found(format!("no program with id {id}")).into())
}

/// How many programs are registered.
pub fn program_count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM programs", [], |r| r.get(0))?)
}

/// Events with id greater than `since`, oldest first, at most `limit`.
pub fn events_since(conn: &Connection, since: i64, limit: u32) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, ts, kind, program_id, message, detail, job_id FROM events
         WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![since, limit], event_row)?;
    let mut out = Vec::new();
    for row in rows {
        // A kind written by a newer binary is skipped rather than misreported.
        if let Some(e) = row? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Events of one program with id below `before` (all when `None`), newest first, at most `limit`.
pub fn program_events(
    conn: &Connection,
    program_id: ProgramId,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, ts, kind, program_id, message, detail, job_id FROM events
         WHERE program_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![program_id, before.unwrap_or(i64::MAX), limit],
        event_row,
    )?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(e) = row? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Streams events of one program in `[from_ms, to_ms)`, oldest first, without collecting them.
pub fn for_each_program_event(
    conn: &Connection,
    program_id: ProgramId,
    from_ms: i64,
    to_ms: i64,
    mut f: impl FnMut(Event),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, ts, kind, program_id, message, detail, job_id FROM events
         WHERE program_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![program_id, from_ms, to_ms])?;
    while let Some(row) = rows.next()? {
        if let Some(e) = event_row(row)? {
            f(e);
        }
    }
    Ok(())
}

/// Reads an event row; `None` for a kind written by a newer binary.
fn event_row(row: &Row<'_>) -> rusqlite::Result<Option<Event>> {
    let kind: String = row.get(2)?;
    let Some(kind) = EventKind::parse(&kind) else {
        return Ok(None);
    };
    Ok(Some(Event {
        id: row.get(0)?,
        ts: row.get(1)?,
        kind,
        program_id: row.get(3)?,
        job_id: row.get(6)?,
        message: row.get(4)?,
        detail: row.get(5)?,
    }))
}

/// The newest event id, 0 when there is none.
pub fn last_event_id(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?)
}

impl Options {
    fn of(p: &NewProgram) -> Self {
        Self {
            launch: p.launch,
            autostart: p.autostart,
            match_by: p.match_by.clone(),
            tags: p.tags.clone(),
            restart: p.restart.clone(),
            limits: p.limits.clone(),
        }
    }
}

/// A write of a program's row: a clash on the unique name is a conflict that names it.
fn name_is_free(written: rusqlite::Result<usize>, name: &str) -> Result<(), StoreError> {
    match written {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == SqliteCode::ConstraintViolation => {
            Err(ApiError::conflict(format!("a program named {name:?} already exists")).into())
        }
        other => other.map(drop).map_err(StoreError::from),
    }
}

/// Registers an already validated program and records `program_added` with it.
pub fn insert_program(tx: &mut Tx<'_>, p: &NewProgram, now: i64) -> Result<Program, StoreError> {
    let options = Options::of(p);
    let inserted = tx.conn().execute(
        "INSERT INTO programs (name, path, args, cwd, env, created_at, options)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            p.name,
            p.path,
            to_json(&p.args)?,
            p.cwd,
            to_json(&p.env)?,
            now,
            to_json(&options)?
        ],
    );
    name_is_free(inserted, &p.name)?;
    let id = tx.conn().last_insert_rowid();
    tx.event(NewEvent {
        ts: now,
        kind: EventKind::ProgramAdded,
        program_id: Some(id),
        job_id: None,
        message: format!("program {:?} registered ({})", p.name, p.path),
        detail: None,
    })?;
    get_program(tx.conn(), id)
}

/// Replaces a program's definition, keeping its id, history and the rules naming it, and
/// records `program_changed` naming the changed fields. A name taken by another program is a
/// conflict; `NotFound` changes nothing.
pub fn update_program(
    tx: &mut Tx<'_>,
    id: ProgramId,
    p: &NewProgram,
    now: i64,
) -> Result<(Program, Program), StoreError> {
    let before = get_program(tx.conn(), id)?;
    let options = Options::of(p);
    let updated = tx.conn().execute(
        "UPDATE programs SET name = ?2, path = ?3, args = ?4, cwd = ?5, env = ?6, options = ?7
         WHERE id = ?1",
        params![
            id,
            p.name,
            p.path,
            to_json(&p.args)?,
            p.cwd,
            to_json(&p.env)?,
            to_json(&options)?
        ],
    );
    name_is_free(updated, &p.name)?;
    let after = get_program(tx.conn(), id)?;
    tx.event(NewEvent {
        ts: now,
        kind: EventKind::ProgramChanged,
        program_id: Some(id),
        job_id: None,
        message: format!(
            "program {:?} changed: {}",
            after.name,
            vigil_core::program_changes(&before, &after).join(", ")
        ),
        detail: None,
    })?;
    Ok((before, after))
}

/// A stored setting document by key, if any.
pub fn get_setting(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Stores a setting document, with an event when `event` is given (in the same transaction).
pub fn put_setting(
    tx: &mut Tx<'_>,
    key: &str,
    value: &str,
    event: Option<NewEvent>,
) -> Result<(), StoreError> {
    tx.conn().execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    if let Some(e) = event {
        tx.event(e)?;
    }
    Ok(())
}

/// Unregisters a program and records `program_removed`; `NotFound` changes nothing.
pub fn delete_program(tx: &mut Tx<'_>, id: ProgramId, now: i64) -> Result<Program, StoreError> {
    let program = get_program(tx.conn(), id)?;
    tx.conn()
        .execute("DELETE FROM programs WHERE id = ?1", [id])?;
    tx.event(NewEvent {
        ts: now,
        kind: EventKind::ProgramRemoved,
        program_id: Some(id),
        job_id: None,
        message: format!("program {:?} unregistered", program.name),
        detail: None,
    })?;
    Ok(program)
}
