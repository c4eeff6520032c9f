//! Vigil's desktop shell. It embeds the engine, shows the UI, lives in the tray, and forwards
//! the engine's events to the window.
//!
//! Architecture Invariant: this is the only crate that names `tauri`, and it holds no behaviour
//! of its own: each command is a thin adapter to [`Engine::call`], so anything the window can do
//! a test can do without one.

mod commands;
mod files;
mod follow;
mod notifier;
mod prefs;
mod server;
mod tray;
mod window;

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;
use tauri::{Emitter, Manager, Runtime};
use vigil_engine::{Engine, EngineConfig};

/// The Tauri event carrying each engine event to the UI.
pub const EVENT_NAME: &str = "vigil://event";

/// Registers the commands every build (real or test) needs: `call`, which runs any operation of
/// the engine's table by name, and the follows (streams that are not operations).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![prefs::MINIMIZED_FLAG]),
        ))
        .manage(follow::Follows::default())
        .manage(prefs::PrefsState::default())
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Started
                && let Some(follows) = webview.try_state::<follow::Follows>()
            {
                follows.stop_all();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::call,
            files::save_text,
            files::save_export,
            follow::follow_run_output,
            follow::follow_log,
            follow::watch_statuses,
            follow::unfollow,
            prefs::get_prefs,
            prefs::set_prefs,
            server::server_info,
            tray::tray_menu,
            tray::tray_action,
        ])
}

/// Where the desktop app keeps its data: `VIGIL_DATA_DIR` if set (tests and portable use),
/// otherwise the OS app-data dir for this app's identifier.
pub fn data_dir<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("VIGIL_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    app.path()
        .app_data_dir()
        .map_err(|e| format!("no app data dir: {e}"))
}

/// Starts the engine in `data_dir`, puts it in Tauri's state, serves the HTTP API from it (see
/// [`server`]), and forwards its events to every window from the newest one on (windows catch
/// up through `events_since`).
pub fn start_engine<R: Runtime>(
    app: &tauri::AppHandle<R>,
    data_dir: PathBuf,
) -> Result<(), String> {
    let mut config = EngineConfig::new(data_dir);
    config.kind = "desktop".into();
    config.seed_default_rule = true;
    config.notifier = Some(Arc::new(notifier::DesktopNotifier::new(app.clone())));
    let engine = tauri::async_runtime::block_on(Engine::start(config)).map_err(|e| e.message)?;
    let since = tauri::async_runtime::block_on(engine.call(vigil_engine::api::GetStatus {}))
        .map(|s| s.last_event_id)
        .unwrap_or(0);
    let mut events = engine.subscribe(since);
    let handle = app.clone();
    let dirty = tray::TrayDirty::default();
    app.manage(dirty.clone());
    tauri::async_runtime::spawn(async move {
        while let Some(Ok(event)) = events.next().await {
            let _ = handle.emit(EVENT_NAME, &event);
            dirty.mark();
        }
    });
    server::start(app, engine.clone());
    app.manage(engine);
    Ok(())
}

/// Stops the engine (flushing the store) and exits the app. The stop (up to the run grace
/// period when jobs are running) happens on the async runtime, never on the UI thread: the
/// window and the tray stay responsive and say that Vigil is stopping. A second Quit while
/// stopping does nothing.
pub fn quit<R: Runtime>(app: &tauri::AppHandle<R>) {
    static QUITTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if QUITTING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    tray::show_stopping(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // The window's place is saved (a file write) off the async threads, before the exit.
        let saver = app.clone();
        let _ = tauri::async_runtime::spawn_blocking(move || {
            if let Some(window) = saver.get_webview_window("main") {
                prefs::remember_window(&window.as_ref().window());
            }
        })
        .await;
        if let Some(engine) = app.try_state::<Engine>() {
            let engine = engine.inner().clone();
            // Withdrawn first: once the engine releases the data dir, a next Vigil may own it.
            server::withdraw(&app, &engine);
            engine.stop().await;
        }
        app.exit(0);
    });
}

/// Runs the desktop app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    // Started by "start with Windows": open to the tray, not a window.
    let minimized = std::env::args().any(|a| a == prefs::MINIMIZED_FLAG);
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show_main_window(app);
        }))
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let dir = data_dir(app.handle())?;
            let prefs = prefs::load(app.handle(), &dir);
            *vigil_core::sync::lock(&app.state::<prefs::PrefsState>().0) = prefs.clone();
            start_engine(app.handle(), dir)?;
            tray::install(app.handle())?;
            if let Some(window) = app.get_webview_window("main") {
                prefs::restore_window(&window, &prefs);
                if !(minimized || prefs.start_minimized) {
                    window.show()?;
                }
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                prefs::remember_window(window);
                api.prevent_close();
                if prefs::current(window.app_handle()).close_to_tray {
                    // Watching goes on from the tray.
                    let _ = window.hide();
                } else {
                    quit(window.app_handle());
                }
            }
        });
    let result = with_commands(builder).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("vigil: the desktop app failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;
    use tauri::{Manager, WebviewWindow};

    use super::*;

    fn app(dir: &tempfile::TempDir) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = with_commands(mock_builder())
            .build(tauri::generate_context!())
            .expect("the app builds on the mock runtime");
        start_engine(app.handle(), dir.path().to_owned()).expect("engine starts in a temp dir");
        let window = match app.get_webview_window("main") {
            Some(w) => w,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        };
        (app, window)
    }

    /// Runs the operation `op` through the one IPC command.
    fn invoke(window: &WebviewWindow<MockRuntime>, op: &str, args: Value) -> Result<Value, Value> {
        command(window, "call", json!({ "op": op, "args": args }))
    }

    /// Runs the IPC command `cmd`.
    fn command(
        window: &WebviewWindow<MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: if cfg!(windows) {
                    "http://tauri.localhost"
                } else {
                    "tauri://localhost"
                }
                .parse()
                .unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    #[test]
    fn commands_reach_the_engine_and_errors_arrive_as_code_and_message() {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = app(&dir);
        let exe = std::env::current_exe().unwrap().display().to_string();

        let status = invoke(&window, "status", json!({})).unwrap();
        assert_eq!(status["programs"], 0);

        let added = invoke(
            &window,
            "add_program",
            json!({ "name": "ipc", "path": exe, "args": ["-x"] }),
        )
        .unwrap();
        assert_eq!(added["name"], "ipc");
        let id = added["id"].as_i64().unwrap();

        let err = invoke(
            &window,
            "add_program",
            json!({ "name": "bad", "path": "relative" }),
        )
        .expect_err("a relative path is refused");
        assert_eq!(
            err["code"], "invalid_input",
            "errors cross IPC as data: {err}"
        );
        assert!(err["message"].as_str().unwrap().contains("absolute"));

        let list = invoke(&window, "list_programs", json!({})).unwrap();
        assert_eq!(
            list.as_array().unwrap().len(),
            1,
            "the refused request stored nothing"
        );
        let got = invoke(&window, "get_program", json!({ "id": id })).unwrap();
        assert_eq!(got, added);
        let events = invoke(&window, "list_events", json!({ "since": 0 })).unwrap();
        let kinds: Vec<_> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].clone())
            .collect();
        assert_eq!(kinds, [json!("engine_started"), json!("program_added")]);
        invoke(&window, "remove_program", json!({ "id": id })).unwrap();
        let err = invoke(&window, "get_program", json!({ "id": id })).unwrap_err();
        assert_eq!(err["code"], "not_found");

        tauri::async_runtime::block_on(app.state::<Engine>().stop());
        assert!(
            dir.path().join("vigil.db").exists(),
            "the desktop app's data went to the directory it was given"
        );
    }

    /// Waits (polling, up to 20 s) for `f` to give a value.
    fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(
                std::time::Instant::now() < end,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// One HTTP/1.1 GET over a plain socket: the status code and the body.
    fn http_get(addr: &str, path: &str, token: Option<&str>) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let code = answer[9..12].parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (code, body)
    }

    #[test]
    fn the_desktop_app_serves_the_same_http_api_with_its_token() {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = app(&dir);
        let endpoint = until("the endpoint file", || {
            std::fs::read_to_string(dir.path().join(vigil_server::ENDPOINT_FILE)).ok()
        });
        let addr = endpoint.trim().to_owned();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "LAN is off by default: {addr}"
        );
        let token = std::fs::read_to_string(dir.path().join(vigil_server::TOKEN_FILE)).unwrap();
        let (code, body) = http_get(&addr, "/api/status", Some(token.trim()));
        assert_eq!(code, 200, "{body}");
        assert!(body.contains("\"version\""), "{body}");
        assert_eq!(http_get(&addr, "/api/status", None).0, 401);
        assert_eq!(http_get(&addr, "/api/status", Some("wrong")).0, 401);
        let info = command(&window, "server_info", json!({})).unwrap();
        assert_eq!(info["listen"], json!(addr));
        assert_eq!(info["urls"], json!([format!("http://{addr}")]));
        let engine = app.state::<Engine>().inner().clone();
        server::withdraw(app.handle(), &engine);
        tauri::async_runtime::block_on(engine.stop());
        assert!(
            !dir.path().join(vigil_server::ENDPOINT_FILE).exists(),
            "a stopped app leaves no endpoint behind"
        );
    }

    #[test]
    fn tray_actions_and_preferences_go_through_their_commands() {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = app(&dir);
        let ids = |menu: &Value| -> Vec<String> {
            fn walk(v: &Value, out: &mut Vec<String>) {
                for e in v.as_array().into_iter().flatten() {
                    if let Some(id) = e["id"].as_str().filter(|s| !s.is_empty()) {
                        out.push(id.to_owned());
                    }
                    walk(&e["items"], out);
                }
            }
            let mut out = Vec::new();
            walk(menu, &mut out);
            out
        };
        let menu = command(&window, "tray_menu", json!({})).unwrap();
        assert!(ids(&menu).contains(&"schedules:pause".to_owned()), "{menu}");
        command(&window, "tray_action", json!({ "id": "schedules:pause" })).unwrap();
        assert_eq!(
            invoke(&window, "get_settings", json!({})).unwrap()["schedules_paused"],
            true
        );
        let menu = command(&window, "tray_menu", json!({})).unwrap();
        assert!(
            ids(&menu).contains(&"schedules:resume".to_owned()),
            "{menu}"
        );
        let err =
            command(&window, "tray_action", json!({ "id": "program:start:999" })).unwrap_err();
        assert_eq!(err["code"], "not_found", "{err}");
        let err = command(&window, "tray_action", json!({ "id": "fly" })).unwrap_err();
        assert_eq!(err["code"], "not_found", "{err}");

        let prefs = command(
            &window,
            "set_prefs",
            json!({ "change": { "theme": "dark" } }),
        )
        .unwrap();
        assert_eq!(prefs["theme"], "dark");
        let err = command(
            &window,
            "set_prefs",
            json!({ "change": { "theme": "pink" } }),
        )
        .unwrap_err();
        assert_eq!(err["code"], "invalid_input", "{err}");
        assert_eq!(
            command(&window, "get_prefs", json!({})).unwrap()["theme"],
            "dark"
        );
        let saved = std::fs::read_to_string(dir.path().join(prefs::FILE)).unwrap();
        assert!(
            saved.contains("dark"),
            "the preferences went to the app's data dir: {saved}"
        );
        tauri::async_runtime::block_on(app.state::<Engine>().stop());
    }

    #[test]
    fn every_operation_of_the_table_is_reachable_over_ipc() {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = app(&dir);
        for op in vigil_engine::api::OPERATIONS {
            // Empty arguments: most are refused as incomplete, none as unknown.
            let answer = invoke(&window, op.name, json!({}));
            if let Err(err) = &answer {
                assert!(
                    !err["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("no operation"),
                    "{} is not dispatched: {err}",
                    op.name
                );
            }
        }
        let err = invoke(&window, "no_such_op", json!({})).unwrap_err();
        assert_eq!(err["code"], "not_found");
        tauri::async_runtime::block_on(app.state::<Engine>().stop());
    }
}
