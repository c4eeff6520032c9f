//! Output of launched programs: size-capped rotating files, the last lines in memory (for crash
//! events), and a live feed for listeners.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use vigil_core::ProgramId;
use vigil_core::sync::lock;

use crate::appender::{Appender, FileSink, LogLimits};

/// Lines kept in memory per program for crash reports.
const LAST_LINES: usize = 20;

/// One program's output log.
pub(crate) struct ProgramLog {
    path: PathBuf,
    limits: LogLimits,
    sink: Arc<Mutex<FileSink>>,
    appender: Appender,
    last: Mutex<VecDeque<String>>,
    live: broadcast::Sender<String>,
}

impl ProgramLog {
    pub(crate) fn new(
        dir: &Path,
        program_id: ProgramId,
        limits: LogLimits,
        appender: Appender,
    ) -> Self {
        let (live, _) = broadcast::channel(256);
        let path = dir.join(format!("{program_id}.log"));
        Self {
            sink: FileSink::rotating(path.clone(), limits),
            path,
            limits,
            appender,
            last: Mutex::new(VecDeque::with_capacity(LAST_LINES)),
            live,
        }
    }

    /// Appends one line (without its newline), stamped with the local time it arrived (RFC
    /// 3339, milliseconds: `2026-11-28T18:22:05.123+09:00 `); stderr lines are marked so a
    /// reader can tell. The file write happens on the output thread; this waits only when it
    /// is far behind.
    pub(crate) async fn line(&self, stderr: bool, text: &str) {
        let stamp = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z");
        let line = if stderr {
            format!("{stamp} [stderr] {text}")
        } else {
            format!("{stamp} {text}")
        };
        let _ = self.live.send(line.clone());
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        {
            let mut last = lock(&self.last);
            if last.len() == LAST_LINES {
                last.pop_front();
            }
            last.push_back(line);
        }
        self.appender.append(&self.sink, bytes).await;
    }

    /// Waits until every line sent so far is in the file.
    pub(crate) async fn flush(&self) {
        self.appender.flush().await;
    }

    fn rotated(&self, i: u32) -> PathBuf {
        FileSink::rotated_path(&self.path, i)
    }

    /// The last lines printed since the current run started, for a crash event.
    pub(crate) fn last_lines(&self) -> Vec<String> {
        lock(&self.last).iter().cloned().collect()
    }

    /// Forgets the in-memory lines at the start of a run.
    pub(crate) fn new_run(&self) {
        lock(&self.last).clear();
    }

    /// Up to `n` last lines from the files, oldest first.
    pub(crate) fn tail(&self, n: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut files = vec![self.path.clone()];
        files.extend((1..=self.limits.keep).map(|i| self.rotated(i)));
        for file in files {
            if lines.len() >= n {
                break;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let mut older: Vec<String> = text
                .lines()
                .rev()
                .take(n - lines.len())
                .map(str::to_owned)
                .collect();
            older.reverse();
            older.extend(lines);
            lines = older;
        }
        lines
    }

    /// Lines as they are printed (stamped like the file's).
    pub(crate) fn follow(&self) -> broadcast::Receiver<String> {
        self.live.subscribe()
    }
}

impl crate::process::LineSink for ProgramLog {
    fn line(&self, stderr: bool, text: &str) -> impl std::future::Future<Output = ()> + Send {
        ProgramLog::line(self, stderr, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rotates_at_the_cap_and_tails_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = ProgramLog::new(
            dir.path(),
            7,
            LogLimits {
                file_bytes: 300,
                keep: 2,
            },
            Appender::spawn().unwrap(),
        );
        for i in 0..60 {
            log.line(i % 10 == 9, &format!("line {i:03}")).await;
        }
        log.flush().await;
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            files.len(),
            3,
            "the current file and two rotated ones, no more"
        );
        for f in files {
            let len = f.unwrap().metadata().unwrap().len();
            assert!(len <= 300 + 60, "each file stays near the cap, got {len}");
        }
        let tail = log.tail(5);
        assert_eq!(tail.len(), 5);
        let (stamp, text) = tail.last().unwrap().split_once(' ').unwrap();
        assert_eq!(text, "[stderr] line 059", "newest last, stderr marked");
        chrono::DateTime::parse_from_rfc3339(stamp).expect("each line starts with its time");
        assert_eq!(log.last_lines().len(), LAST_LINES);
        log.new_run();
        assert!(log.last_lines().is_empty());
    }
}
