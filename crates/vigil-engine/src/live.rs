//! What each program is doing right now, as the supervisor and the monitor last saw it. Served
//! from memory: reading it never touches the database.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use vigil_core::sync::lock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vigil_core::ProgramId;

use crate::monitor::ProcSample;

/// Samples kept in memory per program for live charts (ten minutes at 1 Hz).
const RECENT: usize = 600;

/// A program's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgramState {
    /// Not running.
    Stopped,
    /// Running (launched by Vigil, or found running).
    Running,
    /// Exited; Vigil restarts it after a backoff delay.
    Waiting,
    /// Vigil gave up restarting it (crash loop) or could not start it.
    Errored,
}

/// One process of a running program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProcessStatus {
    /// OS process id.
    pub pid: u32,
    /// Start time, unix seconds.
    #[ts(type = "number")]
    pub started: u64,
    /// CPU, percent of one core.
    pub cpu_percent: f64,
    /// Resident memory, bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
}

/// A program's live status, for dashboards and `vigil programs ls`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProgramStatus {
    /// The program.
    #[ts(type = "number")]
    pub program_id: ProgramId,
    /// What it is doing.
    pub state: ProgramState,
    /// Its processes, main process first.
    pub processes: Vec<ProcessStatus>,
    /// Total CPU of its processes, percent of one core.
    pub cpu_percent: f64,
    /// Total resident memory, bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
    /// When the current run started, unix milliseconds.
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    /// Restarts by policy since Vigil started.
    pub restarts: u32,
    /// How the last run ended, in words.
    pub last_exit: Option<String>,
    /// Recent samples for a sparkline: `[unix_ms, cpu_percent, memory_bytes]`, oldest first.
    #[ts(type = "Array<[number, number, number]>")]
    pub recent: Vec<(i64, f64, u64)>,
}

impl ProgramStatus {
    fn new(program_id: ProgramId) -> Self {
        Self {
            program_id,
            state: ProgramState::Stopped,
            processes: Vec::new(),
            cpu_percent: 0.0,
            memory_bytes: 0,
            since: None,
            restarts: 0,
            last_exit: None,
            recent: Vec::new(),
        }
    }
}

#[derive(Default)]
struct Entry {
    status: Option<ProgramStatus>,
    recent: VecDeque<(i64, f64, u64)>,
}

/// The table of live statuses.
#[derive(Default)]
pub(crate) struct LiveTable {
    entries: Mutex<HashMap<ProgramId, Entry>>,
}

impl LiveTable {
    /// Changes one program's status in place.
    pub(crate) fn update(&self, id: ProgramId, f: impl FnOnce(&mut ProgramStatus)) {
        {
            let mut map = lock(&self.entries);
            let entry = map.entry(id).or_default();
            f(entry.status.get_or_insert_with(|| ProgramStatus::new(id)));
        }
    }

    /// Records one sweep's processes for a program.
    pub(crate) fn measure(&self, id: ProgramId, ts_ms: i64, procs: &[ProcSample]) {
        let cpu: i64 = procs.iter().map(|p| p.cpu_permille).sum();
        let mem: i64 = procs.iter().map(|p| p.mem_kib).sum();
        let cpu_percent = cpu as f64 / 10.0;
        let memory_bytes = u64::try_from(mem).unwrap_or(0) * 1024;
        {
            let mut map = lock(&self.entries);
            let entry = map.entry(id).or_default();
            let status = entry.status.get_or_insert_with(|| ProgramStatus::new(id));
            status.processes = procs
                .iter()
                .map(|p| ProcessStatus {
                    pid: p.id.pid,
                    started: p.id.start,
                    cpu_percent: p.cpu_permille as f64 / 10.0,
                    memory_bytes: u64::try_from(p.mem_kib).unwrap_or(0) * 1024,
                })
                .collect();
            status.cpu_percent = cpu_percent;
            status.memory_bytes = memory_bytes;
            if entry.recent.len() == RECENT {
                entry.recent.pop_front();
            }
            entry.recent.push_back((ts_ms, cpu_percent, memory_bytes));
        }
    }

    /// One program's status with its recent samples (the last `recent` of them).
    pub(crate) fn get(&self, id: ProgramId, recent: usize) -> ProgramStatus {
        let map = lock(&self.entries);
        let Some(entry) = map.get(&id) else {
            return ProgramStatus::new(id);
        };
        let mut status = entry
            .status
            .clone()
            .unwrap_or_else(|| ProgramStatus::new(id));
        let skip = entry.recent.len().saturating_sub(recent);
        status.recent = entry.recent.iter().skip(skip).copied().collect();
        status
    }

    /// Forgets a removed program.
    pub(crate) fn remove(&self, id: ProgramId) {
        {
            let mut map = lock(&self.entries);
            map.remove(&id);
        }
    }
}
