//! Tauri commands: one line each from IPC to the engine's API.

use tauri::State;
use vigil_core::{
    Attempt, Delivery, DeliveryStatus, Endpoint, Job, Rule, Run, RunStatus, TriggerCredential,
    TriggerKind,
};
use vigil_engine::api::{
    AddProgram, GetProgram, GetProgramStatus, GetSamples, GetStatus, ListEvents, ListProgramEvents,
    ListProgramStatus, ListPrograms, ProgramStatus, RemoveProgram, RestartProgram, SampleBucket,
    StartProgram, Status, StopProgram, TailLog,
};
use vigil_engine::api::{
    CancelRun, DeleteJob, GetJob, GetJobsDashboard, GetRun, GetRunOutput, JobsDashboard, ListJobs,
    ListRuns, PreviewSchedule, RunAccepted, RunJob, SaveJob,
};
use vigil_engine::api::{
    CreateTrigger, DeleteEndpoint, DeleteRule, DeliveryDetail, GetDelivery, GetEndpoint, GetHealth,
    GetRule, Health, ListDeliveries, ListEndpoints, ListRules, ListTriggers, NewTrigger,
    ReplayDeliveries, Replayed, RevokeTrigger, SaveEndpoint, SaveRule, TestEndpoint,
};
use vigil_engine::{ApiError, Engine, Event, Program};

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub(crate) async fn status(engine: State<'_, Engine>) -> Reply<Status> {
    engine.call(GetStatus {}).await
}

#[tauri::command]
pub(crate) async fn list_programs(engine: State<'_, Engine>) -> Reply<Vec<Program>> {
    engine.call(ListPrograms {}).await
}

#[tauri::command]
pub(crate) async fn get_program(engine: State<'_, Engine>, id: i64) -> Reply<Program> {
    engine.call(GetProgram { id }).await
}

#[tauri::command]
pub(crate) async fn add_program(engine: State<'_, Engine>, request: AddProgram) -> Reply<Program> {
    engine.call(request).await
}

#[tauri::command]
pub(crate) async fn remove_program(engine: State<'_, Engine>, id: i64) -> Reply<Program> {
    engine.call(RemoveProgram { id }).await
}

#[tauri::command]
pub(crate) async fn events_since(
    engine: State<'_, Engine>,
    since: i64,
    limit: Option<u32>,
) -> Reply<Vec<Event>> {
    engine.call(ListEvents { since, limit }).await
}

#[tauri::command]
pub(crate) async fn program_statuses(engine: State<'_, Engine>) -> Reply<Vec<ProgramStatus>> {
    engine.call(ListProgramStatus {}).await
}

#[tauri::command]
pub(crate) async fn program_status(engine: State<'_, Engine>, id: i64) -> Reply<ProgramStatus> {
    engine.call(GetProgramStatus { id }).await
}

#[tauri::command]
pub(crate) async fn start_program(engine: State<'_, Engine>, id: i64) -> Reply<ProgramStatus> {
    engine.call(StartProgram { id }).await
}

#[tauri::command]
pub(crate) async fn stop_program(engine: State<'_, Engine>, id: i64) -> Reply<ProgramStatus> {
    engine.call(StopProgram { id }).await
}

#[tauri::command]
pub(crate) async fn restart_program(engine: State<'_, Engine>, id: i64) -> Reply<ProgramStatus> {
    engine.call(RestartProgram { id }).await
}

#[tauri::command]
pub(crate) async fn samples(
    engine: State<'_, Engine>,
    id: i64,
    from: i64,
    to: i64,
    points: Option<u32>,
) -> Reply<Vec<SampleBucket>> {
    engine
        .call(GetSamples {
            id,
            from,
            to,
            points,
        })
        .await
}

#[tauri::command]
pub(crate) async fn program_events(
    engine: State<'_, Engine>,
    id: i64,
    before: Option<i64>,
    limit: Option<u32>,
) -> Reply<Vec<Event>> {
    engine.call(ListProgramEvents { id, before, limit }).await
}

#[tauri::command]
pub(crate) async fn log_tail(
    engine: State<'_, Engine>,
    id: i64,
    lines: Option<usize>,
) -> Reply<Vec<String>> {
    engine.call(TailLog { id, lines }).await
}

#[tauri::command]
pub(crate) async fn list_jobs(engine: State<'_, Engine>) -> Reply<Vec<Job>> {
    engine.call(ListJobs {}).await
}

#[tauri::command]
pub(crate) async fn get_job(engine: State<'_, Engine>, id: String) -> Reply<Job> {
    engine.call(GetJob { id }).await
}

#[tauri::command]
pub(crate) async fn save_job(
    engine: State<'_, Engine>,
    job: serde_json::Value,
    replace: bool,
) -> Reply<Job> {
    engine
        .call(SaveJob {
            definition: job,
            replace,
        })
        .await
}

#[tauri::command]
pub(crate) async fn delete_job(engine: State<'_, Engine>, id: String) -> Reply<Job> {
    engine.call(DeleteJob { id }).await
}

#[tauri::command]
pub(crate) async fn run_job(
    engine: State<'_, Engine>,
    id: String,
    options: Option<std::collections::BTreeMap<String, serde_json::Value>>,
) -> Reply<RunAccepted> {
    engine
        .call(RunJob {
            id,
            options: options.unwrap_or_default(),
        })
        .await
}

#[tauri::command]
pub(crate) async fn list_runs(
    engine: State<'_, Engine>,
    job: Option<String>,
    status: Option<RunStatus>,
    limit: Option<u32>,
    before: Option<i64>,
) -> Reply<Vec<Run>> {
    engine
        .call(ListRuns {
            job,
            status,
            limit,
            before,
        })
        .await
}

#[tauri::command]
pub(crate) async fn get_run(engine: State<'_, Engine>, id: i64) -> Reply<Run> {
    engine.call(GetRun { id }).await
}

#[tauri::command]
pub(crate) async fn run_output(engine: State<'_, Engine>, id: i64) -> Reply<String> {
    engine.call(GetRunOutput { id }).await
}

#[tauri::command]
pub(crate) async fn cancel_run(engine: State<'_, Engine>, id: i64) -> Reply<Run> {
    engine.call(CancelRun { id }).await
}

#[tauri::command]
pub(crate) async fn jobs_dashboard(engine: State<'_, Engine>) -> Reply<JobsDashboard> {
    engine.call(GetJobsDashboard {}).await
}

#[tauri::command]
pub(crate) async fn preview_schedule(
    engine: State<'_, Engine>,
    schedule: String,
    timezone: Option<String>,
    count: Option<usize>,
) -> Reply<Vec<i64>> {
    engine
        .call(PreviewSchedule {
            schedule,
            timezone,
            count,
        })
        .await
}

#[tauri::command]
pub(crate) async fn health(engine: State<'_, Engine>) -> Reply<Health> {
    engine.call(GetHealth {}).await
}

#[tauri::command]
pub(crate) async fn list_endpoints(engine: State<'_, Engine>) -> Reply<Vec<Endpoint>> {
    engine.call(ListEndpoints {}).await
}

#[tauri::command]
pub(crate) async fn get_endpoint(engine: State<'_, Engine>, id: i64) -> Reply<Endpoint> {
    engine.call(GetEndpoint { id }).await
}

#[tauri::command]
pub(crate) async fn save_endpoint(
    engine: State<'_, Engine>,
    endpoint: Endpoint,
) -> Reply<Endpoint> {
    engine.call(SaveEndpoint { endpoint }).await
}

#[tauri::command]
pub(crate) async fn delete_endpoint(engine: State<'_, Engine>, id: i64) -> Reply<Endpoint> {
    engine.call(DeleteEndpoint { id }).await
}

#[tauri::command]
pub(crate) async fn test_endpoint(engine: State<'_, Engine>, id: i64) -> Reply<Attempt> {
    engine.call(TestEndpoint { id }).await
}

#[tauri::command]
pub(crate) async fn list_rules(engine: State<'_, Engine>) -> Reply<Vec<Rule>> {
    engine.call(ListRules {}).await
}

#[tauri::command]
pub(crate) async fn get_rule(engine: State<'_, Engine>, id: i64) -> Reply<Rule> {
    engine.call(GetRule { id }).await
}

#[tauri::command]
pub(crate) async fn save_rule(engine: State<'_, Engine>, rule: Rule) -> Reply<Rule> {
    engine.call(SaveRule { rule }).await
}

#[tauri::command]
pub(crate) async fn delete_rule(engine: State<'_, Engine>, id: i64) -> Reply<()> {
    engine.call(DeleteRule { id }).await
}

#[tauri::command]
pub(crate) async fn list_deliveries(
    engine: State<'_, Engine>,
    status: Option<DeliveryStatus>,
    endpoint: Option<i64>,
    before: Option<i64>,
    limit: Option<usize>,
) -> Reply<Vec<Delivery>> {
    let query = ListDeliveries {
        status,
        endpoint,
        before,
        limit,
    };
    engine.call(query).await
}

#[tauri::command]
pub(crate) async fn get_delivery(engine: State<'_, Engine>, id: i64) -> Reply<DeliveryDetail> {
    engine.call(GetDelivery { id }).await
}

#[tauri::command]
pub(crate) async fn replay_deliveries(
    engine: State<'_, Engine>,
    ids: Vec<i64>,
    endpoint: Option<i64>,
) -> Reply<Replayed> {
    engine.call(ReplayDeliveries { ids, endpoint }).await
}

#[tauri::command]
pub(crate) async fn list_triggers(
    engine: State<'_, Engine>,
    job: String,
) -> Reply<Vec<TriggerCredential>> {
    engine.call(ListTriggers { job }).await
}

#[tauri::command]
pub(crate) async fn create_trigger(
    engine: State<'_, Engine>,
    job: String,
    name: String,
    kind: TriggerKind,
) -> Reply<NewTrigger> {
    engine.call(CreateTrigger { job, name, kind }).await
}

#[tauri::command]
pub(crate) async fn revoke_trigger(engine: State<'_, Engine>, job: String, id: i64) -> Reply<()> {
    engine.call(RevokeTrigger { job, id }).await
}
