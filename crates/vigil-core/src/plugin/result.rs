//! What a check answers: a status, a message, metrics (performance data), and Vigil's JSON
//! result protocol.

#[allow(unused_imports)]
use super::*;

/// A check's answer, in the Nagios order of severity (the exit codes 0 to 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Working.
    Ok,
    /// Working, but near a limit.
    Warning,
    /// Not working.
    Critical,
    /// The check could not tell (or the plugin failed: its error says why).
    Unknown,
}

impl CheckStatus {
    /// The stable name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Critical => "critical",
            Self::Unknown => "unknown",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ok, Self::Warning, Self::Critical, Self::Unknown]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The Nagios exit code's meaning; other codes are not an answer.
    pub fn from_exit(code: i32) -> Option<Self> {
        match code {
            0 => Some(Self::Ok),
            1 => Some(Self::Warning),
            2 => Some(Self::Critical),
            3 => Some(Self::Unknown),
            _ => None,
        }
    }

    /// The event a change to this status raises.
    pub fn event(self) -> EventKind {
        match self {
            Self::Ok => EventKind::CheckRecovered,
            Self::Warning => EventKind::CheckWarning,
            Self::Critical => EventKind::CheckCritical,
            Self::Unknown => EventKind::CheckUnknown,
        }
    }
}

/// One measured value (Nagios performance data, or a metric of Vigil's protocol).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Metric {
    /// What is measured (`time`, `/`, `procs`).
    pub label: String,
    /// The value, in `unit`.
    pub value: f64,
    /// The unit (`s`, `ms`, `%`, `B`, `KB`, `MB`, `c`...), empty for a plain number.
    #[serde(default)]
    pub unit: String,
    /// The warning range as the plugin wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub warn: Option<String>,
    /// The critical range as the plugin wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub crit: Option<String>,
}

/// Most metrics kept from one answer.
pub const MAX_METRICS: usize = 50;
/// Longest message kept (characters).
pub const MAX_MESSAGE: usize = 1_000;
/// Longest metric label kept (characters).
pub const MAX_LABEL: usize = 100;

/// A check's answer as parsed from a plugin (or made by a built-in check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckAnswer {
    /// The status.
    pub status: CheckStatus,
    /// One line for a person.
    pub message: String,
    /// Measured values.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// Anything else the plugin returned (Vigil protocol only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub details: Option<Value>,
}

impl CheckAnswer {
    /// An answer with a message and no metrics.
    pub fn new(status: CheckStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            metrics: Vec::new(),
            details: None,
        }
    }
}

/// Cuts `s` to at most `max` characters, on one line.
pub(crate) fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    line.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAnswer {
    status: CheckStatus,
    #[serde(default)]
    message: String,
    #[serde(default)]
    metrics: Vec<WireMetric>,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireMetric {
    label: String,
    value: f64,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    warn: Option<Value>,
    #[serde(default)]
    crit: Option<Value>,
}

/// A threshold as written: text, or a number written as text.
fn threshold(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(one_line(&s, 64)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a Vigil-protocol result: one JSON object on stdout,
/// `{"status": "ok"|"warning"|"critical"|"unknown", "message": "...", "metrics":
/// [{"label", "value", "unit"?, "warn"?, "crit"?}], "details": any}`. Leading and trailing
/// whitespace is allowed; anything else is refused with the reason (the plugin is broken, which
/// is not an answer).
pub fn parse_vigil_result(stdout: &str) -> Result<CheckAnswer, String> {
    let text = stdout.trim();
    if text.is_empty() {
        return Err("the plugin printed nothing (a JSON result was expected)".into());
    }
    let wire: WireAnswer = serde_json::from_str(text)
        .map_err(|e| format!("the plugin's result is not valid JSON for Vigil's protocol: {e}"))?;
    let mut metrics = Vec::new();
    for m in wire.metrics.into_iter().take(MAX_METRICS) {
        let label = one_line(&m.label, MAX_LABEL);
        if label.is_empty() || !m.value.is_finite() {
            continue;
        }
        metrics.push(Metric {
            label,
            value: m.value,
            unit: one_line(&m.unit, 16),
            warn: threshold(m.warn),
            crit: threshold(m.crit),
        });
    }
    Ok(CheckAnswer {
        status: wire.status,
        message: one_line(&wire.message, MAX_MESSAGE),
        metrics,
        details: wire.details,
    })
}

/// What one invocation of a check came to, after its retries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckResult {
    /// The answer; an invocation that failed (crash, timeout, garbage) is `unknown` with the
    /// failure as its message and `error` set.
    pub answer: CheckAnswer,
    /// Why the plugin failed to answer (its last attempt), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// When it finished (unix ms).
    #[ts(type = "number")]
    pub ts: i64,
    /// How long the last attempt took.
    #[ts(type = "number")]
    pub duration_ms: i64,
    /// Attempts made (1 when the first answered).
    pub attempts: u32,
}

/// ProgramHealth of a program from its enabled checks' latest answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgramHealth {
    /// Every check answered OK.
    Healthy,
    /// A check answered WARNING (and none CRITICAL).
    Degraded,
    /// A check answered CRITICAL.
    Unhealthy,
    /// A check has not answered yet, or answered UNKNOWN (and none is worse).
    Unknown,
}

/// The health several checks' latest statuses make (`None` = not answered yet); `None` when
/// there are no checks.
pub fn health_of(latest: impl IntoIterator<Item = Option<CheckStatus>>) -> Option<ProgramHealth> {
    let mut worst: Option<ProgramHealth> = None;
    let rank = |h: ProgramHealth| match h {
        ProgramHealth::Healthy => 0,
        ProgramHealth::Unknown => 1,
        ProgramHealth::Degraded => 2,
        ProgramHealth::Unhealthy => 3,
    };
    for s in latest {
        let h = match s {
            Some(CheckStatus::Ok) => ProgramHealth::Healthy,
            Some(CheckStatus::Warning) => ProgramHealth::Degraded,
            Some(CheckStatus::Critical) => ProgramHealth::Unhealthy,
            Some(CheckStatus::Unknown) | None => ProgramHealth::Unknown,
        };
        if worst.is_none_or(|w| rank(h) > rank(w)) {
            worst = Some(h);
        }
    }
    worst
}

/// One invocation of a check, as logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckRecord {
    /// Its id in the log.
    #[ts(type = "number")]
    pub id: i64,
    /// The check.
    #[ts(type = "number")]
    pub check_id: CheckId,
    /// When it finished (unix ms).
    #[ts(type = "number")]
    pub ts: i64,
    /// The status it came to.
    pub status: CheckStatus,
    /// Its message.
    pub message: String,
    /// Why the plugin failed to answer, if it did.
    pub error: Option<String>,
    /// How long its last attempt took.
    #[ts(type = "number")]
    pub duration_ms: i64,
    /// Attempts made.
    pub attempts: u32,
    /// What it measured.
    pub metrics: Vec<Metric>,
}

/// One metric of a check over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MetricSeries {
    /// The metric's label.
    pub label: String,
    /// Its unit.
    pub unit: String,
    /// Width of a point's bucket (0 for raw values).
    #[ts(type = "number")]
    pub resolution_secs: i64,
    /// `[ts ms, average, min, max]` per bucket, oldest first.
    #[ts(type = "Array<[number, number, number, number]>")]
    pub points: Vec<(i64, f64, f64, f64)>,
}

/// One run of an action, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionRun {
    /// Its id in the log.
    #[ts(type = "number")]
    pub id: i64,
    /// The action.
    #[ts(type = "number")]
    pub action_id: ActionId,
    /// The event it ran on (none for a run-now test).
    #[ts(type = "number | null")]
    pub event_id: Option<i64>,
    /// When it finished (unix ms).
    #[ts(type = "number")]
    pub ts: i64,
    /// Whether it worked.
    pub ok: bool,
    /// What it said, or why it failed.
    pub message: String,
    /// How long it took.
    #[ts(type = "number")]
    pub duration_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vigil_results_parse_and_garbage_is_refused_with_a_reason() {
        let a = parse_vigil_result(
            r#" {"status":"warning","message":"slow\nsecond line","metrics":[{"label":"time","value":1.5,"unit":"s"},{"label":"","value":1},{"label":"nan","value":1e400}]} "#,
        );
        // 1e400 is not a finite f64: serde refuses it, which refuses the whole result.
        assert!(a.is_err());
        let a = parse_vigil_result(
            r#"{"status":"warning","message":"slow\nsecond line","metrics":[{"label":"time","value":1.5,"unit":"s","warn":1000,"crit":"2000"},{"label":"","value":1}],"details":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(
            (a.metrics[0].warn.as_deref(), a.metrics[0].crit.as_deref()),
            (Some("1000"), Some("2000"))
        );
        assert_eq!(a.status, CheckStatus::Warning);
        assert_eq!(a.message, "slow");
        assert_eq!(a.metrics.len(), 1);
        assert_eq!(a.details, Some(serde_json::json!({"x": 1})));
        for bad in [
            "",
            "   ",
            "OK",
            "{}",
            r#"{"status":"fine"}"#,
            r#"{"status":"ok","extra":1}"#,
            "[1]",
        ] {
            assert!(parse_vigil_result(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn health_is_the_worst_answer() {
        use CheckStatus::*;
        assert_eq!(health_of([]), None);
        assert_eq!(
            health_of([Some(Ok), Some(Ok)]),
            Some(ProgramHealth::Healthy)
        );
        assert_eq!(health_of([Some(Ok), None]), Some(ProgramHealth::Unknown));
        assert_eq!(
            health_of([Some(Unknown), Some(Warning)]),
            Some(ProgramHealth::Degraded)
        );
        assert_eq!(
            health_of([Some(Critical), Some(Warning), None]),
            Some(ProgramHealth::Unhealthy)
        );
    }
}
