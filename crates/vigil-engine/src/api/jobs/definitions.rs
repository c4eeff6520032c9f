//! Jobs: list, read, create, replace, delete.

#[allow(unused_imports)]
use super::*;

/// Every job, by id.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListJobs {}

impl Request for ListJobs {
    type Response = Vec<Job>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Job>, ApiError> {
        Ok(engine.jobs().all())
    }
}

/// One job.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetJob {
    /// The job's id.
    pub id: JobId,
}

impl Request for GetJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        engine
            .jobs()
            .job(&self.id)
            .ok_or_else(|| ApiError::not_found(format!("no job {:?}", self.id)))
    }
}

/// Saves a job (create, or replace when `replace`) from its JSON definition: a template it
/// `extends` is applied first, then the job is validated alone, then with every other job
/// (unknown ids, cycles), then written; nothing is stored half-way.
#[derive(Debug, Clone)]
pub struct SaveJob {
    /// The job's definition as sent (a [`Job`], possibly partial when it extends a template).
    pub definition: Value,
    /// Replace an existing job with this id (PUT) rather than create a new one (POST).
    pub replace: bool,
}

impl SaveJob {
    /// Saving a complete job.
    pub fn job(job: &Job, replace: bool) -> Self {
        Self {
            definition: serde_json::to_value(job).unwrap_or_default(),
            replace,
        }
    }
}

/// Applies a template (if the definition extends one) and reads the result as a job.
pub(super) fn resolve(engine: &Engine, definition: Value) -> Result<Job, ApiError> {
    let templates = engine
        .jobs()
        .all()
        .into_iter()
        .filter(|j| j.template)
        .map(|j| (j.id.clone(), serde_json::to_value(&j).unwrap_or_default()))
        .collect();
    let resolved = vigil_core::resolve_template(definition, &templates)?;
    let job: Job = serde_json::from_value(resolved)
        .map_err(|e| ApiError::invalid(format!("invalid job: {e}")))?;
    job.validate()
}

impl Request for SaveJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        let job = resolve(engine, self.definition)?;
        if !self.replace && engine.jobs().job(&job.id).is_some() {
            return Err(ApiError::conflict(format!(
                "a job with id {:?} already exists",
                job.id
            )));
        }
        let mut all: Vec<Job> = engine
            .jobs()
            .all()
            .into_iter()
            .filter(|j| j.id != job.id)
            .collect();
        all.push(job.clone());
        vigil_core::check_graph(&all)?;
        let saved = job.clone();
        let put = if self.replace {
            vigil_store::Put::Replace
        } else {
            vigil_store::Put::Create
        };
        engine
            .write(move |tx| {
                vigil_store::put_job(tx, &saved, put, now_ms())?;
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobSaved,
                    program_id: None,
                    job_id: Some(saved.id.clone()),
                    message: format!("job {:?} saved", saved.id),
                    detail: None,
                })
            })
            .await?;
        engine
            .jobs()
            .schedule_from(&job.id, engine.config().clock.now());
        {
            let mut jobs = vigil_core::sync::write(&engine.jobs().jobs);
            jobs.insert(job.id.clone(), job.clone());
        }
        engine.schedule_changed();
        Ok(job)
    }
}

/// Creates a job from its JSON definition (`POST /jobs`); refused when the id exists.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateJob(#[ts(type = "Job")] pub Value);

impl Request for CreateJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        SaveJob {
            definition: self.0,
            replace: false,
        }
        .handle(engine)
        .await
    }
}

/// Replaces the job with the definition's id (`PUT /jobs/{id}`).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateJob(#[ts(type = "Job")] pub Value);

impl Request for UpdateJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        SaveJob {
            definition: self.0,
            replace: true,
        }
        .handle(engine)
        .await
    }
}

/// Deletes a job (its runs stay in the history). Refused while other jobs refer to it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteJob {
    /// The job's id.
    pub id: JobId,
}

impl Request for DeleteJob {
    type Response = Job;

    async fn handle(self, engine: &Engine) -> Result<Job, ApiError> {
        let users: Vec<JobId> = engine
            .jobs()
            .all()
            .into_iter()
            .filter(|j| {
                j.depends_on
                    .iter()
                    .chain(&j.on_success)
                    .chain(&j.on_failure)
                    .any(|d| *d == self.id)
            })
            .map(|j| j.id)
            .collect();
        if !users.is_empty() {
            return Err(ApiError::conflict(format!(
                "job {:?} is used by {users:?}; change those first",
                self.id
            )));
        }
        let id = self.id.clone();
        let removed = engine
            .write(move |tx| {
                let job = vigil_store::delete_job(tx, &id)?;
                tx.event(NewEvent {
                    ts: now_ms(),
                    kind: EventKind::JobRemoved,
                    program_id: None,
                    job_id: Some(id.clone()),
                    message: format!("job {id:?} deleted"),
                    detail: None,
                })?;
                Ok(job)
            })
            .await?;
        {
            let mut jobs = vigil_core::sync::write(&engine.jobs().jobs);
            jobs.remove(&self.id);
        }
        engine.schedule_changed();
        Ok(removed)
    }
}
