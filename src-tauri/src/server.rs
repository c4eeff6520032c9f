//! The desktop app serves the same HTTP API, event stream, browser UI and `/hooks` as
//! `vigil daemon`, from the same code (`vigil-server`), so the CLI, a browser and webhooks
//! reach a running desktop app. It listens where the engine's settings say: 127.0.0.1 (or
//! every interface when LAN access is on) on the settings' port, or a free one when that is
//! taken; the `endpoint` and `api-token` files in the data dir say where and how.

use std::net::SocketAddr;
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use vigil_core::sync::lock;
use vigil_engine::Engine;
use vigil_server::ServerConfig;

/// Where the API listens, for the settings page.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ServerInfo {
    /// The bound address, once listening.
    pub(crate) listen: Option<String>,
    /// The URLs a browser or the CLI can use.
    pub(crate) urls: Vec<String>,
    /// Why it could not listen, if it could not.
    pub(crate) error: Option<String>,
}

/// The server's state in Tauri: its info and address (to withdraw the `endpoint` file on quit).
#[derive(Default)]
pub(crate) struct Server {
    info: Mutex<ServerInfo>,
    addr: Mutex<Option<SocketAddr>>,
}

/// Binds and serves in the background until the engine stops. A failure to listen is logged
/// and shown on the settings page; the window works without the API.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>, engine: Engine) {
    app.manage(Server::default());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let config = ServerConfig::from_settings(&engine.settings(), engine.data_dir().to_owned());
        let server = app.state::<Server>();
        let bound = match vigil_server::bind(engine.clone(), &config).await {
            Ok(b) => b,
            Err(e) => {
                let message = format!("cannot listen on {}: {e}", config.listen);
                tracing::error!("{message}");
                lock(&server.info).error = Some(message);
                return;
            }
        };
        let addr = bound.addr();
        *lock(&server.info) = ServerInfo {
            listen: Some(addr.to_string()),
            urls: vigil_server::reachable_urls(addr),
            error: None,
        };
        *lock(&server.addr) = Some(addr);
        let stopping = engine.clone();
        if let Err(e) = bound.serve(async move { stopping.stopped().await }).await {
            tracing::error!(error = %e, "the API server failed");
        }
    });
}

/// Removes the `endpoint` file before the engine releases the data dir (see
/// [`vigil_server::withdraw`]).
pub(crate) fn withdraw<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    if let Some(server) = app.try_state::<Server>()
        && let Some(addr) = *lock(&server.addr)
    {
        vigil_server::withdraw(&engine.data_dir().join(vigil_server::ENDPOINT_FILE), addr);
    }
}

/// Where the desktop app's API listens.
#[tauri::command]
pub(crate) fn server_info<R: Runtime>(app: AppHandle<R>) -> ServerInfo {
    app.try_state::<Server>()
        .map(|s| lock(&s.info).clone())
        .unwrap_or_default()
}
