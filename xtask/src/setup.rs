//! Installing what the tasks need on a fresh machine, and saying exactly what when we cannot.

use std::path::Path;
use std::process::Command;

use crate::steps::{exec, output};

/// The Windows target CI checks and tests under Wine.
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// Debian packages to build the Tauri app.
const BUILD: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "libssl-dev",
];
/// A virtual display and a private session bus, to show a real window without a screen.
const HEADLESS: &[&str] = &["xvfb", "xauth", "dbus-daemon"];
/// Browser and WebDriver tests. Chromium is Debian's: tests never download a browser.
const TEST: &[&str] = &[
    "webkit2gtk-driver",
    "chromium",
    "dunst",
    "imagemagick",
    "xdotool",
    // A real SMTP server (with STARTTLS and SMTPS) for the email channel's tests.
    "python3-aiosmtpd",
    "openssl",
    // Real Nagios check plugins, run unmodified by the plugin tests.
    "monitoring-plugins-basic",
];
/// Cross-building for Windows and running its tests under Wine.
const WINDOWS: &[&str] = &["mingw-w64", "wine", "wine64"];

/// What the packages are for.
pub enum Purpose {
    /// Starting the app; `headless` adds the virtual display.
    Run { headless: bool },
    /// Running every test; `windows` adds the cross toolchain and Wine.
    Test { windows: bool },
}

/// Installs missing Debian packages (as root), or fails naming the command to run.
pub fn system_packages(purpose: Purpose) -> Result<(), String> {
    if !cfg!(target_os = "linux")
        || Command::new("dpkg-query")
            .arg("--version")
            .output()
            .is_err()
    {
        return Ok(()); // Not Debian-like: the README lists what to install by hand.
    }
    let mut wanted: Vec<&str> = BUILD.to_vec();
    match purpose {
        Purpose::Run { headless } => {
            if headless {
                wanted.extend(HEADLESS);
            }
        }
        Purpose::Test { windows } => {
            wanted.extend(HEADLESS);
            wanted.extend(TEST);
            if windows {
                wanted.extend(WINDOWS);
            }
        }
    }
    let missing: Vec<&str> = wanted.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "missing system packages; run:\n  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive {install}"
        ));
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    exec(Path::new("/"), &argv(&["apt-get", "update", "-qq"]), &[])?;
    let mut cmd = argv(&["apt-get", "install", "-y", "-qq", "--no-install-recommends"]);
    cmd.extend(missing.iter().map(|s| s.to_string()));
    exec(
        Path::new("/"),
        &cmd,
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

fn installed(package: &str) -> bool {
    output(&["dpkg-query", "-W", "-f=${Status}", package])
        .map(|s| s.contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    output(&["id", "-u"])
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

fn argv(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// Installs rustfmt and clippy, the Windows target, and tauri-driver, when missing.
pub fn rust_tools(windows: bool) -> Result<(), String> {
    let root = Path::new(".");
    if output(&["cargo", "clippy", "--version"]).is_err()
        || output(&["cargo", "fmt", "--version"]).is_err()
    {
        exec(
            root,
            &argv(&["rustup", "component", "add", "clippy", "rustfmt"]),
            &[],
        )?;
    }
    if windows {
        let targets = output(&["rustup", "target", "list", "--installed"]).unwrap_or_default();
        if !targets.lines().any(|t| t.trim() == WINDOWS_TARGET) {
            exec(
                root,
                &argv(&["rustup", "target", "add", WINDOWS_TARGET]),
                &[],
            )?;
        }
    }
    if output(&["tauri-driver", "--help"]).is_err() {
        eprintln!("xtask: installing tauri-driver (the WebDriver bridge for the desktop test)");
        exec(
            root,
            &argv(&[
                "cargo",
                "install",
                "tauri-driver",
                "--version",
                "^2",
                "--locked",
            ]),
            &[],
        )?;
    }
    Ok(())
}

/// Installs `dir`'s npm packages, as pinned by its lock file, unless node_modules already
/// matches it.
///
/// `npm install` rather than `npm ci`: the registry reachable here does not serve every
/// platform's optional packages (rollup's Android builds answer 404), so the lock cannot list
/// them, and `npm ci` refuses such a lock as "out of sync". `npm install` installs exactly the
/// locked versions and skips the optional packages that cannot exist here; the lock is left
/// unchanged (checked on a clean copy).
pub fn npm_install(root: &Path, dir: &str) -> Result<(), String> {
    let dir = root.join(dir);
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => match (l.modified(), i.modified()) {
            (Ok(l), Ok(i)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    exec(
        &dir,
        &argv(&["npm", "install", "--no-audit", "--no-fund"]),
        &[],
    )
}

/// Prepares a Wine prefix that can load Rust >= 1.78 executables (see wine/processprng.c) and
/// returns the environment that makes `cargo test --target x86_64-pc-windows-gnu` run in it.
pub fn wine_prefix(root: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = root.join("target/wine");
    let prefix = dir.join("prefix");
    let dll = dir.join("bcryptprimitives.dll");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let source = root.join("xtask/wine/processprng.c");
    exec(
        root,
        &[
            "x86_64-w64-mingw32-gcc".to_string(),
            "-shared".into(),
            "-O2".into(),
            "-o".into(),
            dll.display().to_string(),
            source.display().to_string(),
            "-ladvapi32".into(),
        ],
        &[],
    )?;
    let env = vec![
        ("WINEPREFIX".to_string(), prefix.display().to_string()),
        ("WINEDEBUG".to_string(), "-all".to_string()),
        (
            "WINEDLLOVERRIDES".to_string(),
            "bcryptprimitives=n;mscoree,mshtml=".to_string(),
        ),
        (
            "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER".to_string(),
            "wine".to_string(),
        ),
    ];
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if !prefix.join("system.reg").exists() {
        exec(root, &argv(&["wineboot", "--init"]), &env_refs)?;
        exec(root, &argv(&["wineserver", "-w"]), &env_refs)?;
    }
    let system32 = prefix.join("drive_c/windows/system32");
    std::fs::copy(&dll, system32.join("bcryptprimitives.dll")).map_err(|e| {
        format!(
            "cannot install the ProcessPrng shim into {}: {e}",
            system32.display()
        )
    })?;
    Ok(env)
}
