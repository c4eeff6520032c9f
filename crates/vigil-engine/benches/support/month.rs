//! The disk a month of use takes: 50 programs sampled at 1 Hz, 10,000 job runs a day (each with
//! its output file and its started/ended events; one in ten fails and notifies a webhook) and
//! so 1,000 deliveries a day with their attempts, written through the store's own functions in
//! simulated time, once with the default retention (pruned every simulated hour, as the engine
//! does) and once with nothing pruned. `VIGIL_BENCH_MONTH_DAYS` shortens the month.

use std::path::Path;
use std::time::Instant;

use vigil_core::{Attempt, EventKind, NewEvent, Run, RunStatus, Trigger};
use vigil_store::{AttemptOutcome, HistoryRetention, Retention, Sample};

use super::{PROGRAMS, Row, block, checkpoint, open_store, register, row};

const RUNS_PER_DAY: i64 = 10_000;
/// Simulated seconds written per sample batch (the engine flushes every 30 s; bigger batches
/// only make the simulation faster, the rows are the same).
const BATCH_SECS: i64 = 300;
const START: i64 = 1_700_000_000;

/// Bytes the directory takes on disk (allocated blocks, as `du` counts) and its file count.
fn disk_usage(dir: &Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    bytes += meta.blocks() * 512;
                }
                #[cfg(not(unix))]
                {
                    bytes += meta.len();
                }
                files += 1;
            }
        }
    }
    (bytes, files)
}

fn fill(dir: &Path, days: i64, retain: bool) -> (u64, u64, f64) {
    let started = Instant::now();
    let store = open_store(dir);
    let runs_dir = dir.join("runs");
    std::fs::create_dir_all(&runs_dir).unwrap();
    let ids = register(&store, PROGRAMS);
    let endpoint: vigil_core::Endpoint = serde_json::from_value(
        serde_json::json!({"name": "hook", "url": "http://127.0.0.1:9/hook"}),
    )
    .unwrap();
    let rule: vigil_core::Rule = serde_json::from_value(
        serde_json::json!({"name": "failures", "kinds": ["run_failed"], "endpoints": [1], "fold_secs": 0}),
    )
    .unwrap();
    block(store.writer().write(move |tx| {
        vigil_store::put_endpoint(tx, endpoint, 0)?;
        tx.routes_changed();
        vigil_store::put_rule(tx, rule, 0)?;
        tx.routes_changed();
        Ok(())
    }))
    .unwrap();
    let runs_per_hour = RUNS_PER_DAY / 24 + 1;
    let mut phase = [0f64; 4];
    for hour in 0..days * 24 {
        let t = Instant::now();
        let hour_start = START + hour * 3600;
        for batch_start in (0..3600).step_by(BATCH_SECS as usize) {
            let mut batch = Vec::with_capacity(ids.len() * BATCH_SECS as usize);
            for s in 0..BATCH_SECS {
                let ts = hour_start + batch_start + s;
                for &id in &ids {
                    batch.push(Sample {
                        program_id: id,
                        ts,
                        cpu: ts % 97,
                        mem: 40_000 + (ts % 1000),
                    });
                }
            }
            block(
                store
                    .writer()
                    .write(move |tx| vigil_store::insert_samples(tx, &batch)),
            )
            .unwrap();
        }
        phase[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let hour_ms = hour_start * 1000;
        let finished: Vec<i64> = block(store.writer().write(move |tx| {
            let mut ids = Vec::new();
            for i in 0..runs_per_hour {
                let at = hour_ms + i * 3600 * 1000 / runs_per_hour;
                let failed = i % 10 == 0;
                let run = vigil_store::insert_run(
                    tx,
                    &Run::queued(
                        format!("job-{}", i % 20),
                        Trigger::Schedule,
                        serde_json::json!({}),
                        vec!["--flag".into(), "value".into()],
                        1,
                        at,
                    ),
                )?;
                vigil_store::run_started(tx, run.id, at, Some(4242), Some(at / 1000))?;
                tx.event(NewEvent {
                    ts: at,
                    kind: EventKind::RunStarted,
                    program_id: None,
                    job_id: Some(run.job_id.clone()),
                    message: format!("run {} of {:?} started (pid 4242)", run.id, run.job_id),
                    detail: None,
                })?;
                let (status, code, kind) = if failed {
                    (RunStatus::Failed, 1, EventKind::RunFailed)
                } else {
                    (RunStatus::Succeeded, 0, EventKind::RunSucceeded)
                };
                vigil_store::run_finished(
                    tx,
                    run.id,
                    vigil_store::Finished {
                        status,
                        at: at + 2_000,
                        exit_code: Some(code),
                        error: None,
                        retried: false,
                    },
                )?;
                tx.event(NewEvent {
                    ts: at + 2_000,
                    kind,
                    program_id: None,
                    job_id: Some(run.job_id.clone()),
                    message: format!("run {} of {:?} {}", run.id, run.job_id, status.as_str()),
                    detail: None,
                })?;
                ids.push(run.id);
            }
            Ok(ids)
        }))
        .unwrap();
        for id in &finished {
            std::fs::write(
                runs_dir.join(format!("{id}.log")),
                format!(
                    "2030-01-01T00:00:00.000Z out starting run {id}\n\
                     2030-01-01T00:00:01.000Z out processed 1234 records\n\
                     2030-01-01T00:00:02.000Z out done\n"
                ),
            )
            .unwrap();
        }
        phase[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        // The webhook answers at once: every delivery of the hour is delivered.
        let now = hour_ms + 3_600_000;
        block(store.writer().write(move |tx| {
            let due = vigil_store::due_deliveries(tx.conn(), now, 10_000, &[], &[])?;
            for d in due {
                let attempt = Attempt {
                    n: d.attempts + 1,
                    ts: now,
                    status_code: Some(200),
                    error: None,
                    latency_ms: 12,
                };
                vigil_store::record_attempt(tx, d.id, &attempt, AttemptOutcome::Delivered)?;
            }
            Ok(())
        }))
        .unwrap();
        phase[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        if retain {
            let now_s = hour_start + 3600;
            while block(
                store
                    .writer()
                    .write(move |tx| vigil_store::prune(tx, Retention::default(), now_s)),
            )
            .unwrap()
                > 0
            {}
            loop {
                let pruned = block(store.writer().write(move |tx| {
                    vigil_store::prune_history(tx, HistoryRetention::default(), now_s * 1000)
                }))
                .unwrap();
                for id in &pruned.run_ids {
                    let _ = std::fs::remove_file(runs_dir.join(format!("{id}.log")));
                }
                if !pruned.more() {
                    break;
                }
            }
        }
        phase[3] += t.elapsed().as_secs_f64();
    }
    eprintln!("month phases (samples, runs, deliveries, prune): {phase:.1?}");
    store.writer().close();
    drop(store);
    checkpoint(dir);
    let (bytes, files) = disk_usage(dir);
    (bytes, files, started.elapsed().as_secs_f64())
}

pub fn month(rows: &mut Vec<Row>) {
    let days: i64 = std::env::var("VIGIL_BENCH_MONTH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(30);
    let with_dir = tempfile::tempdir().unwrap();
    let (with, with_files, with_secs) = fill(with_dir.path(), days, true);
    drop(with_dir);
    let without_dir = tempfile::tempdir().unwrap();
    let (without, without_files, without_secs) = fill(without_dir.path(), days, false);
    drop(without_dir);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    eprintln!("month: filled in {with_secs:.0} s (retention) and {without_secs:.0} s (none)");
    rows.push(row(
        &format!(
            "data dir after {days} simulated days (50 programs at 1 Hz, 10,000 runs and 1,000 \
             deliveries a day), default retention"
        ),
        format!("{:.0} MiB in {with_files} files", mib(with)),
        format!(
            "{:.0} MiB in {without_files} files with nothing pruned",
            mib(without)
        ),
        format!("{:.1}x smaller", without as f64 / with.max(1) as f64),
        "bounded: stops growing once the retention windows are full",
    ));
}
