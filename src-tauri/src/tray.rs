//! The tray icon: the app's home while the window is closed. Its icon shows the overall state
//! (all well / warning / failing); its menu does the daily work: each program's state with
//! start / stop / restart and its page, the jobs whose last run failed with "run again", the
//! favourite jobs to run, pausing every schedule, Open and Quit.
//!
//! The menu is built from a plain [`Entry`] tree ([`menu_model`]), refreshed when events
//! arrive (never on a timer). Each item's id names its action ([`TrayAction::parse`]), and
//! [`act`] carries it out through the engine's operations: the `tray_menu` and `tray_action`
//! commands give tests (and the window) the same menu and the same actions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::Notify;
use vigil_core::ProgramHealth;
use vigil_core::sync::lock;
use vigil_engine::api::{
    GetHealth, Health, HealthLevel, ListProgramStatus, ProgramState, RestartProgram, RunJob,
    StartProgram, StopProgram, UpdateSettings,
};
use vigil_engine::{ApiError, Engine};

/// Menu item ids that are not per program or job.
pub(crate) const OPEN: &str = "open";
/// See [`OPEN`].
pub(crate) const QUIT: &str = "quit";
const PAUSE: &str = "schedules:pause";
const RESUME: &str = "schedules:resume";

const ICON_OK: &[u8] = include_bytes!("../../icons/tray-ok.png");
const ICON_WARNING: &[u8] = include_bytes!("../../icons/tray-warning.png");
const ICON_FAILING: &[u8] = include_bytes!("../../icons/tray-failing.png");

/// One menu entry: an item (with an action id), a line of text, a separator or a submenu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    /// The action id; empty for text lines and separators.
    pub(crate) id: String,
    /// What it says; empty for a separator.
    pub(crate) text: String,
    /// Whether it can be clicked.
    pub(crate) enabled: bool,
    /// A submenu's entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) items: Vec<Entry>,
}

impl Entry {
    fn item(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
            enabled: true,
            items: Vec::new(),
        }
    }

    fn line(text: impl Into<String>) -> Self {
        Self {
            enabled: false,
            ..Self::item("", text)
        }
    }

    fn separator() -> Self {
        Self::line("")
    }

    fn submenu(text: impl Into<String>, items: Vec<Entry>) -> Self {
        Self {
            items,
            ..Self::item("", text)
        }
    }

    fn is_separator(&self) -> bool {
        self.id.is_empty() && self.text.is_empty() && self.items.is_empty()
    }
}

/// What the menu shows, read from the engine.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) health: Health,
    /// Each program: id, name, state, whether Vigil launches it, its checks' health.
    pub(crate) programs: Vec<(i64, String, ProgramState, bool, Option<ProgramHealth>)>,
    pub(crate) favourites: Vec<String>,
    pub(crate) paused: bool,
    pub(crate) stopping: bool,
}

/// What a menu item does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TrayAction {
    Open,
    Quit,
    OpenProgram(i64),
    Start(i64),
    Stop(i64),
    Restart(i64),
    RunJob(String),
    PauseSchedules,
    ResumeSchedules,
}

impl TrayAction {
    /// Reads an item id; unknown ids are None.
    pub(crate) fn parse(id: &str) -> Option<Self> {
        match id {
            OPEN => return Some(Self::Open),
            QUIT => return Some(Self::Quit),
            PAUSE => return Some(Self::PauseSchedules),
            RESUME => return Some(Self::ResumeSchedules),
            _ => {}
        }
        if let Some(job) = id.strip_prefix("job:run:") {
            return (!job.is_empty()).then(|| Self::RunJob(job.to_owned()));
        }
        let rest = id.strip_prefix("program:")?;
        let (what, program) = rest.split_once(':')?;
        let program: i64 = program.parse().ok()?;
        Some(match what {
            "open" => Self::OpenProgram(program),
            "start" => Self::Start(program),
            "stop" => Self::Stop(program),
            "restart" => Self::Restart(program),
            _ => return None,
        })
    }
}

fn state_word(state: ProgramState) -> &'static str {
    match state {
        ProgramState::Running => "running",
        ProgramState::Stopped => "stopped",
        ProgramState::Waiting => "restarting",
        ProgramState::Errored => "failed",
    }
}

/// The whole menu for a snapshot.
pub(crate) fn menu_model(s: &Snapshot) -> Vec<Entry> {
    let h = &s.health;
    let word = match h.level {
        HealthLevel::Ok => "all well",
        HealthLevel::Warning => "warning",
        HealthLevel::Failing => "failing",
    };
    let mut menu = vec![Entry::line(format!("Vigil: {word}"))];
    menu.extend(menu_lines(h).into_iter().map(Entry::line));
    if !s.programs.is_empty() {
        menu.push(Entry::separator());
        for (id, name, state, launched, health) in &s.programs {
            let health_word = health.map(|h| match h {
                ProgramHealth::Healthy => "healthy",
                ProgramHealth::Degraded => "degraded",
                ProgramHealth::Unhealthy => "unhealthy",
                ProgramHealth::Unknown => "health unknown",
            });
            let mut items = vec![Entry::line(format!("State: {}", state_word(*state)))];
            if let Some(w) = health_word {
                items.push(Entry::line(format!("Checks: {w}")));
            }
            if *launched {
                let running = matches!(state, ProgramState::Running | ProgramState::Waiting);
                items.push(Entry {
                    enabled: !running,
                    ..Entry::item(format!("program:start:{id}"), "Start")
                });
                items.push(Entry {
                    enabled: running,
                    ..Entry::item(format!("program:stop:{id}"), "Stop")
                });
                items.push(Entry {
                    enabled: *state == ProgramState::Running,
                    ..Entry::item(format!("program:restart:{id}"), "Restart")
                });
            }
            items.push(Entry::item(format!("program:open:{id}"), "Open its page"));
            let label = match health_word {
                Some(w) => format!("{name} ({}, {w})", state_word(*state)),
                None => format!("{name} ({})", state_word(*state)),
            };
            menu.push(Entry::submenu(label, items));
        }
    }
    if !h.failing_jobs.is_empty() {
        menu.push(Entry::separator());
        menu.push(Entry::line("Failed last time:"));
        for job in &h.failing_jobs {
            menu.push(Entry::item(
                format!("job:run:{job}"),
                format!("Run {job} again"),
            ));
        }
    }
    if !s.favourites.is_empty() {
        let items = s
            .favourites
            .iter()
            .map(|job| Entry::item(format!("job:run:{job}"), job.clone()))
            .collect();
        menu.push(Entry::submenu("Run job…", items));
    }
    menu.push(Entry::separator());
    menu.push(if s.paused {
        Entry::item(RESUME, "Resume all schedules")
    } else {
        Entry::item(PAUSE, "Pause all schedules")
    });
    menu.push(Entry::item(OPEN, "Open Vigil"));
    menu.push(if s.stopping {
        Entry {
            enabled: false,
            ..Entry::item(QUIT, STOPPING_TEXT)
        }
    } else {
        Entry::item(QUIT, "Quit")
    });
    menu
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

/// The last menu shown, for the `tray_menu` command.
#[derive(Default)]
pub(crate) struct Shown(Mutex<Vec<Entry>>);

/// Whether Vigil is quitting (the Quit item says so).
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads what the menu shows.
pub(crate) async fn snapshot(engine: &Engine) -> Result<Snapshot, ApiError> {
    let health = engine.call(GetHealth {}).await?;
    let statuses = engine.call(ListProgramStatus {}).await?;
    let programs = engine
        .call(vigil_engine::api::ListPrograms {})
        .await?
        .into_iter()
        .map(|p| {
            let status = statuses.iter().find(|s| s.program_id == p.id);
            let state = status.map_or(ProgramState::Stopped, |s| s.state);
            (p.id, p.name, state, p.launch, status.and_then(|s| s.health))
        })
        .collect();
    let settings = engine.settings();
    // A favourite whose job was deleted since is not offered.
    let jobs = engine.call(vigil_engine::api::ListJobs {}).await?;
    let favourites = settings
        .favourite_jobs
        .into_iter()
        .filter(|f| jobs.iter().any(|j| &j.id == f))
        .collect();
    Ok(Snapshot {
        health,
        programs,
        favourites,
        paused: settings.schedules_paused,
        stopping: STOPPING.load(std::sync::atomic::Ordering::SeqCst),
    })
}

fn build<R: Runtime>(
    app: &AppHandle<R>,
    entries: &[Entry],
) -> tauri::Result<Vec<Box<dyn IsMenuItem<R>>>> {
    let mut out: Vec<Box<dyn IsMenuItem<R>>> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.is_separator() {
            out.push(Box::new(PredefinedMenuItem::separator(app)?));
        } else if !e.items.is_empty() {
            let children = build(app, &e.items)?;
            let refs: Vec<&dyn IsMenuItem<R>> = children.iter().map(|c| c.as_ref()).collect();
            out.push(Box::new(Submenu::with_items(app, &e.text, true, &refs)?));
        } else {
            // Text lines get a unique id of their own; they do nothing.
            let id = if e.id.is_empty() {
                format!("line:{i}")
            } else {
                e.id.clone()
            };
            out.push(Box::new(MenuItem::with_id(
                app,
                id,
                &e.text,
                e.enabled,
                None::<&str>,
            )?));
        }
    }
    Ok(out)
}

fn show_menu<R: Runtime>(app: &AppHandle<R>, tray: &tauri::tray::TrayIcon<R>, entries: Vec<Entry>) {
    if let Ok(items) = build(app, &entries) {
        let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|c| c.as_ref()).collect();
        if let Ok(menu) = Menu::with_items(app, &refs) {
            let _ = tray.set_menu(Some(menu));
        }
    }
    if let Some(shown) = app.try_state::<Shown>() {
        *lock(&shown.0) = entries;
    }
}

/// Creates the tray icon with its menu and keeps it current.
pub(crate) fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    app.manage(Shown::default());
    let tray = TrayIconBuilder::with_id("main")
        .tooltip("Vigil")
        .icon(Image::from_bytes(ICON_OK)?)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = event
            {
                crate::window::show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    let dirty = app.state::<TrayDirty>().inner().clone();
    let engine = app.state::<Engine>().inner().clone();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            if let Ok(s) = snapshot(&engine).await {
                show_icon(&tray, &s.health);
                show_menu(&handle, &tray, menu_model(&s));
            }
            dirty.0.notified().await;
            // Let a burst of events settle into one refresh.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    Ok(())
}

fn show_icon<R: Runtime>(tray: &tauri::tray::TrayIcon<R>, h: &Health) {
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
    if !h.checks_critical.is_empty() {
        programs.push_str(&format!("; critical: {}", h.checks_critical.join(", ")));
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
    STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Some(tray) = app.tray_by_id("main") {
        let _ = tray.set_tooltip(Some("Vigil is stopping…"));
        if let Some(shown) = app.try_state::<Shown>() {
            let mut entries = lock(&shown.0).clone();
            for e in entries.iter_mut().filter(|e| e.id == QUIT) {
                e.text = STOPPING_TEXT.to_owned();
                e.enabled = false;
            }
            show_menu(app, &tray, entries);
        }
    }
    let _ = tauri::Emitter::emit(app, "vigil://stopping", ());
}

/// What each tray menu item does.
pub(crate) fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let Some(action) = TrayAction::parse(id) else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = act(&app, action).await {
            tracing::warn!(error = %e, "a tray action failed");
            crate::window::tell(&app, "Vigil", &e.message);
        }
    });
}

/// Carries out a tray action through the engine's operations (the same ones the window and
/// the API use).
pub(crate) async fn act<R: Runtime>(
    app: &AppHandle<R>,
    action: TrayAction,
) -> Result<(), ApiError> {
    let engine = app
        .try_state::<Engine>()
        .map(|e| e.inner().clone())
        .ok_or_else(|| ApiError::unavailable("the engine is not running"))?;
    match action {
        TrayAction::Open => crate::window::show_main_window(app),
        TrayAction::Quit => crate::quit(app),
        TrayAction::OpenProgram(id) => {
            crate::window::open_page(app, &format!("#/programs/{id}"));
        }
        TrayAction::Start(id) => {
            engine.call(StartProgram { id }).await?;
        }
        TrayAction::Stop(id) => {
            engine.call(StopProgram { id, pids: None }).await?;
        }
        TrayAction::Restart(id) => {
            engine.call(RestartProgram { id }).await?;
        }
        TrayAction::RunJob(id) => {
            engine
                .call(RunJob {
                    id,
                    options: Default::default(),
                })
                .await?;
        }
        TrayAction::PauseSchedules | TrayAction::ResumeSchedules => {
            let paused = action == TrayAction::PauseSchedules;
            engine
                .call(UpdateSettings(
                    serde_json::json!({ "schedules_paused": paused }),
                ))
                .await?;
        }
    }
    if let Some(dirty) = app.try_state::<TrayDirty>() {
        dirty.mark();
    }
    Ok(())
}

/// The tray menu as it is now (what a test or the window can check).
#[tauri::command]
pub(crate) async fn tray_menu<R: Runtime>(app: AppHandle<R>) -> Result<Vec<Entry>, ApiError> {
    let engine = app
        .try_state::<Engine>()
        .map(|e| e.inner().clone())
        .ok_or_else(|| ApiError::unavailable("the engine is not running"))?;
    Ok(menu_model(&snapshot(&engine).await?))
}

/// Does what the tray menu item with this id does.
#[tauri::command]
pub(crate) async fn tray_action<R: Runtime>(app: AppHandle<R>, id: String) -> Result<(), ApiError> {
    let action = TrayAction::parse(&id)
        .ok_or_else(|| ApiError::not_found(format!("no tray menu item {id:?}")))?;
    act(&app, action).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health() -> Health {
        Health {
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
            checks_critical: vec![],
            checks_warning: vec![],
            plugins_resting: vec![],
            reasons: vec![],
        }
    }

    #[test]
    fn the_menu_names_only_what_is_there() {
        let mut h = health();
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

    fn ids(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .flat_map(|e| std::iter::once(e.id.clone()).chain(ids(&e.items)))
            .filter(|id| !id.is_empty())
            .collect()
    }

    #[test]
    fn every_item_parses_to_its_action_and_only_live_ones_are_enabled() {
        let mut h = health();
        h.failing_jobs = vec!["nightly backup".into()];
        let s = Snapshot {
            health: h,
            programs: vec![
                (1, "web".into(), ProgramState::Running, true, None),
                (
                    2,
                    "db".into(),
                    ProgramState::Stopped,
                    true,
                    Some(ProgramHealth::Unhealthy),
                ),
                (3, "watched".into(), ProgramState::Running, false, None),
            ],
            favourites: vec!["deploy".into()],
            paused: false,
            stopping: false,
        };
        let menu = menu_model(&s);
        let all = ids(&menu);
        for id in &all {
            assert!(TrayAction::parse(id).is_some(), "{id} has no action");
        }
        for want in [
            "program:stop:1",
            "program:start:2",
            "program:open:3",
            "job:run:nightly backup",
            "job:run:deploy",
            PAUSE,
            OPEN,
            QUIT,
        ] {
            assert!(all.iter().any(|i| i == want), "{want} missing from {all:?}");
        }
        assert!(
            !all.iter().any(|i| i == "program:start:3"),
            "a watched program cannot be started"
        );
        let web = menu.iter().find(|e| e.text == "web (running)").unwrap();
        let db = menu
            .iter()
            .find(|e| e.text == "db (stopped, unhealthy)")
            .unwrap();
        assert!(db.items.iter().any(|e| e.text == "Checks: unhealthy"));
        let enabled = |id: &str| web.items.iter().find(|e| e.id == id).unwrap().enabled;
        assert!(!enabled("program:start:1") && enabled("program:stop:1"));
        let paused = menu_model(&Snapshot {
            paused: true,
            ..s.clone()
        });
        assert!(ids(&paused).iter().any(|i| i == RESUME));
        let stopping = menu_model(&Snapshot {
            stopping: true,
            ..s
        });
        let quit = stopping.iter().find(|e| e.id == QUIT).unwrap();
        assert!(!quit.enabled && quit.text == STOPPING_TEXT);
    }

    #[test]
    fn odd_ids_are_no_action() {
        for id in [
            "",
            "program:",
            "program:start:",
            "program:start:x",
            "program:fly:1",
            "job:run:",
            "line:0",
            "programs",
            "program:start:1:2",
        ] {
            assert_eq!(TrayAction::parse(id), None, "{id}");
        }
        assert_eq!(
            TrayAction::parse("job:run:a:b"),
            Some(TrayAction::RunJob("a:b".into()))
        );
    }
}
