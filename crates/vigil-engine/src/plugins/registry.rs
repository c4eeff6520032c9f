//! The installed plugins: each folder under the data dir's `plugins/` with a `plugin.json`,
//! read and checked when the engine starts and on a rescan. A refused folder is listed with
//! its reason; it never stops the others.

use std::path::{Path, PathBuf};

use vigil_core::Manifest;

/// Largest manifest read.
const MAX_MANIFEST: u64 = 256 * 1024;
/// Most plugin folders looked at.
pub(crate) const MAX_PLUGINS: usize = 500;

/// One plugin folder as found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The folder.
    pub dir: PathBuf,
    /// Its checked manifest, or why it was refused.
    pub manifest: Result<Manifest, String>,
}

impl Found {
    /// The plugin's name (the folder's when the manifest was refused).
    pub fn name(&self) -> String {
        match &self.manifest {
            Ok(m) => m.name.clone(),
            Err(_) => self
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

fn read_one(dir: &Path) -> Result<Manifest, String> {
    let file = dir.join("plugin.json");
    let meta = std::fs::metadata(&file).map_err(|e| format!("cannot read plugin.json: {e}"))?;
    if meta.len() > MAX_MANIFEST {
        return Err(format!("plugin.json is larger than {MAX_MANIFEST} bytes"));
    }
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("cannot read plugin.json: {e}"))?;
    let m = Manifest::parse(&text).map_err(|e| match e.field {
        Some(f) => format!("{} (field {f})", e.message),
        None => e.message,
    })?;
    if m.command.here().is_none() {
        return Err(format!(
            "it has no command for this OS ({})",
            if cfg!(windows) { "windows" } else { "unix" }
        ));
    }
    Ok(m)
}

/// Reads every plugin folder under `root` (missing root: none), sorted by folder name. Two
/// folders claiming one name: the first keeps it, the second is refused.
pub(crate) fn scan(root: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        // A link to a folder is a plugin folder too (`is_dir` follows links).
        .filter(|p| p.is_dir())
        .filter(|p| {
            // `plugins/examples/` style folders of folders are not plugins; hidden ones neither.
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    dirs.sort();
    dirs.truncate(MAX_PLUGINS);
    let mut out: Vec<Found> = Vec::new();
    for dir in dirs {
        let mut manifest = read_one(&dir);
        if let Ok(m) = &manifest
            && out
                .iter()
                .any(|f| f.manifest.as_ref().is_ok_and(|o| o.name == m.name))
        {
            manifest = Err(format!(
                "another folder already has a plugin named {:?}",
                m.name
            ));
        }
        out.push(Found { dir, manifest });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_read_refused_with_reasons_and_names_stay_unique() {
        let root = tempfile::tempdir().unwrap();
        let write = |dir: &str, text: &str| {
            let d = root.path().join(dir);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("plugin.json"), text).unwrap();
        };
        let good = r#"{"name":"ok","version":"1","kind":"check","command":{"unix":["./x"],"windows":["x.cmd"]}}"#;
        write("a-ok", good);
        write("b-dup", good);
        write("c-garbage", "{not json");
        write(
            "d-wrong-os",
            r#"{"name":"other","version":"1","kind":"check","command":{"plan9":["x"]}}"#,
        );
        std::fs::create_dir_all(root.path().join("e-empty")).unwrap();
        std::fs::write(root.path().join("loose-file"), "x").unwrap();
        let found = scan(root.path());
        let names: Vec<String> = found.iter().map(Found::name).collect();
        assert_eq!(names, ["ok", "b-dup", "c-garbage", "d-wrong-os", "e-empty"]);
        assert!(found[0].manifest.is_ok());
        let why = |i: usize| found[i].manifest.clone().unwrap_err();
        assert!(why(1).contains("already has a plugin named"), "{}", why(1));
        assert!(why(2).contains("not a valid manifest"), "{}", why(2));
        assert!(why(3).contains("not a valid manifest"), "{}", why(3));
        assert!(why(4).contains("cannot read plugin.json"), "{}", why(4));
        assert!(scan(&root.path().join("missing")).is_empty());
    }
}
