//! Reads the workspace's sources and manifests as text, for the architecture checks in
//! `tests/architecture.rs`: each check holds one invariant of ARCHITECTURE.md, and shows on
//! a made-up line that it would fail.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's root directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|e| panic!("the workspace root: {e}"))
}

/// A crate's directory, by its directory name under `crates/` (`store-sqlite`).
pub fn crate_dir(name: &str) -> PathBuf {
    let dir = root().join("crates").join(name);
    assert!(dir.is_dir(), "no crate directory {}", dir.display());
    dir
}

/// The directory names of every crate in the workspace.
pub fn crates() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("crates"))
        .unwrap_or_else(|e| panic!("crates/: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// One Rust source file: its path and its text.
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// The file's lines with their numbers (from 1), each cut at a line comment, so a rule
    /// mentioned in a comment does not count as code.
    pub fn code_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text
            .lines()
            .enumerate()
            .map(|(n, line)| (n + 1, code_of(line)))
    }
}

/// A line without its `//` comment (a `//` inside a string literal is rare enough in the
/// lines these checks read that cutting there only ever hides a little code from them).
pub fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) if !line[..i].ends_with(':') => &line[..i],
        _ => line,
    }
}

/// The Rust files under `dir`, recursively, in a stable order.
pub fn sources(dir: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push(Source { path, text });
        }
    }
    out
}

/// The lines of one table of a crate's manifest (`dependencies`, `dev-dependencies`,
/// `features`), comments and blank lines left out.
pub fn manifest_table(crate_name: &str, table: &str) -> Vec<String> {
    let path = crate_dir(crate_name).join("Cargo.toml");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    table_lines(&text, table)
}

/// The lines of `[table]` in a manifest's text.
pub fn table_lines(manifest: &str, table: &str) -> Vec<String> {
    let header = format!("[{table}]");
    let mut inside = false;
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    out
}

/// The package a dependency line names (`charter-store = { path = … }` → `charter-store`).
pub fn dependency_name(line: &str) -> &str {
    line.split(['=', '.', ' ']).next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_names_are_read_from_a_manifest() {
        let manifest = "[package]\nname = \"x\"\n\n[dependencies]\n# why\nserde.workspace = true\ncharter-domain = { path = \"../domain\" }\n\n[dev-dependencies]\nproptest = \"1\"\n";
        let deps = table_lines(manifest, "dependencies");
        assert_eq!(deps.len(), 2);
        assert_eq!(dependency_name(&deps[0]), "serde");
        assert_eq!(dependency_name(&deps[1]), "charter-domain");
        assert_eq!(
            table_lines(manifest, "dev-dependencies"),
            ["proptest = \"1\""]
        );
    }

    #[test]
    fn comments_are_not_code() {
        assert_eq!(code_of("let x = 1; // sqlx"), "let x = 1; ");
        assert_eq!(code_of("let u = \"https://x\";"), "let u = \"https://x\";");
    }

    #[test]
    fn every_crate_is_found() {
        let names = crates();
        for expected in ["domain", "store", "app", "web", "cli", "tidy"] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
    }
}
