//! Project tasks, so a newcomer needs two commands: `cargo xtask run` and `cargo xtask test`.
//!
//! Each task first installs what it needs and is missing (Debian packages when root, npm
//! packages, Rust targets and tools), then builds the UI, then does its work. No dependencies:
//! this builds in seconds before anything else.

mod setup;
mod steps;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use steps::{Step, Suite};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&root),
        Some("test") => test(&root, &args[1..]),
        Some("dist") => dist(&root),
        Some("bench") => bench(&root),
        Some("screenshots") => screenshots(&root),
        Some("chaos") => chaos(&root, &args[1..]),
        Some("fuzz") => fuzz(&root, &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 run    set up and start the desktop app (under Xvfb when there is no display)\n\
                 test   set up and run every test suite (add --skip-windows to skip the Windows ones)\n\
                 bench  speed and size benchmarks, the UI's included; rewrites docs/BENCHMARKS.md\n\
                 screenshots  every page in both themes into docs/screenshots/\n\
                 chaos  SIGKILL the daemon at random moments under load [KILLS, default 50]\n\
                 fuzz   the long fuzz run [CASES per target, default 200000]; with a nightly\n\
                        toolchain and cargo-fuzz, also coverage-guided (libFuzzer) [SECS each]\n\
                 dist   release builds of the desktop app and the `vigil` CLI"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Whether a display is available for a real window.
fn has_display() -> bool {
    cfg!(windows)
        || cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The prefix that gives a command a private D-Bus session and a virtual X display.
fn headless_prefix() -> Vec<String> {
    [
        "dbus-run-session",
        "--",
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1280x800x24",
    ]
    .map(String::from)
    .to_vec()
}

fn run(root: &Path) -> Result<(), String> {
    let headless = !has_display();
    setup::system_packages(setup::Purpose::Run { headless })?;
    setup::npm_install(root, "ui")?;
    steps::build_ui(root)?;
    steps::cargo(
        root,
        &[
            "build",
            "-p",
            "vigil-desktop",
            "--features",
            "custom-protocol",
        ],
    )?;
    let exe = root
        .join("target/debug")
        .join(format!("vigil-desktop{}", std::env::consts::EXE_SUFFIX));
    let mut cmd: Vec<String> = if headless {
        eprintln!("xtask: no display found; running the window under Xvfb (a virtual display)");
        headless_prefix()
    } else {
        Vec::new()
    };
    cmd.push(exe.display().to_string());
    steps::exec(root, &cmd, &[])
}

fn bench(root: &Path) -> Result<(), String> {
    setup::system_packages(setup::Purpose::Run { headless: true })?;
    let out = root.join("docs/BENCHMARKS.md");
    // The whole-daemon figures run the release `vigil` binary beside the bench.
    steps::exec(
        root,
        &["cargo", "build", "--release", "-p", "vigil-cli"].map(String::from),
        &[],
    )?;
    steps::exec(
        root,
        &["cargo", "bench", "-p", "vigil-engine", "--bench", "vigil"].map(String::from),
        &[("VIGIL_BENCH_OUT", &out.display().to_string())],
    )?;
    // The UI's cost in Chromium: 200 live programs on the dashboard (VIGIL_UI_BENCH_SECS,
    // default 60; 3600 for the hour-long version).
    browser_setup(root)?;
    steps::exec(
        root,
        &["node", "tests/e2e/bench-ui.mjs"].map(String::from),
        &[("VIGIL_UI_BENCH_OUT", &out.display().to_string())],
    )?;
    eprintln!("xtask: wrote {}", out.display());
    Ok(())
}

/// What the browser scripts need: Chromium, the npm packages, the built UI, the daemon and
/// the fixture program.
fn browser_setup(root: &Path) -> Result<(), String> {
    setup::system_packages(setup::Purpose::Test { windows: false })?;
    setup::npm_install(root, "ui")?;
    setup::npm_install(root, "tests/e2e")?;
    steps::build_ui(root)?;
    steps::cargo(
        root,
        &["build", "-p", "vigil-cli", "-p", "vigil-engine", "--bins"],
    )
}

/// A PNG of every page in both themes, from a daemon with realistic data, into
/// docs/screenshots/ (with an index).
fn screenshots(root: &Path) -> Result<(), String> {
    browser_setup(root)?;
    steps::exec(
        root,
        &["node", "tests/e2e/screenshots.mjs"].map(String::from),
        &[],
    )
}

/// The crash-kill harness at full length: the same test the suite runs with 5 kills.
fn chaos(root: &Path, args: &[String]) -> Result<(), String> {
    let kills = args.first().map_or("50", String::as_str);
    steps::exec(
        root,
        &[
            "cargo",
            "test",
            "-p",
            "vigil-cli",
            "--test",
            "chaos",
            "--",
            "--nocapture",
        ]
        .map(String::from),
        &[("VIGIL_CHAOS_KILLS", kills)],
    )
}

/// The long fuzz run: every target over many generated inputs on stable (what CI runs briefly),
/// then, where a nightly toolchain and cargo-fuzz exist, each libFuzzer target for a while.
fn fuzz(root: &Path, args: &[String]) -> Result<(), String> {
    let cases = args.first().map_or("200000", String::as_str);
    steps::exec(
        root,
        &[
            "cargo",
            "test",
            "--release",
            "-p",
            "vigil-fuzz",
            "--",
            "--nocapture",
        ]
        .map(String::from),
        &[("VIGIL_FUZZ_CASES", cases)],
    )?;
    let secs = args.get(1).map_or("60", String::as_str);
    let nightly = std::process::Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !nightly {
        eprintln!(
            "xtask: no nightly toolchain with cargo-fuzz here; skipped the coverage-guided run \
             (rustup toolchain install nightly && cargo install cargo-fuzz)"
        );
        return Ok(());
    }
    let dir = root.join("crates/vigil-fuzz");
    let list = std::process::Command::new("cargo")
        .args(["+nightly", "fuzz", "list"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cargo fuzz list: {e}"))?;
    for target in String::from_utf8_lossy(&list.stdout).lines() {
        // libFuzzer writes what it finds to its own working corpus (ignored by git) and reads
        // the committed seeds as a second directory.
        let work = dir.join("fuzz/corpus").join(target);
        let _ = std::fs::create_dir_all(&work);
        let seeds = dir.join("corpus").join(target);
        steps::exec(
            &dir,
            &[
                "cargo".to_owned(),
                "+nightly".to_owned(),
                "fuzz".to_owned(),
                "run".to_owned(),
                target.to_owned(),
                work.display().to_string(),
                seeds.display().to_string(),
                "--".to_owned(),
                format!("-max_total_time={secs}"),
                "-rss_limit_mb=1024".to_owned(),
                "-timeout=5".to_owned(),
            ],
            &[],
        )?;
    }
    Ok(())
}

fn dist(root: &Path) -> Result<(), String> {
    setup::system_packages(setup::Purpose::Run { headless: true })?;
    setup::npm_install(root, "ui")?;
    steps::build_ui(root)?;
    steps::cargo(
        root,
        &[
            "build",
            "--release",
            "-p",
            "vigil-desktop",
            "-p",
            "vigil-cli",
            "--features",
            "vigil-desktop/custom-protocol",
        ],
    )?;
    eprintln!("xtask: built target/release/vigil-desktop and target/release/vigil");
    Ok(())
}

fn test(root: &Path, args: &[String]) -> Result<(), String> {
    let windows = !args.iter().any(|a| a == "--skip-windows");
    setup::system_packages(setup::Purpose::Test { windows })?;
    setup::rust_tools(windows)?;
    setup::npm_install(root, "ui")?;
    setup::npm_install(root, "tests/e2e")?;
    steps::build_ui(root)?;

    let target = root.join("target");
    let desktop_bin = target.join("debug/vigil-desktop");
    let vigil_bin = target.join("debug/vigil");
    let mut suite = Suite::new(root);
    suite.step(Step::cmd(
        "rustfmt",
        &["cargo", "fmt", "--all", "--", "--check"],
    ));
    suite.step(Step::cmd(
        "clippy",
        &[
            "cargo",
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ));
    suite.step(Step::cmd("rust tests", &["cargo", "test", "--workspace"]).counts_cargo());
    suite.step(
        Step::cmd("ui unit tests (vitest)", &["npm", "--prefix", "ui", "test"]).counts_vitest(),
    );
    suite.step(
        Step::cmd(
            "browser e2e (Playwright, Chromium)",
            &["node", "--test", "tests/e2e/"],
        )
        .env("VIGIL_BIN", &vigil_bin.display().to_string())
        .counts_node(),
    );
    suite.step(Step::cmd(
        "desktop build (custom-protocol)",
        &[
            "cargo",
            "build",
            "-p",
            "vigil-desktop",
            "--features",
            "custom-protocol",
        ],
    ));
    let mut desktop = headless_prefix();
    desktop.extend(["node", "--test", "tests/desktop/"].map(String::from));
    suite.step(
        Step::argv("desktop window (WebDriver, Xvfb)", desktop)
            .env("VIGIL_DESKTOP_BIN", &desktop_bin.display().to_string())
            .counts_node(),
    );
    if windows {
        suite.step(Step::cmd(
            "windows check",
            &[
                "cargo",
                "check",
                "--workspace",
                "--all-targets",
                "--target",
                setup::WINDOWS_TARGET,
            ],
        ));
        match setup::wine_prefix(root) {
            Ok(env) => {
                let mut step = Step::cmd(
                    "windows tests under wine",
                    &[
                        "cargo",
                        "test",
                        "--target",
                        setup::WINDOWS_TARGET,
                        "-p",
                        "vigil-core",
                        "-p",
                        "vigil-store",
                        "-p",
                        "vigil-engine",
                    ],
                )
                .counts_cargo();
                for (k, v) in env {
                    step = step.env(&k, &v);
                }
                suite.step(step);
                suite.after(&["wineserver", "-k"]);
            }
            Err(e) => suite.fail("windows tests under wine", &e),
        }
    }
    suite.finish()
}
