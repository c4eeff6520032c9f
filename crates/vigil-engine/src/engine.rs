use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::{broadcast, watch};
use vigil_core::{ApiError, Event, EventKind, NewEvent};
use vigil_store::{Store, StoreError};

use crate::{EventStream, Request, now_ms};

/// Live events buffered per listener before a slow one is told it lagged (it then catches up
/// from the database, so lagging loses nothing).
const LIVE_BUFFER: usize = 256;

/// What an engine needs to start. A struct, not arguments, so later settings do not change
/// every caller.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where the database and other state live. Created if missing.
    pub data_dir: PathBuf,
}

/// The running system. Cheap to clone; every clone is the same engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    live: broadcast::Sender<Event>,
    shutdown: watch::Sender<bool>,
    stopped: AtomicBool,
    started_at: i64,
    started: Instant,
    data_dir: PathBuf,
}

impl Engine {
    /// Opens the store in `config.data_dir` (migrating it), records `engine_started`, and
    /// returns the running engine.
    pub async fn start(config: EngineConfig) -> Result<Self, ApiError> {
        let data_dir = config.data_dir;
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            ApiError::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let (live, _) = broadcast::channel(LIVE_BUFFER);
        let publisher = live.clone();
        let db = data_dir.join(vigil_store::DB_FILE);
        let store = tokio::task::spawn_blocking(move || {
            Store::open(
                &db,
                Box::new(move |events| {
                    for e in events {
                        // No receivers is fine: the event is already in the database.
                        let _ = publisher.send(e.clone());
                    }
                }),
            )
        })
        .await
        .map_err(|e| ApiError::internal(format!("store open task failed: {e}")))?
        .map_err(ApiError::from)?;
        let (shutdown, _) = watch::channel(false);
        let engine = Self {
            inner: Arc::new(Inner {
                store,
                live,
                shutdown,
                stopped: AtomicBool::new(false),
                started_at: now_ms(),
                started: Instant::now(),
                data_dir,
            }),
        };
        engine
            .record(
                EventKind::EngineStarted,
                None,
                format!("Vigil {} started", env!("CARGO_PKG_VERSION")),
            )
            .await?;
        Ok(engine)
    }

    /// Stops the engine: listeners' streams end, `engine_stopped` is recorded, and the writer
    /// flushes everything queued before this call and exits. Idempotent.
    pub async fn stop(&self) {
        if self.inner.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = self
            .record(EventKind::EngineStopped, None, "Vigil stopped".to_owned())
            .await;
        self.inner.shutdown.send_replace(true);
        let writer = self.inner.store.writer().clone();
        let _ = tokio::task::spawn_blocking(move || writer.close()).await;
        tracing::info!("engine stopped");
    }

    /// Handles one API request. Every front end goes through here.
    pub async fn call<R: Request>(&self, request: R) -> Result<R::Response, ApiError> {
        request.handle(self).await
    }

    /// Events after `since`, then live ones, in id order without gaps or repeats. The stream
    /// ends when the engine stops.
    pub fn subscribe(&self, since: i64) -> EventStream {
        // Subscribe before reading the backlog, so nothing falls between the two.
        EventStream::new(
            self.clone(),
            self.inner.live.subscribe(),
            self.inner.shutdown.subscribe(),
            since,
        )
    }

    /// Where this engine keeps its state.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// When the engine started, unix milliseconds.
    pub fn started_at(&self) -> i64 {
        self.inner.started_at
    }

    /// How long the engine has been running, by the monotonic clock.
    pub fn uptime_secs(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    /// Runs a read on a reader connection off the async threads.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&vigil_store::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.inner.store.read(f))
            .await
            .map_err(|e| ApiError::internal(format!("read task failed: {e}")))?
            .map_err(ApiError::from)
    }

    /// Runs a write through the single writer; resolves after it committed.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut vigil_store::Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.inner
            .store
            .writer()
            .write(f)
            .await
            .map_err(ApiError::from)
    }

    async fn record(
        &self,
        kind: EventKind,
        program_id: Option<i64>,
        message: String,
    ) -> Result<Event, ApiError> {
        self.write(move |tx| {
            tx.event(NewEvent {
                ts: now_ms(),
                kind,
                program_id,
                message,
                detail: None,
            })
        })
        .await
    }
}
