//! The built-in checks that need no process: HTTP(S), TCP connect, new lines of a log file
//! matching a pattern, free disk space, and (on Windows) a program's hung windows.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use vigil_core::{CheckAnswer, CheckStatus, Metric};

/// Most body bytes an HTTP check reads to look for its text.
const MAX_BODY: usize = 1024 * 1024;
/// Most new bytes of a log file read per look (the rest waits for the next).
pub(crate) const MAX_LOG_READ: u64 = 4 * 1024 * 1024;

fn ms_metric(label: &str, d: Duration) -> Metric {
    Metric {
        label: label.into(),
        value: (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        unit: "ms".into(),
        warn: None,
        crit: None,
    }
}

fn slow(took: Duration, warn_ms: Option<u64>, crit_ms: Option<u64>) -> Option<CheckStatus> {
    let ms = took.as_millis();
    if crit_ms.is_some_and(|c| ms > u128::from(c)) {
        Some(CheckStatus::Critical)
    } else if warn_ms.is_some_and(|w| ms > u128::from(w)) {
        Some(CheckStatus::Warning)
    } else {
        None
    }
}

/// An HTTP(S) GET.
pub(crate) async fn http(
    client: &reqwest::Client,
    url: &str,
    expect_status: Option<u16>,
    body_contains: Option<&str>,
    warn_ms: Option<u64>,
    crit_ms: Option<u64>,
    timeout: Duration,
) -> CheckAnswer {
    let started = Instant::now();
    let sent = client.get(url).timeout(timeout).send().await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                format!("no answer within {} s", timeout.as_secs_f64())
            } else {
                crate::root_cause(&e)
            };
            return CheckAnswer::new(CheckStatus::Critical, format!("HTTP {url}: {why}"));
        }
    };
    let code = resp.status().as_u16();
    let status_ok = match expect_status {
        Some(want) => code == want,
        None => resp.status().is_success(),
    };
    let mut answer = if !status_ok {
        CheckAnswer::new(
            CheckStatus::Critical,
            format!(
                "HTTP {url}: status {code}, expected {}",
                expect_status.map_or("2xx".to_owned(), |s| s.to_string())
            ),
        )
    } else if let Some(text) = body_contains {
        // Each chunk is searched with the tail of the one before (a match may straddle two),
        // never the whole body again.
        let needle = text.as_bytes();
        let mut tail: Vec<u8> = Vec::new();
        let mut read = 0usize;
        let mut found = false;
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout(timeout, resp.chunk()).await {
            read += chunk.len();
            tail.extend_from_slice(&chunk);
            if tail.windows(needle.len()).any(|w| w == needle) {
                found = true;
                break;
            }
            let keep = needle.len().saturating_sub(1).min(tail.len());
            tail.drain(..tail.len() - keep);
            if read > MAX_BODY {
                break;
            }
        }
        if found {
            CheckAnswer::new(
                CheckStatus::Ok,
                format!("HTTP {url}: status {code}, text found"),
            )
        } else {
            CheckAnswer::new(
                CheckStatus::Critical,
                format!("HTTP {url}: status {code}, but the body lacks {text:?}"),
            )
        }
    } else {
        CheckAnswer::new(CheckStatus::Ok, format!("HTTP {url}: status {code}"))
    };
    let took = started.elapsed();
    if answer.status == CheckStatus::Ok
        && let Some(s) = slow(took, warn_ms, crit_ms)
    {
        answer.status = s;
        answer.message = format!("{} but slow: {} ms", answer.message, took.as_millis());
    }
    answer.metrics.push(ms_metric("time", took));
    answer
}

/// A TCP connection.
pub(crate) async fn tcp(
    host: &str,
    port: u16,
    warn_ms: Option<u64>,
    timeout: Duration,
) -> CheckAnswer {
    let started = Instant::now();
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => {
            let took = started.elapsed();
            let mut a = CheckAnswer::new(
                CheckStatus::Ok,
                format!("TCP {host}:{port}: connected in {} ms", took.as_millis()),
            );
            if slow(took, warn_ms, None).is_some() {
                a.status = CheckStatus::Warning;
            }
            a.metrics.push(ms_metric("time", took));
            a
        }
        Ok(Err(e)) => CheckAnswer::new(CheckStatus::Critical, format!("TCP {host}:{port}: {e}")),
        Err(_) => CheckAnswer::new(
            CheckStatus::Critical,
            format!(
                "TCP {host}:{port}: not connected within {} s",
                timeout.as_secs_f64()
            ),
        ),
    }
}

/// Reads what was added to a log file since `offset` (at most [`MAX_LOG_READ`]) and looks for
/// `pattern` in its lines. The first look starts at the end (only new lines count). A file
/// that shrank was rotated or truncated: reading starts again at its beginning. Returns the
/// answer and the offset to continue from.
pub(crate) fn log_file(
    path: &Path,
    pattern: &regex::Regex,
    on_match: CheckStatus,
    offset: Option<u64>,
) -> (CheckAnswer, Option<u64>) {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return (
                CheckAnswer::new(
                    CheckStatus::Unknown,
                    format!("cannot read {}: {e}", path.display()),
                ),
                None,
            );
        }
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let Some(from) = offset else {
        return (
            CheckAnswer::new(
                CheckStatus::Ok,
                format!("watching {} from its end ({len} bytes)", path.display()),
            ),
            Some(len),
        );
    };
    let from = if len < from { 0 } else { from };
    let want = (len - from).min(MAX_LOG_READ);
    let mut bytes = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
    if file.seek(SeekFrom::Start(from)).is_err()
        || (&mut file).take(want).read_to_end(&mut bytes).is_err()
    {
        return (
            CheckAnswer::new(
                CheckStatus::Unknown,
                format!("cannot read {}", path.display()),
            ),
            Some(from),
        );
    }
    // Only whole lines count; a line still being written is read next time.
    let whole = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => i + 1,
        None if want == MAX_LOG_READ => bytes.len(),
        None => 0,
    };
    let text = String::from_utf8_lossy(&bytes[..whole]);
    let mut matches = 0u64;
    let mut first = None;
    for line in text.lines() {
        if pattern.is_match(line) {
            matches += 1;
            if first.is_none() {
                first = Some(line.chars().take(300).collect::<String>());
            }
        }
    }
    let next = from + whole as u64;
    let mut answer = match first {
        Some(line) => CheckAnswer::new(
            on_match,
            format!("{matches} new line(s) of {} match: {line}", path.display()),
        ),
        None => CheckAnswer::new(
            CheckStatus::Ok,
            format!("no new line of {} matches", path.display()),
        ),
    };
    answer.metrics.push(Metric {
        label: "matches".into(),
        value: matches as f64,
        unit: String::new(),
        warn: None,
        crit: None,
    });
    (answer, Some(next))
}

/// Free space of the disk holding `path`, asked of the OS for that path itself (so a network
/// share or a memory file system is measured, not the disk it is mounted on).
pub(crate) fn disk(path: &Path, warn_free: f64, crit_free: f64) -> CheckAnswer {
    let (total, available) = match crate::platform::disk_space(path) {
        Ok(s) => s,
        Err(e) => {
            return CheckAnswer::new(
                CheckStatus::Unknown,
                format!("cannot read the disk of {}: {e}", path.display()),
            );
        }
    };
    if total == 0 {
        return CheckAnswer::new(
            CheckStatus::Unknown,
            format!("{} reports no size", path.display()),
        );
    }
    let free = available as f64 / total as f64 * 100.0;
    let status = if free < crit_free {
        CheckStatus::Critical
    } else if free < warn_free {
        CheckStatus::Warning
    } else {
        CheckStatus::Ok
    };
    let mut a = CheckAnswer::new(
        status,
        format!(
            "{}: {free:.1}% free ({} of {} MiB)",
            path.display(),
            available / (1024 * 1024),
            total / (1024 * 1024)
        ),
    );
    a.metrics.push(Metric {
        label: "free".into(),
        value: (free * 10.0).round() / 10.0,
        unit: "%".into(),
        warn: Some(format!("{warn_free}:")),
        crit: Some(format!("{crit_free}:")),
    });
    a
}

pub(crate) use crate::platform::Window;

/// The verdict on a program's windows: CRITICAL when any of its processes' windows is hung,
/// OK when it has windows and none is, UNKNOWN when it has none (or is not running).
pub(crate) fn hung_verdict(name: &str, pids: &[u32], windows: &[Window]) -> CheckAnswer {
    if pids.is_empty() {
        return CheckAnswer::new(CheckStatus::Unknown, format!("{name} is not running"));
    }
    let mine: Vec<&Window> = windows.iter().filter(|w| pids.contains(&w.pid)).collect();
    if mine.is_empty() {
        return CheckAnswer::new(
            CheckStatus::Unknown,
            format!("{name} has no window to look at"),
        );
    }
    let hung: Vec<&&Window> = mine.iter().filter(|w| w.hung).collect();
    let mut a = match hung.first() {
        Some(w) => CheckAnswer::new(
            CheckStatus::Critical,
            format!(
                "{name} is not responding: window {:?} (pid {}) is hung",
                w.title, w.pid
            ),
        ),
        None => CheckAnswer::new(
            CheckStatus::Ok,
            format!("{name} responds ({} window(s))", mine.len()),
        ),
    };
    a.metrics.push(Metric {
        label: "hung_windows".into(),
        value: hung.len() as f64,
        unit: String::new(),
        warn: None,
        crit: None,
    });
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hung_verdict_reads_its_inputs() {
        let w = |pid, hung| Window {
            pid,
            title: format!("w{pid}"),
            hung,
        };
        assert_eq!(
            hung_verdict("app", &[], &[w(1, true)]).status,
            CheckStatus::Unknown
        );
        assert_eq!(
            hung_verdict("app", &[5], &[w(1, true)]).status,
            CheckStatus::Unknown
        );
        let ok = hung_verdict("app", &[1, 2], &[w(1, false), w(2, false), w(3, true)]);
        assert_eq!(ok.status, CheckStatus::Ok);
        assert!(ok.message.contains("2 window"));
        let bad = hung_verdict("app", &[1, 2], &[w(1, false), w(2, true)]);
        assert_eq!(bad.status, CheckStatus::Critical);
        assert!(bad.message.contains("\"w2\" (pid 2)"), "{}", bad.message);
        assert_eq!(bad.metrics[0].value, 1.0);
    }

    #[test]
    fn a_log_file_is_read_from_its_end_then_only_new_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, "ERROR old\n").unwrap();
        let re = regex::Regex::new("ERROR").unwrap();
        let (a, at) = log_file(&path, &re, CheckStatus::Critical, None);
        assert_eq!((a.status, at), (CheckStatus::Ok, Some(10)));
        let append = |s: &str| {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap()
                .write_all(s.as_bytes())
                .unwrap();
        };
        append("fine\nERROR new one\nERROR half");
        let (a, at) = log_file(&path, &re, CheckStatus::Critical, at);
        assert_eq!(a.status, CheckStatus::Critical);
        assert!(
            a.message.starts_with("1 new line(s)") && a.message.ends_with("ERROR new one"),
            "{}",
            a.message
        );
        append(" done\n");
        let (a, at) = log_file(&path, &re, CheckStatus::Warning, at);
        assert_eq!(
            a.status,
            CheckStatus::Warning,
            "the half line counts once whole"
        );
        let (a, at) = log_file(&path, &re, CheckStatus::Warning, at);
        assert_eq!(a.status, CheckStatus::Ok);
        // Rotated: smaller than where we were, read from the start.
        std::fs::write(&path, "ERROR after rotation\n").unwrap();
        let (a, _) = log_file(&path, &re, CheckStatus::Critical, at);
        assert_eq!(a.status, CheckStatus::Critical);
        let (a, at) = log_file(
            &dir.path().join("nope"),
            &re,
            CheckStatus::Critical,
            Some(3),
        );
        assert_eq!((a.status, at), (CheckStatus::Unknown, None));
    }

    #[test]
    fn disk_space_is_read_for_the_disk_holding_the_path() {
        let a = disk(Path::new("."), 0.0, 0.0);
        assert_eq!(a.status, CheckStatus::Ok, "{a:?}");
        assert_eq!(a.metrics[0].unit, "%");
        let a = disk(Path::new("."), 100.1, 100.1);
        assert_eq!(a.status, CheckStatus::Critical, "{a:?}");
        let a = disk(Path::new("/no/such/path/here"), 10.0, 5.0);
        assert_eq!(a.status, CheckStatus::Unknown);
    }
}
