//! The crash-kill harness: the real daemon under a load of launched programs, a job firing
//! every second and webhooks to a local receiver is SIGKILLed at random moments and restarted
//! each time; then what must survive is checked. `VIGIL_CHAOS_KILLS` sets the number of kills
//! (5 in the test suite; `cargo xtask chaos` runs 50 and prints the figures).
#![cfg(target_os = "linux")]
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{DEADLINE, Daemon};
use serde_json::json;

/// Processes whose command line holds `marker` (the programs and job runs of this test only).
fn count_marked(marker: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter(|e| {
            let alive = std::fs::read_to_string(e.path().join("stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
                })
                .unwrap_or(false);
            alive
                && std::fs::read(e.path().join("cmdline"))
                    .map(|c| String::from_utf8_lossy(&c).contains(marker))
                    .unwrap_or(false)
        })
        .count()
}

/// A webhook receiver counting each idempotency key it was sent.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, u32>>>) {
    let keys: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let seen = keys.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let seen = seen.clone();
        async move {
            let key = headers["idempotency-key"].to_str().unwrap().to_owned();
            *seen.lock().unwrap().entry(key).or_default() += 1;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), keys)
}

/// A small deterministic-per-run random source for kill moments (no extra crate).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (self.0 >> 33) % (hi - lo)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_survives_a_daemon_killed_at_random_moments() {
    let kills: usize = std::env::var("VIGIL_CHAOS_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut moments = Moments(seed);
    // A marker no other process on the machine has: the programs sleep 86400.<marker><i> s.
    let marker = format!("{}", 1000 + seed % 9000);
    let program_marker = format!("86400.{marker}");
    let run_marker = format!("0.7{marker}");
    let (hook, keys) = receiver().await;

    let mut daemon = Daemon::start(dir.path());
    let endpoint = daemon
        .create(
            &http,
            "/api/endpoints",
            &json!({"name": "receiver", "url": hook, "timeout_ms": 2000, "backoff_ms": 50,
                    "max_attempts": 50}),
        )
        .await;
    daemon
        .create(
            &http,
            "/api/rules",
            &json!({"name": "all", "endpoints": [endpoint["id"]], "fold_secs": 0}),
        )
        .await;
    for i in 0..3 {
        daemon
            .create(
                &http,
                "/api/programs",
                &json!({"name": format!("p{i}"), "path": "/bin/sleep",
                        "args": [format!("{program_marker}{i}")],
                        "launch": true, "autostart": true}),
            )
            .await;
    }
    daemon
        .create(
            &http,
            "/api/jobs",
            &json!({"id": "tick", "name": "tick", "command": "/bin/sleep",
                    "args": [run_marker.clone()], "schedule": "* * * * * *"}),
        )
        .await;

    let mut committed_ids = Vec::new();
    let mut most_copies = 0;
    for _ in 0..kills {
        // Let it work for a random while, then kill it mid-whatever.
        tokio::time::sleep(Duration::from_millis(moments.next_ms(200, 1500))).await;
        let (_, status) = daemon.get_json(&http, "/api/status").await;
        committed_ids.push(status["last_event_id"].as_i64().unwrap());
        daemon.kill();
        daemon = Daemon::start(dir.path());
        // Exactly one copy of each program once it is back; never more on the way.
        let started = Instant::now();
        loop {
            let n = count_marked(&program_marker);
            most_copies = most_copies.max(n);
            if n == 3 {
                break;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "the programs did not come back: {n} running"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Let the backlog drain, then stop cleanly.
    let started = Instant::now();
    loop {
        let (_, pending) = daemon
            .get_json(&http, "/api/deliveries?status=pending&limit=1000")
            .await;
        if pending.as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "deliveries never drained"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The stop itself records events (programs stopped, engine stopped) whose deliveries wait
    // in the table for the next start: only what was routed before it is checked.
    let (_, newest) = daemon.get_json(&http, "/api/deliveries?limit=1").await;
    let routed_before_stop = newest[0]["id"].as_i64().unwrap_or(0);
    assert!(daemon.terminate().success(), "a clean stop after the chaos");
    let started = Instant::now();
    let mut orphans = count_marked(&program_marker) + count_marked(&run_marker);
    while orphans > 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        orphans = count_marked(&program_marker) + count_marked(&run_marker);
    }

    let db = vigil_store::Connection::open(dir.path().join(vigil_store::DB_FILE)).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let events: i64 = db
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    let missing: Vec<i64> = committed_ids
        .iter()
        .copied()
        .filter(|id| {
            db.query_row("SELECT count(*) FROM events WHERE id = ?1", [id], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
                == 0
        })
        .collect();
    let mut runs_by_status: HashMap<String, i64> = HashMap::new();
    {
        let mut stmt = db
            .prepare("SELECT status, count(*) FROM runs GROUP BY status")
            .unwrap();
        for row in stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap()
        {
            let (s, n) = row.unwrap();
            runs_by_status.insert(s, n);
        }
    }
    let mut started_twice = Vec::new();
    {
        let mut seen = HashSet::new();
        let mut stmt = db
            .prepare("SELECT message FROM events WHERE kind = 'run_started'")
            .unwrap();
        for message in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            let message = message.unwrap();
            let id = message.split_whitespace().nth(1).unwrap_or("").to_owned();
            if !seen.insert(id.clone()) {
                started_twice.push(id);
            }
        }
    }
    let delivered: Vec<(String, String)> = {
        let mut stmt = db
            .prepare("SELECT idempotency_key, status FROM deliveries WHERE id <= ?1")
            .unwrap();
        stmt.query_map([routed_before_stop], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let received = keys.lock().unwrap().clone();
    let requests: u32 = received.values().sum();
    let never_arrived: Vec<&(String, String)> = delivered
        .iter()
        .filter(|(key, _)| !received.contains_key(key))
        .collect();
    let runs: i64 = runs_by_status.values().sum();
    println!(
        "chaos: {kills} kills; {events} events ({} checked after kills, {} missing); {runs} runs \
         {runs_by_status:?}; {} deliveries ({requests} requests, {} sent more than once, {} never \
         arrived); most copies of the 3 programs at once: {most_copies}; orphans after the clean \
         stop: {orphans}; integrity_check: {integrity}",
        committed_ids.len(),
        missing.len(),
        delivered.len(),
        received.values().filter(|n| **n > 1).count(),
        never_arrived.len(),
    );
    assert_eq!(integrity, "ok", "the database survived every kill");
    assert!(
        missing.is_empty(),
        "committed events were lost: {missing:?}"
    );
    assert!(
        !runs_by_status.contains_key("queued") && !runs_by_status.contains_key("running"),
        "every run left going is interrupted: {runs_by_status:?}"
    );
    assert!(runs > 0, "the job ran");
    assert!(
        started_twice.is_empty(),
        "runs started twice: {started_twice:?}"
    );
    assert!(
        delivered.iter().all(|(_, s)| s == "delivered"),
        "every delivery was delivered: {delivered:?}"
    );
    assert!(
        never_arrived.is_empty(),
        "every routed delivery reached the receiver at least once: {never_arrived:?}"
    );
    assert!(
        most_copies <= 3,
        "a crash duplicated programs: {most_copies} copies"
    );
    assert_eq!(orphans, 0, "no process outlives a clean stop");
}
