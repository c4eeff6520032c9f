//! Checks (a probe on an interval, attached to a program or standing alone) and actions (a
//! plugin run on matching events).

#[allow(unused_imports)]
use super::*;

/// What a check runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Probe {
    /// An installed plugin with its config values.
    Plugin {
        /// The plugin's name.
        plugin: String,
        /// Its config values (names from its manifest).
        #[serde(default)]
        #[ts(type = "Record<string, unknown>")]
        config: BTreeMap<String, Value>,
    },
    /// An HTTP(S) request: CRITICAL when it fails, the status is not the expected one or the
    /// body lacks the text; WARNING when slower than `warn_ms`.
    Http {
        /// `http://` or `https://` URL.
        url: String,
        /// The status expected; any 2xx when not set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        expect_status: Option<u16>,
        /// Text the body must contain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        body_contains: Option<String>,
        /// Slower than this is WARNING.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(as = "Option<u32>", optional)]
        warn_ms: Option<u64>,
        /// Slower than this is CRITICAL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(as = "Option<u32>", optional)]
        crit_ms: Option<u64>,
    },
    /// A TCP connection: CRITICAL when refused or not made in time.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// Slower than this is WARNING.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(as = "Option<u32>", optional)]
        warn_ms: Option<u64>,
    },
    /// New lines of a log file matching a pattern (a regular expression): `status` when any
    /// line written since the last look matches.
    LogFile {
        /// The file.
        path: String,
        /// A regular expression.
        pattern: String,
        /// What a match means (WARNING or CRITICAL).
        #[serde(default = "critical")]
        #[ts(as = "Option<CheckStatus>", optional)]
        status: CheckStatus,
    },
    /// Free space of the disk holding `path`: WARNING / CRITICAL below these percentages.
    Disk {
        /// A path on the disk.
        path: String,
        /// Free percent below which it is WARNING.
        warn_free_percent: f64,
        /// Free percent below which it is CRITICAL.
        crit_free_percent: f64,
    },
    /// (Windows) The program's top-level windows: CRITICAL when one stopped responding.
    /// Needs the check's program.
    HungWindow {},
}

fn critical() -> CheckStatus {
    CheckStatus::Critical
}

impl Probe {
    /// The plugin it runs, if it is not built in.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Self::Plugin { plugin, .. } => Some(plugin),
            _ => None,
        }
    }

    /// Its kind's name (`plugin`, `http`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Plugin { .. } => "plugin",
            Self::Http { .. } => "http",
            Self::Tcp { .. } => "tcp",
            Self::LogFile { .. } => "log_file",
            Self::Disk { .. } => "disk",
            Self::HungWindow {} => "hung_window",
        }
    }
}

/// Most retries of one invocation.
pub const MAX_CHECK_RETRIES: u32 = 10;

/// A check: a probe run on an interval, its answers making the health of its program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<u32>", optional)]
    pub id: CheckId,
    /// A name for people, unique.
    pub name: String,
    /// The program whose health it tells; none for a check standing alone.
    #[serde(default)]
    #[ts(as = "Option<u32>", optional)]
    pub program_id: Option<ProgramId>,
    /// What it runs.
    pub probe: Probe,
    /// Seconds between two runs; the plugin's default (or 60) when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<u32>", optional)]
    pub interval_secs: Option<u64>,
    /// Seconds one attempt may take; the plugin's default (or 10) when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<u32>", optional)]
    pub timeout_secs: Option<u64>,
    /// Attempts after a failed one (a crash, a timeout, garbage; never after an answer, not
    /// even CRITICAL), with a backoff between them.
    #[serde(default = "default_retries")]
    #[ts(as = "Option<u32>", optional)]
    pub retries: u32,
    /// Disabled checks do not run on their interval (run-now still works).
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// Restart the (launched) program after this many CRITICAL answers in a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<u32>", optional)]
    pub restart_after: Option<u32>,
}

fn default_retries() -> u32 {
    2
}

impl Check {
    /// Checks the fields that need no other state (the program, the plugin and its config are
    /// checked by the engine).
    pub fn validate(mut self) -> Result<Self, ApiError> {
        check_name(&mut self.name, "check")?;
        for (field, secs) in [
            ("interval_secs", self.interval_secs),
            ("timeout_secs", self.timeout_secs),
        ] {
            if let Some(s) = secs
                && (s == 0 || s > MAX_PLUGIN_SECS)
            {
                return Err(ApiError::invalid_field(
                    field,
                    format!("{field} must be 1 to {MAX_PLUGIN_SECS}"),
                ));
            }
        }
        if self.retries > MAX_CHECK_RETRIES {
            return Err(ApiError::invalid_field(
                "retries",
                format!("retries must be at most {MAX_CHECK_RETRIES}"),
            ));
        }
        if self.restart_after == Some(0) || self.restart_after.is_some_and(|n| n > 1000) {
            return Err(ApiError::invalid_field(
                "restart_after",
                "restart_after must be 1 to 1000 CRITICAL answers in a row",
            ));
        }
        if self.restart_after.is_some() && self.program_id.is_none() {
            return Err(ApiError::invalid_field(
                "restart_after",
                "restart_after needs the check's program",
            ));
        }
        let bad =
            |field: &str, why: String| Err(ApiError::invalid_field(format!("probe.{field}"), why));
        match &mut self.probe {
            Probe::Plugin { plugin, .. } => {
                if !plugin_name_ok(plugin) {
                    return bad("plugin", format!("{plugin:?} is not a plugin name"));
                }
            }
            Probe::Http {
                url,
                expect_status,
                body_contains,
                warn_ms,
                crit_ms,
            } => {
                *url = url.trim().to_owned();
                match url::Url::parse(url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                    _ => return bad("url", format!("{url:?} is not an http:// or https:// URL")),
                }
                if expect_status.is_some_and(|s| !(100..=599).contains(&s)) {
                    return bad("expect_status", "expect_status must be 100 to 599".into());
                }
                if body_contains
                    .as_ref()
                    .is_some_and(|b| b.is_empty() || b.len() > 1000)
                {
                    return bad(
                        "body_contains",
                        "body_contains must be 1 to 1000 bytes".into(),
                    );
                }
                if let (Some(w), Some(c)) = (warn_ms, crit_ms)
                    && w > c
                {
                    return bad("warn_ms", "warn_ms must not be above crit_ms".into());
                }
            }
            Probe::Tcp { host, port, .. } => {
                *host = host.trim().to_owned();
                if host.is_empty() || host.len() > 253 || host.contains(char::is_whitespace) {
                    return bad("host", format!("{host:?} is not a host name or address"));
                }
                if *port == 0 {
                    return bad("port", "port must be 1 to 65535".into());
                }
            }
            Probe::LogFile {
                path,
                pattern,
                status,
            } => {
                if path.trim().is_empty() || path.contains('\0') {
                    return bad("path", "a log file path is needed".into());
                }
                if pattern.is_empty() || pattern.len() > 1000 {
                    return bad("pattern", "pattern must be 1 to 1000 characters".into());
                }
                if !matches!(status, CheckStatus::Warning | CheckStatus::Critical) {
                    return bad("status", "a match is warning or critical".into());
                }
            }
            Probe::Disk {
                path,
                warn_free_percent,
                crit_free_percent,
            } => {
                if path.trim().is_empty() || path.contains('\0') {
                    return bad("path", "a path on the disk is needed".into());
                }
                let ok = |p: f64| (0.0..=100.0).contains(&p);
                if !ok(*warn_free_percent) {
                    return bad("warn_free_percent", "a percentage is 0 to 100".into());
                }
                if !ok(*crit_free_percent) {
                    return bad("crit_free_percent", "a percentage is 0 to 100".into());
                }
                if crit_free_percent > warn_free_percent {
                    return bad(
                        "crit_free_percent",
                        "the critical free space must not be above the warning one".into(),
                    );
                }
            }
            Probe::HungWindow {} => {
                if self.program_id.is_none() {
                    return Err(ApiError::invalid_field(
                        "program_id",
                        "a hung-window check watches a program's windows: choose the program",
                    ));
                }
            }
        }
        Ok(self)
    }
}

/// An action: a plugin run when a matching event happens (for example "on crash, collect a
/// dump"), with the event as its request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<u32>", optional)]
    pub id: ActionId,
    /// A name for people, unique.
    pub name: String,
    /// The action plugin it runs.
    pub plugin: String,
    /// Its config values.
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub config: BTreeMap<String, Value>,
    /// Disabled actions do not run.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// The event kinds it runs on (at least one).
    pub kinds: Vec<EventKind>,
    /// Only events of these programs (or of the jobs / tags below); all empty means any.
    #[serde(default)]
    #[ts(as = "Option<Vec<i32>>", optional)]
    pub programs: Vec<ProgramId>,
    /// Only events of these jobs.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub jobs: Vec<JobId>,
    /// Only events of programs or jobs carrying one of these tags.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    /// Seconds one run may take; the plugin's default when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<u32>", optional)]
    pub timeout_secs: Option<u64>,
}

impl Action {
    /// Checks the fields that need no other state.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        check_name(&mut self.name, "action")?;
        if !plugin_name_ok(&self.plugin) {
            return Err(ApiError::invalid_field(
                "plugin",
                format!("{:?} is not a plugin name", self.plugin),
            ));
        }
        if self.kinds.is_empty() {
            return Err(ApiError::invalid_field(
                "kinds",
                "an action needs at least one event kind to run on",
            ));
        }
        if self
            .timeout_secs
            .is_some_and(|s| s == 0 || s > MAX_PLUGIN_SECS)
        {
            return Err(ApiError::invalid_field(
                "timeout_secs",
                format!("timeout_secs must be 1 to {MAX_PLUGIN_SECS}"),
            ));
        }
        self.kinds.sort_by_key(|k| k.as_str());
        self.kinds.dedup();
        for list in [&mut self.tags, &mut self.jobs] {
            list.sort();
            list.dedup();
        }
        self.programs.sort_unstable();
        self.programs.dedup();
        Ok(self)
    }

    /// Whether an event (of a subject carrying `tags`) makes this action run.
    pub fn matches(&self, event: &crate::Event, tags: &[String]) -> bool {
        self.enabled
            && self.kinds.contains(&event.kind)
            && crate::notify::in_scope(&self.programs, &self.jobs, &self.tags, event, tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(probe: Value) -> Result<Check, ApiError> {
        let c: Check = serde_json::from_value(serde_json::json!({"name": " c ", "probe": probe}))
            .map_err(|e| ApiError::invalid(e.to_string()))?;
        c.validate()
    }

    #[test]
    fn checks_validate_each_probe_with_its_field() {
        let c = check(serde_json::json!({"type": "tcp", "host": "localhost", "port": 22})).unwrap();
        assert_eq!((c.name.as_str(), c.retries, c.enabled), ("c", 2, true));
        let cases = [
            (
                serde_json::json!({"type": "http", "url": "ftp://x"}),
                "probe.url",
            ),
            (
                serde_json::json!({"type": "http", "url": "http://x", "expect_status": 99}),
                "probe.expect_status",
            ),
            (
                serde_json::json!({"type": "http", "url": "http://x", "warn_ms": 5, "crit_ms": 1}),
                "probe.warn_ms",
            ),
            (
                serde_json::json!({"type": "tcp", "host": "", "port": 1}),
                "probe.host",
            ),
            (
                serde_json::json!({"type": "tcp", "host": "x", "port": 0}),
                "probe.port",
            ),
            (
                serde_json::json!({"type": "log_file", "path": "/x", "pattern": ""}),
                "probe.pattern",
            ),
            (
                serde_json::json!({"type": "log_file", "path": "/x", "pattern": "a", "status": "ok"}),
                "probe.status",
            ),
            (
                serde_json::json!({"type": "disk", "path": "/", "warn_free_percent": 5, "crit_free_percent": 10}),
                "probe.crit_free_percent",
            ),
            (
                serde_json::json!({"type": "disk", "path": "/", "warn_free_percent": 500, "crit_free_percent": 10}),
                "probe.warn_free_percent",
            ),
            (serde_json::json!({"type": "hung_window"}), "program_id"),
            (
                serde_json::json!({"type": "plugin", "plugin": "../etc"}),
                "probe.plugin",
            ),
        ];
        for (probe, field) in cases {
            let e = check(probe.clone()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{probe}: {e:?}");
        }
        assert!(
            check(serde_json::json!({"type": "tcp", "host": "x", "port": 1, "extra": 1})).is_err()
        );
        let mut c = check(serde_json::json!({"type": "tcp", "host": "x", "port": 1})).unwrap();
        c.restart_after = Some(3);
        assert_eq!(
            c.validate().unwrap_err().field.as_deref(),
            Some("restart_after")
        );
    }

    #[test]
    fn an_action_matches_its_kinds_and_scope() {
        let a = Action {
            id: 1,
            name: "dump".into(),
            plugin: "collect-dump".into(),
            config: BTreeMap::new(),
            enabled: true,
            kinds: vec![EventKind::ProgramCrashed],
            programs: vec![7],
            jobs: vec![],
            tags: vec!["db".into()],
            timeout_secs: None,
        }
        .validate()
        .unwrap();
        let event = |kind, program| crate::Event {
            id: 1,
            ts: 0,
            kind,
            program_id: program,
            job_id: None,
            message: String::new(),
            detail: None,
        };
        assert!(a.matches(&event(EventKind::ProgramCrashed, Some(7)), &[]));
        assert!(a.matches(&event(EventKind::ProgramCrashed, Some(8)), &["db".into()]));
        assert!(!a.matches(&event(EventKind::ProgramCrashed, Some(8)), &[]));
        assert!(!a.matches(&event(EventKind::ProgramStarted, Some(7)), &[]));
        let mut off = a.clone();
        off.enabled = false;
        assert!(!off.matches(&event(EventKind::ProgramCrashed, Some(7)), &[]));
        let mut none = a;
        none.kinds.clear();
        assert_eq!(none.validate().unwrap_err().field.as_deref(), Some("kinds"));
    }
}
