//! Tauri commands: one line each from IPC to the engine's API.

use tauri::State;
use vigil_engine::api::{
    AddProgram, GetProgram, GetProgramStatus, GetSamples, GetStatus, ListEvents, ListProgramEvents,
    ListProgramStatus, ListPrograms, ProgramStatus, RemoveProgram, RestartProgram, SampleBucket,
    StartProgram, Status, StopProgram, TailLog,
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
