//! A run's output: stdout and stderr interleaved, each line stamped, in a size-capped file,
//! and a live feed while it runs.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio::sync::broadcast;
use vigil_core::RunId;

/// A run's output sink.
pub(crate) struct RunOutput {
    cap: u64,
    state: Mutex<State>,
    live: broadcast::Sender<String>,
}

struct State {
    file: Option<File>,
    written: u64,
    dropped: u64,
}

impl RunOutput {
    pub(crate) fn create(dir: &Path, run: RunId, cap: u64) -> Self {
        let path = dir.join(format!("{run}.log"));
        let file = File::create(&path)
            .map_err(
                |e| tracing::warn!(path = %path.display(), error = %e, "cannot create run output"),
            )
            .ok();
        Self {
            cap,
            state: Mutex::new(State {
                file,
                written: 0,
                dropped: 0,
            }),
            live: broadcast::channel(1024).0,
        }
    }

    /// Where a run's output lives.
    pub(crate) fn path_of(dir: &Path, run: RunId) -> PathBuf {
        dir.join(format!("{run}.log"))
    }

    /// Appends one line: `<rfc3339 ms> <out|err> <text>`. Past the cap, lines are counted and
    /// dropped (the process keeps running and its pipes keep draining).
    pub(crate) fn line(&self, stderr: bool, text: &str) {
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let line = format!("{stamp} {} {text}\n", if stderr { "err" } else { "out" });
        let _ = self.live.send(line.clone());
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if s.written + line.len() as u64 > self.cap {
            s.dropped += line.len() as u64;
            return;
        }
        if let Some(f) = s.file.as_mut()
            && f.write_all(line.as_bytes()).is_ok()
        {
            s.written += line.len() as u64;
        }
    }

    /// Notes how much was dropped, once the run is over.
    pub(crate) fn finish(&self) {
        if let Ok(mut s) = self.state.lock()
            && s.dropped > 0
        {
            let note = format!(
                "[output capped at {} bytes; {} more bytes dropped]\n",
                self.cap, s.dropped
            );
            if let Some(f) = s.file.as_mut() {
                let _ = f.write_all(note.as_bytes());
            }
            let _ = self.live.send(note);
        }
    }

    pub(crate) fn follow(&self) -> broadcast::Receiver<String> {
        self.live.subscribe()
    }
}
