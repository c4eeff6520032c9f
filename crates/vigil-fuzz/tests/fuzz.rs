//! Runs every fuzz target over its committed corpus (`corpus/<target>/`) and over generated
//! input (raw bytes, and text built from the fragments the parser knows), on stable. A target
//! fails on a panic, on one input that takes over 2 s (a hang), and on one input that grows the
//! heap's peak by more than 64 MiB (an allocation blow-up).
//!
//! `VIGIL_FUZZ_CASES` sets the generated cases per target (default 300, a few seconds in a debug
//! build); `cargo xtask fuzz` runs 200000 in release. Each target runs on its own thread with a
//! 2 MiB stack, the stack of a tokio worker, where the engine and the server parse these inputs.

#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

/// The system allocator, counting the bytes in use and their peak so one input's growth can
/// be measured.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(by: usize) {
    CURRENT.fetch_sub(by, Ordering::Relaxed);
}

// SAFETY: every method passes its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract, and returns what `System` returned; the bookkeeping only touches
// atomics and never allocates, so it cannot recurse into the allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which is `System.alloc`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds the rest.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Longest one input may take.
const HANG: Duration = Duration::from_secs(2);
/// Most one input may grow the heap's peak.
const MAX_GROWTH: usize = 64 << 20;
/// A tokio worker thread's stack.
const STACK: usize = 2 << 20;

/// The allocation counters are global, so the targets' tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one input did: the peak growth in bytes, or the panic's message.
type Report = Result<usize, String>;

/// A thread that runs one target over inputs one at a time.
struct Worker {
    name: &'static str,
    target: vigil_fuzz::Target,
    input: Sender<Vec<u8>>,
    report: Receiver<Report>,
}

impl Worker {
    fn start(name: &'static str, target: vigil_fuzz::Target) -> Self {
        let (input, inputs) = channel::<Vec<u8>>();
        let (reports, report) = channel();
        std::thread::Builder::new()
            .name(format!("fuzz-{name}"))
            .stack_size(STACK)
            .spawn(move || {
                for data in inputs {
                    let before = CURRENT.load(Ordering::Relaxed);
                    PEAK.store(before, Ordering::Relaxed);
                    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| target(&data)));
                    let growth = PEAK.load(Ordering::Relaxed).saturating_sub(before);
                    let sent = reports.send(outcome.map(|()| growth).map_err(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_else(|| "a panic without a message".into())
                    }));
                    if sent.is_err() {
                        break;
                    }
                }
            })
            .unwrap();
        Self {
            name,
            target,
            input,
            report,
        }
    }

    /// Runs one input; the error says what went wrong and shows the input. A worker stuck on
    /// an input is left behind and replaced, so the next input (shrinking goes on) gets a
    /// fresh one.
    fn run(&mut self, data: &[u8]) -> Result<(), String> {
        let start = Instant::now();
        self.input.send(data.to_vec()).unwrap();
        let name = self.name;
        match self.report.recv_timeout(HANG) {
            Err(_) => {
                *self = Self::start(self.name, self.target);
                Err(format!(
                    "{name}: no result within {HANG:?} (a hang) for {}",
                    show(data)
                ))
            }
            Ok(Err(panic)) => Err(format!("{name} panicked: {panic}\ninput: {}", show(data))),
            Ok(Ok(growth)) if growth > MAX_GROWTH => Err(format!(
                "{name}: one input grew the heap by {} MiB (limit {} MiB): {}",
                growth >> 20,
                MAX_GROWTH >> 20,
                show(data)
            )),
            Ok(Ok(_)) if start.elapsed() > HANG => Err(format!(
                "{name}: took {:?} (limit {HANG:?}) for {}",
                start.elapsed(),
                show(data)
            )),
            Ok(Ok(_)) => Ok(()),
        }
    }
}

/// The input as escaped bytes, cut after 4 KiB.
fn show(data: &[u8]) -> String {
    let cut = &data[..data.len().min(4096)];
    format!(
        "{} bytes b\"{}\"{}",
        data.len(),
        cut.escape_ascii(),
        if cut.len() < data.len() { "..." } else { "" }
    )
}

fn target(name: &str) -> vigil_fuzz::Target {
    vigil_fuzz::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no target {name}"))
}

fn cases() -> u32 {
    std::env::var("VIGIL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Runs a target over its committed corpus, then over generated input.
fn fuzz(name: &'static str, generated: BoxedStrategy<Vec<u8>>) {
    let _turn = serial();
    let mut worker = Worker::start(name, target(name));

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} must exist: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{name}: the corpus {} must hold at least 5 seeds, has {}",
        dir.display(),
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let data = std::fs::read(f).unwrap();
            worker
                .run(&data)
                .err()
                .map(|e| format!("{}: {e}", f.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: corpus inputs failed:\n{}",
        failures.join("\n")
    );

    let strategy = prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..512).boxed(),
        3 => generated,
    ];
    let config = ProptestConfig {
        cases: cases(),
        // A hang costs 2 s per shrinking step; shrinking stops after a minute.
        max_shrink_time: 60_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let worker = RefCell::new(worker);
    let result = runner.run(&strategy, |data| {
        worker.borrow_mut().run(&data).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{name}: generated input failed: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Generated input
// ---------------------------------------------------------------------------------------------

/// Object keys of every format the JSON targets read.
const KEYS: &[&str] = &[
    "sweep_ms",
    "discovery_ms",
    "retention",
    "raw_samples_hours",
    "minute_rollup_days",
    "hour_rollup_days",
    "event_days",
    "run_days",
    "delivery_days",
    "max_concurrent_runs",
    "max_run_output_kib",
    "stop_grace_secs",
    "max_deliveries_in_flight",
    "port",
    "allow_lan",
    "schedules_paused",
    "favourite_jobs",
    "leave_running_on_quit",
    "id",
    "name",
    "command",
    "args",
    "shell",
    "cwd",
    "env",
    "category",
    "tags",
    "enabled",
    "options",
    "execution",
    "schedule",
    "timezone",
    "overlap",
    "missed",
    "depends_on",
    "on_success",
    "on_failure",
    "template",
    "extends",
    "vars",
    "type",
    "flag",
    "choices",
    "default",
    "label",
    "timeout_secs",
    "retries",
    "retry_delay_ms",
    "backoff",
    "retry_on",
    "fix_command",
    "timeout",
    "maxRetries",
    "retryDelay",
    "arg",
    "jobs",
    "vigil_jobs",
    "path",
    "launch",
    "autostart",
    "match_by",
    "by",
    "value",
    "restart",
    "limits",
    "cpu_percent",
    "memory_mb",
    "sustain_secs",
    "restart_on_memory",
    "url",
    "method",
    "headers",
    "preset",
    "signing_secret",
    "timeout_ms",
    "max_attempts",
    "backoff_ms",
    "secret",
    "kinds",
    "programs",
    "os",
    "endpoints",
    "fold_secs",
    "mode",
    "yes",
    "ref",
    "files",
    "note",
];

/// String values those formats give meaning to.
const STRINGS: &[&str] = &[
    "j1",
    "j2",
    "python-script",
    "plain",
    "nested",
    "* * * * *",
    "*/5 * * * * *",
    "0 0 31 2 *",
    "0 30 2 * * *",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "{{venv}}",
    "{{script}}",
    "{{x}}",
    "{{ message }}",
    "/usr/bin/x",
    "boolean",
    "string",
    "select",
    "array",
    "fixed",
    "linear",
    "exponential",
    "failure",
    "timeout",
    "custom",
    "json",
    "slack",
    "http://127.0.0.1:9/x",
    "exe",
    "cmdline",
    "POST",
    "--flag",
    "prod",
    "staging",
    "run_failed",
    "a\"b&c",
    "",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(0u64), Just(1), Just(100), Just(101), Just(86_400)].prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        proptest::sample::select(STRINGS).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{0,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A valid document with a few of its fields replaced, added or removed, so generated input
/// gets past the parser into validation.
fn mutated(seeds: Vec<Value>) -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(seeds),
        proptest::collection::vec((key(), proptest::option::of(json_value())), 0..4),
    )
        .prop_map(|(mut doc, edits)| {
            if let Some(o) = doc.as_object_mut() {
                for (k, v) in edits {
                    match v {
                        Some(v) => o.insert(k, v),
                        None => o.remove(&k),
                    };
                }
            }
            doc
        })
}

fn job_seeds() -> Vec<Value> {
    vec![
        json!({"id": "j1", "name": "J", "command": "/bin/x", "schedule": "*/5 * * * *",
               "timezone": "Europe/Berlin", "execution": {"retries": 2, "backoff": "exponential"}}),
        json!({"id": "j2", "name": "J", "command": "x",
               "options": [{"name": "yes", "type": "boolean", "flag": "--yes", "default": true},
                           {"name": "mode", "type": "select", "choices": ["a", "b"], "default": "a"},
                           {"name": "files", "type": "array"}]}),
        json!({"id": "j3", "name": "J", "extends": "python-script",
               "vars": {"venv": "{{script}}", "script": "{{venv}}"}}),
    ]
}

/// Text built from fragments: mostly almost-JSON, sometimes JSON.
fn fragments(pieces: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::sample::select(pieces).prop_map(str::to_owned),
            1 => proptest::sample::select(STRINGS).prop_map(|s| format!("{s:?}")),
            1 => ".{0,4}",
        ],
        0..40,
    )
    .prop_map(|p| p.concat().into_bytes())
}

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e999",
    "-0",
    "18446744073709551616",
    "\"id\"",
    "\"name\"",
    "\"command\"",
    "\"jobs\"",
    "\"options\"",
    "\"type\"",
    "\"extends\"",
    "\"vars\"",
    "\"template\"",
    "\"schedule\"",
    "\"{{x}}\"",
    "\\u0000",
    "\\ud800",
    " ",
    "\n",
];

fn json_input(seeds: Vec<Value>) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        2 => fragments(JSON_PIECES),
        2 => json_value().prop_map(|v| v.to_string().into_bytes()),
        3 => mutated(seeds).prop_map(|v| v.to_string().into_bytes()),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// One test per target
// ---------------------------------------------------------------------------------------------

#[test]
fn job_json() {
    fuzz("job_json", json_input(job_seeds()));
}

#[test]
fn program_json() {
    let seeds = vec![
        json!({"name": "web", "path": "/usr/bin/web", "args": ["--port", "8080"],
               "restart": {"mode": "always"}, "limits": {"memory_mb": 100, "restart_on_memory": true}}),
        json!({"name": "w", "path": "/x", "launch": false, "match_by": {"by": "name", "value": "w"},
               "tags": ["a", "a ", "b"], "env": {"A": "1"}}),
    ];
    fuzz("program_json", json_input(seeds));
}

#[test]
fn jobs_import() {
    let jobs = job_seeds();
    let seeds = vec![
        json!({"vigil_jobs": 1, "jobs": jobs.clone()}),
        json!({"jobs": [{"id": "old", "name": "Old", "command": "echo hi",
                         "options": [{"arg": "date", "flag": "--date", "type": "string"}],
                         "execution": {"timeout": 1500, "maxRetries": 2, "retryDelay": 10}}]}),
        json!([{"id": "a", "command": "x", "options": [{"label": "L"}, {"flag": "-"}]}]),
        json!({"vigil_jobs": 1, "jobs": [
            {"id": "a", "name": "a", "command": "x", "depends_on": ["b"]},
            {"id": "b", "name": "b", "command": "x", "on_failure": ["a"]}]}),
    ];
    let wrapped = mutated(jobs).prop_map(|j| {
        json!({"vigil_jobs": 1, "jobs": [j]})
            .to_string()
            .into_bytes()
    });
    let strategy = prop_oneof![2 => json_input(seeds), 1 => wrapped];
    fuzz("jobs_import", strategy.boxed());
}

#[test]
fn cron() {
    const PIECES: &[&str] = &[
        "*", "/", "-", ",", " ", "  ", "\t", "0", "1", "2", "5", "7", "12", "23", "29", "30", "31",
        "59", "60", "99", "65536", "L", "W", "#", "?", "+", "LW", "5L", "1#5", "@yearly",
        "@hourly", "@reboot", "MON", "SUN", "JAN", "DEC", "FEB", "*/0", "0-0", "5-1",
    ];
    let fields = proptest::collection::vec(
        proptest::collection::vec(proptest::sample::select(PIECES), 1..4).prop_map(|p| p.concat()),
        4..8,
    )
    .prop_map(|f| f.join(" ").into_bytes());
    fuzz("cron", prop_oneof![fragments(PIECES), fields].boxed());
}

#[test]
fn webhook_template() {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{",
        "}",
        "\"",
        ":",
        ",",
        "{{message}}",
        "{{ count }}",
        "{{title}}",
        "{{detail}}",
        "{{program_id}}",
        "{{job_id}}",
        "{{time}}",
        "{{nope}}",
        "{{{{",
        "\\",
        "\"text\"",
    ];
    let seeds = vec![
        json!({"name": "hook", "url": "http://127.0.0.1:9/x", "preset": "custom",
               "template": "{\"m\": \"{{message}}\", \"c\": {{count}}}",
               "headers": [{"name": "Authorization", "value": "Bearer t", "secret": true}]}),
        json!({"name": "r", "os": true, "kinds": ["run_failed"], "jobs": ["j1"], "fold_secs": 300}),
    ];
    fuzz(
        "webhook_template",
        prop_oneof![2 => fragments(PIECES), 1 => json_input(seeds)].boxed(),
    );
}

#[test]
fn hook_body() {
    let seeds = vec![
        json!({"options": {"yes": true, "ref": "v1.2", "env": "prod", "files": ["a", "b"]}}),
        json!({"options": {"note": "a\"b & c | d"}}),
        json!({}),
    ];
    fuzz("hook_body", json_input(seeds));
}

#[test]
fn sse_since() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "9",
        "-",
        "+",
        " ",
        "\t",
        "\n",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "1e3",
        "0x10",
        "\u{a0}",
        "٣",
    ];
    fuzz("sse_since", fragments(PIECES).boxed());
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let tested = [
        "job_json",
        "program_json",
        "jobs_import",
        "cron",
        "webhook_template",
        "hook_body",
        "sse_since",
        "api_request",
        "settings_patch",
        "plugin_output",
        "plugin_manifest",
        "check_json",
    ];
    for (name, _) in vigil_fuzz::TARGETS {
        assert!(
            tested.contains(name),
            "target {name} needs a test in tests/fuzz.rs"
        );
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name);
        assert!(
            dir.is_dir(),
            "target {name} needs a corpus at {}",
            dir.display()
        );
    }
}

#[test]
fn the_since_parse_is_the_servers() {
    use vigil_fuzz::parse_since;
    assert_eq!(
        parse_since(" 42 ").ok(),
        Some(42),
        "whitespace around is allowed"
    );
    assert_eq!(parse_since("0").ok(), Some(0), "zero is the start");
    for bad in ["-1", "", "x", "1.5", "9223372036854775808"] {
        assert!(parse_since(bad).is_err(), "{bad:?} must be refused");
    }
}

#[test]
fn settings_patch() {
    let seeds = vec![
        json!({ "sweep_ms": 2000, "discovery_ms": 4000, "port": 8080 }),
        json!({ "retention": { "event_days": 7, "raw_samples_hours": 24 }, "allow_lan": true }),
        json!({ "favourite_jobs": ["a"], "schedules_paused": true, "leave_running_on_quit": true }),
    ];
    fuzz("settings_patch", json_input(seeds));
}

#[test]
fn api_request() {
    const PIECES: &[&str] = &[
        "\x00",
        "\x07",
        "\x15",
        "\x20",
        "1",
        "-1",
        "9223372036854775808",
        "a b",
        "%2F",
        "%zz",
        "/",
        "\n",
        "limit=5",
        "limit=-1",
        "&",
        "=",
        "status=failed",
        "job=x",
        "before=",
        "since=0",
        "follow=true",
        "replace=true",
        "{",
        "}",
        "[]",
        "{\"id\": \"a\"}",
        "{\"options\": {}}",
        "{\"ids\": [1, 2]}",
        "\"",
        "null",
        "\u{fffd}",
    ];
    fuzz("api_request", fragments(PIECES).boxed());
}

#[test]
fn plugin_output() {
    const PIECES: &[&str] = &[
        "\x08",
        "\x09",
        "\x0a",
        "\x0b",
        "\x0c",
        "\x7f",
        "OK",
        "CRITICAL - ",
        "|",
        " ",
        "'",
        "''",
        "=",
        ";",
        ":",
        "~",
        "@",
        "1",
        "-1.5",
        "1e3",
        "1e400",
        "NaN",
        "inf",
        "s",
        "ms",
        "%",
        "B",
        "KB",
        "c",
        "\n",
        "\r\n",
        "\t",
        "{",
        "}",
        "\"status\"",
        "\"ok\"",
        "\"metrics\"",
        "[",
        "]",
        "\"label\"",
        "\"value\"",
        "\"warn\"",
        ",",
        "\u{200b}",
        "\0",
    ];
    fuzz("plugin_output", fragments(PIECES).boxed());
}

#[test]
fn plugin_manifest() {
    let seeds = vec![
        json!({"name": "tcp", "version": "1", "kind": "check",
               "command": {"unix": ["/usr/lib/nagios/plugins/check_tcp"], "windows": ["check_tcp.exe"]},
               "config": [{"name": "host", "type": "string", "flag": "-H", "default": "127.0.0.1"},
                          {"name": "port", "type": "number", "flag": "-p"}]}),
        json!({"name": "py", "version": "2.0", "kind": "check", "protocol": "vigil",
               "command": {"unix": ["python3", "check.py"]}, "interval_secs": 30, "timeout_secs": 5,
               "config": [{"name": "mode", "type": "select", "choices": ["a", "b"], "default": "a"}]}),
        json!({"name": "dump", "version": "1", "kind": "action", "protocol": "vigil",
               "command": {"windows": ["powershell", "-File", "dump.ps1"]},
               "config": [{"name": "dirs", "type": "array", "flag": "--dir"}, {"name": "on", "type": "boolean", "flag": "-v"}]}),
    ];
    fuzz("plugin_manifest", json_input(seeds));
}

#[test]
fn check_json() {
    let seeds = vec![
        json!({"name": "web", "program_id": 1, "probe": {"type": "http", "url": "https://x/health",
               "expect_status": 200, "body_contains": "ok", "warn_ms": 100, "crit_ms": 500},
               "interval_secs": 30, "retries": 2, "restart_after": 3}),
        json!({"name": "port", "probe": {"type": "tcp", "host": "db", "port": 5432, "warn_ms": 50}}),
        json!({"name": "log", "probe": {"type": "log_file", "path": "/var/log/x", "pattern": "ERR(OR)?", "status": "warning"}}),
        json!({"name": "disk", "probe": {"type": "disk", "path": "C:\\", "warn_free_percent": 15, "crit_free_percent": 5}}),
        json!({"name": "plug", "probe": {"type": "plugin", "plugin": "tcp", "config": {"port": 80}}, "enabled": false}),
        json!({"name": "dump", "plugin": "dump", "kinds": ["program_crashed"], "programs": [1], "tags": ["db"], "config": {"x": 1}}),
    ];
    fuzz("check_json", json_input(seeds));
}
