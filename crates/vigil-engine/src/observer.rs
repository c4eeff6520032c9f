//! The observer: turns the monitor's sweeps into live status, events (found running, gone,
//! pid changed, thresholds) and buffered samples that are flushed in larger transactions.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use vigil_core::{EventKind, NewEvent, ProgramId, ThresholdChange, ThresholdWatch};
use vigil_store::Sample;

use crate::Engine;
use crate::monitor::{ProcId, Sweep};
use crate::statuses::ProgramState;
use crate::supervisor::Control;

/// Largest sample buffer before an early flush (50 programs for a minute at 1 Hz).
const FLUSH_AT: usize = 3_000;

/// How often old history is pruned.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Default)]
struct Watch {
    main: Option<ProcId>,
    cpu: ThresholdWatch,
    mem: ThresholdWatch,
}

pub(crate) async fn run(
    engine: Engine,
    mut sweeps: mpsc::Receiver<Sweep>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut watches: HashMap<ProgramId, Watch> = HashMap::new();
    let mut pending: Vec<Sample> = Vec::new();
    let mut flush = tokio::time::interval(engine.config().flush_every);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            sweep = sweeps.recv() => match sweep {
                Some(sweep) => {
                    observe(&engine, &mut watches, &mut pending, &sweep).await;
                    engine.statuses().publish();
                    if pending.len() >= FLUSH_AT {
                        write_samples(&engine, &mut pending).await;
                    }
                }
                None => break,
            },
            _ = flush.tick() => write_samples(&engine, &mut pending).await,
            _ = prune.tick() => {
                let retention = engine.live().retention;
                let now = crate::now_ms() / 1000;
                // Bounded batches, each its own write, until nothing is left to prune.
                while let Ok(n) = engine.write(move |tx| vigil_store::prune(tx, retention, now)).await
                    && n > 0
                {}
                // Check logs are kept as long as runs; their metrics like the samples.
                let log_days = engine.live().history.run_days;
                while let Ok(n) = engine
                    .write(move |tx| vigil_store::prune_check_history(tx, log_days, retention, now * 1000))
                    .await
                    && n > 0
                {}
                prune_history(&engine).await;
            }
            _ = &mut stop => break,
        }
    }
    write_samples(&engine, &mut pending).await;
}

async fn write_samples(engine: &Engine, pending: &mut Vec<Sample>) {
    if pending.is_empty() {
        return;
    }
    let batch = std::mem::take(pending);
    if let Err(e) = engine
        .write(move |tx| vigil_store::insert_samples(tx, &batch))
        .await
    {
        tracing::warn!(error = %e, "samples could not be written");
    }
}

async fn observe(
    engine: &Engine,
    watches: &mut HashMap<ProgramId, Watch>,
    pending: &mut Vec<Sample>,
    sweep: &Sweep,
) {
    let mut events = Vec::new();
    for (id, procs) in &sweep.programs {
        let Some(program) = engine.program(*id) else {
            continue;
        };
        engine.statuses().measure(*id, sweep.ts_ms, procs);
        let watch = watches.entry(*id).or_default();
        let main = procs.first().map(|p| p.id);
        if !procs.is_empty() {
            pending.push(Sample {
                program_id: *id,
                ts: sweep.ts_ms / 1000,
                cpu: procs.iter().map(|p| p.cpu_permille).sum(),
                mem: procs.iter().map(|p| p.mem_kib).sum(),
            });
        }
        // Programs Vigil launched get their start and exit events from the supervisor, at once;
        // watched programs get them from here.
        if !program.launch {
            let (kind, message) = match (watch.main, main) {
                (None, Some(now)) => (
                    Some(EventKind::ProgramStarted),
                    format!("{:?} is running (pid {})", program.name, now.pid),
                ),
                (Some(was), None) => (
                    Some(EventKind::ProgramStopped),
                    format!(
                        "{:?} is no longer running (pid {} gone)",
                        program.name, was.pid
                    ),
                ),
                (Some(was), Some(now)) if was != now => (
                    Some(EventKind::ProgramPidChanged),
                    format!(
                        "{:?} main process changed: pid {} -> {}",
                        program.name, was.pid, now.pid
                    ),
                ),
                _ => (None, String::new()),
            };
            if let Some(kind) = kind {
                events.push(NewEvent {
                    ts: sweep.ts_ms,
                    kind,
                    program_id: Some(*id),
                    job_id: None,
                    message,
                    detail: None,
                });
            }
            let since = procs
                .first()
                .map(|p| i64::try_from(p.id.start).unwrap_or(0) * 1000);
            engine.statuses().update(*id, |s| {
                s.state = if main.is_some() {
                    ProgramState::Running
                } else {
                    ProgramState::Stopped
                };
                s.since = since;
            });
        }
        watch.main = main;
        let limits = &program.limits;
        let sustain_ms =
            i64::try_from(limits.sustain_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        let cpu_percent = procs.iter().map(|p| p.cpu_permille).sum::<i64>() as f64 / 10.0;
        let mem_mb = procs.iter().map(|p| p.mem_kib).sum::<i64>() as f64 / 1024.0;
        if let Some(limit) = limits.cpu_percent
            && let Some(change) =
                watch
                    .cpu
                    .observe(sweep.ts_ms, cpu_percent, f64::from(limit), sustain_ms)
        {
            events.push(threshold_event(
                sweep.ts_ms,
                *id,
                &program.name,
                "CPU",
                change,
                format!("{cpu_percent:.0}% (limit {limit}%)"),
            ));
        }
        if let Some(limit) = limits.memory_mb
            && let Some(change) = watch
                .mem
                .observe(sweep.ts_ms, mem_mb, limit as f64, sustain_ms)
        {
            events.push(threshold_event(
                sweep.ts_ms,
                *id,
                &program.name,
                "memory",
                change,
                format!("{mem_mb:.0} MiB (limit {limit} MiB)"),
            ));
            if change == ThresholdChange::Exceeded && limits.restart_on_memory && program.launch {
                let engine = engine.clone();
                let id = *id;
                tokio::spawn(async move {
                    let _ = engine.control(id, Control::Restart).await;
                });
            }
        }
    }
    watches.retain(|id, _| sweep.programs.iter().any(|(p, _)| p == id));
    for event in events {
        let _ = engine.record(event).await;
    }
}

fn threshold_event(
    ts: i64,
    id: ProgramId,
    name: &str,
    what: &str,
    change: ThresholdChange,
    value: String,
) -> NewEvent {
    let (kind, verb) = match change {
        ThresholdChange::Exceeded => (EventKind::ThresholdExceeded, "over its limit"),
        ThresholdChange::Recovered => (EventKind::ThresholdRecovered, "back under its limit"),
    };
    NewEvent {
        ts,
        kind,
        program_id: Some(id),
        job_id: None,
        message: format!("{name:?} {what} {verb}: {value}"),
        detail: None,
    }
}

/// Prunes runs (and their output files), events and finished deliveries by the engine's
/// history retention, one bounded batch per write so other writes go in between.
pub(crate) async fn prune_history(engine: &Engine) {
    let keep = engine.live().history;
    loop {
        let now = crate::now_ms();
        let pruned = match engine
            .write(move |tx| vigil_store::prune_history(tx, keep, now))
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "pruning history failed");
                return;
            }
        };
        if !pruned.run_ids.is_empty() {
            let dir = engine.data_dir().join("runs");
            let ids = pruned.run_ids.clone();
            let _ = tokio::task::spawn_blocking(move || {
                for id in ids {
                    let _ = std::fs::remove_file(crate::jobs::RunOutput::path_of(&dir, id));
                }
            })
            .await;
        }
        if !pruned.more() {
            return;
        }
    }
}
