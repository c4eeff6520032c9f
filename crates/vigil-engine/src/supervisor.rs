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
use crate::process::{innermost, process_start, pump};
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
}

/// The engine's handle on one supervisor task.
pub(crate) struct ProgramHandle {
    pub(crate) control: mpsc::Sender<Control>,
    pub(crate) log: Arc<ProgramLog>,
    pub(crate) task: JoinHandle<()>,
}

/// Starts the supervisor task of a launched program (it starts the program when autostart).
pub(crate) fn spawn(engine: Engine, program: Program, log: Arc<ProgramLog>) -> ProgramHandle {
    let (control, rx) = mpsc::channel(8);
    let task = tokio::spawn(
        Supervisor {
            engine,
            program,
            log: log.clone(),
            rx,
            tracker: RestartTracker::default(),
        }
        .run(),
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
}

enum Next {
    Idle,
    Run { restarted: bool },
    WaitUntil(Instant),
    Exit,
}

impl Supervisor {
    fn id(&self) -> ProgramId {
        self.program.id
    }

    async fn run(mut self) {
        let mut next = if self.program.autostart {
            Next::Run { restarted: false }
        } else {
            Next::Idle
        };
        loop {
            next = match next {
                Next::Exit => return,
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
        let p = &self.program;
        let mut cmd = CommandWrap::with_new(&p.path, |c| {
            c.args(&p.args)
                .envs(&p.env)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true);
            if let Some(cwd) = &p.cwd {
                c.current_dir(cwd);
            }
        });
        platform::prepare(&mut cmd);
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
        // The identity goes on record before anything else, so a crash from here on leaves
        // the next start something to find and end (never a second copy beside it).
        if let Some(pid) = pid
            && let Some(start) = process_start(pid)
        {
            let id = self.id();
            let _ = self
                .engine
                .write(move |tx| vigil_store::launched_started(tx, id, pid, start, now_ms()))
                .await;
        }
        self.log.new_run();
        let mut readers = Vec::new();
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

    /// Asks the process tree to stop, waits the grace period, then kills what is left.
    async fn stop_tree(&self, running: &mut Running) -> ExitStatus {
        let grace = self.engine.live().stop_grace;
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
        crate::process::drain(std::mem::take(&mut running.readers)).await;
        self.engine.set_launched(self.id(), None);
        let id = self.id();
        let _ = self
            .engine
            .write(move |tx| vigil_store::launched_ended(tx, id))
            .await;
        let uptime_ms = u64::try_from(running.started.elapsed().as_millis()).unwrap_or(u64::MAX);
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
/// recorded as running are still running only if it crashed (a clean stop ends them and clears
/// the record). Each one whose identity (pid + start time) still matches is ended with its
/// tree, politely then by force, and an event says so. They are ended, not adopted: their
/// output pipes died with the old Vigil (the next write would fail or kill them), and Vigil
/// could never learn their exit code, so a fresh copy under supervision is the only one that
/// can be watched properly. On Windows the Job Object's kill-on-close normally did this already.
pub(crate) async fn end_leftovers(engine: &Engine) -> Result<(), ApiError> {
    let leftovers = engine.read(vigil_store::launched_leftovers).await?;
    let grace = engine.live().stop_grace;
    let ends = leftovers.into_iter().map(|(program, pid, start)| {
        let engine = engine.clone();
        async move {
            if platform::end_leftover(pid, start, grace).await {
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
        }
    });
    futures_util::future::join_all(ends).await;
    Ok(())
}
