//! A run's output: stdout and stderr interleaved, each line stamped, in a size-capped file,
//! and a live feed while it runs. The file is written on the engine's output thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use vigil_core::RunId;
use vigil_core::sync::lock;

use crate::appender::{Appender, FileSink};

/// A run's output sink.
pub(crate) struct RunOutput {
    cap: u64,
    counts: Mutex<Counts>,
    sink: Arc<Mutex<FileSink>>,
    appender: Appender,
    followers: broadcast::Sender<String>,
}

#[derive(Default)]
struct Counts {
    written: u64,
    dropped: u64,
}

impl RunOutput {
    /// The sink of run `run`; its file is created (or emptied) before any line is written.
    pub(crate) async fn create(dir: &Path, run: RunId, cap: u64, appender: Appender) -> Self {
        let sink = FileSink::plain(Self::path_of(dir, run));
        appender.create(&sink).await;
        Self {
            cap,
            counts: Mutex::new(Counts::default()),
            sink,
            appender,
            followers: broadcast::channel(1024).0,
        }
    }

    /// Where a run's output lives.
    pub(crate) fn path_of(dir: &Path, run: RunId) -> PathBuf {
        dir.join(format!("{run}.log"))
    }

    /// Appends one line: `<rfc3339 ms> <out|err> <text>`. Past the cap, lines are counted and
    /// dropped (the process keeps running and its pipes keep draining).
    pub(crate) async fn line(&self, stderr: bool, text: &str) {
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let line = format!("{stamp} {} {text}\n", if stderr { "err" } else { "out" });
        let _ = self.followers.send(line.clone());
        {
            let mut c = lock(&self.counts);
            if c.written + line.len() as u64 > self.cap {
                c.dropped += line.len() as u64;
                return;
            }
            c.written += line.len() as u64;
        }
        self.appender.append(&self.sink, line.into_bytes()).await;
    }

    /// Notes how much was dropped, and waits until the whole output is in the file: called
    /// before the run's end is recorded, so whoever sees the end can read all of it.
    pub(crate) async fn finish(&self) {
        let dropped = lock(&self.counts).dropped;
        if dropped > 0 {
            let note = format!(
                "[output capped at {} bytes; {dropped} more bytes dropped]\n",
                self.cap
            );
            let _ = self.followers.send(note.clone());
            self.appender.append(&self.sink, note.into_bytes()).await;
        }
        self.appender.flush().await;
    }

    pub(crate) fn follow(&self) -> broadcast::Receiver<String> {
        self.followers.subscribe()
    }
}

impl crate::process::LineSink for RunOutput {
    fn line(&self, stderr: bool, text: &str) -> impl std::future::Future<Output = ()> + Send {
        RunOutput::line(self, stderr, text)
    }
}
