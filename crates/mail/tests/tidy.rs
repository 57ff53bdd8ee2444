//! The mail crate stays a leaf: no other Charter crate but `domain`, no database, no reading of
//! the environment (only `cli` does that). Checked here so no separate checker can be forgotten.

use std::fs;
use std::path::Path;

#[test]
fn the_manifest_names_no_other_layer() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("\n[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap();
    for line in deps.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.']).next().unwrap().trim();
        assert!(
            !name.starts_with("charter-") || name == "charter-domain",
            "charter-mail depends on {name}"
        );
        assert!(!name.contains("sqlx"), "charter-mail depends on {name}");
    }
}

#[test]
fn sources_do_no_database_work_and_read_no_environment() {
    let forbidden = [
        "sqlx",
        "std::env",
        "env::var",
        "charter_store",
        "charter_app",
        "charter_web",
        "println!",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for f in forbidden {
            assert!(!text.contains(f), "{} mentions {f}", path.display());
        }
    }
}
