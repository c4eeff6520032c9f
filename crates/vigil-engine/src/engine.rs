use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use vigil_core::sync::{lock, read, write};
use vigil_core::{ApiError, Event, EventKind, NewEvent, Program, ProgramId, RunId};
use vigil_store::{HistoryRetention, Retention, Store, StoreError};

use crate::appender::Appender;
use crate::appender::LogLimits;
use crate::clock::{Clock, SystemClock};
use crate::jobs::{Cancel, JobsState};
use crate::logs::ProgramLog;
use crate::monitor::{MonitorConfig, MonitorHandle, Target};
use crate::outbox::{Notifier, Outbox};
use crate::ownership::Ownership;
use crate::settings::Live;
use crate::statuses::StatusTable;
use crate::supervisor::{Control, ProgramHandle};
use crate::{EventStream, Request, now_ms, observer, supervisor};

/// Live events buffered per listener before a slow one is told it lagged (it then catches up
/// from the database, so lagging loses nothing).
const LIVE_BUFFER: usize = 256;

/// What an engine needs to start. A struct, not arguments, so later settings do not change
/// every caller; [`EngineConfig::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where the database, logs and other state live. Created if missing.
    pub data_dir: PathBuf,
    /// Sweep timing.
    pub monitor: MonitorConfig,
    /// How long a stopping program may take before its process tree is killed.
    pub stop_grace: Duration,
    /// How often buffered samples are written to the database. A crash loses at most this
    /// much sample history (events are committed at once and are never lost).
    pub flush_every: Duration,
    /// How long each resolution of sample history is kept.
    pub retention: Retention,
    /// How much run, event and delivery history is kept (pruned hourly with the samples).
    pub history: HistoryRetention,
    /// Output log rotation.
    pub logs: LogLimits,
    /// Most job runs at once (default: two per core, 2 to 16).
    pub max_concurrent_runs: usize,
    /// Most bytes of output kept per run.
    pub max_run_output: u64,
    /// On shutdown, how long running jobs may finish before they are killed.
    pub run_shutdown_grace: Duration,
    /// Where schedules get the time from (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Shows OS notifications (the desktop app); none in the headless daemon.
    pub notifier: Option<Arc<dyn Notifier>>,
    /// Most webhook deliveries in flight at once; the rest wait in the database.
    pub max_deliveries_in_flight: usize,
    /// How long an endpoint that failed five times in a row rests first (doubling each time
    /// it fails again, up to 10 min).
    pub breaker_cooldown: Duration,
    /// What this engine is, as another engine finding the data dir taken names it: `daemon`,
    /// `desktop`, `service`...
    pub kind: String,
    /// On the first start in a data dir, make the default notification rule (program crashed,
    /// restart given up, job failed: an OS notification, folded). The desktop app sets it; a
    /// rule removed later is not made again.
    pub seed_default_rule: bool,
    /// Most plugin and built-in check invocations (and action runs) at once; the rest wait.
    pub max_checks_in_flight: usize,
    /// The wait before the first retry of a failed plugin invocation (doubling after).
    pub plugin_retry_delay: Duration,
    /// How long a plugin that failed five times in a row rests first (doubling up to 10 min).
    pub plugin_breaker_cooldown: Duration,
}

impl EngineConfig {
    /// The defaults: 1 s sweeps, 5 s discovery, 10 s stop grace, 30 s sample flushes.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            monitor: MonitorConfig::default(),
            stop_grace: Duration::from_secs(10),
            flush_every: Duration::from_secs(30),
            retention: Retention::default(),
            history: HistoryRetention::default(),
            logs: LogLimits::default(),
            max_concurrent_runs: crate::jobs::default_concurrency(),
            max_run_output: 4 * 1024 * 1024,
            run_shutdown_grace: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            notifier: None,
            max_deliveries_in_flight: 16,
            breaker_cooldown: Duration::from_millis(vigil_core::BREAKER_COOLDOWN_MS as u64),
            kind: "engine".to_owned(),
            seed_default_rule: false,
            max_checks_in_flight: 8,
            plugin_retry_delay: Duration::from_secs(1),
            plugin_breaker_cooldown: Duration::from_millis(vigil_core::BREAKER_COOLDOWN_MS as u64),
        }
    }
}

/// What a program's change did to its running process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replaced {
    /// Applied as it is; nothing needed a restart.
    Applied,
    /// Restarted to run with the new command.
    Restarted,
    /// Not running; the new command is used at its next start.
    NextStart,
    /// It was launched and is now only watched (or the other way round): the process Vigil
    /// launched was stopped.
    Stopped,
}

/// The running system. Cheap to clone; every clone is the same engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    event_feed: broadcast::Sender<Event>,
    shutdown: watch::Sender<bool>,
    stopped: AtomicBool,
    started_at: i64,
    started: Instant,
    config: EngineConfig,
    programs: RwLock<HashMap<ProgramId, Program>>,
    targets: Mutex<HashMap<ProgramId, Target>>,
    statuses: StatusTable,
    /// The on-request view of the whole machine (system page, process picker).
    probe: crate::system::Probe,
    monitor: MonitorHandle,
    supervisors: Mutex<HashMap<ProgramId, ProgramHandle>>,
    observer: Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
    jobs: JobsState,
    schedule: watch::Sender<u64>,
    outbox: Arc<Outbox>,
    appender: Appender,
    /// The data dir's lock, released at the end of [`Engine::stop`] (or by the OS on a crash).
    ownership: Mutex<Option<Ownership>>,
    /// The settings and what the running parts read from them.
    live: RwLock<Live>,
    /// Serialises settings changes (each reads, patches and writes the whole document).
    settings_change: tokio::sync::Mutex<()>,
    /// Serialises changes of the program list (add, change, remove) with each other and with
    /// the stop, so the running parts always end up as the store says.
    programs_change: tokio::sync::Mutex<()>,
    /// Plugins, checks and actions.
    plugins: crate::plugins::Plugins,
}

impl Engine {
    /// Opens the store in `config.data_dir` (migrating it), starts the monitor, the observer
    /// and a supervisor per launched program, records `engine_started`, and returns.
    ///
    /// The data dir is locked first: when another engine (a daemon, the desktop app, a service)
    /// holds it, this fails with [`vigil_core::ErrorCode::Conflict`] naming the holder, having
    /// changed nothing.
    pub async fn start(config: EngineConfig) -> Result<Self, ApiError> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            ApiError::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let ownership = Ownership::take(&data_dir, &config.kind)?;
        let appender = Appender::spawn()
            .map_err(|e| ApiError::internal(format!("cannot start the output thread: {e}")))?;
        std::fs::create_dir_all(data_dir.join("runs")).map_err(|e| {
            ApiError::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        std::fs::create_dir_all(data_dir.join("logs")).map_err(|e| {
            ApiError::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let (event_feed, _) = broadcast::channel(LIVE_BUFFER);
        let publisher = event_feed.clone();
        let db = data_dir.join(vigil_store::DB_FILE);
        let outbox = Arc::new(Outbox::new(
            config.max_deliveries_in_flight,
            config.breaker_cooldown,
        ));
        let woken = outbox.clone();
        let routing = vigil_store::Routing {
            os_notifications: config.notifier.is_some(),
        };
        let store = tokio::task::spawn_blocking(move || {
            Store::open_routed(
                &db,
                Box::new(move |events| {
                    for e in events {
                        // No receivers is fine: the event is already in the database.
                        let _ = publisher.send(e.clone());
                    }
                    // Committed events may have made deliveries.
                    woken.wake();
                }),
                routing,
            )
        })
        .await
        .map_err(|e| ApiError::internal(format!("store open task failed: {e}")))?
        .map_err(ApiError::from)?;
        let live = match store.read(|c| vigil_store::get_setting(c, crate::settings::KEY)) {
            Ok(Some(doc)) => match serde_json::from_str::<vigil_core::Settings>(&doc) {
                Ok(saved) => Live::from_settings(saved, config.history),
                Err(e) => {
                    tracing::warn!(error = %e, "the saved settings cannot be read; using the defaults");
                    Live::from_config(&config)
                }
            },
            _ => Live::from_config(&config),
        };
        let config = live.apply_to(config);
        outbox.set_max_in_flight(config.max_deliveries_in_flight);
        let (sweeps_tx, sweeps_rx) = mpsc::channel(16);
        let monitor = match crate::monitor::spawn(config.monitor, sweeps_tx) {
            Ok(m) => m,
            Err(e) => {
                let writer = store.writer().clone();
                let _ = tokio::task::spawn_blocking(move || writer.close()).await;
                return Err(ApiError::internal(format!("cannot start the monitor: {e}")));
            }
        };
        let (shutdown, _) = watch::channel(false);
        let engine = Self {
            inner: Arc::new(Inner {
                store,
                event_feed,
                shutdown,
                stopped: AtomicBool::new(false),
                started_at: now_ms(),
                started: Instant::now(),
                config: config.clone(),
                programs: RwLock::new(HashMap::new()),
                targets: Mutex::new(HashMap::new()),
                statuses: StatusTable::default(),
                probe: crate::system::Probe::new(),
                monitor,
                supervisors: Mutex::new(HashMap::new()),
                observer: Mutex::new(None),
                jobs: JobsState::new(config.max_concurrent_runs, config.max_run_output),
                schedule: watch::channel(0).0,
                outbox,
                appender,
                ownership: Mutex::new(Some(ownership)),
                live: RwLock::new(live),
                settings_change: tokio::sync::Mutex::new(()),
                programs_change: tokio::sync::Mutex::new(()),
                plugins: crate::plugins::Plugins::new(
                    data_dir.join("plugins"),
                    config.max_checks_in_flight,
                    config.plugin_retry_delay,
                    config.plugin_breaker_cooldown,
                ),
            }),
        };
        // Anything failing from here on is torn down like a stop, so nothing that was started
        // (observer, adopted programs, writer, the data dir's lock) outlives the failed start.
        if let Err(e) = engine.resume(sweeps_rx).await {
            engine.stop().await;
            return Err(e);
        }
        tokio::spawn(crate::outbox::run(
            engine.clone(),
            engine.inner.shutdown.subscribe(),
        ));
        tokio::spawn(crate::jobs::scheduler::run(
            engine.clone(),
            engine.inner.schedule.subscribe(),
            engine.inner.shutdown.subscribe(),
        ));
        tokio::spawn(crate::plugins::run(
            engine.clone(),
            engine.inner.shutdown.subscribe(),
        ));
        Ok(engine)
    }

    /// The part of the start that reads the store: records `engine_started`, starts the
    /// observer, ends a crashed run's leftovers, adopts programs and loads jobs.
    async fn resume(
        &self,
        sweeps_rx: mpsc::Receiver<crate::monitor::Sweep>,
    ) -> Result<(), ApiError> {
        self.record(NewEvent {
            ts: now_ms(),
            kind: EventKind::EngineStarted,
            program_id: None,
            job_id: None,
            message: format!("Vigil {} started", env!("CARGO_PKG_VERSION")),
            detail: None,
        })
        .await?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let observer = tokio::spawn(observer::run(self.clone(), sweeps_rx, stop_rx));
        {
            let mut o = lock(&self.inner.observer);
            *o = Some((stop_tx, observer));
        }
        if self.inner.config.seed_default_rule {
            self.write(seed_default_rule).await?;
        }
        let mut left = crate::supervisor::end_leftovers(self).await?;
        let programs = self.read(vigil_store::list_programs).await?;
        for p in programs {
            let running = if p.launch { left.remove(&p.id) } else { None };
            self.adopt_running(p, running);
        }
        // Left running for a program that is gone (or no longer launched): not Vigil's any
        // more to keep; ended like any leftover.
        for (program, (pid, start)) in left {
            crate::supervisor::end_tree(pid, start, self.live().stop_grace).await;
            let _ = self
                .write(move |tx| vigil_store::launched_ended(tx, program))
                .await;
        }
        self.refresh_targets();
        let jobs = self.read(vigil_store::list_jobs).await?;
        let now = self.inner.config.clock.now();
        for j in &jobs {
            self.inner.jobs.schedule_from(&j.id, now);
        }
        {
            let mut map = write(&self.inner.jobs.jobs);
            map.extend(jobs.into_iter().map(|j| (j.id.clone(), j)));
        }
        crate::jobs::interrupt_leftovers(self).await?;
        crate::plugins::load(self).await?;
        // Actions hear every event from here on (a lagging listener catches up from the
        // database, so none is missed).
        let since = self.read(vigil_store::last_event_id).await?;
        tokio::spawn(crate::plugins::listen(self.clone(), since));
        Ok(())
    }

    /// Stops the engine: supervised programs are stopped (politely, then by force), buffered
    /// samples are flushed, listeners' streams end, `engine_stopped` is recorded, and the
    /// writer finishes everything queued and exits. Idempotent.
    pub async fn stop(&self) {
        if self.inner.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        // A program change in progress finishes first; any after it sees the stop and refuses.
        let _programs = self.programs_change().await;
        let handles: Vec<ProgramHandle> = lock(&self.inner.supervisors)
            .drain()
            .map(|(_, h)| h)
            .collect();
        // No new scheduled runs from here on; listeners' streams end later, after the last events.
        self.inner.schedule.send_modify(|n| *n += 1);
        let leave = self.settings().leave_running_on_quit;
        let stops = handles.into_iter().map(|h| async move {
            if leave {
                detach_supervisor(h).await;
            } else {
                shutdown_supervisor(h).await;
            }
        });
        futures_util::future::join_all(stops).await;
        self.stop_runs().await;
        let monitor = self.inner.monitor.clone();
        let _ = tokio::task::spawn_blocking(move || monitor.stop()).await;
        let observer = lock(&self.inner.observer).take();
        if let Some((stop, task)) = observer {
            let _ = stop.send(());
            let _ = task.await;
        }
        crate::plugins::flush(self.clone()).await;
        let _ = self
            .record(NewEvent {
                ts: now_ms(),
                kind: EventKind::EngineStopped,
                program_id: None,
                job_id: None,
                message: "Vigil stopped".to_owned(),
                detail: None,
            })
            .await;
        self.inner.shutdown.send_replace(true);
        self.inner.appender.flush().await;
        let writer = self.inner.store.writer().clone();
        let _ = tokio::task::spawn_blocking(move || writer.close()).await;
        if let Some(ownership) = lock(&self.inner.ownership).take() {
            ownership.release();
        }
        tracing::info!("engine stopped");
    }

    /// Waits up to the grace period for running jobs, then stops the rest (recorded as
    /// interrupted). New runs are refused from the moment stopping began.
    async fn stop_runs(&self) {
        let jobs = &self.inner.jobs;
        let mut ended = jobs.ended.subscribe();
        let deadline = tokio::time::Instant::now() + self.inner.config.run_shutdown_grace;
        loop {
            let running: Vec<RunId> = lock(&jobs.running).keys().copied().collect();
            if running.is_empty() {
                return;
            }
            if tokio::time::timeout_at(deadline, ended.changed())
                .await
                .is_err()
            {
                for id in running {
                    jobs.cancel(id, Cancel::Shutdown);
                }
                let _ = tokio::time::timeout(Duration::from_secs(10), async {
                    while !lock(&jobs.running).is_empty() {
                        let _ = ended.changed().await;
                    }
                })
                .await;
                return;
            }
        }
    }

    /// Tells the scheduler that jobs changed.
    pub(crate) fn schedule_changed(&self) {
        self.inner.schedule.send_modify(|n| *n += 1);
    }

    pub(crate) fn jobs(&self) -> &JobsState {
        &self.inner.jobs
    }

    pub(crate) fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// The output thread that writes program logs and run output.
    pub(crate) fn appender(&self) -> &Appender {
        &self.inner.appender
    }

    /// Now on the engine's clock, unix milliseconds: what the outbox and the job runner's
    /// waits are measured against (the wall clock, or a test's manual one).
    pub(crate) fn clock_ms(&self) -> i64 {
        self.inner.config.clock.now().timestamp_millis()
    }

    /// Sleeps until `at_ms` on the engine's clock.
    pub(crate) fn sleep_until_ms(
        &self,
        at_ms: i64,
    ) -> impl std::future::Future<Output = ()> + Send + use<> {
        let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        self.inner.config.clock.sleep_until(at)
    }

    /// Handles one API request. Every front end goes through here.
    pub async fn call<R: Request>(&self, request: R) -> Result<R::Response, ApiError> {
        request.handle(self).await
    }

    /// Program statuses pushed as they change: all of them at once, then after each sweep (and
    /// at once on a state change) only the programs that changed, with their new samples. Ends
    /// when the engine stops. Nothing is computed while nothing changes.
    pub fn watch_statuses(
        &self,
    ) -> impl futures_util::Stream<Item = crate::statuses::StatusUpdate> + Send + use<> {
        struct Watcher {
            engine: Engine,
            published: watch::Receiver<u64>,
            shutdown: watch::Receiver<bool>,
            cursor: crate::statuses::StatusCursor,
        }
        let start = Watcher {
            engine: self.clone(),
            published: self.inner.statuses.watch(),
            shutdown: self.inner.shutdown.subscribe(),
            cursor: crate::statuses::StatusCursor::default(),
        };
        futures_util::stream::unfold(start, |mut w| async move {
            let mut first = true;
            loop {
                if !first {
                    if *w.shutdown.borrow() {
                        return None;
                    }
                    tokio::select! {
                        changed = w.published.changed() => changed.ok()?,
                        _ = w.shutdown.changed() => return None,
                    }
                }
                first = false;
                // Only the ids: cloning every program on each sweep for each watcher is waste.
                let mut ids: Vec<ProgramId> =
                    read(&w.engine.inner.programs).keys().copied().collect();
                ids.sort_unstable();
                let update = w.engine.inner.statuses.changes(
                    &ids,
                    &mut w.cursor,
                    crate::statuses::STATUS_RECENT,
                );
                if update.full || !update.statuses.is_empty() || !update.removed.is_empty() {
                    return Some((update, w));
                }
            }
        })
    }

    /// Events after `since`, then live ones, in id order without gaps or repeats. The stream
    /// ends when the engine stops.
    pub fn subscribe(&self, since: i64) -> EventStream {
        // Subscribe before reading the backlog, so nothing falls between the two.
        EventStream::new(
            self.clone(),
            self.inner.event_feed.subscribe(),
            self.inner.shutdown.subscribe(),
            since,
        )
    }

    /// Resolves once the engine has stopped (its streams have ended): what a server serving
    /// it waits on to shut down.
    pub async fn stopped(&self) {
        let mut shutdown = self.inner.shutdown.subscribe();
        let _ = shutdown.wait_for(|stopped| *stopped).await;
    }

    /// Where this engine keeps its state.
    pub fn data_dir(&self) -> &Path {
        &self.inner.config.data_dir
    }

    /// When the engine started, unix milliseconds.
    pub fn started_at(&self) -> i64 {
        self.inner.started_at
    }

    /// How long the engine has been running, by the monotonic clock.
    pub fn uptime_secs(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    pub(crate) fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The engine's settings now.
    pub fn settings(&self) -> vigil_core::Settings {
        read(&self.inner.live).settings.clone()
    }

    /// Held while a program is added, changed or removed (write and running parts together),
    /// and by the stop. Take it, then check [`Engine::is_stopping`].
    pub(crate) async fn programs_change(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.programs_change.lock().await
    }

    /// Held while a settings change reads, patches, writes and applies the document.
    pub(crate) async fn settings_change(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.settings_change.lock().await
    }

    /// The settings and what the running parts read from them.
    pub(crate) fn live(&self) -> Live {
        read(&self.inner.live).clone()
    }

    /// Puts new (already saved) settings into effect: sweep timing, concurrency, output cap,
    /// delivery limit, retention, stop grace and the schedule pause apply at once; the
    /// listener's address only on the next start.
    pub(crate) fn apply_settings(&self, settings: vigil_core::Settings) {
        let live = Live::from_settings(settings, self.inner.config.history);
        self.inner.monitor.set_timing(live.monitor());
        self.inner
            .jobs
            .set_concurrency(live.settings.max_concurrent_runs as usize);
        self.inner.jobs.max_output.store(
            u64::from(live.settings.max_run_output_kib) * 1024,
            Ordering::SeqCst,
        );
        self.inner
            .outbox
            .set_max_in_flight(live.settings.max_deliveries_in_flight as usize);
        *write(&self.inner.live) = live;
        self.schedule_changed();
    }

    /// Plugins, checks and actions.
    pub(crate) fn plugins(&self) -> &crate::plugins::Plugins {
        &self.inner.plugins
    }

    /// Every program's live status.
    pub(crate) fn statuses(&self) -> &StatusTable {
        &self.inner.statuses
    }

    /// The machine and its processes now (see [`crate::system`]), off the async threads.
    pub(crate) async fn look_at_system(
        &self,
    ) -> Result<
        (
            crate::system::SystemOverview,
            Vec<crate::system::ProcessInfo>,
        ),
        ApiError,
    > {
        let owners = self.inner.statuses.owners();
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.inner.probe.look(&owners))
            .await
            .map_err(|e| ApiError::internal(format!("reading the system failed: {e}")))?
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// A registered program from the in-memory copy (no database read).
    pub(crate) fn program(&self, id: ProgramId) -> Option<Program> {
        read(&self.inner.programs).get(&id).cloned()
    }

    /// Every registered program from the in-memory copy.
    pub(crate) fn programs(&self) -> Vec<Program> {
        read(&self.inner.programs).values().cloned().collect()
    }

    /// Starts watching (and, for launched programs, supervising) a program.
    pub(crate) fn adopt(&self, program: Program) {
        self.adopt_running(program, None);
    }

    /// [`Engine::adopt`], taking over `left` (pid, start time): the process the last Vigil
    /// left running for it when it quit.
    pub(crate) fn adopt_running(&self, program: Program, left: Option<(u32, i64)>) {
        let id = program.id;
        self.inner.statuses.update(id, |_| {});
        // Resolve the path once here, not on every change of the target list. The target goes
        // in before the supervisor starts, so an autostart's PID always finds it.
        let target = Target {
            program_id: id,
            path: crate::monitor::canonical_path(&program.path),
            rule: program.match_by.clone(),
            launch: program.launch,
            launched: None,
        };
        {
            let mut t = lock(&self.inner.targets);
            t.insert(id, target);
        }
        {
            let mut p = write(&self.inner.programs);
            p.insert(id, program.clone());
        }
        if program.launch {
            let log = Arc::new(ProgramLog::new(
                &self.data_dir().join("logs"),
                id,
                self.inner.config.logs,
                self.inner.appender.clone(),
            ));
            let handle = supervisor::spawn(self.clone(), program, log, left);
            {
                let mut s = lock(&self.inner.supervisors);
                s.insert(id, handle);
            }
        }
    }

    /// Stops supervising and watching a removed program.
    pub(crate) async fn forget(&self, id: ProgramId) {
        let handle = lock(&self.inner.supervisors).remove(&id);
        if let Some(h) = handle {
            shutdown_supervisor(h).await;
        }
        {
            let mut p = write(&self.inner.programs);
            p.remove(&id);
        }
        {
            let mut t = lock(&self.inner.targets);
            t.remove(&id);
        }
        self.inner.statuses.remove(id);
        self.inner.plugins.program_removed(id);
        self.refresh_targets();
    }

    /// Puts a changed definition of a registered program into effect, keeping its status,
    /// log and restart history. Returns what happened to a running process.
    pub(crate) async fn replace(&self, before: &Program, after: Program) -> Replaced {
        let id = after.id;
        if before.launch != after.launch {
            // Launched <-> watched: the old supervisor (and what it ran) goes, the new mode
            // starts fresh; the status entry and history stay.
            let handle = lock(&self.inner.supervisors).remove(&id);
            let was_running = handle.is_some()
                && self.inner.statuses.get(id, 0).state == crate::statuses::ProgramState::Running;
            if let Some(h) = handle {
                shutdown_supervisor(h).await;
            }
            self.adopt(after);
            self.refresh_targets();
            return if was_running {
                Replaced::Stopped
            } else {
                Replaced::Applied
            };
        }
        {
            let mut t = lock(&self.inner.targets);
            if let Some(target) = t.get_mut(&id) {
                target.path = crate::monitor::canonical_path(&after.path);
                target.rule = after.match_by.clone();
            }
        }
        {
            let mut p = write(&self.inner.programs);
            p.insert(id, after.clone());
        }
        self.refresh_targets();
        if !after.launch {
            return Replaced::Applied;
        }
        let restart = vigil_core::needs_restart(before, &after);
        let _ = self
            .control(id, |tx| Control::Update(Box::new(after), tx))
            .await;
        if !restart {
            return Replaced::Applied;
        }
        match self.control(id, Control::Restart).await {
            Ok(Ok(())) => Replaced::Restarted,
            _ => Replaced::NextStart,
        }
    }

    /// Records the PID Vigil launched for a program (or its exit), for the monitor. Kept in the
    /// engine's target list too, so a later change of the list cannot lose it.
    pub(crate) fn set_launched(&self, id: ProgramId, pid: Option<u32>) {
        if let Some(target) = lock(&self.inner.targets).get_mut(&id) {
            target.launched = pid;
        }
        self.inner.monitor.set_launched(id, pid);
    }

    /// Tells the monitor what to look for.
    pub(crate) fn refresh_targets(&self) {
        let targets = lock(&self.inner.targets).values().cloned().collect();
        self.inner.monitor.set_targets(targets);
    }

    /// Sends a request to a program's supervisor and waits for the answer.
    pub(crate) async fn control<T>(
        &self,
        id: ProgramId,
        make: impl FnOnce(oneshot::Sender<T>) -> Control,
    ) -> Result<T, ApiError> {
        let program = self
            .program(id)
            .ok_or_else(|| ApiError::not_found(format!("no program with id {id}")))?;
        let sender = lock(&self.inner.supervisors)
            .get(&id)
            .map(|h| h.control.clone())
            .ok_or_else(|| {
                ApiError::conflict(format!(
                    "{:?} is only watched (launch is off); Vigil cannot start or stop it",
                    program.name
                ))
            })?;
        let (tx, rx) = oneshot::channel();
        sender
            .send(make(tx))
            .await
            .map_err(|_| ApiError::unavailable("the engine is stopping"))?;
        rx.await
            .map_err(|_| ApiError::unavailable("the engine is stopping"))
    }

    /// The output log of a launched program.
    pub(crate) fn log(&self, id: ProgramId) -> Option<Arc<ProgramLog>> {
        lock(&self.inner.supervisors)
            .get(&id)
            .map(|h| h.log.clone())
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

    /// Persists an event (then publishes it).
    pub(crate) async fn record(&self, event: NewEvent) -> Result<Event, ApiError> {
        self.write(move |tx| tx.event(event)).await
    }
}

/// Makes the default notification rule once per data dir (see
/// [`EngineConfig::seed_default_rule`]).
fn seed_default_rule(tx: &mut vigil_store::Tx<'_>) -> Result<(), StoreError> {
    if vigil_store::get_setting(tx.conn(), crate::settings::SEEDED_KEY)?.is_some() {
        return Ok(());
    }
    let rule = vigil_core::Rule {
        id: 0,
        name: "Crashes and failures".to_owned(),
        enabled: true,
        kinds: vec![
            EventKind::ProgramCrashed,
            EventKind::RestartGivenUp,
            EventKind::RunFailed,
        ],
        programs: Vec::new(),
        jobs: Vec::new(),
        tags: Vec::new(),
        os: true,
        endpoints: Vec::new(),
        fold_secs: 300,
    };
    vigil_store::put_rule(tx, rule, now_ms())?;
    vigil_store::put_setting(tx, crate::settings::SEEDED_KEY, "default_rule", None)
}

/// Lets a program started to outlive Vigil go on running (others are stopped).
async fn detach_supervisor(handle: ProgramHandle) {
    let (tx, rx) = oneshot::channel();
    if handle.control.send(Control::Detach(tx)).await.is_ok() {
        let _ = rx.await;
    }
    let _ = handle.task.await;
}

async fn shutdown_supervisor(handle: ProgramHandle) {
    let (tx, rx) = oneshot::channel();
    if handle.control.send(Control::Shutdown(tx)).await.is_ok() {
        let _ = rx.await;
    }
    let _ = handle.task.await;
}
