use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, RestartPolicy};

/// A program's id: assigned by the store, never reused.
pub type ProgramId = i64;

/// Longest accepted program name, in characters. Names are shown in a tray menu and a table.
pub const MAX_NAME_LEN: usize = 100;

/// Most arguments accepted for one program; far above any real command line, it bounds input.
pub const MAX_ARGS: usize = 256;

/// A program a person registered for Vigil to watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Program {
    /// Store-assigned id.
    #[ts(type = "number")]
    pub id: ProgramId,
    /// Unique, human-chosen name.
    pub name: String,
    /// Absolute path of the executable; never a shell string.
    pub path: String,
    /// Arguments as argv, one element per argument, never re-split.
    pub args: Vec<String>,
    /// Working directory, absolute, if the program needs one.
    pub cwd: Option<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Whether Vigil starts this program (and restarts it by its policy) or only watches it.
    pub launch: bool,
    /// Whether Vigil starts it when Vigil starts (only for launched programs).
    pub autostart: bool,
    /// How its processes are recognised among everything running.
    pub match_by: MatchRule,
    /// Free labels for filtering and notification rules.
    pub tags: Vec<String>,
    /// How a launched program is kept alive.
    pub restart: RestartPolicy,
    /// Resource limits that raise threshold events.
    pub limits: Limits,
    /// When it was registered, unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
}

/// How a program's processes are found among all running processes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum MatchRule {
    /// Processes whose executable is the program's `path` (case-insensitive on Windows).
    #[default]
    Exe,
    /// Processes with this name (for example `node.exe`), case-insensitive.
    Name(String),
    /// Processes whose command line contains this text.
    Cmdline(String),
}

/// Resource limits, each sustained for `sustain_secs` before it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// CPU usage limit in percent of one core (200 = two cores busy).
    pub cpu_percent: Option<u32>,
    /// Resident memory limit in MiB.
    #[ts(type = "number | null")]
    pub memory_mb: Option<u64>,
    /// How long a value must stay over its limit, seconds.
    #[ts(type = "number")]
    pub sustain_secs: u64,
    /// Restart a launched program that stays over its memory limit.
    pub restart_on_memory: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_percent: None,
            memory_mb: None,
            sustain_secs: 30,
            restart_on_memory: false,
        }
    }
}

/// Most tags on one program.
pub const MAX_TAGS: usize = 32;

fn yes() -> bool {
    true
}

/// The request to register a program. Unknown fields are refused so a typo (`arg` for `args`)
/// is an error instead of being silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewProgram {
    /// Unique name; surrounding whitespace is trimmed.
    pub name: String,
    /// Absolute path of an existing executable.
    pub path: String,
    /// Arguments as argv.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub args: Vec<String>,
    /// Absolute working directory.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    #[ts(as = "Option<BTreeMap<String, String>>", optional)]
    pub env: BTreeMap<String, String>,
    /// Whether Vigil launches it (default) or only watches it.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub launch: bool,
    /// Start it when Vigil starts (default: no).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub autostart: bool,
    /// How its processes are recognised (default: by executable path).
    #[serde(default)]
    #[ts(as = "Option<MatchRule>", optional)]
    pub match_by: MatchRule,
    /// Labels.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    /// Restart policy (default: on failure, 1 s doubling to 60 s, give up after 5 in 5 min).
    #[serde(default)]
    #[ts(as = "Option<RestartPolicy>", optional)]
    pub restart: RestartPolicy,
    /// Resource limits (default: none).
    #[serde(default)]
    #[ts(as = "Option<Limits>", optional)]
    pub limits: Limits,
}

impl Default for NewProgram {
    fn default() -> Self {
        Self {
            name: String::new(),
            path: String::new(),
            args: Vec::new(),
            cwd: None,
            env: BTreeMap::new(),
            launch: true,
            autostart: false,
            match_by: MatchRule::Exe,
            tags: Vec::new(),
            restart: RestartPolicy::default(),
            limits: Limits::default(),
        }
    }
}

impl NewProgram {
    /// Checks every rule that needs no file system and returns the normalised request.
    ///
    /// The engine checks separately that the path exists and is executable, because that needs
    /// I/O; everything decidable from the text alone is decided here, once, for every front end.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(ApiError::invalid_field("name", "name must not be empty"));
        }
        if self.name.chars().count() > MAX_NAME_LEN {
            return Err(ApiError::invalid_field(
                "name",
                format!("name must be at most {MAX_NAME_LEN} characters"),
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(ApiError::invalid_field(
                "name",
                "name must not contain control characters",
            ));
        }
        if self.path.trim().is_empty() {
            return Err(ApiError::invalid_field("path", "path must not be empty"));
        }
        if self.path.contains('\0') {
            return Err(ApiError::invalid_field("path", "path must not contain NUL"));
        }
        if !Path::new(&self.path).is_absolute() {
            return Err(ApiError::invalid_field(
                "path",
                format!(
                    "path must be an absolute path to an executable, got {:?}",
                    self.path
                ),
            ));
        }
        if self.args.len() > MAX_ARGS {
            return Err(ApiError::invalid_field(
                "args",
                format!(
                    "at most {MAX_ARGS} arguments are accepted, got {}",
                    self.args.len()
                ),
            ));
        }
        if let Some(i) = self.args.iter().position(|a| a.contains('\0')) {
            return Err(ApiError::invalid_field(
                format!("args.{i}"),
                format!("argument {i} contains NUL"),
            ));
        }
        if let Some(cwd) = &self.cwd {
            if cwd.trim().is_empty() {
                self.cwd = None;
            } else if !Path::new(cwd).is_absolute() {
                return Err(ApiError::invalid_field(
                    "cwd",
                    format!("cwd must be an absolute directory, got {cwd:?}"),
                ));
            }
        }
        for key in self.env.keys() {
            if key.is_empty() || key.contains('=') || key.contains('\0') {
                return Err(ApiError::invalid_field(
                    "env",
                    format!("environment variable name {key:?} is not valid"),
                ));
            }
        }
        if let Some((key, _)) = self.env.iter().find(|(_, v)| v.contains('\0')) {
            return Err(ApiError::invalid_field(
                "env",
                format!("environment variable {key:?} contains NUL"),
            ));
        }
        self.validate_options()?;
        Ok(self)
    }
}

impl NewProgram {
    fn validate_options(&mut self) -> Result<(), ApiError> {
        self.tags = self.tags.iter().map(|t| t.trim().to_owned()).collect();
        self.tags.dedup();
        if self.tags.len() > MAX_TAGS {
            return Err(ApiError::invalid_field(
                "tags",
                format!("at most {MAX_TAGS} tags are accepted"),
            ));
        }
        if self
            .tags
            .iter()
            .any(|t| t.is_empty() || t.chars().count() > 50)
        {
            return Err(ApiError::invalid_field(
                "tags",
                "tags must be 1 to 50 characters",
            ));
        }
        match &self.match_by {
            MatchRule::Name(v) | MatchRule::Cmdline(v) if v.trim().is_empty() => {
                return Err(ApiError::invalid_field(
                    "match_by",
                    "match_by needs a non-empty value",
                ));
            }
            _ => {}
        }
        if self.autostart && !self.launch {
            return Err(ApiError::invalid_field(
                "autostart",
                "autostart needs launch: Vigil can only start programs it launches",
            ));
        }
        self.restart.validate()?;
        let l = &self.limits;
        if l.cpu_percent == Some(0) || l.memory_mb == Some(0) {
            return Err(ApiError::invalid_field(
                "limits",
                "limits must be at least 1 when set",
            ));
        }
        if l.sustain_secs == 0 || l.sustain_secs > 86_400 {
            return Err(ApiError::invalid_field(
                "limits.sustain_secs",
                "limits.sustain_secs must be 1 to 86400",
            ));
        }
        if l.restart_on_memory && (l.memory_mb.is_none() || !self.launch) {
            return Err(ApiError::invalid_field(
                "limits.restart_on_memory",
                "restart_on_memory needs a memory limit and a launched program",
            ));
        }
        Ok(())
    }
}

/// The fields that differ between two definitions of a program, by name.
pub fn program_changes(a: &Program, b: &Program) -> Vec<&'static str> {
    let mut out = Vec::new();
    let fields: [(&'static str, bool); 11] = [
        ("name", a.name != b.name),
        ("path", a.path != b.path),
        ("args", a.args != b.args),
        ("cwd", a.cwd != b.cwd),
        ("env", a.env != b.env),
        ("launch", a.launch != b.launch),
        ("autostart", a.autostart != b.autostart),
        ("match_by", a.match_by != b.match_by),
        ("tags", a.tags != b.tags),
        ("restart", a.restart != b.restart),
        ("limits", a.limits != b.limits),
    ];
    for (name, differs) in fields {
        if differs {
            out.push(name);
        }
    }
    if out.is_empty() {
        out.push("nothing");
    }
    out
}

/// Whether a running launched program must start again for a change to take effect: only
/// what its process was started with (path, arguments, working directory, environment).
/// Name, tags, restart policy, limits and autostart apply to the running process as it is.
pub fn needs_restart(a: &Program, b: &Program) -> bool {
    a.path != b.path || a.args != b.args || a.cwd != b.cwd || a.env != b.env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn every_changed_field_of_a_program_is_named() {
        // Guards the list in `program_changes`: a new field must be named there too.
        let base = Program {
            id: 1,
            name: "a".into(),
            path: "/bin/a".into(),
            args: vec![],
            cwd: None,
            env: BTreeMap::new(),
            launch: true,
            autostart: false,
            match_by: MatchRule::Exe,
            tags: vec![],
            restart: RestartPolicy::default(),
            limits: Limits::default(),
            created_at: 0,
        };
        assert_eq!(program_changes(&base, &base), ["nothing"]);
        let doc = serde_json::to_value(&base).unwrap();
        for key in doc.as_object().unwrap().keys() {
            if key == "id" || key == "created_at" {
                continue; // never changed by an edit
            }
            let mut changed = doc.clone();
            changed[key] = match key.as_str() {
                "cwd" => serde_json::json!("/tmp"),
                "env" => serde_json::json!({ "A": "1" }),
                "match_by" => serde_json::json!({ "by": "name", "value": "a" }),
                "restart" => serde_json::json!({ "mode": "always" }),
                "limits" => serde_json::json!({ "memory_mb": 5 }),
                "args" | "tags" => serde_json::json!(["x"]),
                "launch" | "autostart" => serde_json::json!(!doc[key].as_bool().unwrap()),
                _ => serde_json::json!(format!("{}x", doc[key].as_str().unwrap())),
            };
            let changed: Program = serde_json::from_value(changed).unwrap();
            assert_eq!(program_changes(&base, &changed), [key.as_str()], "{key}");
            let restarts = ["path", "args", "cwd", "env"].contains(&key.as_str());
            assert_eq!(needs_restart(&base, &changed), restarts, "{key}");
        }
    }

    /// An absolute path on whichever platform the tests run (they also run under wine).
    fn abs(name: &str) -> String {
        if cfg!(windows) {
            format!("C:\\tools\\{name}.exe")
        } else {
            format!("/usr/bin/{name}")
        }
    }

    fn valid() -> NewProgram {
        NewProgram {
            name: "  web  ".into(),
            path: abs("web"),
            args: vec!["--port".into(), "8080".into()],
            ..NewProgram::default()
        }
    }

    fn rejects(p: NewProgram, needle: &str) {
        let err = p.validate().expect_err("invalid input must be refused");
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(
            err.message.contains(needle),
            "message {:?} should name the problem ({needle:?})",
            err.message
        );
    }

    #[test]
    fn valid_request_is_trimmed_and_kept() {
        let p = valid().validate().unwrap();
        assert_eq!(
            p.name, "web",
            "surrounding whitespace is not part of a name"
        );
        assert_eq!(p.args, ["--port", "8080"]);
    }

    #[test]
    fn empty_or_blank_name_is_refused() {
        rejects(
            NewProgram {
                name: "   ".into(),
                ..valid()
            },
            "name",
        );
    }

    #[test]
    fn overlong_or_control_name_is_refused() {
        rejects(
            NewProgram {
                name: "x".repeat(MAX_NAME_LEN + 1),
                ..valid()
            },
            "at most",
        );
        rejects(
            NewProgram {
                name: "a\nb".into(),
                ..valid()
            },
            "control",
        );
    }

    #[test]
    fn relative_or_empty_path_is_refused() {
        rejects(
            NewProgram {
                path: "node".into(),
                ..valid()
            },
            "absolute",
        );
        rejects(
            NewProgram {
                path: "./bin/node".into(),
                ..valid()
            },
            "absolute",
        );
        rejects(
            NewProgram {
                path: "".into(),
                ..valid()
            },
            "empty",
        );
    }

    #[test]
    fn relative_cwd_is_refused_and_blank_cwd_dropped() {
        rejects(
            NewProgram {
                cwd: Some("work".into()),
                ..valid()
            },
            "cwd",
        );
        let p = NewProgram {
            cwd: Some(" ".into()),
            ..valid()
        }
        .validate()
        .unwrap();
        assert_eq!(p.cwd, None, "a blank cwd means none");
    }

    #[test]
    fn bad_env_names_and_nul_are_refused() {
        let env = BTreeMap::from([("A=B".to_owned(), "1".to_owned())]);
        rejects(NewProgram { env, ..valid() }, "not valid");
        let env = BTreeMap::from([("A".to_owned(), "1\x002".to_owned())]);
        rejects(NewProgram { env, ..valid() }, "NUL");
        rejects(
            NewProgram {
                args: vec!["a\0".into()],
                ..valid()
            },
            "NUL",
        );
    }

    #[test]
    fn too_many_args_are_refused() {
        rejects(
            NewProgram {
                args: vec!["x".into(); MAX_ARGS + 1],
                ..valid()
            },
            "at most",
        );
    }

    #[test]
    fn option_rules_are_enforced() {
        rejects(
            NewProgram {
                match_by: MatchRule::Name(" ".into()),
                ..valid()
            },
            "match_by",
        );
        rejects(
            NewProgram {
                autostart: true,
                launch: false,
                ..valid()
            },
            "autostart",
        );
        rejects(
            NewProgram {
                tags: vec!["".into()],
                ..valid()
            },
            "tags",
        );
        rejects(
            NewProgram {
                limits: Limits {
                    cpu_percent: Some(0),
                    ..Limits::default()
                },
                ..valid()
            },
            "at least 1",
        );
        rejects(
            NewProgram {
                limits: Limits {
                    restart_on_memory: true,
                    ..Limits::default()
                },
                ..valid()
            },
            "restart_on_memory",
        );
        let p = NewProgram {
            tags: vec![" web ".into()],
            ..valid()
        }
        .validate()
        .unwrap();
        assert_eq!(p.tags, ["web"]);
    }

    #[test]
    fn omitted_options_take_their_defaults() {
        let p: NewProgram = serde_json::from_str(r#"{"name":"a","path":"/x"}"#).unwrap();
        assert!(
            p.launch,
            "a registered program is launched unless it says otherwise"
        );
        assert!(!p.autostart);
        assert_eq!(p.match_by, MatchRule::Exe);
        assert_eq!(p.restart, RestartPolicy::default());
        let m: MatchRule = serde_json::from_str(r#"{"by":"name","value":"node.exe"}"#).unwrap();
        assert_eq!(m, MatchRule::Name("node.exe".into()));
    }

    #[test]
    fn unknown_json_fields_are_refused() {
        let err = serde_json::from_str::<NewProgram>(r#"{"name":"a","path":"/x","arg":["1"]}"#)
            .expect_err("a misspelt field must not be dropped silently");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
