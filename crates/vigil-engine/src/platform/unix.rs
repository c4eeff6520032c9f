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

/// A shell command line with extra arguments: `sh -c LINE sh ARGS...` (the arguments are `$1`...).
pub(crate) fn shell_command(line: &str, args: &[String]) -> (String, Vec<String>) {
    let mut argv = vec!["-c".to_owned(), line.to_owned(), "sh".to_owned()];
    argv.extend(args.iter().cloned());
    ("/bin/sh".to_owned(), argv)
}

/// Ends a leftover process tree that Vigil launched before it crashed: the program was the
/// leader of its own process group, so the group is its tree. Asks politely (SIGTERM), waits up
/// to `grace` for the leader to go, then kills the group (SIGKILL). The caller checked the
/// leader's identity (pid + start time) just before.
pub(crate) async fn end_leftover(pid: u32, grace: std::time::Duration) {
    use nix::sys::signal::{Signal, kill, killpg};
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pid) else {
        return;
    };
    let leader = Pid::from_raw(raw);
    // The group, and the process itself in case it is not (or no longer) a group leader.
    let signal = |sig| {
        let _ = killpg(leader, sig);
        let _ = kill(leader, sig);
    };
    signal(Signal::SIGTERM);
    let deadline = tokio::time::Instant::now() + grace;
    while tokio::time::Instant::now() < deadline && crate::process::process_start(pid).is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    signal(Signal::SIGKILL);
}

/// Option values reach `sh -c LINE sh ARGS...` as `$1`...: the shell never parses them, so any
/// value is safe.
pub(crate) fn check_shell_args(_job: &vigil_core::Job, _argv: &[String]) -> Result<(), vigil_core::ApiError> {
    Ok(())
}
