//! Vigil's SQLite store.
//!
//! Architecture Invariant: exactly one thread writes. Every change goes through [`Writer`] as a
//! command on a bounded channel; the writer thread runs the commands that are waiting in one
//! transaction (each in its own savepoint, so one failing command changes nothing and does not
//! spoil the others), commits, and only then hands the committed events to the publish hook.
//! Readers use their own connections from a small pool. Every connection gets the same pragmas.

mod conn;
mod error;
mod jobs;
mod migrations;
mod outbox;
mod plugins;
mod queries;
mod retention;
mod samples;
mod writer;

use std::path::{Path, PathBuf};

pub use error::StoreError;
pub use jobs::{
    Finished, Put, RunFilter, RunRow, count_runs_since, delete_job, delete_trigger, failing_jobs,
    get_job, get_run, insert_run, insert_trigger, job_history, last_runs, last_scheduled,
    list_jobs, list_runs, open_runs, put_job, recent_durations, recent_failures, run_finished,
    run_started, trigger_secrets, trigger_used,
};
pub use migrations::SCHEMA_VERSION;
pub use outbox::{
    AttemptOutcome, DeliveryFilter, Due, Routing, delete_endpoint, delete_rule, delivery_counts,
    due_deliveries, get_delivery, get_endpoint, list_deliveries, list_endpoints, list_rules,
    next_due_at, put_endpoint, put_rule, record_attempt, replay,
};
pub use plugins::{
    action_runs, check_history, check_metrics, delete_action, delete_check, get_check,
    latest_check_results, list_actions, list_checks, prune_check_history, put_action, put_check,
    record_action_run, record_check_result,
};
pub use queries::{
    delete_program, events_since, for_each_program_event, get_program, get_setting, insert_program,
    last_event_id, list_programs, program_count, program_events, put_setting, update_program,
};
pub use retention::{
    HistoryRetention, PRUNE_BATCH, Pruned, launched_ended, launched_leftovers, launched_of,
    launched_started, prune_history,
};
pub use rusqlite::Connection;
pub use samples::{
    Resolution, Retention, Rollup, Sample, for_each_rollup, for_each_sample, insert_samples, prune,
};
pub use writer::{PublishHook, Tx, Writer};

use conn::ReadPool;

/// File name of the database inside a data directory.
pub const DB_FILE: &str = "vigil.db";

/// An open store: the writer handle and the reader pool over one database file.
pub struct Store {
    writer: Writer,
    readers: ReadPool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, migrates it to the current schema
    /// all-or-nothing, and starts the writer thread. `publish` is called on the writer thread
    /// with each batch of events right after their transaction commits.
    ///
    /// Refuses a database whose schema is newer than this binary knows, without touching it.
    pub fn open(path: &Path, publish: PublishHook) -> Result<Self, StoreError> {
        Self::open_routed(path, publish, Routing::default())
    }

    /// Like [`Store::open`], saying which notification channels exist.
    pub fn open_routed(
        path: &Path,
        publish: PublishHook,
        routing: Routing,
    ) -> Result<Self, StoreError> {
        let mut conn = conn::open(path)?;
        migrations::migrate(&mut conn)?;
        let writer = writer::spawn(conn, publish, routing)?;
        Ok(Self {
            writer,
            readers: ReadPool::new(path.to_owned()),
            path: path.to_owned(),
        })
    }

    /// The handle through which every change is made; cheap to clone.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Runs `f` on a reader connection. Blocking: call it from a blocking context.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.readers.with(f)
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
