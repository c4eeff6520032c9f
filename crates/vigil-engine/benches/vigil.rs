//! `cargo xtask bench`: Vigil's speed and size targets, each against a baseline measured in the
//! same run on the same machine. Writes docs/BENCHMARKS.md when `VIGIL_BENCH_OUT` names it.
//!
//! Linux only for the CPU figures (it reads the thread's CPU time from /proc).
#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
use vigil_core::{MatchRule, RestartMode, RestartPolicy};
use vigil_engine::api::{AddProgram, GetSamples, StartProgram};
use vigil_engine::monitor::{Discovery, Sweeper, Target};
use vigil_engine::{Engine, EngineConfig, EventKind};
use vigil_store::{Sample, Store};

#[path = "support/checks.rs"]
mod checks;
#[cfg(target_os = "linux")]
#[path = "support/daemon.rs"]
mod daemon;
#[path = "support/month.rs"]
mod month;
#[path = "support/outbox.rs"]
mod outbox;

const FIXTURE: &str = env!("CARGO_BIN_EXE_vigil-fixture");
const PROGRAMS: usize = 50;

/// CPU time this thread has used, in nanoseconds (Linux schedstat).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Bytes this process has passed to write(2) so far (what SQLite writes, WAL included).
fn written_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("wchar:").map(|v| v.trim().parse().ok()))?
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Fleet(Vec<Child>);

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn spawn(args: &[&str]) -> Child {
    Command::new(FIXTURE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Counts processes and threads on the machine.
fn census() -> (usize, usize) {
    let (mut procs, mut threads) = (0, 0);
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .chars()
            .all(|c| c.is_ascii_digit())
        {
            procs += 1;
            threads += std::fs::read_dir(entry.path().join("task"))
                .map(|d| d.count())
                .unwrap_or(1);
        }
    }
    (procs, threads)
}

/// Fills the machine to at least 400 processes and 3,000 threads; 50 of the processes are the
/// "registered programs".
fn fleet() -> (Fleet, Vec<u32>, usize, usize) {
    let mut children = Vec::new();
    for _ in 0..PROGRAMS {
        children.push(spawn(&["threads", "40", "3600"]));
    }
    let program_pids: Vec<u32> = children.iter().map(Child::id).collect();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let (procs, threads) = census();
        if procs >= 400 && threads >= 3000 {
            break;
        }
        let need_threads = 3000usize.saturating_sub(threads);
        if procs < 400 {
            for _ in 0..(400 - procs) {
                children.push(spawn(&["sleep", "3600"]));
            }
        } else if need_threads > 0 {
            children.push(spawn(&[
                "threads",
                &need_threads.min(200).to_string(),
                "3600",
            ]));
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let (procs, threads) = census();
    (Fleet(children), program_pids, procs, threads)
}

struct Row {
    what: String,
    value: String,
    baseline: String,
    ratio: String,
    target: String,
}

fn row(what: &str, value: String, baseline: String, ratio: String, target: &str) -> Row {
    Row {
        what: what.into(),
        value,
        baseline,
        ratio,
        target: target.into(),
    }
}

/// Sweep cost: Vigil's batched sweeps against a per-program refresh and a refresh of
/// everything, all on the same process table.
fn sweeps(rows: &mut Vec<Row>, pids: &[u32], procs: usize, threads: usize) {
    let targets: Vec<Target> = pids
        .iter()
        .enumerate()
        .map(|(i, &pid)| Target {
            program_id: i as i64 + 1,
            rule: MatchRule::Exe,
            path: FIXTURE.into(),
            launch: true,
            launched: Some(pid),
        })
        .collect();
    let mut sweeper = Sweeper::new().unwrap();
    let first = sweeper.sweep(&targets, Discovery::Full, 0);
    let matched: usize = first.programs.iter().map(|(_, p)| p.len()).sum();
    assert_eq!(matched, PROGRAMS, "every program's process was found");
    const ROUNDS: usize = 100;
    let t = thread_cpu_ns();
    for i in 0..ROUNDS {
        sweeper.sweep(&targets, Discovery::No, i as i64);
    }
    let fast_ns = (thread_cpu_ns() - t) / ROUNDS as u64;
    // The floor: a hand-written reader of just what the fast sweep needs, nothing kept between
    // rounds but a buffer (Linux: /proc/PID/stat for CPU ticks and start, statm for memory).
    let floor_ns = {
        use std::io::Read;
        let mut buf = Vec::with_capacity(512);
        let mut sum = 0u64;
        let t = thread_cpu_ns();
        for _ in 0..ROUNDS {
            for pid in pids {
                for file in ["stat", "statm"] {
                    buf.clear();
                    if let Ok(mut f) = std::fs::File::open(format!("/proc/{pid}/{file}")) {
                        let _ = f.read_to_end(&mut buf);
                    }
                    let text = std::str::from_utf8(&buf).unwrap_or("");
                    let fields = text.rsplit(')').next().unwrap_or(text);
                    sum += fields
                        .split_ascii_whitespace()
                        .filter_map(|f| f.parse::<u64>().ok())
                        .take(22)
                        .last()
                        .unwrap_or(0);
                }
            }
        }
        std::hint::black_box(sum);
        (thread_cpu_ns() - t) / ROUNDS as u64
    };
    // An incremental discovery with a few new processes, as between two looks 5 s apart.
    let mut incremental_ns = 0;
    for i in 0..20 {
        let mut newcomers = Fleet((0..3).map(|_| spawn(&["sleep", "60"])).collect());
        let t = thread_cpu_ns();
        sweeper.sweep(&targets, Discovery::Incremental, i);
        incremental_ns += thread_cpu_ns() - t;
        for c in &mut newcomers.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    incremental_ns /= 20;
    let t = thread_cpu_ns();
    for i in 0..20 {
        sweeper.sweep(&targets, Discovery::Full, i);
    }
    let full_ns = (thread_cpu_ns() - t) / 20;
    // At 1 Hz: per 5 s, 4 fast sweeps and 1 incremental discovery; per 60 s, 1 full one.
    let vigil_ns_per_s = (4 * fast_ns + incremental_ns) as f64 / 5.0 + full_ns as f64 / 60.0;
    let vigil_share = vigil_ns_per_s / 1e9 * 100.0;

    // Baseline 1 (the N+1 way): each program looks itself up in a fresh process table.
    let mut sys = System::new().unwrap();
    let t = thread_cpu_ns();
    for _ in 0..5 {
        for pid in pids {
            sys.refresh_processes(ProcessesToUpdate::All, true);
            let _ = sys
                .process(Pid::from_u32(*pid))
                .map(|p| (p.cpu_usage(), p.memory()));
        }
    }
    let n_plus_one_ns = (thread_cpu_ns() - t) / 5;
    // Baseline 2: refresh every process (default kind, threads included) every second.
    let mut sys = System::new().unwrap();
    let t = thread_cpu_ns();
    for _ in 0..20 {
        sys.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::everything(),
        );
    }
    let all_ns = (thread_cpu_ns() - t) / 20;

    let ms = |ns: u64| format!("{:.2} ms", ns as f64 / 1e6);
    rows.push(row(
        &format!("fast sweep, 50 known PIDs ({procs} processes, {threads} threads)"),
        ms(fast_ns),
        format!("{} per-program lookup (N+1)", ms(n_plus_one_ns)),
        format!("{:.0}x less", n_plus_one_ns as f64 / fast_ns.max(1) as f64),
        "",
    ));
    rows.push(row(
        "fast sweep against its floor (50 known PIDs)",
        ms(fast_ns),
        format!(
            "{} hand-written reader of /proc/PID/stat + statm",
            ms(floor_ns)
        ),
        format!("{:.2}x the floor", fast_ns as f64 / floor_ns.max(1) as f64),
        "<= 2x",
    ));
    rows.push(row(
        "incremental discovery (new processes only, 3 new)",
        ms(incremental_ns),
        format!("{} refresh-everything sweep", ms(all_ns)),
        format!("{:.1}x less", all_ns as f64 / incremental_ns.max(1) as f64),
        "",
    ));
    rows.push(row(
        "full discovery (every process re-read and matched)",
        ms(full_ns),
        format!("{} refresh-everything sweep", ms(all_ns)),
        format!("{:.1}x less", all_ns as f64 / full_ns.max(1) as f64),
        "",
    ));
    rows.push(row(
        "monitor CPU share at 1 Hz (fast each second, incremental each 5 s, full each 60 s)",
        format!("{vigil_share:.3}% of a core"),
        format!(
            "N+1: {:.2}%; refresh-all: {:.2}%",
            n_plus_one_ns as f64 / 1e9 * 100.0,
            all_ns as f64 / 1e9 * 100.0
        ),
        format!(
            "{:.0}x / {:.0}x less",
            n_plus_one_ns as f64 / 1e9 * 100.0 / vigil_share,
            all_ns as f64 / 1e9 * 100.0 / vigil_share
        ),
        "<= 0.25%",
    ));
}

fn open_store(dir: &std::path::Path) -> Store {
    Store::open(&dir.join(vigil_store::DB_FILE), Box::new(|_| {})).unwrap()
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn register(store: &Store, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let p = vigil_core::NewProgram {
                name: format!("p{i}"),
                path: FIXTURE.into(),
                ..vigil_core::NewProgram::default()
            };
            block(
                store
                    .writer()
                    .write(move |tx| vigil_store::insert_program(tx, &p, 0)),
            )
            .unwrap()
            .id
        })
        .collect()
}

/// Disk cost per sample: Vigil's buffered 30 s flushes against one commit per sweep.
fn disk(rows: &mut Vec<Row>) {
    let seconds = 600i64;
    let measure = |flush_every: i64| -> (f64, f64) {
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(dir.path());
        let ids = register(&store, PROGRAMS);
        let db_size = |d: &std::path::Path| -> u64 {
            checkpoint(d);
            std::fs::metadata(d.join(vigil_store::DB_FILE))
                .unwrap()
                .len()
        };
        let before_size = db_size(dir.path());
        let before = written_bytes();
        let mut batch = Vec::new();
        for ts in 0..seconds {
            for &id in &ids {
                batch.push(Sample {
                    program_id: id,
                    ts: 1_700_000_000 + ts,
                    cpu: 123,
                    mem: 45_678 + ts,
                });
            }
            if (ts + 1) % flush_every == 0 {
                let b = std::mem::take(&mut batch);
                block(
                    store
                        .writer()
                        .write(move |tx| vigil_store::insert_samples(tx, &b)),
                )
                .unwrap();
            }
        }
        let written = written_bytes() - before;
        store.writer().close();
        // Stored: the database's growth with the WAL folded in.
        let stored = db_size(dir.path()).saturating_sub(before_size);
        let n = (seconds as usize * PROGRAMS) as f64;
        (written as f64 / n, stored as f64 / n)
    };
    let (vigil_written, vigil_stored) = measure(30);
    let (each_written, _) = measure(1);
    rows.push(row(
        "bytes written per sample (30 s flushes, 50 programs)",
        format!("{vigil_written:.0} B"),
        format!("{each_written:.0} B committing every 1 s sweep"),
        format!("{:.1}x less", each_written / vigil_written),
        "<= 500 B",
    ));
    rows.push(row(
        "bytes stored per sample (raw + minute + hour rollups)",
        format!("{vigil_stored:.1} B"),
        String::new(),
        String::new(),
        "<= 30 B",
    ));
}

/// Folds the WAL into the database file.
fn checkpoint(dir: &std::path::Path) {
    let conn = vigil_store::Connection::open(dir.join(vigil_store::DB_FILE)).unwrap();
    let _: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .unwrap();
}

/// Chart queries: one of 50 programs, 24 h and 7 d of 1 Hz history.
fn charts(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let now = vigil_engine::now_ms() / 1000;
    {
        let store = open_store(dir.path());
        let ids = register(&store, PROGRAMS);
        // The last 24 h at 1 Hz for all 50 programs (4.3 M samples; raw and rollups), then 6
        // older days as the per-minute history retention keeps (raw is pruned after 2 days).
        let day = 86_400;
        let mut batch = Vec::with_capacity(PROGRAMS * 600);
        for ts in (now - day)..now {
            for &id in &ids {
                batch.push(Sample {
                    program_id: id,
                    ts,
                    cpu: ts % 1000,
                    mem: 50_000 + (ts % 777),
                });
            }
            if batch.len() >= PROGRAMS * 600 {
                let b = std::mem::take(&mut batch);
                block(
                    store
                        .writer()
                        .write(move |tx| vigil_store::insert_samples(tx, &b)),
                )
                .unwrap();
            }
        }
        for ts in ((now - 7 * day)..(now - day)).step_by(60) {
            for &id in &ids {
                batch.push(Sample {
                    program_id: id,
                    ts,
                    cpu: 500,
                    mem: 60_000,
                });
            }
            if batch.len() >= PROGRAMS * 600 {
                let b = std::mem::take(&mut batch);
                block(
                    store
                        .writer()
                        .write(move |tx| vigil_store::insert_samples(tx, &b)),
                )
                .unwrap();
            }
        }
        let b = std::mem::take(&mut batch);
        block(
            store
                .writer()
                .write(move |tx| vigil_store::insert_samples(tx, &b)),
        )
        .unwrap();
        store.writer().close();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let engine = Engine::start(EngineConfig::new(dir.path())).await.unwrap();
        let id = 25;
        for (label, span, target) in [("24 h", 86_400_000i64, "<= 5 ms"), ("7 d", 7 * 86_400_000, "<= 10 ms")] {
            let to = now * 1000;
            let mut times = Vec::new();
            let mut buckets = 0;
            for _ in 0..30 {
                let t = Instant::now();
                buckets = engine
                    .call(GetSamples { id, from: to - span, to, points: Some(500) })
                    .await
                    .unwrap()
                    .len();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            // Baseline: the naive way, every raw row of the range read (what a chart without
            // rollups must do), for the 24 h range where raw rows exist.
            times.sort_by(f64::total_cmp);
            let median = percentile(&times, 0.5);
            let baseline = if span <= 86_400_000 {
                let db = vigil_store::Connection::open(dir.path().join(vigil_store::DB_FILE)).unwrap();
                let t = Instant::now();
                let mut n = 0u64;
                let mut stmt = db
                    .prepare("SELECT ts, cpu, mem FROM samples WHERE program_id = ?1 AND ts >= ?2 AND ts < ?3")
                    .unwrap();
                let mut rows = stmt.query([id, (to - span) / 1000, to / 1000]).unwrap();
                while rows.next().unwrap().is_some() {
                    n += 1;
                }
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                (format!("{ms:.1} ms reading all {n} raw rows"), format!("{:.0}x less", ms / median))
            } else {
                (String::new(), String::new())
            };
            rows.push(row(
                &format!("chart query {label}, 500 points ({buckets} buckets), median of 30"),
                format!("{median:.2} ms"),
                baseline.0,
                baseline.1,
                target,
            ));
        }
        engine.stop().await;
    });
}

/// Exit-to-event latency: the fixture prints the time and exits; we note when the persisted
/// event reaches a listener.
fn exit_latency(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let engine = Engine::start(EngineConfig::new(dir.path())).await.unwrap();
        let p = engine
            .call(AddProgram {
                name: "stamp".into(),
                path: FIXTURE.into(),
                args: vec!["exit-stamp".into()],
                restart: RestartPolicy {
                    mode: RestartMode::Never,
                    ..RestartPolicy::default()
                },
                ..AddProgram::default()
            })
            .await
            .unwrap();
        let mut latencies = Vec::new();
        for _ in 0..50 {
            let status = engine.call(vigil_engine::api::GetStatus {}).await.unwrap();
            let mut events = engine.subscribe(status.last_event_id);
            engine.call(StartProgram { id: p.id }).await.unwrap();
            loop {
                let e = events.next().await.unwrap().unwrap();
                if e.kind == EventKind::ProgramStopped {
                    let received = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos();
                    let tail = engine
                        .call(vigil_engine::api::TailLog {
                            id: p.id,
                            lines: Some(1),
                        })
                        .await
                        .unwrap();
                    let stamp: u128 = tail[0].trim().parse().unwrap();
                    latencies.push((received - stamp) as f64 / 1e6);
                    break;
                }
            }
        }
        latencies.sort_by(f64::total_cmp);
        rows.push(row(
            "exit-to-event latency, launched program (50 exits)",
            format!(
                "p50 {:.1} ms, p99 {:.1} ms",
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99)
            ),
            "~500 ms expected when exits are found by a 1 Hz sweep".into(),
            format!("{:.0}x less", 500.0 / percentile(&latencies, 0.5)),
            "p50 <= 10 ms",
        ));
        engine.stop().await;
    });
}

/// Lateness of lone fires: 5 jobs at staggered seconds (`k-59/5 * * * * *`), so exactly one fires
/// each second, for `VIGIL_BENCH_FIRES` seconds (default 60; 1000 for the full measurement).
/// This is the scheduler's own precision, without the cost of many simultaneous spawns.
fn schedule_single(rows: &mut Vec<Row>) {
    let fires: u64 = std::env::var("VIGIL_BENCH_FIRES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let late = rt.block_on(async {
        let engine = Engine::start(EngineConfig::new(dir.path())).await.unwrap();
        for k in 0..5 {
            let job = serde_json::json!({
                "id": format!("lone-{k}"), "name": "lone", "command": FIXTURE, "args": ["exit", "0"],
                "schedule": format!("{k}-59/5 * * * * *")
            });
            engine
                .call(vigil_engine::api::SaveJob { definition: job, replace: false })
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_secs(fires + 1)).await;
        let mut runs = Vec::new();
        let mut before = None;
        loop {
            let page = engine
                .call(vigil_engine::api::ListRuns { limit: Some(1000), before, ..Default::default() })
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            runs.extend(page);
        }
        engine.stop().await;
        let mut late: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.started_at.map(|s| s.rem_euclid(1000) as f64))
            .collect();
        late.sort_by(f64::total_cmp);
        late
    });
    rows.push(row(
        &format!(
            "schedule lateness, one fire per instant ({} fires)",
            late.len()
        ),
        format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            percentile(&late, 0.5),
            percentile(&late, 0.99)
        ),
        String::new(),
        String::new(),
        "p99 <= 5 ms",
    ));
}

/// Lateness from the cron instant to the process start: 20 jobs firing every second for 50 s
/// (1,000 fires, 20 at each instant), against a bare loop that sleeps to the same instants and
/// spawns the same 20 processes itself.
fn schedule_accuracy(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (vigil, bare) = rt.block_on(async {
        let mut config = EngineConfig::new(dir.path());
        config.max_concurrent_runs = 64;
        let engine = Engine::start(config).await.unwrap();
        for i in 0..20 {
            let job = serde_json::json!({
                "id": format!("tick-{i}"), "name": "tick", "command": FIXTURE, "args": ["exit", "0"],
                "schedule": "* * * * * *", "overlap": "parallel"
            });
            engine
                .call(vigil_engine::api::SaveJob { definition: job, replace: false })
                .await
                .unwrap();
        }
        let started = Instant::now();
        let mut runs = Vec::new();
        while runs.len() < 1000 && started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            runs = engine
                .call(vigil_engine::api::ListRuns { limit: Some(1000), ..Default::default() })
                .await
                .unwrap();
            runs.retain(|r| r.started_at.is_some());
        }
        engine.stop().await;
        let mut late: Vec<f64> = runs
            .iter()
            .take(1000)
            .map(|r| r.started_at.unwrap().rem_euclid(1000) as f64)
            .collect();
        late.sort_by(f64::total_cmp);
        // The bare loop: sleep to each whole second and spawn 20 processes, 10 times.
        let mut bare = Vec::new();
        for _ in 0..10 {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            let next = Duration::from_secs(now.as_secs() + 1);
            tokio::time::sleep(next - now).await;
            let mut children = Vec::new();
            for _ in 0..20 {
                let child = tokio::process::Command::new(FIXTURE)
                    .args(["exit", "0"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
                bare.push((at - next).as_secs_f64() * 1000.0);
                children.push(child);
            }
            for mut c in children {
                let _ = c.wait().await;
            }
        }
        bare.sort_by(f64::total_cmp);
        (late, bare)
    });
    rows.push(row(
        &format!(
            "schedule lateness, cron instant to process start ({} fires, 20 per instant)",
            vigil.len()
        ),
        format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            percentile(&vigil, 0.5),
            percentile(&vigil, 0.99)
        ),
        format!(
            "bare sleep + spawn loop: p50 {:.1} ms, p99 {:.1} ms",
            percentile(&bare, 0.5),
            percentile(&bare, 0.99)
        ),
        format!(
            "{:.1}x the bare p99",
            percentile(&vigil, 0.99) / percentile(&bare, 0.99).max(0.01)
        ),
        "(stress: 20 spawns at once)",
    ));
}

/// 1,000 short runs through the runner with history recorded, against pueue (when installed)
/// running the same 1,000 commands with the same parallelism.
fn throughput(rows: &mut Vec<Row>) {
    let parallel = vigil_engine::default_concurrency();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let vigil_secs = rt.block_on(async {
        let mut config = EngineConfig::new(dir.path());
        config.max_concurrent_runs = parallel;
        let engine = Engine::start(config).await.unwrap();
        let job = serde_json::json!({"id": "short", "name": "short", "command": FIXTURE,
                                     "args": ["exit", "0"], "overlap": "parallel"});
        engine
            .call(vigil_engine::api::SaveJob {
                definition: job,
                replace: false,
            })
            .await
            .unwrap();
        let t = Instant::now();
        for _ in 0..1000 {
            engine
                .call(vigil_engine::api::RunJob {
                    id: "short".into(),
                    options: Default::default(),
                })
                .await
                .unwrap();
        }
        loop {
            let open = engine
                .call(vigil_engine::api::ListRuns {
                    status: Some(vigil_core::RunStatus::Queued),
                    limit: Some(1),
                    ..Default::default()
                })
                .await
                .unwrap()
                .len()
                + engine
                    .call(vigil_engine::api::ListRuns {
                        status: Some(vigil_core::RunStatus::Running),
                        limit: Some(1),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .len();
            if open == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let secs = t.elapsed().as_secs_f64();
        let ok = engine
            .call(vigil_engine::api::ListRuns {
                status: Some(vigil_core::RunStatus::Succeeded),
                limit: Some(1000),
                ..Default::default()
            })
            .await
            .unwrap()
            .len();
        assert_eq!(ok, 1000, "every run succeeded and was recorded");
        engine.stop().await;
        secs
    });
    let (baseline, ratio) = match pueue(parallel) {
        Some(secs) => (
            format!("pueue: {:.0} runs/s ({secs:.1} s)", 1000.0 / secs),
            format!("{:.2}x pueue", secs / vigil_secs),
        ),
        None => (
            "pueue not installed (cargo install pueue)".into(),
            String::new(),
        ),
    };
    rows.push(row(
        &format!("throughput, 1,000 short runs, {parallel} at a time, history recorded"),
        format!("{:.0} runs/s ({vigil_secs:.1} s)", 1000.0 / vigil_secs),
        baseline,
        ratio,
        "",
    ));
}

/// Runs 1,000 fixture commands through pueue: all added to a paused group, then started;
/// timed from the start to the last one done. `None` when pueue is not installed.
fn pueue(parallel: usize) -> Option<f64> {
    let home = std::env::var("HOME").unwrap_or_default();
    let find = |name: &str| -> Option<String> {
        let local = format!("{home}/.cargo/bin/{name}");
        if std::path::Path::new(&local).exists() {
            return Some(local);
        }
        Command::new(name)
            .arg("--version")
            .output()
            .ok()
            .map(|_| name.to_owned())
    };
    let (pueue, pueued) = (find("pueue")?, find("pueued")?);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pueue.yml");
    std::fs::write(
        &config,
        format!(
            "shared:\n  pueue_directory: {0}\n  runtime_directory: {0}\n  use_unix_socket: true\n  unix_socket_path: {0}/pueue.socket\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let mut daemon = Command::new(&pueued)
        .arg("-c")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let cli = |args: &[&str]| {
        Command::new(&pueue)
            .arg("-c")
            .arg(&config)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
    };
    let ready = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        cli(&["status"]).is_ok_and(|s| s.success())
    });
    if !ready {
        let _ = daemon.kill();
        return None;
    }
    let _ = cli(&["parallel", &parallel.to_string()]);
    let _ = cli(&["pause"]);
    for _ in 0..1000 {
        let _ = cli(&["add", "--", FIXTURE, "exit", "0"]);
    }
    let t = Instant::now();
    let _ = cli(&["start"]);
    let _ = cli(&["wait"]);
    let secs = t.elapsed().as_secs_f64();
    let _ = cli(&["shutdown"]);
    let _ = daemon.wait();
    Some(secs)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / nextest listing: nothing to run as a test.
    }
    let started = Instant::now();
    let mut rows = Vec::new();
    // VIGIL_BENCH_ONLY=sweeps,disk,... runs a subset while working on one figure.
    let only = std::env::var("VIGIL_BENCH_ONLY").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    if wanted("sweeps") {
        let (_fleet, pids, procs, threads) = fleet();
        sweeps(&mut rows, &pids, procs, threads);
    }
    if wanted("disk") {
        disk(&mut rows);
    }
    if wanted("charts") {
        charts(&mut rows);
    }
    if wanted("exit") {
        exit_latency(&mut rows);
    }
    if wanted("schedule") {
        schedule_single(&mut rows);
        schedule_accuracy(&mut rows);
    }
    if wanted("throughput") {
        throughput(&mut rows);
    }
    if wanted("outbox") {
        outbox::outbox(&mut rows);
    }
    if wanted("checks") {
        checks::checks(&mut rows);
    }
    if wanted("month") {
        month::month(&mut rows);
    }
    #[cfg(target_os = "linux")]
    if wanted("daemon") {
        daemon::daemon(&mut rows);
    }
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| measure | Vigil | baseline (same run) | ratio | target |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            r.what, r.value, r.baseline, r.ratio, r.target
        );
    }
    println!("{md}");
    eprintln!("bench took {:.0} s", started.elapsed().as_secs_f64());
    if let Ok(path) = std::env::var("VIGIL_BENCH_OUT") {
        let (cpus, model) = machine();
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        let begin = "<!-- bench:begin -->";
        let end = "<!-- bench:end -->";
        let body = format!(
            "{begin}\nMeasured by `cargo xtask bench` on {cpus} cores ({model}), release build.\n\n{md}{end}"
        );
        let doc = match (doc.find(begin), doc.find(end)) {
            (Some(a), Some(b)) => format!("{}{}{}", &doc[..a], body, &doc[b + end.len()..]),
            _ => format!("{doc}\n{body}\n"),
        };
        std::fs::write(&path, doc).unwrap();
    }
}

fn machine() -> (usize, String) {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    (cpus, model)
}
