//! The monitor: one thread that owns one `sysinfo::System` and measures every watched program
//! in batched sweeps.
//!
//! Architecture Invariant: never a refresh per program. Each tick refreshes exactly the PIDs
//! already known to belong to programs, in one call, with a minimal refresh kind (CPU and
//! memory; never threads). Less often, and at once when a known process vanishes or the
//! program list changes, a discovery sweep refreshes every process once and matches every
//! program against that one snapshot.

mod matching;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use vigil_core::sync::lock;

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
use tokio::sync::mpsc;
use vigil_core::{MatchRule, ProgramId};

use crate::platform;

pub(crate) use matching::{Candidate, assign};

/// A process's identity: a PID alone may be reused by an unrelated process later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcId {
    /// Operating-system process id.
    pub pid: u32,
    /// Start time, unix seconds, as the OS reports it.
    pub start: u64,
}

/// One process of a program, measured in a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcSample {
    /// Which process.
    pub id: ProcId,
    /// CPU since the previous refresh, permille of one core.
    pub cpu_permille: i64,
    /// Resident memory, KiB.
    pub mem_kib: i64,
}

/// The result of one tick: every program's processes at `ts_ms`.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// When the sweep ran, unix milliseconds.
    pub ts_ms: i64,
    /// How far this sweep looked.
    pub discovery: Discovery,
    /// Processes per program, for every target (empty when none is running).
    pub programs: Vec<(ProgramId, Vec<ProcSample>)>,
}

/// What the monitor looks for, kept current by the engine.
#[derive(Debug, Clone)]
pub struct Target {
    /// The program.
    pub program_id: ProgramId,
    /// How to recognise its processes when Vigil did not launch them.
    pub rule: MatchRule,
    /// Its executable path, canonicalised when possible.
    pub path: String,
    /// Whether Vigil launches it: then only what Vigil launched belongs to it, and nothing
    /// while it is not running, however many copies of the same executable run.
    pub launch: bool,
    /// The PID of the process Vigil launched for it, if running. While set, only that process
    /// and its descendants belong to the program.
    pub launched: Option<u32>,
}

/// Timing of the sweeps.
#[derive(Debug, Clone, Copy)]
pub struct MonitorConfig {
    /// Time between sweeps.
    pub interval: Duration,
    /// Time between discovery sweeps.
    pub discovery: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            discovery: Duration::from_secs(5),
        }
    }
}

/// The handle the engine keeps: change targets, wake the thread, stop it.
#[derive(Clone)]
pub struct MonitorHandle {
    shared: Arc<Shared>,
}

struct Shared {
    targets: Mutex<Vec<Target>>,
    generation: AtomicU64,
    full_needed: AtomicBool,
    stop: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The sweep interval and discovery cadence in ms, changed live by the settings.
    interval_ms: AtomicU64,
    discovery_ms: AtomicU64,
    /// Set by a timing change: the next discovery deadlines are brought forward to it.
    timing_changed: AtomicBool,
}

impl MonitorHandle {
    /// Replaces the target list; the next tick runs a full discovery sweep.
    pub fn set_targets(&self, targets: Vec<Target>) {
        {
            let mut t = lock(&self.shared.targets);
            *t = targets;
        }
        self.shared.full_needed.store(true, Ordering::SeqCst);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        self.wake();
    }

    /// Updates one program's launched PID (set on spawn, cleared on exit).
    pub fn set_launched(&self, program_id: ProgramId, pid: Option<u32>) {
        if let Some(target) = lock(&self.shared.targets)
            .iter_mut()
            .find(|t| t.program_id == program_id)
        {
            target.launched = pid;
        }
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        self.wake();
    }

    /// Changes the sweep timing from the next tick on.
    pub fn set_timing(&self, config: MonitorConfig) {
        self.shared
            .interval_ms
            .store(config.interval.as_millis() as u64, Ordering::SeqCst);
        self.shared
            .discovery_ms
            .store(config.discovery.as_millis() as u64, Ordering::SeqCst);
        self.shared.timing_changed.store(true, Ordering::SeqCst);
        self.wake();
    }

    fn wake(&self) {
        if let Some(handle) = lock(&self.shared.thread).as_ref() {
            handle.thread().unpark();
        }
    }

    /// Stops the thread and waits for it.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.wake();
        let handle = lock(&self.shared.thread).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// Starts the monitor thread. Sweeps go to `out`; when the receiver is slow the sweep is
/// dropped rather than blocking the thread (the next one carries current values).
pub fn spawn(config: MonitorConfig, out: mpsc::Sender<Sweep>) -> std::io::Result<MonitorHandle> {
    let shared = Arc::new(Shared {
        targets: Mutex::new(Vec::new()),
        generation: AtomicU64::new(0),
        full_needed: AtomicBool::new(true),
        stop: AtomicBool::new(false),
        thread: Mutex::new(None),
        interval_ms: AtomicU64::new(config.interval.as_millis() as u64),
        discovery_ms: AtomicU64::new(config.discovery.as_millis() as u64),
        timing_changed: AtomicBool::new(false),
    });
    let inner = shared.clone();
    let sweeper = Sweeper::new()?;
    let handle = std::thread::Builder::new()
        .name("vigil-monitor".into())
        .spawn(move || run(sweeper, &inner, &out))?;
    {
        let mut t = lock(&shared.thread);
        *t = Some(handle);
    }
    Ok(MonitorHandle { shared })
}

/// What a fast (known PIDs) refresh reads: CPU and memory only, never threads.
fn fast_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .with_cpu()
        .with_memory()
        .without_tasks()
}

/// What a discovery refresh reads: also the executable path and, when a program matches by
/// command line, the command line, each only once per process.
fn discovery_kind(cmdline: bool) -> ProcessRefreshKind {
    let kind = fast_kind().with_exe(UpdateKind::OnlyIfNotSet);
    if cmdline {
        kind.with_cmd(UpdateKind::OnlyIfNotSet)
    } else {
        kind
    }
}

fn run(mut sweeper: Sweeper, shared: &Shared, out: &mpsc::Sender<Sweep>) {
    let mut seen_generation = u64::MAX;
    let mut next_discovery = Instant::now();
    let mut next_full = Instant::now();
    let mut targets: Vec<Target> = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        let tick = Instant::now();
        let interval = Duration::from_millis(shared.interval_ms.load(Ordering::SeqCst));
        let every = Duration::from_millis(shared.discovery_ms.load(Ordering::SeqCst));
        if shared.timing_changed.swap(false, Ordering::SeqCst) {
            // A shorter cadence applies now, not after the old (longer) wait.
            next_discovery = next_discovery.min(tick + every);
            next_full = next_full.min(tick + every * FULL_EVERY);
        }
        let generation = shared.generation.load(Ordering::SeqCst);
        let mut discovery = if tick >= next_full {
            Discovery::Full
        } else if tick >= next_discovery {
            Discovery::Incremental
        } else {
            Discovery::No
        };
        if generation != seen_generation {
            {
                let t = lock(&shared.targets);
                targets = t.clone();
            }
            seen_generation = generation;
            // New rules must see every process; a new launched PID only needs a look at new ones.
            discovery = if shared.full_needed.swap(false, Ordering::SeqCst) {
                Discovery::Full
            } else {
                discovery.max(Discovery::Incremental)
            };
        }
        // Nothing to watch: no sweep at all until the target list changes (an idle Vigil
        // reads no process table).
        if targets.is_empty() {
            if shared.generation.load(Ordering::SeqCst) == seen_generation
                && !shared.stop.load(Ordering::SeqCst)
            {
                std::thread::park();
            }
            continue;
        }
        let sweep = sweeper.sweep(&targets, discovery, crate::now_ms());
        if sweep.discovery >= Discovery::Incremental {
            next_discovery = tick + every;
        }
        if sweep.discovery == Discovery::Full {
            next_full = tick + every * FULL_EVERY;
        }
        if let Err(mpsc::error::TrySendError::Closed(_)) = out.try_send(sweep) {
            break;
        }
        let elapsed = tick.elapsed();
        if let Some(rest) = interval.checked_sub(elapsed) {
            std::thread::park_timeout(rest);
        }
    }
}

/// A process started this recently when first read may not have exec'd yet.
const YOUNG_SECS: u64 = 3;

/// Every this many discoveries, re-read every process instead of only the new ones.
const FULL_EVERY: u32 = 12;

/// How much of the process table a sweep looks at beyond the known PIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Discovery {
    /// Only the processes already known to belong to programs.
    No,
    /// Also processes that appeared since the last look (Linux lists `/proc` for that; other
    /// platforms read everything).
    Incremental,
    /// Every process is re-read and re-matched.
    Full,
}

/// The sweep logic, separate from the thread so benchmarks can drive it directly.
pub struct Sweeper {
    system: System,
    /// PIDs known to belong to each program after the last discovery.
    members: HashMap<ProgramId, Vec<ProcId>>,
    /// Every PID alive at the last discovery.
    seen: HashSet<u32>,
    own_pid: u32,
    /// The fast sweep's direct reader (Linux: `/proc/PID/stat`; elsewhere sysinfo measures).
    reader: platform::StatReader,
    /// Per member PID, the last direct reading and when it was taken.
    direct: HashMap<u32, (platform::ProcStat, Instant)>,
    /// Processes that had just started when a discovery first read them: read again at the
    /// next one, because a process caught between fork and exec still shows its parent's
    /// executable and command line, and those are otherwise read only once per process.
    young: Vec<u32>,
    /// Member PIDs the last direct reading could not read (gone, or a zombie): refreshed at the
    /// next discovery so a stale entry is not taken for a live process.
    lost: Vec<u32>,
    /// The boot time sysinfo's start times are built on, read once with it (the kernel moves
    /// its own when the wall clock is set, which would make every identity check fail).
    boot: Option<u64>,
}

impl Sweeper {
    /// A sweeper with an empty process table.
    pub fn new() -> std::io::Result<Self> {
        let system = System::new()
            .map_err(|e| std::io::Error::other(format!("cannot read the process table: {e}")))?;
        Ok(Self {
            system,
            members: HashMap::new(),
            seen: HashSet::new(),
            own_pid: std::process::id(),
            reader: platform::StatReader::new(),
            direct: HashMap::new(),
            lost: Vec::new(),
            young: Vec::new(),
            boot: System::boot_time().ok(),
        })
    }

    fn member_pids(&self) -> Vec<Pid> {
        self.members
            .values()
            .flatten()
            .map(|p| Pid::from_u32(p.pid))
            .collect()
    }

    /// Runs one sweep: a refresh of the known PIDs, plus a discovery when asked, when nothing
    /// is known yet, or when a known process vanished or was replaced.
    pub fn sweep(&mut self, targets: &[Target], discovery: Discovery, ts_ms: i64) -> Sweep {
        let mut discovery = discovery;
        if self.seen.is_empty() && !targets.is_empty() {
            discovery = Discovery::Full;
        }
        let mut measured: HashMap<u32, (i64, i64)> = HashMap::new();
        if discovery == Discovery::No {
            let vanished = match self.read_direct(&mut measured) {
                Some(vanished) => vanished,
                None => {
                    let pids = self.member_pids();
                    self.system.refresh_processes_specifics(
                        ProcessesToUpdate::Some(&pids),
                        true,
                        fast_kind(),
                    );
                    self.members.values().flatten().any(|id| {
                        self.system
                            .process(Pid::from_u32(id.pid))
                            .is_none_or(|p| p.start_time() != id.start)
                    })
                }
            };
            // A launched program whose process we have not identified yet also needs a look.
            let unidentified = targets.iter().any(|t| {
                t.launched.is_some_and(|pid| {
                    !self
                        .members
                        .get(&t.program_id)
                        .is_some_and(|m| m.iter().any(|p| p.pid == pid))
                })
            });
            if vanished || unidentified {
                discovery = Discovery::Incremental;
                measured.clear();
            }
        }
        if discovery != Discovery::No {
            let cmdline = targets
                .iter()
                .any(|t| matches!(t.rule, MatchRule::Cmdline(_)));
            let listed = match discovery {
                Discovery::Incremental => platform::list_pids(),
                _ => None,
            };
            match listed {
                Some(alive) => {
                    // Read only the processes that appeared since the last look.
                    let mut new: Vec<Pid> = alive
                        .iter()
                        .filter(|pid| !self.seen.contains(pid))
                        .map(|&pid| Pid::from_u32(pid))
                        .collect();
                    // Members that could not be read but are still listed (zombies) are read
                    // again, so their state is current when they are matched.
                    new.extend(
                        self.lost
                            .iter()
                            .filter(|pid| alive.contains(pid))
                            .map(|&pid| Pid::from_u32(pid)),
                    );
                    if !new.is_empty() {
                        self.system.refresh_processes_specifics(
                            ProcessesToUpdate::Some(&new),
                            true,
                            discovery_kind(cmdline),
                        );
                    }
                    self.reread_young(&alive, cmdline);
                    self.young = self.just_started(&new);
                    self.seen = alive;
                    self.members = self.classify(targets, true);
                    // The members' CPU and memory: read directly where the platform allows it
                    // (what vanished since is simply left out of this sweep).
                    if self.read_direct(&mut measured).is_none() {
                        let pids = self.member_pids();
                        self.system.refresh_processes_specifics(
                            ProcessesToUpdate::Some(&pids),
                            true,
                            fast_kind(),
                        );
                    }
                }
                None => {
                    discovery = Discovery::Full;
                    self.system.refresh_processes_specifics(
                        ProcessesToUpdate::All,
                        true,
                        discovery_kind(cmdline),
                    );
                    let alive: HashSet<u32> =
                        self.system.processes().keys().map(|p| p.as_u32()).collect();
                    self.reread_young(&alive, cmdline);
                    let new: Vec<Pid> = alive
                        .iter()
                        .filter(|pid| !self.seen.contains(pid))
                        .map(|&pid| Pid::from_u32(pid))
                        .collect();
                    self.young = self.just_started(&new);
                    self.seen = alive;
                    self.members = self.classify(targets, false);
                }
            }
        }
        let programs = targets
            .iter()
            .map(|t| {
                let procs = self
                    .members
                    .get(&t.program_id)
                    .map(|ids| {
                        ids.iter()
                            .filter_map(|id| {
                                if let Some(&(cpu_permille, mem_kib)) = measured.get(&id.pid) {
                                    return Some(ProcSample {
                                        id: *id,
                                        cpu_permille,
                                        mem_kib,
                                    });
                                }
                                let p = self.system.process(Pid::from_u32(id.pid))?;
                                (p.start_time() == id.start).then(|| ProcSample {
                                    id: *id,
                                    cpu_permille: (f64::from(p.cpu_usage()) * 10.0).round() as i64,
                                    mem_kib: i64::try_from(p.memory() / 1024).unwrap_or(i64::MAX),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (t.program_id, procs)
            })
            .collect();
        Sweep {
            ts_ms,
            discovery,
            programs,
        }
    }

    /// Reads the executable and command line of the processes that were young at the last
    /// discovery again (see `young`), whatever was read for them before.
    fn reread_young(&mut self, alive: &HashSet<u32>, cmdline: bool) {
        let again: Vec<Pid> = self
            .young
            .iter()
            .filter(|pid| alive.contains(pid))
            .map(|&pid| Pid::from_u32(pid))
            .collect();
        if again.is_empty() {
            return;
        }
        let kind = fast_kind().with_exe(UpdateKind::Always);
        let kind = if cmdline {
            kind.with_cmd(UpdateKind::Always)
        } else {
            kind
        };
        self.system
            .refresh_processes_specifics(ProcessesToUpdate::Some(&again), false, kind);
    }

    /// Of the PIDs a discovery read for the first time, those started in the last few
    /// seconds (they may have been caught before their exec).
    fn just_started(&self, new: &[Pid]) -> Vec<u32> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        new.iter()
            .filter(|pid| {
                self.system
                    .process(**pid)
                    .is_some_and(|p| p.start_time() + YOUNG_SECS >= now)
            })
            .map(|pid| pid.as_u32())
            .collect()
    }

    /// The fast sweep's hot path where the platform has a direct reader: one read per known
    /// process, CPU from the tick difference since the last reading. Fills `measured` (pid ->
    /// CPU permille, KiB) and answers whether a known process vanished or was replaced; `None`
    /// where there is no direct reader (sysinfo measures instead).
    fn read_direct(&mut self, measured: &mut HashMap<u32, (i64, i64)>) -> Option<bool> {
        let now = Instant::now();
        let mut vanished = false;
        let mut alive = HashSet::new();
        let ids: Vec<ProcId> = self.members.values().flatten().copied().collect();
        self.lost.clear();
        let boot = self.boot;
        let tps = self.reader.ticks_per_sec();
        for id in ids {
            let pid = id.pid;
            let Some(stat) = self.reader.read(pid) else {
                if !cfg!(target_os = "linux") {
                    return None;
                }
                self.lost.push(pid);
                vanished = true;
                continue;
            };
            alive.insert(pid);
            let cpu_permille = match self.direct.get(&pid) {
                Some((prev, _)) if prev.start != stat.start => {
                    // A reused PID: forget the old reading, rediscovery decides who it is.
                    self.direct.remove(&pid);
                    alive.remove(&pid);
                    vanished = true;
                    continue;
                }
                Some((prev, at)) => {
                    let elapsed_ms = now.duration_since(*at).as_millis().max(1) as u64;
                    let ticks = stat.cpu_ticks.saturating_sub(prev.cpu_ticks);
                    i64::try_from(ticks * 1_000_000 / (self.reader.ticks_per_sec() * elapsed_ms))
                        .unwrap_or(i64::MAX)
                }
                // The first reading is checked against the identity discovery recorded (whole
                // seconds), and takes its CPU from the last sysinfo refresh.
                None if boot.is_some_and(|b| (b + stat.start / tps).abs_diff(id.start) > 1) => {
                    vanished = true;
                    continue;
                }
                None => self
                    .system
                    .process(Pid::from_u32(pid))
                    .map_or(0, |p| (f64::from(p.cpu_usage()) * 10.0).round() as i64),
            };
            let mem_kib = i64::try_from(stat.rss_bytes / 1024).unwrap_or(i64::MAX);
            measured.insert(pid, (cpu_permille, mem_kib));
            self.direct.insert(pid, (stat, now));
        }
        self.direct.retain(|pid, _| alive.contains(pid));
        Some(vanished)
    }

    /// Matches every program against the process table. With `alive_only`, entries for
    /// processes that were not listed alive (left over from earlier refreshes) are skipped.
    fn classify(&self, targets: &[Target], alive_only: bool) -> HashMap<ProgramId, Vec<ProcId>> {
        let candidates: Vec<Candidate<'_>> = self
            .system
            .processes()
            .iter()
            .filter(|(pid, _)| pid.as_u32() != self.own_pid)
            .filter(|(_, p)| !ended(p))
            .filter(|(pid, _)| !alive_only || self.seen.contains(&pid.as_u32()))
            .map(|(pid, p)| Candidate {
                id: ProcId {
                    pid: pid.as_u32(),
                    start: p.start_time(),
                },
                parent: p.parent().map(|pp| pp.as_u32()),
                name: p.name().to_str().unwrap_or_default(),
                exe: p.exe(),
                cmd: p.cmd(),
            })
            .collect();
        assign(targets, &candidates)
    }
}

/// A process that has ended and waits only for its parent to collect its exit status.
pub(crate) fn ended(p: &sysinfo::Process) -> bool {
    matches!(
        p.status(),
        sysinfo::ProcessStatus::Zombie | sysinfo::ProcessStatus::Dead
    )
}

/// A program's executable path as a process's executable reads back: resolved (links, `..`)
/// where possible, and on Windows without the verbatim `\\?\` prefix `std::fs::canonicalize`
/// adds (a process's image path never has it, so the two would never be equal).
pub(crate) fn canonical_path(path: &str) -> String {
    dunce::canonicalize(path)
        .map(|c| c.display().to_string())
        .unwrap_or_else(|_| path.to_owned())
}

/// One process a rule matches now.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct MatchedProcess {
    /// Its PID.
    pub pid: u32,
    /// Its name.
    pub name: String,
    /// Its executable, where readable.
    pub exe: Option<String>,
    /// Its command line, one element per argument.
    pub cmd: Vec<String>,
}

/// The processes `rule` (with `path` for a match by executable) matches right now: the roots
/// only, not their children, this process left out. Reads the whole process table once (tens
/// of milliseconds), so it is for an editor's preview, not for a loop.
pub fn find_matches(rule: &MatchRule, path: &str) -> std::io::Result<Vec<MatchedProcess>> {
    let mut system = System::new()
        .map_err(|e| std::io::Error::other(format!("cannot read the process table: {e}")))?;
    system.refresh_processes_specifics(ProcessesToUpdate::All, true, discovery_kind(true));
    let path = canonical_path(path);
    let own = std::process::id();
    let mut found: Vec<MatchedProcess> = system
        .processes()
        .iter()
        .filter(|(pid, p)| pid.as_u32() != own && !ended(p))
        .filter(|(pid, p)| {
            matching::matches(
                rule,
                &path,
                &Candidate {
                    id: ProcId {
                        pid: pid.as_u32(),
                        start: p.start_time(),
                    },
                    parent: None,
                    name: p.name().to_str().unwrap_or_default(),
                    exe: p.exe(),
                    cmd: p.cmd(),
                },
            )
        })
        .map(|(pid, p)| MatchedProcess {
            pid: pid.as_u32(),
            name: p.name().to_string_lossy().into_owned(),
            exe: p.exe().map(|e| e.display().to_string()),
            cmd: p
                .cmd()
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        })
        .collect();
    found.sort_by_key(|m| m.pid);
    Ok(found)
}
