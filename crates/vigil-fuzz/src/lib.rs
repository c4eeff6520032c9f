//! Fuzz targets: one function per parser that a person (a file, a form, the CLI) or a network
//! peer (an incoming webhook, a reconnecting browser) feeds Vigil. Each takes raw bytes and
//! must return for every input: no panic, no hang, no unbounded allocation.
//!
//! The tests in `tests/fuzz.rs` run every target over the committed corpus (`corpus/<target>/`)
//! and over generated input on stable; `fuzz/` runs the same functions under libFuzzer on
//! nightly. A target follows its input as far as the pure rules go (parse, validate, then what
//! the engine computes from the result before it touches the store), because a panic there is
//! as reachable as one in the parser.
//!
//! Two parsers are private to their crates and are not worth a public API of their own, so
//! their targets repeat the exact same steps over the same public types: the incoming-hook body
//! (`HookBody` in vigil-engine's `api/notify/triggers.rs`) and the SSE resume point (`since` and
//! `Last-Event-ID` in vigil-server's `routes/streams.rs`). A change to either parser must be copied
//! here.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_core::{
    ApiError, Endpoint, Event, EventKind, Job, Method, NewProgram, Notice, Preset, Rule,
    check_graph, fill_template, next_fires, parse_cron, parse_tz, plan, resolve_template,
};
use vigil_engine::api::{ImportJobs, MAX_HOOK_BODY, OPERATIONS};

/// A fuzz target: it must return for every input.
pub type Target = fn(&[u8]);

/// Every target by name. The name is also its corpus directory and its cargo-fuzz target, so
/// the tests, libFuzzer and the long run in xtask agree on one list.
pub const TARGETS: &[(&str, Target)] = &[
    ("job_json", job_json),
    ("program_json", program_json),
    ("jobs_import", jobs_import),
    ("cron", cron),
    ("webhook_template", webhook_template),
    ("hook_body", hook_body),
    ("sse_since", sse_since),
    ("api_request", api_request),
    ("settings_patch", settings_patch),
    ("plugin_output", plugin_output),
    ("plugin_manifest", plugin_manifest),
    ("check_json", check_json),
];

/// A job definition as the API, the UI form and the CLI send it: read as a [`Job`] and
/// validated, then as a JSON value through [`resolve_template`] (the path every definition
/// takes when saved, whether or not it `extends` a template), then what the engine computes
/// from a saved job.
pub fn job_json(data: &[u8]) {
    if let Ok(job) = serde_json::from_slice::<Job>(data) {
        let _ = job.validate();
    }
    if let Ok(definition) = serde_json::from_slice::<Value>(data)
        && let Ok(job) = resolve(definition)
    {
        after_save(&job);
    }
}

/// A program registration ([`NewProgram`]) read and validated.
pub fn program_json(data: &[u8]) {
    if let Ok(program) = serde_json::from_slice::<NewProgram>(data) {
        let _ = program.validate();
    }
}

/// A jobs file to import: Vigil's format or the older dashboard's `jobs.json`, through the
/// engine's own [`ImportJobs::definitions`], then each definition as the import treats it
/// (template, validation, duplicate ids, the graph with every imported job, plans).
pub fn jobs_import(data: &[u8]) {
    let Ok(document) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let import = ImportJobs {
        document,
        replace: false,
    };
    let Ok(definitions) = import.definitions() else {
        return;
    };
    let mut jobs: Vec<Job> = Vec::with_capacity(definitions.len());
    for definition in definitions {
        let Ok(job) = resolve(definition) else {
            return;
        };
        if jobs.iter().any(|j| j.id == job.id) {
            return;
        }
        jobs.push(job);
    }
    if check_graph(&jobs).is_ok() {
        for job in &jobs {
            after_save(job);
        }
        // A plan is made per run, of one root; a few roots are enough (each plan walks up to
        // every job, so planning all of a long chain would cost the square of its length).
        for job in jobs.iter().take(4) {
            let _ = plan(&job.id, &jobs);
        }
    }
}

/// A schedule as typed in the job form or sent to the schedule preview: parsed, then its
/// next fires from instants around clock changes in zones with and without them. The same
/// text is also tried as a time zone name.
pub fn cron(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = parse_tz(&text);
    let Ok(cron) = parse_cron(&text) else {
        return;
    };
    for tz in [
        chrono_tz::UTC,
        chrono_tz::Europe::Berlin,
        chrono_tz::Australia::Lord_Howe,
    ] {
        for &at in instants() {
            // A schedule that never fires (`0 0 31 2 *`) costs a search to croner's last year
            // on every call; once is enough to know.
            if next_fires(&cron, tz, at, 3).is_empty() {
                return;
            }
        }
    }
}

/// A webhook body template: filled for a sample notice, and set on a custom endpoint that is
/// validated and renders a body. The input is also read as a whole endpoint and as a rule
/// (the notification forms).
pub fn webhook_template(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let event = sample_event();
    let notice = Notice {
        event: &event,
        subject: Some("web \"front\"".into()),
        count: 3,
    };
    let _ = fill_template(&text, &notice);
    let endpoint = Endpoint {
        id: 0,
        name: "fuzz".into(),
        url: "http://127.0.0.1:9/hook".into(),
        method: Method::Post,
        headers: Vec::new(),
        preset: Preset::Custom,
        template: Some(text),
        signing_secret: None,
        enabled: true,
        email: None,
        timeout_ms: 10_000,
        max_attempts: 8,
        backoff_ms: 5_000,
    };
    if let Ok(endpoint) = endpoint.validate() {
        let _ = endpoint.body(&notice);
    }
    if let Ok(endpoint) = serde_json::from_slice::<Endpoint>(data)
        && let Ok(endpoint) = endpoint.validate()
    {
        let _ = endpoint.body(&notice);
        let stored = endpoint.clone();
        let _ = endpoint.masked().keep_secrets(&stored);
    }
    if let Ok(rule) = serde_json::from_slice::<Rule>(data)
        && let Ok(rule) = rule.validate()
    {
        let _ = rule.matches(&event, &["prod".into()]);
    }
}

/// The same shape as vigil-engine's private `HookBody`: `{"options": {...}}`, nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HookBody {
    #[serde(default)]
    options: BTreeMap<String, Value>,
}

/// The body of an incoming webhook (`POST /hooks/jobs/{id}`), which anyone who can reach the
/// port may send: the steps of vigil-engine's `HookRun` (size limit, a blank body as no
/// options, `{"options": {...}}` with unknown fields refused), then the options turned into
/// the argv of a shell job and checked for cmd.exe, as starting the run does.
pub fn hook_body(data: &[u8]) {
    if data.len() > MAX_HOOK_BODY {
        return;
    }
    let options = if data
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        BTreeMap::new()
    } else {
        match serde_json::from_slice::<HookBody>(data) {
            Ok(body) => body.options,
            Err(_) => return,
        }
    };
    let Some(job) = hook_job() else {
        return;
    };
    if let Ok(argv) = job.argv(&options) {
        let _ = job.check_cmd_safe(&argv);
    }
}

/// The resume point of the event stream, from the `since` query or the `Last-Event-ID` header
/// a reconnecting browser sends: only UTF-8 reaches the parse (a header that is not visible
/// ASCII is ignored, a query is decoded first), then [`parse_since`].
pub fn sse_since(data: &[u8]) {
    if let Ok(raw) = std::str::from_utf8(data) {
        let _ = parse_since(raw);
    }
}

/// vigil-server's parse of `since` / `Last-Event-ID` (`routes/streams.rs`, `events`): a non-negative
/// integer, surrounding whitespace allowed.
pub fn parse_since(raw: &str) -> Result<i64, ApiError> {
    match raw.trim_ascii().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(ApiError::invalid(format!(
            "since must be a non-negative integer, got {raw:?}"
        ))),
    }
}

/// What the engine's `resolve` does to a definition before validation: the template applied
/// (against a fixed set), the result read as a job, validated.
fn resolve(definition: Value) -> Result<Job, ApiError> {
    let resolved = resolve_template(definition, templates())?;
    let job: Job = serde_json::from_value(resolved)
        .map_err(|e| ApiError::invalid(format!("invalid job: {e}")))?;
    job.validate()
}

/// What the engine computes from a saved job without the store: its next fires (scheduler,
/// dashboard, preview), the argv of a run with its defaults, and the cmd.exe check.
fn after_save(job: &Job) {
    for &at in instants() {
        // A schedule that never fires costs a long search on every call; once is enough.
        if job.next_fires(at, 5).is_empty() {
            break;
        }
    }
    if let Ok(argv) = job.argv(&BTreeMap::new()) {
        let _ = job.check_cmd_safe(&argv);
    }
    let _ = check_graph(std::slice::from_ref(job));
}

/// Instants next fires are asked from: an ordinary one, and two a second before Berlin's clock
/// changes (the spring gap and the autumn repeat).
fn instants() -> &'static [DateTime<Utc>] {
    static INSTANTS: OnceLock<Vec<DateTime<Utc>>> = OnceLock::new();
    INSTANTS.get_or_init(|| {
        [
            (2026, 1, 1, 0, 0, 0),
            (2030, 3, 31, 0, 59, 59),
            (2030, 10, 27, 0, 59, 59),
        ]
        .into_iter()
        .filter_map(|(y, mo, d, h, mi, s)| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single())
        .collect()
    })
}

/// The templates a definition may extend: a real one with variables and options, one that is
/// not a template, and one that extends another (both refused).
fn templates() -> &'static HashMap<String, Value> {
    static TEMPLATES: OnceLock<HashMap<String, Value>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        HashMap::from([
            (
                "python-script".to_owned(),
                json!({
                    "id": "python-script", "name": "Python script", "template": true,
                    "command": "{{venv}}/bin/python", "args": ["{{script}}", "--x={{ venv }}"],
                    "env": {"VENV": "{{venv}}"},
                    "options": [{"name": "yes", "type": "boolean", "flag": "--yes", "default": true}],
                    "schedule": "0 23 * * *",
                    "execution": {"timeout_secs": 300, "retries": 1}
                }),
            ),
            (
                "plain".to_owned(),
                json!({"id": "plain", "name": "plain", "command": "x"}),
            ),
            (
                "nested".to_owned(),
                json!({"id": "nested", "name": "n", "template": true, "command": "x", "extends": "python-script"}),
            ),
        ])
    })
}

/// A shell job with an option of every kind, as an incoming webhook would run (always some;
/// a unit test checks it).
fn hook_job() -> Option<&'static Job> {
    static JOB: OnceLock<Option<Job>> = OnceLock::new();
    JOB.get_or_init(|| {
        let definition = json!({
            "id": "hooked", "name": "hooked", "command": "deploy.cmd", "shell": true,
            "args": ["--from-hook"],
            "options": [
                {"name": "yes", "type": "boolean", "flag": "--yes"},
                {"name": "ref", "type": "string", "flag": "--ref", "default": "main"},
                {"name": "env", "type": "select", "choices": ["staging", "prod"]},
                {"name": "files", "type": "array", "flag": "-f"},
                {"name": "note", "type": "string"}
            ]
        });
        serde_json::from_value::<Job>(definition)
            .ok()
            .and_then(|j| j.validate().ok())
    })
    .as_ref()
}

fn sample_event() -> Event {
    Event {
        id: 42,
        ts: 1_700_000_000_000,
        kind: EventKind::RunFailed,
        program_id: None,
        job_id: Some("nightly-backup".into()),
        message: "\"nightly-backup\" failed: exit 3\n{{message}}".into(),
        detail: Some("last lines\t\u{1}\u{7f}".into()),
    }
}

/// An HTTP request to the API as anyone who holds a token may send it, read the way the server
/// reads every operation: the first byte picks the operation, the first line holds the path
/// parameters (split at `/`), the second the raw query string, the rest is the body. Then the
/// fields are read into the operation's request type.
pub fn api_request(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let op = &OPERATIONS[usize::from(pick) % OPERATIONS.len()];
    let mut parts = rest.splitn(3, |&b| b == b'\n');
    let params: Vec<String> = parts
        .next()
        .map(|p| {
            String::from_utf8_lossy(p)
                .split('/')
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let query = parts
        .next()
        .map(|q| String::from_utf8_lossy(q).into_owned());
    let body = parts.next().unwrap_or_default();
    if let Ok(args) = op.request_from_http(&params, query.as_deref(), body) {
        let _ = op.parse_http(&args);
    }
}

/// A settings change as `PUT /api/settings`, the settings page and `vigil settings set` send
/// it: applied to the defaults. Whatever is accepted is valid as it stands (validating it again
/// changes nothing) and an empty change keeps it.
pub fn settings_patch(data: &[u8]) {
    let Ok(change) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(settings) = vigil_core::Settings::default().patched(&change) {
        assert_eq!(settings.clone().validate().as_ref(), Ok(&settings));
        assert_eq!(settings.patched(&json!({})).as_ref(), Ok(&settings));
    }
}

/// What a plugin process prints (a peer Vigil does not control): the first byte is its exit
/// code, the rest its stdout, read by the Nagios convention and as Vigil's JSON result; every
/// answer stays within the bounds the engine stores.
pub fn plugin_output(data: &[u8]) {
    let Some((&code, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let code = i32::from(code) - 8;
    for answer in [
        vigil_core::parse_nagios(&text, code),
        vigil_core::parse_vigil_result(&text),
    ]
    .into_iter()
    .flatten()
    {
        assert!(answer.message.chars().count() <= 1000);
        assert!(answer.metrics.len() <= vigil_core::MAX_METRICS);
        assert!(
            answer
                .metrics
                .iter()
                .all(|m| m.value.is_finite() && !m.label.is_empty())
        );
    }
}

/// A plugin's `plugin.json` (a file anyone may drop in the plugins folder): read, checked,
/// then its config schema applied to a few value sets, as a check's save does.
pub fn plugin_manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = vigil_core::Manifest::parse(text) {
        let _ = m.command.here();
        for values in [
            BTreeMap::new(),
            BTreeMap::from([("port".to_owned(), json!(80))]),
            BTreeMap::from([("host".to_owned(), json!(["a", "b"]))]),
        ] {
            let _ = m.config_argv(&values);
            let _ = m.config_with_defaults(&values);
        }
    }
}

/// A check or an action as the API, the UI form and the CLI send it: read and validated.
pub fn check_json(data: &[u8]) {
    if let Ok(check) = serde_json::from_slice::<vigil_core::Check>(data) {
        let _ = check.validate();
    }
    if let Ok(action) = serde_json::from_slice::<vigil_core::Action>(data)
        && let Ok(a) = action.validate()
    {
        let _ = a.matches(&sample_event(), &["x".to_owned()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_inputs_of_the_targets_are_valid() {
        assert!(
            hook_job().is_some(),
            "the hook target needs its job, or it stops at the body"
        );
        assert_eq!(instants().len(), 3, "every fixed instant exists");
        assert!(
            resolve(json!({"id": "j", "name": "j", "extends": "python-script",
                "vars": {"venv": "/v", "script": "s.py"}}))
            .is_ok(),
            "the template set holds a usable template, so resolving goes past the lookup"
        );
    }
}
