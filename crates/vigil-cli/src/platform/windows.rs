use tokio::signal::windows::{ctrl_break, ctrl_close, ctrl_shutdown};

/// Resolves on Ctrl-C, Ctrl-Break (what a supervisor sends a console process group), closing
/// the console, or system shutdown.
pub(crate) async fn shutdown_signal() {
    let (brk, close, shut) = (ctrl_break(), ctrl_close(), ctrl_shutdown());
    match (brk, close, shut) {
        (Ok(mut brk), Ok(mut close), Ok(mut shut)) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = brk.recv() => {}
                _ = close.recv() => {}
                _ = shut.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
