//! OS notifications for the events the rules send there (notify-rust: the freedesktop
//! notification service on Linux, toasts on Windows). Clicking one brings the window back on
//! the notification's page.

#[cfg(not(windows))]
mod unix;
#[cfg(windows)]
mod windows;

use std::fmt;

use tauri::{AppHandle, Runtime};
use vigil_engine::{Notifier, OsNotification};

#[cfg(not(windows))]
use unix as platform;
#[cfg(windows)]
use windows as platform;

/// Shows notifications and routes clicks to the window.
pub(crate) struct DesktopNotifier<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> DesktopNotifier<R> {
    pub(crate) fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> fmt::Debug for DesktopNotifier<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DesktopNotifier")
    }
}

impl<R: Runtime> Notifier for DesktopNotifier<R> {
    fn show(&self, n: &OsNotification) -> Result<(), String> {
        if !crate::prefs::current(&self.app).notifications {
            // Turned off in the preferences: the rule's delivery is done, nothing is shown.
            return Ok(());
        }
        let mut note = notify_rust::Notification::new();
        note.summary(&n.title)
            .body(&n.body)
            .appname("Vigil")
            .action("default", "Open");
        let handle = note
            .show()
            .map_err(|e| format!("cannot show the notification: {e}"))?;
        let (app, link) = (self.app.clone(), n.link.clone());
        // Waiting for a click blocks, so it gets its own short-lived thread per notification.
        let spawned = std::thread::Builder::new()
            .name("vigil-notification".into())
            .spawn(move || {
                if platform::wait_for_click(handle) {
                    crate::window::open_page(&app, &link);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot wait for a notification click");
        }
        Ok(())
    }
}
