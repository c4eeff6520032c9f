//! The engine's live settings: read from the store at start (or derived from the
//! [`EngineConfig`] when none were ever saved), changed through the API, and applied to the
//! running parts without a restart where they allow it.

use std::time::Duration;

use vigil_core::{RetentionSettings, Settings};
use vigil_store::{HistoryRetention, Retention};

use crate::EngineConfig;
use crate::monitor::MonitorConfig;

/// The store key of the engine's settings document.
pub(crate) const KEY: &str = "engine";

/// The store key of when schedules were last resumed (unix ms): a start's catch-up counts
/// missed fires from then at the earliest, since fires during a pause were skipped.
pub(crate) const RESUMED_KEY: &str = "schedules_resumed_at";

/// The store key marking that first-run defaults (the default notification rule) were made.
pub(crate) const SEEDED_KEY: &str = "seeded";

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The settings and what the running parts read from them.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub(crate) settings: Settings,
    pub(crate) retention: Retention,
    pub(crate) history: HistoryRetention,
    pub(crate) stop_grace: Duration,
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

impl Live {
    /// What a config says, as settings (a new data dir, or one whose settings were never
    /// saved): the config's values are used exactly, whatever their bounds.
    pub(crate) fn from_config(c: &EngineConfig) -> Self {
        let settings = Settings {
            sweep_ms: clamp_u32(c.monitor.interval.as_millis() as i64),
            discovery_ms: clamp_u32(c.monitor.discovery.as_millis() as i64),
            retention: RetentionSettings {
                raw_samples_hours: clamp_u32(c.retention.raw_secs / HOUR),
                minute_rollup_days: clamp_u32(c.retention.minute_secs / DAY),
                hour_rollup_days: clamp_u32(c.retention.hour_secs / DAY),
                event_days: clamp_u32(c.history.event_days),
                run_days: clamp_u32(c.history.run_days),
                delivery_days: clamp_u32(c.history.delivery_days),
            },
            max_concurrent_runs: clamp_u32(c.max_concurrent_runs as i64),
            max_run_output_kib: clamp_u32((c.max_run_output / 1024) as i64),
            stop_grace_secs: clamp_u32(c.stop_grace.as_millis().div_ceil(1000) as i64),
            max_deliveries_in_flight: clamp_u32(c.max_deliveries_in_flight as i64),
            ..Settings::default()
        };
        Self {
            settings,
            retention: c.retention,
            history: c.history,
            stop_grace: c.stop_grace,
        }
    }

    /// What saved settings mean for the running parts (`base` keeps the count caps that are
    /// not settings).
    pub(crate) fn from_settings(settings: Settings, base: HistoryRetention) -> Self {
        let r = settings.retention;
        Self {
            retention: Retention {
                raw_secs: i64::from(r.raw_samples_hours) * HOUR,
                minute_secs: i64::from(r.minute_rollup_days) * DAY,
                hour_secs: i64::from(r.hour_rollup_days) * DAY,
            },
            history: HistoryRetention {
                run_days: i64::from(r.run_days),
                event_days: i64::from(r.event_days),
                delivery_days: i64::from(r.delivery_days),
                ..base
            },
            stop_grace: Duration::from_secs(u64::from(settings.stop_grace_secs)),
            settings,
        }
    }

    /// The config the engine's parts start from, with these settings in it.
    pub(crate) fn apply_to(&self, mut config: EngineConfig) -> EngineConfig {
        config.monitor = self.monitor();
        config.retention = self.retention;
        config.history = self.history;
        config.stop_grace = self.stop_grace;
        config.max_concurrent_runs = self.settings.max_concurrent_runs as usize;
        config.max_run_output = u64::from(self.settings.max_run_output_kib) * 1024;
        config.max_deliveries_in_flight = self.settings.max_deliveries_in_flight as usize;
        config
    }

    pub(crate) fn monitor(&self) -> MonitorConfig {
        MonitorConfig {
            interval: Duration::from_millis(u64::from(self.settings.sweep_ms)),
            discovery: Duration::from_millis(u64::from(self.settings.discovery_ms)),
        }
    }
}
