//! System test: the real `vigil daemon` binary in a temp data dir, driven over HTTP and the CLI.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

mod common;

use common::{BIN, DEADLINE, Daemon, json_of, wait_for};

fn program_json(name: &str) -> Value {
    json!({ "name": name, "path": BIN, "args": ["--version", "a b"] })
}

/// Reads SSE records from a response until `n` events arrived; returns (id, data) pairs.
async fn read_events(resp: reqwest::Response, n: usize) -> Vec<(i64, Value)> {
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let read = async {
        while out.len() < n {
            let chunk = body.next().await.expect("stream open").expect("stream ok");
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let record: String = buf.drain(..end + 2).collect();
                let mut id = None;
                let mut data = None;
                for line in record.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = serde_json::from_str(v.trim()).ok();
                    }
                }
                if let (Some(id), Some(data)) = (id, data) {
                    out.push((id, data));
                }
            }
        }
    };
    tokio::time::timeout(DEADLINE, read)
        .await
        .expect("events arrive in time");
    out
}

// Multi-threaded: helpers such as `wait_for` block their thread, and the in-process receivers
// must keep serving meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_serves_the_api_with_auth_events_and_clean_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();

    // Health needs no token; everything else does.
    let (code, body) = json_of(http.get(daemon.url("/api/health")).send().await.unwrap()).await;
    assert_eq!((code, body), (200, json!({"ok": true})));
    let (code, body) = json_of(http.get(daemon.url("/api/status")).send().await.unwrap()).await;
    assert_eq!(code, 401, "no token, no status");
    assert_eq!(body["code"], "unauthorized");
    let wrong = http
        .get(daemon.url("/api/programs"))
        .bearer_auth("0".repeat(64));
    assert_eq!(
        wrong.send().await.unwrap().status(),
        401,
        "a wrong token is refused"
    );

    // Register one program.
    let (code, added) = daemon
        .post_json(&http, "/api/programs", &program_json("web"))
        .await;
    assert_eq!(code, 201, "{added}");
    assert_eq!(added["name"], "web");
    assert_eq!(added["args"], json!(["--version", "a b"]));
    let id = added["id"].as_i64().unwrap();

    // Bad input: clear errors, nothing stored.
    let bad = [
        (json!({"name": "", "path": BIN}), 400, "invalid_input"),
        (
            json!({"name": "x", "path": "relative/bin"}),
            400,
            "invalid_input",
        ),
        (
            json!({"name": "x", "path": "/no/such/file"}),
            400,
            "invalid_input",
        ),
        (json!({"name": "WEB", "path": BIN}), 409, "conflict"),
        (
            json!({"name": "x", "path": BIN, "argz": []}),
            400,
            "invalid_input",
        ),
    ];
    for (request, status, code) in bad {
        let (got, body) = daemon.post_json(&http, "/api/programs", &request).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{request} -> {body}"
        );
    }
    let malformed = daemon
        .authed(http.post(daemon.url("/api/programs")))
        .header("content-type", "application/json")
        .body("{\"name\": ");
    let (code, body) = json_of(malformed.send().await.unwrap()).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    let huge = json!({"name": "big", "path": BIN, "args": ["x".repeat(vigil_server::MAX_BODY)]});
    let (code, body) = daemon.post_json(&http, "/api/programs", &huge).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (413, Some("payload_too_large")),
        "{body}"
    );
    let (code, list) = daemon.get_json(&http, "/api/programs").await;
    assert_eq!(code, 200);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "refused requests stored nothing: {list}"
    );
    for (path, status) in [("/api/programs/9999", 404), ("/api/programs/abc", 400)] {
        let resp = daemon
            .authed(http.get(daemon.url(path)))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{path}");
    }
    let (code, got) = daemon.get_json(&http, &format!("/api/programs/{id}")).await;
    assert_eq!((code, &got), (200, &added));

    // Events over SSE: read up to the program_added, disconnect, miss one, resume with since.
    let resp = daemon
        .authed(http.get(daemon.url("/api/events?since=0")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let first = read_events(resp, 2).await;
    assert_eq!(first[0].1["kind"], "engine_started");
    assert_eq!(first[1].1["kind"], "program_added");
    assert_eq!(first[1].1["program_id"], id);
    let cursor = first[1].0;
    let (code, _) = daemon
        .post_json(&http, "/api/programs", &program_json("missed-while-away"))
        .await;
    assert_eq!(code, 201);
    let resp = daemon
        .authed(http.get(daemon.url(&format!("/api/events?since={cursor}"))))
        .send()
        .await
        .unwrap();
    let resumed = read_events(resp, 1).await;
    assert_eq!(
        resumed[0].0,
        cursor + 1,
        "resuming starts right after the cursor"
    );
    assert_eq!(resumed[0].1["kind"], "program_added");
    assert!(
        resumed[0].1["message"]
            .as_str()
            .unwrap()
            .contains("missed-while-away")
    );
    let resp = daemon
        .authed(http.get(daemon.url("/api/events?since=-4")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "a negative cursor is refused");

    // The CLI finds the daemon through the data dir.
    let out = Command::new(BIN)
        .args(["programs", "ls", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("web") && stdout.contains("missed-while-away"),
        "{stdout}"
    );
    let out = Command::new(BIN)
        .args(["status", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("programs: 2"));

    // The UI is served at / for browser mode.
    let resp = http.get(daemon.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    // Clean shutdown: exit 0, endpoint removed, engine_stopped persisted.
    let status = daemon.terminate();
    assert!(status.success(), "SIGTERM is a clean stop, got {status}");
    assert!(
        !dir.path().join("endpoint").exists(),
        "a stopped daemon must not advertise itself"
    );
    let daemon = Daemon::start(dir.path());
    let (_, events) = daemon.get_json(&http, "/api/status").await;
    assert_eq!(events["programs"], 2, "data survives a restart");
    let resp = daemon
        .authed(http.get(daemon.url(&format!("/api/events?since={}", cursor + 1))))
        .send()
        .await
        .unwrap();
    let after = read_events(resp, 2).await;
    assert_eq!(
        after[0].1["kind"], "engine_stopped",
        "the stop was recorded before exit"
    );
    assert_eq!(after[1].1["kind"], "engine_started");
    drop(daemon);
}

#[test]
fn client_commands_explain_a_missing_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["status", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Vigil is not running"), "{err}");
    assert!(err.contains("desktop app"), "says what to start: {err}");

    // An endpoint file left by a Vigil that died: nothing answers there.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = gone.local_addr().unwrap();
    drop(gone);
    std::fs::write(dir.path().join("endpoint"), format!("{addr}\n")).unwrap();
    std::fs::write(dir.path().join("api-token"), "x").unwrap();
    let out = Command::new(BIN)
        .args(["programs", "ls", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing answers at"), "{err}");
}

#[test]
fn settings_are_read_and_changed_from_the_cli_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let vigil = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = vigil(&["settings", "get", "sweep_ms"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1000");
    let out = vigil(&[
        "settings",
        "set",
        "sweep_ms=2000",
        "retention.event_days=7",
        "port=7999",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("changed: sweep_ms, retention, port"),
        "{said}"
    );
    assert!(said.contains("starts again: port"), "{said}");
    let out = vigil(&["settings", "get", "retention.event_days"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "7");
    for bad in [
        &["settings", "set", "sweep_ms=5"][..],
        &["settings", "set", "nope=1"],
        &["settings", "set", "sweep_ms"],
        &["settings", "get", "nope"],
    ] {
        let out = vigil(bad);
        assert!(!out.status.success(), "{bad:?} was accepted");
        assert!(!out.stderr.is_empty(), "{bad:?} says why");
    }
    let out = vigil(&["settings", "get"]);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all["sweep_ms"], 2000, "the refused changes changed nothing");
    assert_eq!(all["port"], 7999);
    drop(daemon);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_lan_access_off_only_this_pc_connects_and_with_it_on_the_token_is_still_needed() {
    let Some(lan) = vigil_server::lan_address() else {
        eprintln!("this machine has no network address; nothing to check");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Started without --listen, the daemon listens where the settings say.
    let start = |dir: &std::path::Path| {
        let _ = std::fs::remove_file(dir.join("endpoint"));
        let child = Command::new(BIN)
            .args(["daemon", "--data-dir"])
            .arg(dir)
            .env("VIGIL_LOG", "warn")
            .spawn()
            .unwrap();
        let endpoint = wait_for("the endpoint file", || {
            std::fs::read_to_string(dir.join("endpoint")).ok()
        });
        (child, endpoint.trim().to_owned())
    };
    let http = reqwest::Client::new();
    let daemon = Daemon::start(dir.path());
    let resp = daemon
        .authed(http.put(daemon.url("/api/settings")))
        .json(&serde_json::json!({ "port": port }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    drop(daemon);

    let (mut child, endpoint) = start(dir.path());
    assert_eq!(
        endpoint,
        format!("127.0.0.1:{port}"),
        "LAN is off by default"
    );
    assert!(
        tokio::net::TcpStream::connect((lan, port)).await.is_err(),
        "LAN off: {lan}:{port} must not answer"
    );
    let token = std::fs::read_to_string(dir.path().join("api-token")).unwrap();
    let token = token.trim();
    let change: Value = http
        .put(format!("http://{endpoint}/api/settings"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "allow_lan": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(change["restart_needed"], serde_json::json!(["allow_lan"]));
    stop(&mut child);

    let (mut child, endpoint) = start(dir.path());
    assert_eq!(endpoint, format!("0.0.0.0:{port}"));
    let from_lan = format!("http://{lan}:{port}/api/status");
    let bare = http.get(&from_lan).send().await.unwrap();
    assert_eq!(bare.status(), 401, "the token is still needed");
    let ok = http.get(&from_lan).bearer_auth(token).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    // The CLI finds a daemon listening on every interface through loopback.
    let out = Command::new(BIN)
        .args(["status", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop(&mut child);
}

/// Stops a daemon started here (SIGTERM, then waits).
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    #[cfg(windows)]
    {
        let _ = child.kill();
    }
    let _ = child.wait();
}

#[test]
fn a_second_daemon_on_a_taken_port_fails_clearly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["daemon", "--listen", &addr, "--data-dir"])
        .arg(dir.path())
        .env("VIGIL_LOG", "error")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
    assert!(!dir.path().join("endpoint").exists());
}

// Multi-threaded: helpers such as `wait_for` block their thread, and the in-process receivers
// must keep serving meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_are_started_watched_and_their_history_served_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();
    let nowhere = dir.path().join("nowhere");
    // A real program that prints a line to stderr and exits with 1: the vigil CLI itself,
    // asking for a daemon that does not exist.
    let request = json!({
        "name": "failing-client",
        "path": BIN,
        "args": ["status", "--data-dir", nowhere.display().to_string()],
        "restart": { "mode": "never" },
        "tags": ["system-test"],
    });
    let (code, p) = daemon.post_json(&http, "/api/programs", &request).await;
    assert_eq!(code, 201, "{p}");
    assert_eq!(p["restart"]["mode"], "never", "options are stored as sent");
    assert_eq!(p["tags"], json!(["system-test"]));
    let id = p["id"].as_i64().unwrap();
    let events = daemon
        .authed(http.get(daemon.url("/api/events?since=0")))
        .send()
        .await
        .unwrap();
    let (code, status) = json_of(
        daemon
            .authed(http.post(daemon.url(&format!("/api/programs/{id}/start"))))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{status}");
    // engine_started, program_added, program_started, program_crashed.
    let seen = read_events(events, 4).await;
    let crash = &seen[3].1;
    assert_eq!(crash["kind"], "program_crashed", "{seen:?}");
    assert!(
        crash["message"].as_str().unwrap().contains("code 1"),
        "{crash}"
    );
    assert!(
        crash["detail"]
            .as_str()
            .unwrap()
            .contains("Vigil is not running"),
        "the crash carries the program's last output: {crash}"
    );
    let (_, lines) = daemon
        .get_json(&http, &format!("/api/programs/{id}/logs?lines=10"))
        .await;
    assert!(
        lines
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("[stderr]")),
        "{lines}"
    );
    let (_, statuses) = daemon.get_json(&http, "/api/programs/status").await;
    assert_eq!(statuses[0]["program_id"], id);
    assert_eq!(statuses[0]["state"], "stopped");
    assert_eq!(statuses[0]["last_exit"], "exited with code 1");

    // History: valid queries answer, bad ones are refused with invalid_input.
    let now = vigil_engine::now_ms();
    let ok = daemon
        .authed(http.get(daemon.url(&format!(
            "/api/programs/{id}/samples?from={}&to={now}",
            now - 3_600_000
        ))))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    for bad in [
        format!("/api/programs/{id}/samples?from=abc&to=5"),
        format!("/api/programs/{id}/samples?from=10&to=5"),
        format!("/api/programs/{id}/samples?from=0&to=5&points=0"),
        format!("/api/programs/{id}/export?kind=bogus&format=csv&from=0&to=5"),
        format!("/api/programs/{id}/logs?lines=0"),
    ] {
        let (code, body) = daemon.get_json(&http, &bad).await;
        assert_eq!(
            (code, body["code"].as_str()),
            (400, Some("invalid_input")),
            "{bad}: {body}"
        );
    }
    let export = daemon
        .authed(http.get(daemon.url(&format!(
            "/api/programs/{id}/export?kind=events&format=jsonl&from=0&to={}",
            now + 60_000
        ))))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert_eq!(export.headers()["content-type"], "application/x-ndjson");
    let text = export.text().await.unwrap();
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        ["program_added", "program_started", "program_crashed"],
        "{text}"
    );

    // Unknown ids and programs Vigil only watches get clear errors.
    let resp = daemon
        .authed(http.post(daemon.url("/api/programs/9999/start")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let (code, watched) = daemon
        .post_json(
            &http,
            "/api/programs",
            &json!({"name": "watched", "path": BIN, "launch": false}),
        )
        .await;
    assert_eq!(code, 201);
    let (code, body) = json_of(
        daemon
            .authed(http.post(daemon.url(&format!("/api/programs/{}/stop", watched["id"]))))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A watched program's stop must name the processes a person confirmed.
    assert_eq!(
        (code, body["code"].as_str(), body["field"].as_str()),
        (400, Some("invalid_input"), Some("pids")),
        "{body}"
    );
    assert!(daemon.terminate().success());
}

// Multi-threaded: helpers such as `wait_for` block their thread, and the in-process receivers
// must keep serving meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_are_saved_run_and_listed_over_http_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| daemon.authed(http.post(daemon.url(path))).json(&body);
    let nowhere = dir.path().join("nowhere").display().to_string();

    // Bad definitions are refused and nothing is stored.
    for (body, needle) in [
        (
            json!({"id": "x", "name": "x", "command": BIN, "schedule": "61 * * * *"}),
            "schedule",
        ),
        (
            json!({"id": "x", "name": "x", "command": BIN, "timezone": "Atlantis/Capital"}),
            "timezone",
        ),
        (
            json!({"id": "x", "name": "x", "command": BIN, "depends_on": ["ghost"]}),
            "ghost",
        ),
        (json!({"id": "x", "name": "x"}), "command"),
    ] {
        let (code, err) = json_of(post("/api/jobs", body.clone()).send().await.unwrap()).await;
        assert_eq!(
            (code, err["code"].as_str()),
            (400, Some("invalid_input")),
            "{body}: {err}"
        );
        assert!(err["message"].as_str().unwrap().contains(needle), "{err}");
    }
    let (_, jobs) = daemon.get_json(&http, "/api/jobs").await;
    assert_eq!(jobs, json!([]));

    let version = json!({"id": "version", "name": "Version", "command": BIN, "args": ["--version"],
                         "schedule": "0 0 3 * * *", "timezone": "Asia/Seoul"});
    let (code, saved) = json_of(post("/api/jobs", version).send().await.unwrap()).await;
    assert_eq!(code, 201, "{saved}");
    let failing = json!({"id": "failing", "name": "Failing", "command": BIN,
                         "args": ["status", "--data-dir", nowhere]});
    assert_eq!(
        post("/api/jobs", failing).send().await.unwrap().status(),
        201
    );
    let mismatched = json!({"id": "other", "name": "x", "command": BIN});
    let resp = daemon
        .authed(http.put(daemon.url("/api/jobs/version")))
        .json(&mismatched)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "the body's id must match the path");

    // The CLI runs a job, streams its output and exits with the run's code.
    let out = Command::new(BIN)
        .args(["run", "version", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("vigil"),
        "the job's output is streamed"
    );
    let out = Command::new(BIN)
        .args(["run", "failing", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the run's exit code becomes the CLI's"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Vigil is not running"),
        "stderr goes to stderr"
    );
    let out = Command::new(BIN)
        .args(["run", "version", "--opt", "nope=1", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no option \"nope\""));

    // History, filters, output, dashboard, preview.
    let (_, runs) = daemon
        .get_json(&http, "/api/runs?job=failing&status=failed")
        .await;
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["exit_code"], 1);
    let id = runs[0]["id"].as_i64().unwrap();
    let text = daemon
        .authed(http.get(daemon.url(&format!("/api/runs/{id}/output"))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains(" err "), "{text}");
    let (code, body) = daemon.get_json(&http, "/api/runs?status=bogus").await;
    assert_eq!((code, body["code"].as_str()), (400, Some("invalid_input")));
    let (code, body) = json_of(
        post(&format!("/api/runs/{id}/cancel"), json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (code, body["code"].as_str()),
        (409, Some("conflict")),
        "an ended run cannot be cancelled"
    );
    let (_, dash) = daemon.get_json(&http, "/api/jobs/dashboard").await;
    assert_eq!(dash["succeeded_today"], 1);
    assert_eq!(dash["failed_today"], 1);
    assert_eq!(dash["next"][0]["job_id"], "version");
    let (code, fires) = json_of(
        daemon
            .authed(http.get(daemon.url(
                "/api/schedule/preview?schedule=0%200%203%20*%20*%20*&timezone=Asia/Seoul&count=3",
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(fires.as_array().unwrap().len(), 3);
    let resp = daemon
        .authed(http.post(daemon.url("/api/jobs/ghost/run")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = daemon
        .authed(http.post(daemon.url("/api/jobs/version/run")))
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let out = Command::new(BIN)
        .args(["runs", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        2,
        "two recorded runs"
    );
    let resp = daemon
        .authed(http.delete(daemon.url("/api/jobs/failing")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let out = Command::new(BIN)
        .args(["jobs", "ls", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("version") && !listed.contains("failing"),
        "{listed}"
    );
    assert!(daemon.terminate().success());
}

/// A webhook receiver on a given address that records each request's idempotency key when it
/// arrives, then answers after `delay` (a slow receiver keeps deliveries in flight).
async fn receiver(
    addr: std::net::SocketAddr,
    delay: std::sync::Arc<std::sync::Mutex<Duration>>,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let keys: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let seen = keys.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let (seen, delay) = (seen.clone(), delay.clone());
        async move {
            let key = headers["idempotency-key"].to_str().unwrap().to_owned();
            seen.lock().unwrap().push(key);
            let wait = *delay.lock().unwrap();
            tokio::time::sleep(wait).await;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    keys
}

// Multi-threaded: helpers such as `wait_for` block their thread, and the in-process receivers
// must keep serving meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_a_killed_daemon_and_arrive_at_least_once() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let addr = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let delay = std::sync::Arc::new(std::sync::Mutex::new(Duration::from_secs(60)));
    let keys = receiver(addr, delay.clone()).await;
    let mut daemon = Daemon::start(dir.path());
    let endpoint = daemon
        .create(
            &http,
            "/api/endpoints",
            &json!({"name": "slow", "url": format!("http://{addr}/hook"),
                    "timeout_ms": 120000, "backoff_ms": 100, "max_attempts": 50}),
        )
        .await;
    daemon
        .create(
            &http,
            "/api/rules",
            &json!({"name": "saved", "kinds": ["job_saved"], "endpoints": [endpoint["id"]],
                    "fold_secs": 0}),
        )
        .await;
    for i in 0..20 {
        daemon
            .create(
                &http,
                "/api/jobs",
                &json!({"id": format!("j{i}"), "name": "j", "command": BIN}),
            )
            .await;
    }
    wait_for("deliveries in flight at the receiver", || {
        (keys.lock().unwrap().len() >= 5).then_some(())
    });
    // SIGKILL: no clean shutdown, no chance to record anything.
    let mut child = daemon.child.take().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let in_flight_at_kill = keys.lock().unwrap().len();
    *delay.lock().unwrap() = Duration::ZERO;

    let daemon = Daemon::start(dir.path());
    let waiting = Instant::now();
    let delivered = loop {
        let (_, all) = daemon
            .get_json(&http, "/api/deliveries?status=delivered&limit=1000")
            .await;
        if all.as_array().unwrap().len() == 20 {
            break all;
        }
        assert!(
            waiting.elapsed() < DEADLINE,
            "not every delivery arrived after the restart: {all}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut want: Vec<String> = delivered
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["idempotency_key"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    let mut got = keys.lock().unwrap().clone();
    let received = got.len();
    got.sort();
    got.dedup();
    assert_eq!(
        got, want,
        "every delivery arrived, and repeats carried a key the receiver had already seen"
    );
    assert!(
        received > 20 && in_flight_at_kill >= 5,
        "the deliveries in flight at the kill were sent again ({received} requests for 20)"
    );
    let (_, pending) = daemon
        .get_json(&http, "/api/deliveries?status=pending")
        .await;
    assert_eq!(pending, json!([]));
    let (code, err) = daemon.get_json(&http, "/api/deliveries?status=lost").await;
    assert_eq!((code, err["code"].as_str()), (400, Some("invalid_input")));
}

// Multi-threaded: helpers such as `wait_for` block their thread, and the in-process receivers
// must keep serving meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_triggers_run_a_job_only_with_a_valid_token() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();
    let (code, _) = daemon
        .post_json(
            &http,
            "/api/jobs",
            &json!({"id": "hooked", "name": "Hooked", "command": BIN, "args": ["--version"],
                    "options": [{"name": "mode", "type": "select", "choices": ["a", "b"]}]}),
        )
        .await;
    assert_eq!(code, 201);
    let (code, created) = daemon
        .post_json(&http, "/api/jobs/hooked/triggers", &json!({"name": "ci"}))
        .await;
    assert_eq!(code, 201, "{created}");
    let token = created["secret"].as_str().unwrap().to_owned();
    let hook = |job: &str| http.post(daemon.url(&format!("/hooks/jobs/{job}")));
    let good = json!({"options": {"mode": "a"}});
    for (req, status, code) in [
        (hook("hooked").json(&good), 401, "unauthorized"),
        (
            hook("hooked").bearer_auth(&daemon.token).json(&good),
            401,
            "unauthorized",
        ),
        (
            hook("ghost").bearer_auth(&token).json(&good),
            404,
            "not_found",
        ),
        (
            hook("hooked")
                .bearer_auth(&token)
                .json(&json!({"options": {"mode": "z"}})),
            400,
            "invalid_input",
        ),
        (
            hook("hooked").bearer_auth(&token).body("{nope"),
            400,
            "invalid_input",
        ),
        (
            hook("hooked")
                .bearer_auth(&token)
                .body(" ".repeat(70 * 1024)),
            413,
            "payload_too_large",
        ),
    ] {
        let (got, err) = json_of(req.send().await.unwrap()).await;
        assert_eq!((got, err["code"].as_str()), (status, Some(code)), "{err}");
    }
    let (_, runs) = daemon.get_json(&http, "/api/runs").await;
    assert_eq!(runs, json!([]), "refused requests leave no run");
    let (code, accepted) = json_of(
        hook("hooked")
            .header("X-Vigil-Token", &token)
            .json(&good)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 202, "{accepted}");
    let (_, run) = daemon
        .get_json(&http, &format!("/api/runs/{}", accepted["run_id"]))
        .await;
    assert_eq!(run["trigger"], "webhook");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_daemon_on_a_taken_data_dir_exits_at_once_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let first = Daemon::start(dir.path());
    let out = Command::new(BIN)
        .args(["daemon", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("VIGIL_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the vigil binary starts");
    assert!(!out.status.success(), "the second daemon must not run");
    let err = String::from_utf8_lossy(&out.stderr);
    let pid = first.child.as_ref().unwrap().id().to_string();
    let address = first.base.trim_start_matches("http://").to_owned();
    assert!(
        err.contains("in use")
            && err.contains(&pid)
            && err.contains("daemon")
            && err.contains(&address),
        "the refusal names the holder's kind, pid and address: {err}"
    );
    // The first one was not disturbed: its endpoint file and token are still its own.
    let endpoint = std::fs::read_to_string(dir.path().join("endpoint")).unwrap();
    assert_eq!(endpoint.trim(), address);
    let (status, _) = first.get_json(&reqwest::Client::new(), "/api/status").await;
    assert_eq!(status, 200, "the first daemon still answers");
    assert!(first.terminate().success());
}

/// A watched program's stop from the CLI shows what it would end and ends nothing without
/// `--pid` or `--yes`; with `--pid` it ends exactly that process.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_stops_a_watched_program_only_by_confirmed_pid() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();
    let marker = format!("cli-watched-{}", std::process::id());
    let mut outside = Command::new("/usr/bin/python3")
        .args(["-c", "import time; time.sleep(3600)", &marker])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = outside.id();
    let p = daemon
        .create(
            &http,
            "/api/programs",
            &json!({"name": "outside", "path": "/usr/bin/python3", "launch": false,
                    "match_by": {"by": "cmdline", "value": marker}}),
        )
        .await;
    let id = p["id"].as_i64().unwrap().to_string();
    let status = format!("/api/programs/{id}/status");
    let started = Instant::now();
    loop {
        let (_, s) = daemon.get_json(&http, &status).await;
        if s["processes"][0]["pid"] == pid {
            break;
        }
        if started.elapsed() > DEADLINE {
            // What the rule matches in a fresh read, and what the process shows: which of the
            // monitor and the process is behind.
            let (_, preview) = daemon
                .get_json(
                    &http,
                    &format!("/api/programs/match?by=cmdline&value={marker}"),
                )
                .await;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            panic!(
                "the watched process was never found: {s}\npreview: {preview}\n/proc cmdline: {:?}",
                String::from_utf8_lossy(&cmdline)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let vigil = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = vigil(&["programs", "stop", &id]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&pid.to_string()) && said.contains(&marker),
        "{said}"
    );
    assert!(said.contains("Nothing was ended"), "{said}");
    assert!(outside.try_wait().unwrap().is_none(), "still running");
    let out = vigil(&["programs", "stop", &id, "--pid", &pid.to_string()]);
    assert!(out.status.success(), "{out:?}");
    let started = Instant::now();
    while outside.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < DEADLINE,
            "the confirmed process was not ended"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(daemon);
}

/// The plugins folder, checks and actions from the CLI (the plugin is a shell script).
#[cfg(unix)]
#[tokio::test]
async fn plugins_and_checks_are_listed_and_run_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    // A Nagios plugin the way people install one: a folder with a manifest and a script.
    let folder = dir.path().join("plugins").join("always-critical");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("check.sh"),
        "#!/bin/sh\necho \"CRITICAL - $1 is down|up=0;;;0;1\"\nexit 2\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("plugin.json"),
        json!({"name": "always-critical", "version": "0.1", "kind": "check",
               "command": {"unix": ["sh", "./check.sh"]},
               "config": [{"name": "what", "type": "string", "default": "it"}]})
        .to_string(),
    )
    .unwrap();
    let refused = dir.path().join("plugins").join("half-written");
    std::fs::create_dir_all(&refused).unwrap();
    std::fs::write(refused.join("plugin.json"), r#"{"name": "half-written""#).unwrap();
    let daemon = Daemon::start(dir.path());
    let http = reqwest::Client::new();
    let vigil = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = vigil(&["plugins", "ls"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        said.contains("always-critical\t0.1\tcheck\tnagios"),
        "{said}"
    );
    assert!(
        said.contains("half-written\trefused: plugin.json is not a valid manifest"),
        "{said}"
    );
    let check = daemon
        .create(
            &http,
            "/api/checks",
            &json!({"name": "db", "probe": {"type": "plugin", "plugin": "always-critical",
                    "config": {"what": "the database"}}, "interval_secs": 3600}),
        )
        .await;
    let id = check["id"].as_i64().unwrap().to_string();
    let out = vigil(&["checks", "run", &id]);
    assert_eq!(out.status.code(), Some(2), "the Nagios code: {out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("CRITICAL: CRITICAL - the database is down"),
        "{said}"
    );
    assert!(said.contains("up = 0"), "{said}");
    let out = vigil(&["checks", "ls"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "{id}\tdb\tCRITICAL\tCRITICAL - the database is down"
        )),
        "{said}"
    );
    // A bad check over HTTP: refused with the field, nothing saved.
    let resp = http
        .post(daemon.url("/api/checks"))
        .bearer_auth(&daemon.token)
        .json(&json!({"name": "bad", "probe": {"type": "plugin", "plugin": "half-written"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["field"], "probe.plugin");
    let out = vigil(&["checks", "run", "999"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no check 999"),
        "{out:?}"
    );
    let out = vigil(&["actions", "ls"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no actions"),
        "{out:?}"
    );
    drop(daemon);
}
