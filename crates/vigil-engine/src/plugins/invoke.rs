//! Running one plugin process: its command resolved in its folder, the request on stdin, the
//! output read with a bound, the whole tree killed at the timeout.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use process_wrap::tokio::CommandWrap;
#[cfg(unix)]
use process_wrap::tokio::KillOnDrop;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::platform;
use crate::process::innermost;

/// Most bytes of a plugin's stdout kept; the rest is read and dropped, so a flood neither
/// blocks the plugin nor fills memory.
pub(crate) const MAX_STDOUT: usize = 64 * 1024;
/// Most bytes of a plugin's stderr kept.
pub(crate) const MAX_STDERR: usize = 4 * 1024;

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// The plugin's folder: its working directory, and where a relative program is found.
    pub dir: PathBuf,
    /// The command (the program first) and the arguments after it.
    pub argv: Vec<String>,
    /// Written to stdin (then closed); `None` gives it no stdin.
    pub stdin: Option<Vec<u8>>,
    /// Killed with its tree after this.
    pub timeout: Duration,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// How it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ran {
    /// It exited (a code, or `None` when a signal ended it).
    Exited {
        code: Option<i32>,
        stdout: String,
        stderr: String,
        /// More stdout came than was kept.
        cut: bool,
    },
    /// It ran past its timeout; its tree was killed.
    TimedOut,
    /// It could not start.
    StartFailed(String),
}

/// The program to start: a path with a separator (or starting with `.`) is taken relative to
/// the plugin's folder; a bare name is looked up on PATH by the OS.
pub(crate) fn resolve(dir: &Path, program: &str) -> PathBuf {
    let p = Path::new(program);
    let pathlike = program.starts_with('.') || program.contains(['/', '\\']);
    if pathlike && p.is_relative() {
        dir.join(p)
    } else {
        p.to_path_buf()
    }
}

async fn read_capped(mut r: impl AsyncRead + Unpin, max: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut cut = false;
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => return (kept, cut),
            Ok(n) => {
                let room = max.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                cut |= n > room;
            }
        }
    }
}

/// Runs it; the whole tree is gone when this returns. Returns how it went and how long it took.
pub(crate) async fn run(inv: &Invocation) -> (Ran, Duration) {
    let started = Instant::now();
    let Some((program, args)) = inv.argv.split_first() else {
        return (
            Ran::StartFailed("the command is empty".into()),
            started.elapsed(),
        );
    };
    let program = resolve(&inv.dir, program);
    let mut cmd = CommandWrap::with_new(&program, |c| {
        c.args(args)
            .current_dir(&inv.dir)
            .env("VIGIL_PLUGIN_DIR", &inv.dir)
            .envs(inv.env.iter().map(|(k, v)| (k, v)))
            .stdin(if inv.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
    });
    platform::prepare(&mut cmd);
    // Dropped mid-run (a run-now whose caller went away), the whole tree goes, not only the
    // plugin's own process. On Windows the Job Object already ends the tree when its handle
    // closes (`kill_on_drop` makes it kill-on-close).
    #[cfg(unix)]
    cmd.wrap(KillOnDrop);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return (
                Ran::StartFailed(format!("could not start {}: {e}", program.display())),
                started.elapsed(),
            );
        }
    };
    // The request is written beside the wait: a plugin that never reads its stdin must not
    // hold anything up (the write then fails or is dropped with the process).
    let writer = match (child.stdin().take(), inv.stdin.clone()) {
        (Some(mut pipe), Some(bytes)) => Some(tokio::spawn(async move {
            let _ = pipe.write_all(&bytes).await;
            let _ = pipe.shutdown().await;
        })),
        _ => None,
    };
    let out = child
        .stdout()
        .take()
        .map(|o| tokio::spawn(read_capped(o, MAX_STDOUT)));
    let err = child
        .stderr()
        .take()
        .map(|e| tokio::spawn(read_capped(e, MAX_STDERR)));
    let waited = tokio::time::timeout(inv.timeout, innermost(child.as_mut()).wait()).await;
    // Whatever is left of the tree goes, in every case.
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    if let Some(w) = writer {
        w.abort();
    }
    let took = started.elapsed();
    // Readers end when the last holder of the pipes is gone; a grandchild that escaped the
    // tree is not waited for long.
    let collect = |h: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>| async move {
        match h {
            Some(mut h) => match tokio::time::timeout(crate::process::DRAIN, &mut h).await {
                Ok(Ok(got)) => got,
                _ => {
                    h.abort();
                    (Vec::new(), false)
                }
            },
            None => (Vec::new(), false),
        }
    };
    let (stdout, cut) = collect(out).await;
    let (stderr, _) = collect(err).await;
    let ran = match waited {
        Err(_) => Ran::TimedOut,
        Ok(Err(e)) => Ran::StartFailed(format!("could not wait for the plugin: {e}")),
        Ok(Ok(status)) => Ran::Exited {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            cut,
        },
    };
    (ran, took)
}
