//! 200 checks at a 10 s interval (each a real plugin process): the engine's own CPU share,
//! which excludes the plugins' processes, and how evenly the starts spread over the interval.
//! The baseline, in the same run, is a bare loop spawning the same 200 processes at the top of
//! each interval and waiting for them (the least a scheduler can do; it starts all at once).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use vigil_engine::api::{CreateCheck, ListCheckHistory};
use vigil_engine::{Engine, EngineConfig};

use super::{FIXTURE, Row, row};

const CHECKS: usize = 200;
const INTERVAL_SECS: u64 = 10;
const WINDOW: Duration = Duration::from_secs(40);

/// CPU time of this process (all its threads, not its children), in seconds.
fn own_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // After the name: state(0) ... utime(11) stime(12), in clock ticks (100 Hz on Linux).
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

/// Most starts in any one second, from start times in ms.
fn busiest_second(starts: &[i64]) -> usize {
    let mut per: BTreeMap<i64, usize> = BTreeMap::new();
    for s in starts {
        *per.entry(s.div_euclid(1000)).or_default() += 1;
    }
    per.values().copied().max().unwrap_or(0)
}

pub fn checks(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("plugins").join("ok");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("plugin.json"),
        serde_json::json!({
            "name": "ok", "version": "1", "kind": "check",
            "command": {"unix": [FIXTURE, "say", "0", "OK - fine|t=1ms"], "windows": [FIXTURE, "say", "0", "OK"]},
        })
        .to_string(),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (vigil_cpu, vigil_starts, runs) = rt.block_on(async {
        let engine = Engine::start(EngineConfig::new(dir.path())).await.unwrap();
        let mut ids = Vec::new();
        for i in 0..CHECKS {
            let check: vigil_core::Check = serde_json::from_value(serde_json::json!({
                "name": format!("check-{i}"),
                "probe": {"type": "plugin", "plugin": "ok"},
                "interval_secs": INTERVAL_SECS, "timeout_secs": 5, "retries": 0
            }))
            .unwrap();
            ids.push(engine.call(CreateCheck(check)).await.unwrap().id);
        }
        // Let the first interval pass (every check has started once), then measure.
        tokio::time::sleep(Duration::from_secs(INTERVAL_SECS)).await;
        let from = vigil_engine::now_ms();
        let cpu0 = own_cpu_secs();
        tokio::time::sleep(WINDOW).await;
        let cpu = own_cpu_secs() - cpu0;
        let to = vigil_engine::now_ms();
        let mut starts = Vec::new();
        for id in ids {
            let history = engine
                .call(ListCheckHistory {
                    id,
                    before: None,
                    limit: Some(100),
                })
                .await
                .unwrap();
            // A run's start: its end less its duration.
            starts.extend(
                history
                    .iter()
                    .map(|r| r.ts - r.duration_ms)
                    .filter(|s| (from..to).contains(s)),
            );
        }
        engine.stop().await;
        let runs = starts.len();
        (cpu, starts, runs)
    });
    // The bare loop alone, then again beside an engine with no checks at all: the second
    // tells how much of the engine's figure is its monitor noticing 20 new processes a second
    // (every process on the machine is watched for, plugins' too), not the checks.
    let bare = |with_engine: bool| {
        let dir = tempfile::tempdir().unwrap();
        rt.block_on(async move {
            let engine = if with_engine {
                Some(Engine::start(EngineConfig::new(dir.path())).await.unwrap())
            } else {
                None
            };
            let cpu0 = own_cpu_secs();
            let started = Instant::now();
            let mut round = 0u32;
            while started.elapsed() < WINDOW {
                round += 1;
                let mut children = Vec::new();
                for _ in 0..CHECKS {
                    children.push(
                        tokio::process::Command::new(FIXTURE)
                            .args(["say", "0", "OK - fine|t=1ms"])
                            .stdout(std::process::Stdio::piped())
                            .stderr(std::process::Stdio::piped())
                            .spawn()
                            .unwrap(),
                    );
                }
                for c in children {
                    let _ = c.wait_with_output().await;
                }
                let next = started + Duration::from_secs(INTERVAL_SECS) * round;
                tokio::time::sleep_until(next.into()).await;
            }
            let cpu = own_cpu_secs() - cpu0;
            if let Some(e) = engine {
                e.stop().await;
            }
            cpu
        })
    };
    let bare_cpu = bare(false);
    let idle_engine_cpu = bare(true) - bare_cpu;
    let secs = WINDOW.as_secs_f64();
    let share = CHECKS as f64 / INTERVAL_SECS as f64;
    rows.push(row(
        &format!("{CHECKS} checks at a {INTERVAL_SECS} s interval (real plugin processes): the engine's own CPU, plugins excluded ({runs} runs in {secs:.0} s)"),
        format!("{:.2}% of a core", vigil_cpu / secs * 100.0),
        format!("bare spawn-and-wait loop: {:.2}% of a core", bare_cpu / secs * 100.0),
        format!("{:.2}x", vigil_cpu / bare_cpu.max(0.001)),
        "(scheduling, logging, metrics and events on top of the spawns)",
    ));
    rows.push(row(
        &format!("an engine with no checks beside that bare loop (its monitor sees {share:.0} new processes a second)"),
        format!("{:.2}% of a core", idle_engine_cpu / secs * 100.0),
        format!("the checks' figure: {:.2}%", vigil_cpu / secs * 100.0),
        format!("{:.0}% of it", idle_engine_cpu / vigil_cpu.max(0.001) * 100.0),
        "(the part of the checks' cost that is process churn, not checks)",
    ));
    rows.push(row(
        &format!("{CHECKS} checks at a {INTERVAL_SECS} s interval: the most starts in one second"),
        format!("{} (share {share:.0})", busiest_second(&vigil_starts)),
        format!("bare loop: {CHECKS} (all at once)"),
        format!(
            "{:.2}x its share",
            busiest_second(&vigil_starts) as f64 / share
        ),
        "no second gets more than its share (1.0x, rounding aside)",
    ));
}
