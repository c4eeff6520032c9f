//! The one `{{name}}` renderer, shared by job templates and webhook templates.
//!
//! Architecture Invariant: rendering scans the original text forward once. A value is copied
//! into the output and never looked at again, so a value that contains `{{x}}` (even its own
//! name) is text, not a placeholder: rendering always ends, and the output is at most the
//! template plus one value per placeholder.

use crate::ApiError;

/// Replaces every `{{name}}` in `text` (the name trimmed of spaces) by what `value` gives for it.
/// A `{{` without a closing `}}` stays as it is. `value` refuses a name by returning an error,
/// which is returned unchanged.
pub fn render(
    text: &str,
    mut value: impl FnMut(&str) -> Result<String, ApiError>,
) -> Result<String, ApiError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = rest[start + 2..start + 2 + len].trim();
        out.push_str(&value(name)?);
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The names a template uses, in order of appearance (repeats included).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    // The closure never fails, so neither does rendering.
    let _ = render(text, |name| {
        names.push(name.to_owned());
        Ok(String::new())
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Result<String, ApiError> {
        match name {
            "x" => Ok("{{x}}".into()),
            "y" => Ok("{{x}}{{x}}".into()),
            "a" => Ok("A".into()),
            other => Err(ApiError::invalid(format!("unknown {other}"))),
        }
    }

    #[test]
    fn values_are_never_expanded_again() {
        assert_eq!(render("{{x}}", vars).unwrap(), "{{x}}");
        assert_eq!(render("<{{ y }}>", vars).unwrap(), "<{{x}}{{x}}>");
        assert_eq!(render("{{a}}{{a}}-{{a}}", vars).unwrap(), "AA-A");
    }

    #[test]
    fn unclosed_and_unknown_placeholders() {
        assert_eq!(render("a {{b", vars).unwrap(), "a {{b");
        assert_eq!(render("}}{{a}}{{", vars).unwrap(), "}}A{{");
        let err = render("{{nope}}", vars).unwrap_err();
        assert!(err.message.contains("nope"), "{err}");
        assert_eq!(placeholders("{{a}} {{ b }} {{a"), vec!["a", "b"]);
    }

    #[test]
    fn a_brace_pair_inside_the_name_closes_it_at_the_first_pair() {
        // `{{{{a}}}}`: the name is `{{a` (everything up to the first `}}`), then `}}` stays.
        let names = placeholders("{{{{a}}}}");
        assert_eq!(names, vec!["{{a"]);
    }
}
