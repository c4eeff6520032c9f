//! Engine settings: one validated document, stored by the engine and changed through the API.
//! Every value a person may want to change lives here, with its bounds; nothing is a constant
//! hidden in code.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// The default port of the local API (the daemon's and the desktop app's).
pub const DEFAULT_PORT: u16 = 7474;

/// Most jobs in the tray's "run job..." list.
pub const MAX_FAVOURITE_JOBS: usize = 20;

/// Every engine setting. `PUT /api/settings` takes the fields to change (the others keep their
/// values) and answers with the whole document, what took effect and what needs a restart.
///
/// Read leniently (a missing field takes its default, an unknown one is ignored), so a
/// document saved by an older or newer Vigil keeps every value both know; a change through the
/// API is strict ([`Settings::patched`] refuses unknown names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// Time between sweeps of the watched processes, milliseconds (250 to 60,000).
    pub sweep_ms: u32,
    /// Time between looks for new matching processes, milliseconds (at least the sweep
    /// interval, at most 10 minutes).
    pub discovery_ms: u32,
    /// How long history is kept.
    pub retention: RetentionSettings,
    /// Most job runs at once (1 to 64).
    pub max_concurrent_runs: u32,
    /// Most output kept per run, KiB (64 KiB to 1 GiB).
    pub max_run_output_kib: u32,
    /// How long a stopping program may take before its process tree is killed, seconds (1 to
    /// 600).
    pub stop_grace_secs: u32,
    /// Most webhook deliveries in flight at once (1 to 256).
    pub max_deliveries_in_flight: u32,
    /// The local API's port (1024 to 65535). When it is taken, a free one is used and written
    /// to the data dir's `endpoint` file.
    pub port: u16,
    /// Listen on every network interface (other PCs on the LAN can connect, with the token),
    /// not only on this PC. Off by default.
    pub allow_lan: bool,
    /// No scheduled runs while set; runs started by hand, hooks and triggers still run.
    pub schedules_paused: bool,
    /// Jobs offered by the tray's "run job..." menu, in order.
    pub favourite_jobs: Vec<String>,
    /// When Vigil quits, leave the programs it launched running (the next start adopts them
    /// by their recorded identity) instead of stopping them. Applies to programs started
    /// while it is on: their output goes through a file that outlives Vigil.
    pub leave_running_on_quit: bool,
}

/// How long each kind of history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RetentionSettings {
    /// Raw (per-sweep) samples, hours (1 to 720).
    pub raw_samples_hours: u32,
    /// Per-minute rollups, days (1 to 3,650).
    pub minute_rollup_days: u32,
    /// Per-hour rollups, days (1 to 3,650).
    pub hour_rollup_days: u32,
    /// Events, days (1 to 3,650).
    pub event_days: u32,
    /// Finished runs and their output, days (1 to 3,650).
    pub run_days: u32,
    /// Delivered and dead-lettered deliveries, days (1 to 3,650).
    pub delivery_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            raw_samples_hours: 48,
            minute_rollup_days: 30,
            hour_rollup_days: 400,
            event_days: 30,
            run_days: 30,
            delivery_days: 14,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sweep_ms: 1000,
            discovery_ms: 5000,
            retention: RetentionSettings::default(),
            max_concurrent_runs: 4,
            max_run_output_kib: 4096,
            stop_grace_secs: 10,
            max_deliveries_in_flight: 16,
            port: DEFAULT_PORT,
            allow_lan: false,
            schedules_paused: false,
            favourite_jobs: Vec::new(),
            leave_running_on_quit: false,
        }
    }
}

/// The settings that take effect only when Vigil starts again (the API's listener).
pub const RESTART_NEEDED: &[&str] = &["port", "allow_lan"];

fn within(name: &str, value: u32, min: u32, max: u32, unit: &str) -> Result<(), ApiError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            name,
            format!("{name} must be between {min} and {max}{unit}, got {value}"),
        ))
    }
}

impl Settings {
    /// Checks every bound; the document is stored only when all hold.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        within("sweep_ms", self.sweep_ms, 250, 60_000, " ms")?;
        within("discovery_ms", self.discovery_ms, 250, 600_000, " ms")?;
        if self.discovery_ms < self.sweep_ms {
            return Err(ApiError::invalid_field(
                "discovery_ms",
                format!(
                    "discovery_ms ({}) must be at least sweep_ms ({})",
                    self.discovery_ms, self.sweep_ms
                ),
            ));
        }
        let r = &self.retention;
        within(
            "retention.raw_samples_hours",
            r.raw_samples_hours,
            1,
            720,
            " h",
        )?;
        within(
            "retention.minute_rollup_days",
            r.minute_rollup_days,
            1,
            3650,
            " days",
        )?;
        within(
            "retention.hour_rollup_days",
            r.hour_rollup_days,
            1,
            3650,
            " days",
        )?;
        within("retention.event_days", r.event_days, 1, 3650, " days")?;
        within("retention.run_days", r.run_days, 1, 3650, " days")?;
        within("retention.delivery_days", r.delivery_days, 1, 3650, " days")?;
        if u64::from(r.minute_rollup_days) * 24 < u64::from(r.raw_samples_hours)
            || r.hour_rollup_days < r.minute_rollup_days
        {
            return Err(ApiError::invalid_field(
                "retention.minute_rollup_days",
                "rollups must cover at least as long as what they roll up: \
                 raw_samples_hours <= minute_rollup_days <= hour_rollup_days",
            ));
        }
        within("max_concurrent_runs", self.max_concurrent_runs, 1, 64, "")?;
        within(
            "max_run_output_kib",
            self.max_run_output_kib,
            64,
            1024 * 1024,
            " KiB",
        )?;
        within("stop_grace_secs", self.stop_grace_secs, 1, 600, " s")?;
        within(
            "max_deliveries_in_flight",
            self.max_deliveries_in_flight,
            1,
            256,
            "",
        )?;
        if self.port < 1024 {
            return Err(ApiError::invalid_field(
                "port",
                format!("port must be between 1024 and 65535, got {}", self.port),
            ));
        }
        if self.favourite_jobs.len() > MAX_FAVOURITE_JOBS {
            return Err(ApiError::invalid_field(
                "favourite_jobs",
                format!(
                    "at most {MAX_FAVOURITE_JOBS} favourite jobs, got {}",
                    self.favourite_jobs.len()
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        for job in &self.favourite_jobs {
            if !seen.insert(job.as_str()) {
                return Err(ApiError::invalid_field(
                    "favourite_jobs",
                    format!("favourite job {job:?} is listed twice"),
                ));
            }
        }
        self.favourite_jobs.retain(|j| !j.is_empty());
        Ok(self)
    }

    /// Applies a change (a JSON object naming some fields; `retention` may name some of its
    /// own) to these settings, then validates the result. Unknown fields are refused.
    pub fn patched(&self, change: &serde_json::Value) -> Result<Self, ApiError> {
        let serde_json::Value::Object(change) = change else {
            return Err(ApiError::invalid("settings must be a JSON object"));
        };
        let mut doc = serde_json::to_value(self)
            .map_err(|e| ApiError::internal(format!("settings do not serialize: {e}")))?;
        let serde_json::Value::Object(fields) = &mut doc else {
            return Err(ApiError::internal("settings are not an object"));
        };
        for (key, value) in change {
            match (fields.get_mut(key), value) {
                (Some(serde_json::Value::Object(inner)), serde_json::Value::Object(part)) => {
                    for (k, v) in part {
                        if !inner.contains_key(k) {
                            return Err(ApiError::invalid(format!("unknown setting {key}.{k}")));
                        }
                        inner.insert(k.clone(), v.clone());
                    }
                }
                (Some(slot), _) => *slot = value.clone(),
                (None, _) => return Err(ApiError::invalid(format!("unknown setting {key:?}"))),
            }
        }
        let settings: Settings =
            serde_json::from_value(doc).map_err(|e| ApiError::invalid(format!("settings: {e}")))?;
        settings.validate()
    }

    /// The names of the fields that differ from `other` (`retention` as one).
    pub fn changed_fields(&self, other: &Settings) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let mut check = |name: &'static str, differs: bool| {
            if differs {
                changed.push(name);
            }
        };
        check("sweep_ms", self.sweep_ms != other.sweep_ms);
        check("discovery_ms", self.discovery_ms != other.discovery_ms);
        check("retention", self.retention != other.retention);
        check(
            "max_concurrent_runs",
            self.max_concurrent_runs != other.max_concurrent_runs,
        );
        check(
            "max_run_output_kib",
            self.max_run_output_kib != other.max_run_output_kib,
        );
        check(
            "stop_grace_secs",
            self.stop_grace_secs != other.stop_grace_secs,
        );
        check(
            "max_deliveries_in_flight",
            self.max_deliveries_in_flight != other.max_deliveries_in_flight,
        );
        check("port", self.port != other.port);
        check("allow_lan", self.allow_lan != other.allow_lan);
        check(
            "schedules_paused",
            self.schedules_paused != other.schedules_paused,
        );
        check(
            "favourite_jobs",
            self.favourite_jobs != other.favourite_jobs,
        );
        check(
            "leave_running_on_quit",
            self.leave_running_on_quit != other.leave_running_on_quit,
        );
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Settings::default().validate().unwrap(), Settings::default());
    }

    /// A different value of the same JSON shape.
    fn other(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Bool(b) => json!(!b),
            serde_json::Value::Number(n) => json!(n.as_u64().unwrap_or(0) + 1),
            serde_json::Value::Array(_) => json!(["x"]),
            serde_json::Value::String(s) => json!(format!("{s}x")),
            serde_json::Value::Object(o) => {
                let (k, inner) = o.iter().next().expect("a non-empty object");
                let mut o = o.clone();
                o.insert(k.clone(), other(inner));
                serde_json::Value::Object(o)
            }
            serde_json::Value::Null => json!(1),
        }
    }

    #[test]
    fn every_field_is_reported_when_it_changes() {
        // Guards the list in `changed_fields`: a new setting must be named there too.
        let base = Settings::default();
        let doc = serde_json::to_value(&base).unwrap();
        for (key, value) in doc.as_object().unwrap() {
            let mut changed = doc.clone();
            changed[key] = other(value);
            let changed: Settings = serde_json::from_value(changed).unwrap();
            assert_eq!(changed.changed_fields(&base), [key.as_str()], "{key}");
        }
    }

    #[test]
    fn a_saved_document_from_another_version_keeps_what_both_know() {
        let older: Settings = serde_json::from_value(json!({ "port": 8000 })).unwrap();
        assert_eq!(older.port, 8000);
        assert_eq!(older.sweep_ms, Settings::default().sweep_ms);
        let newer: Settings =
            serde_json::from_value(json!({ "port": 8001, "future": 1, "retention": { "x": 2 } }))
                .unwrap();
        assert_eq!(newer.port, 8001);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let s = Settings::default();
        let p = s
            .patched(&json!({ "sweep_ms": 2000, "retention": { "event_days": 7 } }))
            .unwrap();
        assert_eq!(p.sweep_ms, 2000);
        assert_eq!(p.retention.event_days, 7);
        assert_eq!(p.retention.run_days, s.retention.run_days);
        assert_eq!(p.changed_fields(&s), ["sweep_ms", "retention"]);
        assert_eq!(s.patched(&json!({})).unwrap(), s);
    }

    #[test]
    fn bad_patches_are_refused_with_the_reason() {
        let s = Settings::default();
        for (patch, words) in [
            (json!({ "sweep_ms": 10 }), "sweep_ms must be between 250"),
            (
                json!({ "sweep_ms": 5000, "discovery_ms": 1000 }),
                "at least sweep_ms",
            ),
            (json!({ "port": 80 }), "port must be between 1024"),
            (json!({ "port": 70000 }), "settings:"),
            (json!({ "port": "7474" }), "settings:"),
            (json!({ "sweep_ms": -1 }), "settings:"),
            (json!({ "nope": 1 }), "unknown setting \"nope\""),
            (
                json!({ "retention": { "nope": 1 } }),
                "unknown setting retention.nope",
            ),
            (json!({ "retention": 5 }), "settings:"),
            (
                json!({ "retention": { "raw_samples_hours": 0 } }),
                "raw_samples_hours",
            ),
            (
                json!({ "retention": { "minute_rollup_days": 1, "raw_samples_hours": 48 } }),
                "cover",
            ),
            (json!({ "retention": { "hour_rollup_days": 10 } }), "cover"),
            (json!({ "max_concurrent_runs": 0 }), "max_concurrent_runs"),
            (json!({ "favourite_jobs": ["a", "a"] }), "listed twice"),
            (
                json!({ "favourite_jobs": vec!["x"; 0].into_iter().chain((0..21).map(|_| "y")).collect::<Vec<_>>() }),
                "at most 20",
            ),
            (json!([1]), "JSON object"),
            (json!(null), "JSON object"),
        ] {
            let err = s.patched(&patch).expect_err(&patch.to_string());
            assert!(err.message.contains(words), "{patch}: {}", err.message);
        }
    }
}
