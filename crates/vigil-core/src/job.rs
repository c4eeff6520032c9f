//! Jobs: commands run on schedules or by hand. The pure rules live here: validation, the argv
//! of a run from typed options, schedules and their next fires, retry delays, and the
//! dependency graph (cycles refused with their path, levels for parallel runs).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::ApiError;

/// A job's id: a short slug chosen by the person (`nightly-backup`), stable across edits.
pub type JobId = String;

/// Longest job id.
pub const MAX_JOB_ID: usize = 64;

/// The kind of a job option, which decides how its value becomes arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OptionKind {
    /// `true` adds the flag; `false` adds nothing.
    Boolean,
    /// A text value: `flag value`, or the bare value without a flag.
    String,
    /// Several text values: `flag v` for each, or the bare values.
    Array,
    /// One of `choices`, written like a string.
    Select,
}

/// A typed option of a job, filled in per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct JobOption {
    /// The key a run request uses (`--opt name=value`).
    pub name: String,
    /// What the UI shows.
    #[serde(default)]
    pub label: String,
    /// How the value is typed and written.
    #[serde(rename = "type")]
    pub kind: OptionKind,
    /// The flag written before the value (`--date`); none for positional values.
    #[serde(default)]
    pub flag: Option<String>,
    /// Allowed values of a select.
    #[serde(default)]
    pub choices: Vec<String>,
    /// Used when a run does not set it.
    #[serde(default)]
    #[ts(type = "unknown")]
    pub default: Option<Value>,
}

/// How retry delays grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay every time.
    #[default]
    Fixed,
    /// delay x attempt.
    Linear,
    /// delay x 2^(attempt-1).
    Exponential,
}

/// Which failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RetryOn {
    /// The run passed its timeout.
    Timeout,
    /// The run exited with a non-zero code.
    Failure,
    /// The command could not be started.
    StartError,
}

/// Timeouts and retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutionPolicy {
    /// Kill the run's process tree after this many seconds.
    #[ts(type = "number | null")]
    pub timeout_secs: Option<u64>,
    /// Extra attempts after a failure of a kind in `retry_on`.
    pub retries: u32,
    /// Base delay between attempts, milliseconds.
    #[ts(type = "number")]
    pub retry_delay_ms: u64,
    /// How the delay grows.
    pub backoff: Backoff,
    /// Which failures are retried (default: all).
    pub retry_on: Vec<RetryOn>,
    /// A command (argv) run before each retry, to repair what failed.
    pub fix_command: Option<Vec<String>>,
}

impl Default for ExecutionPolicy {
    fn default() -> Self {
        Self {
            timeout_secs: None,
            retries: 0,
            retry_delay_ms: 1_000,
            backoff: Backoff::Fixed,
            retry_on: vec![RetryOn::Timeout, RetryOn::Failure, RetryOn::StartError],
            fix_command: None,
        }
    }
}

impl ExecutionPolicy {
    /// The delay before attempt `attempt` (2 is the first retry), milliseconds, capped at an hour.
    pub fn retry_delay(&self, attempt: u32) -> u64 {
        let n = u64::from(attempt.saturating_sub(1).max(1));
        let delay = match self.backoff {
            Backoff::Fixed => self.retry_delay_ms,
            Backoff::Linear => self.retry_delay_ms.saturating_mul(n),
            Backoff::Exponential => self
                .retry_delay_ms
                .saturating_mul(1u64.checked_shl((n - 1).min(40) as u32).unwrap_or(u64::MAX)),
        };
        delay.min(3_600_000)
    }
}

/// What happens when a schedule fires while the previous run still goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Overlap {
    /// Skip this fire (recorded as a skipped run).
    #[default]
    Skip,
    /// Run after the current one ends.
    Queue,
    /// Run alongside it.
    Parallel,
    /// Cancel the current run and start this one.
    Replace,
}

/// What happens to fires missed while Vigil was not running (or the PC slept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Missed {
    /// Forget them.
    #[default]
    Skip,
    /// Run once on start for all of them.
    RunOnce,
}

/// A job as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// Stable slug.
    pub id: JobId,
    /// Human name.
    pub name: String,
    /// Executable (absolute path or a name found on PATH), or with `shell` a command line.
    pub command: String,
    /// Fixed arguments, before those built from options.
    #[serde(default)]
    pub args: Vec<String>,
    /// Run `command` through the system shell (`sh -c` / `cmd /C`).
    #[serde(default)]
    pub shell: bool,
    /// Working directory.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Extra environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Grouping in the UI.
    #[serde(default)]
    pub category: Option<String>,
    /// Labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Disabled jobs are not scheduled (manual runs still work).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Typed options.
    #[serde(default)]
    pub options: Vec<JobOption>,
    /// Timeouts and retries.
    #[serde(default)]
    pub execution: ExecutionPolicy,
    /// Cron expression, 5 or 6 fields (seconds first when 6).
    #[serde(default)]
    pub schedule: Option<String>,
    /// IANA time zone of the schedule (default UTC).
    #[serde(default)]
    pub timezone: Option<String>,
    /// When a fire meets a running run.
    #[serde(default)]
    pub overlap: Overlap,
    /// Fires missed while Vigil was away.
    #[serde(default)]
    pub missed: Missed,
    /// Jobs that must succeed first, in the same trigger.
    #[serde(default)]
    pub depends_on: Vec<JobId>,
    /// Jobs started after a success.
    #[serde(default)]
    pub on_success: Vec<JobId>,
    /// Jobs started after a failure.
    #[serde(default)]
    pub on_failure: Vec<JobId>,
    /// A template: other jobs extend it; it is never scheduled or run itself.
    #[serde(default)]
    pub template: bool,
    /// The template this job was made from (resolved when saved).
    #[serde(default)]
    pub extends: Option<JobId>,
    /// Values for the template's `{{variables}}`.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

impl Job {
    /// Checks everything decidable from the job alone and normalises it.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.id = self.id.trim().to_owned();
        let id_ok = !self.id.is_empty()
            && self.id.len() <= MAX_JOB_ID
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && self
                .id
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        // Words the API and the UI use as paths under /jobs/ cannot be job ids.
        if ["new", "dashboard", "export", "import"].contains(&self.id.as_str()) {
            return Err(ApiError::invalid(format!(
                "{:?} is reserved and cannot be a job id",
                self.id
            )));
        }
        if !id_ok {
            return Err(ApiError::invalid(format!(
                "id {:?} must be 1-{MAX_JOB_ID} lowercase letters, digits, '-' or '_', starting with a letter or digit",
                self.id
            )));
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            self.name = self.id.clone();
        }
        if self.command.trim().is_empty() {
            return Err(ApiError::invalid("command must not be empty"));
        }
        if self.command.contains('\0') || self.args.iter().any(|a| a.contains('\0')) {
            return Err(ApiError::invalid("command and args must not contain NUL"));
        }
        if let Some(schedule) = &self.schedule {
            if schedule.trim().is_empty() {
                self.schedule = None;
            } else {
                parse_schedule(schedule)?;
            }
        }
        if let Some(tz) = &self.timezone {
            parse_tz(tz)?;
        }
        let mut names = BTreeSet::new();
        for o in &self.options {
            if o.name.is_empty() || !names.insert(o.name.as_str()) {
                return Err(ApiError::invalid(format!(
                    "option names must be non-empty and unique, got {:?}",
                    o.name
                )));
            }
            if o.kind == OptionKind::Select && o.choices.is_empty() {
                return Err(ApiError::invalid(format!(
                    "select option {:?} needs choices",
                    o.name
                )));
            }
            if let Some(d) = &o.default {
                option_value(o, d)?;
            }
        }
        if self.execution.retries > 100 {
            return Err(ApiError::invalid("execution.retries must be at most 100"));
        }
        if self.execution.timeout_secs == Some(0) {
            return Err(ApiError::invalid(
                "execution.timeout_secs must be at least 1",
            ));
        }
        for list in [&self.depends_on, &self.on_success, &self.on_failure] {
            if list.contains(&self.id) {
                return Err(ApiError::invalid(format!(
                    "job {:?} cannot depend on or chain to itself",
                    self.id
                )));
            }
        }
        Ok(self)
    }

    /// The time zone of its schedule.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .as_deref()
            .and_then(|t| chrono_tz::Tz::from_str(t).ok())
            .unwrap_or(chrono_tz::UTC)
    }

    /// The full argv of a run with these option values (unknown names and wrong types refused).
    pub fn argv(&self, values: &BTreeMap<String, Value>) -> Result<Vec<String>, ApiError> {
        if let Some(unknown) = values
            .keys()
            .find(|k| !self.options.iter().any(|o| &o.name == *k))
        {
            return Err(ApiError::invalid(format!(
                "job {:?} has no option {unknown:?}",
                self.id
            )));
        }
        let mut argv = self.args.clone();
        for o in &self.options {
            let Some(value) = values.get(&o.name).or(o.default.as_ref()) else {
                continue;
            };
            argv.extend(option_value(o, value)?);
        }
        Ok(argv)
    }

    /// For a shell job on Windows (run as `cmd /D /C LINE ARGS`): refuses option values that
    /// cmd.exe would read as syntax rather than text. cmd.exe does not honour the quoting that
    /// CreateProcess arguments get, so a value holding `"` and `&` (which an incoming webhook
    /// may send) would run commands; refusing is the only escaping that holds for every value.
    /// `argv` is the run's whole argv; the job's own `args` (written by its author) are trusted.
    pub fn check_cmd_safe(&self, argv: &[String]) -> Result<(), ApiError> {
        for value in argv.iter().skip(self.args.len()) {
            if let Some(c) = value.chars().find(|c| CMD_METACHARACTERS.contains(c)) {
                return Err(ApiError::invalid(format!(
                    "option value {value:?} holds {c:?}, which cmd.exe would run as syntax; \
                     a shell job on Windows refuses these characters in option values: \
                     \" & | < > ^ % ! ( ) and line breaks (make the job a direct command, \
                     not a shell line, to pass any text)"
                )));
            }
        }
        Ok(())
    }

    /// The next `n` fire times after `after`, or none without a schedule.
    pub fn next_fires(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let Some(cron) = self.schedule.as_deref().and_then(|s| parse_cron(s).ok()) else {
            return Vec::new();
        };
        next_fires(&cron, self.tz(), after, n)
    }
}

/// Makes a job definition from a template: the template's fields, overridden by the job's own,
/// with options merged by name, then every `{{name}}` in text fields replaced from `vars`. An
/// unknown template, an unfilled variable or a template that itself extends one is refused.
pub fn resolve_template(job: Value, templates: &HashMap<String, Value>) -> Result<Value, ApiError> {
    let Some(name) = job
        .get("extends")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(job);
    };
    let base = templates
        .get(&name)
        .ok_or_else(|| ApiError::invalid(format!("template {name:?} does not exist")))?;
    if base.get("template").and_then(Value::as_bool) != Some(true) {
        return Err(ApiError::invalid(format!("job {name:?} is not a template")));
    }
    if base.get("extends").is_some_and(|e| !e.is_null()) {
        return Err(ApiError::invalid(format!(
            "template {name:?} extends another; one level only"
        )));
    }
    let (Some(base_obj), Some(own)) = (base.as_object(), job.as_object()) else {
        return Err(ApiError::invalid(
            "a job and its template must be JSON objects",
        ));
    };
    let mut merged = base_obj.clone();
    for key in ["id", "name", "template", "vars"] {
        merged.remove(key);
    }
    for (key, value) in own {
        if key == "options" {
            let mut options: Vec<Value> = merged
                .get("options")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for o in value.as_array().into_iter().flatten() {
                let name = o.get("name");
                match options.iter_mut().find(|b| b.get("name") == name) {
                    Some(existing) => *existing = o.clone(),
                    None => options.push(o.clone()),
                }
            }
            merged.insert(key.clone(), Value::Array(options));
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    let vars: BTreeMap<String, String> = own
        .get("vars")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("vars must map names to text: {e}")))?
        .unwrap_or_default();
    let mut out = Value::Object(merged);
    fill(&mut out, &vars)?;
    Ok(out)
}

fn fill(v: &mut Value, vars: &BTreeMap<String, String>) -> Result<(), ApiError> {
    match v {
        Value::String(s) => {
            *s = crate::template::render(s, |key| {
                vars.get(key).cloned().ok_or_else(|| {
                    ApiError::invalid(format!(
                        "template variable {{{{{key}}}}} has no value in vars"
                    ))
                })
            })?;
        }
        Value::Array(items) => {
            for i in items {
                fill(i, vars)?;
            }
        }
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k != "vars" {
                    fill(val, vars)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parses a cron expression (5 or 6 fields), with an error naming it.
/// Years are refused: the documented format is 5 or 6 fields, and a year field (which croner
/// would take as a 7th) makes a schedule that fires in one year only, then searches to the year
/// 5000 on every lookup.
pub fn parse_cron(expr: &str) -> Result<croner::Cron, ApiError> {
    croner::parser::CronParser::builder()
        .year(croner::parser::Year::Disallowed)
        .build()
        .parse(expr.trim())
        .map_err(|e| {
            ApiError::invalid(format!(
                "schedule {expr:?} is not a valid cron expression: {e}"
            ))
        })
}

/// Parses a cron expression for a job's schedule: valid, and firing at all. `0 0 30 2 *`
/// (February 30th) parses but never fires, and every lookup of its next fire searches to
/// croner's year-5000 limit (40 ms each in release); it is refused once, here, instead.
pub fn parse_schedule(expr: &str) -> Result<croner::Cron, ApiError> {
    let cron = parse_cron(expr)?;
    // Any schedule that fires at all fires within 28 years of any instant (the calendar
    // repeats), so one lookup from a fixed instant tells; core reads no clock.
    let from = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    if next_fires(&cron, chrono_tz::UTC, from, 1).is_empty() {
        return Err(ApiError::invalid(format!(
            "schedule {expr:?} never fires (no such date)"
        )));
    }
    Ok(cron)
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: &str) -> Result<chrono_tz::Tz, ApiError> {
    chrono_tz::Tz::from_str(name.trim())
        .map_err(|_| ApiError::invalid(format!("timezone {name:?} is not a known IANA time zone")))
}

/// The next `n` fires of `cron` in `tz` strictly after `after`.
pub fn next_fires(
    cron: &croner::Cron,
    tz: chrono_tz::Tz,
    after: DateTime<Utc>,
    n: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(n);
    let mut t = after.with_timezone(&tz);
    for _ in 0..n {
        match cron.find_next_occurrence(&t, false) {
            Ok(next) => {
                out.push(next.with_timezone(&Utc));
                t = next;
            }
            Err(_) => break,
        }
    }
    out
}

/// Characters cmd.exe interprets on a command line (quoting, command separators, pipes,
/// redirection, escapes, variable expansion, grouping, line ends).
///
/// The fullwidth forms are there too: a program that reads its command line in the ANSI code
/// page gets them "best fit" mapped to the ASCII ones ("WorstFit"), so `＂` would become `"`.
pub const CMD_METACHARACTERS: &[char] = &[
    '"', '&', '|', '<', '>', '^', '%', '!', '(', ')', '\r', '\n', '\0', '＂', '＆', '｜', '＜',
    '＞', '＾', '％', '！', '（', '）',
];

/// Converts unix milliseconds to a UTC time (out-of-range values clamp to the epoch).
pub fn utc_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn option_value(o: &JobOption, v: &Value) -> Result<Vec<String>, ApiError> {
    let wrong =
        |want: &str| ApiError::invalid(format!("option {:?} must be {want}, got {v}", o.name));
    let with_flag = |value: String| match &o.flag {
        Some(f) => vec![f.clone(), value],
        None => vec![value],
    };
    Ok(match o.kind {
        OptionKind::Boolean => match v {
            Value::Bool(true) => o.flag.iter().cloned().collect(),
            Value::Bool(false) => Vec::new(),
            _ => return Err(wrong("true or false")),
        },
        OptionKind::String => match v {
            Value::String(s) if s.is_empty() => Vec::new(),
            Value::String(s) => with_flag(s.clone()),
            Value::Number(n) => with_flag(n.to_string()),
            _ => return Err(wrong("a string")),
        },
        OptionKind::Select => match v {
            Value::String(s) if o.choices.contains(s) => with_flag(s.clone()),
            _ => return Err(wrong(&format!("one of {:?}", o.choices))),
        },
        OptionKind::Array => match v {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.extend(with_flag(s.clone())),
                        _ => return Err(wrong("an array of strings")),
                    }
                }
                out
            }
            _ => return Err(wrong("an array of strings")),
        },
    })
}

/// Refuses unknown ids and cycles among `depends_on`, `on_success` and `on_failure`, naming the
/// path of the cycle (`a -> b -> a`).
pub fn check_graph(jobs: &[Job]) -> Result<(), ApiError> {
    let index: HashMap<&str, &Job> = jobs.iter().map(|j| (j.id.as_str(), j)).collect();
    for j in jobs {
        for dep in j
            .depends_on
            .iter()
            .chain(&j.on_success)
            .chain(&j.on_failure)
        {
            if !index.contains_key(dep.as_str()) {
                return Err(ApiError::invalid(format!(
                    "job {:?} refers to unknown job {dep:?}",
                    j.id
                )));
            }
        }
    }
    // Depth-first search with colours; the stack is the path when a grey node is met again.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: HashMap<&str, Colour> = jobs
        .iter()
        .map(|j| (j.id.as_str(), Colour::White))
        .collect();
    fn visit<'a>(
        id: &'a str,
        index: &HashMap<&'a str, &'a Job>,
        colour: &mut HashMap<&'a str, Colour>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), ApiError> {
        colour.insert(id, Colour::Grey);
        path.push(id);
        let job = index[id];
        for next in job
            .depends_on
            .iter()
            .chain(&job.on_success)
            .chain(&job.on_failure)
        {
            match colour[next.as_str()] {
                Colour::Grey => {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[start..].to_vec();
                    cycle.push(next);
                    return Err(ApiError::invalid(format!(
                        "jobs form a cycle: {}",
                        cycle.join(" -> ")
                    )));
                }
                Colour::White => visit(next, index, colour, path)?,
                Colour::Black => {}
            }
        }
        path.pop();
        colour.insert(id, Colour::Black);
        Ok(())
    }
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    for id in ids {
        if colour[id] == Colour::White {
            visit(id, &index, &mut colour, &mut Vec::new())?;
        }
    }
    Ok(())
}

/// The jobs a run of `root` needs, in levels: every job of a level depends only on earlier
/// levels, so a level's jobs can run in parallel. The last level is `[root]`.
pub fn plan(root: &str, jobs: &[Job]) -> Result<Vec<Vec<JobId>>, ApiError> {
    let index: HashMap<&str, &Job> = jobs.iter().map(|j| (j.id.as_str(), j)).collect();
    if !index.contains_key(root) {
        return Err(ApiError::not_found(format!("no job {root:?}")));
    }
    // Depth of each needed job = 1 + max depth of what it depends on.
    fn depth<'a>(
        id: &'a str,
        index: &HashMap<&'a str, &'a Job>,
        memo: &mut HashMap<&'a str, usize>,
        seen: &mut BTreeSet<&'a str>,
    ) -> Result<usize, ApiError> {
        if let Some(d) = memo.get(id) {
            return Ok(*d);
        }
        if !seen.insert(id) {
            return Err(ApiError::invalid(format!(
                "jobs form a cycle through {id:?}"
            )));
        }
        let job = index
            .get(id)
            .ok_or_else(|| ApiError::invalid(format!("unknown job {id:?}")))?;
        let mut d = 0;
        for dep in &job.depends_on {
            d = d.max(depth(dep, index, memo, seen)? + 1);
        }
        seen.remove(id);
        memo.insert(id, d);
        Ok(d)
    }
    let mut memo = HashMap::new();
    let top = depth(root, &index, &mut memo, &mut BTreeSet::new())?;
    let mut levels: Vec<Vec<JobId>> = vec![Vec::new(); top + 1];
    let mut ids: Vec<(&str, usize)> = memo.into_iter().collect();
    ids.sort();
    for (id, d) in ids {
        levels[d].push(id.to_owned());
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn job(id: &str) -> Job {
        serde_json::from_value(serde_json::json!({"id": id, "name": id, "command": "/bin/true"}))
            .unwrap()
    }

    #[test]
    fn malformed_cron_and_unknown_tz_are_refused_with_their_text() {
        let bad = Job {
            schedule: Some("61 * * * *".into()),
            ..job("a")
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("61 * * * *"), "{err}");
        let bad = Job {
            timezone: Some("Mars/Olympus".into()),
            ..job("a")
        };
        assert!(bad.validate().unwrap_err().message.contains("Mars/Olympus"));
        // Found by fuzzing: dates that do not exist parse, never fire, and made every lookup
        // search to the year 5000. Refused when saved; a leap day is fine.
        for never in [
            "0 0 30 2 *",
            "0 0 31 4 +1-5",
            "0 0 31 2 *",
            "0 0 0 1 1 * 2001",
        ] {
            let err = Job {
                schedule: Some(never.into()),
                ..job("a")
            }
            .validate()
            .unwrap_err();
            assert!(
                err.message.contains("never fires") || err.message.contains("not a valid cron"),
                "{never}: {err}"
            );
        }
        assert!(
            Job {
                schedule: Some("0 0 29 2 *".into()),
                ..job("a")
            }
            .validate()
            .is_ok()
        );
        assert!(
            Job {
                id: "Bad Id".into(),
                ..job("a")
            }
            .validate()
            .is_err()
        );
        assert!(
            Job {
                command: " ".into(),
                ..job("a")
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn next_fires_follow_the_time_zone_and_seconds() {
        let j = Job {
            schedule: Some("0 30 9 * * *".into()),
            timezone: Some("Asia/Seoul".into()),
            ..job("a")
        }
        .validate()
        .unwrap();
        let after = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let fires = j.next_fires(after, 2);
        // 09:30 in Seoul is 00:30 UTC.
        assert_eq!(
            fires[0],
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 30, 0).unwrap()
        );
        assert_eq!(
            fires[1],
            Utc.with_ymd_and_hms(2026, 1, 2, 0, 30, 0).unwrap()
        );
        let every_5s = Job {
            schedule: Some("*/5 * * * * *".into()),
            ..job("b")
        };
        let f = every_5s.next_fires(after, 3);
        assert_eq!(f[2] - f[0], chrono::Duration::seconds(10));
    }

    #[test]
    fn options_build_the_argv_and_wrong_types_are_refused() {
        let j: Job = serde_json::from_value(serde_json::json!({
            "id": "sync", "name": "sync", "command": "/usr/bin/sync-tool", "args": ["run"],
            "options": [
                {"name": "yes", "type": "boolean", "flag": "--yes", "default": true},
                {"name": "date", "type": "string", "flag": "--date"},
                {"name": "mode", "type": "select", "choices": ["fast", "full"], "default": "fast"},
                {"name": "files", "type": "array"}
            ]
        }))
        .unwrap();
        let j = j.validate().unwrap();
        let argv = j.argv(&BTreeMap::new()).unwrap();
        assert_eq!(argv, ["run", "--yes", "fast"], "defaults apply");
        let values: BTreeMap<String, Value> = serde_json::from_value(serde_json::json!({
            "yes": false, "date": "2026-01-01", "mode": "full", "files": ["a b", "c"]
        }))
        .unwrap();
        assert_eq!(
            j.argv(&values).unwrap(),
            ["run", "--date", "2026-01-01", "full", "a b", "c"]
        );
        for bad in [
            serde_json::json!({"yes": "true"}),
            serde_json::json!({"mode": "slow"}),
            serde_json::json!({"files": "a"}),
            serde_json::json!({"nope": 1}),
        ] {
            let values: BTreeMap<String, Value> = serde_json::from_value(bad.clone()).unwrap();
            let err = j.argv(&values).expect_err("must be refused");
            assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn cycles_are_refused_with_their_path_and_unknown_ids_named() {
        let a = Job {
            depends_on: vec!["b".into()],
            ..job("a")
        };
        let b = Job {
            depends_on: vec!["c".into()],
            ..job("b")
        };
        let c = Job {
            on_failure: vec!["a".into()],
            ..job("c")
        };
        let err = check_graph(&[a.clone(), b.clone(), c]).unwrap_err();
        assert!(err.message.contains("a -> b -> c -> a"), "{err}");
        let err = check_graph(&[a, b]).unwrap_err();
        assert!(err.message.contains("unknown job \"c\""), "{err}");
        assert!(
            Job {
                depends_on: vec!["x".into()],
                ..job("x")
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn plans_put_independent_jobs_in_one_level() {
        let jobs = [
            Job {
                depends_on: vec!["fetch-a".into(), "fetch-b".into()],
                ..job("report")
            },
            Job {
                depends_on: vec!["login".into()],
                ..job("fetch-a")
            },
            Job {
                depends_on: vec!["login".into()],
                ..job("fetch-b")
            },
            job("login"),
            job("unrelated"),
        ];
        let levels = plan("report", &jobs).unwrap();
        assert_eq!(
            levels,
            vec![
                vec!["login".to_owned()],
                vec!["fetch-a".into(), "fetch-b".into()],
                vec!["report".into()]
            ]
        );
        assert_eq!(
            plan("login", &jobs).unwrap(),
            vec![vec!["login".to_owned()]]
        );
        assert_eq!(plan("nope", &jobs).unwrap_err().code, ErrorCode::NotFound);
    }

    #[test]
    fn templates_fill_variables_and_merge_options_by_name() {
        let template = serde_json::json!({
            "id": "python-script", "name": "Python script", "template": true,
            "command": "{{venv}}/bin/python", "args": ["{{script}}"],
            "options": [{"name": "yes", "type": "boolean", "flag": "--yes", "default": true}],
            "execution": {"timeout_secs": 300, "retries": 1}
        });
        let templates = HashMap::from([("python-script".to_owned(), template)]);
        let job = serde_json::json!({
            "id": "daily-sync", "name": "Daily sync", "extends": "python-script",
            "vars": {"venv": "/opt/venv", "script": "sync.py"},
            "schedule": "0 23 * * *",
            "options": [{"name": "today", "type": "boolean", "flag": "--today"}]
        });
        let resolved = resolve_template(job, &templates).unwrap();
        let j: Job = serde_json::from_value(resolved).unwrap();
        let j = j.validate().unwrap();
        assert_eq!(j.command, "/opt/venv/bin/python");
        assert_eq!(j.args, ["sync.py"]);
        assert_eq!(
            j.execution.timeout_secs,
            Some(300),
            "the template's policy is inherited"
        );
        assert_eq!(j.options.len(), 2, "options merge by name");
        assert!(!j.template, "a job made from a template is not a template");
        assert_eq!(j.extends.as_deref(), Some("python-script"));
        let missing = serde_json::json!({"id": "x", "name": "x", "extends": "python-script", "vars": {"venv": "/v"}});
        let err = resolve_template(missing, &templates).unwrap_err();
        assert!(err.message.contains("{{script}}"), "{err}");
        let unknown = serde_json::json!({"id": "x", "extends": "nope"});
        assert!(
            resolve_template(unknown, &templates)
                .unwrap_err()
                .message
                .contains("nope")
        );
    }

    #[test]
    fn retry_delays_grow_by_backoff_and_are_capped() {
        let p = ExecutionPolicy {
            retry_delay_ms: 100,
            backoff: Backoff::Exponential,
            ..ExecutionPolicy::default()
        };
        assert_eq!([2, 3, 4, 5].map(|a| p.retry_delay(a)), [100, 200, 400, 800]);
        let p = ExecutionPolicy {
            backoff: Backoff::Linear,
            ..p
        };
        assert_eq!([2, 3, 4].map(|a| p.retry_delay(a)), [100, 200, 300]);
        let p = ExecutionPolicy {
            backoff: Backoff::Exponential,
            retry_delay_ms: u64::MAX / 2,
            ..p
        };
        assert_eq!(p.retry_delay(90), 3_600_000);
    }
}
