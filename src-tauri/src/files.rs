//! Saving files from the desktop window: a log's lines and a program's history export. The
//! browser UI downloads them; a webview cannot, so the window asks for these commands, which
//! ask the person where to save (the OS save dialog) and write there.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio::io::AsyncWriteExt;
use vigil_engine::api::{ExportFormat, ExportKind, ExportRequest};
use vigil_engine::{ApiError, Engine};

/// Asks where to save `name` (the OS save dialog); `None` when the person cancels.
async fn ask_where<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
) -> Result<Option<PathBuf>, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(name)
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let picked = rx
        .await
        .map_err(|_| ApiError::internal("the save dialog went away"))?;
    picked
        .map(|p| {
            p.into_path()
                .map_err(|e| ApiError::invalid(format!("that place cannot be written: {e}")))
        })
        .transpose()
}

/// Writes `text` to `path` whole (a temporary file beside it, then renamed, so a failed write
/// leaves no half file).
pub(crate) async fn write_text(path: &Path, text: &str) -> Result<(), ApiError> {
    let part = path.with_extension("part");
    let failed =
        |e: std::io::Error| ApiError::internal(format!("could not write {}: {e}", path.display()));
    tokio::fs::write(&part, text).await.map_err(failed)?;
    tokio::fs::rename(&part, path).await.map_err(failed)
}

/// `invoke("save_text", { name, text })`: asks where, writes the text; the path written, or
/// `null` when cancelled.
#[tauri::command]
pub(crate) async fn save_text<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    text: String,
) -> Result<Option<String>, ApiError> {
    let Some(path) = ask_where(&app, &name).await? else {
        return Ok(None);
    };
    write_text(&path, &text).await?;
    Ok(Some(path.display().to_string()))
}

/// Streams a program's history export into `path` (chunks as the engine reads them; the whole
/// range is never in memory), through a temporary file renamed at the end.
pub(crate) async fn write_export(
    engine: &Engine,
    req: ExportRequest,
    path: &Path,
) -> Result<(), ApiError> {
    let mut chunks = engine.export(req).await?;
    let part = path.with_extension("part");
    let failed =
        |e: std::io::Error| ApiError::internal(format!("could not write {}: {e}", path.display()));
    let mut file = tokio::fs::File::create(&part).await.map_err(failed)?;
    while let Some(chunk) = chunks.recv().await {
        match chunk {
            Ok(text) => file.write_all(text.as_bytes()).await.map_err(failed)?,
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(&part).await;
                return Err(e);
            }
        }
    }
    file.flush().await.map_err(failed)?;
    drop(file);
    tokio::fs::rename(&part, path).await.map_err(failed)
}

/// `invoke("save_export", { id, kind, format, from, to, name })`: asks where, then writes the
/// export there; the path written, or `null` when cancelled. Bad arguments are refused before
/// the dialog opens.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_export<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    id: i64,
    kind: ExportKind,
    format: ExportFormat,
    from: i64,
    to: i64,
    name: String,
) -> Result<Option<String>, ApiError> {
    if from >= to {
        return Err(ApiError::invalid_field("from", "from must be before to"));
    }
    if engine
        .call(vigil_engine::api::GetProgram { id })
        .await
        .is_err()
    {
        return Err(ApiError::not_found(format!("no program with id {id}")));
    }
    let Some(path) = ask_where(&app, &name).await? else {
        return Ok(None);
    };
    let req = ExportRequest {
        id,
        kind,
        format,
        from,
        to,
    };
    write_export(&engine, req, &path).await?;
    Ok(Some(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn text_is_written_whole_and_replaces_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.log");
        std::fs::write(&path, "old").unwrap();
        write_text(&path, "line 1\nline 2\n").await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "line 1\nline 2\n");
        assert!(
            !path.with_extension("part").exists(),
            "no temporary file is left"
        );
        let err = write_text(&dir.path().join("no/such/dir/x.log"), "x")
            .await
            .unwrap_err();
        assert!(err.message.contains("could not write"), "{err:?}");
    }

    #[tokio::test]
    async fn an_export_streams_into_the_file_and_a_refused_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::start(vigil_engine::EngineConfig::new(dir.path().join("data")))
            .await
            .unwrap();
        let p = engine
            .call(vigil_engine::NewProgram {
                name: "exported".into(),
                path: std::env::current_exe().unwrap().display().to_string(),
                launch: false,
                ..vigil_engine::NewProgram::default()
            })
            .await
            .unwrap();
        let path = dir.path().join("events.csv");
        let req = |from, to| ExportRequest {
            id: p.id,
            kind: ExportKind::Events,
            format: ExportFormat::Csv,
            from,
            to,
        };
        write_export(&engine, req(0, i64::MAX / 2), &path)
            .await
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("id,ts,kind,message\n"), "{text}");
        assert!(text.contains("program_added"), "{text}");
        let bad = dir.path().join("bad.csv");
        let err = write_export(&engine, req(10, 5), &bad).await.unwrap_err();
        assert_eq!(err.code, vigil_engine::ErrorCode::InvalidInput);
        assert!(!bad.exists() && !bad.with_extension("part").exists());
        engine.stop().await;
    }
}
