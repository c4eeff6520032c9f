use std::fs::Metadata;
use std::os::windows::process::CommandExt as _;

use process_wrap::tokio::{ChildWrapper, CommandWrap, JobObject};
use vigil_core::ExitStatus;

/// No console window flashes for launched programs.
const CREATE_NO_WINDOW: u32 = 0x0800_0000;

/// Windows has no execute bit: any regular file may be handed to CreateProcess, which decides
/// by its contents. Rejecting by extension would refuse valid programs (`.com`, `.scr`, ...).
pub(crate) fn is_executable(meta: &Metadata) -> bool {
    meta.is_file()
}

/// Runs the program without a console window, inside a Job Object so a stop or kill reaches
/// every process it started.
pub(crate) fn prepare(cmd: &mut CommandWrap) {
    cmd.command_mut()
        .as_std_mut()
        .creation_flags(CREATE_NO_WINDOW);
    cmd.wrap(JobObject);
}

/// For a program that may outlive Vigil: no Job Object (its kill-on-close would end the
/// program with Vigil); its tree is stopped with `taskkill /T` like a leftover's.
pub(crate) fn prepare_detached(cmd: &mut CommandWrap) {
    cmd.command_mut()
        .as_std_mut()
        .creation_flags(CREATE_NO_WINDOW);
}

/// Asks the program to close: `taskkill` without `/F` posts WM_CLOSE to its windows. Console
/// programs without a window cannot be asked (Ctrl-Break only reaches a shared console), so
/// they are ended by the Job Object when the grace period runs out.
pub(crate) fn request_stop(child: &dyn ChildWrapper) -> std::io::Result<()> {
    let Some(pid) = child.id() else {
        return Ok(());
    };
    std::process::Command::new("taskkill")
        .args(["/PID", &pid.to_string(), "/T"])
        .creation_flags(CREATE_NO_WINDOW)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|_| ())
}

/// Reads an exit code; NTSTATUS crash codes arrive here as negative i32 values.
pub(crate) fn exit_status(status: std::process::ExitStatus) -> ExitStatus {
    match status.code() {
        Some(code) => ExitStatus::Code(i64::from(code)),
        None => ExitStatus::Unknown,
    }
}

/// Windows reads the whole process table in one system call, so the monitor does that instead
/// of listing PIDs first.
pub(crate) fn list_pids() -> Option<std::collections::HashSet<u32>> {
    None
}

/// The fast sweep's direct reader. On Windows sysinfo already reads every process's counters
/// in one `NtQuerySystemInformation` snapshot, so this reads nothing and the monitor asks
/// sysinfo.
pub(crate) struct StatReader;

impl StatReader {
    pub(crate) fn new() -> Self {
        Self
    }

    /// Unused: nothing is read here.
    pub(crate) fn ticks_per_sec(&self) -> u64 {
        1
    }

    /// Nothing: sysinfo measures on Windows.
    pub(crate) fn read(&mut self, _pid: u32) -> Option<super::ProcStat> {
        None
    }
}

/// A shell command line with extra arguments: `cmd /D /S /C "LINE "A1" "A2""`, written as is.
///
/// cmd.exe does not parse its command line by CreateProcess's rules, so std's quoting would
/// not hold: a line with a space got quoted on its own, and cmd's `/C` quote stripping then
/// turned `"tool --name" "a b"` into `tool --name" "a b`, splitting values at their spaces.
/// With `/S` cmd strips exactly the outer pair of quotes and runs the rest verbatim; each
/// value is quoted, and values holding a quote or other syntax were refused before
/// ([`check_shell_args`]), so a value is one argument to the program, spaces and all.
pub(crate) fn shell_command(line: &str, args: &[String], c: &mut tokio::process::Command) {
    let mut raw = format!("/D /S /C \"{line}");
    for a in args {
        // The program splits its command line by CreateProcess's rules, where backslashes
        // right before a quote escape it: a value ending in `\` would swallow its closing
        // quote and run into the next value. Those trailing backslashes are doubled.
        let trailing = a.len() - a.trim_end_matches('\\').len();
        raw.push_str(&format!(" \"{a}{}\"", "\\".repeat(trailing)));
    }
    raw.push('"');
    c.raw_arg(raw);
}

/// The shell that runs shell jobs.
pub(crate) const SHELL: &str = "cmd.exe";

/// Ends a leftover process tree that Vigil launched before it crashed; whether anything was
/// found to end. Normally there is none: the Job Object was created with kill-on-close, so the
/// kernel ended the tree when Vigil's handle closed with its process. This covers a tree that
/// escaped it: `taskkill /T` first (WM_CLOSE), then `/F` after `grace`. The identity (`pid`
/// started at `start`) is checked before each, so a reused PID is never touched.
pub(crate) async fn end_leftover(pid: u32, start: i64, grace: std::time::Duration) -> bool {
    let ours = || crate::process::process_start(pid) == Some(start);
    let taskkill = |force: bool| {
        let mut args = vec!["/PID".to_owned(), pid.to_string(), "/T".to_owned()];
        if force {
            args.push("/F".to_owned());
        }
        let mut c = tokio::process::Command::new("taskkill");
        c.args(args)
            .creation_flags(CREATE_NO_WINDOW)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    if !ours() {
        return false;
    }
    let _ = taskkill(false).status().await;
    // Once the identity matched, the PID stays this process's until it is gone: a PID is not
    // handed out again within these few seconds. (Re-reading the start time here is not
    // reliable everywhere: under Wine it failed to match a second time.)
    let alive = || crate::process::process_start(pid).is_some();
    let deadline = tokio::time::Instant::now() + grace;
    while tokio::time::Instant::now() < deadline && alive() {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if alive() {
        let _ = taskkill(true).status().await;
    }
    // TerminateProcess on the leader itself too: Wine's taskkill does not do `/T`, and a
    // taskkill that cannot run at all must not leave the leftover alive.
    if alive() {
        terminate(pid);
    }
    true
}

/// Ends one process Vigil did not start (a watched program's, confirmed by a person):
/// `taskkill /PID` (a close request to its windows), then TerminateProcess after `grace`;
/// never its children. The identity (`pid` started at `start`) is checked first.
pub(crate) async fn end_process(pid: u32, start: i64, grace: std::time::Duration) -> bool {
    if crate::process::process_start(pid) != Some(start) {
        return false;
    }
    let _ = tokio::process::Command::new("taskkill")
        .args(["/PID", &pid.to_string()])
        .creation_flags(CREATE_NO_WINDOW)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await;
    let alive = || crate::process::process_start(pid).is_some();
    let deadline = tokio::time::Instant::now() + grace;
    while tokio::time::Instant::now() < deadline && alive() {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if alive() {
        terminate(pid);
    }
    true
}

/// `cmd /D /C LINE ARGS...` parses the arguments as part of its line: values it would read as
/// syntax are refused (see [`vigil_core::Job::check_cmd_safe`]).
pub(crate) fn check_shell_args(
    job: &vigil_core::Job,
    argv: &[String],
) -> Result<(), vigil_core::ApiError> {
    job.check_cmd_safe(argv)
}

/// Ends one process at once (TerminateProcess, through sysinfo).
fn terminate(pid: u32) {
    let Ok(mut sys) = sysinfo::System::new() else {
        return;
    };
    let pid = sysinfo::Pid::from_u32(pid);
    sys.refresh_processes_specifics(
        sysinfo::ProcessesToUpdate::Some(&[pid]),
        true,
        sysinfo::ProcessRefreshKind::nothing().without_tasks(),
    );
    if let Some(p) = sys.process(pid) {
        p.kill();
    }
}

/// The visible top-level windows with their process and whether Windows says each stopped
/// responding (`IsHungAppWindow`: no message processed for 5 s). Win32 calls need `unsafe`;
/// each is a plain call on a handle the OS gave us, with a SAFETY note.
#[allow(unsafe_code)]
pub(crate) fn top_windows() -> Option<Vec<super::Window>> {
    use windows_sys::Win32::Foundation::{HWND, LPARAM};
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        EnumWindows, GetWindowTextW, GetWindowThreadProcessId, IsHungAppWindow, IsWindowVisible,
    };
    use windows_sys::core::BOOL;
    unsafe extern "system" fn each(hwnd: HWND, param: LPARAM) -> BOOL {
        // SAFETY: `param` is the address of the Vec below, alive for the whole EnumWindows call.
        let out = unsafe { &mut *(param as *mut Vec<super::Window>) };
        // SAFETY: plain Win32 calls on a window handle EnumWindows gave us.
        unsafe {
            if IsWindowVisible(hwnd) == 0 {
                return 1;
            }
            let mut pid = 0u32;
            GetWindowThreadProcessId(hwnd, &mut pid);
            let mut title = [0u16; 256];
            let n = GetWindowTextW(hwnd, title.as_mut_ptr(), title.len() as i32);
            out.push(super::Window {
                pid,
                title: String::from_utf16_lossy(&title[..usize::try_from(n).unwrap_or(0)]),
                hung: IsHungAppWindow(hwnd) != 0,
            });
        }
        1
    }
    let mut out: Vec<super::Window> = Vec::new();
    // SAFETY: the callback only writes through the pointer to `out`, which outlives the call.
    let ok = unsafe { EnumWindows(Some(each), &mut out as *mut _ as LPARAM) };
    (ok != 0).then_some(out)
}

/// The size and the space available to Vigil's user of the volume holding `path` (a local
/// drive, a mapped or UNC network share).
#[allow(unsafe_code)]
pub(crate) fn disk_space(path: &std::path::Path) -> std::io::Result<(u64, u64)> {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW;
    let wide: Vec<u16> = path
        .as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect();
    let (mut avail, mut total, mut free) = (0u64, 0u64, 0u64);
    // SAFETY: `wide` is NUL-terminated and outlives the call; the out pointers are valid.
    let ok = unsafe { GetDiskFreeSpaceExW(wide.as_ptr(), &mut avail, &mut total, &mut free) };
    if ok == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((total, avail))
}
