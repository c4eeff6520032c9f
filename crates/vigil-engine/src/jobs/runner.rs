//! Running jobs: dependencies first (each level in parallel), the overlap policy, the global
//! concurrency limit, timeouts and cancels that kill the whole process tree, retries with
//! backoff and an optional fix command, chains, and learned-duration warnings.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use process_wrap::tokio::CommandWrap;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use vigil_core::{
    ApiError, EventKind, Job, JobId, NewEvent, Overlap, RetryOn, Run, RunStatus, Trigger, plan,
};

use super::{Cancel, Live, RunOutput};
use crate::process::{DRAIN, innermost, kill_process, process_start, pump};
use crate::{Engine, now_ms, platform};

/// Successful runs averaged for the learned duration.
const LEARN_FROM: u32 = 5;

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
    let run = Run {
        id: 0,
        job_id: job.id.clone(),
        trigger,
        status: RunStatus::Queued,
        attempt,
        options,
        argv,
        queued_at: now_ms(),
        started_at: None,
        ended_at: None,
        exit_code: None,
        pid: None,
        pid_start: None,
        error: None,
    };
    engine
        .write(move |tx| vigil_store::insert_run(tx, &run))
        .await
}

/// Records the end of a run and its event in one transaction.
async fn finish(
    engine: &Engine,
    run: &Run,
    status: RunStatus,
    exit_code: Option<i64>,
    error: Option<String>,
) {
    let (id, job_id) = (run.id, run.job_id.clone());
    let kind = match status {
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
    let detail = error.clone();
    let result = engine
        .write(move |tx| {
            let run =
                vigil_store::run_finished(tx, id, status, now_ms(), exit_code, error.as_deref())?;
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
            let why = "cancelled while its dependencies ran".to_owned();
            finish(&engine, &run, RunStatus::Cancelled, None, Some(why)).await;
            engine.jobs().ended.send_modify(|n| *n += 1);
            return;
        }
        let mut set = JoinSet::new();
        for dep_id in level {
            let Some(dep) = engine.jobs().job(dep_id) else {
                continue;
            };
            let argv = match dep.argv(&BTreeMap::new()) {
                Ok(a) => a,
                Err(e) => {
                    finish(&engine, &run, RunStatus::Skipped, None, Some(e.message)).await;
                    return;
                }
            };
            let Ok(dep_run) = record_queued(
                &engine,
                &dep,
                Trigger::Dependency,
                Value::Object(Default::default()),
                argv,
                1,
            )
            .await
            else {
                continue;
            };
            let engine = engine.clone();
            set.spawn(async move { (dep.id.clone(), attempts(&engine, dep, dep_run, None).await) });
        }
        let mut failed = None;
        while let Some(done) = set.join_next().await {
            if let Ok((id, status)) = done
                && status != RunStatus::Succeeded
            {
                failed.get_or_insert(id);
            }
        }
        if let Some(dep) = failed {
            let why = format!("dependency {dep:?} did not succeed");
            finish(&engine, &run, RunStatus::Skipped, None, Some(why)).await;
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
        let status = execute(engine, &job, &run, not_before.take()).await;
        let kind = match status {
            RunStatus::TimedOut => Some(RetryOn::Timeout),
            RunStatus::Failed if run.pid.is_some() || run.exit_code.is_some() => {
                Some(RetryOn::Failure)
            }
            RunStatus::Failed => Some(RetryOn::StartError),
            _ => None,
        };
        let retry = kind.is_some_and(|k| job.execution.retry_on.contains(&k))
            && run.attempt <= job.execution.retries
            && !engine.is_stopping();
        if !retry {
            chain(engine, &job, status);
            return status;
        }
        tokio::time::sleep(Duration::from_millis(
            job.execution.retry_delay(run.attempt + 1),
        ))
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
            Err(_) => return status,
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
}

/// Checks the overlap policy and, when the run may go, registers it as in flight, under one
/// lock so two triggers of the same job cannot both pass.
fn claim(engine: &Engine, job: &Job, run: &Run, output: &Arc<RunOutput>) -> Claim {
    let state = engine.jobs();
    let Ok(mut live) = state.live.lock() else {
        return Claim::Skip(0);
    };
    let others: Vec<i64> = live
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
    live.insert(
        run.id,
        Live {
            job_id: job.id.clone(),
            cancel: Some(tx),
            output: output.clone(),
        },
    );
    Claim::Go(rx)
}

fn release(engine: &Engine, run: &Run) {
    let state = engine.jobs();
    if let Ok(mut live) = state.live.lock() {
        live.remove(&run.id);
    }
    state.ended.send_modify(|n| *n += 1);
}

/// One attempt: overlap, slot, spawn, wait (timeout, cancel), record.
async fn execute(
    engine: &Engine,
    job: &Job,
    run: &Run,
    not_before: Option<chrono::DateTime<chrono::Utc>>,
) -> RunStatus {
    let state = engine.jobs();
    let output = Arc::new(RunOutput::create(
        &engine.data_dir().join("runs"),
        run.id,
        state.max_output,
    ));
    let mut ended = state.ended.subscribe();
    let mut cancel = loop {
        if state.take_pending_cancel(run.id) {
            let why = "cancelled while it waited".to_owned();
            finish(engine, run, RunStatus::Cancelled, None, Some(why)).await;
            state.ended.send_modify(|n| *n += 1);
            return RunStatus::Cancelled;
        }
        match claim(engine, job, run, &output) {
            Claim::Go(rx) => break rx,
            Claim::Skip(other) => {
                let why = format!("run {other} of this job is still going (overlap: skip)");
                finish(engine, run, RunStatus::Skipped, None, Some(why)).await;
                return RunStatus::Skipped;
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
    // A slot under the global limit; a cancel while waiting for one ends the run.
    let permit = tokio::select! {
        permit = state.slots.clone().acquire_owned() => permit.ok(),
        why = &mut cancel => {
            let status = cancel_status(why.unwrap_or(Cancel::Requested));
            finish(engine, run, status, None, Some("cancelled before it started".into())).await;
            release(engine, run);
            return status;
        }
    };
    if let Some(at) = not_before {
        tokio::select! {
            () = engine.config().clock.sleep_until(at) => {}
            why = &mut cancel => {
                let status = cancel_status(why.unwrap_or(Cancel::Requested));
                finish(engine, run, status, None, Some("cancelled before it started".into())).await;
                release(engine, run);
                return status;
            }
        }
    }
    let status = spawn_and_wait(engine, job, run, &output, cancel).await;
    drop(permit);
    output.finish();
    release(engine, run);
    status
}

fn cancel_status(why: Cancel) -> RunStatus {
    match why {
        Cancel::Requested => RunStatus::Cancelled,
        Cancel::Shutdown => RunStatus::Interrupted,
    }
}

async fn spawn_and_wait(
    engine: &Engine,
    job: &Job,
    run: &Run,
    output: &Arc<RunOutput>,
    mut cancel: oneshot::Receiver<Cancel>,
) -> RunStatus {
    let (program, args) = if job.shell {
        platform::shell_command(&job.command, &run.argv)
    } else {
        (job.command.clone(), run.argv.clone())
    };
    let mut cmd = CommandWrap::with_new(&program, |c| {
        c.args(&args)
            .envs(&job.env)
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
            output.line(true, &why);
            finish(engine, run, RunStatus::Failed, None, Some(why)).await;
            return RunStatus::Failed;
        }
    };
    let pid = child.id();
    let pid_start = pid.and_then(process_start);
    let mut readers = Vec::new();
    if let Some(out) = child.stdout().take() {
        let o = output.clone();
        readers.push(tokio::spawn(pump(out, move |l| o.line(false, l))));
    }
    if let Some(err) = child.stderr().take() {
        let o = output.clone();
        readers.push(tokio::spawn(pump(err, move |l| o.line(true, l))));
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
    let overrun = tokio::spawn(warn_overrun(engine.clone(), job.id.clone(), run.id));
    let timeout = job.execution.timeout_secs.map(Duration::from_secs);
    let sleep = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let outcome = {
        let main = innermost(child.as_mut());
        tokio::select! {
            status = main.wait() => Ok(status.ok().map(platform::exit_status)),
            () = sleep => Err(RunStatus::TimedOut),
            why = &mut cancel => Err(cancel_status(why.unwrap_or(Cancel::Requested))),
        }
    };
    // Whatever is left of the tree goes, in every case: no orphan survives its run.
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    for r in readers {
        let _ = tokio::time::timeout(DRAIN, r).await;
    }
    overrun.abort();
    match outcome {
        Ok(Some(vigil_core::ExitStatus::Code(0))) => {
            finish(engine, run, RunStatus::Succeeded, Some(0), None).await;
            RunStatus::Succeeded
        }
        Ok(Some(vigil_core::ExitStatus::Code(code))) => {
            let words = vigil_core::ExitStatus::Code(code).describe();
            finish(engine, run, RunStatus::Failed, Some(code), Some(words)).await;
            RunStatus::Failed
        }
        Ok(exit) => {
            let words = exit.map_or("exited".into(), |e| e.describe());
            finish(engine, run, RunStatus::Failed, None, Some(words)).await;
            RunStatus::Failed
        }
        Err(status) => {
            let why = match status {
                RunStatus::TimedOut => format!(
                    "killed after its {} s timeout",
                    job.execution.timeout_secs.unwrap_or(0)
                ),
                RunStatus::Interrupted => "Vigil stopped while it ran".to_owned(),
                _ => "cancelled".to_owned(),
            };
            finish(engine, run, status, None, Some(why)).await;
            status
        }
    }
}

/// Raises `run_overran` at 80% and 100% of the job's learned duration (the mean of its last
/// successful runs), if it has one.
async fn warn_overrun(engine: Engine, job: JobId, run: i64) {
    let for_read = job.clone();
    let Ok(durations) = engine
        .read(move |c| vigil_store::recent_durations(c, &for_read, LEARN_FROM))
        .await
    else {
        return;
    };
    if durations.is_empty() {
        return;
    }
    let mean = durations.iter().sum::<i64>() / durations.len() as i64;
    let mean = u64::try_from(mean.max(1)).unwrap_or(1);
    let mut elapsed = 0;
    for percent in [80u64, 100] {
        let at = mean * percent / 100;
        tokio::time::sleep(Duration::from_millis(at.saturating_sub(elapsed))).await;
        elapsed = at;
        let _ = engine
            .record(NewEvent {
                ts: now_ms(),
                kind: EventKind::RunOverran,
                program_id: None,
                job_id: Some(job.clone()),
                message: format!("run {run} of {job:?} passed {percent}% of its usual {mean} ms"),
                detail: None,
            })
            .await;
    }
}

/// On start-up: runs that were going when Vigil stopped are marked interrupted, and a process
/// of theirs that is still alive (same pid and start time) is ended, so it cannot run twice.
pub(crate) async fn interrupt_leftovers(engine: &Engine) -> Result<(), ApiError> {
    let open = engine.read(vigil_store::open_runs).await?;
    for run in open {
        if let (Some(pid), Some(start)) = (run.pid, run.pid_start)
            && process_start(pid) == Some(start)
        {
            kill_process(pid);
        }
        finish(
            engine,
            &run,
            RunStatus::Interrupted,
            None,
            Some("Vigil stopped while it ran".into()),
        )
        .await;
    }
    Ok(())
}
