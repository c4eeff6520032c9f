//! Supervision and monitoring against real child processes (the workspace's `vigil-fixture`),
//! a real SQLite file and the real process table. Tests wait on conditions, never fixed sleeps.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::{DEADLINE, alive, fixture_path, until};

use std::time::Duration;

use futures_util::StreamExt;
use vigil_core::{Limits, MatchRule, RestartMode, RestartPolicy};
use vigil_engine::api::{
    AddProgram, ExportFormat, ExportKind, ExportRequest, GetProgramStatus, GetSamples,
    ListProgramEvents, ProgramState, RemoveProgram, RestartProgram, StartProgram, StopProgram,
    TailLog,
};
use vigil_engine::monitor::MonitorConfig;
use vigil_engine::{Engine, EngineConfig, ErrorCode, Event, EventKind, EventStream, now_ms};

async fn start(dir: &tempfile::TempDir) -> Engine {
    let mut config = EngineConfig::new(dir.path());
    config.monitor = MonitorConfig {
        interval: Duration::from_millis(100),
        discovery: Duration::from_millis(300),
    };
    config.stop_grace = Duration::from_millis(700);
    config.flush_every = Duration::from_millis(200);
    Engine::start(config).await.unwrap()
}

fn fixture(name: &str, args: &[&str]) -> AddProgram {
    AddProgram {
        name: name.into(),
        path: fixture_path(),
        args: args.iter().map(|s| s.to_string()).collect(),
        restart: RestartPolicy {
            mode: RestartMode::Never,
            ..RestartPolicy::default()
        },
        ..AddProgram::default()
    }
}

/// Waits for the next event of `kind` for `program`, failing after the deadline.
async fn expect_event(stream: &mut EventStream, kind: EventKind, program: i64) -> Event {
    let found = tokio::time::timeout(DEADLINE, async {
        while let Some(e) = stream.next().await {
            let e = e.unwrap();
            if e.kind == kind && e.program_id == Some(program) {
                return Some(e);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(e)) => e,
        _ => panic!("no {kind:?} event for program {program} before the deadline"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_reported_at_once_with_its_output_then_restarted_until_the_loop_limit() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let p = engine
        .call(AddProgram {
            restart: RestartPolicy {
                mode: RestartMode::OnFailure,
                backoff_initial_ms: 50,
                backoff_max_ms: 100,
                max_restarts: 2,
                window_secs: 60,
                ..RestartPolicy::default()
            },
            ..fixture("crasher", &["exit", "3", "100"])
        })
        .await
        .unwrap();
    let started = engine.call(StartProgram { id: p.id }).await.unwrap();
    assert_ne!(
        started.state,
        ProgramState::Stopped,
        "start returns once it is launched"
    );
    expect_event(&mut events, EventKind::ProgramStarted, p.id).await;
    let crash = expect_event(&mut events, EventKind::ProgramCrashed, p.id).await;
    assert!(
        crash.message.contains("exited with code 3"),
        "{}",
        crash.message
    );
    let detail = crash
        .detail
        .expect("a crash carries the program's last output");
    assert!(detail.contains("last words before exit 3"), "{detail}");
    expect_event(&mut events, EventKind::ProgramRestarted, p.id).await;
    expect_event(&mut events, EventKind::ProgramRestarted, p.id).await;
    let gave_up = expect_event(&mut events, EventKind::RestartGivenUp, p.id).await;
    assert!(gave_up.message.contains("giving up"), "{}", gave_up.message);
    let status = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
    assert_eq!(status.state, ProgramState::Errored);
    assert_eq!(status.restarts, 2);
    // A manual start resets the loop.
    engine.call(StartProgram { id: p.id }).await.unwrap();
    expect_event(&mut events, EventKind::ProgramStarted, p.id).await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_exit_is_not_a_crash_and_on_failure_does_not_restart_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let p = engine
        .call(AddProgram {
            restart: RestartPolicy::default(),
            ..fixture("clean", &["exit", "0", "50"])
        })
        .await
        .unwrap();
    engine.call(StartProgram { id: p.id }).await.unwrap();
    let stopped = expect_event(&mut events, EventKind::ProgramStopped, p.id).await;
    assert!(stopped.message.contains("code 0"), "{}", stopped.message);
    let status = until("the stopped state", async || {
        let s = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
        (s.state == ProgramState::Stopped).then_some(s)
    })
    .await;
    assert_eq!(status.restarts, 0, "on_failure leaves a clean exit alone");
    let page = engine
        .call(ListProgramEvents {
            id: p.id,
            before: None,
            limit: None,
        })
        .await
        .unwrap();
    assert!(
        page.iter().all(|e| e.kind != EventKind::ProgramCrashed),
        "no crash recorded: {page:?}"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_kills_a_program_that_ignores_it_and_its_whole_tree() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let stubborn = engine
        .call(fixture("stubborn", &["ignore-stop"]))
        .await
        .unwrap();
    let parent = engine
        .call(fixture("parent", &["spawn", "2"]))
        .await
        .unwrap();
    engine.call(StartProgram { id: stubborn.id }).await.unwrap();
    engine.call(StartProgram { id: parent.id }).await.unwrap();
    // Wait until the stubborn one has installed its handler and the children are up.
    until("the stubborn fixture to ignore stops", async || {
        let tail = engine
            .call(TailLog {
                id: stubborn.id,
                lines: None,
            })
            .await
            .unwrap();
        tail.iter()
            .any(|l| l.contains("ignoring stop requests"))
            .then_some(())
    })
    .await;
    let children: Vec<u32> = until("the children's pids", async || {
        let tail = engine
            .call(TailLog {
                id: parent.id,
                lines: None,
            })
            .await
            .unwrap();
        let pids: Vec<u32> = tail
            .iter()
            .filter_map(|l| l.split_once(" child ")?.1.trim().parse().ok())
            .collect();
        (pids.len() == 2).then_some(pids)
    })
    .await;
    let tree = until("the monitor to see the whole tree", async || {
        let s = engine
            .call(GetProgramStatus { id: parent.id })
            .await
            .unwrap();
        (s.processes.len() == 3).then_some(s)
    })
    .await;
    assert!(
        tree.processes.iter().any(|p| p.pid == children[0]),
        "children count as the program's"
    );

    let stubborn_pid = engine
        .call(GetProgramStatus { id: stubborn.id })
        .await
        .unwrap()
        .processes[0]
        .pid;
    let stopped = engine
        .call(StopProgram {
            id: stubborn.id,
            pids: None,
        })
        .await
        .unwrap();
    assert_eq!(stopped.state, ProgramState::Stopped);
    let e = expect_event(&mut events, EventKind::ProgramStopped, stubborn.id).await;
    assert!(e.message.contains("on request"), "{}", e.message);
    assert!(
        !alive(stubborn_pid),
        "a program that ignores the polite stop is killed"
    );

    engine
        .call(StopProgram {
            id: parent.id,
            pids: None,
        })
        .await
        .unwrap();
    for pid in children {
        until("the child to be gone", async || (!alive(pid)).then_some(())).await;
    }
    // Stopping a stopped program is harmless.
    engine
        .call(StopProgram {
            id: parent.id,
            pids: None,
        })
        .await
        .unwrap();
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_replaces_the_process_and_removing_a_program_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let p = engine
        .call(fixture("server", &["sleep", "3600"]))
        .await
        .unwrap();
    let err = engine.call(RestartProgram { id: p.id }).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "restarting a stopped program says so"
    );
    engine.call(StartProgram { id: p.id }).await.unwrap();
    let first = until("a pid", async || {
        engine
            .call(GetProgramStatus { id: p.id })
            .await
            .unwrap()
            .processes
            .first()
            .map(|p| p.pid)
    })
    .await;
    engine.call(RestartProgram { id: p.id }).await.unwrap();
    expect_event(&mut events, EventKind::ProgramRestarted, p.id).await;
    let second = until("a new pid", async || {
        let s = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
        s.processes
            .first()
            .map(|p| p.pid)
            .filter(|&pid| pid != first)
    })
    .await;
    assert!(!alive(first));
    engine.call(RemoveProgram { id: p.id }).await.unwrap();
    until("the removed program's process to end", async || {
        (!alive(second)).then_some(())
    })
    .await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_program_is_found_running_and_seen_gone() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let marker = format!("watched-{}", std::process::id());
    let p = engine
        .call(AddProgram {
            launch: false,
            match_by: MatchRule::Cmdline(marker.clone()),
            ..fixture("outside", &[])
        })
        .await
        .unwrap();
    let err = engine.call(StartProgram { id: p.id }).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "Vigil cannot start what it only watches"
    );
    let pid_file = dir.path().join("outside.pid");
    let mut outside = std::process::Command::new(fixture_path())
        .args(["pid-file", pid_file.to_str().unwrap(), "3600", &marker])
        .spawn()
        .unwrap();
    let found = expect_event(&mut events, EventKind::ProgramStarted, p.id).await;
    assert!(
        found.message.contains(&outside.id().to_string()),
        "{}",
        found.message
    );
    let status = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
    assert_eq!(status.state, ProgramState::Running);
    outside.kill().unwrap();
    outside.wait().unwrap();
    let gone = expect_event(&mut events, EventKind::ProgramStopped, p.id).await;
    assert!(
        gone.message.contains("no longer running"),
        "{}",
        gone.message
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_executable_fails_to_start_with_a_clear_event() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let copy = dir
        .path()
        .join(format!("doomed{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(fixture_path(), &copy).unwrap();
    let p = engine
        .call(AddProgram {
            path: copy.display().to_string(),
            ..fixture("doomed", &["sleep", "1"])
        })
        .await
        .unwrap();
    std::fs::remove_file(&copy).unwrap();
    let err = engine.call(StartProgram { id: p.id }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
    assert!(err.message.contains("could not start"), "{err}");
    expect_event(&mut events, EventKind::ProgramStartFailed, p.id).await;
    let status = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
    assert_eq!(status.state, ProgramState::Errored);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_thresholds_logs_and_export_come_from_real_measurements() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    let p = engine
        .call(AddProgram {
            limits: Limits {
                memory_mb: Some(8),
                sustain_secs: 1,
                ..Limits::default()
            },
            ..fixture("grower", &["grow", "16", "32"])
        })
        .await
        .unwrap();
    let from = now_ms() - 1_000;
    engine.call(StartProgram { id: p.id }).await.unwrap();
    let exceeded = expect_event(&mut events, EventKind::ThresholdExceeded, p.id).await;
    assert!(exceeded.message.contains("memory"), "{}", exceeded.message);
    let buckets = until("flushed samples", async || {
        let b = engine
            .call(GetSamples {
                id: p.id,
                from,
                to: now_ms() + 1_000,
                points: Some(50),
            })
            .await
            .unwrap();
        (b.len() >= 3).then_some(b)
    })
    .await;
    assert!(buckets.len() <= 50, "never more buckets than asked for");
    let peak = buckets.iter().map(|b| b.mem_max).max().unwrap();
    assert!(
        peak >= 16 * 1024 * 1024,
        "the grower's memory was measured: {peak} bytes"
    );
    assert!(
        buckets.windows(2).all(|w| w[0].ts < w[1].ts),
        "buckets are in time order"
    );

    // Export streams CSV with a header and one row per stored sample.
    let mut rx = engine
        .export(ExportRequest {
            id: p.id,
            kind: ExportKind::Samples,
            format: ExportFormat::Csv,
            from,
            to: now_ms() + 1_000,
        })
        .await
        .unwrap();
    let mut csv = String::new();
    while let Some(chunk) = rx.recv().await {
        csv.push_str(&chunk.unwrap());
    }
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("ts,cpu_percent,memory_bytes"));
    assert!(lines.count() >= 1, "{csv}");

    // Bad ranges are refused.
    let err = engine
        .call(GetSamples {
            id: p.id,
            from: 10,
            to: 5,
            points: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = engine
        .call(GetSamples {
            id: 999,
            from: 0,
            to: 5,
            points: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    engine.stop().await;

    // Everything flushed at stop survives a restart.
    let engine = start(&dir).await;
    let after = engine
        .call(GetSamples {
            id: p.id,
            from,
            to: now_ms(),
            points: Some(50),
        })
        .await
        .unwrap();
    assert!(
        after.len() >= buckets.len(),
        "flushed history is kept across restarts"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autostart_programs_start_with_vigil_and_a_memory_limit_can_restart_one() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let p = engine
        .call(AddProgram {
            autostart: true,
            limits: Limits {
                memory_mb: Some(8),
                sustain_secs: 1,
                restart_on_memory: true,
                ..Limits::default()
            },
            ..fixture("hungry", &["grow", "16", "32"])
        })
        .await
        .unwrap();
    engine.stop().await;
    // Next start of Vigil: the program comes up by itself, grows past its limit and is
    // restarted for it.
    let engine = start(&dir).await;
    let mut events = engine.subscribe(0);
    expect_event(&mut events, EventKind::ProgramStarted, p.id).await;
    expect_event(&mut events, EventKind::ThresholdExceeded, p.id).await;
    expect_event(&mut events, EventKind::ProgramRestarted, p.id).await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_can_be_followed_live() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let p = engine
        .call(fixture("talker", &["print", "30", "20"]))
        .await
        .unwrap();
    let mut live = engine.follow_log(p.id).unwrap();
    engine.call(StartProgram { id: p.id }).await.unwrap();
    let line = tokio::time::timeout(DEADLINE, live.recv())
        .await
        .unwrap()
        .unwrap();
    let (stamp, text) = line.split_once(' ').unwrap();
    assert_eq!(text, "line 1", "lines arrive as they are printed");
    let at = chrono::DateTime::parse_from_rfc3339(stamp).expect("stamped with the time it arrived");
    assert!((at.timestamp_millis() - now_ms()).abs() < 60_000, "{stamp}");
    let err = engine.follow_log(999).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    engine.stop().await;
}
