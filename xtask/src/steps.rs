//! Running commands, and the test suite's bookkeeping: every step runs even when an earlier one
//! failed, and the end says what passed with test counts.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Runs a command with inherited output; fails if it cannot start or exits non-zero.
pub fn exec(dir: &Path, argv: &[String], env: &[(&str, &str)]) -> Result<(), String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", argv.join(" ")))
    }
}

/// Runs a command and returns its standard output; `Err` if it cannot start or fails.
pub fn output(argv: &[&str]) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("{program} failed"))
    }
}

/// `cargo <args>` in the workspace root.
pub fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut argv = vec!["cargo".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    exec(root, &argv, &[])
}

/// Builds the UI into ui/dist, which the desktop app and the daemon serve.
pub fn build_ui(root: &Path) -> Result<(), String> {
    exec(
        root,
        &["npm", "--prefix", "ui", "run", "build"].map(String::from),
        &[],
    )
}

/// How a step's output reports its test counts.
#[derive(Clone, Copy)]
enum Counter {
    None,
    /// `test result: ok. N passed; M failed; ...`
    Cargo,
    /// `Tests  N passed | M failed (T)`
    Vitest,
    /// node --test: `# pass N` / `# fail M` (or `ℹ pass N`).
    Node,
}

/// One suite step.
pub struct Step {
    name: String,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    counter: Counter,
}

impl Step {
    /// A step from string slices.
    pub fn cmd(name: &str, argv: &[&str]) -> Self {
        Self::argv(name, argv.iter().map(|s| s.to_string()).collect())
    }

    /// A step from owned arguments.
    pub fn argv(name: &str, argv: Vec<String>) -> Self {
        Self {
            name: name.to_string(),
            argv,
            env: Vec::new(),
            counter: Counter::None,
        }
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Counts tests from cargo's `test result:` lines.
    pub fn counts_cargo(mut self) -> Self {
        self.counter = Counter::Cargo;
        self
    }

    /// Counts tests from vitest's summary.
    pub fn counts_vitest(mut self) -> Self {
        self.counter = Counter::Vitest;
        self
    }

    /// Counts tests from node's test runner summary.
    pub fn counts_node(mut self) -> Self {
        self.counter = Counter::Node;
        self
    }
}

struct Outcome {
    name: String,
    ok: bool,
    passed: u64,
    failed: u64,
    secs: f64,
    note: String,
}

/// Runs steps in order and reports them together at the end.
pub struct Suite {
    root: PathBuf,
    outcomes: Vec<Outcome>,
    cleanup: Vec<Vec<String>>,
}

impl Suite {
    /// A suite running in `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            outcomes: Vec::new(),
            cleanup: Vec::new(),
        }
    }

    /// Records a step that could not even start.
    pub fn fail(&mut self, name: &str, why: &str) {
        eprintln!("xtask: {name}: {why}");
        self.outcomes.push(Outcome {
            name: name.to_string(),
            ok: false,
            passed: 0,
            failed: 0,
            secs: 0.0,
            note: why.to_string(),
        });
    }

    /// A command to run at the end whatever happened (best effort).
    pub fn after(&mut self, argv: &[&str]) {
        self.cleanup
            .push(argv.iter().map(|s| s.to_string()).collect());
    }

    /// Runs a step, streaming its output and reading test counts from it.
    pub fn step(&mut self, step: Step) {
        eprintln!("\n==> {} ({})", step.name, step.argv.join(" "));
        let started = Instant::now();
        let (ok, passed, failed, note) = match run_counted(&self.root, &step) {
            Ok((ok, p, f)) => (ok, p, f, String::new()),
            Err(e) => (false, 0, 0, e),
        };
        self.outcomes.push(Outcome {
            name: step.name,
            ok,
            passed,
            failed,
            secs: started.elapsed().as_secs_f64(),
            note,
        });
    }

    /// Prints the summary; `Err` when any step failed.
    pub fn finish(self) -> Result<(), String> {
        for argv in &self.cleanup {
            let _ = exec(&self.root, argv, &[]);
        }
        eprintln!(
            "\n{:<40} {:>6} {:>8} {:>8} {:>8}",
            "step", "result", "passed", "failed", "secs"
        );
        let (mut passed, mut failed, mut broken) = (0, 0, 0);
        for o in &self.outcomes {
            eprintln!(
                "{:<40} {:>6} {:>8} {:>8} {:>8.1} {}",
                o.name,
                if o.ok { "ok" } else { "FAIL" },
                o.passed,
                o.failed,
                o.secs,
                o.note
            );
            passed += o.passed;
            failed += o.failed;
            if !o.ok {
                broken += 1;
            }
        }
        let total: f64 = self.outcomes.iter().map(|o| o.secs).sum();
        eprintln!("total {total:.0} s");
        println!("tests: {passed} passed, {failed} failed");
        if broken == 0 {
            Ok(())
        } else {
            Err(format!("{broken} step(s) failed"))
        }
    }
}

fn run_counted(root: &Path, step: &Step) -> Result<(bool, u64, u64), String> {
    let (program, args) = step.argv.split_first().ok_or("empty command")?;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(root)
        .envs(step.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            let (p, f) = count(step.counter, &line);
            passed += p;
            failed += f;
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.success(), passed, failed))
}

/// Reads test counts from one line of a runner's output.
fn count(counter: Counter, line: &str) -> (u64, u64) {
    let number_before = |line: &str, word: &str| -> u64 {
        line.split(word)
            .next()
            .and_then(|head| head.split_whitespace().last())
            .and_then(|n| n.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
            .unwrap_or(0)
    };
    let line = strip_ansi(line);
    match counter {
        Counter::None => (0, 0),
        Counter::Cargo if line.starts_with("test result:") => (
            number_before(&line, " passed"),
            number_before(&line, " failed"),
        ),
        Counter::Vitest if line.trim_start().starts_with("Tests ") => {
            let p = if line.contains(" passed") {
                number_before(&line, " passed")
            } else {
                0
            };
            let f = if line.contains(" failed") {
                number_before(&line, " failed")
            } else {
                0
            };
            (p, f)
        }
        Counter::Node => {
            let t = line.trim_start_matches(['#', 'ℹ', ' ']);
            let n = |prefix: &str| t.strip_prefix(prefix).and_then(|r| r.trim().parse().ok());
            match (n("pass "), n("fail ")) {
                (Some(p), _) => (p, 0),
                (_, Some(f)) => (0, f),
                _ => (0, 0),
            }
        }
        _ => (0, 0),
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_runner_summary() {
        assert_eq!(
            count(
                Counter::Cargo,
                "test result: ok. 7 passed; 1 failed; 0 ignored; 0 measured"
            ),
            (7, 1)
        );
        assert_eq!(
            count(
                Counter::Vitest,
                "\u{1b}[2m      Tests \u{1b}[22m 12 passed | 2 failed (14)"
            ),
            (12, 2)
        );
        assert_eq!(
            count(Counter::Vitest, "      Tests  30 passed (30)"),
            (30, 0)
        );
        assert_eq!(count(Counter::Node, "# pass 3"), (3, 0));
        assert_eq!(count(Counter::Node, "ℹ fail 2"), (0, 2));
        assert_eq!(count(Counter::Node, "# passage"), (0, 0));
    }
}
