//! Jobs against real processes (the workspace fixture), a real SQLite file and a manual clock
//! for schedules. Tests wait on conditions, never fixed sleeps.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::jobs::{clocked, config, ended, job_of, runs_of, save, try_run};
use common::{DEADLINE, alive, fixture_path};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use vigil_core::{Job, Run, RunStatus, Trigger};
use vigil_engine::api::{
    CancelRun, DeleteJob, GetRun, GetRunOutput, ListJobs, ListRuns, PreviewSchedule, RunJob,
    SaveJob,
};
use vigil_engine::{Engine, ErrorCode, ManualClock};

async fn start(dir: &tempfile::TempDir) -> Engine {
    Engine::start(config(dir)).await.unwrap()
}

fn job(id: &str, args: &[&str], extra: Value) -> Job {
    job_of(id, &fixture_path(), args, extra)
}

async fn run(engine: &Engine, id: &str, options: Value) -> i64 {
    try_run(engine, id, options).await.unwrap()
}

/// Waits until run `id` is running.
async fn running(engine: &Engine, id: i64) {
    let started = Instant::now();
    while engine.call(GetRun { id }).await.unwrap().status != RunStatus::Running {
        assert!(started.elapsed() < DEADLINE, "run {id} did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `job` has `n` finished runs; returns them oldest first.
async fn finished_runs(engine: &Engine, job: &str, n: usize) -> Vec<Run> {
    let started = Instant::now();
    loop {
        let mut runs = runs_of(engine, job).await;
        runs.retain(|r| r.status.is_final());
        if runs.len() >= n {
            return runs;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{job} has {} finished runs, wanted {n}",
            runs.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_jobs_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let cases = [
        (job("a", &[], json!({"schedule": "61 * * * *"})), "schedule"),
        (
            job("a", &[], json!({"schedule": "every day at noon"})),
            "schedule",
        ),
        (
            job("a", &[], json!({"timezone": "Nowhere/City"})),
            "timezone",
        ),
        (
            job("a", &[], json!({"depends_on": ["ghost"]})),
            "unknown job \"ghost\"",
        ),
        (job("Bad Id", &[], json!({})), "id"),
        (
            job(
                "a",
                &[],
                json!({"options": [{"name": "m", "type": "select", "choices": ["x"], "default": "y"}]}),
            ),
            "option \"m\"",
        ),
    ];
    for (j, needle) in cases {
        let err = engine.call(SaveJob::job(&j, false)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
        assert!(
            err.message.contains(needle),
            "{:?} should mention {needle:?}",
            err.message
        );
    }
    assert!(
        engine.call(ListJobs {}).await.unwrap().is_empty(),
        "nothing was stored"
    );
    // A cycle is refused with its path when the closing edge is saved.
    save(&engine, job("b", &["exit", "0"], json!({}))).await;
    save(
        &engine,
        job("a", &["exit", "0"], json!({"depends_on": ["b"]})),
    )
    .await;
    let closing = job("b", &["exit", "0"], json!({"on_failure": ["a"]}));
    let err = engine.call(SaveJob::job(&closing, true)).await.unwrap_err();
    assert!(
        err.message.contains("b -> a -> b") || err.message.contains("a -> b -> a"),
        "{err}"
    );
    assert!(
        engine
            .call(ListJobs {})
            .await
            .unwrap()
            .iter()
            .all(|j| j.on_failure.is_empty())
    );
    let err = engine
        .call(SaveJob::job(&job("a", &[], json!({})), false))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = engine.call(DeleteJob { id: "b".into() }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "b is needed by a");
    let err = engine
        .call(PreviewSchedule {
            schedule: "nope".into(),
            timezone: None,
            count: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_records_argv_output_and_outcome_and_bad_options_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(
        &engine,
        job(
            "printer",
            &["print"],
            json!({"options": [
                {"name": "count", "type": "string", "default": "3"},
            ]}),
        ),
    )
    .await;
    // `print N` sleeps after printing; a 2 s timeout ends it, so use exit for a clean success.
    save(&engine, job("ok", &["exit", "0"], json!({}))).await;
    let id = run(&engine, "ok", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(
        (r.status, r.exit_code, r.trigger),
        (RunStatus::Succeeded, Some(0), Trigger::Manual)
    );
    assert!(r.pid.is_some(), "the process is recorded");
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    assert!(out.contains(" out fixture exiting with 0"), "{out}");
    assert!(
        out.contains(" err fixture: last words"),
        "stderr is kept and marked: {out}"
    );

    let err = engine
        .call(RunJob {
            id: "printer".into(),
            options: serde_json::from_value(json!({"count": true})).unwrap(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
    let err = engine
        .call(RunJob {
            id: "printer".into(),
            options: serde_json::from_value(json!({"nope": "1"})).unwrap(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = engine
        .call(RunJob {
            id: "ghost".into(),
            options: BTreeMap::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let runs = engine
        .call(ListRuns {
            job: Some("printer".into()),
            ..ListRuns::default()
        })
        .await
        .unwrap();
    assert!(runs.is_empty(), "refused runs leave no record");

    // A missing executable is a recorded failure, not an error of the request.
    let mut missing = job("missing", &[], json!({}));
    missing.command = dir.path().join("no-such-tool").display().to_string();
    save(&engine, missing).await;
    let id = run(&engine, "missing", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.error.unwrap().contains("could not start"));
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_cancels_kill_the_whole_tree() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(
        &engine,
        job(
            "slow",
            &["spawn", "2"],
            json!({"execution": {"timeout_secs": 1}}),
        ),
    )
    .await;
    let id = run(&engine, "slow", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::TimedOut);
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    let children: Vec<u32> = out
        .lines()
        .filter_map(|l| l.split(" out child ").nth(1)?.trim().parse().ok())
        .collect();
    assert_eq!(children.len(), 2, "{out}");
    assert!(!alive(r.pid.unwrap()));
    for c in children {
        assert!(!alive(c), "grandchild {c} must die with its run");
    }

    save(&engine, job("forever", &["sleep", "3600"], json!({}))).await;
    let id = run(&engine, "forever", json!({})).await;
    running(&engine, id).await;
    let running = engine.call(GetRun { id }).await.unwrap();
    assert!(
        running.pid_start.is_some(),
        "a running run's identity is pid + start time"
    );
    let r = engine.call(CancelRun { id }).await.unwrap();
    assert_eq!(r.status, RunStatus::Cancelled);
    assert!(!alive(r.pid.unwrap()));
    let err = engine.call(CancelRun { id }).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "an ended run cannot be cancelled"
    );

    // A job that leaves grandchildren behind and exits: they are cleaned up too.
    save(&engine, job("leaver", &["spawn-exit", "2"], json!({}))).await;
    let id = run(&engine, "leaver", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    for c in out
        .lines()
        .filter_map(|l| l.split(" out child ").nth(1)?.trim().parse::<u32>().ok())
    {
        let gone = Instant::now();
        while alive(c) {
            assert!(gone.elapsed() < DEADLINE, "orphan {c} survived its run");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_policy_and_chains_follow_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(&engine, job("after-fail", &["exit", "0"], json!({}))).await;
    save(
        &engine,
        job(
            "flaky",
            &["exit", "3"],
            json!({
                "execution": {"retries": 2, "retry_delay_ms": 10, "backoff": "exponential"},
                "on_failure": ["after-fail"],
            }),
        ),
    )
    .await;
    run(&engine, "flaky", json!({})).await;
    let runs = finished_runs(&engine, "flaky", 3).await;
    let seen: Vec<(u32, Trigger, RunStatus)> = runs
        .iter()
        .map(|r| (r.attempt, r.trigger, r.status))
        .collect();
    assert_eq!(
        seen,
        [
            (1, Trigger::Manual, RunStatus::Failed),
            (2, Trigger::Retry, RunStatus::Failed),
            (3, Trigger::Retry, RunStatus::Failed),
        ]
    );
    let chained = finished_runs(&engine, "after-fail", 1).await;
    assert_eq!(
        chained[0].trigger,
        Trigger::Chain,
        "on_failure ran once, after the last attempt"
    );
    // One logical run: the first two attempts say a retry follows, only the last one failed
    // (one `run_failed` for rules to route), and the counts see one failed run.
    assert_eq!(
        runs.iter().map(|r| r.retried).collect::<Vec<_>>(),
        [true, true, false]
    );
    let mut kinds = Vec::new();
    for r in &runs {
        kinds.extend(
            events_of_run(&engine, r.id)
                .await
                .into_iter()
                .map(|e| e.kind),
        );
    }
    let count = |k| kinds.iter().filter(|x| **x == k).count();
    assert_eq!(count(vigil_core::EventKind::RunRetrying), 2, "{kinds:?}");
    assert_eq!(count(vigil_core::EventKind::RunFailed), 1, "{kinds:?}");
    let dash = engine
        .call(vigil_engine::api::GetJobsDashboard {})
        .await
        .unwrap();
    assert_eq!(
        dash.failed_today, 1,
        "failed today counts runs, not attempts"
    );
    assert_eq!(dash.recent_failures.len(), 1);
    let stats = engine
        .call(vigil_engine::api::GetJobStats { id: "flaky".into() })
        .await
        .unwrap();
    assert_eq!((stats.runs, stats.failed, stats.recent.len()), (1, 1, 1));
    assert_eq!(stats.recent[0].attempts, 3);
    assert_eq!(stats.success_rate, Some(0.0));
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_recovers_on_a_retry_is_one_success() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let marker = dir.path().join("failed-once");
    let marker = marker.to_str().unwrap();
    save(
        &engine,
        job(
            "recovers",
            &["fail-once", marker],
            json!({"execution": {"retries": 3, "retry_delay_ms": 10}}),
        ),
    )
    .await;
    run(&engine, "recovers", json!({})).await;
    let runs = finished_runs(&engine, "recovers", 2).await;
    assert_eq!(
        runs.iter()
            .map(|r| (r.attempt, r.status, r.retried))
            .collect::<Vec<_>>(),
        [
            (1, RunStatus::Failed, true),
            (2, RunStatus::Succeeded, false)
        ]
    );
    let first = events_of_run(&engine, runs[0].id).await;
    assert!(
        first
            .iter()
            .all(|e| e.kind != vigil_core::EventKind::RunFailed),
        "{first:?}"
    );
    let last = events_of_run(&engine, runs[1].id).await;
    let done = last
        .iter()
        .find(|e| e.kind == vigil_core::EventKind::RunSucceeded)
        .unwrap();
    assert!(
        done.message.contains("recovered after 1 failed attempt"),
        "{}",
        done.message
    );
    let dash = engine
        .call(vigil_engine::api::GetJobsDashboard {})
        .await
        .unwrap();
    assert_eq!((dash.succeeded_today, dash.failed_today), (1, 0));
    let stats = engine
        .call(vigil_engine::api::GetJobStats {
            id: "recovers".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        (stats.runs, stats.succeeded, stats.success_rate),
        (1, 1, Some(1.0))
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn number_options_take_numbers_and_refuse_the_rest_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(
        &engine,
        job(
            "numbers",
            &["args"],
            json!({"options": [{"name": "n", "type": "number", "flag": "--n"}]}),
        ),
    )
    .await;
    for good in [json!(3), json!(-2.5), json!("42"), json!(" 7 ")] {
        let id = try_run(&engine, "numbers", json!({ "n": good }))
            .await
            .unwrap();
        assert_eq!(
            ended(&engine, id).await.status,
            RunStatus::Succeeded,
            "{good}"
        );
    }
    for bad in [
        json!("abc"),
        json!("NaN"),
        json!("1e999"),
        json!(true),
        json!([1]),
        json!({}),
    ] {
        let err = try_run(&engine, "numbers", json!({ "n": bad }))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}");
        assert_eq!(err.field.as_deref(), Some("options.n"), "{bad}");
    }
    let runs = runs_of(&engine, "numbers").await;
    assert_eq!(runs.len(), 4, "a refused run is not recorded");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependencies_run_first_and_a_failed_one_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(&engine, job("login", &["exit", "0"], json!({}))).await;
    save(
        &engine,
        job("fetch-a", &["exit", "0"], json!({"depends_on": ["login"]})),
    )
    .await;
    save(
        &engine,
        job("fetch-b", &["exit", "0"], json!({"depends_on": ["login"]})),
    )
    .await;
    save(
        &engine,
        job(
            "report",
            &["exit", "0"],
            json!({"depends_on": ["fetch-a", "fetch-b"]}),
        ),
    )
    .await;
    let id = run(&engine, "report", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let login = finished_runs(&engine, "login", 1).await;
    let a = finished_runs(&engine, "fetch-a", 1).await;
    assert_eq!(login[0].trigger, Trigger::Dependency);
    assert!(login[0].ended_at <= a[0].started_at, "levels run in order");
    assert!(a[0].ended_at <= r.started_at);

    save(&engine, job("broken", &["exit", "1"], json!({}))).await;
    save(
        &engine,
        job(
            "needs-broken",
            &["exit", "0"],
            json!({"depends_on": ["broken"]}),
        ),
    )
    .await;
    let id = run(&engine, "needs-broken", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::Skipped);
    assert!(
        r.error.unwrap().contains("broken"),
        "the skip names the failed dependency"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlap_policies_decide_what_a_second_trigger_does() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(&engine, job("single", &["sleep", "3600"], json!({}))).await;
    let first = run(&engine, "single", json!({})).await;
    running(&engine, first).await;
    let second = run(&engine, "single", json!({})).await;
    let r = ended(&engine, second).await;
    assert_eq!(r.status, RunStatus::Skipped, "overlap: skip is the default");
    assert!(r.error.unwrap().contains(&format!("run {first}")));
    save(
        &engine,
        job(
            "replaced",
            &["sleep", "3600"],
            json!({"overlap": "replace"}),
        ),
    )
    .await;
    let old = run(&engine, "replaced", json!({})).await;
    running(&engine, old).await;
    let new = run(&engine, "replaced", json!({})).await;
    assert_eq!(ended(&engine, old).await.status, RunStatus::Cancelled);
    running(&engine, new).await;
    engine.call(CancelRun { id: first }).await.unwrap();
    engine.stop().await;
    // Runs still going at shutdown end as interrupted (after the grace period).
    let engine = start(&dir).await;
    let r = engine.call(GetRun { id: new }).await.unwrap();
    assert_eq!(r.status, RunStatus::Interrupted);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_fire_by_the_injected_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock, t0) = clocked(&dir).await;
    save(
        &engine,
        job(
            "tick",
            &["exit", "0"],
            json!({"schedule": "*/10 * * * * *"}),
        ),
    )
    .await;
    save(
        &engine,
        job(
            "off",
            &["exit", "0"],
            json!({"schedule": "*/10 * * * * *", "enabled": false}),
        ),
    )
    .await;
    clock.set(t0 + chrono::Duration::seconds(10));
    let runs = finished_runs(&engine, "tick", 1).await;
    assert_eq!(runs[0].trigger, Trigger::Schedule);
    clock.set(t0 + chrono::Duration::seconds(20));
    finished_runs(&engine, "tick", 2).await;
    let off = engine
        .call(ListRuns {
            job: Some("off".into()),
            ..ListRuns::default()
        })
        .await
        .unwrap();
    assert!(off.is_empty(), "a disabled job is not scheduled");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_made_from_a_template_fill_its_variables() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let template = json!({"id": "fixture-exit", "name": "t", "template": true,
                          "command": fixture_path(), "args": ["exit", "{{code}}"],
                          "execution": {"timeout_secs": 30}});
    engine
        .call(SaveJob {
            definition: template,
            replace: false,
        })
        .await
        .unwrap();
    let made = engine
        .call(SaveJob {
            definition: json!({"id": "exit-4", "name": "Exit 4", "extends": "fixture-exit", "vars": {"code": "4"}}),
            replace: false,
        })
        .await
        .unwrap();
    assert_eq!(made.args, ["exit", "4"]);
    assert_eq!(made.execution.timeout_secs, Some(30));
    let id = run(&engine, "exit-4", json!({})).await;
    assert_eq!(ended(&engine, id).await.exit_code, Some(4));
    let err = engine
        .call(RunJob {
            id: "fixture-exit".into(),
            options: BTreeMap::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "a template is not run");
    let err = engine
        .call(SaveJob {
            definition: json!({"id": "half", "extends": "fixture-exit"}),
            replace: false,
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("{{code}}"), "{err}");
    assert!(engine.call(GetRunOutput { id: 999 }).await.is_err());
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_all_or_nothing_and_read_the_older_jobs_json() {
    use vigil_engine::api::{ExportJobs, ImportJobs};
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    // The older dashboard's jobs.json: command lines, timeouts in ms, flag / arg options.
    let legacy = json!({"jobs": [
        {"id": "daily-sync", "name": "Daily sync", "command": "echo sync", "schedule": "0 23 * * *",
         "category": "sync", "tags": ["nightly"],
         "options": [{"flag": "--yes", "label": "Auto approve", "type": "boolean", "default": true},
                     {"arg": "date", "label": "Date", "type": "string"}],
         "execution": {"timeout": 300000, "maxRetries": 2, "retryDelay": 5000, "backoff": "exponential"}}
    ]});
    let report = engine
        .call(ImportJobs {
            document: legacy,
            replace: false,
        })
        .await
        .unwrap();
    assert_eq!(report.imported, ["daily-sync"]);
    let j = engine
        .call(vigil_engine::api::GetJob {
            id: "daily-sync".into(),
        })
        .await
        .unwrap();
    assert!(j.shell, "a command line runs through the shell");
    assert_eq!(j.execution.timeout_secs, Some(300));
    assert_eq!((j.execution.retries, j.execution.retry_delay_ms), (2, 5000));
    assert_eq!(
        j.options
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["yes", "date"]
    );
    assert_eq!(j.argv(&BTreeMap::new()).unwrap(), ["--yes"]);

    // A file with one bad job imports nothing.
    let bad = json!({"vigil_jobs": 1, "jobs": [
        {"id": "fine", "name": "fine", "command": "/bin/true"},
        {"id": "broken", "name": "broken", "command": "/bin/true", "schedule": "not cron"}
    ]});
    let err = engine
        .call(ImportJobs {
            document: bad,
            replace: false,
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("job 2 of the file"), "{err}");
    let cycle = json!({"vigil_jobs": 1, "jobs": [
        {"id": "p", "name": "p", "command": "/bin/true", "depends_on": ["q"]},
        {"id": "q", "name": "q", "command": "/bin/true", "depends_on": ["p"]}
    ]});
    assert!(
        engine
            .call(ImportJobs {
                document: cycle,
                replace: false
            })
            .await
            .unwrap_err()
            .message
            .contains("cycle")
    );
    let clash = json!({"vigil_jobs": 1, "jobs": [{"id": "daily-sync", "name": "x", "command": "/bin/true"}]});
    let err = engine
        .call(ImportJobs {
            document: clash,
            replace: false,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = engine
        .call(ImportJobs {
            document: json!("nope"),
            replace: false,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(
        engine.call(ListJobs {}).await.unwrap().len(),
        1,
        "nothing half-imported"
    );

    // Export, then import into a fresh Vigil: the same jobs.
    let file = engine.call(ExportJobs {}).await.unwrap();
    engine.stop().await;
    let other = tempfile::tempdir().unwrap();
    let fresh = start(&other).await;
    let doc = serde_json::to_value(&file).unwrap();
    fresh
        .call(ImportJobs {
            document: doc,
            replace: false,
        })
        .await
        .unwrap();
    assert_eq!(fresh.call(ListJobs {}).await.unwrap(), file.jobs);
    fresh.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_overlap_waits_and_the_global_limit_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.max_concurrent_runs = 1;
    let engine = Engine::start(c).await.unwrap();
    save(
        &engine,
        job("queued", &["exit", "0", "300"], json!({"overlap": "queue"})),
    )
    .await;
    save(&engine, job("other", &["exit", "0", "300"], json!({}))).await;
    let a = run(&engine, "queued", json!({})).await;
    running(&engine, a).await;
    let b = run(&engine, "queued", json!({})).await;
    let other = run(&engine, "other", json!({})).await;
    let (a, b, other) = (
        ended(&engine, a).await,
        ended(&engine, b).await,
        ended(&engine, other).await,
    );
    assert_eq!(
        (a.status, b.status, other.status),
        (
            RunStatus::Succeeded,
            RunStatus::Succeeded,
            RunStatus::Succeeded
        )
    );
    assert!(
        a.ended_at <= b.started_at,
        "queue: the second run waited for the first"
    );
    // One slot: no two runs ever overlapped, whatever the job.
    let mut spans = [a, b, other].map(|r| (r.started_at.unwrap(), r.ended_at.unwrap()));
    spans.sort();
    assert!(
        spans.windows(2).all(|w| w[0].1 <= w[1].0),
        "the global limit of 1 held: {spans:?}"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_output_is_capped_and_the_run_still_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.max_run_output = 16 * 1024;
    let engine = Engine::start(c).await.unwrap();
    // 200,000 lines (about 2 MB) as fast as the fixture can print them, then it sleeps; a 2 s
    // timeout ends it.
    save(
        &engine,
        job(
            "flood",
            &["print", "200000"],
            json!({"execution": {"timeout_secs": 2}}),
        ),
    )
    .await;
    let id = run(&engine, "flood", json!({})).await;
    let r = ended(&engine, id).await;
    assert_eq!(
        r.status,
        RunStatus::TimedOut,
        "a blocked pipe would have hung the fixture before its sleep"
    );
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    assert!(
        out.len() <= 16 * 1024 + 200,
        "kept output is capped: {} bytes",
        out.len()
    );
    assert!(
        out.contains("output capped at 16384 bytes"),
        "the cap is noted"
    );
    // The cap keeps the beginning. Which stream's first line comes first depends on how the
    // two pipes are scheduled (stdout is block-buffered, stderr is not), so either counts.
    assert!(
        out.contains(" out line 1\n") || out.contains(" err line 10 (stderr)\n"),
        "the kept output is the beginning of the run's output"
    );
    engine.stop().await;
}

/// Events about one run (its message names it), in order.
async fn events_of_run(engine: &Engine, id: i64) -> Vec<vigil_core::Event> {
    let mine = format!("run {id} ");
    engine
        .call(vigil_engine::api::ListEvents::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.message.starts_with(&mine))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_run_longer_than_usual_is_reported_and_a_steady_job_never_warns() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    // Learn a steady ~100 ms job (five runs: the least a job is judged on).
    let mut j = job("usual", &["exit", "0", "100"], json!({}));
    save(&engine, j.clone()).await;
    let mut steady = Vec::new();
    for _ in 0..vigil_core::MIN_SAMPLES + 1 {
        let id = run(&engine, "usual", json!({})).await;
        assert_eq!(ended(&engine, id).await.status, RunStatus::Succeeded);
        steady.push(id);
    }
    for id in &steady {
        let kinds: Vec<_> = events_of_run(&engine, *id)
            .await
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(
            !kinds.contains(&vigil_core::EventKind::RunOverran),
            "a steady run never warns: run {id} had {kinds:?}"
        );
    }
    let stats = engine
        .call(vigil_engine::api::GetJobStats { id: "usual".into() })
        .await
        .unwrap();
    let usual = stats.usual.expect("learned after five runs");
    assert!(
        usual.median_ms >= 100 && usual.warn_after_ms >= usual.median_ms + 1000,
        "{usual:?}"
    );
    // Now much longer than anything it did: one warning, once, naming what is usual.
    j.args = vec!["exit".into(), "0".into(), "2500".into()];
    engine.call(SaveJob::job(&j, true)).await.unwrap();
    let id = run(&engine, "usual", json!({})).await;
    ended(&engine, id).await;
    let overran: Vec<_> = events_of_run(&engine, id)
        .await
        .into_iter()
        .filter(|e| e.kind == vigil_core::EventKind::RunOverran)
        .collect();
    assert_eq!(overran.len(), 1, "{overran:?}");
    assert!(
        overran[0].message.contains("longer than usual"),
        "{overran:?}"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_fire_runs_once_and_a_leftover_process_is_ended_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let clock = ManualClock::new(t0);
    let mut c = config(&dir);
    c.clock = clock.clone() as Arc<dyn vigil_engine::Clock>;
    let engine = Engine::start(c.clone()).await.unwrap();
    save(
        &engine,
        job(
            "hourly",
            &["exit", "0"],
            json!({"schedule": "0 0 * * * *", "missed": "run_once"}),
        ),
    )
    .await;
    save(
        &engine,
        job(
            "hourly-skip",
            &["exit", "0"],
            json!({"schedule": "0 0 * * * *"}),
        ),
    )
    .await;
    clock.set(t0 + chrono::Duration::hours(1));
    finished_runs(&engine, "hourly", 1).await;
    finished_runs(&engine, "hourly-skip", 1).await;
    engine.stop().await;

    // A run whose process outlived a crash of Vigil: recorded as running with its identity.
    let mut orphan = std::process::Command::new(fixture_path())
        .args(["sleep", "3600"])
        .spawn()
        .unwrap();
    let pid = orphan.id();
    let start = {
        let mut sys = sysinfo::System::new().unwrap();
        let p = sysinfo::Pid::from_u32(pid);
        sys.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[p]), true);
        sys.process(p).unwrap().start_time() as i64
    };
    {
        let store =
            vigil_store::Store::open(&dir.path().join(vigil_store::DB_FILE), Box::new(|_| {}))
                .unwrap();
        let rt_run = Run::queued(
            "hourly-skip".into(),
            Trigger::Manual,
            json!({}),
            vec![],
            1,
            0,
        );
        let w = store.writer().clone();
        let id = w
            .write(move |tx| vigil_store::insert_run(tx, &rt_run))
            .await
            .unwrap()
            .id;
        w.write(move |tx| vigil_store::run_started(tx, id, 1, Some(pid), Some(start)))
            .await
            .unwrap();
        store.writer().close();
    }
    // Three hours later Vigil starts again: one catch-up run for "hourly", none for the other,
    // and the leftover process is ended and its run marked interrupted.
    clock.set(t0 + chrono::Duration::hours(4));
    let engine = Engine::start(c).await.unwrap();
    let runs = finished_runs(&engine, "hourly", 2).await;
    assert_eq!(runs.len(), 2, "missed fires run once, not three times");
    let gone = Instant::now();
    while orphan.try_wait().unwrap().is_none() {
        assert!(
            gone.elapsed() < DEADLINE,
            "the leftover process must be ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let skipped = engine
        .call(ListRuns {
            job: Some("hourly-skip".into()),
            ..ListRuns::default()
        })
        .await
        .unwrap();
    assert_eq!(skipped.len(), 2, "no catch-up for missed: skip");
    assert!(skipped.iter().any(|r| r.status == RunStatus::Interrupted));
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_waiting_in_a_queue_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    save(
        &engine,
        job(
            "one-at-a-time",
            &["sleep", "3600"],
            json!({"overlap": "queue"}),
        ),
    )
    .await;
    let first = run(&engine, "one-at-a-time", json!({})).await;
    running(&engine, first).await;
    let waiting = run(&engine, "one-at-a-time", json!({})).await;
    let r = engine.call(CancelRun { id: waiting }).await.unwrap();
    assert_eq!(
        r.status,
        RunStatus::Cancelled,
        "a queued run is cancelled without ever starting"
    );
    assert!(r.pid.is_none());
    assert_eq!(
        engine.call(GetRun { id: first }).await.unwrap().status,
        RunStatus::Running,
        "the run in flight is untouched"
    );
    engine.call(CancelRun { id: first }).await.unwrap();
    engine.stop().await;
}
