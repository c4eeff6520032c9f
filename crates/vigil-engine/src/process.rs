//! Helpers for the processes Vigil spawns (supervised programs and job runs).

use std::time::Duration;

use process_wrap::tokio::ChildWrapper;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Longest line kept; longer lines are cut (a program printing one endless line must not eat
/// memory).
pub(crate) const MAX_LINE: usize = 8 * 1024;

/// How long output readers may keep draining after the process exited (grandchildren can keep
/// the pipes open).
pub(crate) const DRAIN: Duration = Duration::from_millis(500);

/// Lets output readers finish what the pipes still hold, up to [`DRAIN`] in all; readers still
/// going then (a grandchild holding a pipe open) are ended, and gone when this returns, so no
/// line lands after the caller records the end.
pub(crate) async fn drain(readers: Vec<tokio::task::JoinHandle<()>>) {
    let deadline = tokio::time::Instant::now() + DRAIN;
    for mut r in readers {
        if tokio::time::timeout_at(deadline, &mut r).await.is_err() {
            r.abort();
            let _ = r.await;
        }
    }
}

/// The process Vigil spawned, beneath the group / job wrappers: waiting on it reports the main
/// process's exit at once, while waiting on the wrapper would wait for the whole tree.
pub(crate) fn innermost(child: &mut dyn ChildWrapper) -> &mut dyn ChildWrapper {
    // The raw child is the layer whose `inner()` is itself.
    let raw = std::ptr::addr_eq(
        child.inner() as *const dyn ChildWrapper,
        child as *const dyn ChildWrapper,
    );
    if raw {
        child
    } else {
        innermost(child.inner_mut())
    }
}

/// Where a pump puts the lines it reads: a program's log or a run's output.
pub(crate) trait LineSink: Send + Sync + 'static {
    /// Takes one line (without its newline); waits only when the output thread is far behind.
    fn line(&self, stderr: bool, text: &str) -> impl std::future::Future<Output = ()> + Send;
}

/// Copies one output stream to `sink` line by line, cutting overlong lines.
pub(crate) async fn pump<S: LineSink>(
    stream: impl AsyncRead + Unpin,
    sink: std::sync::Arc<S>,
    stderr: bool,
) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        match read_line_capped(&mut reader, &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf).into_owned();
                sink.line(stderr, text.trim_end_matches(['\n', '\r'])).await;
            }
        }
    }
}

/// Reads up to a newline, keeping at most [`MAX_LINE`] bytes of it.
async fn read_line_capped<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let keep = MAX_LINE.saturating_sub(buf.len()).min(chunk.len());
        buf.extend_from_slice(&chunk[..keep]);
        let used = chunk.len();
        total += used;
        reader.consume(used);
        if done {
            return Ok(total);
        }
    }
}

/// A process's start time (unix seconds) if it is alive: with the PID, its identity.
pub(crate) fn process_start(pid: u32) -> Option<i64> {
    let mut sys = sysinfo::System::new().ok()?;
    let pid = sysinfo::Pid::from_u32(pid);
    sys.refresh_processes_specifics(
        sysinfo::ProcessesToUpdate::Some(&[pid]),
        true,
        sysinfo::ProcessRefreshKind::nothing().without_tasks(),
    );
    sys.process(pid)
        .filter(|p| !matches!(p.status(), sysinfo::ProcessStatus::Zombie))
        .map(|p| i64::try_from(p.start_time()).unwrap_or(i64::MAX))
}

/// How often a spool file is looked at for new output.
const SPOOL_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// A spool file is emptied (after everything in it was read) once it is this big.
const SPOOL_RESET_AT: u64 = 8 * 1024 * 1024;

/// Copies what a program writes to a spool file (its output when it must outlive Vigil) to
/// `sink` line by line, from `from` on, until `stop` is set and everything written was read.
/// The file is emptied when large and fully read; a line written in the instant between the
/// last read and the emptying can be lost (the program appends, so nothing else is).
pub(crate) async fn tail_spool<S: LineSink>(
    path: std::path::PathBuf,
    from: u64,
    sink: std::sync::Arc<S>,
    stderr: bool,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .await
    else {
        return;
    };
    let mut offset = file.seek(std::io::SeekFrom::Start(from)).await.unwrap_or(0);
    let mut line: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = file.read(&mut buf).await.unwrap_or(0);
        if n > 0 {
            offset += n as u64;
            for &b in &buf[..n] {
                if b == b'\n' {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    sink.line(stderr, text.trim_end_matches('\r')).await;
                    line.clear();
                } else if line.len() < MAX_LINE {
                    line.push(b);
                }
            }
            continue;
        }
        if *stop.borrow() {
            if !line.is_empty() {
                let text = String::from_utf8_lossy(&line).into_owned();
                sink.line(stderr, &text).await;
            }
            return;
        }
        if offset >= SPOOL_RESET_AT && file.set_len(0).await.is_ok() {
            offset = file.seek(std::io::SeekFrom::Start(0)).await.unwrap_or(0);
        }
        tokio::select! {
            () = tokio::time::sleep(SPOOL_POLL) => {}
            _ = stop.changed() => {}
        }
    }
}
