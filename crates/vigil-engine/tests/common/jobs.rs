//! What the job tests share: an engine with a short shutdown grace, job documents, and waiting
//! on runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use vigil_core::{ApiError, Job, Run};
use vigil_engine::api::{GetRun, ListRuns, RunJob, SaveJob};
use vigil_engine::{Engine, EngineConfig, ManualClock};

use super::DEADLINE;

/// An engine config in `dir` whose shutdown does not wait long for running jobs.
pub fn config(dir: &tempfile::TempDir) -> EngineConfig {
    let mut c = EngineConfig::new(dir.path());
    c.run_shutdown_grace = Duration::from_millis(300);
    c.kind = "test".into();
    c
}

/// An engine in `dir` on a manual clock stopped at 2030-01-01 00:00 UTC.
pub async fn clocked(dir: &tempfile::TempDir) -> (Engine, Arc<ManualClock>, DateTime<Utc>) {
    let t0 = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let clock = ManualClock::new(t0);
    let mut c = config(dir);
    c.clock = clock.clone() as Arc<dyn vigil_engine::Clock>;
    (Engine::start(c).await.unwrap(), clock, t0)
}

/// A job running `command args`, with `extra` fields merged in.
pub fn job_of(id: &str, command: &str, args: &[&str], extra: Value) -> Job {
    let mut j = json!({ "id": id, "name": id, "command": command, "args": args });
    if let (Some(base), Some(more)) = (j.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    serde_json::from_value(j).unwrap()
}

/// Saves a new job.
pub async fn save(engine: &Engine, job: Job) -> Job {
    engine.call(SaveJob::job(&job, false)).await.unwrap()
}

/// Asks for a run with these options; the run id or the refusal.
pub async fn try_run(engine: &Engine, id: &str, options: Value) -> Result<i64, ApiError> {
    let options: BTreeMap<String, Value> = serde_json::from_value(options).unwrap();
    engine
        .call(RunJob {
            id: id.into(),
            options,
        })
        .await
        .map(|r| r.run_id)
}

/// Waits until run `id` has ended.
pub async fn ended(engine: &Engine, id: i64) -> Run {
    let started = Instant::now();
    loop {
        let r = engine.call(GetRun { id }).await.unwrap();
        if r.status.is_final() {
            return r;
        }
        assert!(started.elapsed() < DEADLINE, "run {id} did not end: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every run of `job`, oldest first.
pub async fn runs_of(engine: &Engine, job: &str) -> Vec<Run> {
    let mut runs = engine
        .call(ListRuns {
            job: Some(job.into()),
            ..ListRuns::default()
        })
        .await
        .unwrap();
    runs.reverse();
    runs
}
