//! The tray icon: the app's home while the window is closed. Its icon shows the overall state
//! (all well / warning / failing) and its menu the counts behind it.

use std::sync::Arc;
use std::time::Duration;

use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::Notify;
use vigil_engine::Engine;
use vigil_engine::api::{GetHealth, Health, HealthLevel};

/// Menu item ids, matched in [`on_menu`].
pub(crate) const OPEN: &str = "open";
/// See [`OPEN`].
pub(crate) const QUIT: &str = "quit";

const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");
const ICON_WARNING: &[u8] = include_bytes!("../../icons/tray-warning.png");
const ICON_FAILING: &[u8] = include_bytes!("../../icons/tray-failing.png");

/// The menu lines that show counts, updated in place.
struct Lines<R: Runtime> {
    programs: MenuItem<R>,
    jobs: MenuItem<R>,
    deliveries: MenuItem<R>,
}

/// Says that the state may have changed (an event arrived); the tray refreshes soon after,
/// folding bursts of events into one refresh.
#[derive(Clone, Default)]
pub(crate) struct TrayDirty(Arc<Notify>);

impl TrayDirty {
    pub(crate) fn mark(&self) {
        self.0.notify_one();
    }
}

/// Creates the tray icon with its menu (state lines, Open, Quit) and keeps it current.
pub(crate) fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let line = |id: &str| MenuItem::with_id(app, id, "…", false, None::<&str>);
    let lines = Lines {
        programs: line("programs")?,
        jobs: line("jobs")?,
        deliveries: line("deliveries")?,
    };
    let open = MenuItem::with_id(app, OPEN, "Open Vigil", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    app.manage(QuitItem(quit.clone()));
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &lines.programs,
            &lines.jobs,
            &lines.deliveries,
            &separator,
            &open,
            &quit,
        ],
    )?;
    let tray = TrayIconBuilder::with_id("main")
        .tooltip("Vigil")
        .icon(Image::from_bytes(ICON_OK)?)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| on_menu(app, &event))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    let dirty = app.state::<TrayDirty>().inner().clone();
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(async move {
        loop {
            if let Ok(health) = engine.call(GetHealth {}).await {
                show(&tray, &lines, &health);
            }
            dirty.0.notified().await;
            // Let a burst of events settle into one refresh.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    Ok(())
}

fn show<R: Runtime>(tray: &tauri::tray::TrayIcon<R>, lines: &Lines<R>, h: &Health) {
    let (icon, word) = match h.level {
        HealthLevel::Ok => (ICON_OK, "all well"),
        HealthLevel::Warning => (ICON_WARNING, "warning"),
        HealthLevel::Failing => (ICON_FAILING, "failing"),
    };
    if let Ok(image) = Image::from_bytes(icon) {
        let _ = tray.set_icon(Some(image));
    }
    let mut tooltip = format!("Vigil: {word}");
    for reason in &h.reasons {
        tooltip.push('\n');
        tooltip.push_str(reason);
    }
    let _ = tray.set_tooltip(Some(tooltip));
    let texts = menu_lines(h);
    let _ = lines.programs.set_text(&texts[0]);
    let _ = lines.jobs.set_text(&texts[1]);
    let _ = lines.deliveries.set_text(&texts[2]);
}

/// The three count lines of the menu.
pub(crate) fn menu_lines(h: &Health) -> [String; 3] {
    let mut programs = format!(
        "Programs: {} running, {} stopped",
        h.programs_running, h.programs_stopped
    );
    if h.programs_waiting > 0 {
        programs.push_str(&format!(", {} restarting", h.programs_waiting));
    }
    if h.programs_errored > 0 {
        programs.push_str(&format!(", {} failed", h.programs_errored));
    }
    let mut jobs = format!("Jobs: {} running", h.runs_running);
    if !h.failing_jobs.is_empty() {
        jobs.push_str(&format!(", failing: {}", h.failing_jobs.join(", ")));
    }
    let mut deliveries = format!("Deliveries: {} waiting", h.deliveries_pending);
    if h.deliveries_dead > 0 {
        deliveries.push_str(&format!(", {} dead", h.deliveries_dead));
    }
    [programs, jobs, deliveries]
}

/// The Quit entry's text while Vigil is stopping.
const STOPPING_TEXT: &str = "Stopping Vigil…";

/// Shows that Vigil is stopping: the Quit entry says so and is disabled, the tooltip too, and
/// the window (if open) gets a `vigil://stopping` event to show it.
pub(crate) fn show_stopping<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tray) = app.tray_by_id("main") {
        let _ = tray.set_tooltip(Some("Vigil is stopping…"));
    }
    if let Some(menu) = app.try_state::<QuitItem<R>>() {
        let _ = menu.0.set_text(STOPPING_TEXT);
        let _ = menu.0.set_enabled(false);
    }
    let _ = tauri::Emitter::emit(app, "vigil://stopping", ());
}

/// The Quit menu item, kept so [`show_stopping`] can change it.
pub(crate) struct QuitItem<R: Runtime>(pub(crate) MenuItem<R>);

/// What each tray menu item does; separate from the tray so tests can drive it.
pub(crate) fn on_menu<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent) {
    match event.id().as_ref() {
        OPEN => show_main_window(app),
        QUIT => crate::quit(app),
        _ => {}
    }
}

/// Brings the main window back (from the tray, or when a second instance starts).
pub(crate) fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_names_only_what_is_there() {
        let mut h = Health {
            level: HealthLevel::Ok,
            programs_running: 2,
            programs_stopped: 1,
            programs_waiting: 0,
            programs_errored: 0,
            runs_running: 0,
            failing_jobs: vec![],
            deliveries_pending: 0,
            deliveries_dead: 0,
            endpoints_resting: 0,
            resting_endpoints: vec![],
            reasons: vec![],
        };
        assert_eq!(
            menu_lines(&h),
            [
                "Programs: 2 running, 1 stopped",
                "Jobs: 0 running",
                "Deliveries: 0 waiting"
            ]
        );
        h.programs_errored = 1;
        h.failing_jobs = vec!["backup".into()];
        h.deliveries_dead = 3;
        let lines = menu_lines(&h);
        assert!(lines[0].ends_with(", 1 failed"), "{lines:?}");
        assert!(lines[1].ends_with("failing: backup"), "{lines:?}");
        assert!(lines[2].ends_with(", 3 dead"), "{lines:?}");
    }
}
