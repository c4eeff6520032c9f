//! Telling people: which events go where (rules), how a webhook request is built (endpoints,
//! presets, templates, signatures), and the pure timing rules of delivery (retry delays with
//! jitter, the circuit breaker). The outbox itself lives in the store and the engine.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{ApiError, Event, EventKind, JobId, ProgramId};

/// An endpoint's id, assigned by the store.
pub type EndpointId = i64;
/// A rule's id, assigned by the store.
pub type RuleId = i64;
/// A delivery's id, assigned by the store.
pub type DeliveryId = i64;

/// What a secret value looks like when it is read back. Saving an endpoint with this value in
/// a secret field keeps the stored secret, so an edit form never needs the real one.
pub const SECRET_MASK: &str = "********";

/// Most headers on one endpoint.
pub const MAX_HEADERS: usize = 32;
/// Longest URL, header value or template accepted.
pub const MAX_TEXT: usize = 8 * 1024;
/// Longest folding window (a day).
pub const MAX_FOLD_SECS: u32 = 86_400;

mod delivery;
mod endpoint;
mod notice;
mod rule;
mod signing;
mod trigger;

pub use delivery::*;
pub use endpoint::*;
pub use notice::*;
pub use rule::*;
pub use signing::*;
pub use trigger::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        serde_json::from_value(json!({"name": "hook", "url": "http://127.0.0.1:9/x"})).unwrap()
    }

    fn event(kind: EventKind, program: Option<i64>, job: Option<&str>) -> Event {
        Event {
            id: 7,
            ts: 1_700_000_000_000,
            kind,
            program_id: program,
            job_id: job.map(str::to_owned),
            message: "said \"hi\"\nthen left".into(),
            detail: None,
        }
    }

    #[test]
    fn endpoint_defaults_and_validation() {
        let e = endpoint().validate().unwrap();
        assert_eq!(
            (e.method, e.preset, e.enabled, e.timeout_ms, e.max_attempts),
            (Method::Post, Preset::Json, true, 10_000, 8)
        );
        for (field, value) in [
            ("url", json!("ftp://x/")),
            ("url", json!("not a url")),
            ("name", json!("  ")),
            ("timeout_ms", json!(5)),
            ("max_attempts", json!(0)),
            ("headers", json!([{"name": "Bad Name", "value": "x"}])),
            (
                "headers",
                json!([{"name": "X", "value": "a\r\nInjected: 1"}]),
            ),
        ] {
            let mut v = serde_json::to_value(endpoint()).unwrap();
            v[field] = value.clone();
            let e: Endpoint = serde_json::from_value(v).unwrap();
            let err = e.validate().unwrap_err();
            assert_eq!(
                err.field.as_deref(),
                Some(field),
                "{field} = {value}: {err:?}"
            );
        }
        let mut custom = endpoint();
        custom.preset = Preset::Custom;
        assert!(
            custom.clone().validate().is_err(),
            "custom needs a template"
        );
        custom.template = Some(r#"{"m": "{{message}}", "c": {{count}}, "x": {{nope}}}"#.into());
        let err = custom.clone().validate().unwrap_err();
        assert!(err.message.contains("nope"), "{err:?}");
        custom.template = Some(r#"{"m": {{message}}}"#.into());
        let err = custom.clone().validate().unwrap_err();
        assert!(err.message.contains("valid JSON"), "{err:?}");
        custom.template = Some(r#"{"m": "{{message}}", "c": {{count}}}"#.into());
        custom.validate().unwrap();
    }

    #[test]
    fn bodies_escape_whatever_the_event_says() {
        let ev = event(EventKind::ProgramCrashed, Some(3), None);
        let n = Notice {
            event: &ev,
            subject: Some("web".into()),
            count: 3,
        };
        for preset in [
            Preset::Json,
            Preset::Slack,
            Preset::Discord,
            Preset::Teams,
            Preset::Custom,
        ] {
            let mut e = endpoint();
            e.preset = preset;
            e.template = Some(r#"{"text": "{{title}}: {{text}}", "n": {{count}}}"#.into());
            let body = e.body(&n).unwrap();
            let v: Value = serde_json::from_str(&body)
                .unwrap_or_else(|err| panic!("{preset:?} made invalid JSON {body}: {err}"));
            assert!(
                body.contains("3 times"),
                "{preset:?} must carry the fold count: {body}"
            );
            assert!(v.is_object());
        }
        assert_eq!(n.link(), "#/programs/3");
    }

    #[test]
    fn secrets_are_masked_and_kept() {
        let mut e = endpoint();
        e.headers = vec![
            Header {
                name: "Authorization".into(),
                value: "Bearer s3cret".into(),
                secret: true,
            },
            Header {
                name: "X-Plain".into(),
                value: "visible".into(),
                secret: false,
            },
        ];
        e.signing_secret = Some("hmac-key".into());
        let shown = e.clone().masked();
        let text = serde_json::to_string(&shown).unwrap();
        assert!(
            !text.contains("s3cret") && !text.contains("hmac-key"),
            "{text}"
        );
        assert!(text.contains("visible"));
        let kept = shown.keep_secrets(&e);
        assert_eq!(
            kept, e,
            "saving the masked form must keep the stored secrets"
        );
    }

    #[test]
    fn rules_match_kinds_and_subjects() {
        let rule: Rule = serde_json::from_value(json!({
            "name": "r", "os": true, "kinds": ["program_crashed", "run_failed"],
            "programs": [3], "tags": ["prod"]
        }))
        .unwrap();
        let rule = rule.validate().unwrap();
        assert!(rule.matches(&event(EventKind::ProgramCrashed, Some(3), None), &[]));
        assert!(!rule.matches(&event(EventKind::ProgramStarted, Some(3), None), &[]));
        assert!(!rule.matches(&event(EventKind::ProgramCrashed, Some(4), None), &[]));
        assert!(rule.matches(
            &event(EventKind::RunFailed, None, Some("backup")),
            &["prod".into()]
        ));
        assert!(!rule.matches(&event(EventKind::RunFailed, None, None), &[]));
        let any: Rule = serde_json::from_value(json!({"name": "all", "endpoints": [1]})).unwrap();
        assert!(any.matches(&event(EventKind::EngineStarted, None, None), &[]));
        let none: Rule = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert!(
            none.validate().is_err(),
            "a rule without a channel is refused"
        );
    }

    #[test]
    fn signatures_verify_only_the_same_body_and_key() {
        let sig = sign(b"key", b"{\"a\":1}");
        assert!(sig.starts_with("sha256="));
        assert!(verify_signature(b"key", b"{\"a\":1}", &sig));
        assert!(!verify_signature(b"key", b"{\"a\":2}", &sig));
        assert!(!verify_signature(b"other", b"{\"a\":1}", &sig));
        assert!(!verify_signature(b"key", b"{\"a\":1}", "sha256=zz"));
        assert_eq!(hash_token("t").len(), 64);
    }

    #[test]
    fn retry_delays_grow_with_jitter_and_a_cap() {
        assert_eq!(retry_delay_ms(1000, 1, 0.0), 500);
        assert_eq!(retry_delay_ms(1000, 1, 0.999), 999);
        assert_eq!(retry_delay_ms(1000, 3, 0.0), 2000);
        assert_eq!(retry_delay_ms(1000, 60, 1.0), MAX_RETRY_DELAY_MS);
    }

    #[test]
    fn breaker_opens_after_failures_and_closes_on_success() {
        let mut b = Breaker::default();
        for i in 0..BREAKER_THRESHOLD - 1 {
            assert_eq!(b.failure(i64::from(i)), None);
        }
        let Some(BreakerChange::Opened { until }) = b.failure(10) else {
            panic!("the fifth failure must open it");
        };
        assert_eq!(until, 10 + BREAKER_COOLDOWN_MS);
        assert!(!b.allows(11));
        assert!(b.allows(until), "half-open after the cooldown");
        assert!(b.half_open(until) && !b.half_open(until - 1));
        let Some(BreakerChange::Opened { until: again }) = b.failure(until) else {
            panic!("a failed trial opens it again");
        };
        assert_eq!(again - until, 2 * BREAKER_COOLDOWN_MS, "and for longer");
        assert_eq!(b.success(), Some(BreakerChange::Closed));
        assert!(b.allows(again - 1));
        assert_eq!(b.success(), None);
    }

    fn email(extra: Value) -> Value {
        let mut v = json!({
            "name": "mail", "url": "smtp://mail.example.com", "preset": "email",
            "email": {"from": "Vigil <vigil@example.com>", "to": ["ops@example.com"]}
        });
        for (k, x) in extra.as_object().unwrap() {
            if k == "email" {
                for (ek, ev) in x.as_object().unwrap() {
                    v["email"][ek] = ev.clone();
                }
            } else {
                v[k] = x.clone();
            }
        }
        v
    }

    #[test]
    fn email_endpoints_are_checked_field_by_field() {
        let ok: Endpoint = serde_json::from_value(email(json!({}))).unwrap();
        let ok = ok.validate().unwrap();
        let settings = ok.email.clone().unwrap();
        assert_eq!(settings.tls, EmailTls::Starttls);
        assert!(!settings.accept_invalid_certs);
        for (extra, field) in [
            (json!({"url": "https://mail.example.com"}), "url"),
            (json!({"url": "smtp://user:pw@mail.example.com"}), "url"),
            (json!({"url": "smtp://mail.example.com/path"}), "url"),
            (json!({"url": "smtp://"}), "url"),
            (json!({"email": {"from": "nobody"}}), "email.from"),
            (json!({"email": {"from": ""}}), "email.from"),
            (json!({"email": {"to": []}}), "email.to"),
            (
                json!({"email": {"to": ["ok@example.com", "two@@example.com"]}}),
                "email.to.1",
            ),
            (json!({"email": {"to": ["a b@example.com"]}}), "email.to.0"),
            (
                json!({"email": {"to": ["x@example.com\r\nBcc: evil@example.com"]}}),
                "email.to.0",
            ),
            (json!({"email": {"to": ["x@.example.com."]}}), "email.to.0"),
            (json!({"email": {"password": "secret"}}), "email.username"),
        ] {
            let e: Endpoint = serde_json::from_value(email(extra.clone())).unwrap();
            let err = e.validate().unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{extra}: {err:?}");
        }
        let too_many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("u{i}@example.com"))
            .collect();
        let e: Endpoint =
            serde_json::from_value(email(json!({"email": {"to": too_many}}))).unwrap();
        assert_eq!(e.validate().unwrap_err().field.as_deref(), Some("email.to"));
        // A webhook carrying email settings, and an email endpoint without them, are refused.
        let mut hook = serde_json::to_value(endpoint()).unwrap();
        hook["email"] = json!({"from": "a@b.c", "to": ["d@e.f"]});
        let e: Endpoint = serde_json::from_value(hook).unwrap();
        assert_eq!(e.validate().unwrap_err().field.as_deref(), Some("email"));
        let mut bare = email(json!({}));
        bare["email"] = Value::Null;
        let e: Endpoint = serde_json::from_value(bare).unwrap();
        assert_eq!(e.validate().unwrap_err().field.as_deref(), Some("email"));
    }

    #[test]
    fn an_email_password_reads_back_masked_and_survives_an_edit() {
        let e: Endpoint = serde_json::from_value(email(
            json!({"email": {"username": "vigil", "password": "hunter2"}}),
        ))
        .unwrap();
        let stored = e.validate().unwrap();
        let shown = stored.clone().masked();
        assert_eq!(
            shown.email.as_ref().unwrap().password.as_deref(),
            Some(SECRET_MASK)
        );
        assert!(!serde_json::to_string(&shown).unwrap().contains("hunter2"));
        let kept = shown.clone().keep_secrets(&stored);
        assert_eq!(kept.email.unwrap().password.as_deref(), Some("hunter2"));
        let mut changed = shown;
        changed.email.as_mut().unwrap().password = Some("new".into());
        assert_eq!(
            changed
                .keep_secrets(&stored)
                .email
                .unwrap()
                .password
                .as_deref(),
            Some("new")
        );
    }

    #[test]
    fn an_email_body_carries_subject_and_text() {
        let e: Endpoint = serde_json::from_value(email(json!({}))).unwrap();
        let ev = event(EventKind::ProgramCrashed, Some(1), None);
        let body = e
            .body(&Notice {
                event: &ev,
                subject: Some("web".into()),
                count: 1,
            })
            .unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["subject"], "Vigil: web: program crashed");
        assert!(v["text"].as_str().unwrap().contains("said"));
    }
}
