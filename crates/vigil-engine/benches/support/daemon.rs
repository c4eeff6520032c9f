//! The whole daemon as a user runs it: CPU share and resident memory of the `vigil daemon`
//! process, idle and with launched programs and a client reading statuses once a second; and
//! at scale (500 programs, 1,000 jobs): the status read's p99 and the start-up time to an
//! answering API. Needs `target/release/vigil` (`cargo xtask bench` builds it first).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{FIXTURE, Row, row};

fn vigil_bin() -> Option<PathBuf> {
    let dir = Path::new(FIXTURE).parent()?;
    let bin = dir.join(if cfg!(windows) { "vigil.exe" } else { "vigil" });
    bin.exists().then_some(bin)
}

struct Daemon {
    child: Child,
    addr: String,
    token: String,
}

impl Drop for Daemon {
    /// A polite stop (SIGTERM), so the daemon stops the programs it launched, then a kill.
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(60) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &Path, dir: &Path) -> (Daemon, Duration) {
    let _ = std::fs::remove_file(dir.join("endpoint"));
    let t = Instant::now();
    let child = Command::new(bin)
        .args([
            "--data-dir",
            &dir.display().to_string(),
            "daemon",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("VIGIL_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = loop {
        if let Ok(a) = std::fs::read_to_string(dir.join("endpoint"))
            && !a.trim().is_empty()
        {
            break a.trim().to_owned();
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let token = std::fs::read_to_string(dir.join("api-token"))
        .unwrap()
        .trim()
        .to_owned();
    let d = Daemon { child, addr, token };
    // Ready: the API answers.
    while d.request("GET", "/api/status", None).0 != 200 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let ready = t.elapsed();
    (d, ready)
}

impl Daemon {
    /// One HTTP/1.1 request on a fresh connection: (status, body).
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let Ok(mut s) = TcpStream::connect(&self.addr) else {
            return (0, String::new());
        };
        let body = body.unwrap_or("");
        let _ = write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.token,
            body.len()
        );
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        let status = out
            .split_ascii_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = out
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let rest = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<u64> = rest
            .split_ascii_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        // After the state letter: utime and stime are the 11th and 12th numbers.
        f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0)
    }

    fn status_kib(&self, key: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_ascii_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// CPU share (percent of one core) over `secs`, reading statuses once a second if asked.
    fn cpu_share(&self, secs: u64, client: bool) -> f64 {
        let t0 = Instant::now();
        let c0 = self.cpu_ticks();
        for i in 1..=secs {
            if client {
                self.request("GET", "/api/programs/status", None);
            }
            let next = t0 + Duration::from_secs(i);
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        let ticks = self.cpu_ticks() - c0;
        ticks as f64 / 100.0 / t0.elapsed().as_secs_f64() * 100.0
    }

    fn register(&self, n: usize, jobs: usize) {
        for i in 0..n {
            let body = format!(r#"{{"name":"p{i}","path":"{FIXTURE}","args":["sleep","3600"]}}"#);
            let (code, added) = self.request("POST", "/api/programs", Some(&body));
            assert_eq!(code, 201, "{added}");
            let id = added
                .split("\"id\":")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .unwrap_or("0")
                .to_owned();
            let (code, answer) = self.request("POST", &format!("/api/programs/{id}/start"), None);
            assert_eq!(code, 200, "{answer}");
        }
        for i in 0..jobs {
            let body = format!(
                r#"{{"id":"job-{i}","name":"job {i}","command":"{FIXTURE}","args":["exit","0"],"schedule":"0 0 1 1 *"}}"#
            );
            assert_eq!(self.request("POST", "/api/jobs", Some(&body)).0, 201);
        }
        // Wait until every program runs.
        let t = Instant::now();
        loop {
            let (_, body) = self.request("GET", "/api/programs/status", None);
            if body.matches("\"running\"").count() >= n {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "programs did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

pub(crate) fn daemon(rows: &mut Vec<Row>) {
    let Some(bin) = vigil_bin() else {
        rows.push(row(
            "whole daemon (idle; 50 programs with a 1 Hz status client)",
            "not measured: target/release/vigil missing (cargo xtask bench builds it)".into(),
            String::new(),
            String::new(),
            "",
        ));
        return;
    };
    let secs: u64 = std::env::var("VIGIL_BENCH_DAEMON_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let size_mib = std::fs::metadata(&bin).map_or(0.0, |m| m.len() as f64 / 1048576.0);

    let dir = tempfile::tempdir().unwrap();
    let (d, _) = start(&bin, dir.path());
    std::thread::sleep(Duration::from_secs(2));
    let idle = d.cpu_share(secs, false);
    let idle_rss = d.status_kib("VmRSS:");
    rows.push(row(
        &format!("whole daemon idle, no programs ({secs} s)"),
        format!(
            "{idle:.3}% of a core, {:.1} MB resident",
            idle_rss as f64 / 1000.0
        ),
        format!("binary {size_mib:.1} MiB"),
        String::new(),
        "<= 0.02%",
    ));
    d.register(50, 0);
    std::thread::sleep(Duration::from_secs(6));
    let busy = d.cpu_share(secs, true);
    let (rss, anon, file) = (
        d.status_kib("VmRSS:"),
        d.status_kib("RssAnon:"),
        d.status_kib("RssFile:"),
    );
    rows.push(row(
        &format!("whole daemon, 50 launched programs, statuses read each second ({secs} s)"),
        format!(
            "{busy:.3}% of a core, {:.1} MB resident",
            rss as f64 / 1000.0
        ),
        format!(
            "resident = {:.1} MB heap and stacks + {:.1} MB mapped files (binary, libraries)",
            anon as f64 / 1000.0,
            file as f64 / 1000.0
        ),
        String::new(),
        "<= 0.10%, <= 12 MB",
    ));
    drop(d);

    // Scale: 500 programs and 1,000 jobs.
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = start(&bin, dir.path());
    d.register(500, 1000);
    std::thread::sleep(Duration::from_secs(6));
    let mut took: Vec<f64> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let (code, _) = d.request("GET", "/api/programs/status", None);
            assert_eq!(code, 200);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    took.sort_by(f64::total_cmp);
    let scale_cpu = d.cpu_share(secs.min(30), false);
    let scale_rss = d.status_kib("VmRSS:");
    rows.push(row(
        "500 launched programs, 1,000 jobs: GET /api/programs/status (200 reads)",
        format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            super::percentile(&took, 0.5),
            super::percentile(&took, 0.99)
        ),
        format!(
            "daemon {scale_cpu:.2}% of a core, {:.1} MB resident",
            scale_rss as f64 / 1000.0
        ),
        String::new(),
        "",
    ));
    // Start-up to an answering API with this data dir (programs are launched again).
    drop(d);
    let db = std::fs::metadata(dir.path().join("vigil.db")).map_or(0, |m| m.len());
    let (d, ready) = start(&bin, dir.path());
    rows.push(row(
        "start-up to API ready, 500 programs and 1,000 jobs",
        format!("{:.0} ms", ready.as_secs_f64() * 1000.0),
        format!("database {:.1} MiB", db as f64 / 1048576.0),
        String::new(),
        "",
    ));
    drop(d);

    // Start-up with a 1 GB database: 300 programs' raw samples over the last two days (what
    // the default retention keeps), written through the store's own functions.
    let target_mb: u64 = std::env::var("VIGIL_BENCH_BIG_DB_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let big = tempfile::tempdir().unwrap();
    let written = fill_samples(big.path(), target_mb);
    let (d, ready) = start(&bin, big.path());
    rows.push(row(
        &format!(
            "start-up to API ready with a {} MiB database",
            written / 1048576
        ),
        format!("{:.0} ms", ready.as_secs_f64() * 1000.0),
        "300 programs, 2 days of 1 Hz samples".into(),
        String::new(),
        "",
    ));
    drop(d);
}

/// Writes samples until the database reaches `target_mb`; returns its size in bytes.
fn fill_samples(dir: &Path, target_mb: u64) -> u64 {
    let store = super::open_store(dir);
    let ids = super::register(&store, 300);
    let now_s = vigil_engine::now_ms() / 1000;
    let db = dir.join(vigil_store::DB_FILE);
    let size = || {
        ["", "-wal"]
            .iter()
            .map(|x| std::fs::metadata(format!("{}{x}", db.display())).map_or(0, |m| m.len()))
            .sum::<u64>()
    };
    let mut ts = now_s - 2 * 86_400 + 60;
    while size() < target_mb * 1048576 && ts < now_s {
        let mut batch = Vec::with_capacity(100 * ids.len());
        for _ in 0..100 {
            for &program_id in &ids {
                batch.push(vigil_store::Sample {
                    program_id,
                    ts,
                    cpu: ts % 97,
                    mem: 40_000 + (ts % 1000),
                });
            }
            ts += 1;
        }
        super::block(
            store
                .writer()
                .write(move |tx| vigil_store::insert_samples(tx, &batch)),
        )
        .unwrap();
    }
    store.writer().close();
    drop(store);
    size()
}
