//! Regression tests for defects a reading of the engine found, each through the public API with
//! real processes and a real SQLite file. Each test failed before its fix.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::jobs::{clocked, config, ended, job_of, runs_of, save, try_run};
use common::{DEADLINE, fixture_path};

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vigil_core::{Job, Run, RunStatus, Trigger};
use vigil_engine::api::{GetRun, GetRunOutput, SaveJob};
use vigil_engine::{Engine, ErrorCode, HistoryRetention};

fn job(id: &str, command: &str, args: &[&str], extra: Value) -> Job {
    job_of(id, command, args, extra)
}

async fn run(engine: &Engine, id: &str, options: Value) -> Result<i64, vigil_core::ApiError> {
    try_run(engine, id, options).await
}

/// Waits until `job` has no run still going and at least `n` runs; returns them oldest first.
async fn settled(engine: &Engine, job: &str, n: usize) -> Vec<Run> {
    let started = Instant::now();
    loop {
        let runs = runs_of(engine, job).await;
        if runs.len() >= n && runs.iter().all(|r| r.status.is_final()) {
            return runs;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{job}: wanted {n} settled runs, have {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_kind_of_failure_the_run_really_had() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let fx = fixture_path();
    let retry =
        |on: &[&str]| json!({"execution": {"retries": 1, "retry_delay_ms": 10, "retry_on": on}});
    let missing = dir.path().join("no-such-program").display().to_string();
    let cases: [(&str, &str, &[&str], Value, usize); 5] = [
        // Exits 1: a failure. Retried only when `failure` is listed.
        (
            "exit1-on-failure",
            &fx,
            &["exit", "1"],
            retry(&["failure"]),
            2,
        ),
        (
            "exit1-on-start-error",
            &fx,
            &["exit", "1"],
            retry(&["start_error"]),
            1,
        ),
        // Cannot start: a start error, retried only when `start_error` is listed.
        (
            "missing-on-start-error",
            &missing,
            &[],
            retry(&["start_error"]),
            2,
        ),
        ("missing-on-failure", &missing, &[], retry(&["failure"]), 1),
        // A timeout is neither.
        (
            "timeout-on-failure",
            &fx,
            &["sleep", "30"],
            json!({"execution": {"retries": 1, "retry_delay_ms": 10,
                                 "retry_on": ["failure", "start_error"], "timeout_secs": 1}}),
            1,
        ),
    ];
    for (id, command, args, extra, _) in &cases {
        save(&engine, job(id, command, args, extra.clone())).await;
        run(&engine, id, json!({})).await.unwrap();
    }
    for (id, _, _, _, attempts) in &cases {
        let runs = settled(&engine, id, *attempts).await;
        // Give a wrong retry the time to show up before counting.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let runs_now = runs_of(&engine, id).await;
        assert_eq!(
            runs_now.len(),
            *attempts,
            "{id}: {attempts} attempt(s) expected, got {runs_now:?}"
        );
        let first = &runs[0];
        match *id {
            "exit1-on-failure" | "exit1-on-start-error" => {
                assert_eq!(
                    (first.status, first.exit_code),
                    (RunStatus::Failed, Some(1))
                );
            }
            "missing-on-start-error" | "missing-on-failure" => {
                assert_eq!((first.status, first.exit_code), (RunStatus::Failed, None));
                assert!(
                    first.error.as_deref().unwrap().contains("could not start"),
                    "{first:?}"
                );
            }
            _ => assert_eq!(first.status, RunStatus::TimedOut),
        }
        if *attempts == 2 {
            assert_eq!(runs[1].trigger, Trigger::Retry);
        }
    }
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_that_names_itself_is_text_not_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let fx = fixture_path();
    save(
        &engine,
        job(
            "tpl",
            &fx,
            &["args", "{{x}}", "<{{ y }}>"],
            json!({"template": true}),
        ),
    )
    .await;
    for (id, x, y) in [
        ("self", "{{x}}", "{{y}}"),
        ("double", "{{x}}{{x}}", "{{x}}{{y}}{{x}}"),
        ("unclosed", "{{x", "}}{{"),
    ] {
        let saved = tokio::time::timeout(
            Duration::from_secs(5),
            engine.call(SaveJob {
                definition: json!({"id": id, "name": id, "extends": "tpl",
                                   "vars": {"x": x, "y": y}}),
                replace: false,
            }),
        )
        .await
        .expect("saving a self-referring template answers at once")
        .unwrap();
        assert_eq!(
            saved.args,
            vec!["args".to_owned(), x.to_owned(), format!("<{y}>")],
            "values go in as text, never expanded again"
        );
    }
    // The engine is still responsive and stops.
    tokio::time::timeout(Duration::from_secs(20), engine.stop())
        .await
        .expect("the engine stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dependency_that_cannot_be_recorded_fails_its_dependants() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let fx = fixture_path();
    save(&engine, job("dep", &fx, &["exit", "0"], json!({}))).await;
    save(
        &engine,
        job("after", &fx, &["exit", "0"], json!({"depends_on": ["dep"]})),
    )
    .await;
    // Fault injection in the real database: inserting a run of `dep` now fails.
    let db = vigil_store::Connection::open(dir.path().join(vigil_store::DB_FILE)).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse_dep BEFORE INSERT ON runs WHEN NEW.job_id = 'dep'
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
    )
    .unwrap();
    let id = run(&engine, "after", json!({})).await.unwrap();
    let r = ended(&engine, id).await;
    assert_eq!(
        r.status,
        RunStatus::Skipped,
        "a dependency nobody saw run is not a success: {r:?}"
    );
    assert!(r.started_at.is_none(), "the dependant never started");
    assert!(
        r.error.unwrap().contains("dep"),
        "the skip names the dependency"
    );
    db.execute_batch("DROP TRIGGER refuse_dep").unwrap();
    let id = run(&engine, "after", json!({})).await.unwrap();
    assert_eq!(ended(&engine, id).await.status, RunStatus::Succeeded);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_on_one_data_dir_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = Engine::start(config(&dir)).await.unwrap();
    save(
        &first,
        job("j", &fixture_path(), &["sleep", "30"], json!({})),
    )
    .await;
    let run_id = run(&first, "j", json!({})).await.unwrap();
    let started = Instant::now();
    while first.call(GetRun { id: run_id }).await.unwrap().status != RunStatus::Running {
        assert!(started.elapsed() < DEADLINE);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let db_before = std::fs::read(dir.path().join("vigil.db-wal"))
        .unwrap_or_default()
        .len();
    let mut second = config(&dir);
    second.kind = "second".into();
    let err = match Engine::start(second).await {
        Ok(_) => panic!("a second engine must not start on a taken data dir"),
        Err(e) => e,
    };
    assert_eq!(err.code, ErrorCode::Conflict, "{err}");
    let pid = std::process::id().to_string();
    assert!(
        err.message.contains(&pid) && err.message.contains("test"),
        "the refusal names the holder's pid and kind: {err}"
    );
    assert_eq!(
        first.call(GetRun { id: run_id }).await.unwrap().status,
        RunStatus::Running,
        "the first engine's run was not interrupted"
    );
    assert_eq!(
        std::fs::read(dir.path().join("vigil.db-wal"))
            .unwrap_or_default()
            .len(),
        db_before,
        "the refused engine wrote nothing"
    );
    first.stop().await;
    // Released on a clean stop: the next engine starts at once.
    let again = Engine::start(config(&dir)).await.unwrap();
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn option_values_reach_a_job_as_exactly_one_argument_each() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let hostile = [
        "plain",
        "two words",
        "quote \" & echo INJECTED & \"",
        "a\\\"b",
        "trailing backslash\\",
        "%PATH% !x! ^& | < > ( )",
        "$(echo INJECTED) `echo INJECTED` ; echo INJECTED",
        "-flag-like",
        "ünïcödé ✓",
        "",
    ];
    save(
        &engine,
        job(
            "echo",
            &fixture_path(),
            &["args"],
            json!({"options": [{"name": "v", "type": "array"}]}),
        ),
    )
    .await;
    let id = run(&engine, "echo", json!({"v": hostile})).await.unwrap();
    assert_eq!(ended(&engine, id).await.status, RunStatus::Succeeded);
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    assert_eq!(
        printed_args(&out),
        hostile,
        "every value arrived whole, byte for byte"
    );
    engine.stop().await;
}

/// The arguments the fixture's `args` mode printed, decoded.
fn printed_args(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.split_once(" out arg ").map(|(_, h)| h.trim().to_owned()))
        .map(|h| String::from_utf8(hex::decode(h).unwrap()).unwrap())
        .collect()
}

/// Shell jobs: on Unix the values are `$1`... and never parsed; on Windows (`cmd /D /S /C`)
/// values cmd.exe would parse are refused before anything is stored, and the rest arrive as
/// one argument each, spaces and all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_jobs_never_run_an_option_value_as_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let marker = dir.path().join("injected");
    let fx = fixture_path();
    let (line, hostile) = if cfg!(windows) {
        (
            format!("{fx} args"),
            format!("x\" & echo pwned > \"{}\" & \"", marker.display()),
        )
    } else {
        (
            format!("'{fx}' args \"$@\""),
            format!(
                "x\"; touch '{}'; echo \"$(touch {})",
                marker.display(),
                marker.display()
            ),
        )
    };
    save(
        &engine,
        job(
            "sh",
            &line,
            &[],
            json!({"shell": true, "options": [{"name": "v", "type": "array"}]}),
        ),
    )
    .await;
    // Found under Wine: a trailing backslash escaped the closing quote and ran into the next
    // value, so two values with backslashes and spaces follow each other here.
    let benign = [
        "two words, fine.",
        "x --delete-all",
        "",
        "a\\b\\",
        "c d\\\\",
        "e",
    ];
    let id = run(&engine, "sh", json!({"v": benign})).await.unwrap();
    let r = ended(&engine, id).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let out = engine.call(GetRunOutput { id }).await.unwrap();
    assert_eq!(
        printed_args(&out),
        benign,
        "each value is one argument to the program, byte for byte: {out}"
    );
    let result = run(&engine, "sh", json!({"v": [hostile]})).await;
    if cfg!(windows) {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
        assert!(err.message.contains("cmd.exe"), "{err}");
        for lookalike in ["＂ & x", "a％PATH％"] {
            let err = run(&engine, "sh", json!({"v": [lookalike]}))
                .await
                .unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{lookalike}: {err}");
        }
        assert_eq!(
            runs_of(&engine, "sh").await.len(),
            1,
            "a refused run stores nothing"
        );
    } else {
        let id = result.unwrap();
        assert_eq!(ended(&engine, id).await.status, RunStatus::Succeeded);
        let out = engine.call(GetRunOutput { id }).await.unwrap();
        assert_eq!(printed_args(&out), [hostile], "{out}");
    }
    assert!(!marker.exists(), "the hostile value never ran as a command");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pc_that_sleeps_through_many_fires_runs_a_job_once_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock, t0) = clocked(&dir).await;
    let fx = fixture_path();
    save(
        &engine,
        job(
            "once",
            &fx,
            &["exit", "0"],
            json!({"schedule": "*/10 * * * * *", "missed": "run_once"}),
        ),
    )
    .await;
    save(
        &engine,
        job(
            "skip",
            &fx,
            &["exit", "0"],
            json!({"schedule": "*/10 * * * * *"}),
        ),
    )
    .await;
    // On time: one fire each.
    clock.set(t0 + chrono::Duration::seconds(10));
    settled(&engine, "once", 1).await;
    settled(&engine, "skip", 1).await;
    // The PC sleeps for an hour (360 fires) and wakes.
    clock.set(t0 + chrono::Duration::seconds(10 + 3600));
    settled(&engine, "once", 2).await;
    // Give a burst the time to show up before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        runs_of(&engine, "once").await.len(),
        2,
        "missed fires run once"
    );
    assert_eq!(
        runs_of(&engine, "skip").await.len(),
        1,
        "missed: skip runs none"
    );
    // Then the schedule goes on from now.
    clock.set(t0 + chrono::Duration::seconds(20 + 3600));
    settled(&engine, "once", 3).await;
    settled(&engine, "skip", 2).await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_runs_events_and_their_files_are_pruned_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture_path();
    {
        let engine = Engine::start(config(&dir)).await.unwrap();
        save(&engine, job("j", &fx, &["exit", "0"], json!({}))).await;
        for _ in 0..6 {
            let id = run(&engine, "j", json!({})).await.unwrap();
            ended(&engine, id).await;
        }
        engine.stop().await;
    }
    let outputs =
        |dir: &tempfile::TempDir| std::fs::read_dir(dir.path().join("runs")).unwrap().count();
    assert_eq!(outputs(&dir), 6);
    let mut c = config(&dir);
    c.history = HistoryRetention {
        max_runs: 2,
        max_events: 5,
        ..HistoryRetention::default()
    };
    let engine = Engine::start(c).await.unwrap();
    let started = Instant::now();
    while runs_of(&engine, "j").await.len() > 2 || outputs(&dir) > 2 {
        assert!(
            started.elapsed() < DEADLINE,
            "pruning at start did not happen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kept = runs_of(&engine, "j").await;
    assert_eq!(kept.len(), 2, "the newest two runs are kept");
    for r in &kept {
        let out = engine.call(GetRunOutput { id: r.id }).await.unwrap();
        assert!(
            out.contains("fixture exiting"),
            "kept runs keep their output"
        );
    }
    engine.stop().await;
}

/// A run's retry waits on the engine's clock: an hour's retry delay passes when the clock
/// moves, so tests of retries need not wait in real time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_delay_waits_on_the_engines_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock, t0) = clocked(&dir).await;
    let fx = fixture_path();
    save(
        &engine,
        job(
            "later",
            &fx,
            &["exit", "1"],
            json!({"execution": {"retries": 1, "retry_delay_ms": 3_600_000}}),
        ),
    )
    .await;
    try_run(&engine, "later", json!({})).await.unwrap();
    let deadline = Instant::now() + DEADLINE;
    while runs_of(&engine, "later")
        .await
        .iter()
        .filter(|r| r.status.is_final())
        .count()
        < 1
    {
        assert!(Instant::now() < deadline, "the first attempt never ended");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        runs_of(&engine, "later").await.len(),
        1,
        "no retry before the clock moves"
    );
    clock.set(t0 + chrono::Duration::hours(2));
    let deadline = Instant::now() + DEADLINE;
    while runs_of(&engine, "later")
        .await
        .iter()
        .filter(|r| r.status.is_final())
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "the retry never ran after the clock moved"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    engine.stop().await;
}
