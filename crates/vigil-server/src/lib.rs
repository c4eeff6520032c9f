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
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
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
    /// A loopback address also refuses every connection that does not come from this PC.
    pub listen: SocketAddr,
    /// The data dir holding `api-token` and `endpoint`.
    pub data_dir: PathBuf,
    /// When the port is taken, listen on a free one instead of failing (the desktop app: it
    /// must stay reachable; the `endpoint` file names the port actually used).
    pub fallback_port: bool,
}

impl ServerConfig {
    /// What the settings say: this PC only (127.0.0.1) unless LAN access is on (every
    /// interface), on the settings' port, falling back to a free one when it is taken.
    pub fn from_settings(settings: &vigil_core::Settings, data_dir: PathBuf) -> Self {
        let ip = if settings.allow_lan {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        Self {
            listen: SocketAddr::new(ip, settings.port),
            data_dir,
            fallback_port: true,
        }
    }
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
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) if config.fallback_port && e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!(addr = %config.listen, "the port is taken; listening on a free one");
            tokio::net::TcpListener::bind(SocketAddr::new(config.listen.ip(), 0)).await?
        }
        Err(e) => return Err(e),
    };
    let addr = listener.local_addr()?;
    let local_only = config.listen.ip().is_loopback();
    Ok(Bound {
        listener,
        router: routes::router(engine, token, local_only),
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
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        withdraw(&self.endpoint_file, self.addr);
        result
    }
}

/// The addresses other programs can use to reach a server bound to `addr`: itself, or for
/// every interface (`0.0.0.0`), loopback and each of this PC's network addresses.
pub fn reachable_urls(addr: SocketAddr) -> Vec<String> {
    if !addr.ip().is_unspecified() {
        return vec![format!("http://{addr}")];
    }
    let mut urls = vec![format!("http://127.0.0.1:{}", addr.port())];
    if let Some(ip) = lan_address() {
        urls.push(format!("http://{}", SocketAddr::new(ip, addr.port())));
    }
    urls
}

/// This PC's address on its network: the local address of a UDP socket "connected" to an
/// outside address (connecting a UDP socket sends nothing). None without a network.
pub fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
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
