//! Output of launched programs: size-capped rotating files, the last lines in memory (for crash
//! events), and a live feed for listeners.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio::sync::broadcast;
use vigil_core::ProgramId;

/// Lines kept in memory per program for crash reports.
const LAST_LINES: usize = 20;

/// Longest line kept; longer lines are cut (a program printing one endless line must not eat
/// memory).
pub(crate) const MAX_LINE: usize = 8 * 1024;

/// Rotation: a log file is rotated past this size, and this many old files are kept.
#[derive(Debug, Clone, Copy)]
pub struct LogLimits {
    /// Bytes per file before rotation.
    pub file_bytes: u64,
    /// Rotated files kept (`.1`, `.2`, ...).
    pub keep: u32,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            file_bytes: 1024 * 1024,
            keep: 2,
        }
    }
}

/// One program's output log.
pub(crate) struct ProgramLog {
    path: PathBuf,
    limits: LogLimits,
    state: Mutex<LogState>,
    live: broadcast::Sender<String>,
}

struct LogState {
    file: Option<File>,
    size: u64,
    last: VecDeque<String>,
}

impl ProgramLog {
    pub(crate) fn new(dir: &Path, program_id: ProgramId, limits: LogLimits) -> Self {
        let (live, _) = broadcast::channel(256);
        Self {
            path: dir.join(format!("{program_id}.log")),
            limits,
            state: Mutex::new(LogState {
                file: None,
                size: 0,
                last: VecDeque::with_capacity(LAST_LINES),
            }),
            live,
        }
    }

    /// Appends one line (without its newline). stderr lines are marked so a reader can tell.
    pub(crate) fn line(&self, stderr: bool, text: &str) {
        let line = if stderr {
            format!("[stderr] {text}")
        } else {
            text.to_owned()
        };
        let _ = self.live.send(line.clone());
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if s.file.is_none() || s.size >= self.limits.file_bytes {
            if s.size >= self.limits.file_bytes {
                s.file = None;
                self.rotate();
            }
            match OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
            {
                Ok(f) => {
                    s.size = f.metadata().map(|m| m.len()).unwrap_or(0);
                    s.file = Some(f);
                }
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot open log")
                }
            }
        }
        if let Some(f) = s.file.as_mut()
            && writeln!(f, "{line}").is_ok()
        {
            s.size += line.len() as u64 + 1;
        }
        if s.last.len() == LAST_LINES {
            s.last.pop_front();
        }
        s.last.push_back(line);
    }

    fn rotate(&self) {
        for i in (1..self.limits.keep).rev() {
            let _ = std::fs::rename(self.rotated(i), self.rotated(i + 1));
        }
        if self.limits.keep > 0 {
            let _ = std::fs::rename(&self.path, self.rotated(1));
        } else {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn rotated(&self, i: u32) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(format!(".{i}"));
        PathBuf::from(p)
    }

    /// The last lines printed since the current run started, for a crash event.
    pub(crate) fn last_lines(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.last.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets the in-memory lines at the start of a run.
    pub(crate) fn new_run(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.last.clear();
        }
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

    /// Lines as they are printed.
    pub(crate) fn follow(&self) -> broadcast::Receiver<String> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_at_the_cap_and_tails_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = ProgramLog::new(
            dir.path(),
            7,
            LogLimits {
                file_bytes: 100,
                keep: 2,
            },
        );
        for i in 0..60 {
            log.line(i % 10 == 9, &format!("line {i:03}"));
        }
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            files.len(),
            3,
            "the current file and two rotated ones, no more"
        );
        for f in files {
            let len = f.unwrap().metadata().unwrap().len();
            assert!(len <= 100 + 20, "each file stays near the cap, got {len}");
        }
        let tail = log.tail(5);
        assert_eq!(tail.len(), 5);
        assert_eq!(
            tail.last().unwrap(),
            "[stderr] line 059",
            "newest last, stderr marked"
        );
        assert_eq!(log.last_lines().len(), LAST_LINES);
        log.new_run();
        assert!(log.last_lines().is_empty());
    }
}
