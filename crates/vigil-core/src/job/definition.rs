//! The job itself and its validation.

#[allow(unused_imports)]
use super::*;

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
            return Err(ApiError::invalid_field(
                "id",
                format!("{:?} is reserved and cannot be a job id", self.id),
            ));
        }
        if !id_ok {
            return Err(ApiError::invalid_field(
                "id",
                format!(
                    "id {:?} must be 1-{MAX_JOB_ID} lowercase letters, digits, '-' or '_', starting with a letter or digit",
                    self.id
                ),
            ));
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            self.name = self.id.clone();
        }
        if self.command.trim().is_empty() {
            return Err(ApiError::invalid_field(
                "command",
                "command must not be empty",
            ));
        }
        if self.command.contains('\0') || self.args.iter().any(|a| a.contains('\0')) {
            return Err(ApiError::invalid_field(
                "command",
                "command and args must not contain NUL",
            ));
        }
        if let Some(schedule) = &self.schedule {
            if schedule.trim().is_empty() {
                self.schedule = None;
            } else {
                parse_schedule(schedule).map_err(|e| e.at("schedule"))?;
            }
        }
        if let Some(tz) = &self.timezone {
            parse_tz(tz).map_err(|e| e.at("timezone"))?;
        }
        check_options(&self.options)?;
        if self.execution.retries > 100 {
            return Err(ApiError::invalid_field(
                "execution.retries",
                "execution.retries must be at most 100",
            ));
        }
        if self.execution.timeout_secs == Some(0) {
            return Err(ApiError::invalid_field(
                "execution.timeout_secs",
                "execution.timeout_secs must be at least 1",
            ));
        }
        for (field, list) in [
            ("depends_on", &self.depends_on),
            ("on_success", &self.on_success),
            ("on_failure", &self.on_failure),
        ] {
            if list.contains(&self.id) {
                return Err(ApiError::invalid_field(
                    field,
                    format!("job {:?} cannot depend on or chain to itself", self.id),
                ));
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
        let mut argv = self.args.clone();
        argv.extend(options_argv(&self.options, values).map_err(|mut e| {
            e.message = format!("job {:?}: {}", self.id, e.message);
            e
        })?);
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
