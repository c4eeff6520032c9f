//! Desktop preferences: how the window and the tray behave on this PC (the engine's settings
//! are in the database; these are the shell's own). Kept with tauri-plugin-store in the data
//! dir's `prefs.json`; "start with Windows" is the autostart plugin's registration itself.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_store::StoreExt;
use vigil_engine::ApiError;

/// The store file, in the data dir.
pub(crate) const FILE: &str = "prefs.json";

/// The event carrying the preferences after a change.
pub(crate) const EVENT: &str = "vigil://prefs";

/// The command-line flag autostart launches the app with: open to the tray, not a window.
pub(crate) const MINIMIZED_FLAG: &str = "--minimized";

/// Light, dark, or whatever the OS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Where and how big the window was, restored on the next start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Placement {
    pub(crate) x: i32,
    pub(crate) y: i32,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// The desktop preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Prefs {
    /// The UI's colours.
    pub(crate) theme: Theme,
    /// The window's close button hides it to the tray (Vigil goes on watching) instead of
    /// quitting.
    pub(crate) close_to_tray: bool,
    /// Start with the window hidden in the tray.
    pub(crate) start_minimized: bool,
    /// Show OS notifications (the notification rules decide which events make one).
    pub(crate) notifications: bool,
    /// Start Vigil when the user logs in (into the tray).
    pub(crate) autostart: bool,
    /// The window's last place and size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window: Option<Placement>,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            close_to_tray: true,
            start_minimized: false,
            notifications: true,
            autostart: false,
            window: None,
        }
    }
}

impl Prefs {
    /// Applies a change naming some fields; unknown fields and wrong types are refused with
    /// the reason, and nothing changes.
    pub(crate) fn patched(&self, change: &Value) -> Result<Prefs, ApiError> {
        let Value::Object(change) = change else {
            return Err(ApiError::invalid("preferences must be a JSON object"));
        };
        let mut doc = serde_json::to_value(self)
            .map_err(|e| ApiError::internal(format!("preferences do not serialize: {e}")))?;
        if let Value::Object(fields) = &mut doc {
            for (k, v) in change {
                fields.insert(k.clone(), v.clone());
            }
        }
        serde_json::from_value(doc).map_err(|e| ApiError::invalid(format!("preferences: {e}")))
    }
}

/// The preferences in memory (read once at start; written through on each change).
#[derive(Default)]
pub(crate) struct PrefsState(pub(crate) Mutex<Prefs>);

/// Reads the preferences from the store (the defaults when missing or unreadable).
pub(crate) fn load<R: Runtime>(app: &AppHandle<R>, data_dir: &std::path::Path) -> Prefs {
    let mut prefs = app
        .store(data_dir.join(FILE))
        .ok()
        .and_then(|store| store.get("prefs"))
        .and_then(|v| serde_json::from_value::<Prefs>(v).ok())
        .unwrap_or_default();
    // The OS registration is the truth for autostart (a user may have removed it there).
    if let Ok(on) = app.autolaunch().is_enabled() {
        prefs.autostart = on;
    }
    prefs
}

/// Writes the preferences to the store.
pub(crate) fn save<R: Runtime>(app: &AppHandle<R>, prefs: &Prefs) -> Result<(), ApiError> {
    // The engine's data dir: the one this app was started on (a test's temp dir included).
    let dir = app
        .try_state::<vigil_engine::Engine>()
        .map(|e| e.data_dir().to_owned())
        .ok_or_else(|| ApiError::unavailable("the engine is not running"))?;
    let store = app
        .store(dir.join(FILE))
        .map_err(|e| ApiError::internal(format!("cannot open {FILE}: {e}")))?;
    store.set(
        "prefs",
        serde_json::to_value(prefs).map_err(|e| ApiError::internal(e.to_string()))?,
    );
    store
        .save()
        .map_err(|e| ApiError::internal(format!("cannot save {FILE}: {e}")))
}

/// The current preferences.
pub(crate) fn current<R: Runtime>(app: &AppHandle<R>) -> Prefs {
    app.try_state::<PrefsState>()
        .map(|s| vigil_core::sync::lock(&s.0).clone())
        .unwrap_or_default()
}

/// The desktop preferences.
#[tauri::command]
pub(crate) fn get_prefs<R: Runtime>(app: AppHandle<R>) -> Prefs {
    current(&app)
}

/// Changes the preferences named in `change`, puts them into effect (autostart registers or
/// unregisters at once) and tells the windows.
#[tauri::command]
pub(crate) fn set_prefs<R: Runtime>(app: AppHandle<R>, change: Value) -> Result<Prefs, ApiError> {
    let before = current(&app);
    let mut next = before.patched(&change)?;
    if next.autostart != before.autostart {
        let launcher = app.autolaunch();
        let done = if next.autostart {
            launcher.enable()
        } else {
            launcher.disable()
        };
        done.map_err(|e| ApiError::internal(format!("cannot change start with Windows: {e}")))?;
        next.autostart = launcher.is_enabled().unwrap_or(next.autostart);
    }
    save(&app, &next)?;
    if let Some(state) = app.try_state::<PrefsState>() {
        *vigil_core::sync::lock(&state.0) = next.clone();
    }
    let _ = app.emit(EVENT, &next);
    Ok(next)
}

/// Remembers the window's place and size (called when it is hidden or the app quits).
pub(crate) fn remember_window<R: Runtime>(window: &tauri::Window<R>) {
    let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else {
        return;
    };
    if size.width == 0 || size.height == 0 {
        return;
    }
    let app = window.app_handle();
    let mut prefs = current(app);
    let placement = Placement {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
    };
    if prefs.window == Some(placement) {
        return;
    }
    prefs.window = Some(placement);
    if let Some(state) = app.try_state::<PrefsState>() {
        *vigil_core::sync::lock(&state.0) = prefs.clone();
    }
    let _ = save(app, &prefs);
}

/// Puts the window where it was, if that place is still on a screen.
pub(crate) fn restore_window<R: Runtime>(window: &tauri::WebviewWindow<R>, prefs: &Prefs) {
    let Some(p) = prefs.window else {
        return;
    };
    let on_screen = window.available_monitors().is_ok_and(|monitors| {
        monitors.iter().any(|m| {
            let (mp, ms) = (m.position(), m.size());
            p.x >= mp.x
                && p.y >= mp.y
                && i64::from(p.x) < i64::from(mp.x) + i64::from(ms.width)
                && i64::from(p.y) < i64::from(mp.y) + i64::from(ms.height)
        })
    });
    let _ = window.set_size(tauri::PhysicalSize::new(
        p.width.clamp(640, 10_000),
        p.height.clamp(480, 10_000),
    ));
    if on_screen {
        let _ = window.set_position(tauri::PhysicalPosition::new(p.x, p.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_names_fields_and_bad_ones_are_refused() {
        let p = Prefs::default();
        let q = p
            .patched(&json!({ "theme": "dark", "close_to_tray": false }))
            .unwrap();
        assert_eq!(q.theme, Theme::Dark);
        assert!(!q.close_to_tray);
        assert_eq!(q.notifications, p.notifications);
        for (bad, words) in [
            (json!({ "theme": "pink" }), "unknown variant"),
            (json!({ "close_to_tray": "yes" }), "invalid type"),
            (json!({ "nope": true }), "unknown field"),
            (json!(7), "JSON object"),
        ] {
            let err = p.patched(&bad).unwrap_err();
            assert!(err.message.contains(words), "{bad}: {}", err.message);
        }
    }
}
