//! `charter roll …` against a small demo organisation in a SQLite file: the two conference
//! rolls are listed, shown, verified, and exported as canonical text whose SHA-256 is the
//! published hash — so anyone given the file can check it with any SHA-256 tool.

use charter_store::prelude::*;
use std::process::{Command, Output};
use std::sync::Arc;

use charter_app::{App, FixedClock, Settings};
use charter_demo::{DemoOptions, generate, load, load_constitution};
use charter_store::Store;
use charter_store_sqlite::SqliteStore;
use chrono::{TimeZone, Utc};
use sha2::{Digest, Sha256};

fn charter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .output()
        .expect("charter runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolls_are_listed_verified_and_exported_with_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
    store.migrate().await.unwrap();
    let opts = DemoOptions {
        members: 200,
        ..DemoOptions::default()
    };
    load(store.as_ref(), &generate(opts), &|_, _| {})
        .await
        .unwrap();
    let at = Utc.from_utc_datetime(&opts.today.and_hms_opt(10, 0, 0).unwrap());
    let app = App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default());
    load_constitution(&app, opts.today).await.unwrap();
    let roll = app.rolls().await.unwrap()[0].clone();
    store.pool().close().await;

    let list = charter(&["roll", "list", "--database", &url]);
    assert!(list.status.success(), "{list:?}");
    assert!(
        text(&list).contains("Annual conference roll"),
        "{}",
        text(&list)
    );

    let id = roll.id.to_string();
    let show = charter(&["roll", "show", &id, "--database", &url]);
    assert!(show.status.success(), "{show:?}");
    assert!(text(&show).contains(&roll.frozen_hash), "{}", text(&show));

    let verify = charter(&["roll", "verify", &id, "--database", &url]);
    assert!(verify.status.success(), "{verify:?}");
    assert!(text(&verify).contains("frozen hash matches"));

    let export = charter(&["roll", "export", &id, "-", "--database", &url]);
    assert!(export.status.success(), "{export:?}");
    assert!(text(&export).starts_with("charter-roll-v1\n"));
    assert_eq!(
        hex::encode(Sha256::digest(&export.stdout)),
        roll.frozen_hash
    );
    let lines = text(&export).lines().count() as i64;
    assert_eq!(lines, 6 + roll.eligible + roll.excluded);

    // The export is a read of every listed member, logged where they can see it.
    let store = SqliteStore::connect(&url).await.unwrap();
    let first: i64 = text(&export)
        .lines()
        .nth(6)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let log = store
        .access_log(charter_domain::MemberId(first), 1, 50)
        .await
        .unwrap();
    assert!(
        log.items
            .iter()
            .any(|e| e.purpose.starts_with("roll export")),
        "{log:?}"
    );

    let missing = charter(&["roll", "verify", "9999", "--database", &url]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no roll 9999"));
}
