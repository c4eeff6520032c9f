//! The desktop app's IPC: one command runs any operation of the engine's table by name
//! (`vigil_engine::api::ops::OPERATIONS`), so the window can do exactly what the HTTP API and
//! the CLI can, and a new operation needs nothing here.

use serde_json::Value;
use tauri::State;
use vigil_engine::{ApiError, Engine};

/// `invoke("call", { op, args })`: the operation `op` with its request's fields in `args`.
#[tauri::command]
pub(crate) async fn call(
    engine: State<'_, Engine>,
    op: String,
    args: Option<Value>,
) -> Result<Value, ApiError> {
    let args = args.unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    vigil_engine::api::ops::dispatch(&engine, &op, args).await
}
