//! The engine against a real SQLite file in a temp dir: start/stop, registration rules, and the
//! persist-then-publish event stream.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::StreamExt;
use vigil_engine::api::{
    AddProgram, GetProgram, GetStatus, ListEvents, ListPrograms, RemoveProgram,
};
use vigil_engine::{ApiError, Engine, EngineConfig, ErrorCode, Event, EventKind, EventStream};

/// Generous upper bound for anything a test waits on; tests finish as soon as the condition holds.
const DEADLINE: Duration = Duration::from_secs(20);

async fn start(dir: &tempfile::TempDir) -> Engine {
    Engine::start(EngineConfig::new(dir.path().to_owned()))
        .await
        .expect("engine starts in an empty dir")
}

fn exe() -> String {
    std::env::current_exe().unwrap().display().to_string()
}

fn program(name: &str) -> AddProgram {
    AddProgram {
        name: name.into(),
        path: exe(),
        args: vec!["--flag".into(), "two words".into()],
        ..AddProgram::default()
    }
}

async fn next(stream: &mut EventStream) -> Event {
    tokio::time::timeout(DEADLINE, stream.next())
        .await
        .expect("an event should arrive before the deadline")
        .expect("the stream should not end")
        .expect("the stream should not fail")
}

async fn assert_nothing_stored(engine: &Engine, before_events: i64) {
    let status = engine.call(GetStatus {}).await.unwrap();
    assert_eq!(
        status.programs, 0,
        "a refused request must store no program"
    );
    assert_eq!(
        status.last_event_id, before_events,
        "a refused request must record no event"
    );
}

#[tokio::test]
async fn start_records_an_event_and_stop_flushes_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let status = engine.call(GetStatus {}).await.unwrap();
    assert_eq!(status.programs, 0);
    assert_eq!(status.last_event_id, 1, "engine_started is the first event");
    engine.stop().await;
    engine.stop().await; // idempotent
    let err = engine
        .call(program("late"))
        .await
        .expect_err("writes after stop fail");
    assert_eq!(err.code, ErrorCode::Unavailable, "{err}");

    let again = start(&dir).await;
    let events = again.call(ListEvents::default()).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::EngineStarted,
            EventKind::EngineStopped,
            EventKind::EngineStarted
        ],
        "the stop event was flushed before the writer exited"
    );
    again.stop().await;
}

#[tokio::test]
async fn registration_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let added = engine.call(program("web")).await.unwrap();
    assert_eq!(added.name, "web");
    assert_eq!(
        added.args,
        ["--flag", "two words"],
        "argv is kept element by element"
    );
    let got = engine.call(GetProgram { id: added.id }).await.unwrap();
    assert_eq!(got, added);
    let all = engine.call(ListPrograms {}).await.unwrap();
    assert_eq!(all, vec![added.clone()]);
    let removed = engine.call(RemoveProgram { id: added.id }).await.unwrap();
    assert_eq!(removed.id, added.id);
    assert!(engine.call(ListPrograms {}).await.unwrap().is_empty());
    let err = engine.call(GetProgram { id: added.id }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = engine.call(RemoveProgram { id: 999 }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    engine.stop().await;
}

#[tokio::test]
async fn bad_registrations_get_clear_errors_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let missing = dir.path().join("no-such-program");
    let not_exec = dir.path().join("data.txt");
    std::fs::write(&not_exec, "plain data").unwrap();
    let cases: Vec<(AddProgram, &str)> = vec![
        (
            AddProgram {
                name: "".into(),
                ..program("x")
            },
            "name",
        ),
        (
            AddProgram {
                path: "relative/bin".into(),
                ..program("x")
            },
            "absolute",
        ),
        (
            AddProgram {
                path: missing.display().to_string(),
                ..program("x")
            },
            "cannot be used",
        ),
        (
            AddProgram {
                path: dir.path().display().to_string(),
                ..program("x")
            },
            "directory",
        ),
        (
            AddProgram {
                cwd: Some(missing.display().to_string()),
                ..program("x")
            },
            "cwd",
        ),
    ];
    for (request, needle) in cases {
        let err: ApiError = engine
            .call(request.clone())
            .await
            .expect_err("must be refused");
        assert_eq!(err.code, ErrorCode::InvalidInput, "{request:?}: {err}");
        assert!(
            err.message.contains(needle),
            "{:?} should mention {needle:?}",
            err.message
        );
        assert_nothing_stored(&engine, 1).await;
    }
    if cfg!(unix) {
        let err = engine
            .call(AddProgram {
                path: not_exec.display().to_string(),
                ..program("x")
            })
            .await
            .expect_err("a file without execute permission is refused");
        assert!(err.message.contains("not executable"), "{err}");
        assert_nothing_stored(&engine, 1).await;
    }
    engine.call(program("dup")).await.unwrap();
    let err = engine
        .call(program("DUP"))
        .await
        .expect_err("duplicate names are refused");
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(engine.call(ListPrograms {}).await.unwrap().len(), 1);
    engine.stop().await;
}

#[tokio::test]
async fn a_listener_resumes_from_its_cursor_and_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut stream = engine.subscribe(0);
    assert_eq!(next(&mut stream).await.kind, EventKind::EngineStarted);
    let a = engine.call(program("a")).await.unwrap();
    let seen = next(&mut stream).await;
    assert_eq!(
        (seen.kind, seen.program_id),
        (EventKind::ProgramAdded, Some(a.id))
    );
    let cursor = seen.id;
    drop(stream); // the client disconnects...
    engine.call(program("b")).await.unwrap();
    engine.call(program("c")).await.unwrap();
    // ...and reconnects with since=<last id seen>.
    let mut stream = engine.subscribe(cursor);
    let b = next(&mut stream).await;
    let c = next(&mut stream).await;
    assert_eq!(
        (b.id, c.id),
        (cursor + 1, cursor + 2),
        "exactly the missed events, in order"
    );
    engine.call(program("d")).await.unwrap();
    assert_eq!(next(&mut stream).await.id, cursor + 3, "then live events");
    engine.stop().await;
    let tail = tokio::time::timeout(DEADLINE, async {
        let mut kinds = Vec::new();
        while let Some(e) = stream.next().await {
            kinds.push(e.unwrap().kind);
        }
        kinds
    })
    .await
    .expect("the stream ends when the engine stops");
    assert_eq!(tail, [EventKind::EngineStopped]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_listener_neither_blocks_the_engine_nor_loses_events() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let mut stalled = engine.subscribe(0);
    // Far more events than the live buffer holds, while the listener never polls.
    let total = 1500;
    let writes: Vec<_> = (0..total)
        .map(|i| {
            let engine = engine.clone();
            tokio::spawn(async move { engine.call(program(&format!("p{i}"))).await })
        })
        .collect();
    let all_written = tokio::time::timeout(DEADLINE, async {
        for w in writes {
            w.await.unwrap().unwrap();
        }
    })
    .await;
    assert!(
        all_written.is_ok(),
        "writes must complete while a listener stalls"
    );
    let mut ids = Vec::new();
    while ids.len() < total + 1 {
        ids.push(next(&mut stalled).await.id);
    }
    let expected: Vec<i64> = (1..=(total as i64 + 1)).collect();
    assert_eq!(
        ids, expected,
        "the stalled listener gets every event, in order, once"
    );
    engine.stop().await;
}

#[tokio::test]
async fn list_events_validates_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let err = engine
        .call(ListEvents {
            since: -1,
            limit: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = engine
        .call(ListEvents {
            since: 0,
            limit: Some(0),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let page = engine
        .call(ListEvents {
            since: 0,
            limit: Some(1),
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    engine.stop().await;
}

#[tokio::test]
async fn a_database_from_a_newer_vigil_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    start(&dir).await.stop().await;
    {
        let conn = vigil_store::Connection::open(dir.path().join(vigil_store::DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", vigil_store::SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Engine::start(EngineConfig::new(dir.path().to_owned()))
        .await
        .err()
        .expect("an older binary refuses a newer database");
    assert!(err.message.contains("newer"), "{err}");
}
