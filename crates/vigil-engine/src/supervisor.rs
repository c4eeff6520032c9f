//! The supervisor: one task per launched program that starts it, notices its exit from the
//! child itself (not at the next sweep), applies the restart policy, and stops its whole
//! process tree (politely first, then by force after a grace period).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use process_wrap::tokio::{ChildWrapper, CommandWrap};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use vigil_core::{
    ApiError, EventKind, ExitStatus, NewEvent, Program, ProgramId, RestartDecision, RestartTracker,
};

use crate::logs::ProgramLog;
use crate::process::{innermost, process_start, pump, tail_spool};
use crate::statuses::ProgramState;
use crate::{Engine, now_ms, platform};

/// Requests to a program's supervisor task.
pub(crate) enum Control {
    Start(oneshot::Sender<Result<(), ApiError>>),
    Stop(oneshot::Sender<()>),
    Restart(oneshot::Sender<Result<(), ApiError>>),
    Shutdown(oneshot::Sender<()>),
    /// A changed definition: used from now on (a running process goes on as it is).
    Update(Box<Program>, oneshot::Sender<()>),
    /// Vigil quits leaving programs running: a program started to outlive Vigil is let go
    /// (answer `true`); any other is stopped as on a shutdown (answer `false`).
    Detach(oneshot::Sender<bool>),
}

/// The engine's handle on one supervisor task.
pub(crate) struct ProgramHandle {
    pub(crate) control: mpsc::Sender<Control>,
    pub(crate) log: Arc<ProgramLog>,
    pub(crate) task: JoinHandle<()>,
}

/// Starts the supervisor task of a launched program: it adopts `adopt` (the identity of a
/// process the last Vigil left running for it), or starts the program when autostart.
pub(crate) fn spawn(
    engine: Engine,
    program: Program,
    log: Arc<ProgramLog>,
    adopt: Option<(u32, i64)>,
) -> ProgramHandle {
    let (control, rx) = mpsc::channel(8);
    let task = tokio::spawn(
        Supervisor {
            engine,
            program,
            log: log.clone(),
            rx,
            tracker: RestartTracker::default(),
        }
        .run(adopt),
    );
    ProgramHandle { control, log, task }
}

struct Supervisor {
    engine: Engine,
    program: Program,
    log: Arc<ProgramLog>,
    rx: mpsc::Receiver<Control>,
    tracker: RestartTracker,
}

/// A running child and what reads its output.
struct Running {
    child: Box<dyn ChildWrapper>,
    started: Instant,
    readers: Vec<JoinHandle<()>>,
    /// For a program started to outlive Vigil (output through spool files): tells the spool
    /// readers to finish.
    spool: Option<tokio::sync::watch::Sender<bool>>,
    /// The main process's identity (pid, start time), when it could be read.
    identity: Option<(u32, i64)>,
}

/// An answer owed to a request once an adopted process is gone.
enum Reply {
    Stop(oneshot::Sender<()>),
    Restart(oneshot::Sender<Result<(), ApiError>>),
}

/// Ends a process tree that is not (or no longer) this Vigil's child, politely then by force
/// (see `platform::end_leftover`), on a blocking thread: it polls the process table.
pub(crate) async fn end_tree(pid: u32, start: i64, grace: Duration) -> bool {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(platform::end_leftover(pid, start, grace)))
        .await
        .unwrap_or(false)
}

/// Removes a program's spool files (none is fine): once its spooled process is gone, or when
/// it starts with pipes, so stale files never make a later leftover look adoptable.
pub(crate) async fn remove_spools(engine: &Engine, id: ProgramId) {
    let paths = spool_paths(engine, id);
    let _ = tokio::task::spawn_blocking(move || {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    })
    .await;
}

/// What [`open_spools`] gives: the paths and the stdout and stderr files, open for appending.
type Spools = ([std::path::PathBuf; 2], std::fs::File, std::fs::File);

/// Creates (emptied) spool files for a program's stdout and stderr, opened for appending.
fn open_spools(paths: [std::path::PathBuf; 2]) -> std::io::Result<Spools> {
    let open = |path: &std::path::Path| {
        std::fs::File::create(path)?;
        std::fs::OpenOptions::new().append(true).open(path)
    };
    let out = open(&paths[0])?;
    let err = open(&paths[1])?;
    Ok((paths, out, err))
}

/// The spool files of a program whose output must outlive Vigil: stdout, stderr.
pub(crate) fn spool_paths(engine: &Engine, id: ProgramId) -> [std::path::PathBuf; 2] {
    let dir = engine.data_dir().join("logs");
    [
        dir.join(format!("{id}.stdout.spool")),
        dir.join(format!("{id}.stderr.spool")),
    ]
}

enum Next {
    Idle,
    Run {
        restarted: bool,
    },
    WaitUntil(Instant),
    /// Watching a process the last Vigil left running (pid, start time).
    Adopted(u32, i64),
    Exit,
}

impl Supervisor {
    fn id(&self) -> ProgramId {
        self.program.id
    }

    async fn run(mut self, adopt: Option<(u32, i64)>) {
        let mut next = match adopt {
            Some((pid, start)) => Next::Adopted(pid, start),
            None if self.program.autostart => Next::Run { restarted: false },
            None => Next::Idle,
        };
        loop {
            next = match next {
                Next::Exit => return,
                Next::Adopted(pid, start) => self.adopted(pid, start).await,
                Next::Idle => self.idle().await,
                Next::WaitUntil(at) => self.wait_until(at).await,
                Next::Run { restarted } => match self.start(restarted).await {
                    Ok(running) => self.supervise(running).await,
                    Err(_) => Next::Idle,
                },
            };
        }
    }

    /// Not running: wait for a request.
    async fn idle(&mut self) -> Next {
        match self.rx.recv().await {
            Some(Control::Start(reply)) => {
                self.tracker.reset();
                match self.start(false).await {
                    Ok(running) => {
                        let _ = reply.send(Ok(()));
                        self.supervise(running).await
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        Next::Idle
                    }
                }
            }
            Some(Control::Restart(reply)) => {
                let _ = reply.send(Err(ApiError::conflict(format!(
                    "program {:?} is not running; start it instead",
                    self.program.name
                ))));
                Next::Idle
            }
            Some(Control::Stop(reply)) => {
                let _ = reply.send(());
                Next::Idle
            }
            Some(Control::Shutdown(reply)) => {
                let _ = reply.send(());
                Next::Exit
            }
            Some(Control::Update(program, reply)) => {
                self.program = *program;
                let _ = reply.send(());
                Next::Idle
            }
            Some(Control::Detach(reply)) => {
                let _ = reply.send(false);
                Next::Exit
            }
            None => Next::Exit,
        }
    }

    /// Waiting out a restart backoff; a stop cancels it, a start skips it.
    async fn wait_until(&mut self, at: Instant) -> Next {
        tokio::select! {
            () = tokio::time::sleep_until(at) => Next::Run { restarted: true },
            request = self.rx.recv() => match request {
                Some(Control::Start(reply)) | Some(Control::Restart(reply)) => {
                    let _ = reply.send(Ok(()));
                    Next::Run { restarted: true }
                }
                Some(Control::Stop(reply)) => {
                    self.set_state(ProgramState::Stopped);
                    let _ = reply.send(());
                    Next::Idle
                }
                Some(Control::Shutdown(reply)) => {
                    let _ = reply.send(());
                    Next::Exit
                }
                Some(Control::Update(program, reply)) => {
                    self.program = *program;
                    let _ = reply.send(());
                    Next::WaitUntil(at)
                }
                Some(Control::Detach(reply)) => {
                    let _ = reply.send(false);
                    Next::Exit
                }
                None => Next::Exit,
            },
        }
    }

    fn set_state(&self, state: ProgramState) {
        self.engine
            .statuses()
            .update(self.id(), |s| s.state = state);
    }

    async fn record(&self, kind: EventKind, message: String, detail: Option<String>) {
        let _ = self
            .engine
            .record(NewEvent {
                ts: now_ms(),
                kind,
                program_id: Some(self.id()),
                job_id: None,
                message,
                detail,
            })
            .await;
    }

    async fn start(&mut self, restarted: bool) -> Result<Running, ApiError> {
        // A program that may outlive Vigil writes to spool files, never to pipes that would
        // break when Vigil exits.
        let spooled = if self.engine.settings().leave_running_on_quit {
            let paths = spool_paths(&self.engine, self.id());
            match tokio::task::spawn_blocking(move || open_spools(paths)).await {
                Ok(Ok(files)) => Some(files),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot create spool files; using pipes");
                    None
                }
                Err(_) => None,
            }
        } else {
            None
        };
        let p = &self.program;
        let (stdout, stderr, kill_on_drop) = match &spooled {
            Some((_, out, err)) => match (out.try_clone(), err.try_clone()) {
                (Ok(o), Ok(e)) => (Stdio::from(o), Stdio::from(e), false),
                _ => (Stdio::piped(), Stdio::piped(), true),
            },
            None => (Stdio::piped(), Stdio::piped(), true),
        };
        let spooled = spooled.filter(|_| !kill_on_drop);
        if spooled.is_none() {
            remove_spools(&self.engine, self.id()).await;
        }
        let mut cmd = CommandWrap::with_new(&p.path, |c| {
            c.args(&p.args)
                .envs(&p.env)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(stderr)
                .kill_on_drop(kill_on_drop);
            if let Some(cwd) = &p.cwd {
                c.current_dir(cwd);
            }
        });
        if spooled.is_some() {
            platform::prepare_detached(&mut cmd);
        } else {
            platform::prepare(&mut cmd);
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let message = format!("could not start {:?} ({}): {e}", p.name, p.path);
                self.engine.statuses().update(self.id(), |s| {
                    s.state = ProgramState::Errored;
                    s.last_exit = Some(message.clone());
                });
                self.record(EventKind::ProgramStartFailed, message.clone(), None)
                    .await;
                return Err(ApiError::invalid(message));
            }
        };
        let pid = child.id();
        let identity = match pid {
            Some(pid) => tokio::task::spawn_blocking(move || process_start(pid).map(|s| (pid, s)))
                .await
                .ok()
                .flatten(),
            None => None,
        };
        // The identity goes on record before anything else, so a crash from here on leaves
        // the next start something to find and end (never a second copy beside it).
        if let Some((pid, start)) = identity {
            let id = self.id();
            let _ = self
                .engine
                .write(move |tx| vigil_store::launched_started(tx, id, pid, start, now_ms()))
                .await;
        }
        self.log.new_run();
        let mut readers = Vec::new();
        let mut spool = None;
        if let Some(([out, err], _, _)) = spooled {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            readers.push(tokio::spawn(tail_spool(
                out,
                0,
                self.log.clone(),
                false,
                stopped.clone(),
            )));
            readers.push(tokio::spawn(tail_spool(
                err,
                0,
                self.log.clone(),
                true,
                stopped,
            )));
            spool = Some(stop);
        }
        if let Some(out) = child.stdout().take() {
            readers.push(tokio::spawn(pump(out, self.log.clone(), false)));
        }
        if let Some(err) = child.stderr().take() {
            readers.push(tokio::spawn(pump(err, self.log.clone(), true)));
        }
        self.engine.set_launched(self.id(), pid);
        let started_ms = now_ms();
        self.engine.statuses().update(self.id(), |s| {
            s.state = ProgramState::Running;
            s.since = Some(started_ms);
            if restarted {
                s.restarts += 1;
            }
        });
        let pid_text = pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
        if restarted {
            self.record(
                EventKind::ProgramRestarted,
                format!("{:?} restarted (pid {pid_text})", p.name),
                None,
            )
            .await;
        } else {
            self.record(
                EventKind::ProgramStarted,
                format!("{:?} started (pid {pid_text})", p.name),
                None,
            )
            .await;
        }
        Ok(Running {
            child,
            started: Instant::now(),
            readers,
            spool,
            identity,
        })
    }

    /// Running: wait for the exit or a request.
    async fn supervise(&mut self, mut running: Running) -> Next {
        loop {
            let request = {
                let main = innermost(running.child.as_mut());
                tokio::select! {
                    status = main.wait() => {
                        let exit = match status {
                            Ok(s) => platform::exit_status(s),
                            Err(_) => ExitStatus::Unknown,
                        };
                        return self.exited(running, exit, false).await;
                    }
                    request = self.rx.recv() => request,
                }
            };
            match request {
                Some(Control::Stop(reply)) => {
                    let exit = self.stop_tree(&mut running).await;
                    let next = self.exited(running, exit, true).await;
                    let _ = reply.send(());
                    return next;
                }
                Some(Control::Restart(reply)) => {
                    let exit = self.stop_tree(&mut running).await;
                    self.exited(running, exit, true).await;
                    let _ = reply.send(Ok(()));
                    return Next::Run { restarted: true };
                }
                Some(Control::Start(reply)) => {
                    let _ = reply.send(Ok(())); // already running
                }
                Some(Control::Update(program, reply)) => {
                    self.program = *program;
                    let _ = reply.send(());
                }
                Some(Control::Detach(reply)) => {
                    let Some(stop) = running.spool.take() else {
                        let exit = self.stop_tree(&mut running).await;
                        self.exited(running, exit, true).await;
                        let _ = reply.send(false);
                        return Next::Exit;
                    };
                    // Let go: the readers finish what was written, the launched record stays
                    // for the next Vigil, and the child is neither killed nor waited for.
                    let _ = stop.send(true);
                    crate::process::drain(std::mem::take(&mut running.readers)).await;
                    std::mem::forget(running.child);
                    let _ = reply.send(true);
                    return Next::Exit;
                }
                Some(Control::Shutdown(reply)) => {
                    let exit = self.stop_tree(&mut running).await;
                    self.exited(running, exit, true).await;
                    let _ = reply.send(());
                    return Next::Exit;
                }
                None => {
                    let exit = self.stop_tree(&mut running).await;
                    self.exited(running, exit, true).await;
                    return Next::Exit;
                }
            }
        }
    }

    /// Watching a process the last Vigil left running when it quit: its output comes from
    /// its spool files, its end is noticed by polling (it is not this Vigil's child, so its
    /// exit code is unknown), and a stop ends its tree as a leftover's would be.
    async fn adopted(&mut self, pid: u32, start: i64) -> Next {
        let started = Instant::now();
        let [out, err] = spool_paths(&self.engine, self.id());
        let end_of = |p: std::path::PathBuf| async move {
            tokio::task::spawn_blocking(move || std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                .await
                .unwrap_or(0)
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let from_out = end_of(out.clone()).await;
        let from_err = end_of(err.clone()).await;
        let mut readers = vec![
            tokio::spawn(tail_spool(
                out,
                from_out,
                self.log.clone(),
                false,
                stopped.clone(),
            )),
            tokio::spawn(tail_spool(err, from_err, self.log.clone(), true, stopped)),
        ];
        self.engine.set_launched(self.id(), Some(pid));
        let since = now_ms();
        self.engine.statuses().update(self.id(), |s| {
            s.state = ProgramState::Running;
            s.since = Some(since);
        });
        self.record(
            EventKind::ProgramStarted,
            format!(
                "{:?} (pid {pid}) was left running when Vigil quit; watching it again",
                self.program.name
            ),
            None,
        )
        .await;
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let grace = self.engine.live().stop_grace;
        // One read of the process table can fail while the process lives; three in a row
        // (1.5 s) that do not find its identity mean it is gone.
        let mut misses = 0;
        let (requested, next, reply): (bool, Option<Next>, Option<Reply>) = loop {
            tokio::select! {
                _ = tick.tick() => {
                    let now = tokio::task::spawn_blocking(move || process_start(pid))
                        .await
                        .ok()
                        .flatten();
                    misses = if now == Some(start) { 0 } else { misses + 1 };
                    if misses >= 3 {
                        break (false, None, None);
                    }
                }
                request = self.rx.recv() => match request {
                    Some(Control::Start(reply)) => {
                        let _ = reply.send(Ok(()));
                    }
                    Some(Control::Update(program, reply)) => {
                        self.program = *program;
                        let _ = reply.send(());
                    }
                    Some(Control::Detach(reply)) => {
                        let _ = stop.send(true);
                        crate::process::drain(std::mem::take(&mut readers)).await;
                        let _ = reply.send(true);
                        return Next::Exit;
                    }
                    Some(Control::Stop(reply)) => {
                        end_tree(pid, start, grace).await;
                        break (true, Some(Next::Idle), Some(Reply::Stop(reply)));
                    }
                    Some(Control::Restart(reply)) => {
                        end_tree(pid, start, grace).await;
                        break (true, Some(Next::Run { restarted: true }), Some(Reply::Restart(reply)));
                    }
                    Some(Control::Shutdown(reply)) => {
                        end_tree(pid, start, grace).await;
                        break (true, Some(Next::Exit), Some(Reply::Stop(reply)));
                    }
                    None => {
                        end_tree(pid, start, grace).await;
                        break (true, Some(Next::Exit), None);
                    }
                },
            }
        };
        let _ = stop.send(true);
        crate::process::drain(readers).await;
        let uptime_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let exit = if requested {
            ExitStatus::Unknown
        } else {
            ExitStatus::Vanished
        };
        let decided = self.after_exit(exit, requested, uptime_ms).await;
        match reply {
            Some(Reply::Stop(r)) => {
                let _ = r.send(());
            }
            Some(Reply::Restart(r)) => {
                let _ = r.send(Ok(()));
            }
            None => {}
        }
        next.unwrap_or(decided)
    }

    /// Asks the process tree to stop, waits the grace period, then kills what is left.
    async fn stop_tree(&self, running: &mut Running) -> ExitStatus {
        let grace = self.engine.live().stop_grace;
        // Without a Job Object (a program started to outlive Vigil, on Windows) the child's
        // own kill reaches only the main process: its tree is ended like a leftover's.
        if cfg!(windows)
            && running.spool.is_some()
            && let Some((pid, start)) = running.identity
        {
            end_tree(pid, start, grace).await;
        }
        let _ = platform::request_stop(running.child.as_ref());
        let main = innermost(running.child.as_mut());
        match tokio::time::timeout(grace, main.wait()).await {
            Ok(Ok(s)) => platform::exit_status(s),
            _ => {
                let _ = running.child.start_kill();
                match tokio::time::timeout(grace, innermost(running.child.as_mut()).wait()).await {
                    Ok(Ok(s)) => platform::exit_status(s),
                    _ => ExitStatus::Unknown,
                }
            }
        }
    }

    /// The main process ended: clean up its tree, record what happened, decide what is next.
    async fn exited(&mut self, mut running: Running, exit: ExitStatus, requested: bool) -> Next {
        // Whatever the main process left behind goes too: no orphans survive a run.
        let _ = running.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(2), running.child.wait()).await;
        if let Some(stop) = running.spool.take() {
            let _ = stop.send(true);
        }
        crate::process::drain(std::mem::take(&mut running.readers)).await;
        let uptime_ms = u64::try_from(running.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.after_exit(exit, requested, uptime_ms).await
    }

    /// What follows any exit, once the process and its readers are gone: the records, the
    /// status, the event, and the restart policy's decision.
    async fn after_exit(&mut self, exit: ExitStatus, requested: bool, uptime_ms: u64) -> Next {
        remove_spools(&self.engine, self.id()).await;
        self.engine.set_launched(self.id(), None);
        let id = self.id();
        let _ = self
            .engine
            .write(move |tx| vigil_store::launched_ended(tx, id))
            .await;
        let name = self.program.name.clone();
        let words = exit.describe();
        let failed = exit.is_failure(&self.program.restart.success_codes);
        self.engine.statuses().update(self.id(), |s| {
            s.state = ProgramState::Stopped;
            s.since = None;
            s.processes.clear();
            s.cpu_percent = 0.0;
            s.memory_bytes = 0;
            s.last_exit = Some(words.clone());
        });
        if requested {
            self.record(
                EventKind::ProgramStopped,
                format!("{name:?} stopped on request ({words})"),
                None,
            )
            .await;
            return Next::Idle;
        }
        if failed {
            let lines = self.log.last_lines();
            let detail = (!lines.is_empty()).then(|| lines.join("\n"));
            self.record(
                EventKind::ProgramCrashed,
                format!("{name:?} crashed: {words}"),
                detail,
            )
            .await;
        } else {
            self.record(EventKind::ProgramStopped, format!("{name:?} {words}"), None)
                .await;
        }
        match self
            .tracker
            .on_exit(&self.program.restart, &exit, now_ms(), uptime_ms)
        {
            RestartDecision::Stay => Next::Idle,
            RestartDecision::RestartAfter(ms) => {
                self.set_state(ProgramState::Waiting);
                Next::WaitUntil(Instant::now() + Duration::from_millis(ms))
            }
            RestartDecision::GiveUp { restarts } => {
                self.set_state(ProgramState::Errored);
                self.record(
                    EventKind::RestartGivenUp,
                    format!(
                        "{name:?} restarted {restarts} times within {} s; giving up until started by hand",
                        self.program.restart.window_secs
                    ),
                    None,
                )
                .await;
                Next::Idle
            }
        }
    }
}

/// On start-up, before any program is launched: the processes a previous Vigil launched and
/// recorded as running. A clean stop normally ends them and clears the record; they are still
/// there after a crash, or when Vigil quit leaving them running (the
/// `leave_running_on_quit` setting).
///
/// With that setting on, each one whose identity (pid + start time) still matches and whose
/// spool files exist (it was started to outlive Vigil) is returned to be adopted: watched
/// again, its output read from the spool files. Every other one is ended with its tree,
/// politely then by force, and an event says so: its output pipes died with the old Vigil (the
/// next write would fail or kill it), and Vigil could never learn its exit code, so a fresh
/// copy under supervision is the only one that can be watched properly. On Windows the Job
/// Object's kill-on-close normally did this already.
pub(crate) async fn end_leftovers(
    engine: &Engine,
) -> Result<std::collections::HashMap<ProgramId, (u32, i64)>, ApiError> {
    let leftovers = engine.read(vigil_store::launched_leftovers).await?;
    let grace = engine.live().stop_grace;
    let leave = engine.settings().leave_running_on_quit;
    let mut adopt = std::collections::HashMap::new();
    let mut ends = Vec::new();
    for (program, pid, start) in leftovers {
        let paths = spool_paths(engine, program);
        let spooled = tokio::task::spawn_blocking(move || paths.iter().all(|p| p.exists()))
            .await
            .unwrap_or(false);
        let same = tokio::task::spawn_blocking(move || process_start(pid) == Some(start))
            .await
            .unwrap_or(false);
        if leave && spooled && same {
            adopt.insert(program, (pid, start));
            continue;
        }
        let engine = engine.clone();
        ends.push(async move {
            if end_tree(pid, start, grace).await {
                let name = engine
                    .read(move |c| vigil_store::get_program(c, program))
                    .await
                    .map(|p| format!("{:?}", p.name))
                    .unwrap_or_else(|_| format!("program {program}"));
                let _ = engine
                    .record(NewEvent {
                        ts: now_ms(),
                        kind: EventKind::ProgramStopped,
                        program_id: Some(program),
                        job_id: None,
                        message: format!(
                            "{name} (pid {pid}) was left running by a Vigil that stopped \
                             unexpectedly; ended before starting it again"
                        ),
                        detail: None,
                    })
                    .await;
            }
            let _ = engine
                .write(move |tx| vigil_store::launched_ended(tx, program))
                .await;
        });
    }
    futures_util::future::join_all(ends).await;
    Ok(adopt)
}
