//! The contract between the operation table and its front ends: every operation is served over
//! HTTP at its declared method and path, every listed non-operation route exists, the UI calls
//! every operation it should, and ids of any shape reach the engine intact.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::{Value, json};
use vigil_engine::api::OPERATIONS;
use vigil_engine::api::ops::Body;
use vigil_engine::{Engine, EngineConfig};
use vigil_server::{NOT_OPERATIONS, ServerConfig};

struct Served {
    base: String,
    token: String,
    http: reqwest::Client,
    engine: Engine,
    _dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(dir.path());
    config.kind = "test".into();
    let engine = Engine::start(config).await.unwrap();
    let bound = vigil_server::bind(
        engine.clone(),
        &ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_owned(),
            fallback_port: false,
        },
    )
    .await
    .unwrap();
    let base = format!("http://{}", bound.addr());
    tokio::spawn(bound.serve(std::future::pending()));
    let token = vigil_server::load_or_create_token(dir.path()).unwrap();
    Served {
        base,
        token,
        http: reqwest::Client::new(),
        engine,
        _dir: dir,
    }
}

impl Served {
    async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    }
}

/// Fields for an operation's path parameters (integer ids 1, text ids "x").
fn sample_args(op: &vigil_engine::api::ops::Operation) -> Value {
    let mut fields = serde_json::Map::new();
    for p in op.params() {
        let v = if p.text { json!("x") } else { json!(1) };
        fields.insert(p.name.to_owned(), v);
    }
    if let Body::Field(f) = op.body {
        fields.insert(f.to_owned(), json!({}));
    }
    Value::Object(fields)
}

fn route_missing(status: u16, body: &str) -> bool {
    status == 405 || (status == 404 && body.contains("no such API route"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_served_at_its_method_and_path() {
    let s = serve().await;
    let mut seen = HashSet::new();
    for op in OPERATIONS {
        assert!(seen.insert(op.name), "{} is declared twice", op.name);
        let call = op.to_http(&sample_args(op)).unwrap();
        let mut url = format!("/api{}", call.path);
        if !call.query.is_empty() {
            let q: Vec<String> = call.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let (status, body) = s.send(call.method.as_str(), &url, call.body.as_ref()).await;
        assert!(
            !route_missing(status, &body),
            "{} ({} {url}) has no route: {status} {body}",
            op.name,
            op.method.as_str()
        );
    }
    // Each method and path is one operation.
    let mut routes = HashSet::new();
    for op in OPERATIONS {
        assert!(
            routes.insert((op.method, op.route_path())),
            "{} shares its method and path with another operation",
            op.name
        );
    }
    s.engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listed_route_that_is_not_an_operation_exists() {
    let s = serve().await;
    for (method, path, why) in NOT_OPERATIONS {
        if *path == "/" {
            continue;
        }
        let path = path
            .replace("{id}", "1")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        // Streams would stay open: ask only for the head of the answer.
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = s
            .http
            .request(method, format!("{}{path}", s.base))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert_ne!(status, 405, "{path} ({why}) has no route for its method");
        if status == 404 {
            let body = resp.text().await.unwrap_or_default();
            assert!(
                !body.contains("no such API route"),
                "{path} ({why}) has no route"
            );
        }
    }
    s.engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_ids_of_any_shape_arrive_intact_and_bad_ids_are_refused() {
    let s = serve().await;
    let get_job = vigil_engine::api::ops::find("get_job").unwrap();
    for id in ["a b", "a/b", "100%", "ç☃", "?x=1&y", "#frag", "-"] {
        let call = get_job.to_http(&json!({ "id": id })).unwrap();
        let (status, body) = s.send("GET", &format!("/api{}", call.path), None).await;
        assert_eq!(status, 404, "{id:?}: {body}");
        let err: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{id:?}: {e}: {body}"));
        assert_eq!(
            err["message"],
            format!("no job {id:?}"),
            "the id arrived changed"
        );
    }
    for (path, needle) in [
        ("/api/programs/abc", "id must be an integer"),
        ("/api/programs/1.5/status", "id must be an integer"),
        ("/api/runs/99999999999999999999", "id must be an integer"),
        ("/api/programs?x=1&x=2", "given twice"),
        ("/api/runs?limit=-1", "invalid query"),
        ("/api/runs?status=exploded", "invalid query"),
    ] {
        let (status, body) = s.send("GET", path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains(needle), "{path}: {body}");
    }
    // A body that contradicts its path, a body that is not an object, bad JSON.
    for (method, path, body, needle) in [
        (
            "PUT",
            "/api/jobs/a",
            json!({"id": "b", "name": "x"}),
            "does not match",
        ),
        ("POST", "/api/jobs/a/run", json!([1, 2]), "JSON object"),
        (
            "POST",
            "/api/jobs/a/run",
            json!({"surprise": 1}),
            "unknown field",
        ),
        ("POST", "/api/programs", json!("text"), "JSON object"),
    ] {
        let (status, text) = s.send(method, path, Some(&body)).await;
        assert_eq!(status, 400, "{method} {path}: {text}");
        assert!(text.contains(needle), "{method} {path}: {text}");
    }
    let resp = s
        .http
        .post(format!("{}/api/programs", s.base))
        .bearer_auth(&s.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("invalid JSON body"));
    // Nothing was stored by any of the refused requests.
    let (_, programs) = s.send("GET", "/api/programs", None).await;
    assert_eq!(programs, "[]");
    s.engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_are_pushed_full_first_then_only_changes() {
    let s = serve().await;
    let exe = std::env::current_exe().unwrap().display().to_string();
    let (status, _) = s
        .send(
            "POST",
            "/api/programs",
            Some(&json!({"name": "watched", "path": exe, "launch": false})),
        )
        .await;
    assert_eq!(status, 201);
    let resp = s
        .http
        .get(format!("{}/api/programs/status/stream", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    use futures_util::StreamExt;
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let chunk = body.next().await.unwrap().unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(end) = buf.find("\n\n") {
                let record: String = buf.drain(..end + 2).collect();
                if let Some(data) = record.lines().find_map(|l| l.strip_prefix("data:")) {
                    return serde_json::from_str::<Value>(data.trim()).unwrap();
                }
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(first["full"], true, "{first}");
    assert_eq!(first["statuses"].as_array().unwrap().len(), 1, "{first}");
    s.engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_flags_and_the_auth_scheme_are_read_strictly_and_by_the_standard() {
    let s = serve().await;
    for path in [
        "/api/programs/1/logs?follow=1",
        "/api/programs/1/logs?follow=true&follow=false",
        "/api/runs/1/output?follow=yes",
        "/api/runs/1/output?follow=true&x=1",
    ] {
        let (status, body) = s.send("GET", path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
    // Without follow the log path is the tail_log operation (no such program here).
    let (status, body) = s
        .send("GET", "/api/programs/1/logs?follow=false&lines=5", None)
        .await;
    assert_eq!(status, 404, "{body}");
    // The scheme's name is case-insensitive; the token is not.
    let resp = s
        .http
        .get(format!("{}/api/status", s.base))
        .header("authorization", format!("bearer {}", s.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let resp = s
        .http
        .get(format!("{}/api/status", s.base))
        .header(
            "authorization",
            format!("Bearer {}", s.token.to_uppercase()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    s.engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_too_big_for_a_form_still_imports_and_fields_stay_small() {
    let s = serve().await;
    let exe = std::env::current_exe().unwrap().display().to_string();
    // 300 jobs with long names and arguments: well over the 64 KiB a body of fields may hold.
    let jobs: Vec<Value> = (0..300)
        .map(|i| {
            json!({"id": format!("job-{i}"), "name": format!("job {i} {}", "x".repeat(100)),
                   "command": exe, "args": ["y".repeat(300)]})
        })
        .collect();
    let document = json!({"vigil_jobs": 1, "jobs": jobs});
    let size = serde_json::to_vec(&document).unwrap().len();
    assert!(size > vigil_server::MAX_BODY, "{size}");
    let (status, body) = s.send("POST", "/api/jobs/import", Some(&document)).await;
    assert_eq!(status, 200, "{body}");
    let (_, exported) = s.send("GET", "/api/jobs/export", None).await;
    let exported: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported["jobs"].as_array().unwrap().len(), 300);
    // A body of fields is still held to the small limit.
    let huge = json!({"name": "big", "path": exe, "args": ["x".repeat(vigil_server::MAX_BODY)]});
    let (status, body) = s.send("POST", "/api/programs", Some(&huge)).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("larger than 65536 bytes"), "{body}");
    s.engine.stop().await;
}

/// The UI calls each operation through the generated table; an operation no screen uses is a
/// front end missing, unless listed here with why.
#[test]
fn the_ui_uses_every_operation() {
    let unused_by_ui: &[(&str, &str)] = &[
        (
            "status",
            "the CLI's `vigil status`; the UI reads the same from the event feed",
        ),
        (
            "get_program_status",
            "the CLI and scripts; the UI gets statuses pushed",
        ),
        (
            "export_jobs",
            "scripts and the CLI (the UI exports through the same download)",
        ),
        ("import_jobs", "scripts and the CLI"),
        (
            "get_job",
            "scripts; the UI has every job from the jobs dashboard",
        ),
        (
            "list_program_status",
            "the CLI's `programs ls` and the desktop's first status snapshot",
        ),
        (
            "get_program",
            "scripts; the UI has every program from list_programs",
        ),
        (
            "get_rule",
            "scripts; the rules tab has every rule from list_rules",
        ),
        (
            "get_run_output",
            "the CLI and scripts; the UI follows the output stream, which starts with the same text",
        ),
    ];
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src");
    let mut text = String::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if !name.contains(".test.")
                && name != "operations.ts"
                && name != "types.ts"
                && (name.ends_with(".ts") || name.ends_with(".svelte"))
            {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut missing = Vec::new();
    for op in OPERATIONS {
        let method = op.method_name();
        let used =
            text.contains(&format!(".{method}(")) || text.contains(&format!("\"{}\"", op.name));
        let excused = unused_by_ui.iter().any(|(n, _)| *n == op.name);
        if !used && !excused {
            missing.push(op.name);
        }
    }
    assert!(
        missing.is_empty(),
        "operations the UI never calls: {missing:?}"
    );
}
