//! The UI compiles against TypeScript types generated from the Rust types. This test fails when
//! the committed file differs from what the Rust types say; `VIGIL_BLESS=1` rewrites it.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]
#![cfg(not(windows))]

use std::path::PathBuf;

use ts_rs::TS;
use vigil_core::{
    Action, ActionRun, Check, CheckAnswer, CheckRecord, CheckResult, CheckStatus, Manifest, Metric,
    MetricSeries, PluginCommand, PluginKind, Probe, ProgramHealth, Protocol,
};
use vigil_core::{
    Attempt, Backoff, Channel, Delivery, DeliveryStatus, EmailSettings, EmailTls, Endpoint,
    ExecutionPolicy, Header, Job, JobOption, Limits, MatchRule, Method, Missed, OptionKind,
    Overlap, Preset, RestartMode, RestartPolicy, RetentionSettings, RetryOn, Rule, Run, RunStatus,
    Settings, Trigger, TriggerCredential, TriggerKind, Usual,
};
use vigil_engine::OsNotification;
use vigil_engine::api::OPERATIONS;
use vigil_engine::api::ops::Body;
use vigil_engine::api::{BreakerState, CheckView, PluginInfo};
use vigil_engine::api::{
    DeliveryDetail, DiskInfo, Health, HealthLevel, ImportReport, JobStats, JobsDashboard, JobsFile,
    MatchPreview, MemoryInfo, NetworkInfo, NewTrigger, NextFire, ProcessInfo, ProcessStatus,
    ProgramSaved, ProgramState, ProgramStatus, Replayed, RunAccepted, RunPoint, RunningRun,
    SampleBucket, SettingsChange, Status, StatusUpdate, SystemOverview,
};
use vigil_engine::monitor::MatchedProcess;
use vigil_engine::{ApiError, ErrorCode, Event, EventKind, NewProgram, Program};

fn generated() -> String {
    let decls = [
        ErrorCode::decl(),
        ApiError::decl(),
        RestartMode::decl(),
        RestartPolicy::decl(),
        MatchRule::decl(),
        Limits::decl(),
        Program::decl(),
        NewProgram::decl(),
        Status::decl(),
        EventKind::decl(),
        Event::decl(),
        ProgramState::decl(),
        ProcessStatus::decl(),
        ProgramStatus::decl(),
        SampleBucket::decl(),
        OptionKind::decl(),
        JobOption::decl(),
        Backoff::decl(),
        RetryOn::decl(),
        ExecutionPolicy::decl(),
        Overlap::decl(),
        Missed::decl(),
        Job::decl(),
        Trigger::decl(),
        RunStatus::decl(),
        Run::decl(),
        RunAccepted::decl(),
        RunningRun::decl(),
        NextFire::decl(),
        JobsDashboard::decl(),
        JobsFile::decl(),
        ImportReport::decl(),
        Preset::decl(),
        Method::decl(),
        Header::decl(),
        Endpoint::decl(),
        Rule::decl(),
        Channel::decl(),
        DeliveryStatus::decl(),
        Delivery::decl(),
        Attempt::decl(),
        DeliveryDetail::decl(),
        Replayed::decl(),
        TriggerKind::decl(),
        TriggerCredential::decl(),
        NewTrigger::decl(),
        HealthLevel::decl(),
        Health::decl(),
        OsNotification::decl(),
        StatusUpdate::decl(),
        RetentionSettings::decl(),
        Settings::decl(),
        SettingsChange::decl(),
        ProgramSaved::decl(),
        MatchedProcess::decl(),
        MatchPreview::decl(),
        EmailTls::decl(),
        EmailSettings::decl(),
        ProcessInfo::decl(),
        MemoryInfo::decl(),
        DiskInfo::decl(),
        NetworkInfo::decl(),
        SystemOverview::decl(),
        Usual::decl(),
        RunPoint::decl(),
        JobStats::decl(),
        ProgramHealth::decl(),
        CheckStatus::decl(),
        Metric::decl(),
        CheckAnswer::decl(),
        CheckResult::decl(),
        CheckRecord::decl(),
        MetricSeries::decl(),
        PluginKind::decl(),
        Protocol::decl(),
        PluginCommand::decl(),
        Manifest::decl(),
        BreakerState::decl(),
        PluginInfo::decl(),
        Probe::decl(),
        Check::decl(),
        CheckView::decl(),
        Action::decl(),
        ActionRun::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`.\n\
         // Do not edit by hand: the test fails when this file drifts from the Rust types.\n\n",
    );
    let mut decls: Vec<String> = decls.into();
    // Each operation's request type, once (some requests are also plain types above).
    for op in OPERATIONS {
        let (name, decl) = op.request_typescript();
        let named = format!("type {name} ");
        if !decls
            .iter()
            .any(|d| d.starts_with(&named) || d.starts_with(&format!("type {name}=")))
        {
            decls.push(decl);
        }
    }
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Compares a generated file with the committed one; `VIGIL_BLESS=1` rewrites it instead.
fn matches_committed(file: &str, want: &str, what: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/lib")
        .join(file);
    if std::env::var_os("VIGIL_BLESS").is_some() {
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with {what}; run \
         `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings` and commit it.\n--- want ---\n{want}",
        path.display()
    );
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    matches_committed("types.ts", &generated(), "the Rust types");
}

/// The operation table for the UI: how each travels over HTTP, and its types.
fn operations() -> String {
    let mut names = std::collections::BTreeSet::new();
    let mut table = String::new();
    let mut types = String::new();
    let mut methods = String::new();
    let mut by_method = String::new();
    for op in OPERATIONS {
        let (request, decl) = op.request_typescript();
        let response = op.response_typescript();
        for ident in format!("{request} {response}")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
            .filter(|w| !["Array", "Record", "Promise"].contains(w))
        {
            names.insert(ident.to_owned());
        }
        let method = op.method.as_str();
        let body = match op.body {
            Body::None => "none".to_owned(),
            Body::Fields => "fields".to_owned(),
            Body::Field(f) => f.to_owned(),
        };
        table.push_str(&format!(
            "  {}: {{ method: \"{method}\", path: \"{}\", body: \"{body}\", status: {}, scope: \"{}\" }},\n",
            op.name,
            op.path,
            op.status,
            op.scope.as_str()
        ));
        types.push_str(&format!(
            "  {}: {{ request: {request}; response: {response} }};\n",
            op.name
        ));
        // A request without fields may be left out.
        let optional = if decl.contains("never") { "?" } else { "" };
        methods.push_str(&format!(
            "  /** {} (`{method} /api{}`) */\n  {}(request{optional}: {request}): Promise<{response}>;\n",
            op.doc,
            op.path,
            op.method_name()
        ));
        by_method.push_str(&format!("  {}: \"{}\",\n", op.method_name(), op.name));
    }
    let imports = names.into_iter().collect::<Vec<_>>().join(", ");
    format!(
        "// Generated from the operation table (vigil_engine::api::ops) by\n\
         // `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`. Do not edit by hand.\n\n\
         import type {{ {imports} }} from \"./types\";\n\n\
         /** How an operation travels over HTTP; the desktop app invokes it by name instead. */\n\
         export type OperationSpec = {{\n  method: \"GET\" | \"POST\" | \"PUT\" | \"DELETE\";\n  \
         /** Under `/api`; `{{name}}` and `{{name:text}}` are request fields. */\n  path: string;\n  \
         /** `none`: fields in the query; `fields`: the request is the JSON body; else the field that is the body. */\n  \
         body: string;\n  /** HTTP status of a success; 204 answers nothing. */\n  status: number;\n  scope: \"read\" | \"operate\" | \"admin\";\n}};\n\n\
         /** Every operation of the API. */\n\
         export const OPERATIONS = {{\n{table}}} as const satisfies Record<string, OperationSpec>;\n\n\
         export type OperationName = keyof typeof OPERATIONS;\n\n\
         /** Each operation's request and response types. */\n\
         export type OperationTypes = {{\n{types}}};\n\n\
         /** One method per operation, named in camelCase. */\n\
         export interface VigilOperations {{\n{methods}}}\n\n\
         /** Method name to operation name. */\n\
         export const METHOD_OPERATIONS = {{\n{by_method}}} as const satisfies Record<keyof VigilOperations, OperationName>;\n"
    )
}

#[test]
fn the_typescript_operation_table_matches_the_rust_one() {
    matches_committed("operations.ts", &operations(), "the operation table");
}
