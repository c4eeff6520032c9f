//! Rules of the code's shape that no compiler checks, kept true by a test (as rust-analyzer's
//! tidy test does): which crate may name which dependency, that the core does no I/O and reads
//! no clock, and that a crate's top-level modules import each other without cycles.
// A test that cannot read the tree should fail on the spot.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("target") && !p.ends_with("fuzz") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

/// The crates of the workspace: (directory, name).
fn crates() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    all.push(root().join("src-tauri"));
    all.push(root().join("xtask"));
    all
}

/// Only `owner` may depend on `dependency` or name it in code.
fn only(owner: &str, dependency: &str, in_code: &str) {
    let mut offenders = Vec::new();
    for dir in crates() {
        if dir.ends_with(owner) || dir.ends_with("xtask") {
            continue;
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        if manifest.lines().any(|l| {
            l.trim_start().starts_with(&format!("{dependency} "))
                || l.trim_start().starts_with(&format!("{dependency}."))
        }) {
            offenders.push(format!("{}/Cargo.toml", dir.display()));
        }
        for (path, text) in sources(&dir) {
            if text.contains(in_code) {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "only {owner} may use {dependency}; also found in {offenders:?}"
    );
}

#[test]
fn only_the_store_names_sqlite() {
    only("vigil-store", "rusqlite", "rusqlite::");
}

#[test]
fn only_the_desktop_app_names_tauri() {
    only("src-tauri", "tauri", "tauri::");
}

#[test]
fn the_core_reads_no_clock_and_does_no_io() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::process",
        "std::io::stdin",
        "SystemTime::now",
        "Instant::now",
        "Utc::now",
        "Local::now",
        "tokio",
        "reqwest",
    ];
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("crates/vigil-core/src")) {
        // Unit tests may build fixtures however they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for f in forbidden {
            if code.contains(f) {
                found.push(format!("{} uses {f}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "vigil-core must stay pure: {found:?}");
}

/// Top-level modules of a crate (`src/x.rs` or `src/x/mod.rs`) and which others each imports.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let module =
            p.is_dir() && p.join("mod.rs").exists() || p.extension().is_some_and(|x| x == "rs");
        if module && !["lib", "main"].contains(&name.as_str()) {
            names.insert(name);
        }
    }
    let mut graph = BTreeMap::new();
    for name in &names {
        let file = src.join(format!("{name}.rs"));
        let dir = src.join(name);
        let texts: Vec<String> = if file.exists() {
            vec![std::fs::read_to_string(file).unwrap()]
        } else {
            sources(&dir).into_iter().map(|(_, t)| t).collect()
        };
        let mut uses = BTreeSet::new();
        for text in texts {
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
            for other in &names {
                if other != name
                    && (code.contains(&format!("crate::{other}::"))
                        || code.contains(&format!("crate::{other}}}"))
                        || code.contains(&format!("crate::{other};"))
                        || code.contains(&format!("crate::{{{other}")))
                {
                    uses.insert(other.clone());
                }
            }
        }
        graph.insert(name.clone(), uses);
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_owned());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_owned());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

/// Each crate's top-level modules import each other without cycles (`engine.rs`, which ties
/// the running parts together, and `lib.rs` re-exports are the root, not counted).
#[test]
fn modules_import_without_cycles() {
    for krate in [
        "crates/vigil-engine/src",
        "crates/vigil-core/src",
        "crates/vigil-server/src",
        "crates/vigil-cli/src",
        "src-tauri/src",
        "crates/vigil-store/src",
    ] {
        let graph = module_graph(&root().join(krate));
        assert!(
            cycle(&graph).is_none(),
            "{krate}: modules import each other in a cycle: {:?}",
            cycle(&graph)
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g = BTreeMap::new();
    g.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    g.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "a".into()]));
    g.insert("b".to_owned(), BTreeSet::new());
    assert_eq!(cycle(&g), None);
}
