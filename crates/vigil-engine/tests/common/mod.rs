//! What the process-level test binaries share: the fixture's path and process checks.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

pub mod jobs;

/// Generous upper bound for anything a test waits on; tests finish as soon as the condition holds.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The fixture binary. Cargo names it by its build-machine path, which under Wine (the Windows
/// run of these tests) is not a Windows path, so there it is found next to the test binary.
pub fn fixture_path() -> String {
    if cfg!(windows) {
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
        dir.join("vigil-fixture.exe").display().to_string()
    } else {
        env!("CARGO_BIN_EXE_vigil-fixture").to_owned()
    }
}

/// Whether a process is running. A zombie has exited; only a reaped or running process counts.
pub fn alive(pid: u32) -> bool {
    let mut sys = sysinfo::System::new().unwrap();
    let pid = sysinfo::Pid::from_u32(pid);
    sys.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[pid]), true);
    sys.process(pid)
        .is_some_and(|p| !matches!(p.status(), sysinfo::ProcessStatus::Zombie))
}

/// Polls `f` until it returns `Some`, failing after [`DEADLINE`].
pub async fn until<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let started = std::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Kills a process that is not this test's child (by PID), as something outside Vigil would.
pub fn kill_pid(pid: u32) {
    let sys = sysinfo::System::new().unwrap();
    let mut sys = sys;
    let pid = sysinfo::Pid::from_u32(pid);
    sys.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[pid]), true);
    if let Some(p) = sys.process(pid) {
        p.kill();
    }
}
