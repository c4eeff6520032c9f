//! `vigil-fixture MODE [ARGS]`: one process per behaviour Vigil must cope with, the same on
//! Linux and Windows so the supervision tests also run cross-built under Wine.
//!
//! Modes:
//! - `sleep SECS`: sleeps, then exits 0.
//! - `exit CODE [DELAY_MS]`: prints a line to stdout and stderr, then exits with CODE.
//! - `print N [DELAY_MS]`: prints N numbered lines (stdout, every tenth to stderr), then sleeps.
//! - `burn [SECS]`: keeps one core busy (default: until killed).
//! - `grow MB_PER_SEC [MAX_MB]`: allocates and touches memory, then holds it.
//! - `spawn N`: starts N `sleep 3600` children of itself, prints their pids, then sleeps.
//! - `spawn-exit N`: starts N `sleep 3600` children and exits at once (orphaning them).
//! - `ignore-stop [SECS]`: ignores Ctrl-C, SIGTERM and Ctrl-Break; only a kill ends it.
//! - `pid-file PATH SECS`: writes its pid to PATH, then sleeps.
//! - `threads N [SECS]`: starts N idle threads, then sleeps (for benchmarks' busy process table).
//! - `fail-once PATH`: exits 1 and creates PATH when PATH is missing; exits 0 after.
//! - `exit-stamp`: prints the unix time in nanoseconds and exits 0 at once (exit latency).
//! - `args ARG...`: prints each argument hex-encoded on its own line (`arg <hex>`), then `args N`.
//! - `say CODE LINE...`: prints each LINE on its own line and exits with CODE (a Nagios plugin;
//!   it never reads its stdin).
//! - `flood MB`: prints `FLOOD OK|mb=MB` then MB megabytes of lines, and exits 0.
//! - `abort`: prints half a line and aborts (a crash).
//! - `record PATH`: appends its stdin and a newline to PATH, then answers Vigil's protocol with
//!   `{"status":"ok",...}`; with `fail` after PATH it answers `critical` and exits 1.
//! - `fail-until PATH`: exits 7 (not a Nagios status) while PATH is missing, then answers OK.
//! - `flap PATH`: answers CRITICAL and creates PATH when it is missing, OK and removes it
//!   when it exists: each run the other answer.
//! - `spawn-file PATH N`: starts N `sleep 3600` children, writes their pids to PATH (one per
//!   line), then sleeps (a plugin that hangs with a tree).

use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn sleep_secs(secs: u64) {
    std::thread::sleep(Duration::from_secs(secs));
}

fn spawn_sleepers(n: usize) -> Vec<u32> {
    let Ok(me) = std::env::current_exe() else {
        return Vec::new();
    };
    (0..n)
        .filter_map(|_| {
            Command::new(&me)
                .args(["sleep", "3600"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()
                .map(|c| c.id())
        })
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("");
    let mut out = std::io::stdout();
    match mode {
        "sleep" => sleep_secs(arg(&args, 1, 3600)),
        "exit" => {
            let code: u8 = arg(&args, 1, 1);
            std::thread::sleep(Duration::from_millis(arg(&args, 2, 0)));
            let _ = writeln!(out, "fixture exiting with {code}");
            eprintln!("fixture: last words before exit {code}");
            return ExitCode::from(code);
        }
        "print" => {
            let n: u64 = arg(&args, 1, 10);
            let delay = Duration::from_millis(arg(&args, 2, 0));
            for i in 1..=n {
                if i % 10 == 0 {
                    eprintln!("line {i} (stderr)");
                } else {
                    let _ = writeln!(out, "line {i}");
                }
                if !delay.is_zero() {
                    let _ = out.flush();
                    std::thread::sleep(delay);
                }
            }
            let _ = out.flush();
            sleep_secs(3600);
        }
        "burn" => {
            let secs: u64 = arg(&args, 1, u64::MAX / 2);
            let until = Instant::now() + Duration::from_secs(secs.min(86_400 * 365));
            let mut x: u64 = 1;
            while Instant::now() < until {
                for _ in 0..100_000 {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                std::hint::black_box(x);
            }
        }
        "grow" => {
            let per_sec: usize = arg(&args, 1, 10);
            let max: usize = arg(&args, 2, 512);
            let mut held: Vec<Vec<u8>> = Vec::new();
            while held.len() * per_sec < max {
                // Touch every page so the memory is resident, not just reserved.
                held.push(vec![1u8; per_sec * 1024 * 1024]);
                std::thread::sleep(Duration::from_secs(1));
            }
            std::hint::black_box(&held);
            sleep_secs(3600);
        }
        "spawn" | "spawn-exit" => {
            let pids = spawn_sleepers(arg(&args, 1, 2));
            for pid in &pids {
                let _ = writeln!(out, "child {pid}");
            }
            let _ = out.flush();
            if mode == "spawn" {
                sleep_secs(3600);
            }
        }
        "ignore-stop" => {
            if let Err(e) = ctrlc::set_handler(|| {}) {
                eprintln!("fixture: cannot ignore stop signals: {e}");
                return ExitCode::from(70);
            }
            let _ = writeln!(out, "ignoring stop requests");
            let _ = out.flush();
            sleep_secs(arg(&args, 1, 3600));
        }
        "threads" => {
            let n: usize = arg(&args, 1, 10);
            let secs: u64 = arg(&args, 2, 3600);
            let _threads: Vec<_> = (0..n)
                .filter_map(|_| {
                    std::thread::Builder::new()
                        .stack_size(64 * 1024)
                        .spawn(move || sleep_secs(secs))
                        .ok()
                })
                .collect();
            sleep_secs(secs);
        }
        "args" => {
            // Each argument on its own line, hex-encoded, so a test can check byte for byte
            // what arrived (quotes, spaces, `&`, newlines and all).
            for a in &args[1..] {
                let _ = writeln!(out, "arg {}", hex::encode(a.as_bytes()));
            }
            let _ = writeln!(out, "args {}", args.len() - 1);
            let _ = out.flush();
        }
        "exit-stamp" => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let _ = writeln!(out, "{nanos}");
            let _ = out.flush();
        }
        "fail-once" => {
            // Fails (exit 1) when the marker file is missing, creating it; succeeds after.
            let Some(path) = args.get(1) else {
                eprintln!("fixture: fail-once needs a path");
                return ExitCode::from(2);
            };
            if std::fs::metadata(path).is_err() {
                let _ = std::fs::write(path, "failed once");
                eprintln!("fixture: failing the first time");
                return ExitCode::from(1);
            }
        }
        "say" => {
            let code: u8 = arg(&args, 1, 0);
            for line in args.iter().skip(2) {
                let _ = writeln!(out, "{line}");
            }
            let _ = out.flush();
            return ExitCode::from(code);
        }
        "flood" => {
            let mb: usize = arg(&args, 1, 10);
            let _ = writeln!(out, "FLOOD OK|mb={mb}");
            let line = "x".repeat(1023);
            for _ in 0..mb * 1024 {
                if writeln!(out, "{line}").is_err() {
                    break;
                }
            }
            let _ = out.flush();
        }
        "abort" => {
            let _ = write!(out, "half a li");
            let _ = out.flush();
            std::process::abort();
        }
        "record" => {
            let Some(path) = args.get(1) else {
                eprintln!("fixture: record needs a path");
                return ExitCode::from(2);
            };
            let mut input = String::new();
            let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut input);
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{}", input.trim()));
            if let Err(e) = appended {
                eprintln!("fixture: cannot write {path}: {e}");
                return ExitCode::from(2);
            }
            if args.get(2).is_some_and(|a| a == "fail") {
                let _ = writeln!(
                    out,
                    r#"{{"status":"critical","message":"recorded, then failed on purpose"}}"#
                );
                return ExitCode::from(1);
            }
            let _ = writeln!(
                out,
                r#"{{"status":"ok","message":"recorded {} bytes","metrics":[{{"label":"bytes","value":{}}}]}}"#,
                input.len(),
                input.len()
            );
        }
        "fail-until" => {
            let Some(path) = args.get(1) else {
                return ExitCode::from(2);
            };
            if std::fs::metadata(path).is_err() {
                let _ = writeln!(out, "broken until {path} exists");
                return ExitCode::from(7);
            }
            let _ = writeln!(out, "OK - fixed");
        }
        "flap" => {
            let Some(path) = args.get(1) else {
                return ExitCode::from(2);
            };
            if std::fs::metadata(path).is_ok() {
                let _ = std::fs::remove_file(path);
                let _ = writeln!(out, "OK - flap up|state=0");
            } else {
                let _ = std::fs::write(path, "down");
                let _ = writeln!(out, "CRITICAL - flap down|state=1");
                return ExitCode::from(2);
            }
        }
        "spawn-file" => {
            let Some(path) = args.get(1) else {
                return ExitCode::from(2);
            };
            let pids = spawn_sleepers(arg(&args, 2, 2));
            let text: Vec<String> = pids.iter().map(u32::to_string).collect();
            let _ = std::fs::write(path, text.join("\n"));
            sleep_secs(3600);
        }
        "pid-file" => {
            let Some(path) = args.get(1) else {
                eprintln!("fixture: pid-file needs a path");
                return ExitCode::from(2);
            };
            if let Err(e) = std::fs::write(path, std::process::id().to_string()) {
                eprintln!("fixture: cannot write {path}: {e}");
                return ExitCode::from(2);
            }
            sleep_secs(arg(&args, 2, 3600));
        }
        other => {
            eprintln!("fixture: unknown mode {other:?}; see the crate docs for the modes");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
