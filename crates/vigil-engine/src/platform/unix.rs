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
