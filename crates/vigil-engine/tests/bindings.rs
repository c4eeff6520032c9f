//! The UI compiles against TypeScript types generated from the Rust types. This test fails when
//! the committed file differs from what the Rust types say; `VIGIL_BLESS=1` rewrites it.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]
#![cfg(not(windows))]

use std::path::PathBuf;

use ts_rs::TS;
use vigil_core::{
    Attempt, Backoff, Channel, Delivery, DeliveryStatus, Endpoint, ExecutionPolicy, Header, Job,
    JobOption, Limits, MatchRule, Method, Missed, OptionKind, Overlap, Preset, RestartMode,
    RestartPolicy, RetryOn, Rule, Run, RunStatus, Trigger, TriggerCredential, TriggerKind,
};
use vigil_engine::OsNotification;
use vigil_engine::api::{
    DeliveryDetail, Health, HealthLevel, ImportReport, JobsDashboard, JobsFile, NewTrigger,
    NextFire, ProcessStatus, ProgramState, ProgramStatus, Replayed, RunAccepted, RunningRun,
    SampleBucket, Status,
};
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
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings`.\n\
         // Do not edit by hand: the test fails when this file drifts from the Rust types.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/types.ts");
    let want = generated();
    if std::env::var_os("VIGIL_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with the Rust types; run \
         `VIGIL_BLESS=1 cargo test -p vigil-engine --test bindings` and commit it.\n--- want ---\n{want}",
        path.display()
    );
}
