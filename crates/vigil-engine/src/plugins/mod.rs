//! Plugins: checks on an interval and actions on events.
//!
//! Architecture Invariant: nothing here runs on the monitor's sweep or the writer thread.
//! One scheduler task decides what is due; each invocation is its own task that waits for one
//! of a fixed number of permits (so a hundred checks never start at once), runs the plugin
//! process (or a built-in probe) with a timeout that kills its tree, and hands the result to
//! [`finish`]: a change of status is written at once with its event, in one transaction;
//! unchanged answers are logged in batches. Checks are spread over their interval by id, so
//! checks with the same interval do not start in the same second; a program's checks wait
//! until it runs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use ts_rs::TS;
use vigil_core::{
    Action, ActionId, ActionRun, ApiError, Breaker, BreakerChange, Check, CheckAnswer, CheckId,
    CheckResult, CheckStatus, Event, EventKind, Manifest, NewEvent, PluginKind, Probe, ProgramId,
    Protocol, health_of,
};

use crate::{Engine, now_ms};
use vigil_core::sync::{lock, read, write};

pub(crate) mod builtin;
pub(crate) mod invoke;
pub(crate) mod registry;

use invoke::{Invocation, Ran};

/// A plugin's circuit breaker as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Running normally.
    Closed,
    /// Resting after repeated failures, until `open_until`.
    Open,
    /// The rest is over: the next invocation is a trial.
    HalfOpen,
}

/// An installed (or refused) plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PluginInfo {
    /// Its name (the folder's when the manifest was refused).
    pub name: String,
    /// Its folder.
    pub dir: String,
    /// Its manifest, when it was accepted.
    pub manifest: Option<Manifest>,
    /// Why it was refused.
    pub error: Option<String>,
    /// Its breaker.
    pub breaker: BreakerState,
    /// Until when it rests (unix ms).
    #[ts(type = "number | null")]
    pub open_until: Option<i64>,
    /// Failed invocations in a row.
    pub failures: u32,
    /// Checks using it.
    pub checks: usize,
    /// Actions using it.
    pub actions: usize,
}

/// A check with what is known of it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckView {
    /// Its definition.
    pub check: Check,
    /// Its latest result.
    pub latest: Option<CheckResult>,
    /// When it runs next (unix ms); none when disabled.
    #[ts(type = "number | null")]
    pub next_at: Option<i64>,
    /// CRITICAL answers in a row.
    pub criticals_in_a_row: u32,
}

struct CheckState {
    check: Check,
    latest: Option<CheckResult>,
    criticals: u32,
    next_at: Instant,
    running: bool,
}

/// A breaker with the count the UI shows.
struct PluginBreaker {
    breaker: Breaker,
    failures: u32,
    /// When the trial of a half-open breaker was taken (one at a time).
    trial: Option<i64>,
}

/// The plugins' shared state.
pub(crate) struct Plugins {
    root: PathBuf,
    found: RwLock<Vec<registry::Found>>,
    checks: Mutex<BTreeMap<CheckId, CheckState>>,
    actions: RwLock<Vec<Action>>,
    breakers: Mutex<HashMap<String, PluginBreaker>>,
    permits: Arc<Semaphore>,
    wake: watch::Sender<u64>,
    offsets: Mutex<HashMap<CheckId, u64>>,
    patterns: Mutex<HashMap<String, regex::Regex>>,
    client: reqwest::Client,
    retry_delay: Duration,
    cooldown_ms: i64,
    /// Results whose status did not change, waiting to be logged in one write (see [`finish`]).
    pending: Mutex<Vec<(CheckId, CheckResult)>>,
    /// Held while a batch is taken and written.
    log_order: tokio::sync::Mutex<()>,
    /// Action runs started or waiting for a permit.
    actions_waiting: std::sync::atomic::AtomicUsize,
}

/// Most action runs waiting at once.
const MAX_ACTIONS_WAITING: usize = 64;

/// Unchanged results wait at most this long before they are logged.
const LOG_EVERY: Duration = Duration::from_secs(5);
/// ... or until this many wait.
const LOG_AT: usize = 100;

/// The request a Vigil-protocol check gets on stdin.
#[derive(Serialize)]
struct CheckRequest<'a> {
    kind: &'static str,
    config: &'a BTreeMap<String, serde_json::Value>,
    check: serde_json::Value,
    program: Option<serde_json::Value>,
}

impl Plugins {
    pub(crate) fn new(
        root: PathBuf,
        concurrency: usize,
        retry_delay: Duration,
        cooldown: Duration,
    ) -> Self {
        Self {
            root,
            found: RwLock::new(Vec::new()),
            checks: Mutex::new(BTreeMap::new()),
            actions: RwLock::new(Vec::new()),
            breakers: Mutex::new(HashMap::new()),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wake: watch::channel(0).0,
            offsets: Mutex::new(HashMap::new()),
            patterns: Mutex::new(HashMap::new()),
            client: reqwest::Client::builder()
                .user_agent(concat!("Vigil/", env!("CARGO_PKG_VERSION"), " check"))
                .redirect(reqwest::redirect::Policy::limited(5))
                .build()
                .unwrap_or_default(),
            retry_delay,
            cooldown_ms: i64::try_from(cooldown.as_millis())
                .unwrap_or(i64::MAX)
                .max(1),
            pending: Mutex::new(Vec::new()),
            log_order: tokio::sync::Mutex::new(()),
            actions_waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The plugins folder.
    pub(crate) fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Reads the plugins folder again.
    pub(crate) fn rescan(&self) {
        let found = registry::scan(&self.root);
        *write(&self.found) = found;
    }

    /// An accepted plugin by name, with its folder.
    pub(crate) fn plugin(&self, name: &str) -> Option<(Manifest, PathBuf)> {
        read(&self.found).iter().find_map(|f| match &f.manifest {
            Ok(m) if m.name == name => Some((m.clone(), f.dir.clone())),
            _ => None,
        })
    }

    /// Every plugin folder with its state.
    pub(crate) fn info(&self) -> Vec<PluginInfo> {
        let now = now_ms();
        let found = read(&self.found).clone();
        let breakers = lock(&self.breakers);
        let checks = lock(&self.checks);
        let actions = read(&self.actions);
        found
            .into_iter()
            .map(|f| {
                let name = f.name();
                let b = breakers.get(&name);
                let open_until = b.and_then(|b| b.breaker.open_until());
                let breaker = match b {
                    Some(b) if b.breaker.half_open(now) => BreakerState::HalfOpen,
                    Some(b) if !b.breaker.allows(now) => BreakerState::Open,
                    _ => BreakerState::Closed,
                };
                let ok = f.manifest.is_ok();
                PluginInfo {
                    checks: checks
                        .values()
                        .filter(|c| ok && c.check.probe.plugin() == Some(name.as_str()))
                        .count(),
                    actions: actions.iter().filter(|a| ok && a.plugin == name).count(),
                    dir: f.dir.display().to_string(),
                    error: f.manifest.as_ref().err().cloned(),
                    manifest: f.manifest.ok(),
                    breaker,
                    open_until: open_until.filter(|_| breaker != BreakerState::Closed),
                    failures: b.map_or(0, |b| b.failures),
                    name,
                }
            })
            .collect()
    }

    /// Every check with its state.
    pub(crate) fn views(&self) -> Vec<CheckView> {
        let checks = lock(&self.checks);
        let now = Instant::now();
        let wall = now_ms();
        checks
            .values()
            .map(|s| CheckView {
                check: s.check.clone(),
                latest: s.latest.clone(),
                next_at: s.check.enabled.then(|| {
                    wall + i64::try_from(s.next_at.saturating_duration_since(now).as_millis())
                        .unwrap_or(0)
                }),
                criticals_in_a_row: s.criticals,
            })
            .collect()
    }

    /// One check with its state.
    pub(crate) fn view(&self, id: CheckId) -> Option<CheckView> {
        self.views().into_iter().find(|v| v.check.id == id)
    }

    /// A check was created or changed: it runs on its (new) interval, spread like the others.
    pub(crate) fn check_saved(&self, check: Check, interval: Duration) {
        let first = Instant::now() + spread(check.id, interval);
        {
            let mut checks = lock(&self.checks);
            match checks.get_mut(&check.id) {
                Some(s) => {
                    if s.check.probe != check.probe {
                        lock(&self.offsets).remove(&check.id);
                    }
                    s.check = check;
                    s.next_at = first;
                }
                None => {
                    checks.insert(
                        check.id,
                        CheckState {
                            check,
                            latest: None,
                            criticals: 0,
                            next_at: first,
                            running: false,
                        },
                    );
                }
            }
        }
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Forgets a deleted check.
    pub(crate) fn check_removed(&self, id: CheckId) -> Option<Check> {
        lock(&self.offsets).remove(&id);
        lock(&self.checks).remove(&id).map(|s| s.check)
    }

    /// Forgets the checks of a removed program (the store deleted them with it).
    pub(crate) fn program_removed(&self, program: ProgramId) {
        let gone: Vec<CheckId> = lock(&self.checks)
            .values()
            .filter(|s| s.check.program_id == Some(program))
            .map(|s| s.check.id)
            .collect();
        for id in gone {
            self.check_removed(id);
        }
    }

    /// Replaces the actions.
    pub(crate) fn set_actions(&self, actions: Vec<Action>) {
        *write(&self.actions) = actions;
    }

    /// The health of a program from its enabled checks; `None` without checks.
    fn health(&self, program: ProgramId) -> Option<vigil_core::ProgramHealth> {
        let checks = lock(&self.checks);
        health_of(
            checks
                .values()
                .filter(|s| s.check.enabled && s.check.program_id == Some(program))
                .map(|s| s.latest.as_ref().map(|r| r.answer.status)),
        )
    }
}

/// Where in its interval a check first runs: its id times the golden ratio, modulo one, so
/// consecutive ids land far apart and any number of checks fill the interval evenly.
fn spread(id: CheckId, interval: Duration) -> Duration {
    let frac = (id as f64 * 0.618_033_988_749_895).fract();
    interval.mul_f64(frac)
}

/// The interval and timeout a check runs with.
pub(crate) fn timing(check: &Check, manifest: Option<&Manifest>) -> (Duration, Duration) {
    let interval = check
        .interval_secs
        .or(manifest.map(|m| m.interval_secs))
        .unwrap_or(60);
    let timeout = check
        .timeout_secs
        .or(manifest.map(|m| m.timeout_secs))
        .unwrap_or(10);
    (Duration::from_secs(interval), Duration::from_secs(timeout))
}

/// Sets a program's health in its status (everyone watching hears of a change).
pub(crate) fn publish_health(engine: &Engine, program: ProgramId) {
    if engine.program(program).is_none() {
        return;
    }
    let health = engine.plugins().health(program);
    engine.statuses().update(program, |s| s.health = health);
}

/// Loads checks, their latest results and actions, and reads the plugins folder.
pub(crate) async fn load(engine: &Engine) -> Result<(), ApiError> {
    let plugins = engine.plugins();
    let _ = std::fs::create_dir_all(plugins.root());
    plugins.rescan();
    let (checks, latest, actions) = engine
        .read(|c| {
            Ok((
                vigil_store::list_checks(c)?,
                vigil_store::latest_check_results(c)?,
                vigil_store::list_actions(c)?,
            ))
        })
        .await?;
    let latest: HashMap<CheckId, vigil_core::CheckRecord> =
        latest.into_iter().map(|r| (r.check_id, r)).collect();
    let mut programs = HashSet::new();
    for check in checks {
        let manifest = check
            .probe
            .plugin()
            .and_then(|p| plugins.plugin(p))
            .map(|(m, _)| m);
        let (interval, _) = timing(&check, manifest.as_ref());
        let id = check.id;
        if let Some(p) = check.program_id {
            programs.insert(p);
        }
        plugins.check_saved(check, interval);
        if let Some(r) = latest.get(&id)
            && let Some(s) = lock(&plugins.checks).get_mut(&id)
        {
            s.latest = Some(CheckResult {
                answer: CheckAnswer {
                    status: r.status,
                    message: r.message.clone(),
                    metrics: r.metrics.clone(),
                    details: None,
                },
                error: r.error.clone(),
                ts: r.ts,
                duration_ms: r.duration_ms,
                attempts: r.attempts,
            });
        }
    }
    plugins.set_actions(actions);
    for p in programs {
        publish_health(engine, p);
    }
    Ok(())
}

/// The scheduler: starts each enabled check when it is due, never two invocations of one
/// check at once, until the engine stops.
pub(crate) async fn run(engine: Engine, mut shutdown: watch::Receiver<bool>) {
    let mut wake = engine.plugins().wake.subscribe();
    let mut log = tokio::time::interval(LOG_EVERY);
    log.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // A stopping engine stops its programs first: their checks must not report that.
        if *shutdown.borrow() || engine.is_stopping() {
            return;
        }
        let now = Instant::now();
        let mut due = Vec::new();
        let mut next: Option<Instant> = None;
        {
            let plugins = engine.plugins();
            let mut checks = lock(&plugins.checks);
            for s in checks.values_mut().filter(|s| s.check.enabled) {
                if s.next_at <= now && !s.running {
                    let manifest = s
                        .check
                        .probe
                        .plugin()
                        .and_then(|p| plugins.plugin(p))
                        .map(|(m, _)| m);
                    let (interval, _) = timing(&s.check, manifest.as_ref());
                    // Keep the rhythm; after a long stall start again from now.
                    s.next_at += interval;
                    if s.next_at <= now {
                        s.next_at = now + interval;
                    }
                    if program_ready(&engine, &s.check, interval) {
                        s.running = true;
                        due.push(s.check.clone());
                    }
                }
                if !s.running || s.next_at > now {
                    next = Some(next.map_or(s.next_at, |n| n.min(s.next_at)));
                }
            }
        }
        for check in due {
            let engine = engine.clone();
            tokio::spawn(async move {
                let _running = Running {
                    engine: engine.clone(),
                    id: check.id,
                };
                if let Some(result) = invoke_check(&engine, &check).await {
                    finish(&engine, &check, result).await;
                }
            });
        }
        let sleep = async {
            match next {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep => {}
            changed = wake.changed() => if changed.is_err() { return },
            // Logged beside the scheduling, so a slow writer never holds a check back.
            _ = log.tick() => {
                tokio::spawn(flush(engine.clone()));
            }
            _ = shutdown.changed() => {}
        }
    }
}

/// Whether a check of a program may run on its interval now: its program runs, and has run
/// for a while (a check landing while a program starts up would report it down, and with
/// `restart_after` restart it forever). A check standing alone always may. Run-now is not
/// held back.
fn program_ready(engine: &Engine, check: &Check, interval: Duration) -> bool {
    let Some(p) = check.program_id else {
        return true;
    };
    let status = engine.statuses().get(p, 0);
    if status.state != crate::statuses::ProgramState::Running {
        return false;
    }
    let grace = i64::try_from(interval.min(STARTUP_GRACE).as_millis()).unwrap_or(i64::MAX);
    status.since.is_none_or(|since| now_ms() - since >= grace)
}

/// How long a program runs before its checks count (at most; a shorter interval is used).
const STARTUP_GRACE: Duration = Duration::from_secs(30);

/// Marks a check as running while it lives (even if its task panics or is dropped), and
/// wakes the scheduler when it ends: a run longer than its interval is due again at once.
pub(crate) struct Running {
    engine: Engine,
    id: CheckId,
}

impl Running {
    /// Marks the check as running, unless it already is (a scheduled run or another run-now).
    pub(crate) fn claim(engine: &Engine, id: CheckId) -> Option<Self> {
        let mut checks = lock(&engine.plugins().checks);
        let s = checks.get_mut(&id)?;
        if s.running {
            return None;
        }
        s.running = true;
        Some(Self {
            engine: engine.clone(),
            id,
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let plugins = self.engine.plugins();
        if let Some(s) = lock(&plugins.checks).get_mut(&self.id) {
            s.running = false;
        }
        plugins.wake.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// The outcome of one attempt.
enum Attempt {
    /// The probe answered.
    Answer(CheckAnswer),
    /// The plugin failed (crash, timeout, garbage): retried, and counted by its breaker.
    Failed(String),
    /// The check cannot run as it is (its plugin is missing, of the wrong kind, or its config
    /// no longer fits the plugin): not the plugin's fault, so neither retried nor counted.
    Misconfigured(String),
}

/// Most seconds the breaker's trial is held by one run: after that, a run that never
/// reported (its task was dropped) no longer blocks the next trial.
const TRIAL_HOLD_MS: i64 = 10 * 60 * 1000;

/// Runs a check once, with its retries; `None` when its plugin rests (breaker open) and the
/// run was skipped. Each attempt waits for a permit of its own (a run waiting to retry holds
/// none) and asks the breaker first.
pub(crate) async fn invoke_check(engine: &Engine, check: &Check) -> Option<CheckResult> {
    let plugins = engine.plugins();
    let plugin = check.probe.plugin().map(str::to_owned);
    let mut attempts = 0;
    loop {
        if let Some(name) = &plugin
            && !breaker_lets_through(engine, name)
        {
            // Resting: the first attempt is skipped; a retry ends the run with its failure.
            return (attempts > 0).then(|| {
                failed_result(
                    "the plugin rests after repeated failures".to_owned(),
                    attempts,
                    0,
                )
            });
        }
        attempts += 1;
        let permit = plugins.permits.clone().acquire_owned().await.ok()?;
        let started = std::time::Instant::now();
        let outcome = attempt(engine, check).await;
        drop(permit);
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match outcome {
            Attempt::Answer(answer) => {
                if let Some(name) = &plugin {
                    breaker_result(engine, name, None).await;
                }
                return Some(CheckResult {
                    answer,
                    error: None,
                    ts: now_ms(),
                    duration_ms,
                    attempts,
                });
            }
            Attempt::Misconfigured(why) => {
                if let Some(name) = &plugin {
                    release_trial(engine, name);
                }
                return Some(failed_result(why, attempts, duration_ms));
            }
            Attempt::Failed(why) => {
                let resting = match &plugin {
                    Some(name) => breaker_result(engine, name, Some(&why)).await,
                    None => false,
                };
                if attempts > check.retries || resting || engine.is_stopping() {
                    return Some(failed_result(why, attempts, duration_ms));
                }
                let delay = plugins
                    .retry_delay
                    .saturating_mul(1 << (attempts - 1).min(6));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// The result of a run that did not answer: UNKNOWN with the reason.
fn failed_result(why: String, attempts: u32, duration_ms: i64) -> CheckResult {
    CheckResult {
        answer: CheckAnswer::new(
            CheckStatus::Unknown,
            cut(&format!("the check failed: {why}"), 1000),
        ),
        error: Some(why),
        ts: now_ms(),
        duration_ms,
        attempts,
    }
}

/// Gives a taken trial back without a verdict (the run could not even start the plugin).
fn release_trial(engine: &Engine, name: &str) {
    if let Some(b) = lock(&engine.plugins().breakers).get_mut(name) {
        b.trial = None;
    }
}

/// Whether an invocation of this plugin may go now; takes the trial of a half-open breaker.
fn breaker_lets_through(engine: &Engine, name: &str) -> bool {
    let now = now_ms();
    let mut breakers = lock(&engine.plugins().breakers);
    let Some(b) = breakers.get_mut(name) else {
        return true;
    };
    if !b.breaker.allows(now) {
        return false;
    }
    if b.breaker.half_open(now) {
        if b.trial.is_some_and(|t| now - t < TRIAL_HOLD_MS) {
            return false;
        }
        b.trial = Some(now);
    }
    true
}

/// Records an attempt's outcome in the plugin's breaker (`failed` = why it failed); raises
/// the breaker's events. Returns whether the plugin now rests.
async fn breaker_result(engine: &Engine, name: &str, failed: Option<&str>) -> bool {
    let plugins = engine.plugins();
    let now = now_ms();
    let (change, resting) = {
        let mut breakers = lock(&plugins.breakers);
        let b = breakers
            .entry(name.to_owned())
            .or_insert_with(|| PluginBreaker {
                breaker: Breaker::new(plugins.cooldown_ms),
                failures: 0,
                trial: None,
            });
        b.trial = None;
        let change = match failed {
            None => {
                b.failures = 0;
                b.breaker.success()
            }
            Some(_) => {
                b.failures += 1;
                b.breaker.failure(now)
            }
        };
        (change, !b.breaker.allows(now))
    };
    let event = match change {
        Some(BreakerChange::Opened { until }) => Some((
            EventKind::PluginBreakerOpened,
            format!(
                "plugin {name:?} keeps failing ({}); it rests for {} s, then one trial",
                failed.unwrap_or("?"),
                (until - now + 999) / 1000
            ),
        )),
        Some(BreakerChange::Closed) => Some((
            EventKind::PluginBreakerClosed,
            format!("plugin {name:?} answered its trial and runs again"),
        )),
        None => None,
    };
    if let Some((kind, message)) = event {
        let _ = engine
            .record(NewEvent {
                ts: now,
                kind,
                program_id: None,
                job_id: None,
                message,
                detail: Some(serde_json::json!({ "plugin": name }).to_string()),
            })
            .await;
    }
    resting
}

/// One attempt of a check.
async fn attempt(engine: &Engine, check: &Check) -> Attempt {
    let plugins = engine.plugins();
    let manifest = check.probe.plugin().and_then(|p| plugins.plugin(p));
    let (_, timeout) = timing(check, manifest.as_ref().map(|(m, _)| m));
    match &check.probe {
        Probe::Plugin { plugin, config } => {
            let Some((manifest, dir)) = manifest else {
                return Attempt::Misconfigured(format!(
                    "plugin {plugin:?} is not installed (or was refused)"
                ));
            };
            if manifest.kind != PluginKind::Check {
                return Attempt::Misconfigured(format!(
                    "plugin {plugin:?} is an action, not a check"
                ));
            }
            let program = check.program_id.and_then(|p| engine.program(p)).map(|p| {
                let pids: Vec<u32> = engine
                    .statuses()
                    .get(p.id, 0)
                    .processes
                    .iter()
                    .map(|x| x.pid)
                    .collect();
                serde_json::json!({ "id": p.id, "name": p.name, "pids": pids })
            });
            let full = manifest.config_with_defaults(config);
            let request = CheckRequest {
                kind: "check",
                config: &full,
                check: serde_json::json!({ "id": check.id, "name": check.name }),
                program,
            };
            let env = vec![
                ("VIGIL_CHECK_ID".to_owned(), check.id.to_string()),
                ("VIGIL_CHECK_NAME".to_owned(), check.name.clone()),
            ];
            let inv = match invocation(&manifest, &dir, config, &request, timeout, env) {
                Ok(inv) => inv,
                Err(e) => return Attempt::Misconfigured(e.message),
            };
            let (ran, _) = invoke::run(&inv).await;
            interpret_check(&manifest, ran, timeout)
        }
        Probe::Http {
            url,
            expect_status,
            body_contains,
            warn_ms,
            crit_ms,
        } => Attempt::Answer(
            builtin::http(
                &plugins.client,
                url,
                *expect_status,
                body_contains.as_deref(),
                *warn_ms,
                *crit_ms,
                timeout,
            )
            .await,
        ),
        Probe::Tcp {
            host,
            port,
            warn_ms,
        } => Attempt::Answer(builtin::tcp(host, *port, *warn_ms, timeout).await),
        Probe::LogFile {
            path,
            pattern,
            status,
        } => {
            let re = match compiled(engine, pattern) {
                Ok(re) => re,
                Err(e) => return Attempt::Misconfigured(e.message),
            };
            let offset = lock(&plugins.offsets).get(&check.id).copied();
            let (path, status) = (PathBuf::from(path), *status);
            let done = blocking(timeout, move || {
                builtin::log_file(&path, &re, status, offset)
            })
            .await;
            match done {
                Ok((answer, next)) => {
                    // Kept only for the check as it still is: one deleted meanwhile must not
                    // leave an entry, one whose probe changed starts afresh.
                    let same = lock(&plugins.checks)
                        .get(&check.id)
                        .is_some_and(|s| s.check.probe == check.probe);
                    let mut offsets = lock(&plugins.offsets);
                    match next {
                        Some(n) if same => offsets.insert(check.id, n),
                        _ => offsets.remove(&check.id),
                    };
                    Attempt::Answer(answer)
                }
                Err(e) => Attempt::Failed(format!("reading the log failed: {e}")),
            }
        }
        Probe::Disk {
            path,
            warn_free_percent,
            crit_free_percent,
        } => {
            let (path, w, c) = (PathBuf::from(path), *warn_free_percent, *crit_free_percent);
            match blocking(timeout, move || builtin::disk(&path, w, c)).await {
                Ok(a) => Attempt::Answer(a),
                Err(e) => Attempt::Failed(format!("reading the disk failed: {e}")),
            }
        }
        Probe::HungWindow {} => {
            let Some(program) = check.program_id.and_then(|p| engine.program(p)) else {
                return Attempt::Answer(CheckAnswer::new(
                    CheckStatus::Unknown,
                    "the check's program is gone",
                ));
            };
            let pids: Vec<u32> = engine
                .statuses()
                .get(program.id, 0)
                .processes
                .iter()
                .map(|x| x.pid)
                .collect();
            match blocking(timeout, crate::platform::top_windows).await {
                Ok(Some(windows)) => {
                    Attempt::Answer(builtin::hung_verdict(&program.name, &pids, &windows))
                }
                Ok(None) => Attempt::Answer(CheckAnswer::new(
                    CheckStatus::Unknown,
                    "hung-window checks need Windows",
                )),
                Err(e) => Attempt::Failed(format!("listing windows failed: {e}")),
            }
        }
    }
}

/// Runs file-system or OS work off the async threads, giving up at the check's timeout (a
/// hung network share must not hold a permit and the check for ever; the blocked thread is
/// left to finish on its own).
async fn blocking<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
    }
}

/// A compiled pattern (cached by its text); a bad one is refused with the field it came from.
pub(crate) fn compiled(engine: &Engine, pattern: &str) -> Result<regex::Regex, ApiError> {
    let mut patterns = lock(&engine.plugins().patterns);
    if let Some(re) = patterns.get(pattern) {
        return Ok(re.clone());
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            ApiError::invalid_field(
                "probe.pattern",
                format!("the pattern does not compile: {e}"),
            )
        })?;
    if patterns.len() > 1000 {
        patterns.clear();
    }
    patterns.insert(pattern.to_owned(), re.clone());
    Ok(re)
}

/// The process to start for a plugin with these config values and this request.
fn invocation<T: Serialize>(
    manifest: &Manifest,
    dir: &std::path::Path,
    config: &BTreeMap<String, serde_json::Value>,
    request: &T,
    timeout: Duration,
    env: Vec<(String, String)>,
) -> Result<Invocation, ApiError> {
    let mut argv = manifest
        .command
        .here()
        .ok_or_else(|| ApiError::invalid("the plugin has no command for this OS"))?
        .to_vec();
    let stdin = match manifest.protocol {
        Protocol::Nagios => {
            argv.extend(manifest.config_argv(config)?);
            None
        }
        Protocol::Vigil => {
            // The values are checked against the schema the same way.
            manifest.config_argv(config)?;
            Some(serde_json::to_vec(request).map_err(|e| ApiError::internal(e.to_string()))?)
        }
    };
    Ok(Invocation {
        dir: dir.to_path_buf(),
        argv,
        stdin,
        timeout,
        // No NUL can reach the OS (it would refuse the whole start).
        env: env
            .into_iter()
            .map(|(k, v)| (k, v.replace('\0', " ")))
            .collect(),
    })
}

/// What a check plugin's run means.
fn interpret_check(manifest: &Manifest, ran: Ran, timeout: Duration) -> Attempt {
    match ran {
        Ran::StartFailed(why) => Attempt::Failed(why),
        Ran::TimedOut => Attempt::Failed(format!(
            "it ran past its timeout of {} s and was killed with its processes",
            timeout.as_secs()
        )),
        Ran::Exited {
            code,
            stdout,
            stderr,
            cut,
        } => {
            let stderr_note = || {
                let line = stderr
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                if line.is_empty() {
                    String::new()
                } else {
                    format!(" (stderr: {})", line.chars().take(200).collect::<String>())
                }
            };
            let Some(code) = code else {
                return Attempt::Failed(format!("it was ended by a signal{}", stderr_note()));
            };
            let parsed = match manifest.protocol {
                Protocol::Nagios => vigil_core::parse_nagios(&stdout, code),
                Protocol::Vigil if cut => Err(format!(
                    "its result is larger than {} KiB",
                    invoke::MAX_STDOUT / 1024
                )),
                Protocol::Vigil => vigil_core::parse_vigil_result(&stdout)
                    .map_err(|e| format!("{e}; exit code {code}")),
            };
            match parsed {
                Ok(a) => Attempt::Answer(a),
                Err(e) => Attempt::Failed(format!("{e}{}", stderr_note())),
            }
        }
    }
}

/// Takes a check's result: state, health, the log row and metrics, and an event when its
/// status changed; restarts its program after `restart_after` CRITICAL answers in a row.
pub(crate) async fn finish(engine: &Engine, check: &Check, result: CheckResult) {
    let plugins = engine.plugins();
    let status = result.answer.status;
    let (previous, criticals, restart_after) = {
        let mut checks = lock(&plugins.checks);
        let Some(s) = checks.get_mut(&check.id) else {
            return; // Deleted while it ran.
        };
        let previous = s.latest.as_ref().map(|r| r.answer.status);
        s.latest = Some(result.clone());
        // Only answers count: a run that failed neither adds to nor resets the CRITICALs in a
        // row (a flaky plugin must not hide a program that stays down).
        if status == CheckStatus::Critical {
            s.criticals += 1;
        } else if result.error.is_none() {
            s.criticals = 0;
        }
        // The definition now, not the one the run started with (it may have changed).
        (previous, s.criticals, s.check.restart_after)
    };
    let restart = restart_after.is_some_and(|n| criticals >= n)
        && !engine.is_stopping()
        && check
            .program_id
            .and_then(|p| engine.program(p))
            .is_some_and(|p| p.launch);
    let changed = previous != Some(status) && !(previous.is_none() && status == CheckStatus::Ok);
    let event = changed.then(|| {
        let subject = match check.program_id.and_then(|p| engine.program(p)) {
            Some(p) => format!("{:?} check {:?}", p.name, check.name),
            None => format!("check {:?}", check.name),
        };
        NewEvent {
            ts: result.ts,
            kind: status.event(),
            program_id: check.program_id,
            job_id: None,
            message: format!(
                "{subject} is {}: {}",
                status.as_str().to_uppercase(),
                result.answer.message
            ),
            detail: Some(
                serde_json::json!({
                    "check_id": check.id,
                    "status": status.as_str(),
                    "previous": previous.map(CheckStatus::as_str),
                })
                .to_string(),
            ),
        }
    });
    // A result that changes nothing waits to be logged with others in one write (a commit
    // per result was most of the engine's cost at 20 checks a second); a change is written at
    // once, after what waited, so the log keeps its order and the event is committed before
    // anyone hears of it.
    let now = {
        let mut pending = lock(&plugins.pending);
        pending.push((check.id, result.clone()));
        event.is_some() || pending.len() >= LOG_AT
    };
    if now {
        log_results(engine, event.map(|e| (check.id, e))).await;
    }
    if let Some(p) = check.program_id {
        publish_health(engine, p);
        if restart {
            if let Some(s) = lock(&plugins.checks).get_mut(&check.id) {
                s.criticals = 0;
            }
            let engine = engine.clone();
            let name = check.name.clone();
            tokio::spawn(async move {
                match engine.control(p, crate::supervisor::Control::Restart).await {
                    Ok(Ok(())) => {
                        tracing::info!(program = p, check = %name, "restarted after CRITICAL answers in a row")
                    }
                    Ok(Err(e)) | Err(e) => {
                        tracing::warn!(program = p, check = %name, error = %e, "restart after CRITICAL answers failed")
                    }
                }
            });
        }
    }
}

/// Writes what waits to be logged, and `event` (of the check it names) if that check is still
/// there, in one write. Batches are taken and written one at a time, in order, so the log
/// (and the latest answer a restart reads back) keeps the order the answers came in.
async fn log_results(engine: &Engine, event: Option<(CheckId, NewEvent)>) {
    let _order = engine.plugins().log_order.lock().await;
    let batch = std::mem::take(&mut *lock(&engine.plugins().pending));
    if batch.is_empty() && event.is_none() {
        return;
    }
    let n = batch.len();
    let written = engine
        .write(move |tx| {
            let mut kept = HashSet::new();
            for (id, result) in &batch {
                if vigil_store::record_check_result(tx, *id, result)?.is_some() {
                    kept.insert(*id);
                }
            }
            if let Some((id, e)) = event
                && kept.contains(&id)
            {
                tx.event(e)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = written {
        tracing::warn!(results = n, error = %e, "check results could not be stored");
    }
}

/// Logs what waits: every [`LOG_EVERY`] while the engine runs, and once more at its stop.
pub(crate) async fn flush(engine: Engine) {
    log_results(&engine, None).await;
}

/// Runs the actions an event matches, each in its own task.
pub(crate) fn on_event(engine: &Engine, event: &Event) {
    let actions: Vec<Action> = read(&engine.plugins().actions)
        .iter()
        .filter(|a| a.enabled && a.kinds.contains(&event.kind))
        .cloned()
        .collect();
    if actions.is_empty() {
        return;
    }
    let tags = subject_tags(engine, event);
    for action in actions.into_iter().filter(|a| a.matches(event, &tags)) {
        // A burst of events must not pile up tasks without end: past the bound, the run is
        // logged as failed at once, which says why.
        let waiting = &engine.plugins().actions_waiting;
        let over = waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= MAX_ACTIONS_WAITING;
        let (engine, event) = (engine.clone(), event.clone());
        tokio::spawn(async move {
            if over {
                let why = format!(
                    "more than {MAX_ACTIONS_WAITING} action runs are waiting; this one was dropped"
                );
                log_action_run(
                    &engine,
                    &action,
                    &event,
                    std::time::Instant::now(),
                    Err(why),
                )
                .await;
            } else {
                run_action(&engine, &action, Some(&event)).await;
            }
            engine
                .plugins()
                .actions_waiting
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
}

fn subject_tags(engine: &Engine, event: &Event) -> Vec<String> {
    if let Some(p) = event.program_id.and_then(|p| engine.program(p)) {
        return p.tags;
    }
    if let Some(j) = &event.job_id
        && let Some(job) = read(&engine.jobs().jobs).get(j)
    {
        return job.tags.clone();
    }
    Vec::new()
}

/// Runs an action on an event (`None`: a test run with a made-up event), logs the run and
/// raises `action_failed` when it failed.
pub(crate) async fn run_action(
    engine: &Engine,
    action: &Action,
    event: Option<&Event>,
) -> ActionRun {
    let plugins = engine.plugins();
    let started = std::time::Instant::now();
    let test_event;
    let event = match event {
        Some(e) => e,
        None => {
            test_event = Event {
                id: 0,
                ts: now_ms(),
                kind: action
                    .kinds
                    .first()
                    .copied()
                    .unwrap_or(EventKind::ProgramCrashed),
                program_id: action.programs.first().copied(),
                job_id: action.jobs.first().cloned(),
                message: format!("a test run of action {:?}", action.name),
                detail: Some(serde_json::json!({ "test": true }).to_string()),
            };
            &test_event
        }
    };
    let outcome: Result<String, String> = async {
        let (manifest, dir) = plugins.plugin(&action.plugin).ok_or_else(|| {
            format!(
                "plugin {:?} is not installed (or was refused)",
                action.plugin
            )
        })?;
        if manifest.kind != PluginKind::Action {
            return Err(format!(
                "plugin {:?} is a check, not an action",
                action.plugin
            ));
        }
        let timeout = Duration::from_secs(action.timeout_secs.unwrap_or(manifest.timeout_secs));
        let request = serde_json::json!({
            "kind": "action",
            "config": manifest.config_with_defaults(&action.config),
            "action": { "id": action.id, "name": action.name },
            "event": event,
        });
        // The event in the environment too: a Nagios-style action script gets no stdin.
        let env = vec![
            ("VIGIL_EVENT_ID".to_owned(), event.id.to_string()),
            (
                "VIGIL_EVENT_KIND".to_owned(),
                event.kind.as_str().to_owned(),
            ),
            ("VIGIL_EVENT_MESSAGE".to_owned(), event.message.clone()),
            (
                "VIGIL_EVENT_PROGRAM_ID".to_owned(),
                event.program_id.map(|p| p.to_string()).unwrap_or_default(),
            ),
            (
                "VIGIL_EVENT_JOB_ID".to_owned(),
                event.job_id.clone().unwrap_or_default(),
            ),
        ];
        let inv = invocation(&manifest, &dir, &action.config, &request, timeout, env)
            .map_err(|e| e.message)?;
        // Asked only once the run can start: a trial taken must end in a verdict.
        if !breaker_lets_through(engine, &action.plugin) {
            return Err(format!(
                "plugin {:?} rests after repeated failures",
                action.plugin
            ));
        }
        let permit = plugins
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let (ran, _) = invoke::run(&inv).await;
        drop(permit);
        let result = match ran {
            Ran::StartFailed(why) => Err(why),
            Ran::TimedOut => Err(format!(
                "it ran past its timeout of {} s and was killed",
                timeout.as_secs()
            )),
            Ran::Exited { code, stdout, .. } => match (manifest.protocol, code) {
                (_, None) => Err("it was ended by a signal".to_owned()),
                (Protocol::Nagios, Some(0)) => {
                    Ok(cut(stdout.lines().next().unwrap_or("done").trim(), 1000))
                }
                (Protocol::Nagios, Some(c)) => Err(format!(
                    "exit code {c}: {}",
                    stdout.lines().next().unwrap_or("").trim()
                )),
                (Protocol::Vigil, Some(c)) => match vigil_core::parse_vigil_result(&stdout) {
                    Ok(a) if a.status == CheckStatus::Ok && c == 0 => Ok(a.message),
                    Ok(a) => Err(format!(
                        "{}: {} (exit code {c})",
                        a.status.as_str(),
                        a.message
                    )),
                    Err(e) => Err(format!("{e}; exit code {c}")),
                },
            },
        };
        breaker_result(
            engine,
            &action.plugin,
            result.as_ref().err().map(String::as_str),
        )
        .await;
        result
    }
    .await;
    log_action_run(engine, action, event, started, outcome).await
}

/// Logs an action's run, with `action_failed` when it failed (nothing when the action was
/// deleted meanwhile); returns the logged run.
async fn log_action_run(
    engine: &Engine,
    action: &Action,
    event: &Event,
    started: std::time::Instant,
    outcome: Result<String, String>,
) -> ActionRun {
    let run = ActionRun {
        id: 0,
        action_id: action.id,
        event_id: (event.id > 0).then_some(event.id),
        ts: now_ms(),
        ok: outcome.is_ok(),
        message: match &outcome {
            Ok(m) | Err(m) => m.clone(),
        },
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    let failed = outcome.err().map(|why| NewEvent {
        ts: now_ms(),
        kind: EventKind::ActionFailed,
        program_id: event.program_id,
        job_id: event.job_id.clone(),
        message: format!(
            "action {:?} failed on {}: {why}",
            action.name,
            event.kind.as_str()
        ),
        detail: Some(
            serde_json::json!({ "action_id": action.id, "event_id": event.id }).to_string(),
        ),
    });
    let logged = run.clone();
    match engine
        .write(move |tx| {
            let row = vigil_store::record_action_run(tx, &logged)?;
            if row.is_some()
                && let Some(e) = failed
            {
                tx.event(e)?;
            }
            Ok(row)
        })
        .await
    {
        Ok(Some(row)) => row,
        _ => run,
    }
}

/// Listens to the event feed and runs the matching actions, until the engine stops.
pub(crate) async fn listen(engine: Engine, since: i64) {
    use futures_util::StreamExt;
    let mut events = engine.subscribe(since);
    while let Some(item) = events.next().await {
        if let Ok(event) = item {
            on_event(&engine, &event);
        }
    }
}

/// At most `max` characters of `s`.
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// For [`ActionId`] lookups by the API.
pub(crate) fn action(engine: &Engine, id: ActionId) -> Option<Action> {
    read(&engine.plugins().actions)
        .iter()
        .find(|a| a.id == id)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_with_one_interval_spread_evenly_over_it() {
        // However many checks share an interval, and whichever ids they have (consecutive,
        // or with gaps after deletions), no second of the interval gets much more than its
        // share of first starts.
        for (n, first, step) in [(200, 1, 1), (200, 57, 3), (37, 1000, 1), (1000, 1, 7)] {
            let interval = Duration::from_secs(10);
            let mut per = [0usize; 10];
            for i in 0..n {
                let at = spread(first + i * step, interval);
                assert!(at < interval);
                per[at.as_secs() as usize] += 1;
            }
            let share = n as f64 / 10.0;
            let most = *per.iter().max().unwrap() as f64;
            assert!(most <= (share * 1.25).ceil() + 1.0, "{n} checks: {per:?}");
        }
    }
}
