//! Time: the wall clock in unix milliseconds, and the injectable [`Clock`] the scheduler, the
//! job runner's retry waits and the outbox's backoff sleep on, so tests move time by hand.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use vigil_core::sync::lock;

/// Wall-clock time in unix milliseconds, the unit of every stored timestamp.
///
/// A clock before 1970 (a broken CMOS battery) reads as 0 rather than failing the caller.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Where the engine gets time from for what it schedules itself.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Resolves at (or after) `at`.
    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Sleeps in steps of at most [`WALL_CHECK`], looking at the wall clock after each: the
    /// monotonic timer stops while the PC is suspended, so one long sleep would wake late by
    /// the whole suspension (and then take an on-time fire for a missed one).
    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            loop {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                if wait.is_zero() {
                    return;
                }
                tokio::time::sleep(wait.min(WALL_CHECK)).await;
            }
        })
    }
}

/// The longest a wall-clock sleep goes without looking at the wall clock again.
const WALL_CHECK: std::time::Duration = std::time::Duration::from_secs(15);

/// A clock that only moves when told to: for tests of schedules without waiting.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
    moved: watch::Sender<DateTime<Utc>>,
    /// The latest instant anyone has asked to sleep until.
    latest_wait: Mutex<Option<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self {
            now: Mutex::new(at),
            moved: watch::channel(at).0,
            latest_wait: Mutex::new(None),
        })
    }

    /// The latest instant a sleeper has asked to wake at: a test sees from it that, say, the
    /// scheduler has dealt with one fire and now waits for the next.
    pub fn latest_wait(&self) -> Option<DateTime<Utc>> {
        *lock(&self.latest_wait)
    }

    /// Moves the clock to `at`; sleepers whose time came wake up.
    pub fn set(&self, at: DateTime<Utc>) {
        {
            let mut now = lock(&self.now);
            *now = at;
        }
        self.moved.send_replace(at);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.now)
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        {
            let mut latest = lock(&self.latest_wait);
            *latest = Some(latest.map_or(at, |l| l.max(at)));
        }
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            loop {
                if *moved.borrow_and_update() >= at {
                    return;
                }
                if moved.changed().await.is_err() {
                    return;
                }
            }
        })
    }
}
