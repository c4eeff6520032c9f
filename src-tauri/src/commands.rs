//! Tauri commands: one line each from IPC to the engine's API.

use tauri::State;
use vigil_engine::api::{
    AddProgram, GetProgram, GetStatus, ListEvents, ListPrograms, RemoveProgram, Status,
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
