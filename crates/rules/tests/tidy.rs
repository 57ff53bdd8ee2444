//! The engine stays pure: no I/O, no async, no SQL, no HTTP, and only the dependencies
//! its manifest was meant to have. Checked here so no separate checker can be forgotten.

use std::fs;
use std::path::Path;

#[test]
fn sources_do_no_io_and_name_no_outside_layer() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "tokio",
        "async fn",
        "sqlx",
        "axum",
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

#[test]
fn the_manifest_keeps_to_its_dependencies() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap();
    let names: Vec<&str> = deps
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split(['=', '.']).next().map(str::trim))
        .collect();
    assert_eq!(
        names,
        [
            "charter-domain",
            "charter-count",
            "thiserror",
            "chrono",
            "serde",
            "toml",
            "similar",
            "sha2",
            "hex"
        ]
    );
}
