//! Store behaviour against a real SQLite file in a temp dir.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use vigil_core::{ErrorCode, EventKind, NewEvent, NewProgram};
use vigil_store::{SCHEMA_VERSION, Store, StoreError};

fn exe() -> String {
    std::env::current_exe().unwrap().display().to_string()
}

fn program(name: &str) -> NewProgram {
    NewProgram {
        name: name.into(),
        path: exe(),
        ..NewProgram::default()
    }
}

type Published = Arc<Mutex<Vec<i64>>>;

fn open(dir: &tempfile::TempDir) -> (Store, Published) {
    let published: Published = Arc::default();
    let sink = published.clone();
    let store = Store::open(
        &dir.path().join(vigil_store::DB_FILE),
        Box::new(move |events| {
            sink.lock().unwrap().extend(events.iter().map(|e| e.id));
        }),
    )
    .unwrap();
    (store, published)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn every_connection_gets_the_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let (mode, sync, fk, busy): (String, i64, i64, i64) = store
        .read(|c| {
            Ok((
                c.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
                c.pragma_query_value(None, "synchronous", |r| r.get(0))?,
                c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?,
                c.pragma_query_value(None, "busy_timeout", |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 1, "synchronous must be NORMAL (1)");
    assert_eq!(fk, 1, "foreign keys must be enforced");
    assert!(busy >= 1000, "readers must wait on locks, got {busy} ms");
    store.writer().close();
}

#[test]
fn a_write_and_its_event_commit_together_then_publish() {
    let dir = tempfile::tempdir().unwrap();
    let (store, published) = open(&dir);
    let p = program("web");
    let added = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 1_000)),
    )
    .unwrap();
    let events = store
        .read(|c| vigil_store::events_since(c, 0, 100))
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::ProgramAdded);
    assert_eq!(events[0].program_id, Some(added.id));
    assert_eq!(
        *published.lock().unwrap(),
        vec![events[0].id],
        "the event is published once, after it is readable"
    );
    store.writer().close();
}

#[test]
fn a_failing_write_changes_nothing_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, published) = open(&dir);
    let p = program("web");
    block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 1)),
    )
    .unwrap();
    let dup = program("WEB");
    let err = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &dup, 2)),
    )
    .expect_err("names are unique regardless of case");
    let api: vigil_core::ApiError = err.into();
    assert_eq!(api.code, ErrorCode::Conflict);
    // A write that records an event and then fails must leave neither behind.
    let err = block_on(store.writer().write(|tx| {
        tx.event(NewEvent {
            ts: 3,
            kind: EventKind::EngineStarted,
            program_id: None,
            job_id: None,
            message: "doomed".into(),
            detail: None,
        })?;
        Err::<(), _>(StoreError::Api(vigil_core::ApiError::invalid("no")))
    }))
    .expect_err("the closure failed");
    assert!(matches!(err, StoreError::Api(_)));
    let events = store
        .read(|c| vigil_store::events_since(c, 0, 100))
        .unwrap();
    assert_eq!(
        events.len(),
        1,
        "only the first insert's event exists: {events:?}"
    );
    assert_eq!(published.lock().unwrap().len(), 1);
    assert_eq!(store.read(vigil_store::program_count).unwrap(), 1);
    store.writer().close();
}

#[test]
fn delete_of_unknown_id_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let err = block_on(
        store
            .writer()
            .write(|tx| vigil_store::delete_program(tx, 42, 1)),
    )
    .expect_err("unknown id");
    assert_eq!(vigil_core::ApiError::from(err).code, ErrorCode::NotFound);
    assert_eq!(store.read(vigil_store::last_event_id).unwrap(), 0);
    store.writer().close();
}

#[test]
fn concurrent_writes_get_strictly_increasing_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (store, published) = open(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..200 {
            let w = store.writer().clone();
            tasks.push(tokio::spawn(async move {
                w.write(move |tx| {
                    tx.event(NewEvent {
                        ts: i,
                        kind: EventKind::EngineStarted,
                        program_id: None,
                        job_id: None,
                        message: format!("{i}"),
                        detail: None,
                    })
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    });
    let ids = published.lock().unwrap().clone();
    assert_eq!(ids.len(), 200);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "publish order must be id order so listeners can resume by id"
    );
    store.writer().close();
}

#[test]
fn writes_after_close_fail_as_closed_and_queued_ones_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let w = store.writer().clone();
    let p = program("queued");
    let queued = std::thread::spawn(move || {
        block_on(w.write(move |tx| vigil_store::insert_program(tx, &p, 1)))
    });
    let first = queued.join().unwrap();
    store.writer().close();
    assert!(first.is_ok(), "a write queued before close completes");
    let p = program("late");
    let err = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 2)),
    )
    .expect_err("the writer is gone");
    assert!(matches!(err, StoreError::Closed), "{err}");
}

#[test]
fn reopening_keeps_data_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(vigil_store::DB_FILE);
    {
        let (store, _) = open(&dir);
        let p = program("kept");
        block_on(
            store
                .writer()
                .write(move |tx| vigil_store::insert_program(tx, &p, 1)),
        )
        .unwrap();
        store.writer().close();
    }
    {
        let (store, _) = open(&dir);
        let programs = store.read(vigil_store::list_programs).unwrap();
        assert_eq!(programs.len(), 1, "data survives a reopen");
        assert_eq!(programs[0].name, "kept");
        store.writer().close();
    }
    // Pretend a newer Vigil wrote the file.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path, Box::new(|_| {}))
        .err()
        .expect("must refuse");
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    assert!(
        err.to_string().contains("newer"),
        "the message says why: {err}"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM programs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1, "the refused database is left intact");
}

#[test]
fn program_options_are_stored_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let p = NewProgram {
        launch: false,
        match_by: vigil_core::MatchRule::Cmdline("server.js".into()),
        tags: vec!["web".into()],
        restart: vigil_core::RestartPolicy {
            max_restarts: 2,
            ..vigil_core::RestartPolicy::default()
        },
        limits: vigil_core::Limits {
            memory_mb: Some(64),
            ..vigil_core::Limits::default()
        },
        ..program("opts")
    };
    let expected = p.clone();
    let added = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 1)),
    )
    .unwrap();
    assert!(!added.launch, "launch: false must survive the round trip");
    assert_eq!(added.match_by, expected.match_by);
    assert_eq!(added.tags, expected.tags);
    assert_eq!(added.restart, expected.restart);
    assert_eq!(added.limits, expected.limits);
    store.writer().close();
}

#[test]
fn samples_roll_up_by_minute_and_hour_and_prune_by_retention() {
    use vigil_store::{Resolution, Retention, Sample};
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let p = program("sampled");
    let id = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 1)),
    )
    .unwrap()
    .id;
    // Two flushes that both touch minute 0: the rollup must merge them.
    let first: Vec<Sample> = (0..30)
        .map(|s| Sample {
            program_id: id,
            ts: s,
            cpu: 100,
            mem: 1000,
        })
        .collect();
    let second: Vec<Sample> = (30..90)
        .map(|s| Sample {
            program_id: id,
            ts: s,
            cpu: 300,
            mem: 3000,
        })
        .collect();
    for batch in [first, second] {
        block_on(
            store
                .writer()
                .write(move |tx| vigil_store::insert_samples(tx, &batch)),
        )
        .unwrap();
    }
    let mut raw = 0;
    store
        .read(|c| vigil_store::for_each_sample(c, id, 0, 1000, |_| raw += 1))
        .unwrap();
    assert_eq!(raw, 90);
    let mut minutes = Vec::new();
    store
        .read(|c| {
            vigil_store::for_each_rollup(c, Resolution::Minute, id, 0, 1000, |r| minutes.push(r))
        })
        .unwrap();
    assert_eq!(minutes.len(), 2);
    let m0 = minutes[0];
    assert_eq!(
        (m0.ts, m0.n, m0.cpu_min, m0.cpu_max),
        (0, 60, 100, 300),
        "merged across flushes"
    );
    assert_eq!(m0.cpu_sum, 30 * 100 + 30 * 300);
    let mut hours = Vec::new();
    store
        .read(|c| {
            vigil_store::for_each_rollup(c, Resolution::Hour, id, 0, 10_000, |r| hours.push(r))
        })
        .unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].n, 90);
    // Samples of an unknown program are skipped, not an error.
    let stray = vec![Sample {
        program_id: 999,
        ts: 5,
        cpu: 1,
        mem: 1,
    }];
    let written = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_samples(tx, &stray)),
    )
    .unwrap();
    assert_eq!(written, 0);
    // Retention: raw older than 60 s at now=100 goes, rollups stay.
    let retention = Retention {
        raw_secs: 60,
        minute_secs: 1_000,
        hour_secs: 10_000,
    };
    block_on(
        store
            .writer()
            .write(move |tx| vigil_store::prune(tx, retention, 100)),
    )
    .unwrap();
    let mut left = 0;
    store
        .read(|c| vigil_store::for_each_sample(c, id, 0, 1000, |_| left += 1))
        .unwrap();
    assert_eq!(left, 50, "samples at 40..90 are within 60 s of 100");
    // Removing the program removes its history (foreign key cascade).
    block_on(
        store
            .writer()
            .write(move |tx| vigil_store::delete_program(tx, id, 200)),
    )
    .unwrap();
    let mut after = 0;
    store
        .read(|c| vigil_store::for_each_sample(c, id, 0, 1000, |_| after += 1))
        .unwrap();
    assert_eq!(after, 0);
    store.writer().close();
}

fn event(kind: EventKind, message: &str) -> NewEvent {
    NewEvent {
        ts: 1_000,
        kind,
        program_id: None,
        job_id: None,
        message: message.into(),
        detail: None,
    }
}

#[test]
fn a_delivery_commits_or_rolls_back_with_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let w = store.writer().clone();
    block_on(async {
        w.write(|tx| {
            let e: vigil_core::Endpoint = serde_json::from_value(
                serde_json::json!({"name": "hook", "url": "http://127.0.0.1:9/"}),
            )
            .unwrap();
            let e = vigil_store::put_endpoint(tx, e, 0)?;
            let r: vigil_core::Rule = serde_json::from_value(
                serde_json::json!({"name": "all", "endpoints": [e.id], "fold_secs": 0}),
            )
            .unwrap();
            vigil_store::put_rule(tx, r, 0)
        })
        .await
        .unwrap();
        let err = w
            .write(|tx| {
                tx.event(event(EventKind::JobSaved, "rolled back"))?;
                Err::<(), _>(StoreError::Api(vigil_core::ApiError::invalid(
                    "fails after",
                )))
            })
            .await;
        assert!(err.is_err());
        let kept = w
            .write(|tx| tx.event(event(EventKind::JobSaved, "kept")))
            .await
            .unwrap();
        let all = store
            .read(|c| {
                vigil_store::list_deliveries(
                    c,
                    &vigil_store::DeliveryFilter {
                        limit: 10,
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        assert_eq!(
            all.len(),
            1,
            "the failed write's delivery must roll back with its event"
        );
        assert_eq!(all[0].event_id, kept.id);
        assert_eq!(all[0].summary, "kept");
    });
    store.writer().close();
}

#[test]
fn check_results_log_roll_metrics_up_and_prune_and_go_with_their_program() {
    use vigil_core::{Check, CheckAnswer, CheckResult, CheckStatus, Metric};
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(&dir);
    let p = program("web");
    let added = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::insert_program(tx, &p, 1)),
    )
    .unwrap();
    let check: Check = serde_json::from_value(serde_json::json!({
        "name": "port", "program_id": added.id,
        "probe": {"type": "tcp", "host": "127.0.0.1", "port": 80}
    }))
    .unwrap();
    let saved = block_on(
        store
            .writer()
            .write(move |tx| vigil_store::put_check(tx, check, 1)),
    )
    .unwrap();
    let day = 86_400_000i64;
    let now = 30 * day;
    // One answer a minute for two hours, 20 days ago, then one now.
    let mut at: Vec<i64> = (0..120).map(|m| now - 20 * day + m * 60_000).collect();
    at.push(now);
    for (i, ts) in at.iter().enumerate() {
        let result = CheckResult {
            answer: CheckAnswer {
                status: if i % 2 == 0 {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Warning
                },
                message: format!("answer {i}"),
                metrics: vec![Metric {
                    label: "time".into(),
                    value: i as f64,
                    unit: "ms".into(),
                    warn: None,
                    crit: None,
                }],
                details: None,
            },
            error: None,
            ts: *ts,
            duration_ms: 3,
            attempts: 1,
        };
        let id = saved.id;
        block_on(
            store
                .writer()
                .write(move |tx| vigil_store::record_check_result(tx, id, &result)),
        )
        .unwrap();
    }
    let id = saved.id;
    // Raw values are kept for ever here, so a window's resolution follows its length only.
    let keep = vigil_store::Retention {
        raw_secs: i64::MAX / 4,
        ..vigil_store::Retention::default()
    };
    let latest = store.read(vigil_store::latest_check_results).unwrap();
    assert_eq!(
        (latest.len(), latest[0].message.as_str()),
        (1, "answer 120")
    );
    // Two hours of values; a 10-day window reads hourly buckets: 2.
    let raw = store
        .read(move |c| vigil_store::check_metrics(c, id, now - 21 * day, now - 11 * day, keep, now))
        .unwrap();
    assert_eq!(raw[0].resolution_secs, 3600);
    assert_eq!(raw[0].points.len(), 2);
    let (_, avg, min, max) = raw[0].points[0];
    assert_eq!((avg, min, max), (29.5, 0.0, 59.0));
    let span = store
        .read(move |c| {
            vigil_store::check_metrics(c, id, now - 20 * day, now - 20 * day + 3_600_000, keep, now)
        })
        .unwrap();
    assert_eq!((span[0].resolution_secs, span[0].points.len()), (0, 60));
    // Pruning: the log keeps 7 days, raw metrics 2 days; rollups stay.
    let removed = block_on(store.writer().write(move |tx| {
        vigil_store::prune_check_history(tx, 7, vigil_store::Retention::default(), now)
    }))
    .unwrap();
    assert_eq!(removed, 240, "120 log rows and 120 raw values");
    let left = store
        .read(move |c| vigil_store::check_history(c, id, None, 1000))
        .unwrap();
    assert_eq!(left.len(), 1);
    let hourly = store
        .read(move |c| vigil_store::check_metrics(c, id, now - 21 * day, now - 11 * day, keep, now))
        .unwrap();
    assert_eq!(
        hourly[0].points.len(),
        2,
        "hourly rollups are kept 400 days"
    );
    // An hour 20 days back, its raw values pruned: read from the minute rollups, not empty.
    let defaults = vigil_store::Retention::default();
    let hour = store
        .read(move |c| {
            vigil_store::check_metrics(
                c,
                id,
                now - 20 * day,
                now - 20 * day + 3_600_000,
                defaults,
                now,
            )
        })
        .unwrap();
    assert_eq!((hour[0].resolution_secs, hour[0].points.len()), (60, 60));
    // Removing the program removes its check and everything of it.
    block_on(
        store
            .writer()
            .write(move |tx| vigil_store::delete_program(tx, added.id, 2)),
    )
    .unwrap();
    assert!(store.read(vigil_store::list_checks).unwrap().is_empty());
    assert!(
        store
            .read(move |c| vigil_store::check_history(c, id, None, 10))
            .unwrap()
            .is_empty()
    );
    store.writer().close();
}
