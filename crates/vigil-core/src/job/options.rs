//! A job's typed options (what a person fills in before a run) and the argv they make.

#[allow(unused_imports)]
use super::*;

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
    /// A finite number (a JSON number, or text that reads as one), written as its text.
    Number,
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

pub(super) fn option_value(o: &JobOption, v: &Value) -> Result<Vec<String>, ApiError> {
    let wrong = |want: &str| {
        ApiError::invalid_field(
            format!("options.{}", o.name),
            format!("option {:?} must be {want}, got {v}", o.name),
        )
    };
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
        OptionKind::Number => match v {
            Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => with_flag(n.to_string()),
            Value::String(s) if s.trim().is_empty() => Vec::new(),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => with_flag(s.trim().to_owned()),
                _ => return Err(wrong("a number")),
            },
            _ => return Err(wrong("a number")),
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

/// Checks a list of typed options: names non-empty and unique, selects with choices, defaults
/// of the right type. Errors name the field (`options.N.name`...).
pub fn check_options(options: &[JobOption]) -> Result<(), ApiError> {
    let mut names = std::collections::BTreeSet::new();
    for (i, o) in options.iter().enumerate() {
        if o.name.is_empty() || !names.insert(o.name.as_str()) {
            return Err(ApiError::invalid_field(
                format!("options.{i}.name"),
                format!(
                    "option names must be non-empty and unique, got {:?}",
                    o.name
                ),
            ));
        }
        if o.kind == OptionKind::Select && o.choices.is_empty() {
            return Err(ApiError::invalid_field(
                format!("options.{i}.choices"),
                format!("select option {:?} needs choices", o.name),
            ));
        }
        if let Some(d) = &o.default {
            option_value(o, d).map_err(|mut e| {
                e.field = Some(format!("options.{i}.default"));
                e
            })?;
        }
    }
    Ok(())
}

/// The arguments these option values make, in the options' order, defaults filling what is
/// not set; an unknown name or a value of the wrong type is refused with its field.
pub fn options_argv(
    options: &[JobOption],
    values: &BTreeMap<String, Value>,
) -> Result<Vec<String>, ApiError> {
    if let Some(unknown) = values
        .keys()
        .find(|k| !options.iter().any(|o| &o.name == *k))
    {
        return Err(ApiError::invalid_field(
            format!("options.{unknown}"),
            format!("there is no option {unknown:?}"),
        ));
    }
    let mut argv = Vec::new();
    for o in options {
        let Some(value) = values.get(&o.name).or(o.default.as_ref()) else {
            continue;
        };
        argv.extend(option_value(o, value)?);
    }
    Ok(argv)
}
