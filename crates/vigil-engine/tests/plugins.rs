//! Plugins with real plugin processes (the fixture binary playing each kind of plugin, so this
//! also runs under Wine): answers, events on change only, health, failures contained and
//! retried, the tree killed at the timeout, the breaker, actions on events, built-in checks.
#![allow(clippy::unwrap_used)]

mod common;

use common::{alive, fixture_path, until};

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use vigil_core::{Action, Check, CheckStatus, Probe, ProgramHealth};
use vigil_engine::api::{
    AddProgram, BreakerState, CreateAction, CreateCheck, DeleteCheck, GetCheck, GetCheckMetrics,
    GetProgramStatus, ListActionRuns, ListCheckHistory, ListEvents, ListPlugins, RescanPlugins,
    RunAction, RunCheck, UpdateCheck,
};
use vigil_engine::{Engine, EngineConfig, ErrorCode, Event, EventKind};

async fn start(dir: &Path) -> Engine {
    let mut config = EngineConfig::new(dir);
    config.plugin_retry_delay = Duration::from_millis(20);
    config.plugin_breaker_cooldown = Duration::from_millis(400);
    Engine::start(config).await.unwrap()
}

/// Installs a plugin folder `name` in the data dir's plugins/ running the fixture.
fn install(dir: &Path, name: &str, kind: &str, protocol: &str, args: &[&str], config: Value) {
    let folder = dir.join("plugins").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let mut command: Vec<String> = vec![fixture_path()];
    command.extend(args.iter().map(|a| (*a).to_owned()));
    let manifest = json!({
        "name": name, "version": "1.0", "kind": kind, "protocol": protocol,
        "command": { "unix": command, "windows": command },
        "config": config, "timeout_secs": 5,
    });
    std::fs::write(folder.join("plugin.json"), manifest.to_string()).unwrap();
}

fn plugin_check(name: &str, plugin: &str, config: Value) -> Check {
    serde_json::from_value(json!({
        "name": name,
        "probe": { "type": "plugin", "plugin": plugin, "config": config },
        "interval_secs": 3600,
        "retries": 0,
    }))
    .unwrap()
}

async fn events(engine: &Engine, kinds: &[EventKind]) -> Vec<Event> {
    engine
        .call(ListEvents {
            since: 0,
            limit: None,
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| kinds.contains(&e.kind))
        .collect()
}

async fn rescan(engine: &Engine) {
    engine.call(RescanPlugins {}).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nagios_answers_make_health_and_events_only_on_a_change() {
    let dir = tempfile::tempdir().unwrap();
    // `say CODE LINE`: the code and the line come from the check's config, as arguments.
    install(
        dir.path(),
        "say",
        "check",
        "nagios",
        &["say"],
        json!([{ "name": "code", "type": "number" }, { "name": "line", "type": "string" }]),
    );
    let engine = start(dir.path()).await;
    let program = engine
        .call(AddProgram {
            name: "app".into(),
            path: fixture_path(),
            args: vec!["sleep".into(), "3600".into()],
            launch: false,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let health = async |engine: &Engine| {
        engine
            .call(GetProgramStatus { id: program.id })
            .await
            .unwrap()
            .health
    };
    assert_eq!(health(&engine).await, None, "no checks, no health");
    let mut check = plugin_check(
        "says",
        "say",
        json!({ "code": 0, "line": "OK - fine|t=1.5s;2;3 'disk c:'=40%" }),
    );
    check.program_id = Some(program.id);
    let check = engine.call(CreateCheck(check)).await.unwrap();
    assert_eq!(
        health(&engine).await,
        Some(ProgramHealth::Unknown),
        "not answered yet"
    );

    let r = engine.call(RunCheck { id: check.id }).await.unwrap();
    assert_eq!(
        (r.answer.status, r.answer.message.as_str(), r.attempts),
        (CheckStatus::Ok, "OK - fine", 1)
    );
    let labels: Vec<&str> = r.answer.metrics.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["t", "disk c:"]);
    assert_eq!(health(&engine).await, Some(ProgramHealth::Healthy));

    let set = async |code: i64, line: &str| {
        let mut c = engine.call(GetCheck { id: check.id }).await.unwrap().check;
        c.probe = Probe::Plugin {
            plugin: "say".into(),
            config: BTreeMap::from([
                ("code".to_owned(), json!(code)),
                ("line".to_owned(), json!(line)),
            ]),
        };
        engine.call(UpdateCheck(c)).await.unwrap();
        engine.call(RunCheck { id: check.id }).await.unwrap()
    };
    for _ in 0..2 {
        assert_eq!(
            set(2, "CRITICAL - down").await.answer.status,
            CheckStatus::Critical
        );
    }
    assert_eq!(health(&engine).await, Some(ProgramHealth::Unhealthy));
    assert_eq!(
        set(1, "WARNING - slow").await.answer.status,
        CheckStatus::Warning
    );
    assert_eq!(health(&engine).await, Some(ProgramHealth::Degraded));
    assert_eq!(set(0, "OK - back").await.answer.status, CheckStatus::Ok);
    let kinds = [
        EventKind::CheckCritical,
        EventKind::CheckWarning,
        EventKind::CheckRecovered,
        EventKind::CheckUnknown,
    ];
    let seen: Vec<EventKind> = events(&engine, &kinds)
        .await
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        seen,
        [
            EventKind::CheckCritical,
            EventKind::CheckWarning,
            EventKind::CheckRecovered
        ],
        "one event per change; the second CRITICAL and the first OK raise none"
    );
    let critical = &events(&engine, &[EventKind::CheckCritical]).await[0];
    assert_eq!(critical.program_id, Some(program.id));
    assert!(
        critical.message.contains("CRITICAL - down"),
        "{}",
        critical.message
    );

    // The log (newest first, paged) and the metrics.
    let history = engine
        .call(ListCheckHistory {
            id: check.id,
            before: None,
            limit: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].message, "OK - back");
    let older = engine
        .call(ListCheckHistory {
            id: check.id,
            before: Some(history[1].id),
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(older.len(), 3);
    let metrics = engine
        .call(GetCheckMetrics {
            id: check.id,
            from: None,
            to: None,
        })
        .await
        .unwrap();
    let t = metrics.iter().find(|m| m.label == "t").unwrap();
    assert_eq!((t.unit.as_str(), t.points[0].1), ("s", 1.5));

    // A restart keeps the latest answer: no event repeats.
    engine.stop().await;
    let engine = start(dir.path()).await;
    let view = engine.call(GetCheck { id: check.id }).await.unwrap();
    assert_eq!(view.latest.unwrap().answer.status, CheckStatus::Ok);
    assert_eq!(health(&engine).await, Some(ProgramHealth::Healthy));
    engine.call(RunCheck { id: check.id }).await.unwrap();
    assert_eq!(events(&engine, &kinds).await.len(), 3);
    engine.call(DeleteCheck { id: check.id }).await.unwrap();
    assert_eq!(health(&engine).await, None);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_plugins_are_contained_retried_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("state");
    let m = marker.display().to_string();
    install(
        dir.path(),
        "exit7",
        "check",
        "nagios",
        &["exit", "7"],
        json!([]),
    );
    install(
        dir.path(),
        "crash",
        "check",
        "nagios",
        &["abort"],
        json!([]),
    );
    install(
        dir.path(),
        "garbage",
        "check",
        "vigil",
        &["say", "0", "this is not json"],
        json!([]),
    );
    install(
        dir.path(),
        "flood",
        "check",
        "nagios",
        &["flood", "10"],
        json!([]),
    );
    // Speaks Vigil's protocol but never reads its stdin; the request is larger than a pipe.
    install(
        dir.path(),
        "deaf",
        "check",
        "vigil",
        &[
            "say",
            "0",
            r#"{"status":"warning","message":"did not listen"}"#,
        ],
        json!([{ "name": "blob", "type": "string" }]),
    );
    install(
        dir.path(),
        "hang",
        "check",
        "nagios",
        &["spawn-file", &m, "2"],
        json!([]),
    );
    install(
        dir.path(),
        "cannot-tell",
        "check",
        "nagios",
        &["say", "3", "UNKNOWN - cannot tell"],
        json!([]),
    );
    let engine = start(dir.path()).await;

    let run = async |name: &str, retries: u32, config: Value| {
        let mut c = plugin_check(name, name, config);
        c.retries = retries;
        c.timeout_secs = Some(2);
        let c = engine.call(CreateCheck(c)).await.unwrap();
        engine.call(RunCheck { id: c.id }).await.unwrap()
    };
    // Exit 3 is an answer (UNKNOWN), not a failure: no retry, no error.
    let r = run("cannot-tell", 2, json!({})).await;
    assert_eq!(
        (r.answer.status, r.attempts, r.error.as_deref()),
        (CheckStatus::Unknown, 1, None)
    );
    let r = run("exit7", 2, json!({})).await;
    assert_eq!(
        (r.answer.status, r.attempts),
        (CheckStatus::Unknown, 3),
        "retried twice"
    );
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .contains("exit code 7 is not a Nagios status"),
        "{r:?}"
    );
    // Retried: every attempt fails the same way, and a start that Wine refuses once (it did,
    // "os error 1359", in a CI run) does not decide the test; the answer is the last attempt's.
    let r = run("crash", 2, json!({})).await;
    assert_eq!(r.answer.status, CheckStatus::Unknown);
    // A Unix abort is a signal; on Windows it is an exit code (0xC0000409) outside 0..3.
    let why = r.error.clone().unwrap_or_default();
    assert!(
        why.contains("signal") || why.contains("not a Nagios status"),
        "{r:?}"
    );
    let r = run("garbage", 2, json!({})).await;
    assert!(
        r.error.as_deref().unwrap().contains("not valid JSON"),
        "{r:?}"
    );
    let r = run("flood", 0, json!({})).await;
    assert_eq!(
        (r.answer.status, r.answer.message.as_str()),
        (CheckStatus::Ok, "FLOOD OK")
    );
    let r = run("deaf", 0, json!({ "blob": "x".repeat(512 * 1024) })).await;
    assert_eq!(r.answer.status, CheckStatus::Warning, "{r:?}");

    // A plugin that hangs with children: killed at its timeout, with its whole tree.
    let r = run("hang", 0, json!({})).await;
    assert!(r.error.as_deref().unwrap().contains("timeout"), "{r:?}");
    let pids: Vec<u32> = std::fs::read_to_string(&marker)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    until("the plugin's children to be gone", async || {
        pids.iter().all(|p| !alive(*p)).then_some(())
    })
    .await;

    // Each failure was an UNKNOWN with an event; the answers were not.
    let unknown = events(&engine, &[EventKind::CheckUnknown]).await;
    assert_eq!(unknown.len(), 5, "{unknown:?}");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_plugin_rests_and_recovers_with_one_trial() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("fixed");
    let f = fixed.display().to_string();
    install(
        dir.path(),
        "flaky",
        "check",
        "nagios",
        &["fail-until", &f],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let check = engine
        .call(CreateCheck(plugin_check("flaky", "flaky", json!({}))))
        .await
        .unwrap();
    for _ in 0..5 {
        engine.call(RunCheck { id: check.id }).await.unwrap();
    }
    let opened = events(&engine, &[EventKind::PluginBreakerOpened]).await;
    assert_eq!(opened.len(), 1, "{opened:?}");
    let info = engine.call(ListPlugins {}).await.unwrap();
    let flaky = info.iter().find(|p| p.name == "flaky").unwrap();
    assert_eq!(
        (flaky.breaker, flaky.failures, flaky.checks),
        (BreakerState::Open, 5, 1)
    );
    let err = engine.call(RunCheck { id: check.id }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "resting: {err:?}");

    std::fs::write(&fixed, "yes").unwrap();
    let r = until("the rest to end and the trial to answer", async || {
        engine.call(RunCheck { id: check.id }).await.ok()
    })
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok);
    assert_eq!(
        events(&engine, &[EventKind::PluginBreakerClosed])
            .await
            .len(),
        1
    );
    let info = engine.call(ListPlugins {}).await.unwrap();
    let flaky = info.iter().find(|p| p.name == "flaky").unwrap();
    assert_eq!((flaky.breaker, flaky.failures), (BreakerState::Closed, 0));
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_check_on_its_interval_raises_an_event_per_change() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("flap");
    let s = state.display().to_string();
    install(
        dir.path(),
        "flap",
        "check",
        "nagios",
        &["flap", &s],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let mut check = plugin_check("flapper", "flap", json!({}));
    check.interval_secs = Some(1);
    let check = engine.call(CreateCheck(check)).await.unwrap();
    let changes = until("two downs and two ups", async || {
        let e = events(
            &engine,
            &[EventKind::CheckCritical, EventKind::CheckRecovered],
        )
        .await;
        (e.len() >= 4).then_some(e)
    })
    .await;
    for pair in changes.windows(2) {
        assert_ne!(
            pair[0].kind, pair[1].kind,
            "events alternate: one per change"
        );
    }
    let history = engine
        .call(ListCheckHistory {
            id: check.id,
            before: None,
            limit: None,
        })
        .await
        .unwrap();
    assert!(history.len() >= 4);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn critical_answers_in_a_row_restart_a_launched_program() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        "down",
        "check",
        "nagios",
        &["say", "2", "CRITICAL - stuck"],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let program = engine
        .call(AddProgram {
            name: "stuck".into(),
            path: fixture_path(),
            args: vec!["sleep".into(), "3600".into()],
            autostart: true,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let first = until("the program to run", async || {
        engine
            .call(GetProgramStatus { id: program.id })
            .await
            .unwrap()
            .processes
            .first()
            .map(|p| p.pid)
    })
    .await;
    let mut check = plugin_check("stuck-check", "down", json!({}));
    check.program_id = Some(program.id);
    check.restart_after = Some(2);
    let check = engine.call(CreateCheck(check)).await.unwrap();
    engine.call(RunCheck { id: check.id }).await.unwrap();
    assert!(alive(first), "one CRITICAL is not enough");
    engine.call(RunCheck { id: check.id }).await.unwrap();
    until("a restart with a new process", async || {
        let s = engine
            .call(GetProgramStatus { id: program.id })
            .await
            .unwrap();
        s.processes.first().filter(|p| p.pid != first).map(|_| ())
    })
    .await;
    assert!(!alive(first));
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_run_on_matching_events_with_the_event_as_their_request() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("actions.log");
    let l = log.display().to_string();
    install(
        dir.path(),
        "down",
        "check",
        "nagios",
        &["say", "2", "CRITICAL - down"],
        json!([]),
    );
    install(
        dir.path(),
        "recorder",
        "action",
        "vigil",
        &["record", &l],
        json!([{ "name": "tag", "type": "string" }]),
    );
    install(
        dir.path(),
        "failing",
        "action",
        "vigil",
        &["record", &l, "fail"],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let action = |name: &str, plugin: &str, kinds: Vec<EventKind>| -> Action {
        serde_json::from_value(json!({
            "name": name, "plugin": plugin, "config": { "tag": "hello" }, "kinds": kinds,
        }))
        .unwrap()
    };
    // An action cannot feed on its own failures; a check plugin is not an action; the config
    // follows the plugin's schema.
    let err = engine
        .call(CreateAction(action(
            "loop",
            "recorder",
            vec![EventKind::ActionFailed],
        )))
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("kinds"));
    let err = engine
        .call(CreateAction(action(
            "wrong",
            "down",
            vec![EventKind::CheckCritical],
        )))
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("plugin"));
    let mut bad = action("badcfg", "recorder", vec![EventKind::CheckCritical]);
    bad.config.insert("nope".into(), json!(1));
    let err = engine.call(CreateAction(bad)).await.unwrap_err();
    assert_eq!(err.field.as_deref(), Some("config.nope"));

    let rec = engine
        .call(CreateAction(action(
            "record",
            "recorder",
            vec![EventKind::CheckCritical],
        )))
        .await
        .unwrap();
    let mut failing = action("fails", "failing", vec![EventKind::CheckCritical]);
    failing.config.clear();
    let failing = engine.call(CreateAction(failing)).await.unwrap();
    let check = engine
        .call(CreateCheck(plugin_check("down", "down", json!({}))))
        .await
        .unwrap();
    engine.call(RunCheck { id: check.id }).await.unwrap();

    let runs = until("the recorder to run", async || {
        let r = engine
            .call(ListActionRuns {
                id: rec.id,
                limit: None,
            })
            .await
            .unwrap();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert!(runs[0].ok, "{runs:?}");
    let lines = std::fs::read_to_string(&log).unwrap();
    let request: Value =
        serde_json::from_str(lines.lines().find(|l| l.contains("\"record\"")).unwrap()).unwrap();
    assert_eq!(request["kind"], "action");
    assert_eq!(request["config"]["tag"], "hello");
    assert_eq!(request["event"]["kind"], "check_critical");
    assert_eq!(request["event"]["id"].as_i64(), runs[0].event_id);

    let failed = until("the failing action's event", async || {
        let e = events(&engine, &[EventKind::ActionFailed]).await;
        (!e.is_empty()).then_some(e)
    })
    .await;
    assert!(
        failed[0].message.contains("\"fails\""),
        "{}",
        failed[0].message
    );
    let runs = engine
        .call(ListActionRuns {
            id: failing.id,
            limit: None,
        })
        .await
        .unwrap();
    assert!(
        !runs[0].ok && runs[0].message.contains("critical"),
        "{runs:?}"
    );
    // Run now: a made-up event, logged without an event id.
    let tried = engine.call(RunAction { id: rec.id }).await.unwrap();
    assert!(tried.ok && tried.event_id.is_none(), "{tried:?}");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_plugins_and_checks_are_refused_with_the_reason_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        "say",
        "check",
        "nagios",
        &["say"],
        json!([{ "name": "code", "type": "number" }]),
    );
    install(
        dir.path(),
        "act",
        "action",
        "vigil",
        &["say", "0"],
        json!([]),
    );
    let broken = dir.path().join("plugins").join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("plugin.json"), "{ not json").unwrap();
    let engine = start(dir.path()).await;
    let info = engine.call(ListPlugins {}).await.unwrap();
    let b = info.iter().find(|p| p.name == "broken").unwrap();
    assert!(b.manifest.is_none() && b.error.as_deref().unwrap().contains("not a valid manifest"));

    let cases: Vec<(Value, ErrorCode, Option<&str>)> = vec![
        (
            json!({"name": "", "probe": {"type": "tcp", "host": "x", "port": 1}}),
            ErrorCode::InvalidInput,
            Some("name"),
        ),
        (
            json!({"name": "a", "probe": {"type": "plugin", "plugin": "missing"}}),
            ErrorCode::InvalidInput,
            Some("probe.plugin"),
        ),
        (
            json!({"name": "a", "probe": {"type": "plugin", "plugin": "act"}}),
            ErrorCode::InvalidInput,
            Some("probe.plugin"),
        ),
        (
            json!({"name": "a", "probe": {"type": "plugin", "plugin": "broken"}}),
            ErrorCode::InvalidInput,
            Some("probe.plugin"),
        ),
        (
            json!({"name": "a", "probe": {"type": "plugin", "plugin": "say", "config": {"code": "x"}}}),
            ErrorCode::InvalidInput,
            Some("probe.config.code"),
        ),
        (
            json!({"name": "a", "probe": {"type": "log_file", "path": "/x", "pattern": "(unclosed"}}),
            ErrorCode::InvalidInput,
            Some("probe.pattern"),
        ),
        (
            json!({"name": "a", "program_id": 999, "probe": {"type": "tcp", "host": "x", "port": 1}}),
            ErrorCode::InvalidInput,
            Some("program_id"),
        ),
        (
            json!({"name": "a", "probe": {"type": "http", "url": "file:///etc/passwd"}}),
            ErrorCode::InvalidInput,
            Some("probe.url"),
        ),
    ];
    for (body, code, field) in cases {
        let check: Check = serde_json::from_value(body.clone()).unwrap();
        let err = engine.call(CreateCheck(check)).await.unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (code, field),
            "{body}: {err:?}"
        );
    }
    assert!(
        engine
            .call(vigil_engine::api::ListChecks {})
            .await
            .unwrap()
            .is_empty(),
        "nothing was saved"
    );
    let ok: Check = serde_json::from_value(
        json!({"name": "Same", "probe": {"type": "tcp", "host": "x", "port": 1}}),
    )
    .unwrap();
    let saved = engine.call(CreateCheck(ok.clone())).await.unwrap();
    let mut twin = ok.clone();
    twin.name = "same".into();
    assert_eq!(
        engine.call(CreateCheck(twin)).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    let mut gone = saved.clone();
    gone.id = 999;
    assert_eq!(
        engine.call(UpdateCheck(gone)).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        engine.call(RunCheck { id: 999 }).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    // A plugin installed later is found by a rescan.
    install(
        dir.path(),
        "late",
        "check",
        "nagios",
        &["say", "0", "OK"],
        json!([]),
    );
    let c: Check = serde_json::from_value(
        json!({"name": "late", "probe": {"type": "plugin", "plugin": "late"}}),
    )
    .unwrap();
    assert!(engine.call(CreateCheck(c.clone())).await.is_err());
    rescan(&engine).await;
    engine.call(CreateCheck(c)).await.unwrap();
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_in_checks_answer_from_real_sockets_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 2048];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let (status, body) = if req.starts_with("GET /ok ") {
                    ("200 OK", "all systems go")
                } else {
                    ("503 Service Unavailable", "down")
                };
                let _ = sock
                    .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                    .await;
            });
        }
    });
    let check = async |name: &str, probe: Value| {
        let c: Check =
            serde_json::from_value(json!({"name": name, "probe": probe, "interval_secs": 3600}))
                .unwrap();
        let c = engine.call(CreateCheck(c)).await.unwrap();
        (c.id, engine.call(RunCheck { id: c.id }).await.unwrap())
    };
    let base = format!("http://127.0.0.1:{port}");
    let (_, r) = check(
        "web",
        json!({"type": "http", "url": format!("{base}/ok"), "body_contains": "systems go"}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert_eq!(r.answer.metrics[0].label, "time");
    let (_, r) = check(
        "web-text",
        json!({"type": "http", "url": format!("{base}/ok"), "body_contains": "nope"}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Critical);
    let (_, r) = check(
        "web-down",
        json!({"type": "http", "url": format!("{base}/down")}),
    )
    .await;
    assert!(
        r.answer.status == CheckStatus::Critical && r.answer.message.contains("503"),
        "{r:?}"
    );
    let (_, r) = check(
        "web-503",
        json!({"type": "http", "url": format!("{base}/down"), "expect_status": 503}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok);
    let (tcp, r) = check(
        "port",
        json!({"type": "tcp", "host": "127.0.0.1", "port": port}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok);
    server.abort();
    let _ = server.await;
    let r = until("the port to close", async || {
        let r = engine.call(RunCheck { id: tcp }).await.unwrap();
        (r.answer.status == CheckStatus::Critical).then_some(r)
    })
    .await;
    assert!(
        r.error.is_none(),
        "a refused connection is an answer, not a plugin failure"
    );

    let log = dir.path().join("app.log");
    std::fs::write(&log, "ERROR before we looked\n").unwrap();
    let (id, r) = check(
        "log",
        json!({"type": "log_file", "path": log.display().to_string(), "pattern": "ERR(OR)? \\d+"}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "only new lines count");
    std::fs::write(&log, "ERROR before we looked\nERROR 42 happened\n").unwrap();
    let r = engine.call(RunCheck { id }).await.unwrap();
    assert_eq!(r.answer.status, CheckStatus::Critical, "{r:?}");
    let r = engine.call(RunCheck { id }).await.unwrap();
    assert_eq!(r.answer.status, CheckStatus::Ok);

    let (_, r) = check("disk", json!({"type": "disk", "path": dir.path().display().to_string(), "warn_free_percent": 0, "crit_free_percent": 0})).await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    engine.stop().await;
}

/// Debian's monitoring-plugins, unmodified (the test command installs them).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitoring_plugins_work_unmodified() {
    let nagios = Path::new("/usr/lib/nagios/plugins");
    assert!(
        nagios.join("check_tcp").exists(),
        "monitoring-plugins-basic is not installed (cargo xtask test installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, exe: &str, config: Value| {
        let folder = dir.path().join("plugins").join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("plugin.json"),
            json!({"name": name, "version": "2.3", "kind": "check",
                   "command": {"unix": [nagios.join(exe).display().to_string()]}, "config": config})
            .to_string(),
        )
        .unwrap();
    };
    write(
        "tcp",
        "check_tcp",
        json!([{"name": "host", "type": "string", "flag": "-H", "default": "127.0.0.1"}, {"name": "port", "type": "number", "flag": "-p"}]),
    );
    write(
        "disk",
        "check_disk",
        json!([{"name": "warn", "type": "string", "flag": "-w"}, {"name": "crit", "type": "string", "flag": "-c"}, {"name": "path", "type": "string", "flag": "-p"}]),
    );
    write(
        "procs",
        "check_procs",
        json!([{"name": "warn", "type": "string", "flag": "-w"}, {"name": "crit", "type": "string", "flag": "-c"}]),
    );
    let engine = start(dir.path()).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let run = async |name: &str, plugin: &str, config: Value| {
        let c = engine
            .call(CreateCheck(plugin_check(name, plugin, config)))
            .await
            .unwrap();
        engine.call(RunCheck { id: c.id }).await.unwrap()
    };
    let r = run("tcp-up", "tcp", json!({"port": port})).await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert!(r.answer.message.starts_with("TCP OK"));
    assert_eq!(r.answer.metrics[0].label, "time");
    drop(listener);
    let r = run("tcp-down", "tcp", json!({"port": port})).await;
    assert_eq!(r.answer.status, CheckStatus::Critical, "{r:?}");
    let path = dir.path().display().to_string();
    let r = run(
        "disk-ok",
        "disk",
        json!({"warn": "0%", "crit": "0%", "path": path}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert!(!r.answer.metrics.is_empty());
    let r = run(
        "disk-full",
        "disk",
        json!({"warn": "100%", "crit": "100%", "path": path}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Critical, "{r:?}");
    let r = run("procs", "procs", json!({"warn": "1:", "crit": "1:"})).await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert_eq!(r.answer.metrics[0].label, "procs");
    engine.stop().await;
}

/// The example plugins shipped in `plugins/examples/`, installed as a person would (copied
/// into the plugins folder) and run through the engine. The PowerShell one runs only where
/// PowerShell is installed; elsewhere its manifest is still read and accepted.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_plugins_install_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/examples");
    for entry in std::fs::read_dir(&examples).unwrap().flatten() {
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let to = dir.path().join("plugins").join(entry.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(entry.path()).unwrap().flatten() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
    let engine = start(dir.path()).await;
    let info = engine.call(ListPlugins {}).await.unwrap();
    let mut names: Vec<&str> = info.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["disk-free", "event-log", "file-age", "http-json"]);
    assert!(info.iter().all(|p| p.error.is_none()), "{info:?}");

    let run = async |name: &str, plugin: &str, config: Value| {
        let c = engine
            .call(CreateCheck(plugin_check(name, plugin, config)))
            .await
            .unwrap();
        (c.id, engine.call(RunCheck { id: c.id }).await.unwrap())
    };
    // Nagios style (sh): a fresh file is OK, a missing one CRITICAL.
    let fresh = dir.path().join("fresh.txt");
    std::fs::write(&fresh, "x").unwrap();
    let (_, r) = run(
        "fresh",
        "file-age",
        json!({"path": fresh.display().to_string()}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert_eq!(r.answer.metrics[0].label, "age");
    let (_, r) = run(
        "missing",
        "file-age",
        json!({"path": dir.path().join("nope").display().to_string()}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Critical, "{r:?}");

    // Python, Vigil's protocol: a local page with and without the expected text.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello",
                    )
                    .await;
            });
        }
    });
    let url = format!("http://127.0.0.1:{port}/");
    let (_, r) = run(
        "page",
        "http-json",
        json!({"url": url, "expect_text": "hello"}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    assert!(
        r.answer
            .metrics
            .iter()
            .any(|m| m.label == "latency" && m.unit == "ms"),
        "{r:?}"
    );
    let (_, r) = run(
        "page-text",
        "http-json",
        json!({"url": url, "expect_text": "goodbye"}),
    )
    .await;
    assert_eq!(r.answer.status, CheckStatus::Critical, "{r:?}");
    server.abort();

    // The native action (sh, Vigil's protocol): each event it runs on becomes a line.
    let events_file = dir.path().join("events.log");
    let action: Action = serde_json::from_value(json!({
        "name": "log", "plugin": "event-log", "kinds": ["check_critical"],
        "config": {"file": events_file.display().to_string()}
    }))
    .unwrap();
    let action = engine.call(CreateAction(action)).await.unwrap();
    let ran = engine.call(RunAction { id: action.id }).await.unwrap();
    assert!(ran.ok, "{ran:?}");
    let written = std::fs::read_to_string(&events_file).unwrap();
    assert!(written.contains("check_critical"), "{written}");

    // PowerShell where it exists.
    let pwsh = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("pwsh").exists()));
    if pwsh {
        let (_, r) = run(
            "disk",
            "disk-free",
            json!({"drive": "/", "warn_percent": 0, "crit_percent": 0}),
        )
        .await;
        assert_eq!(r.answer.status, CheckStatus::Ok, "{r:?}");
    } else {
        eprintln!("pwsh is not installed: the PowerShell example was only read, not run");
    }
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_answers_are_logged_in_batches_and_none_is_lost_at_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        "fine",
        "check",
        "nagios",
        &["say", "0", "OK - fine|n=1"],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let mut check = plugin_check("steady", "fine", json!({}));
    check.interval_secs = Some(1);
    let check = engine.call(CreateCheck(check)).await.unwrap();
    // Count answers as they come (the view holds the latest), without reading the log.
    let mut seen = std::collections::BTreeSet::new();
    until("three scheduled answers", async || {
        if let Some(r) = engine.call(GetCheck { id: check.id }).await.unwrap().latest {
            seen.insert(r.ts);
        }
        (seen.len() >= 3).then_some(())
    })
    .await;
    engine.stop().await;
    let engine = start(dir.path()).await;
    let history = engine
        .call(ListCheckHistory {
            id: check.id,
            before: None,
            limit: None,
        })
        .await
        .unwrap();
    let logged: std::collections::BTreeSet<i64> = history.iter().map(|r| r.ts).collect();
    assert!(seen.is_subset(&logged), "seen {seen:?}, logged {logged:?}");
    assert!(
        events(
            &engine,
            &[EventKind::CheckRecovered, EventKind::CheckUnknown]
        )
        .await
        .is_empty()
    );
    engine.stop().await;
}

/// The hung-window check: on Windows it lists the top-level windows (a console fixture has
/// none, so it cannot tell); elsewhere it says it needs Windows. The verdict itself is tested
/// on its inputs in `plugins::builtin`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hung_window_check_reads_the_programs_windows_where_there_are_windows() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let program = engine
        .call(AddProgram {
            name: "gui".into(),
            path: fixture_path(),
            args: vec!["sleep".into(), "3600".into()],
            autostart: true,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    until("the program to run", async || {
        let s = engine
            .call(GetProgramStatus { id: program.id })
            .await
            .unwrap();
        (!s.processes.is_empty()).then_some(())
    })
    .await;
    let check: Check = serde_json::from_value(json!({
        "name": "responds", "program_id": program.id, "probe": {"type": "hung_window"}
    }))
    .unwrap();
    let check = engine.call(CreateCheck(check)).await.unwrap();
    let r = engine.call(RunCheck { id: check.id }).await.unwrap();
    assert_eq!(r.answer.status, CheckStatus::Unknown, "{r:?}");
    let want = if cfg!(windows) {
        "has no window"
    } else {
        "need Windows"
    };
    assert!(r.answer.message.contains(want), "{r:?}");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programs_checks_wait_for_it_to_run_and_one_run_of_a_check_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("hang-pids");
    let m = marker.display().to_string();
    install(
        dir.path(),
        "fine",
        "check",
        "nagios",
        &["say", "0", "OK - fine"],
        json!([]),
    );
    install(
        dir.path(),
        "hang",
        "check",
        "nagios",
        &["spawn-file", &m, "1"],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let program = engine
        .call(AddProgram {
            name: "later".into(),
            path: fixture_path(),
            args: vec!["sleep".into(), "3600".into()],
            autostart: false,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let mut check = plugin_check("of-later", "fine", json!({}));
    check.program_id = Some(program.id);
    check.interval_secs = Some(1);
    let check = engine.call(CreateCheck(check)).await.unwrap();
    // A standalone check on the same interval runs meanwhile: the scheduler is not idle.
    let mut other = plugin_check("standalone", "fine", json!({}));
    other.interval_secs = Some(1);
    let other = engine.call(CreateCheck(other)).await.unwrap();
    until("the standalone check to run twice", async || {
        let h = engine
            .call(ListCheckHistory {
                id: other.id,
                before: None,
                limit: None,
            })
            .await
            .unwrap();
        (h.len() >= 2).then_some(())
    })
    .await;
    let h = engine
        .call(ListCheckHistory {
            id: check.id,
            before: None,
            limit: None,
        })
        .await
        .unwrap();
    assert!(
        h.is_empty(),
        "a stopped program's check does not run: {h:?}"
    );
    engine
        .call(vigil_engine::api::StartProgram { id: program.id })
        .await
        .unwrap();
    until(
        "the program's check to run once it has run a while",
        async || {
            let h = engine
                .call(ListCheckHistory {
                    id: check.id,
                    before: None,
                    limit: None,
                })
                .await
                .unwrap();
            (!h.is_empty()).then_some(())
        },
    )
    .await;
    assert!(
        events(
            &engine,
            &[EventKind::CheckCritical, EventKind::CheckUnknown]
        )
        .await
        .is_empty()
    );

    // Run now while the same check runs: refused, the first goes on.
    let mut slow = plugin_check("slow", "hang", json!({}));
    slow.timeout_secs = Some(2);
    let slow = engine.call(CreateCheck(slow)).await.unwrap();
    let first = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.call(RunCheck { id: slow.id }).await })
    };
    until("the slow check to start", async || {
        marker.exists().then_some(())
    })
    .await;
    let err = engine.call(RunCheck { id: slow.id }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    let r = first.await.unwrap().unwrap();
    assert!(r.error.unwrap().contains("timeout"));
    engine
        .call(RunCheck { id: slow.id })
        .await
        .expect("free again once the first ended");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_whose_plugin_went_away_says_so_without_retries_or_blame() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        "gone",
        "check",
        "nagios",
        &["say", "0", "OK"],
        json!([]),
    );
    install(
        dir.path(),
        "act",
        "action",
        "vigil",
        &["say", "0", r#"{"status":"ok"}"#],
        json!([]),
    );
    let engine = start(dir.path()).await;
    let mut c = plugin_check("uses-gone", "gone", json!({}));
    c.retries = 3;
    let c = engine.call(CreateCheck(c)).await.unwrap();
    std::fs::remove_dir_all(dir.path().join("plugins").join("gone")).unwrap();
    rescan(&engine).await;
    let r = engine.call(RunCheck { id: c.id }).await.unwrap();
    assert_eq!(
        (r.answer.status, r.attempts),
        (CheckStatus::Unknown, 1),
        "{r:?}"
    );
    assert!(r.error.unwrap().contains("not installed"));
    assert!(
        events(&engine, &[EventKind::PluginBreakerOpened])
            .await
            .is_empty()
    );
    // Kinds an action can never see, and a restart of a program Vigil did not launch.
    for kind in ["engine_started", "engine_stopped"] {
        let a: Action =
            serde_json::from_value(json!({"name": "x", "plugin": "act", "kinds": [kind]})).unwrap();
        let err = engine.call(CreateAction(a)).await.unwrap_err();
        assert_eq!(err.field.as_deref(), Some("kinds"), "{kind}: {err:?}");
    }
    let watched = engine
        .call(AddProgram {
            name: "watched".into(),
            path: fixture_path(),
            launch: false,
            ..AddProgram::default()
        })
        .await
        .unwrap();
    let mut c = plugin_check("restart-watched", "act", json!({}));
    c.probe = Probe::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
        warn_ms: None,
    };
    c.program_id = Some(watched.id);
    c.restart_after = Some(2);
    let err = engine.call(CreateCheck(c)).await.unwrap_err();
    assert_eq!(err.field.as_deref(), Some("restart_after"), "{err:?}");
    engine.stop().await;
}
