//! The job runner's state: the jobs (cached from the store), the runs in flight, the global
//! concurrency limit, and run output files.

mod output;
mod runner;
pub mod scheduler;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{Semaphore, oneshot, watch};
use vigil_core::sync::{lock, read};
use vigil_core::{Job, JobId, RunId};

pub(crate) use output::RunOutput;
pub(crate) use runner::{RunRequest, interrupt_leftovers, start};

/// One run in flight.
pub(crate) struct InFlight {
    pub(crate) job_id: JobId,
    pub(crate) cancel: Option<oneshot::Sender<Cancel>>,
    pub(crate) output: Arc<RunOutput>,
}

/// Why a run is being stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cancel {
    /// A person cancelled it, or a newer run replaced it.
    Requested,
    /// Vigil is shutting down.
    Shutdown,
}

/// Everything the runner shares.
pub(crate) struct JobsState {
    pub(crate) jobs: RwLock<HashMap<JobId, Job>>,
    pub(crate) running: Mutex<HashMap<RunId, InFlight>>,
    pub(crate) slots: Arc<Semaphore>,
    /// Bumped whenever a run ends, so queued runs of the same job can look again.
    pub(crate) ended: watch::Sender<u64>,
    pub(crate) max_output: std::sync::atomic::AtomicU64,
    /// The concurrency limit the semaphore was last sized to.
    concurrency: Mutex<usize>,
    /// Per job, the instant its schedule counts from: when it was loaded or last saved. Set by
    /// the saver before it answers, so a fire right after a save is never missed.
    pub(crate) scheduled_from: Mutex<HashMap<JobId, chrono::DateTime<chrono::Utc>>>,
    /// Cancels asked for runs not in flight yet.
    pub(crate) cancel_pending: Mutex<std::collections::HashSet<RunId>>,
}

impl JobsState {
    pub(crate) fn new(concurrency: usize, max_output: u64) -> Self {
        Self {
            jobs: RwLock::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            ended: watch::channel(0).0,
            max_output: std::sync::atomic::AtomicU64::new(max_output),
            concurrency: Mutex::new(concurrency.max(1)),
            scheduled_from: Mutex::new(HashMap::new()),
            cancel_pending: Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// Changes the concurrency limit (the settings): a higher one frees slots at once, a lower
    /// one takes slots back as running runs end (none is cancelled).
    pub(crate) fn set_concurrency(&self, limit: usize) {
        let limit = limit.max(1);
        let mut current = lock(&self.concurrency);
        if limit > *current {
            self.slots.add_permits(limit - *current);
        } else if limit < *current {
            let surplus = (*current - limit) as u32;
            let slots = self.slots.clone();
            tokio::spawn(async move {
                if let Ok(taken) = slots.acquire_many_owned(surplus).await {
                    taken.forget();
                }
            });
        }
        *current = limit;
    }

    /// Records that `job`'s schedule counts from `at`.
    pub(crate) fn schedule_from(&self, job: &str, at: chrono::DateTime<chrono::Utc>) {
        {
            let mut s = lock(&self.scheduled_from);
            s.insert(job.to_owned(), at);
        }
    }

    pub(crate) fn job(&self, id: &str) -> Option<Job> {
        read(&self.jobs).get(id).cloned()
    }

    pub(crate) fn all(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = read(&self.jobs).values().cloned().collect();
        jobs.sort_by(|a, b| a.id.cmp(&b.id));
        jobs
    }

    /// Asks a run to stop. A run in flight is told at once; a run still waiting (behind its
    /// dependencies or an overlap queue) is marked, and ends as cancelled when it looks next.
    ///
    /// The pending mark is set while the live table is locked, and a run registers itself in
    /// that table (in `claim`) only after looking for a mark under the same lock, so a cancel
    /// can never fall between the two.
    pub(crate) fn cancel(&self, run: RunId, why: Cancel) {
        let sender = {
            let mut running = lock(&self.running);
            let sender = running.get_mut(&run).and_then(|r| r.cancel.take());
            if sender.is_none() && !running.contains_key(&run) {
                lock(&self.cancel_pending).insert(run);
            }
            sender
        };
        match sender {
            Some(s) => {
                let _ = s.send(why);
            }
            // Wake waiting runs so they see it.
            None => self.ended.send_modify(|n| *n += 1),
        }
    }

    /// Takes a pending cancel of a run that was not in flight when it was asked for.
    pub(crate) fn take_pending_cancel(&self, run: RunId) -> bool {
        lock(&self.cancel_pending).remove(&run)
    }

    pub(crate) fn output(&self, run: RunId) -> Option<Arc<RunOutput>> {
        lock(&self.running).get(&run).map(|r| r.output.clone())
    }
}

/// The default limit on concurrent runs: two per core, at most 16, at least 2. Runs are mostly
/// waiting on I/O; the limit keeps a burst of schedules from starving the PC.
pub fn default_concurrency() -> usize {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    (cores * 2).clamp(2, 16)
}
