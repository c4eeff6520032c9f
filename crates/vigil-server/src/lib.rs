//! Vigil's local HTTP API over the engine's one API: token auth on every `/api/*` route, the
//! event stream as Server-Sent Events, and the built UI at `/` for browser mode.
//!
//! Architecture Invariant: routes are adapters. Each deserializes a request, calls
//! [`Engine::call`], and maps the response or the `{code, message}` error to HTTP. Behaviour
//! lives in the engine so the desktop app, this server and the CLI cannot disagree.

mod assets;
mod error;
mod platform;
mod routes;
mod state;
mod token;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use vigil_engine::Engine;

pub use error::{ApiJson, ApiQuery, HttpError};
pub use routes::NOT_OPERATIONS;
pub use token::{TOKEN_FILE, load_or_create_token};

/// File in the data dir holding the bound address once the server is ready.
pub const ENDPOINT_FILE: &str = "endpoint";

/// Largest request body accepted, in bytes. Programs and options are small; a bigger body is a
/// mistake or an attack and gets 413 before it is read.
pub const MAX_BODY: usize = 64 * 1024;

/// Largest document an operation takes whole (an import of every job a daemon exports).
pub const MAX_DOCUMENT_BODY: usize = 16 * 1024 * 1024;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free one (the chosen one is written to `endpoint`).
    pub listen: SocketAddr,
    /// The data dir holding `api-token` and `endpoint`.
    pub data_dir: PathBuf,
}

/// A bound listener with the router ready, not yet serving: lets callers learn the address
/// before the first request can arrive.
pub struct Bound {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    addr: SocketAddr,
    endpoint_file: PathBuf,
}

/// Binds the address, loads or creates the API token, and builds the router.
pub async fn bind(engine: Engine, config: &ServerConfig) -> std::io::Result<Bound> {
    let token = load_or_create_token(&config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    Ok(Bound {
        listener,
        router: routes::router(engine, token),
        addr,
        endpoint_file: config.data_dir.join(ENDPOINT_FILE),
    })
}

impl Bound {
    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Announces the address in the `endpoint` file, then serves until `shutdown` resolves.
    /// Open event streams end when the engine stops, so stop the engine in `shutdown`, after
    /// [`withdraw`] (so no file of this server's is touched once the data dir is released).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        write_atomically(&self.endpoint_file, format!("{}\n", self.addr).as_bytes())?;
        tracing::info!(addr = %self.addr, "serving the API");
        let result = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await;
        withdraw(&self.endpoint_file, self.addr);
        result
    }
}

/// Removes the `endpoint` announcement if it still names `addr`. A next engine may already
/// have taken the data dir and announced itself there; its file is left alone.
pub fn withdraw(endpoint_file: &Path, addr: SocketAddr) {
    if std::fs::read_to_string(endpoint_file).is_ok_and(|now| now.trim() == addr.to_string()) {
        let _ = std::fs::remove_file(endpoint_file);
    }
}

/// Writes via a temporary file and a rename, so a reader never sees half a file.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}
