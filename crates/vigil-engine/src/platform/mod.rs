//! Platform-specific pieces. Each platform file answers the same questions.

/// What the monitor's fast sweep needs of one process: read straight from the OS, one read per
/// process, where the platform allows it (the `StatReader`); sysinfo serves everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProcStat {
    /// The process's start, in the OS's own units (identity: a reused PID differs).
    pub(crate) start: u64,
    /// CPU time used so far, in `StatReader::ticks_per_sec` units.
    pub(crate) cpu_ticks: u64,
    /// Resident memory, bytes.
    pub(crate) rss_bytes: u64,
}

/// A top-level window as the hung-window check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    /// The process that owns it.
    pub pid: u32,
    /// Its title.
    pub title: String,
    /// Whether Windows says it stopped responding (`IsHungAppWindow`).
    pub hung: bool,
}

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::{
    SHELL, StatReader, check_shell_args, disk_space, end_leftover, end_process, exit_status,
    is_executable, list_pids, prepare, prepare_detached, request_stop, shell_command, top_windows,
};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::{
    SHELL, StatReader, check_shell_args, disk_space, end_leftover, end_process, exit_status,
    is_executable, list_pids, prepare, prepare_detached, request_stop, shell_command, top_windows,
};
