//! Streams that are not operations, over IPC channels: program statuses (all, then what
//! changed), a run's output and a program's log lines as they are printed (the HTTP API serves
//! the same as Server-Sent Events). A window stops a follow with `unfollow`; a page that loads
//! again stops them all; a run's follow also ends when the run ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::StreamExt;
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::broadcast;
use vigil_core::sync::lock;
use vigil_engine::api::{GetRunOutput, StatusUpdate};
use vigil_engine::{ApiError, Engine};

/// One message of a follow: a line, or the end (the run is over).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub(crate) enum Followed {
    /// A line as printed (run output: `<rfc3339> <out|err> <text>`).
    Line {
        /// The line, without its newline.
        line: String,
    },
    /// Nothing more will come.
    End,
}

/// The follows running now, by id, so a window can stop one.
#[derive(Default)]
pub(crate) struct Follows {
    next: AtomicU64,
    running: Mutex<HashMap<u64, tauri::async_runtime::JoinHandle<()>>>,
}

impl Follows {
    /// Stops every follow: a page that loads again has lost the channels of the old one, and
    /// nothing would ever unfollow them.
    pub(crate) fn stop_all(&self) {
        for (_, task) in lock(&self.running).drain() {
            task.abort();
        }
    }

    fn start(
        &self,
        channel: Channel<Followed>,
        backlog: Vec<String>,
        live: Option<broadcast::Receiver<String>>,
    ) -> u64 {
        self.keep(tauri::async_runtime::spawn(async move {
            for line in backlog {
                if channel.send(Followed::Line { line }).is_err() {
                    return;
                }
            }
            if let Some(mut rx) = live {
                loop {
                    match rx.recv().await {
                        Ok(line) => {
                            let line = line.trim_end().to_owned();
                            if channel.send(Followed::Line { line }).is_err() {
                                return;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => break,
                    }
                }
            }
            let _ = channel.send(Followed::End);
        }))
    }

    /// Keeps a running follow so it can be stopped; answers its id.
    fn keep(&self, task: tauri::async_runtime::JoinHandle<()>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut running = lock(&self.running);
        running.retain(|_, t| !t.inner().is_finished());
        running.insert(id, task);
        id
    }
}

/// Follows a run's output: what was printed so far, then new lines until it ends. Answers
/// the follow's id (for `unfollow`).
#[tauri::command]
pub(crate) async fn follow_run_output(
    engine: State<'_, Engine>,
    follows: State<'_, Follows>,
    id: i64,
    channel: Channel<Followed>,
) -> Result<u64, ApiError> {
    // Subscribe before reading, so no line falls between the two (one may come twice).
    let live = engine.follow_run(id);
    let text = engine.call(GetRunOutput { id }).await?;
    let backlog = text.lines().map(str::to_owned).collect();
    Ok(follows.start(channel, backlog, live))
}

/// Follows a launched program's log from now on. Answers the follow's id.
#[tauri::command]
pub(crate) fn follow_log(
    engine: State<'_, Engine>,
    follows: State<'_, Follows>,
    id: i64,
    channel: Channel<Followed>,
) -> Result<u64, ApiError> {
    let live = engine.follow_log(id)?;
    Ok(follows.start(channel, Vec::new(), Some(live)))
}

/// Program statuses into `channel`: every program first (`full`), then after each sweep or
/// state change only what changed, in order on one channel (so no update can overtake the
/// first). Answers the follow's id.
#[tauri::command]
pub(crate) fn watch_statuses(
    engine: State<'_, Engine>,
    follows: State<'_, Follows>,
    channel: Channel<StatusUpdate>,
) -> u64 {
    let mut updates = Box::pin(engine.watch_statuses());
    follows.keep(tauri::async_runtime::spawn(async move {
        while let Some(update) = updates.next().await {
            if channel.send(update).is_err() {
                return;
            }
        }
    }))
}

/// Stops a follow (an unknown or finished one is fine).
#[tauri::command]
pub(crate) fn unfollow(follows: State<'_, Follows>, follow: u64) {
    if let Some(task) = lock(&follows.running).remove(&follow) {
        task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_load_stops_every_follow_and_finished_ones_are_forgotten() {
        let follows = Follows::default();
        let (tx, rx) = broadcast::channel::<String>(4);
        let live = follows.start(Channel::new(|_| Ok(())), Vec::new(), Some(rx));
        let done = follows.start(Channel::new(|_| Ok(())), vec!["a".into()], None);
        assert_ne!(live, done);
        assert_eq!(lock(&follows.running).len(), 2);
        follows.stop_all();
        assert!(lock(&follows.running).is_empty());
        // The aborted follow let go of its receiver: nobody listens any more.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while tx.receiver_count() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the follow still listens"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}
