//! Output files written off the async threads.
//!
//! Architecture Invariant: no file write of program or run output happens on a runtime thread.
//! Line pumps (async) format a line, hand it to the live feed and send it here over a bounded
//! channel; one thread per engine appends, rotates and flushes. A program flooding its output
//! fills the channel, the pump waits on `send`, its pipe fills, and the program blocks on its own
//! write: backpressure reaches the producer, and neither Vigil's memory nor its threads pay.
//! Writes are buffered and flushed whenever the channel runs dry, so a reader of the file sees
//! every line within one burst; [`Appender::flush`] waits for everything sent before it.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use vigil_core::sync::lock;

/// Lines that may wait for the writer thread before pumps wait (at most 8 KiB each, so at most
/// 8 MiB held).
const QUEUE: usize = 1024;

/// One output file: where it is, how it rotates, and its open handle (owned by the thread).
pub(crate) struct FileSink {
    path: PathBuf,
    rotate: Option<LogLimits>,
    file: Option<BufWriter<File>>,
    size: u64,
    truncate: bool,
}

impl FileSink {
    /// A file that grows until its writer stops writing (run output; the cap is the caller's).
    pub(crate) fn plain(path: PathBuf) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self {
            path,
            rotate: None,
            file: None,
            size: 0,
            truncate: true,
        }))
    }

    /// A file appended to across restarts of Vigil, rotated past `limits.file_bytes`.
    pub(crate) fn rotating(path: PathBuf, limits: LogLimits) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self {
            path,
            rotate: Some(limits),
            file: None,
            size: 0,
            truncate: false,
        }))
    }

    /// Where rotated file `i` (1 = newest) lives.
    pub(crate) fn rotated_path(path: &std::path::Path, i: u32) -> PathBuf {
        let mut p = path.to_path_buf().into_os_string();
        p.push(format!(".{i}"));
        PathBuf::from(p)
    }

    fn open(&mut self) {
        let mut options = OpenOptions::new();
        options.create(true);
        if self.truncate {
            options.write(true).truncate(true);
            // Only the first open of a run's output truncates (a leftover of a crashed run).
            self.truncate = false;
        } else {
            options.append(true);
        }
        match options.open(&self.path) {
            Ok(f) => {
                self.size = f.metadata().map(|m| m.len()).unwrap_or(0);
                self.file = Some(BufWriter::new(f));
            }
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot open output file")
            }
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        if let Some(limits) = self.rotate
            && self.size >= limits.file_bytes
        {
            if let Some(mut f) = self.file.take() {
                let _ = f.flush();
            }
            for i in (1..limits.keep).rev() {
                let _ = std::fs::rename(
                    Self::rotated_path(&self.path, i),
                    Self::rotated_path(&self.path, i + 1),
                );
            }
            if limits.keep > 0 {
                let _ = std::fs::rename(&self.path, Self::rotated_path(&self.path, 1));
            } else {
                let _ = std::fs::remove_file(&self.path);
            }
        }
        if self.file.is_none() {
            self.open();
        }
        if let Some(f) = self.file.as_mut()
            && f.write_all(bytes).is_ok()
        {
            self.size += bytes.len() as u64;
        }
    }

    fn flush(&mut self) {
        if let Some(f) = self.file.as_mut() {
            let _ = f.flush();
        }
    }
}

enum Message {
    Create(Arc<Mutex<FileSink>>),
    Append(Arc<Mutex<FileSink>>, Vec<u8>),
    Flush(oneshot::Sender<()>),
}

/// The engine's output writer. Cheap to clone; every clone feeds the same thread.
#[derive(Clone)]
pub(crate) struct Appender {
    tx: mpsc::Sender<Message>,
}

impl Appender {
    /// Starts the writer thread; it ends when every clone is dropped.
    pub(crate) fn spawn() -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("vigil-output".into())
            .spawn(move || run(rx))?;
        Ok(Self { tx })
    }

    /// Creates (or empties) the sink's file now, in order with later appends.
    pub(crate) async fn create(&self, sink: &Arc<Mutex<FileSink>>) {
        let _ = self.tx.send(Message::Create(sink.clone())).await;
    }

    /// Appends bytes to the sink's file; waits only when the writer is far behind.
    pub(crate) async fn append(&self, sink: &Arc<Mutex<FileSink>>, bytes: Vec<u8>) {
        let _ = self.tx.send(Message::Append(sink.clone(), bytes)).await;
    }

    /// Resolves once everything sent before it is written and flushed.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

fn run(mut rx: mpsc::Receiver<Message>) {
    let mut dirty: Vec<Arc<Mutex<FileSink>>> = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Create(sink) => {
                    lock(&sink).open();
                    dirty.push(sink);
                }
                Message::Append(sink, bytes) => {
                    lock(&sink).append(&bytes);
                    if !dirty.iter().any(|d| Arc::ptr_eq(d, &sink)) {
                        dirty.push(sink);
                    }
                }
                Message::Flush(done) => {
                    // Everything sent before it is appended (the channel is FIFO): flush and
                    // answer now, even while other output keeps arriving behind it.
                    for sink in dirty.drain(..) {
                        lock(&sink).flush();
                    }
                    let _ = done.send(());
                }
            }
            // Take what else is waiting, so a burst is flushed once.
            next = rx.try_recv().ok();
        }
        for sink in dirty.drain(..) {
            lock(&sink).flush();
        }
    }
}

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
