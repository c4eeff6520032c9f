//! The outbox's figures: deliveries per second to a local receiver against a bare HTTP loop,
//! the time to drain a backlog of 100,000 pending deliveries, and memory while a backlog waits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vigil_engine::{Engine, EngineConfig};

use super::{Row, row};

/// The process's resident memory in bytes (Linux).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

/// A receiver answering 200 at once, counting requests.
async fn receiver() -> (SocketAddr, Arc<AtomicU64>) {
    let hits = Arc::new(AtomicU64::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, hits)
}

/// Writes an endpoint for `url` and `n` pending deliveries to it straight into the database of
/// `dir`, before any engine runs there.
async fn backlog(dir: &std::path::Path, url: &str, n: u64) {
    let store = super::open_store(dir);
    let endpoint: vigil_core::Endpoint =
        serde_json::from_value(serde_json::json!({"name": "bench", "url": url})).unwrap();
    store
        .writer()
        .write(move |tx| {
            let e = vigil_store::put_endpoint(tx, endpoint, 0)?;
            tx.conn().execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO deliveries (event_id, rule_id, endpoint_id, channel, status, fold_key,
                 lead_at, folded, count, next_at, created_at, updated_at, idempotency_key,
                 summary, body)
             SELECT i, NULL, ?2, 'webhook', 'pending', 'bench:' || i, 0, 0, 1, 0, 0, 0,
                 lower(hex(randomblob(16))), 'bench', '{\"text\": \"a benchmark delivery\"}'
             FROM n",
                [n as i64, e.id],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    tokio::task::block_in_place(|| store.writer().close());
}

async fn pending(engine: &Engine) -> usize {
    engine
        .call(vigil_engine::api::ListDeliveries {
            status: Some(vigil_core::DeliveryStatus::Pending),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

/// Starts an engine on a prepared backlog and times it until nothing is pending. Samples the
/// process's memory meanwhile; returns (seconds, peak RSS growth over the start).
async fn drain(dir: &std::path::Path) -> (f64, u64) {
    let before = rss();
    let t = Instant::now();
    let engine = Engine::start(EngineConfig::new(dir)).await.unwrap();
    let mut peak = before;
    while pending(&engine).await > 0 {
        peak = peak.max(rss());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    engine.stop().await;
    (secs, peak.saturating_sub(before))
}

/// The same posts without Vigil: 16 at a time with one client, nothing recorded.
async fn bare(addr: SocketAddr, n: u64) -> f64 {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/hook");
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let next = Arc::new(AtomicU64::new(0));
    for _ in 0..16 {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let r = client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body("{\"text\": \"a benchmark delivery\"}")
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    t.elapsed().as_secs_f64()
}

pub(super) fn outbox(rows: &mut Vec<Row>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (addr, hits) = receiver().await;
        let url = format!("http://{addr}/hook");

        // Deliveries per second, 10,000 of them, against the bare loop.
        let n = 10_000u64;
        let dir = tempfile::tempdir().unwrap();
        backlog(dir.path(), &url, n).await;
        let (secs, _) = drain(dir.path()).await;
        assert!(hits.load(Ordering::Relaxed) >= n, "every delivery arrived");
        let bare_secs = bare(addr, n).await;
        rows.push(row(
            "deliveries per second to a local receiver (10,000, 16 in flight, each attempt recorded)",
            format!("{:.0}/s", n as f64 / secs),
            format!("bare HTTP loop, nothing recorded: {:.0}/s", n as f64 / bare_secs),
            format!("{:.2}x the bare loop", bare_secs / secs),
            "",
        ));

        // Memory while a backlog waits: 1,000 against 100,000 pending rows, receiver down.
        let down = {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let waiting = |count: u64| async move {
            let dir = tempfile::tempdir().unwrap();
            backlog(dir.path(), &format!("http://{down}/hook"), count).await;
            let before = rss();
            let engine = Engine::start(EngineConfig::new(dir.path())).await.unwrap();
            let mut peak = before;
            // The breaker opens after five refused connections; then the backlog just waits.
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(5) {
                peak = peak.max(rss());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            engine.stop().await;
            peak.saturating_sub(before)
        };
        let small = waiting(1_000).await;
        let large = waiting(100_000).await;
        rows.push(row(
            "memory growth while 100,000 deliveries wait (receiver down, 5 s)",
            format!("{:.1} MiB", large as f64 / 1048576.0),
            format!("1,000 waiting: {:.1} MiB", small as f64 / 1048576.0),
            format!("{:+.1} MiB for 99x the backlog", (large as f64 - small as f64) / 1048576.0),
            "flat",
        ));

        // The 100,000 backlog drained once the receiver answers.
        let n = 100_000u64;
        let dir = tempfile::tempdir().unwrap();
        backlog(dir.path(), &url, n).await;
        let (secs, grew) = drain(dir.path()).await;
        rows.push(row(
            "drain 100,000 pending deliveries once the receiver answers",
            format!("{secs:.1} s ({:.0}/s)", n as f64 / secs),
            format!("bare HTTP loop: {:.1} s", n as f64 * bare_secs / 10_000.0),
            format!("peak memory growth {:.1} MiB", grew as f64 / 1048576.0),
            "",
        ));
    });
}
