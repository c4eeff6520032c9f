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

/// Samples included in a status's `recent` list (two minutes at 1 Hz).
pub(crate) const STATUS_RECENT: usize = 120;

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
    /// What its checks say: the worst of their latest answers; `null` when it has no checks.
    #[serde(default)]
    pub health: Option<vigil_core::ProgramHealth>,
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
            health: None,
        }
    }
}

#[derive(Default)]
struct Entry {
    status: Option<ProgramStatus>,
    recent: VecDeque<(i64, f64, u64)>,
    /// Samples ever pushed: a watcher's position, whatever the wall clock does.
    pushed: u64,
    /// The table's clock when this entry last changed in a way a watcher sees.
    version: u64,
}

#[derive(Default)]
struct Table {
    entries: HashMap<ProgramId, Entry>,
    clock: u64,
}

impl Table {
    fn touch(&mut self, id: ProgramId) {
        self.clock += 1;
        let clock = self.clock;
        self.entries.entry(id).or_default().version = clock;
    }
}

/// Statuses pushed to a watcher: all of them first (`full`), then after each sweep or state
/// change only the programs that changed, each with the samples it has not seen yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusUpdate {
    /// This replaces everything the watcher had (the first update, and after a lag).
    pub full: bool,
    /// Changed programs, whole, with `recent` holding only samples newer than the last update.
    pub statuses: Vec<ProgramStatus>,
    /// Programs removed since the last update.
    #[ts(type = "Array<number>")]
    pub removed: Vec<ProgramId>,
}

/// What one watcher has seen: per program, the version and how many samples.
#[derive(Debug, Default)]
pub(crate) struct StatusCursor {
    seen: HashMap<ProgramId, (u64, u64)>,
    started: bool,
}

/// The table of live statuses.
pub(crate) struct StatusTable {
    table: Mutex<Table>,
    published: tokio::sync::watch::Sender<u64>,
}

impl Default for StatusTable {
    fn default() -> Self {
        Self {
            table: Mutex::default(),
            published: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl StatusTable {
    /// Changes one program's status in place; watchers hear of it at once if it changed.
    pub(crate) fn update(&self, id: ProgramId, f: impl FnOnce(&mut ProgramStatus)) {
        let changed = {
            let mut table = lock(&self.table);
            let entry = table.entries.entry(id).or_default();
            let fresh = entry.status.is_none();
            let status = entry.status.get_or_insert_with(|| ProgramStatus::new(id));
            let before = status.clone();
            f(status);
            let changed = fresh || *status != before;
            if changed {
                table.touch(id);
            }
            changed
        };
        if changed {
            self.publish();
        }
    }

    /// Records one sweep's processes for a program. Watchers hear of it at [`Self::publish`],
    /// once per sweep.
    pub(crate) fn measure(&self, id: ProgramId, ts_ms: i64, procs: &[ProcSample]) {
        let cpu: i64 = procs.iter().map(|p| p.cpu_permille).sum();
        let mem: i64 = procs.iter().map(|p| p.mem_kib).sum();
        let cpu_percent = cpu as f64 / 10.0;
        let memory_bytes = u64::try_from(mem).unwrap_or(0) * 1024;
        {
            let mut table = lock(&self.table);
            let entry = table.entries.entry(id).or_default();
            let status = entry.status.get_or_insert_with(|| ProgramStatus::new(id));
            let idle_before = status.processes.is_empty();
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
            entry.pushed += 1;
            // A program with no processes before and none now has nothing new to show.
            if !(idle_before && procs.is_empty()) {
                table.touch(id);
            }
        }
    }

    /// Tells watchers that a sweep's measurements are in.
    pub(crate) fn publish(&self) {
        self.published.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes when something was published.
    pub(crate) fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.published.subscribe()
    }

    /// What `cursor` has not seen, for the programs `ids` (sorted): everything the
    /// first time (with the last `first_recent` samples), then only what changed.
    pub(crate) fn changes(
        &self,
        ids: &[ProgramId],
        cursor: &mut StatusCursor,
        first_recent: usize,
    ) -> StatusUpdate {
        let full = !cursor.started;
        cursor.started = true;
        let table = lock(&self.table);
        let mut statuses = Vec::new();
        for &id in ids {
            let entry = table.entries.get(&id);
            let version = entry.map_or(0, |e| e.version);
            let seen = cursor.seen.get(&id).copied();
            if !full && seen.is_some_and(|(v, _)| v >= version) {
                continue;
            }
            let mut status = entry
                .and_then(|e| e.status.clone())
                .unwrap_or_else(|| ProgramStatus::new(id));
            let pushed = entry.map_or(0, |e| e.pushed);
            let recent: Vec<(i64, f64, u64)> = match (entry, seen) {
                (None, _) => Vec::new(),
                (Some(e), Some((_, had))) if !full => {
                    // Only the samples pushed since, counted, not dated: a clock set back
                    // must not hide new samples.
                    let new = usize::try_from(e.pushed.saturating_sub(had)).unwrap_or(usize::MAX);
                    let skip = e.recent.len().saturating_sub(new);
                    e.recent.iter().skip(skip).copied().collect()
                }
                (Some(e), _) => {
                    let skip = e.recent.len().saturating_sub(first_recent);
                    e.recent.iter().skip(skip).copied().collect()
                }
            };
            status.recent = recent;
            cursor.seen.insert(id, (version, pushed));
            statuses.push(status);
        }
        let removed: Vec<ProgramId> = cursor
            .seen
            .keys()
            .filter(|id| ids.binary_search(id).is_err())
            .copied()
            .collect();
        for id in &removed {
            cursor.seen.remove(id);
        }
        StatusUpdate {
            full,
            statuses,
            removed,
        }
    }

    /// One program's status with its recent samples (the last `recent` of them).
    pub(crate) fn get(&self, id: ProgramId, recent: usize) -> ProgramStatus {
        let table = lock(&self.table);
        let Some(entry) = table.entries.get(&id) else {
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

    /// Which program each watched or launched process belongs to now (PID -> program).
    pub(crate) fn owners(&self) -> HashMap<u32, ProgramId> {
        let table = lock(&self.table);
        table
            .entries
            .iter()
            .filter_map(|(id, e)| Some((*id, e.status.as_ref()?)))
            .flat_map(|(id, s)| s.processes.iter().map(move |p| (p.pid, id)))
            .collect()
    }

    /// Forgets a removed program.
    pub(crate) fn remove(&self, id: ProgramId) {
        lock(&self.table).entries.remove(&id);
        self.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{ProcId, ProcSample};

    fn sample(cpu: i64) -> ProcSample {
        ProcSample {
            id: ProcId { pid: 7, start: 1 },
            cpu_permille: cpu,
            mem_kib: 10,
        }
    }

    #[test]
    fn a_watcher_gets_everything_once_then_only_what_is_new_even_when_the_clock_goes_back() {
        let table = StatusTable::default();
        let mut cursor = StatusCursor::default();
        table.measure(1, 5_000, &[sample(10)]);
        table.measure(1, 6_000, &[sample(20)]);
        let first = table.changes(&[1, 2], &mut cursor, 120);
        assert!(first.full);
        assert_eq!(first.statuses.len(), 2, "every program, measured or not");
        assert_eq!(first.statuses[0].recent.len(), 2);
        let nothing = table.changes(&[1, 2], &mut cursor, 120);
        assert!(!nothing.full && nothing.statuses.is_empty() && nothing.removed.is_empty());
        // The wall clock was set back an hour: the new sample still travels.
        table.measure(1, 6_000 - 3_600_000, &[sample(30)]);
        let delta = table.changes(&[1, 2], &mut cursor, 120);
        assert_eq!(delta.statuses.len(), 1);
        assert_eq!(
            delta.statuses[0].recent,
            vec![(6_000 - 3_600_000, 3.0, 10 * 1024)]
        );
        // Program 2 removed.
        let gone = table.changes(&[1], &mut cursor, 120);
        assert_eq!(gone.removed, vec![2]);
        // A state change with no new sample carries no samples.
        table.update(1, |s| s.restarts += 1);
        let changed = table.changes(&[1], &mut cursor, 120);
        assert_eq!(changed.statuses.len(), 1);
        assert!(changed.statuses[0].recent.is_empty());
        assert_eq!(changed.statuses[0].restarts, 1);
    }
}
