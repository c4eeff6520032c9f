use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::{ApiError, NewProgram, Program, ProgramId};

use crate::statuses::ProgramStatus;
use crate::supervisor::Control;
use crate::{Engine, Request, now_ms, platform};

use crate::statuses::STATUS_RECENT;

fn known(engine: &Engine, id: ProgramId) -> Result<(), ApiError> {
    engine
        .program(id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("no program with id {id}")))
}

/// Every program's live status (from memory; cheap enough to poll).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListProgramStatus {}

impl Request for ListProgramStatus {
    type Response = Vec<ProgramStatus>;

    async fn handle(self, engine: &Engine) -> Result<Vec<ProgramStatus>, ApiError> {
        let mut programs = engine.programs();
        programs.sort_by_key(|p| p.id);
        Ok(programs
            .iter()
            .map(|p| engine.statuses().get(p.id, STATUS_RECENT))
            .collect())
    }
}

/// One program's live status.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetProgramStatus {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for GetProgramStatus {
    type Response = ProgramStatus;

    async fn handle(self, engine: &Engine) -> Result<ProgramStatus, ApiError> {
        known(engine, self.id)?;
        Ok(engine.statuses().get(self.id, STATUS_RECENT))
    }
}

/// Starts a launched program (a start of a running one changes nothing). Resets a crash loop.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct StartProgram {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for StartProgram {
    type Response = ProgramStatus;

    async fn handle(self, engine: &Engine) -> Result<ProgramStatus, ApiError> {
        engine.control(self.id, Control::Start).await??;
        Ok(engine.statuses().get(self.id, STATUS_RECENT))
    }
}

/// Stops a program. A launched one: a polite request, then its whole process tree is killed
/// after the grace period (stopping a stopped program changes nothing). A watched one (Vigil
/// did not start it, and a match rule may cover other people's processes): only the processes
/// named in `pids`, which a person confirmed from `get_program_processes`, and only those that
/// still belong to it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct StopProgram {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
    /// For a watched program, the PIDs to end (required); ignored for a launched one.
    #[serde(default)]
    #[ts(optional)]
    pub pids: Option<Vec<u32>>,
}

/// Most PIDs one stop of a watched program names.
pub const MAX_STOP_PIDS: usize = 1000;

impl Request for StopProgram {
    type Response = ProgramStatus;

    async fn handle(self, engine: &Engine) -> Result<ProgramStatus, ApiError> {
        let program = engine
            .program(self.id)
            .ok_or_else(|| ApiError::not_found(format!("no program with id {}", self.id)))?;
        if program.launch {
            engine.control(self.id, Control::Stop).await?;
        } else {
            stop_watched(engine, &program, self.pids.unwrap_or_default()).await?;
        }
        Ok(engine.statuses().get(self.id, STATUS_RECENT))
    }
}

/// Ends the confirmed processes of a watched program: each politely, then killed after the
/// grace period, its identity (PID and start time) checked before every signal. A PID that no
/// longer belongs to the program is left alone.
async fn stop_watched(
    engine: &Engine,
    program: &Program,
    mut pids: Vec<u32>,
) -> Result<(), ApiError> {
    pids.sort_unstable();
    pids.dedup();
    if pids.is_empty() {
        return Err(ApiError::invalid_field(
            "pids",
            format!(
                "{:?} is only watched: its stop must name the processes to end (confirm them from \
                 its process list first), because its match rule may cover processes Vigil did \
                 not start",
                program.name
            ),
        ));
    }
    if pids.len() > MAX_STOP_PIDS {
        return Err(ApiError::invalid_field(
            "pids",
            format!("at most {MAX_STOP_PIDS} processes per stop"),
        ));
    }
    let current = engine.statuses().get(program.id, STATUS_RECENT).processes;
    let chosen: Vec<_> = current
        .into_iter()
        .filter(|p| pids.contains(&p.pid))
        .collect();
    if chosen.is_empty() {
        return Err(ApiError::conflict(format!(
            "none of the processes {pids:?} belongs to {:?} now; nothing was stopped",
            program.name
        )));
    }
    let grace = engine.live().stop_grace;
    let ended = futures_util::future::join_all(chosen.iter().map(|p| {
        platform::end_process(p.pid, i64::try_from(p.started).unwrap_or(i64::MAX), grace)
    }))
    .await;
    let names: Vec<String> = chosen
        .iter()
        .zip(&ended)
        .filter(|(_, ok)| **ok)
        .map(|(p, _)| p.pid.to_string())
        .collect();
    // The answer (and everyone watching) shows the ended processes gone at once, not after the
    // next sweep: a status read now would still list them, and a client that applies it after
    // a newer one would show the program running again.
    let gone: Vec<u32> = chosen
        .iter()
        .zip(&ended)
        .filter(|(_, ok)| **ok)
        .map(|(p, _)| p.pid)
        .collect();
    engine.statuses().update(program.id, |s| {
        s.processes.retain(|p| !gone.contains(&p.pid));
        s.cpu_percent = s.processes.iter().map(|p| p.cpu_percent).sum();
        s.memory_bytes = s.processes.iter().map(|p| p.memory_bytes).sum();
        if s.processes.is_empty() {
            s.state = crate::statuses::ProgramState::Stopped;
            s.since = None;
        }
    });
    let skipped = pids.len() - names.len();
    let mut message = format!(
        "{:?}: ended {} watched process(es) on request (PID {})",
        program.name,
        names.len(),
        names.join(", ")
    );
    if skipped > 0 {
        message.push_str(&format!(
            "; {skipped} no longer belonged to it and were left alone"
        ));
    }
    let id = program.id;
    engine
        .record(vigil_core::NewEvent {
            ts: now_ms(),
            kind: vigil_core::EventKind::ProgramStopped,
            program_id: Some(id),
            job_id: None,
            message,
            detail: None,
        })
        .await?;
    engine.refresh_targets();
    Ok(())
}

/// Stops and starts a running launched program.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RestartProgram {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for RestartProgram {
    type Response = ProgramStatus;

    async fn handle(self, engine: &Engine) -> Result<ProgramStatus, ApiError> {
        engine.control(self.id, Control::Restart).await??;
        Ok(engine.statuses().get(self.id, STATUS_RECENT))
    }
}

/// Most lines one tail returns.
pub const MAX_TAIL: usize = 5_000;

/// The last lines a launched program printed (stdout and stderr, stderr marked).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct TailLog {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
    /// How many lines (default 200, at most 5,000).
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub lines: Option<usize>,
}

impl Request for TailLog {
    type Response = Vec<String>;

    async fn handle(self, engine: &Engine) -> Result<Vec<String>, ApiError> {
        known(engine, self.id)?;
        let n = match self.lines {
            None => 200,
            Some(0) => return Err(ApiError::invalid("lines must be at least 1")),
            Some(n) => n.min(MAX_TAIL),
        };
        let Some(log) = engine.log(self.id) else {
            return Ok(Vec::new()); // a watched program has no output Vigil can see
        };
        // Lines printed before this request are in the file before it is read.
        log.flush().await;
        tokio::task::spawn_blocking(move || log.tail(n))
            .await
            .map_err(|e| ApiError::internal(format!("log read failed: {e}")))
    }
}

/// A program's events, newest first, paged by id.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListProgramEvents {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
    /// Only events with an id below this (the last id of the previous page).
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub before: Option<i64>,
    /// At most this many (default 100, at most 1,000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl Request for ListProgramEvents {
    type Response = Vec<vigil_core::Event>;

    async fn handle(self, engine: &Engine) -> Result<Vec<vigil_core::Event>, ApiError> {
        known(engine, self.id)?;
        let limit = match self.limit {
            None => 100,
            Some(0) => return Err(ApiError::invalid("limit must be at least 1")),
            Some(n) => n.min(1000),
        };
        let (id, before) = (self.id, self.before);
        engine
            .read(move |c| vigil_store::program_events(c, id, before, limit))
            .await
    }
}

/// Lists every registered program.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListPrograms {}

impl Request for ListPrograms {
    type Response = Vec<Program>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Program>, ApiError> {
        engine.read(vigil_store::list_programs).await
    }
}

/// Reads one program.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetProgram {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for GetProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        engine
            .read(move |c| vigil_store::get_program(c, self.id))
            .await
    }
}

/// Unregisters a program; returns what was removed.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RemoveProgram {
    /// The program's id.
    #[ts(type = "number")]
    pub id: ProgramId,
}

impl Request for RemoveProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        let _one_at_a_time = engine.programs_change().await;
        if engine.is_stopping() {
            return Err(ApiError::unavailable("the engine is stopping"));
        }
        let removed = engine
            .write(move |tx| vigil_store::delete_program(tx, self.id, now_ms()))
            .await?;
        engine.forget(removed.id).await;
        crate::supervisor::remove_spools(engine, removed.id).await;
        Ok(removed)
    }
}

/// Registers a program: text rules from core, then the file system checks, then one write.
impl Request for NewProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        let (program, _one_at_a_time) = checked(engine, self).await?;
        let added = engine
            .write(move |tx| vigil_store::insert_program(tx, &program, now_ms()))
            .await?;
        engine.adopt(added.clone());
        engine.refresh_targets();
        Ok(added)
    }
}

/// A definition checked for adding or changing: the text rules from core, then the file
/// system (off the async threads), then the program-change lock taken with the engine still
/// running. The caller writes and applies while it holds the lock.
async fn checked(
    engine: &Engine,
    program: NewProgram,
) -> Result<(NewProgram, tokio::sync::MutexGuard<'_, ()>), ApiError> {
    let program = program.validate()?;
    let program = tokio::task::spawn_blocking(move || check_files(&program).map(|()| program))
        .await
        .map_err(|e| ApiError::internal(format!("path check failed: {e}")))??;
    let guard = engine.programs_change().await;
    if engine.is_stopping() {
        return Err(ApiError::unavailable("the engine is stopping"));
    }
    Ok((program, guard))
}

fn check_files(p: &NewProgram) -> Result<(), ApiError> {
    let meta = std::fs::metadata(&p.path)
        .map_err(|e| ApiError::invalid(format!("path {:?} cannot be used: {e}", p.path)))?;
    if meta.is_dir() {
        return Err(ApiError::invalid(format!(
            "path {:?} is a directory, not an executable",
            p.path
        )));
    }
    if !platform::is_executable(&meta) {
        return Err(ApiError::invalid(format!(
            "path {:?} is not executable",
            p.path
        )));
    }
    if let Some(cwd) = &p.cwd
        && !Path::new(cwd).is_dir()
    {
        return Err(ApiError::invalid(format!(
            "cwd {cwd:?} is not an existing directory"
        )));
    }
    Ok(())
}

impl Engine {
    /// Lines a launched program prints from now on, for a live log view. A listener that falls
    /// behind skips lines (it can re-read them with a tail); it never slows the program.
    pub fn follow_log(
        &self,
        id: ProgramId,
    ) -> Result<tokio::sync::broadcast::Receiver<String>, ApiError> {
        known(self, id)?;
        self.log(id)
            .map(|log| log.follow())
            .ok_or_else(|| ApiError::conflict("only programs Vigil launches have output to follow"))
    }
}

/// Every tag in use on programs and jobs, sorted, each once: what a tag field suggests.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListTags {}

impl Request for ListTags {
    type Response = Vec<String>;

    async fn handle(self, engine: &Engine) -> Result<Vec<String>, ApiError> {
        let mut tags: std::collections::BTreeSet<String> =
            engine.programs().into_iter().flat_map(|p| p.tags).collect();
        tags.extend(engine.jobs().all().into_iter().flat_map(|j| j.tags));
        Ok(tags.into_iter().collect())
    }
}

/// Changes a registered program, keeping its id, history, events and the rules that name it.
/// The body is the whole definition (as for adding) with the id from the path. A running
/// launched program is restarted only when what it was started with changed (path, arguments,
/// working directory, environment); the answer says what happened.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateProgram(#[ts(type = "NewProgram & { id: number }")] pub serde_json::Value);

/// What a program's change did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ProgramSaved {
    /// The program as saved.
    pub program: Program,
    /// Whether its running process was restarted to take the change.
    pub restarted: bool,
    /// What happened, for people: applied at once, restarted, at the next start, or stopped.
    pub effect: String,
}

impl Request for UpdateProgram {
    type Response = ProgramSaved;

    async fn handle(self, engine: &Engine) -> Result<ProgramSaved, ApiError> {
        let serde_json::Value::Object(mut fields) = self.0 else {
            return Err(ApiError::invalid("a program must be a JSON object"));
        };
        let id = match fields.remove("id") {
            Some(serde_json::Value::Number(n)) if n.as_i64().is_some_and(|i| i > 0) => {
                n.as_i64().unwrap_or_default()
            }
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "id must be a positive integer, got {other}"
                )));
            }
            None => return Err(ApiError::invalid("id is required")),
        };
        known(engine, id)?;
        let program: NewProgram = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|e| ApiError::invalid(format!("program: {e}")))?;
        let (program, _one_at_a_time) = checked(engine, program).await?;
        let (before, after) = engine
            .write(move |tx| vigil_store::update_program(tx, id, &program, now_ms()))
            .await?;
        let replaced = engine.replace(&before, after.clone()).await;
        use crate::engine::Replaced;
        let effect = match replaced {
            Replaced::Applied => "saved; applied at once",
            Replaced::Restarted => "saved; restarted to run with the new command",
            Replaced::NextStart => "saved; the new command is used at its next start",
            Replaced::Stopped => "saved; the process Vigil had launched was stopped",
        };
        Ok(ProgramSaved {
            program: after,
            restarted: replaced == Replaced::Restarted,
            effect: effect.to_owned(),
        })
    }
}

/// Most matching processes one preview lists (the count covers all).
pub const MAX_PREVIEW: usize = 20;

/// Which running processes a match rule finds now: the editor's "matches N processes" line.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct PreviewMatch {
    /// The rule, as `by` and `value` (for example `by=name&value=node.exe`).
    pub by: String,
    /// The name or command-line text (not for `exe`).
    #[serde(default)]
    #[ts(optional)]
    pub value: Option<String>,
    /// The executable path, for `exe`.
    #[serde(default)]
    #[ts(optional)]
    pub path: Option<String>,
}

/// What a match rule finds now.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MatchPreview {
    /// How many processes match.
    pub count: usize,
    /// The first of them, by PID.
    pub processes: Vec<crate::monitor::MatchedProcess>,
}

impl Request for PreviewMatch {
    type Response = MatchPreview;

    async fn handle(self, engine: &Engine) -> Result<MatchPreview, ApiError> {
        let _ = engine;
        let text = |what: &str| -> Result<String, ApiError> {
            match self.value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_owned()),
                _ => Err(ApiError::invalid(format!("value is required: the {what}"))),
            }
        };
        let (rule, path) = match self.by.as_str() {
            "exe" => match self.path.as_deref().map(str::trim) {
                Some(p) if Path::new(p).is_absolute() => (vigil_core::MatchRule::Exe, p.to_owned()),
                _ => {
                    return Err(ApiError::invalid(
                        "path must be an absolute path for by=exe",
                    ));
                }
            },
            "name" => (
                vigil_core::MatchRule::Name(text("process name")?),
                String::new(),
            ),
            "cmdline" => (
                vigil_core::MatchRule::Cmdline(text("command-line text")?),
                String::new(),
            ),
            other => {
                return Err(ApiError::invalid(format!(
                    "by must be exe, name or cmdline, got {other:?}"
                )));
            }
        };
        let found = tokio::task::spawn_blocking(move || crate::monitor::find_matches(&rule, &path))
            .await
            .map_err(|e| ApiError::internal(format!("process read failed: {e}")))?
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(MatchPreview {
            count: found.len(),
            processes: found.into_iter().take(MAX_PREVIEW).collect(),
        })
    }
}
