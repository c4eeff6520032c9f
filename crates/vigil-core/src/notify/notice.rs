//! An event as a delivery tells it, and a custom body template filled from it.

#[allow(unused_imports)]
use super::*;

/// An event as a delivery tells it: with its subject's name and how many were folded in.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// The event (the latest one, when several were folded).
    pub event: &'a Event,
    /// The program's or job's name, if the event has a subject.
    pub subject: Option<String>,
    /// How many events this delivery stands for.
    pub count: u32,
}

impl Notice<'_> {
    pub(super) fn sample() -> Notice<'static> {
        static SAMPLE: std::sync::OnceLock<Event> = std::sync::OnceLock::new();
        let event = SAMPLE.get_or_init(|| Event {
            id: 1,
            ts: 0,
            kind: EventKind::ProgramCrashed,
            program_id: Some(1),
            job_id: None,
            message: "\"sample\" crashed".into(),
            detail: Some("last lines".into()),
        });
        Notice {
            event,
            subject: Some("sample".into()),
            count: 1,
        }
    }

    /// A short heading: `Vigil: <subject>: <what happened>`.
    pub fn title(&self) -> String {
        let what = self.event.kind.as_str().replace('_', " ");
        match &self.subject {
            Some(s) => format!("Vigil: {s}: {what}"),
            None => format!("Vigil: {what}"),
        }
    }

    /// The event's sentence, with the fold count when there is one.
    pub fn text(&self) -> String {
        if self.count > 1 {
            format!(
                "{} ({} times in the folding window)",
                self.event.message, self.count
            )
        } else {
            self.event.message.clone()
        }
    }

    /// The page of the UI this notice is about (a hash route).
    pub fn link(&self) -> String {
        if let Some(p) = self.event.program_id {
            format!("#/programs/{p}")
        } else if let Some(j) = &self.event.job_id {
            format!("#/jobs/{j}")
        } else {
            "#/events".to_owned()
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let e = self.event;
        Some(match name {
            "id" => json!(e.id),
            "ts" => json!(e.ts),
            "time" => json!(crate::utc_ms(e.ts).to_rfc3339()),
            "kind" => json!(e.kind.as_str()),
            "title" => json!(self.title()),
            "message" => json!(e.message),
            "detail" => json!(e.detail.clone().unwrap_or_default()),
            "text" => json!(self.text()),
            "program_id" => json!(e.program_id),
            "job_id" => json!(e.job_id),
            "subject" => json!(self.subject.clone().unwrap_or_default()),
            "count" => json!(self.count),
            _ => return None,
        })
    }
}

/// Fills `{{field}}` placeholders. Text values are inserted JSON-escaped without quotes (so
/// `"{{message}}"` in a JSON template stays valid whatever the message holds); numbers and
/// null as JSON. An unknown field is refused with its name.
pub fn fill_template(template: &str, n: &Notice) -> Result<String, ApiError> {
    crate::template::render(template, |key| {
        let value = n.field(key).ok_or_else(|| {
            ApiError::invalid(format!(
                "unknown template field {{{{{key}}}}}; known: id, ts, time, kind, title, \
                 message, detail, text, program_id, job_id, subject, count"
            ))
        })?;
        Ok(match value {
            Value::String(s) => {
                let quoted = Value::String(s).to_string();
                quoted[1..quoted.len() - 1].to_owned()
            }
            other => other.to_string(),
        })
    })
}
