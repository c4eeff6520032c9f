//! Settings (one validated document in SQLite, applied live, kept across restarts), program
//! edits that keep a program's id and history, the match preview, the schedule pause and the
//! first-run notification rule: against a real SQLite file and real child processes.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::{alive, fixture_path, kill_pid, until};

use std::time::Duration;

use serde_json::json;
use vigil_core::{RestartMode, RestartPolicy};
use vigil_engine::api::{
    AddProgram, GetProgram, GetProgramStatus, GetSettings, ListEvents, ListRules, PreviewMatch,
    ProgramState, UpdateProgram, UpdateSettings,
};
use vigil_engine::monitor::MonitorConfig;
use vigil_engine::{Engine, EngineConfig, ErrorCode, EventKind};

fn config(dir: &tempfile::TempDir) -> EngineConfig {
    let mut config = EngineConfig::new(dir.path());
    config.stop_grace = Duration::from_millis(700);
    config.run_shutdown_grace = Duration::from_millis(300);
    config
}

async fn events(engine: &Engine) -> Vec<vigil_core::Event> {
    engine
        .call(ListEvents {
            since: 0,
            limit: None,
        })
        .await
        .unwrap()
}

async fn kinds(engine: &Engine) -> Vec<EventKind> {
    events(engine).await.into_iter().map(|e| e.kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_change_live_survive_a_restart_and_bad_ones_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    let before = engine.call(GetSettings {}).await.unwrap();
    assert_eq!(before.sweep_ms, 1000);
    assert!(!before.allow_lan);

    let change = engine
        .call(UpdateSettings(json!({
            "sweep_ms": 2000,
            "port": 7575,
            "retention": { "event_days": 7 },
            "max_concurrent_runs": 3,
        })))
        .await
        .unwrap();
    assert_eq!(
        change.changed,
        ["sweep_ms", "retention", "max_concurrent_runs", "port"]
    );
    assert_eq!(change.restart_needed, ["port"], "only the listener waits");
    assert_eq!(engine.settings().sweep_ms, 2000, "applied at once");
    let events = events(&engine).await;
    let changed = events
        .iter()
        .find(|e| e.kind == EventKind::SettingsChanged)
        .expect("a settings_changed event");
    assert!(changed.message.contains("port"), "{}", changed.message);

    // Bad values: refused with the reason, nothing changes, no event.
    let count = kinds(&engine).await.len();
    for bad in [
        json!({ "sweep_ms": 10 }),
        json!({ "sweep_ms": 2000, "discovery_ms": 300 }),
        json!({ "port": 22 }),
        json!({ "nope": true }),
        json!({ "favourite_jobs": ["no-such-job"] }),
        json!({ "retention": { "event_days": 0 } }),
        json!("sweep_ms=5"),
    ] {
        let err = engine.call(UpdateSettings(bad.clone())).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}: {err:?}");
    }
    assert_eq!(engine.settings(), change.settings, "nothing changed");
    assert_eq!(
        kinds(&engine).await.len(),
        count,
        "no event for a refused change"
    );
    // The same values again: no change, no event.
    let again = engine
        .call(UpdateSettings(json!({ "sweep_ms": 2000 })))
        .await
        .unwrap();
    assert!(again.changed.is_empty());
    engine.stop().await;

    let engine = Engine::start(config(&dir)).await.unwrap();
    let after = engine.call(GetSettings {}).await.unwrap();
    assert_eq!(after, change.settings, "settings survive a restart");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_concurrency_limit_holds_runs_back_and_a_higher_one_frees_them() {
    use common::jobs::{job_of, runs_of, save, try_run};
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    engine
        .call(UpdateSettings(json!({ "max_concurrent_runs": 1 })))
        .await
        .unwrap();
    for id in ["a", "b"] {
        save(
            &engine,
            job_of(id, &fixture_path(), &["sleep", "3600"], json!({})),
        )
        .await;
    }
    try_run(&engine, "a", json!({})).await.unwrap();
    try_run(&engine, "b", json!({})).await.unwrap();
    let running = async |engine: &Engine| {
        let mut n = 0;
        for job in ["a", "b"] {
            n += runs_of(engine, job)
                .await
                .iter()
                .filter(|r| r.status == vigil_core::RunStatus::Running)
                .count();
        }
        n
    };
    until("one run running", async || {
        (running(&engine).await == 1).then_some(())
    })
    .await;
    engine
        .call(UpdateSettings(json!({ "max_concurrent_runs": 2 })))
        .await
        .unwrap();
    until("both runs running once the limit rose", async || {
        (running(&engine).await == 2).then_some(())
    })
    .await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_keeps_id_and_history_and_restarts_only_for_a_new_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    config.monitor = MonitorConfig {
        interval: Duration::from_millis(100),
        discovery: Duration::from_millis(300),
    };
    let engine = Engine::start(config).await.unwrap();
    let added = engine
        .call(AddProgram {
            name: "server".into(),
            path: fixture_path(),
            args: vec!["sleep".into(), "3600".into()],
            autostart: true,
            restart: RestartPolicy {
                mode: RestartMode::Never,
                ..RestartPolicy::default()
            },
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let id = added.id;
    let pid = until("the program runs", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        (s.state == ProgramState::Running)
            .then(|| s.processes.first().map(|p| p.pid))
            .flatten()
    })
    .await;

    // A new name and tags: applied at once, the same process goes on.
    let mut body = serde_json::to_value(&added).unwrap();
    body["name"] = json!("web server");
    body["tags"] = json!(["prod"]);
    body.as_object_mut().unwrap().remove("created_at");
    let saved = engine.call(UpdateProgram(body.clone())).await.unwrap();
    assert!(!saved.restarted, "{}", saved.effect);
    assert_eq!(saved.program.id, id);
    assert_eq!(saved.program.name, "web server");
    assert_eq!(saved.program.created_at, added.created_at);
    let s = engine.call(GetProgramStatus { id }).await.unwrap();
    assert_eq!(
        s.processes.first().map(|p| p.pid),
        Some(pid),
        "not restarted"
    );

    // New arguments: restarted, and the answer says so.
    body["name"] = json!("web server");
    body["args"] = json!(["sleep", "3599"]);
    let saved = engine.call(UpdateProgram(body.clone())).await.unwrap();
    assert!(saved.restarted, "{}", saved.effect);
    assert!(saved.effect.contains("restarted"), "{}", saved.effect);
    until("the old process gone", async || (!alive(pid)).then_some(())).await;
    let new_pid = until("a new process", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        s.processes.first().map(|p| p.pid).filter(|p| *p != pid)
    })
    .await;
    assert!(alive(new_pid));

    // Bad edits change nothing.
    let same = engine.call(GetProgram { id }).await.unwrap();
    for (bad, code) in [
        (
            json!({ "id": id, "name": "", "path": fixture_path() }),
            ErrorCode::InvalidInput,
        ),
        (
            json!({ "id": id, "name": "x", "path": "relative" }),
            ErrorCode::InvalidInput,
        ),
        (
            json!({ "id": id, "name": "x", "path": fixture_path(), "arg": [] }),
            ErrorCode::InvalidInput,
        ),
        (
            json!({ "id": 99999, "name": "x", "path": fixture_path() }),
            ErrorCode::NotFound,
        ),
        (
            json!({ "id": "1", "name": "x", "path": fixture_path() }),
            ErrorCode::InvalidInput,
        ),
        (
            json!({ "name": "x", "path": fixture_path() }),
            ErrorCode::InvalidInput,
        ),
        (json!([1]), ErrorCode::InvalidInput),
    ] {
        let err = engine.call(UpdateProgram(bad.clone())).await.unwrap_err();
        assert_eq!(err.code, code, "{bad}: {err:?}");
    }
    let other = engine
        .call(AddProgram {
            name: "other".into(),
            path: fixture_path(),
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let mut clash = body.clone();
    clash["id"] = json!(other.id);
    let err = engine.call(UpdateProgram(clash)).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "a name taken by another program"
    );
    assert_eq!(engine.call(GetProgram { id }).await.unwrap(), same);
    let kinds = kinds(&engine).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == EventKind::ProgramChanged)
            .count(),
        2,
        "one program_changed per saved edit: {kinds:?}"
    );
    engine.stop().await;
    assert!(!alive(new_pid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_match_preview_counts_what_a_rule_finds_now() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    /// Killed however the test ends: a leftover would hold the test runner's pipes open.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let child = Killed(
        std::process::Command::new(fixture_path())
            .args(["sleep", "3600", "preview-marker-7f3a"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let preview = until("the child found by its command line", async || {
        let p = engine
            .call(PreviewMatch {
                by: "cmdline".into(),
                value: Some("preview-marker-7f3a".into()),
                path: None,
            })
            .await
            .unwrap();
        (p.count == 1).then_some(p)
    })
    .await;
    assert_eq!(preview.processes[0].pid, child.0.id());
    let by_exe = engine
        .call(PreviewMatch {
            by: "exe".into(),
            value: None,
            path: Some(fixture_path()),
        })
        .await
        .unwrap();
    assert!(by_exe.processes.iter().any(|p| p.pid == child.0.id()));
    for (by, value, path) in [
        ("cmdline", Some("  "), None),
        ("name", None, None),
        ("exe", None, Some("relative")),
        ("pid", Some("1"), None),
    ] {
        let err = engine
            .call(PreviewMatch {
                by: by.into(),
                value: value.map(Into::into),
                path: path.map(Into::into),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{by}: {err:?}");
    }
    drop(child);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_rule_is_made_once_and_stays_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut desktop = config(&dir);
    desktop.seed_default_rule = true;
    let engine = Engine::start(desktop.clone()).await.unwrap();
    let rules = engine.call(ListRules {}).await.unwrap();
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert!(rule.os && rule.enabled && rule.fold_secs > 0);
    assert_eq!(
        rule.kinds,
        [
            EventKind::ProgramCrashed,
            EventKind::RestartGivenUp,
            EventKind::RunFailed
        ]
    );
    engine
        .call(vigil_engine::api::DeleteRule { id: rule.id })
        .await
        .unwrap();
    engine.stop().await;
    let engine = Engine::start(desktop).await.unwrap();
    assert!(
        engine.call(ListRules {}).await.unwrap().is_empty(),
        "a removed default rule is not made again"
    );
    engine.stop().await;

    let plain = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&plain)).await.unwrap();
    assert!(
        engine.call(ListRules {}).await.unwrap().is_empty(),
        "the daemon makes none"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_schedules_skip_their_fires_and_resume_later() {
    use common::jobs::{clocked, job_of, runs_of, save};
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock, t0) = clocked(&dir).await;
    engine
        .call(UpdateSettings(json!({ "schedules_paused": true })))
        .await
        .unwrap();
    save(
        &engine,
        job_of(
            "tick",
            &fixture_path(),
            &["exit", "0", "0"],
            json!({ "schedule": "* * * * *" }),
        ),
    )
    .await;
    // The 00:01 fire comes while paused; once the scheduler waits for the 00:02 one, the
    // 00:01 fire has been dealt with.
    clock.set(t0 + chrono::Duration::seconds(61));
    until("the scheduler past the paused fire", async || {
        clock
            .latest_wait()
            .filter(|w| *w > t0 + chrono::Duration::seconds(90))
    })
    .await;
    assert!(runs_of(&engine, "tick").await.is_empty(), "paused: no run");
    engine
        .call(UpdateSettings(json!({ "schedules_paused": false })))
        .await
        .unwrap();
    clock.set(t0 + chrono::Duration::seconds(121));
    let runs = until("a run after resuming", async || {
        let runs = runs_of(&engine, "tick").await;
        (!runs.is_empty()).then_some(runs)
    })
    .await;
    assert_eq!(runs.len(), 1, "the paused fire is not made up: {runs:?}");
    engine.stop().await;
}

/// The highest `line N` a program's log shows.
async fn last_line(engine: &Engine, id: i64) -> u64 {
    engine
        .call(vigil_engine::api::TailLog {
            id,
            lines: Some(50),
        })
        .await
        .unwrap()
        .iter()
        .filter_map(|l| {
            l.rsplit("line ")
                .next()?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_in_leave_mode_leaves_programs_running_and_the_next_start_adopts_them() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(&dir)).await.unwrap();
    engine
        .call(UpdateSettings(json!({ "leave_running_on_quit": true })))
        .await
        .unwrap();
    let program = engine
        .call(AddProgram {
            name: "chatty".into(),
            path: fixture_path(),
            args: vec!["print".into(), "100000".into(), "20".into()],
            autostart: true,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let id = program.id;
    let pid = until("the program runs", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        s.processes.first().map(|p| p.pid)
    })
    .await;
    let before = until("its output in the log", async || {
        let n = last_line(&engine, id).await;
        (n >= 3).then_some(n)
    })
    .await;
    engine.stop().await;
    assert!(alive(pid), "left running when Vigil quit");

    let engine = Engine::start(config(&dir)).await.unwrap();
    let adopted = until("the program adopted at start", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        (s.state == ProgramState::Running).then(|| s.processes.first().map(|p| p.pid))
    })
    .await;
    assert!(
        adopted.is_none() || adopted == Some(pid),
        "the same process: {adopted:?}"
    );
    // Its output goes on reaching the log (it did not die of a broken pipe).
    until("new output after the adoption", async || {
        (last_line(&engine, id).await > before + 5).then_some(())
    })
    .await;
    assert!(alive(pid));
    let log = events(&engine).await;
    assert!(
        log.iter()
            .any(|e| e.message.contains("watching it again") && e.program_id == Some(id)),
        "the adoption is on record"
    );
    // Killed from outside: its exit code cannot be read, so it counts as a crash and the
    // default policy (on failure) starts it again, under supervision.
    kill_pid(pid);
    let crashed = until("the crash of the adopted process", async || {
        events(&engine)
            .await
            .into_iter()
            .find(|e| e.kind == EventKind::ProgramCrashed && e.program_id == Some(id))
    })
    .await;
    assert!(
        crashed.message.contains("ended unexpectedly"),
        "{}",
        crashed.message
    );
    let pid = until("a new copy", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        s.processes.first().map(|p| p.pid).filter(|p| *p != pid)
    })
    .await;
    // Stopping it ends it.
    engine
        .call(vigil_engine::api::StopProgram { id, pids: None })
        .await
        .unwrap();
    until("the process gone", async || (!alive(pid)).then_some(())).await;
    assert_eq!(
        engine.call(GetProgramStatus { id }).await.unwrap().state,
        ProgramState::Stopped
    );
    // With the setting off, a quit stops what runs.
    engine
        .call(UpdateSettings(json!({ "leave_running_on_quit": false })))
        .await
        .unwrap();
    engine
        .call(vigil_engine::api::StartProgram { id })
        .await
        .unwrap();
    let pid = until("running again", async || {
        let s = engine.call(GetProgramStatus { id }).await.unwrap();
        s.processes.first().map(|p| p.pid)
    })
    .await;
    engine.stop().await;
    assert!(!alive(pid), "stop mode: quitting stopped it");
}
