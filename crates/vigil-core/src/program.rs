use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

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
    /// When it was registered, unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
}

/// The request to register a program. Unknown fields are refused so a typo (`arg` for `args`)
/// is an error instead of being silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
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
}

impl NewProgram {
    /// Checks every rule that needs no file system and returns the normalised request.
    ///
    /// The engine checks separately that the path exists and is executable, because that needs
    /// I/O; everything decidable from the text alone is decided here, once, for every front end.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(ApiError::invalid("name must not be empty"));
        }
        if self.name.chars().count() > MAX_NAME_LEN {
            return Err(ApiError::invalid(format!(
                "name must be at most {MAX_NAME_LEN} characters"
            )));
        }
        if self.name.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "name must not contain control characters",
            ));
        }
        if self.path.trim().is_empty() {
            return Err(ApiError::invalid("path must not be empty"));
        }
        if self.path.contains('\0') {
            return Err(ApiError::invalid("path must not contain NUL"));
        }
        if !Path::new(&self.path).is_absolute() {
            return Err(ApiError::invalid(format!(
                "path must be an absolute path to an executable, got {:?}",
                self.path
            )));
        }
        if self.args.len() > MAX_ARGS {
            return Err(ApiError::invalid(format!(
                "at most {MAX_ARGS} arguments are accepted, got {}",
                self.args.len()
            )));
        }
        if let Some(i) = self.args.iter().position(|a| a.contains('\0')) {
            return Err(ApiError::invalid(format!("argument {i} contains NUL")));
        }
        if let Some(cwd) = &self.cwd {
            if cwd.trim().is_empty() {
                self.cwd = None;
            } else if !Path::new(cwd).is_absolute() {
                return Err(ApiError::invalid(format!(
                    "cwd must be an absolute directory, got {cwd:?}"
                )));
            }
        }
        for key in self.env.keys() {
            if key.is_empty() || key.contains('=') || key.contains('\0') {
                return Err(ApiError::invalid(format!(
                    "environment variable name {key:?} is not valid"
                )));
            }
        }
        if let Some((key, _)) = self.env.iter().find(|(_, v)| v.contains('\0')) {
            return Err(ApiError::invalid(format!(
                "environment variable {key:?} contains NUL"
            )));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

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
    fn unknown_json_fields_are_refused() {
        let err = serde_json::from_str::<NewProgram>(r#"{"name":"a","path":"/x","arg":["1"]}"#)
            .expect_err("a misspelt field must not be dropped silently");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
