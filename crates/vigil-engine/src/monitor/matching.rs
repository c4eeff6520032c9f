//! Matching processes to programs, from one snapshot. Pure over its inputs, so it is tested
//! with made-up process tables.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::Path;

use vigil_core::{MatchRule, ProgramId};

use super::{ProcId, Target};

/// What matching needs to know about one running process.
pub struct Candidate<'a> {
    /// Identity.
    pub id: ProcId,
    /// Parent PID, if known.
    pub parent: Option<u32>,
    /// Process name (for example `node.exe`).
    pub name: &'a str,
    /// Executable path, if readable (access may be denied).
    pub exe: Option<&'a Path>,
    /// Command line, if read.
    pub cmd: &'a [OsString],
}

fn same_path(a: &Path, b: &str) -> bool {
    if cfg!(windows) {
        a.to_string_lossy().eq_ignore_ascii_case(b)
    } else {
        a == Path::new(b)
    }
}

pub(crate) fn matches(rule: &MatchRule, path: &str, c: &Candidate<'_>) -> bool {
    match rule {
        MatchRule::Exe => c.exe.is_some_and(|exe| same_path(exe, path)),
        MatchRule::Name(name) => c.name.eq_ignore_ascii_case(name),
        MatchRule::Cmdline(text) => {
            let line: Vec<String> = c
                .cmd
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            line.join(" ").contains(text.as_str())
        }
    }
}

/// Assigns processes to programs. A launched program owns exactly the process Vigil launched
/// and its descendants; a watched program owns every process its rule matches and their
/// descendants. Each list is sorted, roots first by start time, so the first entry is the
/// program's main process.
pub fn assign(targets: &[Target], candidates: &[Candidate<'_>]) -> HashMap<ProgramId, Vec<ProcId>> {
    let mut children: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(parent) = c.parent {
            children.entry(parent).or_default().push(i);
        }
    }
    let mut out = HashMap::new();
    for t in targets {
        let roots: Vec<usize> = match t.launched {
            Some(pid) => candidates
                .iter()
                .position(|c| c.id.pid == pid)
                .into_iter()
                .collect(),
            None if t.launch => Vec::new(),
            None => candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| matches(&t.rule, &t.path, c))
                .map(|(i, _)| i)
                .collect(),
        };
        let mut seen: HashSet<usize> = HashSet::new();
        let mut ordered: Vec<ProcId> = Vec::new();
        let mut roots_sorted = roots.clone();
        roots_sorted.sort_by_key(|&i| (candidates[i].id.start, candidates[i].id.pid));
        let mut stack: Vec<usize> = roots_sorted.into_iter().rev().collect();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            let c = &candidates[i];
            ordered.push(c.id);
            if let Some(kids) = children.get(&c.id.pid) {
                // A child cannot have started before its parent; a "child" that did is a PID
                // reuse artefact and is not ours.
                stack.extend(
                    kids.iter()
                        .copied()
                        .filter(|&k| candidates[k].id.start >= c.id.start),
                );
            }
        }
        out.insert(t.program_id, ordered);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(
        pid: u32,
        start: u64,
        parent: Option<u32>,
        name: &'a str,
        exe: Option<&'a Path>,
        cmd: &'a [OsString],
    ) -> Candidate<'a> {
        Candidate {
            id: ProcId { pid, start },
            parent,
            name,
            exe,
            cmd,
        }
    }

    fn target(id: ProgramId, rule: MatchRule, path: &str, launched: Option<u32>) -> Target {
        Target {
            program_id: id,
            rule,
            path: path.into(),
            launch: launched.is_some(),
            launched,
        }
    }

    #[test]
    fn launched_program_owns_its_process_tree_only() {
        let exe = Path::new("/opt/app/server");
        let none: [OsString; 0] = [];
        let procs = [
            cand(10, 100, Some(1), "server", Some(exe), &none),
            cand(11, 101, Some(10), "worker", None, &none),
            cand(12, 102, Some(11), "grandchild", None, &none),
            cand(20, 90, Some(1), "server", Some(exe), &none), // another instance, not ours
        ];
        let got = assign(
            &[target(1, MatchRule::Exe, "/opt/app/server", Some(10))],
            &procs,
        );
        let pids: Vec<u32> = got[&1].iter().map(|p| p.pid).collect();
        assert_eq!(pids, [10, 11, 12]);
    }

    #[test]
    fn watched_program_matches_by_rule_and_main_process_comes_first() {
        let exe = Path::new("/usr/bin/node");
        let cmd_a = [OsString::from("node"), OsString::from("server.js")];
        let cmd_b = [OsString::from("node"), OsString::from("other.js")];
        let procs = [
            cand(30, 200, Some(1), "node", Some(exe), &cmd_b),
            cand(31, 150, Some(1), "node", Some(exe), &cmd_a),
            cand(32, 160, Some(31), "sh", None, &[]),
        ];
        let by_exe = assign(&[target(1, MatchRule::Exe, "/usr/bin/node", None)], &procs);
        let pids: Vec<u32> = by_exe[&1].iter().map(|p| p.pid).collect();
        assert_eq!(pids, [31, 32, 30], "oldest root first, then its children");
        let by_cmd = assign(
            &[target(
                2,
                MatchRule::Cmdline("server.js".into()),
                "/x",
                None,
            )],
            &procs,
        );
        let pids: Vec<u32> = by_cmd[&2].iter().map(|p| p.pid).collect();
        assert_eq!(pids, [31, 32]);
        let by_name = assign(
            &[target(3, MatchRule::Name("NODE".into()), "/x", None)],
            &procs,
        );
        assert_eq!(by_name[&3].len(), 3, "names match case-insensitively");
    }

    #[test]
    fn a_reused_parent_pid_does_not_adopt_older_processes() {
        let none: [OsString; 0] = [];
        let procs = [
            cand(40, 500, Some(1), "app", None, &none),
            // Claims pid 40 as parent but started before it: its real parent died and pid 40
            // was reused by our program.
            cand(41, 100, Some(40), "stranger", None, &none),
        ];
        let got = assign(&[target(1, MatchRule::Exe, "/x", Some(40))], &procs);
        assert_eq!(got[&1].len(), 1, "the stranger is not ours");
    }

    #[test]
    fn a_launched_program_that_is_not_running_owns_nothing() {
        let exe = Path::new("/opt/app/server");
        let none: [OsString; 0] = [];
        let procs = [cand(10, 100, Some(1), "server", Some(exe), &none)];
        let mut t = target(1, MatchRule::Exe, "/opt/app/server", None);
        t.launch = true;
        let got = assign(&[t], &procs);
        assert!(
            got[&1].is_empty(),
            "another copy of its executable is not the program"
        );
    }

    #[test]
    fn unreadable_exe_never_matches_by_path_and_nothing_running_is_empty() {
        let none: [OsString; 0] = [];
        let procs = [cand(50, 1, Some(1), "secret", None, &none)];
        let got = assign(&[target(1, MatchRule::Exe, "/secret", None)], &procs);
        assert!(
            got[&1].is_empty(),
            "access denied to exe: no match, no error"
        );
    }
}
