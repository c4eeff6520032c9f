//! Watching programs Vigil did not start, and the machine around them: the process list and
//! system overview, a command-line match that keeps its process, and a watched program's stop
//! that ends exactly the processes a person confirmed. Real processes, real sweeps.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]

mod common;

use common::{alive, fixture_path, until};

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vigil_core::{MatchRule, RestartMode, RestartPolicy};
use vigil_engine::api::{
    AddProgram, GetProgramProcesses, GetProgramStatus, GetSystem, ListProcesses, ListProgramEvents,
    PreviewMatch, ProgramState, StopProgram,
};
use vigil_engine::monitor::MonitorConfig;
use vigil_engine::{Engine, EngineConfig, ErrorCode, EventKind};

async fn start(dir: &tempfile::TempDir) -> Engine {
    let mut config = EngineConfig::new(dir.path());
    config.monitor = MonitorConfig {
        interval: Duration::from_millis(100),
        discovery: Duration::from_millis(300),
    };
    config.stop_grace = Duration::from_millis(700);
    Engine::start(config).await.unwrap()
}

/// Processes started by the test, killed when it ends however it ends.
struct Outside(Vec<Child>);

impl Outside {
    fn spawn(&mut self, marker: &str) -> u32 {
        let child = Command::new(fixture_path())
            .args(["sleep", "3600", marker])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        self.0.push(child);
        pid
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn watched(name: &str, marker: &str) -> AddProgram {
    AddProgram {
        name: name.into(),
        path: fixture_path(),
        launch: false,
        match_by: MatchRule::Cmdline(marker.into()),
        restart: RestartPolicy {
            mode: RestartMode::Never,
            ..RestartPolicy::default()
        },
        ..AddProgram::default()
    }
}

async fn pids_of(engine: &Engine, id: i64) -> Vec<u32> {
    let mut pids: Vec<u32> = engine
        .call(GetProgramStatus { id })
        .await
        .unwrap()
        .processes
        .iter()
        .map(|p| p.pid)
        .collect();
    pids.sort_unstable();
    pids
}

async fn events_of(engine: &Engine, id: i64) -> Vec<vigil_engine::Event> {
    engine
        .call(ListProgramEvents {
            id,
            limit: None,
            before: None,
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_match_keeps_its_process_sweep_after_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let marker = format!("cmdline-keeps-{}", std::process::id());
    let mut outside = Outside(Vec::new());
    let pid = outside.spawn(&marker);
    let p = engine.call(watched("by-cmdline", &marker)).await.unwrap();
    until("the watched process found", async || {
        (pids_of(&engine, p.id).await == [pid]).then_some(())
    })
    .await;
    // Many fast sweeps and several discoveries later it is still the program's, running.
    let first = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
    let since = first.recent.last().map_or(0, |r| r.0);
    until("a dozen more sweeps", async || {
        let s = engine.call(GetProgramStatus { id: p.id }).await.unwrap();
        assert_eq!(s.state, ProgramState::Running, "{s:?}");
        assert_eq!(s.processes.iter().map(|x| x.pid).collect::<Vec<_>>(), [pid]);
        (s.recent.iter().filter(|r| r.0 > since).count() >= 12).then_some(())
    })
    .await;
    let events = events_of(&engine, p.id).await;
    assert!(
        events.iter().all(|e| e.kind != EventKind::ProgramStopped),
        "never seen stopped while it ran: {events:?}"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_stop_ends_exactly_the_confirmed_processes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let marker = format!("confirmed-stop-{}", std::process::id());
    let mut outside = Outside(Vec::new());
    let (a, b) = (outside.spawn(&marker), outside.spawn(&marker));
    let p = engine.call(watched("two-copies", &marker)).await.unwrap();
    let mut both = vec![a, b];
    both.sort_unstable();
    until("both processes found", async || {
        (pids_of(&engine, p.id).await == both).then_some(())
    })
    .await;
    // What a stop would end: both, with their command lines.
    let listed = engine.call(GetProgramProcesses { id: p.id }).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|x| x.cmd.iter().any(|a| a == &marker)));
    assert!(listed.iter().all(|x| x.program_id == Some(p.id)));

    // Without naming processes, or naming only strangers: refused, nothing ends.
    for pids in [None, Some(vec![])] {
        let err = engine
            .call(StopProgram { id: p.id, pids })
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::InvalidInput, Some("pids"))
        );
    }
    let stranger = std::process::id();
    let err = engine
        .call(StopProgram {
            id: p.id,
            pids: Some(vec![stranger]),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(alive(a) && alive(b));

    // Confirming one of them ends that one only, and the answer already shows it gone (not
    // the status of before the stop, which a client would show as still running).
    let answer = engine
        .call(StopProgram {
            id: p.id,
            pids: Some(vec![a, stranger]),
        })
        .await
        .unwrap();
    let listed: Vec<u32> = answer.processes.iter().map(|x| x.pid).collect();
    assert_eq!(listed, [b], "{answer:?}");
    assert_eq!(answer.state, ProgramState::Running);
    until("the confirmed process to end", async || {
        (!alive(a)).then_some(())
    })
    .await;
    assert!(
        alive(b),
        "the other copy was not confirmed and keeps running"
    );
    until("the program to keep only the other copy", async || {
        (pids_of(&engine, p.id).await == [b]).then_some(())
    })
    .await;
    let events = events_of(&engine, p.id).await;
    let said = events
        .iter()
        .find(|e| e.message.contains("on request"))
        .unwrap();
    assert!(said.message.contains(&a.to_string()) && said.message.contains("left alone"));
    // Ending the last one: the answer says stopped at once.
    let answer = engine
        .call(StopProgram {
            id: p.id,
            pids: Some(vec![b]),
        })
        .await
        .unwrap();
    assert!(answer.processes.is_empty(), "{answer:?}");
    assert_eq!(answer.state, ProgramState::Stopped);
    until("the last copy to end", async || (!alive(b)).then_some(())).await;
    engine.stop().await;
}

// Wine lacks pdh.dll's PdhEnumObjectsW, which sysinfo's machine-wide CPU reading calls on
// Windows (the process aborts); real Windows has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(windows, ignore = "Wine has no PdhEnumObjectsW (machine-wide CPU)")]
async fn the_machine_and_its_processes_are_listed_with_their_owners() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(&dir).await;
    let marker = format!("listed-{}", std::process::id());
    let mut outside = Outside(Vec::new());
    let pid = outside.spawn(&marker);
    let p = engine.call(watched("listed", &marker)).await.unwrap();
    until("the watched process found", async || {
        (pids_of(&engine, p.id).await == [pid]).then_some(())
    })
    .await;
    let system = engine.call(GetSystem {}).await.unwrap();
    assert!(!system.cores.is_empty());
    assert!(system.memory.total_bytes >= system.memory.used_bytes);
    assert!(system.process_count > 0);
    assert!(system.top_cpu.len() <= 10 && system.top_memory.len() <= 10);
    // Searching by the command line finds it, owned by its program (the answer of a moment
    // ago may be reused, so wait for one that knows the owner).
    let found = until("the process listed with its owner", async || {
        let list = engine
            .call(ListProcesses {
                q: Some(marker.to_uppercase()),
                limit: None,
            })
            .await
            .unwrap();
        list.into_iter()
            .find(|x| x.pid == pid && x.program_id == Some(p.id))
    })
    .await;
    assert!(found.cmd.iter().any(|a| a == &marker));
    assert!(found.started_at > 0);
    let few = engine
        .call(ListProcesses {
            q: None,
            limit: Some(3),
        })
        .await
        .unwrap();
    assert!(few.len() <= 3);
    assert!(
        few.iter().all(|x| x.pid != std::process::id()),
        "Vigil leaves itself out"
    );
    for limit in [0, 2001] {
        let err = engine
            .call(ListProcesses {
                q: None,
                limit: Some(limit),
            })
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("limit"));
    }
    // The register form's preview shows the command line of what a rule matches.
    let preview = engine
        .call(PreviewMatch {
            by: "cmdline".into(),
            value: Some(marker.clone()),
            path: None,
        })
        .await
        .unwrap();
    assert_eq!(preview.count, 1);
    assert!(preview.processes[0].cmd.iter().any(|a| a == &marker));
    engine.stop().await;
}

/// A process read between its fork and its exec shows its parent's command line; read once
/// and kept, it would never match a command-line rule until the next full discovery. It is
/// read again at the next discovery, so the match comes then.
#[cfg(unix)]
#[test]
fn a_process_caught_before_its_exec_is_matched_at_the_next_discovery() {
    use vigil_engine::monitor::{Discovery, Sweeper, Target};
    let marker = format!("after-exec-{}", std::process::id());
    let go = tempfile::NamedTempFile::new().unwrap();
    let go_path = go.path().to_owned();
    std::fs::remove_file(&go_path).unwrap();
    // The shell waits for the go file, then becomes the fixture: same PID, new command line.
    let child = Command::new("sh")
        .args([
            "-c",
            "while [ ! -e \"$GO\" ]; do sleep 0.05; done; exec \"$FIXTURE\" sleep 3600 \"$MARKER\"",
        ])
        .env("GO", &go_path)
        .env("FIXTURE", fixture_path())
        .env("MARKER", &marker)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut outside = Outside(vec![child]);
    let pid = outside.0[0].id();
    let targets = vec![Target {
        program_id: 1,
        rule: MatchRule::Cmdline(marker.clone()),
        path: fixture_path(),
        launch: false,
        launched: None,
    }];
    let mut sweeper = Sweeper::new().unwrap();
    let first = sweeper.sweep(&targets, Discovery::Full, 0);
    assert!(
        first.programs[0].1.is_empty(),
        "before the exec nothing matches"
    );
    std::fs::write(&go_path, "go").unwrap();
    let cmdline = format!("/proc/{pid}/cmdline");
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while !std::fs::read(&cmdline)
        .map(|c| String::from_utf8_lossy(&c).contains(&marker))
        .unwrap_or(false)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the shell never exec'd"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let next = sweeper.sweep(&targets, Discovery::Incremental, 1);
    assert_eq!(
        next.programs[0]
            .1
            .iter()
            .map(|p| p.id.pid)
            .collect::<Vec<_>>(),
        [pid],
        "matched at the next discovery, not only at the next full one"
    );
    drop(outside.0.pop().map(|mut c| c.kill()));
}
