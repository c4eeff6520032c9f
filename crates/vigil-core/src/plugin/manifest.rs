//! A plugin's manifest (`plugin.json` in its folder) and its checks.

#[allow(unused_imports)]
use super::*;

/// What a plugin is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PluginKind {
    /// Answers whether something works (run on an interval).
    Check,
    /// Does something when an event happens (run on matching events).
    Action,
}

/// How a plugin answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// The Nagios / Monitoring-Plugins convention: config values as arguments, the exit code
    /// is the status, the first line the message, performance data after `|`.
    #[default]
    Nagios,
    /// Vigil's JSON protocol: a JSON request on stdin, a JSON result on stdout.
    Vigil,
}

/// The command that runs a plugin, per OS. The first word is the program: a path relative to
/// the plugin's folder (`./check.py`, `bin/check.exe`), an absolute path, or a name found on
/// PATH (`python3`, `powershell`). The plugin's folder is its working directory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PluginCommand {
    /// On Windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub windows: Option<Vec<String>>,
    /// On Linux and other Unix systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unix: Option<Vec<String>>,
}

impl PluginCommand {
    /// The command for the OS this was built for.
    pub fn here(&self) -> Option<&[String]> {
        if cfg!(windows) {
            self.windows.as_deref()
        } else {
            self.unix.as_deref()
        }
    }
}

/// Most seconds a plugin's interval or timeout may be.
pub const MAX_PLUGIN_SECS: u64 = 86_400;
/// Longest plugin name.
pub const MAX_PLUGIN_NAME: usize = 64;

/// A plugin's manifest, `plugin.json` in its folder under the data dir's `plugins/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Its id: lowercase letters, digits, `-`, `_` and `.`; unique among installed plugins.
    pub name: String,
    /// Its version, as its author writes it.
    pub version: String,
    /// What it does, for people.
    #[serde(default)]
    pub description: String,
    /// A check or an action.
    pub kind: PluginKind,
    /// How it answers.
    #[serde(default)]
    pub protocol: Protocol,
    /// The command per OS.
    pub command: PluginCommand,
    /// Its typed settings, which the UI shows as a form. With the Nagios protocol each value
    /// becomes arguments (`flag value`); with Vigil's the values go in the request's `config`.
    #[serde(default)]
    pub config: Vec<JobOption>,
    /// How often a check runs unless its check says otherwise (seconds).
    #[serde(default = "default_interval")]
    #[ts(as = "Option<u32>", optional)]
    pub interval_secs: u64,
    /// How long one invocation may take before its process tree is killed (seconds).
    #[serde(default = "default_timeout")]
    #[ts(as = "Option<u32>", optional)]
    pub timeout_secs: u64,
}

fn default_interval() -> u64 {
    60
}

fn default_timeout() -> u64 {
    10
}

/// Whether `name` is a valid plugin name.
pub fn plugin_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_PLUGIN_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

impl Manifest {
    /// Reads and checks a manifest; the error names the field and says why.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let m: Self = serde_json::from_str(text)
            .map_err(|e| ApiError::invalid(format!("plugin.json is not a valid manifest: {e}")))?;
        m.validate()
    }

    /// Checks the fields.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        if !plugin_name_ok(&self.name) {
            return Err(ApiError::invalid_field(
                "name",
                format!(
                    "plugin name {:?} must be 1-{MAX_PLUGIN_NAME} lowercase letters, digits, '-', '_' or '.', starting with a letter or digit",
                    self.name
                ),
            ));
        }
        self.version = self.version.trim().to_owned();
        if self.version.is_empty() || self.version.len() > 32 {
            return Err(ApiError::invalid_field(
                "version",
                "version must be 1 to 32 characters",
            ));
        }
        if self.description.chars().count() > 500 {
            return Err(ApiError::invalid_field(
                "description",
                "description must be at most 500 characters",
            ));
        }
        for (os, cmd) in [
            ("windows", &self.command.windows),
            ("unix", &self.command.unix),
        ] {
            if let Some(cmd) = cmd
                && (cmd.is_empty()
                    || cmd[0].trim().is_empty()
                    || cmd.iter().any(|a| a.contains('\0')))
            {
                return Err(ApiError::invalid_field(
                    format!("command.{os}"),
                    "a command is a non-empty list of words (the program first), without NUL",
                ));
            }
        }
        if self.command.windows.is_none() && self.command.unix.is_none() {
            return Err(ApiError::invalid_field(
                "command",
                "a command is needed for at least one OS (\"windows\" or \"unix\")",
            ));
        }
        crate::job::check_options(&self.config).map_err(|e| rename_options(e, "config"))?;
        for (field, secs) in [
            ("interval_secs", self.interval_secs),
            ("timeout_secs", self.timeout_secs),
        ] {
            if secs == 0 || secs > MAX_PLUGIN_SECS {
                return Err(ApiError::invalid_field(
                    field,
                    format!("{field} must be 1 to {MAX_PLUGIN_SECS}"),
                ));
            }
        }
        Ok(self)
    }

    /// The config a Vigil-protocol plugin gets: the values set, and each default not set.
    pub fn config_with_defaults(
        &self,
        values: &BTreeMap<String, Value>,
    ) -> BTreeMap<String, Value> {
        let mut all = values.clone();
        for o in &self.config {
            if let Some(d) = &o.default {
                all.entry(o.name.clone()).or_insert_with(|| d.clone());
            }
        }
        all
    }

    /// The arguments a Nagios-protocol plugin gets for these config values (after its
    /// command's own words).
    pub fn config_argv(&self, values: &BTreeMap<String, Value>) -> Result<Vec<String>, ApiError> {
        crate::job::options_argv(&self.config, values).map_err(|e| rename_options(e, "config"))
    }
}

/// Options errors name `options.X`; in a plugin's config they are `config.X`.
fn rename_options(mut e: ApiError, to: &str) -> ApiError {
    if let Some(f) = &e.field
        && let Some(rest) = f.strip_prefix("options.")
    {
        e.field = Some(format!("{to}.{rest}"));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"name":"tcp","version":"1.0","kind":"check",
        "command":{"unix":["/usr/lib/nagios/plugins/check_tcp"]},
        "config":[{"name":"host","type":"string","flag":"-H","default":"127.0.0.1"},
                  {"name":"port","type":"number","flag":"-p"}]}"#;

    #[test]
    fn a_manifest_reads_with_its_defaults_and_makes_argv() {
        let m = Manifest::parse(GOOD).unwrap();
        assert_eq!(
            (m.interval_secs, m.timeout_secs, m.protocol),
            (60, 10, Protocol::Nagios)
        );
        let values = BTreeMap::from([("port".to_owned(), serde_json::json!(22))]);
        assert_eq!(
            m.config_argv(&values).unwrap(),
            ["-H", "127.0.0.1", "-p", "22"]
        );
        let full = m.config_with_defaults(&values);
        assert_eq!(
            (full["host"].as_str(), full["port"].as_i64()),
            (Some("127.0.0.1"), Some(22))
        );
        let bad = BTreeMap::from([("nope".to_owned(), serde_json::json!(1))]);
        assert_eq!(
            m.config_argv(&bad).unwrap_err().field.as_deref(),
            Some("config.nope")
        );
        let bad = BTreeMap::from([("port".to_owned(), serde_json::json!("x"))]);
        assert_eq!(
            m.config_argv(&bad).unwrap_err().field.as_deref(),
            Some("config.port")
        );
    }

    #[test]
    fn bad_manifests_are_refused_with_the_field() {
        let cases = [
            (GOOD.replace("\"tcp\"", "\"Bad Name\""), Some("name")),
            (GOOD.replace("\"1.0\"", "\"\""), Some("version")),
            (GOOD.replace("\"check\"", "\"probe\""), None),
            (
                GOOD.replace(r#"{"unix":["/usr/lib/nagios/plugins/check_tcp"]}"#, "{}"),
                Some("command"),
            ),
            (
                GOOD.replace(r#"["/usr/lib/nagios/plugins/check_tcp"]"#, "[]"),
                Some("command.unix"),
            ),
            (GOOD.replace("\"port\"", "\"host\""), Some("config.1.name")),
            (
                GOOD.replace("\"kind\"", "\"interval_secs\":0,\"kind\""),
                Some("interval_secs"),
            ),
            (GOOD.replace("\"kind\"", "\"surprise\":1,\"kind\""), None),
            ("".into(), None),
            ("[]".into(), None),
        ];
        for (text, field) in cases {
            let e = Manifest::parse(&text).unwrap_err();
            assert_eq!(e.field.as_deref(), field, "{text}: {e:?}");
        }
    }
}
