//! Running jobs: dependencies first (each level in parallel), the overlap policy, the global
//! concurrency limit, timeouts and cancels that kill the whole process tree, retries with
//! backoff and an optional fix command, chains, and learned-duration warnings.

use std::collections::{BTreeMap, HashMap};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use process_wrap::tokio::CommandWrap;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use vigil_core::sync::lock;
use vigil_core::{
    ApiError, EventKind, Job, JobId, LEARN_FROM, NewEvent, Outcome, Overlap, Run, RunId, RunStatus,
    Trigger, Usual, plan,
};

use super::{Cancel, InFlight, RunOutput};
use crate::process::{innermost, process_start, pump};
use crate::{Engine, now_ms, platform};

/// A request to run a job.
pub(crate) struct RunRequest {
    pub(crate) job_id: JobId,
    pub(crate) options: BTreeMap<String, Value>,
    pub(crate) trigger: Trigger,
    /// Do everything else first, but start the process no earlier than this (a schedule's
    /// instant: the scheduler fires a little early so the bookkeeping is done by then).
    pub(crate) not_before: Option<chrono::DateTime<chrono::Utc>>,
}

/// Validates the request, records the run as queued and starts it in the background. Bad
/// options are refused before anything is stored.
pub(crate) async fn start(engine: &Engine, req: RunRequest) -> Result<Run, ApiError> {
    if engine.is_stopping() {
        return Err(ApiError::unavailable("the engine is stopping"));
    }
    let jobs = engine.jobs();
    let job = jobs
        .job(&req.job_id)
        .ok_or_else(|| ApiError::not_found(format!("no job {:?}", req.job_id)))?;
    if job.template {
        return Err(ApiError::conflict(format!(
            "{:?} is a template; templates cannot be run",
            job.id
        )));
    }
    let argv = job.argv(&req.options)?;
    if job.shell {
        platform::check_shell_args(&job, &argv)?;
    }
    let levels = plan(&job.id, &jobs.all())?;
    let options = serde_json::to_value(&req.options).unwrap_or_default();
    let run = record_queued(engine, &job, req.trigger, options, argv, 1).await?;
    let background = engine.clone();
    let first = run.clone();
    let not_before = req.not_before;
    tokio::spawn(async move { drive(background, job, first, levels, not_before).await });
    Ok(run)
}

async fn record_queued(
    engine: &Engine,
    job: &Job,
    trigger: Trigger,
    options: Value,
    argv: Vec<String>,
    attempt: u32,
) -> Result<Run, ApiError> {
    let run = Run::queued(job.id.clone(), trigger, options, argv, attempt, now_ms());
    engine
        .write(move |tx| vigil_store::insert_run(tx, &run))
        .await
}

/// Records the end of a run and its event in one transaction. The outcome decides the status,
/// the exit code and the words (see [`Outcome`]). An attempt that a retry follows is recorded
/// as such, with a `run_retrying` event instead of its failure: a run and its retries are one
/// logical run, with one final word (`run_failed`, or `run_succeeded` that says it recovered).
async fn finish(engine: &Engine, run: &Run, outcome: &Outcome, retry: Option<&RetryNext>) {
    let (id, job_id) = (run.id, run.job_id.clone());
    let status = outcome.status();
    let exit_code = outcome.exit_code();
    let error = outcome.error();
    let kind = match status {
        _ if retry.is_some() => EventKind::RunRetrying,
        RunStatus::Succeeded => EventKind::RunSucceeded,
        RunStatus::TimedOut => EventKind::RunTimedOut,
        RunStatus::Cancelled => EventKind::RunCancelled,
        RunStatus::Skipped => EventKind::RunSkipped,
        RunStatus::Interrupted => EventKind::RunInterrupted,
        _ => EventKind::RunFailed,
    };
    let mut message = format!(
        "run {id} of {job_id:?} {}",
        status.as_str().replace('_', " ")
    );
    if let Some(code) = exit_code {
        message.push_str(&format!(" (exit code {code})"));
    }
    if let Some(next) = retry {
        message.push_str(&format!(
            "; retry {} of {} in {} ms",
            next.retry, next.of, next.delay_ms
        ));
    } else if run.attempt > 1 {
        let failed = run.attempt - 1;
        message.push_str(&match status {
            RunStatus::Succeeded => format!(
                " on attempt {} (recovered after {failed} failed attempt{})",
                run.attempt,
                if failed == 1 { "" } else { "s" }
            ),
            _ => format!(" on attempt {}, its last", run.attempt),
        });
    }
    let detail = error.clone();
    let retried = retry.is_some();
    let result = engine
        .write(move |tx| {
            let finished = vigil_store::Finished {
                status,
                at: now_ms(),
                exit_code,
                error: error.as_deref(),
                retried,
            };
            let run = vigil_store::run_finished(tx, id, finished)?;
            tx.event(NewEvent {
                ts: now_ms(),
                kind,
                program_id: None,
                job_id: Some(job_id),
                message,
                detail,
            })?;
            Ok(run)
        })
        .await;
    if let Err(e) = result {
        tracing::warn!(run = id, error = %e, "could not record the end of a run");
    }
}

/// Runs one level of dependencies in parallel; the first that did not succeed, if any. A
/// dependency that could not be recorded, was deleted meanwhile, or whose task panicked counts
/// as not succeeded: its dependants never run on a result nobody saw.
async fn run_level(engine: &Engine, level: &[JobId]) -> Option<(JobId, String)> {
    let mut set = JoinSet::new();
    let mut names = HashMap::new();
    let mut failed: Option<(JobId, String)> = None;
    for dep_id in level {
        let Some(dep) = engine.jobs().job(dep_id) else {
            failed.get_or_insert((dep_id.clone(), "no longer exists".into()));
            continue;
        };
        let argv = match dep.argv(&BTreeMap::new()) {
            Ok(a) => a,
            Err(e) => {
                failed.get_or_insert((dep_id.clone(), e.message));
                continue;
            }
        };
        let dep_run = match record_queued(
            engine,
            &dep,
            Trigger::Dependency,
            Value::Object(Default::default()),
            argv,
            1,
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                failed.get_or_insert((dep_id.clone(), format!("could not be recorded: {e}")));
                continue;
            }
        };
        let engine = engine.clone();
        let handle = set.spawn(async move { attempts(&engine, dep, dep_run, None).await });
        names.insert(handle.id(), dep_id.clone());
    }
    while let Some(done) = set.join_next_with_id().await {
        match done {
            Ok((_, RunStatus::Succeeded)) => {}
            Ok((task, status)) => {
                let id = names.get(&task).cloned().unwrap_or_default();
                failed.get_or_insert((id, format!("ended {}", status.as_str())));
            }
            Err(e) => {
                let id = names.get(&e.id()).cloned().unwrap_or_default();
                tracing::error!(job = %id, error = %e, "a dependency's task failed");
                failed.get_or_insert((id, "its task failed".into()));
            }
        }
    }
    failed
}

async fn drive(
    engine: Engine,
    job: Job,
    run: Run,
    levels: Vec<Vec<JobId>>,
    not_before: Option<chrono::DateTime<chrono::Utc>>,
) {
    let deps = &levels[..levels.len().saturating_sub(1)];
    for level in deps {
        if engine.jobs().take_pending_cancel(run.id) {
            let outcome = Outcome::Cancelled("cancelled while its dependencies ran".into());
            finish(&engine, &run, &outcome, None).await;
            engine.jobs().ended.send_modify(|n| *n += 1);
            return;
        }
        if let Some((dep, why)) = run_level(&engine, level).await {
            let outcome = Outcome::Skipped(format!("dependency {dep:?} did not succeed ({why})"));
            finish(&engine, &run, &outcome, None).await;
            chain(&engine, &job, RunStatus::Skipped);
            return;
        }
    }
    attempts(&engine, job, run, not_before).await;
}

/// Runs a job, retrying by its policy, then starts its chains. Returns the final status.
async fn attempts(
    engine: &Engine,
    job: Job,
    first: Run,
    not_before: Option<chrono::DateTime<chrono::Utc>>,
) -> RunStatus {
    let mut run = first;
    let mut not_before = not_before;
    loop {
        let (outcome, retry) = execute(engine, &job, &run, not_before.take()).await;
        let status = outcome.status();
        let Some(retry) = retry else {
            chain(engine, &job, status);
            return status;
        };
        let delay = i64::try_from(retry.delay_ms).unwrap_or(i64::MAX / 2);
        engine
            .sleep_until_ms(engine.clock_ms().saturating_add(delay))
            .await;
        if let Some(fix) = &job.execution.fix_command {
            run_fix(&job, fix).await;
        }
        match record_queued(
            engine,
            &job,
            Trigger::Retry,
            run.options.clone(),
            run.argv.clone(),
            run.attempt + 1,
        )
        .await
        {
            Ok(next) => run = next,
            Err(e) => {
                // The attempt was recorded as followed by a retry that cannot happen: the run
                // still gets its final word, or its failure would go unnoticed.
                let _ = engine
                    .record(NewEvent {
                        ts: now_ms(),
                        kind: EventKind::RunFailed,
                        program_id: None,
                        job_id: Some(job.id.clone()),
                        message: format!(
                            "run {} of {:?} failed and its retry could not be recorded: {e}",
                            run.id, job.id
                        ),
                        detail: None,
                    })
                    .await;
                chain(engine, &job, status);
                return status;
            }
        }
    }
}

fn chain(engine: &Engine, job: &Job, status: RunStatus) {
    let next = if status == RunStatus::Succeeded {
        &job.on_success
    } else {
        &job.on_failure
    };
    for id in next {
        let engine = engine.clone();
        let req = RunRequest {
            job_id: id.clone(),
            options: BTreeMap::new(),
            trigger: Trigger::Chain,
            not_before: None,
        };
        tokio::spawn(async move {
            if let Err(e) = start(&engine, req).await {
                tracing::warn!(error = %e, "a chained run could not start");
            }
        });
    }
}

/// Runs the fix command before a retry; its outcome is only logged.
async fn run_fix(job: &Job, fix: &[String]) {
    let Some((program, args)) = fix.split_first() else {
        return;
    };
    let mut cmd = CommandWrap::with_new(program, |c| {
        c.args(args)
            .envs(&job.env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(cwd) = &job.cwd {
            c.current_dir(cwd);
        }
    });
    platform::prepare(&mut cmd);
    let timeout = Duration::from_secs(job.execution.timeout_secs.unwrap_or(300));
    match cmd.spawn() {
        Ok(mut child) => {
            let waited = tokio::time::timeout(timeout, innermost(child.as_mut()).wait()).await;
            let _ = child.start_kill();
            tracing::info!(job = %job.id, outcome = ?waited.map(|r| r.map(|s| s.code())), "fix command ran");
        }
        Err(e) => tracing::warn!(job = %job.id, error = %e, "fix command could not start"),
    }
}

/// What the overlap policy decides for a run that wants to start.
enum Claim {
    Go(oneshot::Receiver<Cancel>),
    Skip(i64),
    Wait(Vec<i64>),
    Cancelled,
}

/// Checks the overlap policy and, when the run may go, registers it as in flight, under one
/// lock so two triggers of the same job cannot both pass.
fn claim(engine: &Engine, job: &Job, run: &Run, output: &Arc<RunOutput>) -> Claim {
    let state = engine.jobs();
    let mut running = lock(&state.running);
    if state.take_pending_cancel(run.id) {
        return Claim::Cancelled;
    }
    let others: Vec<i64> = running
        .iter()
        .filter(|(id, r)| r.job_id == job.id && **id != run.id)
        .map(|(id, _)| *id)
        .collect();
    if !others.is_empty() {
        match job.overlap {
            Overlap::Skip => return Claim::Skip(others[0]),
            Overlap::Queue | Overlap::Replace => return Claim::Wait(others),
            Overlap::Parallel => {}
        }
    }
    let (tx, rx) = oneshot::channel();
    running.insert(
        run.id,
        InFlight {
            job_id: job.id.clone(),
            cancel: Some(tx),
            output: output.clone(),
        },
    );
    Claim::Go(rx)
}

/// Takes a run out of the live table when dropped, and wakes runs waiting behind it.
struct Released<'a> {
    engine: &'a Engine,
    run: RunId,
}

impl Drop for Released<'_> {
    fn drop(&mut self) {
        let state = self.engine.jobs();
        lock(&state.running).remove(&self.run);
        state.ended.send_modify(|n| *n += 1);
    }
}

/// One attempt: overlap, slot, spawn, wait (timeout, cancel), record. Returns how it ended and
/// the retry that follows, after that is committed.
async fn execute(
    engine: &Engine,
    job: &Job,
    run: &Run,
    not_before: Option<chrono::DateTime<chrono::Utc>>,
) -> (Outcome, Option<RetryNext>) {
    let state = engine.jobs();
    let output = Arc::new(
        RunOutput::create(
            &engine.data_dir().join("runs"),
            run.id,
            state.max_output.load(std::sync::atomic::Ordering::SeqCst),
            engine.appender().clone(),
        )
        .await,
    );
    let mut ended = state.ended.subscribe();
    let mut cancel = loop {
        match claim(engine, job, run, &output) {
            Claim::Go(rx) => break rx,
            Claim::Cancelled => {
                let outcome = Outcome::Cancelled("cancelled while it waited".into());
                finish(engine, run, &outcome, None).await;
                state.ended.send_modify(|n| *n += 1);
                return (outcome, None);
            }
            Claim::Skip(other) => {
                let outcome = Outcome::Skipped(format!(
                    "run {other} of this job is still going (overlap: skip)"
                ));
                finish(engine, run, &outcome, None).await;
                return (outcome, None);
            }
            Claim::Wait(others) => {
                if job.overlap == Overlap::Replace {
                    for o in others {
                        state.cancel(o, Cancel::Requested);
                    }
                }
                let _ = ended.changed().await;
            }
        }
    };
    // A slot under the global limit, then the schedule's instant; a cancel while waiting for
    // either ends the run before it started.
    let waited = async {
        let permit = state.slots.clone().acquire_owned().await.ok();
        if let Some(at) = not_before {
            engine.config().clock.sleep_until(at).await;
        }
        permit
    };
    // From here the run is in the running table; leaving it there would block its job's queue
    // for good, so it is released however this ends (a panic included).
    let _released = Released {
        engine,
        run: run.id,
    };
    let permit = tokio::select! {
        permit = waited => permit,
        why = &mut cancel => {
            let outcome = cancelled(why.unwrap_or(Cancel::Requested), "before it started");
            finish(engine, run, &outcome, None).await;
            return (outcome, None);
        }
    };
    let outcome = spawn_and_wait(engine, job, run, &output, cancel).await;
    // The whole output is in its file before anyone can see that the run ended.
    output.finish().await;
    let retry = retry_next(engine, job, run, &outcome);
    finish(engine, run, &outcome, retry.as_ref()).await;
    drop(permit);
    (outcome, retry)
}

/// The retry that follows an attempt, if one does.
struct RetryNext {
    /// Which retry (1 for the first).
    retry: u32,
    /// Of how many the policy allows.
    of: u32,
    /// The wait before it, ms.
    delay_ms: u64,
}

/// Whether the job's policy retries this outcome, decided once, before the attempt's end is
/// recorded (so the record and the event already say a retry follows).
fn retry_next(engine: &Engine, job: &Job, run: &Run, outcome: &Outcome) -> Option<RetryNext> {
    let retry = outcome
        .retry_kind()
        .is_some_and(|k| job.execution.retry_on.contains(&k))
        && run.attempt <= job.execution.retries
        && !engine.is_stopping();
    retry.then(|| RetryNext {
        retry: run.attempt,
        of: job.execution.retries,
        delay_ms: job.execution.retry_delay(run.attempt + 1),
    })
}

fn cancelled(why: Cancel, when: &str) -> Outcome {
    match why {
        Cancel::Requested => Outcome::Cancelled(format!("cancelled {when}")),
        Cancel::Shutdown => Outcome::Interrupted,
    }
}

/// Spawns the attempt's process and waits for its exit, its timeout or a cancel; the whole
/// tree is gone when this returns. Records the start; the caller records the end.
async fn spawn_and_wait(
    engine: &Engine,
    job: &Job,
    run: &Run,
    output: &Arc<RunOutput>,
    mut cancel: oneshot::Receiver<Cancel>,
) -> Outcome {
    let program = if job.shell {
        platform::SHELL.to_owned()
    } else {
        job.command.clone()
    };
    let mut cmd = CommandWrap::with_new(&program, |c| {
        if job.shell {
            platform::shell_command(&job.command, &run.argv, c);
        } else {
            c.args(&run.argv);
        }
        c.envs(&job.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = &job.cwd {
            c.current_dir(cwd);
        }
    });
    platform::prepare(&mut cmd);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let why = format!("could not start {program:?}: {e}");
            output.line(true, &why).await;
            return Outcome::StartFailed(why);
        }
    };
    let pid = child.id();
    let pid_start = pid.and_then(process_start);
    let mut readers = Vec::new();
    if let Some(out) = child.stdout().take() {
        readers.push(tokio::spawn(pump(out, output.clone(), false)));
    }
    if let Some(err) = child.stderr().take() {
        readers.push(tokio::spawn(pump(err, output.clone(), true)));
    }
    let (id, job_id) = (run.id, job.id.clone());
    let started_at = now_ms();
    let message = format!(
        "run {id} of {job_id:?} started (pid {})",
        pid.map_or("?".into(), |p| p.to_string())
    );
    let _ = engine
        .write(move |tx| {
            vigil_store::run_started(tx, id, started_at, pid, pid_start)?;
            tx.event(NewEvent {
                ts: started_at,
                kind: EventKind::RunStarted,
                program_id: None,
                job_id: Some(job_id),
                message,
                detail: None,
            })
        })
        .await;
    let overrun = tokio::spawn(warn_overrun(
        engine.clone(),
        job.id.clone(),
        run.id,
        job.execution.timeout_secs,
    ));
    let timeout = job.execution.timeout_secs;
    let sleep = async {
        match timeout {
            Some(t) => tokio::time::sleep(Duration::from_secs(t)).await,
            None => std::future::pending().await,
        }
    };
    let outcome = {
        let main = innermost(child.as_mut());
        tokio::select! {
            status = main.wait() => Outcome::Exited(
                status.map_or(vigil_core::ExitStatus::Unknown, platform::exit_status),
            ),
            () = sleep => Outcome::TimedOut(timeout.unwrap_or(0)),
            why = &mut cancel => cancelled(why.unwrap_or(Cancel::Requested), "while it ran"),
        }
    };
    // Whatever is left of the tree goes, in every case: no orphan survives its run.
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    crate::process::drain(readers).await;
    overrun.abort();
    outcome
}

/// Raises `run_overran` once, when the run has taken longer than is usual for its job (past
/// its learned spread, see [`Usual`]); never before the job has a history, and never when its
/// timeout comes first.
async fn warn_overrun(engine: Engine, job: JobId, run: i64, timeout_secs: Option<u64>) {
    let for_read = job.clone();
    let Ok(durations) = engine
        .read(move |c| vigil_store::recent_durations(c, &for_read, LEARN_FROM))
        .await
    else {
        return;
    };
    let Some(usual) = Usual::learn(&durations) else {
        return;
    };
    let Some(at) = usual.warn_at(timeout_secs) else {
        return;
    };
    tokio::time::sleep(Duration::from_millis(u64::try_from(at).unwrap_or(u64::MAX))).await;
    let _ = engine
        .record(NewEvent {
            ts: now_ms(),
            kind: EventKind::RunOverran,
            program_id: None,
            job_id: Some(job.clone()),
            message: format!(
                "run {run} of {job:?} has run for {:.1} s, longer than usual (median {:.1} s, \
                 longest of its last {} successful runs {:.1} s)",
                at as f64 / 1000.0,
                usual.median_ms as f64 / 1000.0,
                usual.samples,
                usual.longest_ms as f64 / 1000.0,
            ),
            detail: None,
        })
        .await;
}

/// On start-up: runs that were going when Vigil stopped are marked interrupted, and a process
/// of theirs that is still alive (same pid and start time) is ended, so it cannot run twice.
pub(crate) async fn interrupt_leftovers(engine: &Engine) -> Result<(), ApiError> {
    let open = engine.read(vigil_store::open_runs).await?;
    for run in open {
        if let (Some(pid), Some(start)) = (run.pid, run.pid_start) {
            platform::end_leftover(pid, start, Duration::ZERO).await;
        }
        finish(engine, &run, &Outcome::Interrupted, None).await;
    }
    Ok(())
}
