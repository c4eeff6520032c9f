use std::path::Path;

use serde::Deserialize;
use vigil_core::{ApiError, NewProgram, Program, ProgramId};

use crate::{Engine, Request, now_ms, platform};

/// Lists every registered program.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListPrograms {}

impl Request for ListPrograms {
    type Response = Vec<Program>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Program>, ApiError> {
        engine.read(vigil_store::list_programs).await
    }
}

/// Reads one program.
#[derive(Debug, Clone, Deserialize)]
pub struct GetProgram {
    /// The program's id.
    pub id: ProgramId,
}

impl Request for GetProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        engine
            .read(move |c| vigil_store::get_program(c, self.id))
            .await
    }
}

/// Unregisters a program; returns what was removed.
#[derive(Debug, Clone, Deserialize)]
pub struct RemoveProgram {
    /// The program's id.
    pub id: ProgramId,
}

impl Request for RemoveProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        engine
            .write(move |tx| vigil_store::delete_program(tx, self.id, now_ms()))
            .await
    }
}

/// Registers a program: text rules from core, then the file system checks, then one write.
impl Request for NewProgram {
    type Response = Program;

    async fn handle(self, engine: &Engine) -> Result<Program, ApiError> {
        let program = self.validate()?;
        let program = tokio::task::spawn_blocking(move || check_files(&program).map(|()| program))
            .await
            .map_err(|e| ApiError::internal(format!("path check failed: {e}")))??;
        engine
            .write(move |tx| vigil_store::insert_program(tx, &program, now_ms()))
            .await
    }
}

fn check_files(p: &NewProgram) -> Result<(), ApiError> {
    let meta = std::fs::metadata(&p.path)
        .map_err(|e| ApiError::invalid(format!("path {:?} cannot be used: {e}", p.path)))?;
    if meta.is_dir() {
        return Err(ApiError::invalid(format!(
            "path {:?} is a directory, not an executable",
            p.path
        )));
    }
    if !platform::is_executable(&meta) {
        return Err(ApiError::invalid(format!(
            "path {:?} is not executable",
            p.path
        )));
    }
    if let Some(cwd) = &p.cwd
        && !Path::new(cwd).is_dir()
    {
        return Err(ApiError::invalid(format!(
            "cwd {cwd:?} is not an existing directory"
        )));
    }
    Ok(())
}
