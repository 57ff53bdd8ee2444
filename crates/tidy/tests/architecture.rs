//! One check per structural invariant of ARCHITECTURE.md, over the workspace's sources and
//! manifests. Each check also shows, on a made-up line, that it would catch a breach.
//! (The web crate's own `tests/tidy.rs` holds "web never reaches the store"; the store's
//! `tests/secrecy_tidy.rs` holds "no statement reads the box beside the voters".)

use charter_tidy::{Source, crate_dir, crates, dependency_name, manifest_table, sources};

/// Lines of `crate_name`'s sources that contain any of `needles` (comments aside).
fn breaches(crate_name: &str, needles: &[&str]) -> Vec<String> {
    sources(&crate_dir(crate_name).join("src"))
        .iter()
        .flat_map(|s| lines_with(s, needles))
        .collect()
}

fn lines_with(source: &Source, needles: &[&str]) -> Vec<String> {
    source
        .code_lines()
        .filter(|(_, code)| needles.iter().any(|n| code.contains(n)))
        .map(|(n, code)| format!("{}:{n}: {}", source.path.display(), code.trim()))
        .collect()
}

fn made_up(text: &str) -> Source {
    Source {
        path: "made-up.rs".into(),
        text: text.into(),
    }
}

/// The packages `crate_name` depends on (not its dev-dependencies).
fn dependencies(crate_name: &str) -> Vec<String> {
    manifest_table(crate_name, "dependencies")
        .iter()
        .map(|l| dependency_name(l).to_string())
        .collect()
}

const IO: &[&str] = &[
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "tokio",
    "async fn",
    "sqlx",
    "axum",
];

/// `domain` does no I/O, has no async and no serialisation: its types are not wire formats,
/// and it depends on nothing but `thiserror` and `chrono`.
#[test]
fn domain_is_pure() {
    let mut needles = IO.to_vec();
    needles.extend(["serde", "Serialize", "Deserialize", "charter_"]);
    let found = breaches("domain", &needles);
    assert!(
        found.is_empty(),
        "domain does I/O or names a layer:\n{}",
        found.join("\n")
    );
    let deps = dependencies("domain");
    assert!(!deps.is_empty(), "read domain's dependencies");
    for dep in deps {
        assert!(
            ["thiserror", "chrono"].contains(&dep.as_str()),
            "domain depends on {dep}"
        );
    }
    assert!(!lines_with(&made_up("use tokio::fs;"), &needles).is_empty());
    assert!(lines_with(&made_up("// no tokio here"), &needles).is_empty());
}

/// `model` is plain data: the records and their ids, which every layer shares, do no I/O and
/// know no layer but `domain` (and the count's `Method`); serialisation is allowed, so an id
/// is written as its number.
#[test]
fn model_is_plain_data() {
    let mut needles = IO.to_vec();
    needles.extend(["charter_store", "charter_app", "charter_web"]);
    let found = breaches("model", &needles);
    assert!(
        found.is_empty(),
        "model does I/O or names a layer:\n{}",
        found.join("\n")
    );
    let deps = dependencies("model");
    assert!(!deps.is_empty(), "read model's dependencies");
    for dep in deps {
        assert!(
            ["charter-domain", "charter-count", "chrono", "serde"].contains(&dep.as_str()),
            "model depends on {dep}"
        );
    }
    assert!(!lines_with(&made_up("use charter_store::Store;"), &needles).is_empty());
}

/// `ballot-crypto` is pure too: no I/O, and no other Charter crate, so anyone can verify a
/// board with it alone.
#[test]
fn ballot_crypto_is_pure() {
    let found = breaches("ballot-crypto", IO);
    assert!(
        found.is_empty(),
        "ballot-crypto does I/O:\n{}",
        found.join("\n")
    );
    for dep in dependencies("ballot-crypto") {
        assert!(
            !dep.starts_with("charter-"),
            "ballot-crypto depends on {dep}"
        );
    }
}

/// `count` is a library first: it depends on no other Charter crate, its command line and
/// workbook reader are optional, and only the binaries turn them on, so the server links
/// neither.
#[test]
fn count_is_a_library_first() {
    let deps = manifest_table("count", "dependencies");
    for line in &deps {
        let name = dependency_name(line);
        assert!(!name.starts_with("charter-"), "count depends on {name}");
        if ["clap", "indicatif", "calamine"].contains(&name) {
            assert!(
                line.contains("optional = true"),
                "count needs {name}: {line}"
            );
        }
    }
    assert!(
        deps.iter().any(|l| l.starts_with("clap")),
        "read count's dependencies"
    );
    for krate in crates() {
        if krate == "cli" || krate == "count" {
            continue;
        }
        for line in manifest_table(&krate, "dependencies") {
            if dependency_name(&line) == "charter-count" {
                assert!(
                    !line.contains("features"),
                    "{krate} turns on count's command line or workbooks: {line}"
                );
            }
        }
    }
}

/// Only the store crates hold SQL: no other crate depends on a database driver or writes a
/// statement (tests may read the database to check what it holds).
#[test]
fn only_the_store_crates_hold_sql() {
    let statements = [
        "\"SELECT ",
        "\"INSERT INTO",
        "\"DELETE FROM",
        "\"UPDATE ",
        "sqlx::",
    ];
    let store = [
        "store",
        "store-sqlite",
        "store-postgres",
        "test-support",
        "tidy",
    ];
    let mut checked = 0;
    for krate in crates().iter().filter(|k| !store.contains(&k.as_str())) {
        for dep in dependencies(krate) {
            assert!(!dep.contains("sqlx"), "{krate} depends on {dep}");
        }
        let found = breaches(krate, &statements);
        assert!(found.is_empty(), "{krate} holds SQL:\n{}", found.join("\n"));
        checked += 1;
    }
    assert!(checked >= 8, "checked {checked} crates");
    assert!(!lines_with(&made_up(r#"q("SELECT id FROM members")"#), &statements).is_empty());
}

/// Each area of the store is one trait, implemented once for both dialects by its shared SQL
/// file: a backend crate implements only `Store` itself (its connection and housekeeping).
#[test]
fn each_store_area_is_implemented_once_in_its_shared_sql() {
    let traits: Vec<String> = sources(&crate_dir("store").join("src/areas"))
        .iter()
        .flat_map(|s| {
            s.text
                .lines()
                .filter_map(|l| l.strip_prefix("pub trait "))
                .filter_map(|l| l.split(':').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(traits.len() >= 10, "read the area traits: {traits:?}");
    let shared = sources(&crate_dir("store").join("sql"));
    for t in &traits {
        let implemented: Vec<&Source> = shared
            .iter()
            .filter(|s| s.text.contains(&format!("impl {t} for StoreImpl")))
            .collect();
        assert_eq!(
            implemented.len(),
            1,
            "{t} is implemented in {} shared files",
            implemented.len()
        );
    }
    for backend in ["store-sqlite", "store-postgres"] {
        let found: Vec<String> = sources(&crate_dir(backend).join("src"))
            .iter()
            .flat_map(|s| lines_with(s, &["Store for "]))
            .filter(|l| !l.contains("impl Store for "))
            .collect();
        assert!(
            found.is_empty(),
            "{backend} implements an area itself:\n{}",
            found.join("\n")
        );
    }
}

/// Only `cli` reads the environment (and `count`'s own command line, behind its `cli`
/// feature); every other crate is given what it needs.
#[test]
fn only_the_cli_reads_the_environment() {
    let needles = ["std::env", "env::var", "env::args"];
    for krate in crates() {
        if ["cli", "test-support", "tidy"].contains(&krate.as_str()) {
            continue;
        }
        let found: Vec<String> = breaches(&krate, &needles)
            .into_iter()
            .filter(|l| !(krate == "count" && l.contains("src/cli.rs")))
            .collect();
        assert!(
            found.is_empty(),
            "{krate} reads the environment:\n{}",
            found.join("\n")
        );
    }
    assert!(!lines_with(&made_up("let u = std::env::var(\"X\");"), &needles).is_empty());
}

/// Only `web` knows HTTP and HTML: no other library crate depends on the web stack, so the
/// use cases cannot lean on a request.
#[test]
fn only_web_knows_http() {
    let web_stack = ["axum", "hyper", "tower", "tower-http", "askama", "utoipa"];
    for krate in [
        "domain",
        "rules",
        "count",
        "store",
        "store-sqlite",
        "store-postgres",
        "app",
        "mail",
        "ballot-crypto",
        "demo",
    ] {
        for dep in dependencies(krate) {
            assert!(
                !web_stack.contains(&dep.as_str()),
                "{krate} depends on {dep}"
            );
        }
        let found = breaches(krate, &["axum::", "StatusCode"]);
        assert!(
            found.is_empty(),
            "{krate} speaks HTTP:\n{}",
            found.join("\n")
        );
    }
}
