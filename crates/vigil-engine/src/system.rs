//! The machine as a whole and its processes, read on request: the system page, the process
//! picker of the register form, a watched program's stop confirmation.
//!
//! One `sysinfo` view is kept between requests (so CPU and network figures are differences
//! since the previous look) and is never touched by the monitor's sweeps: an unopened system
//! page costs nothing, an open one costs one process-table read per poll, and answers younger
//! than [`FRESH_FOR`] are shared by every client asking.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sysinfo::{Disks, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
use ts_rs::TS;
use vigil_core::sync::lock;
use vigil_core::{ApiError, ProgramId};

/// One running process as the picker and the system page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProcessInfo {
    /// OS process id.
    pub pid: u32,
    /// Parent PID, where known.
    pub parent: Option<u32>,
    /// Process name.
    pub name: String,
    /// Executable path, where readable.
    pub exe: Option<String>,
    /// Command line, one element per argument (empty where unreadable).
    pub cmd: Vec<String>,
    /// CPU since the previous look, percent of one core.
    pub cpu_percent: f64,
    /// Resident memory, bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
    /// Start time, unix milliseconds.
    #[ts(type = "number")]
    pub started_at: i64,
    /// The registered program it belongs to now, if any.
    #[ts(type = "number | null")]
    pub program_id: Option<ProgramId>,
}

/// Memory and swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemoryInfo {
    /// Installed memory, bytes.
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// In use, bytes.
    #[ts(type = "number")]
    pub used_bytes: u64,
    /// Available to new work, bytes.
    #[ts(type = "number")]
    pub available_bytes: u64,
    /// Swap (page file) size, bytes.
    #[ts(type = "number")]
    pub swap_total_bytes: u64,
    /// Swap in use, bytes.
    #[ts(type = "number")]
    pub swap_used_bytes: u64,
}

/// One mounted disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiskInfo {
    /// Device name.
    pub name: String,
    /// Where it is mounted (a drive letter on Windows).
    pub mount: String,
    /// File system.
    pub fs: String,
    /// Size, bytes.
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// Free for use, bytes.
    #[ts(type = "number")]
    pub available_bytes: u64,
    /// A USB stick or similar.
    pub removable: bool,
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NetworkInfo {
    /// Interface name.
    pub name: String,
    /// Received since the previous look, bytes per second.
    pub rx_bytes_per_sec: f64,
    /// Sent since the previous look, bytes per second.
    pub tx_bytes_per_sec: f64,
    /// Received since boot, bytes.
    #[ts(type = "number")]
    pub rx_total_bytes: u64,
    /// Sent since boot, bytes.
    #[ts(type = "number")]
    pub tx_total_bytes: u64,
}

/// The machine at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SystemOverview {
    /// When it was read, unix milliseconds.
    #[ts(type = "number")]
    pub ts: i64,
    /// The machine's name.
    pub hostname: Option<String>,
    /// Operating system and version.
    pub os: Option<String>,
    /// Seconds since boot.
    #[ts(type = "number")]
    pub uptime_secs: u64,
    /// All cores together, percent.
    pub cpu_percent: f64,
    /// Per logical core, percent.
    pub cores: Vec<f64>,
    /// Memory and swap.
    pub memory: MemoryInfo,
    /// Mounted disks.
    pub disks: Vec<DiskInfo>,
    /// Network interfaces.
    pub networks: Vec<NetworkInfo>,
    /// How many processes run.
    pub process_count: u32,
    /// The busiest processes by CPU.
    pub top_cpu: Vec<ProcessInfo>,
    /// The largest processes by resident memory.
    pub top_memory: Vec<ProcessInfo>,
}

/// How many processes each top list shows.
pub const TOP: usize = 10;
/// An answer this young is given again instead of reading the machine again.
const FRESH_FOR: Duration = Duration::from_millis(900);
/// Without a look this recent, CPU figures would be meaningless: a first look is taken, then
/// the real one after sysinfo's minimum interval.
const PRIMED_FOR: Duration = Duration::from_secs(10);

struct State {
    system: System,
    disks: Option<Disks>,
    networks: Option<Networks>,
    looked: Option<Instant>,
    last: Option<(Instant, SystemOverview, Vec<ProcessInfo>)>,
}

/// The on-request view of the machine (see the module docs).
pub(crate) struct Probe {
    state: Mutex<Option<State>>,
}

fn kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .with_cpu()
        .with_memory()
        .with_exe(UpdateKind::OnlyIfNotSet)
        .with_cmd(UpdateKind::OnlyIfNotSet)
        .without_tasks()
}

fn text(s: &std::ffi::OsStr) -> String {
    s.to_string_lossy().into_owned()
}

/// The row of one sysinfo process.
fn info(pid: Pid, p: &sysinfo::Process, owners: &HashMap<u32, ProgramId>) -> ProcessInfo {
    ProcessInfo {
        pid: pid.as_u32(),
        parent: p.parent().map(Pid::as_u32),
        name: text(p.name()),
        exe: p.exe().map(|e| e.display().to_string()),
        cmd: p.cmd().iter().map(|a| text(a)).collect(),
        cpu_percent: (f64::from(p.cpu_usage()) * 10.0).round() / 10.0,
        memory_bytes: p.memory(),
        started_at: i64::try_from(p.start_time())
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000),
        program_id: owners.get(&pid.as_u32()).copied(),
    }
}

/// Busiest first: CPU, then memory, then PID (a stable order for equal rows).
fn by_cpu(a: &ProcessInfo, b: &ProcessInfo) -> std::cmp::Ordering {
    b.cpu_percent
        .total_cmp(&a.cpu_percent)
        .then(b.memory_bytes.cmp(&a.memory_bytes))
        .then(a.pid.cmp(&b.pid))
}

/// Whether a process's name, executable or command line holds `q` (case-insensitive), or `q`
/// is its PID.
#[cfg(test)]
pub(crate) fn process_matches(p: &ProcessInfo, q: &str) -> bool {
    matcher(q)(p)
}

/// The test of [`process_matches`] for one search, the query lowered once for every process.
pub(crate) fn matcher(q: &str) -> impl Fn(&ProcessInfo) -> bool {
    let q = q.to_lowercase();
    move |p| {
        p.name.to_lowercase().contains(&q)
            || p.exe
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains(&q))
            || p.cmd.join(" ").to_lowercase().contains(&q)
            || p.pid.to_string() == q
    }
}

impl Probe {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(None),
        }
    }

    /// Reads the machine (or hands out the answer of a moment ago): the overview and every
    /// process, busiest first, Vigil itself left out. Blocking: call it off the async threads.
    pub(crate) fn look(
        &self,
        owners: &HashMap<u32, ProgramId>,
    ) -> Result<(SystemOverview, Vec<ProcessInfo>), ApiError> {
        let mut guard = lock(&self.state);
        if guard.is_none() {
            let system = System::new()
                .map_err(|e| ApiError::internal(format!("cannot read the process table: {e}")))?;
            *guard = Some(State {
                system,
                disks: None,
                networks: None,
                looked: None,
                last: None,
            });
        }
        let Some(state) = guard.as_mut() else {
            return Err(ApiError::internal("the system view is missing"));
        };
        if let Some((at, overview, procs)) = &state.last
            && at.elapsed() < FRESH_FOR
        {
            let mut procs = procs.clone();
            for p in &mut procs {
                p.program_id = owners.get(&p.pid).copied();
            }
            return Ok((overview.clone(), procs));
        }
        let primed = state.looked.is_some_and(|t| t.elapsed() < PRIMED_FOR);
        if !primed {
            state.system.refresh_cpu_usage();
            state
                .system
                .refresh_processes_specifics(ProcessesToUpdate::All, true, kind());
            if let Some(n) = state.networks.as_mut() {
                n.refresh(true);
            }
            std::thread::sleep(
                sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.max(Duration::from_millis(200)),
            );
        }
        let since = state.looked.map_or(Duration::from_secs(1), |t| t.elapsed());
        let now = Instant::now();
        state.system.refresh_cpu_usage();
        state.system.refresh_memory();
        state
            .system
            .refresh_processes_specifics(ProcessesToUpdate::All, true, kind());
        match state.disks.as_mut() {
            Some(d) => d.refresh(true),
            None => state.disks = Disks::new_with_refreshed_list().ok(),
        }
        let fresh_networks = state.networks.is_none();
        match state.networks.as_mut() {
            Some(n) if primed => n.refresh(true),
            Some(_) => {}
            None => state.networks = Networks::new_with_refreshed_list().ok(),
        }
        let secs = if primed {
            since.as_secs_f64().max(0.001)
        } else {
            sysinfo::MINIMUM_CPU_UPDATE_INTERVAL
                .max(Duration::from_millis(200))
                .as_secs_f64()
        };
        state.looked = Some(now);
        let own = std::process::id();
        let sys = &state.system;
        let mut procs: Vec<ProcessInfo> = sys
            .processes()
            .iter()
            .filter(|(pid, p)| {
                pid.as_u32() != own && p.thread_kind().is_none() && !crate::monitor::ended(p)
            })
            .map(|(pid, p)| info(*pid, p, owners))
            .collect();
        procs.sort_by(by_cpu);
        // The largest by memory: an order of references, only the top ones copied.
        let mut by_memory: Vec<&ProcessInfo> = procs.iter().collect();
        by_memory.sort_by(|a, b| b.memory_bytes.cmp(&a.memory_bytes).then(a.pid.cmp(&b.pid)));
        let by_memory: Vec<ProcessInfo> = by_memory.into_iter().take(TOP).cloned().collect();
        let round = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
        let mut net: Vec<NetworkInfo> = state
            .networks
            .iter()
            .flat_map(|n| n.iter())
            .map(|(name, n)| NetworkInfo {
                name: text(name),
                rx_bytes_per_sec: if fresh_networks {
                    0.0
                } else {
                    n.received() as f64 / secs
                },
                tx_bytes_per_sec: if fresh_networks {
                    0.0
                } else {
                    n.transmitted() as f64 / secs
                },
                rx_total_bytes: n.total_received(),
                tx_total_bytes: n.total_transmitted(),
            })
            .collect();
        net.sort_by(|a, b| a.name.cmp(&b.name));
        let overview = SystemOverview {
            ts: crate::now_ms(),
            hostname: System::host_name().ok(),
            os: System::long_os_version().ok(),
            uptime_secs: System::uptime().unwrap_or(0),
            cpu_percent: round(sys.global_cpu_usage()),
            cores: sys.cpus().iter().map(|c| round(c.usage())).collect(),
            memory: MemoryInfo {
                total_bytes: sys.total_memory(),
                used_bytes: sys.used_memory(),
                available_bytes: sys.available_memory(),
                swap_total_bytes: sys.total_swap(),
                swap_used_bytes: sys.used_swap(),
            },
            disks: state
                .disks
                .iter()
                .flat_map(|d| d.iter())
                .map(|d| DiskInfo {
                    name: text(d.name()),
                    mount: d.mount_point().display().to_string(),
                    fs: text(d.file_system()),
                    total_bytes: d.total_space(),
                    available_bytes: d.available_space(),
                    removable: d.is_removable(),
                })
                .collect(),
            networks: net,
            process_count: u32::try_from(procs.len()).unwrap_or(u32::MAX),
            top_cpu: procs.iter().take(TOP).cloned().collect(),
            top_memory: by_memory,
        };
        state.last = Some((now, overview.clone(), procs.clone()));
        Ok((overview, procs))
    }
}

/// A program's processes as rows: the monitor's figures (CPU, memory, start) with the name,
/// executable and command line read for just these PIDs (no full process-table read). A PID
/// that is gone, or now belongs to another process, is left out. Blocking.
pub(crate) fn describe(
    program: ProgramId,
    procs: &[crate::statuses::ProcessStatus],
) -> Vec<ProcessInfo> {
    let Ok(mut sys) = System::new() else {
        return Vec::new();
    };
    let list: Vec<Pid> = procs.iter().map(|p| Pid::from_u32(p.pid)).collect();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&list),
        true,
        ProcessRefreshKind::nothing()
            .with_exe(UpdateKind::OnlyIfNotSet)
            .with_cmd(UpdateKind::OnlyIfNotSet)
            .without_tasks(),
    );
    let owners = procs.iter().map(|p| (p.pid, program)).collect();
    procs
        .iter()
        .filter_map(|s| {
            let pid = Pid::from_u32(s.pid);
            let p = sys
                .process(pid)
                .filter(|p| p.start_time() == s.started && !crate::monitor::ended(p))?;
            Some(ProcessInfo {
                cpu_percent: s.cpu_percent,
                memory_bytes: s.memory_bytes,
                ..info(pid, p, &owners)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pid: u32, cpu: f64, mem: u64) -> ProcessInfo {
        ProcessInfo {
            pid,
            parent: None,
            name: format!("p{pid}"),
            exe: Some(format!("/usr/bin/P{pid}")),
            cmd: vec![format!("p{pid}"), "--Flag".into()],
            cpu_percent: cpu,
            memory_bytes: mem,
            started_at: 0,
            program_id: None,
        }
    }

    #[test]
    fn busiest_first_then_memory_then_pid() {
        let mut v = [
            row(3, 1.0, 5),
            row(1, 1.0, 5),
            row(2, 1.0, 9),
            row(4, 50.0, 0),
        ];
        v.sort_by(by_cpu);
        assert_eq!(v.iter().map(|p| p.pid).collect::<Vec<_>>(), [4, 2, 1, 3]);
    }

    #[test]
    fn search_looks_at_name_exe_command_line_and_pid() {
        let p = row(42, 0.0, 0);
        assert!(process_matches(&p, "P42"));
        assert!(process_matches(&p, "/usr/bin/p4"));
        assert!(process_matches(&p, "--flag"));
        assert!(process_matches(&p, "42"));
        assert!(!process_matches(&p, "nginx"));
    }

    // Wine lacks pdh.dll's PdhEnumObjectsW, which sysinfo's machine-wide CPU reading calls on
    // Windows (the process aborts); real Windows has it. Checked there only by reading.
    #[test]
    #[cfg_attr(windows, ignore = "Wine has no PdhEnumObjectsW (machine-wide CPU)")]
    fn a_look_sees_this_machine_and_leaves_vigil_out() {
        let probe = Probe::new();
        let (overview, procs) = probe.look(&HashMap::new()).unwrap();
        assert!(!overview.cores.is_empty(), "at least one core");
        assert!(overview.memory.total_bytes > 0);
        assert!(overview.memory.used_bytes <= overview.memory.total_bytes);
        assert!(overview.top_cpu.len() <= TOP && overview.top_memory.len() <= TOP);
        assert!(procs.iter().all(|p| p.pid != std::process::id()));
        assert!(procs.windows(2).all(|w| by_cpu(&w[0], &w[1]).is_le()));
        // A second look within FRESH_FOR is the same answer, with owners applied anew.
        let owners = HashMap::from([(procs[0].pid, 7)]);
        let (again, procs2) = probe.look(&owners).unwrap();
        assert_eq!(again.ts, overview.ts);
        assert_eq!(procs2[0].program_id, Some(7));
    }
}
