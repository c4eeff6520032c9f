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

mod definition;
mod graph;
mod options;
mod policy;
mod schedule;
mod template;
mod usual;

pub use definition::*;
pub use graph::*;
pub use options::*;
pub use policy::*;
pub use schedule::*;
pub use template::*;
pub use usual::*;

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
