use std::fs::Metadata;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;

use process_wrap::tokio::{ChildWrapper, CommandWrap, ProcessGroup};
use vigil_core::ExitStatus;

/// SIGTERM: the conventional polite request to stop.
const SIGTERM: i32 = 15;

/// A file can be launched when some execute bit is set; the kernel has the final word.
pub(crate) fn is_executable(meta: &Metadata) -> bool {
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

/// Puts the program in its own process group, so a stop or kill reaches its whole tree.
pub(crate) fn prepare(cmd: &mut CommandWrap) {
    cmd.wrap(ProcessGroup::leader());
}

/// For a program that may outlive Vigil: the same own process group (nothing of Vigil's
/// ending reaches it; a stop still reaches its whole tree).
pub(crate) fn prepare_detached(cmd: &mut CommandWrap) {
    cmd.wrap(ProcessGroup::leader());
}

/// Asks the program's process group to stop (SIGTERM).
pub(crate) fn request_stop(child: &dyn ChildWrapper) -> std::io::Result<()> {
    child.signal(SIGTERM)
}

/// Reads an exit: a code, or the signal that ended it.
pub(crate) fn exit_status(status: std::process::ExitStatus) -> ExitStatus {
    match (status.code(), status.signal()) {
        (Some(code), _) => ExitStatus::Code(i64::from(code)),
        (None, Some(sig)) => ExitStatus::Signal(sig),
        (None, None) => ExitStatus::Unknown,
    }
}

/// Every live PID, cheaply: a listing of `/proc` (Linux). `None` where there is no `/proc`
/// (macOS), and the monitor then reads the whole process table instead.
pub(crate) fn list_pids() -> Option<std::collections::HashSet<u32>> {
    let dir = std::fs::read_dir("/proc").ok()?;
    Some(
        dir.flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect(),
    )
}

/// Reads `/proc/PID/stat` for the fast sweep: one read per process, nothing else (Linux).
/// Elsewhere (macOS) it reads nothing and the monitor asks sysinfo.
pub(crate) struct StatReader {
    buf: Vec<u8>,
    ticks_per_sec: u64,
    page_size: u64,
}

impl StatReader {
    pub(crate) fn new() -> Self {
        use nix::unistd::{SysconfVar, sysconf};
        let get = |var, default: u64| {
            sysconf(var)
                .ok()
                .flatten()
                .and_then(|v| u64::try_from(v).ok())
                .filter(|v| *v > 0)
                .unwrap_or(default)
        };
        Self {
            buf: Vec::with_capacity(512),
            ticks_per_sec: get(SysconfVar::CLK_TCK, 100),
            page_size: get(SysconfVar::PAGE_SIZE, 4096),
        }
    }

    /// CPU ticks per second of [`super::ProcStat::cpu_ticks`].
    pub(crate) fn ticks_per_sec(&self) -> u64 {
        self.ticks_per_sec
    }

    /// One process's start, CPU time and resident memory; `None` when it is gone (or this is
    /// not Linux).
    pub(crate) fn read(&mut self, pid: u32) -> Option<super::ProcStat> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        use std::io::Read;
        self.buf.clear();
        let mut file = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?;
        file.read_to_end(&mut self.buf).ok()?;
        parse_stat(&self.buf, self.page_size)
    }
}

/// Parses `/proc/PID/stat`. The name (field 2) is in parentheses and may hold spaces and
/// parentheses itself, so fields are counted from the last `)`.
pub(crate) fn parse_stat(raw: &[u8], page_size: u64) -> Option<super::ProcStat> {
    let close = raw.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(raw.get(close + 1..)?).ok()?;
    // Fields from 3 (state) on: utime is field 14, stime 15, starttime 22, rss 24.
    let mut fields = rest.split_ascii_whitespace();
    // A zombie (or dead) process has ended; only its exit status waits for its parent.
    if matches!(fields.next()?, "Z" | "X" | "x") {
        return None;
    }
    let mut nth = |n: usize| -> Option<u64> { fields.nth(n)?.parse().ok() };
    let utime = nth(10)?;
    let stime = nth(0)?;
    let start = nth(6)?;
    let rss_pages: i64 = fields.nth(1)?.parse().ok()?;
    Some(super::ProcStat {
        start,
        cpu_ticks: utime + stime,
        rss_bytes: u64::try_from(rss_pages).unwrap_or(0) * page_size,
    })
}

/// A shell command line with extra arguments: `sh -c LINE sh ARGS...` (the arguments are `$1`...,
/// never parsed by the shell).
pub(crate) fn shell_command(line: &str, args: &[String], c: &mut tokio::process::Command) {
    c.arg("-c").arg(line).arg("sh").args(args);
}

/// The shell that runs shell jobs.
pub(crate) const SHELL: &str = "/bin/sh";

/// Ends a leftover process tree that Vigil launched before it crashed; whether anything was
/// found to end. The program was the leader of its own process group, so the group is its tree.
///
/// Identity is checked before every signal, never assumed: while the leader (`pid`, started at
/// `start`) is alive with that start time, its group is signalled; a leader alive with another
/// start time is a reused PID and nothing is touched. A leader that died while its group lives
/// on (a worker holding the port, common when the leader died of SIGPIPE on its broken
/// output) is found by the group id, which the kernel does not reuse while members live; only
/// members started no earlier than the leader are signalled. Politely (SIGTERM) first, then
/// SIGKILL after `grace`.
pub(crate) async fn end_leftover(pid: u32, start: i64, grace: std::time::Duration) -> bool {
    use nix::sys::signal::{Signal, kill, killpg};
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    let ours = || crate::process::process_start(pid) == Some(start);
    let members = || -> Vec<u32> {
        group_members(pid)
            .into_iter()
            .filter(|m| crate::process::process_start(*m).is_some_and(|s| s >= start))
            .collect()
    };
    let signal = |sig: Signal| -> bool {
        if ours() {
            let _ = killpg(Pid::from_raw(raw), sig);
            let _ = kill(Pid::from_raw(raw), sig);
            return true;
        }
        if crate::process::process_start(pid).is_some() {
            return false; // the PID now belongs to another process
        }
        let found = members();
        for m in &found {
            if let Ok(m) = i32::try_from(*m) {
                let _ = kill(Pid::from_raw(m), sig);
            }
        }
        !found.is_empty()
    };
    if !signal(Signal::SIGTERM) {
        return false;
    }
    let deadline = tokio::time::Instant::now() + grace;
    while tokio::time::Instant::now() < deadline && (ours() || !members().is_empty()) {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    signal(Signal::SIGKILL);
    true
}

/// Ends one process Vigil did not start (a watched program's, confirmed by a person): SIGTERM,
/// then SIGKILL after `grace`, never its group or children. The identity (`pid` started at
/// `start`, unix seconds) is checked before each signal, so a reused PID is never touched.
/// Whether the process was found.
pub(crate) async fn end_process(pid: u32, start: i64, grace: std::time::Duration) -> bool {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    let ours = || crate::process::process_start(pid) == Some(start);
    if !ours() {
        return false;
    }
    let _ = kill(Pid::from_raw(raw), Signal::SIGTERM);
    let deadline = tokio::time::Instant::now() + grace;
    while tokio::time::Instant::now() < deadline && ours() {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if ours() {
        let _ = kill(Pid::from_raw(raw), Signal::SIGKILL);
    }
    true
}

/// The processes whose process group is `pgid` (Linux: field 5 of `/proc/PID/stat`; elsewhere
/// none are found, and only a living leader's group is signalled).
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|stat| {
                    // After the command name in parentheses: state, ppid, pgrp.
                    let rest = stat.rsplit_once(')')?.1;
                    rest.split_whitespace().nth(2)?.parse::<u32>().ok()
                })
                == Some(pgid)
        })
        .collect()
}

/// The size and the space available to Vigil's user of the file system holding `path`
/// (statvfs on the path itself: network and memory file systems included).
#[allow(clippy::useless_conversion)] // The field types differ between Unix targets.
pub(crate) fn disk_space(path: &std::path::Path) -> std::io::Result<(u64, u64)> {
    let st = nix::sys::statvfs::statvfs(path).map_err(std::io::Error::from)?;
    let unit = u64::from(st.fragment_size()).max(1);
    let (blocks, avail) = (u64::from(st.blocks()), u64::from(st.blocks_available()));
    Ok((blocks.saturating_mul(unit), avail.saturating_mul(unit)))
}

/// The top-level windows and whether each stopped responding: a Windows notion; `None` here.
pub(crate) fn top_windows() -> Option<Vec<super::Window>> {
    None
}

/// Option values reach `sh -c LINE sh ARGS...` as `$1`...: the shell never parses them, so any
/// value is safe.
pub(crate) fn check_shell_args(
    _job: &vigil_core::Job,
    _argv: &[String],
) -> Result<(), vigil_core::ApiError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_stat;

    #[test]
    fn stat_lines_parse_past_odd_names_and_a_zombie_reads_as_gone() {
        let line = |state: &str| {
            format!(
                "42 (my (odd) name) {state} 1 42 42 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 12345 1000000 25"
            )
        };
        let s = parse_stat(line("S").as_bytes(), 4096).unwrap();
        assert_eq!((s.cpu_ticks, s.start, s.rss_bytes), (10, 12345, 25 * 4096));
        for gone in ["Z", "X"] {
            assert_eq!(parse_stat(line(gone).as_bytes(), 4096), None, "{gone}");
        }
        assert_eq!(parse_stat(b"42 (cut", 4096), None);
        assert_eq!(parse_stat(b"", 4096), None);
    }
}
