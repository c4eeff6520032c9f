//! The main window and messages to the person: shown from the tray, a notification click or
//! a second instance.

use tauri::{AppHandle, Manager, Runtime};

/// Brings the main window back (from the tray, or when a second instance starts).
pub(crate) fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Shows the main window on a UI page (a hash route made by the engine, such as `#/jobs/x`).
pub(crate) fn open_page<R: Runtime>(app: &AppHandle<R>, link: &str) {
    show_main_window(app);
    if let Some(window) = app.get_webview_window("main") {
        let hash = serde_json::to_string(link).unwrap_or_else(|_| "\"#/\"".into());
        let _ = window.eval(format!("window.location.hash = {hash};"));
    }
}

/// Tells the person something at once (a tray action that failed), as an OS notification.
pub(crate) fn tell<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if !crate::prefs::current(app).notifications {
        return;
    }
    if let Err(e) = notify_rust::Notification::new()
        .summary(title)
        .body(body)
        .appname("Vigil")
        .show()
    {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}
