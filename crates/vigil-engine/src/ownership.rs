//! One engine per data dir: an exclusive OS lock on `DIR/vigil.lock`, taken before anything
//! reads or writes the directory's state.
//!
//! Architecture Invariant: two engines never own one data dir. The lock is the operating
//! system's (`flock` on Unix, `LockFileEx` on Windows, through std's `File::try_lock`), so it
//! is released by the kernel when its process dies however it dies: a SIGKILL or a power cut
//! leaves no stale lock to clean up. Who holds it is written beside it in `DIR/engine.json`
//! (not in the lock file: on Windows a locked range cannot be read by another process), so the
//! second engine can say whom it found.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigil_core::ApiError;

/// The file whose lock is the data dir's ownership.
pub const LOCK_FILE: &str = "vigil.lock";
/// Who holds the lock: pid, kind and start time, as JSON.
pub const HOLDER_FILE: &str = "engine.json";

/// What the holder of a data dir says about itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// What it is: `daemon`, `desktop`, `service`, `test`...
    pub kind: String,
    /// When it took the data dir, unix ms.
    pub since: i64,
}

/// The held lock. Dropping it (or the process ending) releases the data dir.
pub(crate) struct Ownership {
    file: File,
    holder_path: PathBuf,
}

impl Ownership {
    /// Takes the data dir for this process, or explains who has it. Nothing else in the data
    /// dir is touched when it fails.
    pub(crate) fn take(dir: &Path, kind: &str) -> Result<Self, ApiError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| {
                ApiError::internal(format!(
                    "cannot open the lock file in {}: {e}",
                    dir.display()
                ))
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ApiError::conflict(in_use_message(dir)));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ApiError::internal(format!(
                    "cannot lock the data dir {}: {e}",
                    dir.display()
                )));
            }
        }
        let holder = Holder {
            pid: std::process::id(),
            kind: kind.to_owned(),
            since: crate::now_ms(),
        };
        let holder_path = dir.join(HOLDER_FILE);
        let written = serde_json::to_vec(&holder)
            .map_err(std::io::Error::other)
            .and_then(|json| {
                // Written aside and renamed, so a reader never sees half of it.
                let tmp = holder_path.with_extension("json.tmp");
                let mut f = File::create(&tmp)?;
                f.write_all(&json)?;
                drop(f);
                std::fs::rename(&tmp, &holder_path)
            });
        if let Err(e) = written {
            tracing::warn!(error = %e, "cannot record who holds the data dir");
        }
        Ok(Self { file, holder_path })
    }

    /// Releases the data dir now (a clean stop), so another engine may take it at once.
    pub(crate) fn release(self) {
        let _ = std::fs::remove_file(&self.holder_path);
        let _ = self.file.unlock();
    }
}

/// Reads who holds a data dir, if anyone wrote it down.
pub fn holder(dir: &Path) -> Option<Holder> {
    serde_json::from_slice(&std::fs::read(dir.join(HOLDER_FILE)).ok()?).ok()
}

fn in_use_message(dir: &Path) -> String {
    let found = holder(dir);
    let mut who = match &found {
        Some(h) => format!("Vigil's {} (pid {})", h.kind, h.pid),
        None => "another Vigil".to_owned(),
    };
    // The address file is the holder's only if it was written after the holder took the dir
    // (a daemon that died earlier may have left its own).
    let endpoint = dir.join("endpoint");
    let current = std::fs::metadata(&endpoint)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|t| {
            found
                .as_ref()
                .is_some_and(|h| t.as_millis() as i64 + 1_000 >= h.since)
        });
    if current && let Ok(address) = std::fs::read_to_string(&endpoint) {
        let address = address.trim();
        if !address.is_empty() {
            who.push_str(&format!(", listening on {address}"));
        }
    }
    format!(
        "the data dir {} is in use by {who}; stop it first or use another data dir",
        dir.display()
    )
}
