//! Jobs as one file: export, and all-or-nothing import (also of the older jobs.json).

use super::definitions::resolve;
#[allow(unused_imports)]
use super::*;

/// Vigil's own file format for jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobsFile {
    /// Format version (1).
    pub vigil_jobs: u32,
    /// Every job, templates included.
    pub jobs: Vec<Job>,
}

/// Exports every job in Vigil's format.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ExportJobs {}

impl Request for ExportJobs {
    type Response = JobsFile;

    async fn handle(self, engine: &Engine) -> Result<JobsFile, ApiError> {
        Ok(JobsFile {
            vigil_jobs: 1,
            jobs: engine.jobs().all(),
        })
    }
}

/// Imports jobs, all or nothing: Vigil's format (`{"vigil_jobs": 1, "jobs": [...]}`) or the
/// older dashboard's `jobs.json` (`{"jobs": [...]}` or a bare array, with `command` as a shell
/// line and `execution.timeout` in milliseconds).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportJobs {
    /// The document.
    #[ts(type = "unknown")]
    pub document: Value,
    /// Replace jobs whose ids exist (otherwise such an id refuses the whole import).
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub replace: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// The ids imported.
    pub imported: Vec<JobId>,
}

/// Converts one job of the older `jobs.json` format to a Vigil definition.
fn from_legacy(v: &Value) -> Value {
    let mut job = serde_json::Map::new();
    for key in ["id", "name", "schedule", "enabled", "category", "tags"] {
        if let Some(x) = v.get(key) {
            job.insert(key.into(), x.clone());
        }
    }
    if let Some(cmd) = v.get("command") {
        job.insert("command".into(), cmd.clone());
        job.insert("shell".into(), Value::Bool(true));
    }
    let options: Vec<Value> = v
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| {
            let flag = o.get("flag").and_then(Value::as_str);
            let name = o
                .get("arg")
                .and_then(Value::as_str)
                .or_else(|| flag.map(|f| f.trim_start_matches('-')))
                .or_else(|| o.get("label").and_then(Value::as_str))
                .unwrap_or("option");
            serde_json::json!({
                "name": name,
                "label": o.get("label").cloned().unwrap_or(Value::Null).as_str().unwrap_or(name),
                "type": o.get("type").cloned().unwrap_or(Value::String("string".into())),
                "flag": flag,
                "choices": o.get("choices").cloned().unwrap_or(Value::Array(Vec::new())),
                "default": o.get("default").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    job.insert("options".into(), Value::Array(options));
    if let Some(e) = v.get("execution") {
        let ms = |k: &str| e.get(k).and_then(Value::as_u64);
        let mut exec = serde_json::Map::new();
        if let Some(t) = ms("timeout") {
            exec.insert("timeout_secs".into(), Value::from(t.div_ceil(1000).max(1)));
        }
        if let Some(r) = ms("maxRetries") {
            exec.insert("retries".into(), Value::from(r));
        }
        if let Some(d) = ms("retryDelay") {
            exec.insert("retry_delay_ms".into(), Value::from(d));
        }
        if let Some(b) = e.get("backoff") {
            exec.insert("backoff".into(), b.clone());
        }
        job.insert("execution".into(), Value::Object(exec));
    }
    Value::Object(job)
}

impl ImportJobs {
    /// The document's job definitions, each of the older format converted to Vigil's, before
    /// templates are applied. Public so the fuzz targets reach the parsing an uploaded file meets.
    pub fn definitions(&self) -> Result<Vec<Value>, ApiError> {
        let (items, legacy) = match &self.document {
            Value::Object(o) if o.contains_key("vigil_jobs") => (o.get("jobs"), false),
            Value::Object(o) => (o.get("jobs"), true),
            Value::Array(_) => (Some(&self.document), true),
            _ => (None, false),
        };
        let items = items.and_then(Value::as_array).ok_or_else(|| {
            ApiError::invalid(
                "expected {\"vigil_jobs\": 1, \"jobs\": [...]}, {\"jobs\": [...]} or an array of jobs",
            )
        })?;
        Ok(items
            .iter()
            .map(|item| {
                if legacy {
                    from_legacy(item)
                } else {
                    item.clone()
                }
            })
            .collect())
    }
}

impl Request for ImportJobs {
    type Response = ImportReport;

    async fn handle(self, engine: &Engine) -> Result<ImportReport, ApiError> {
        let definitions = self.definitions()?;
        let mut jobs = Vec::with_capacity(definitions.len());
        for (i, definition) in definitions.into_iter().enumerate() {
            let job = resolve(engine, definition).map_err(|e| {
                ApiError::invalid(format!("job {} of the file: {}", i + 1, e.message))
            })?;
            if jobs.iter().any(|j: &Job| j.id == job.id) {
                return Err(ApiError::invalid(format!(
                    "the file has job {:?} twice",
                    job.id
                )));
            }
            jobs.push(job);
        }
        let existing = engine.jobs().all();
        if !self.replace
            && let Some(clash) = jobs.iter().find(|j| existing.iter().any(|e| e.id == j.id))
        {
            return Err(ApiError::conflict(format!(
                "job {:?} already exists; import with replace to overwrite",
                clash.id
            )));
        }
        let mut all: Vec<Job> = existing
            .into_iter()
            .filter(|e| !jobs.iter().any(|j| j.id == e.id))
            .collect();
        all.extend(jobs.iter().cloned());
        vigil_core::check_graph(&all)?;
        let to_write = jobs.clone();
        engine
            .write(move |tx| {
                for job in &to_write {
                    vigil_store::put_job(tx, job, vigil_store::Put::Upsert, now_ms())?;
                }
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobSaved,
                    program_id: None,
                    job_id: None,
                    message: format!("{} jobs imported", to_write.len()),
                    detail: None,
                })
            })
            .await?;
        let now = engine.config().clock.now();
        for j in &jobs {
            engine.jobs().schedule_from(&j.id, now);
        }
        {
            let mut map = vigil_core::sync::write(&engine.jobs().jobs);
            for j in &jobs {
                map.insert(j.id.clone(), j.clone());
            }
        }
        engine.schedule_changed();
        Ok(ImportReport {
            imported: jobs.into_iter().map(|j| j.id).collect(),
        })
    }
}
