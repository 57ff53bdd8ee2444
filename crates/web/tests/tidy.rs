//! Tidy checks of the web layer's invariants (ARCHITECTURE.md): it reaches the database only
//! through `app`'s use cases, never through the store (a handler that read the store would
//! skip the checks and the access log that `app` keeps for personal data); and page handlers
//! take their forms through the CSRF-checked extractors, never checking a token by hand (a
//! handler that had to remember the check could forget it).

use std::path::Path;

use charter_tidy::{manifest_table, sources};

/// Where a line of code (comments aside) touches the store: the `store` field of `App`, or
/// the `Store` trait itself.
fn touches_store(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    // `name` as a whole word: `charter_store::StoreError` is a record type, not the store.
    let names = |name: &str| {
        code.match_indices(name).any(|(i, m)| {
            !code[i + m.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    names(".store")
        || names("dyn Store")
        || names("charter_store::Store")
        || code.contains("charter_store::prelude")
}

#[test]
fn the_web_layer_never_calls_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    assert!(files.len() > 10, "read the sources under {}", src.display());
    let mut found = Vec::new();
    for file in files {
        for (n, line) in file.text.lines().enumerate() {
            if touches_store(line) {
                found.push(format!(
                    "{}:{}: {}",
                    file.path.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "web calls the store instead of a use case in app:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_store_call() {
    assert!(touches_store(
        "    let b = state.app.store.ballot(id).await?;"
    ));
    assert!(touches_store("let s: Arc<dyn Store> = x;"));
    assert!(touches_store("    state.app.store().ballot(id).await?;"));
    assert!(touches_store("use charter_store::prelude::*;"));
    assert!(touches_store("use charter_store::Store;"));
    assert!(!touches_store("use charter_store::StoreError;"));
    assert!(!touches_store(
        "    let u = state.app.store_units().await?;"
    ));
    assert!(!touches_store(
        "    // state.app.store.ballot(id) is not called here"
    ));
}

/// The web crate cannot reach the store: it depends on the records (`charter-model`) that the
/// use cases return, not on the store crate; and `App::store` exists only behind app's
/// `direct-store` feature, for the demo and tests, which web's own dependencies never turn on
/// (its tests may, through dev-dependencies).
#[test]
fn the_web_crate_never_asks_for_the_store() {
    let dependencies = manifest_table("web", "dependencies").join("\n");
    assert!(
        dependencies.contains("charter-app"),
        "read web's dependencies"
    );
    assert!(
        !dependencies.contains("charter-store"),
        "web depends on the store crate; it should take records from charter-model"
    );
    assert!(
        !dependencies.contains("direct-store"),
        "web's dependencies turn on app's direct-store feature"
    );
}

/// Where a line of code (comments aside) names the CSRF check: a call, or an import to call
/// it by hand.
fn names_csrf_check(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    code.contains("check_csrf")
}

#[test]
fn page_handlers_never_check_csrf_by_hand() {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
    let extractor = pages.join("extract.rs");
    let text = std::fs::read_to_string(&extractor).expect("the extractors' source");
    assert!(
        text.lines().any(names_csrf_check),
        "{} no longer checks the CSRF token: where is it checked now?",
        extractor.display()
    );
    let files = sources(&pages);
    assert!(
        files.len() > 10,
        "read the sources under {}",
        pages.display()
    );
    let mut found = Vec::new();
    for file in files.into_iter().filter(|f| f.path != extractor) {
        for (n, line) in file.text.lines().enumerate() {
            if names_csrf_check(line) {
                found.push(format!(
                    "{}:{}: {}",
                    file.path.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a page handler checks the CSRF token by hand; take the form as CsrfForm or CsrfUpload:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_csrf_check_by_hand() {
    assert!(names_csrf_check(
        "    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {"
    ));
    assert!(names_csrf_check(
        "use crate::session::{PageUser, check_csrf};"
    ));
    assert!(!names_csrf_check(
        "    // check_csrf is called by the extractor, not here"
    ));
    assert!(!names_csrf_check(
        "//!   call [`check_csrf`], so no handler can forget it"
    ));
}

/// The API's handlers: each documented operation id with its handler's signature.
fn handlers() -> Vec<(String, String)> {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut out = Vec::new();
    for file in sources(&api) {
        let text = file.text;
        let mut rest = text.as_str();
        while let Some(at) = rest.find("operation_id = \"") {
            rest = &rest[at + "operation_id = \"".len()..];
            let id = &rest[..rest.find('"').expect("closing quote")];
            let start = rest
                .find("pub async fn ")
                .expect("a handler after its path");
            let signature = &rest[start..start + rest[start..].find('{').expect("a body")];
            out.push((id.to_string(), signature.to_string()));
        }
    }
    assert!(out.len() > 100, "read the handlers under {}", api.display());
    out
}

/// The document gives a 403 to every signed-in operation except where any session, restricted
/// or not, may read: those are listed, and the list must be the handlers that take
/// `ApiOwnRecordUser`.
#[test]
fn own_record_operations_are_the_handlers_that_take_any_session() {
    let mut taking: Vec<String> = handlers()
        .into_iter()
        .filter(|(_, signature)| signature.contains("ApiOwnRecordUser("))
        .map(|(id, _)| id)
        .collect();
    taking.sort();
    let mut listed: Vec<String> = charter_web::api::responses::OWN_RECORD_OPERATIONS
        .iter()
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(
        taking, listed,
        "api::responses::OWN_RECORD_OPERATIONS must name exactly the handlers taking ApiOwnRecordUser"
    );
}

/// utoipa names a schema after its type: two types of one name would share one schema, and
/// one of them would be documented wrongly (`#[schema(as = …)]` gives one another name).
#[test]
fn every_schema_has_a_name_of_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names: Vec<(String, String)> = Vec::new();
    for file in sources(&src) {
        let text = file.text;
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let mut renamed = None;
            for next in &lines[n + 1..] {
                let next = next.trim_start();
                if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                    renamed = rest.split(')').next().map(str::to_string);
                }
                let item = next
                    .strip_prefix("pub struct ")
                    .or_else(|| next.strip_prefix("pub enum "));
                if let Some(item) = item {
                    let name = item
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or_default();
                    let at = format!("{}:{}", file.path.display(), n + 1);
                    names.push((renamed.unwrap_or_else(|| name.to_string()), at));
                    break;
                }
            }
        }
    }
    assert!(
        names.len() > 100,
        "read the schemas under {}",
        src.display()
    );
    names.sort();
    let twice: Vec<String> = names
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| format!("{} at {} and {}", w[0].0, w[0].1, w[1].1))
        .collect();
    assert!(
        twice.is_empty(),
        "schemas sharing a name:\n{}",
        twice.join("\n")
    );
}
