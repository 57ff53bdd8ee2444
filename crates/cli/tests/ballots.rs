//! `charter ballot …` against the demo organisation in a SQLite file: the demo's ballots are
//! listed; the counted election's published ballots export as JSON and BLT, `charter count`
//! reproduces the recorded winners from either file, and `charter ballot recount` agrees
//! with the result recorded at close. The question still open cannot be exported, and a
//! ballot that does not exist is named as such.

use std::process::{Command, Output};
use std::sync::Arc;

use charter_app::{App, FixedClock, Settings};
use charter_demo::{
    DemoOptions, ELECTION_TITLE, QUESTION_TITLE, generate, load, load_ballots, load_constitution,
};
use charter_store::Store;
use charter_store_sqlite::SqliteStore;
use chrono::{TimeZone, Utc};

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

fn errors(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_export_and_recount_to_the_recorded_result() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
    store.migrate().await.unwrap();
    let opts = DemoOptions {
        members: 200,
        ..DemoOptions::default()
    };
    let sign_ins = load(store.as_ref(), &generate(opts), &|_, _| {})
        .await
        .unwrap();
    let at = Utc.from_utc_datetime(&opts.today.and_hms_opt(10, 0, 0).unwrap());
    let app = App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default());
    load_constitution(&app, opts.today).await.unwrap();
    load_ballots(&app, &sign_ins).await.unwrap();
    let ballots = app.ballots().await.unwrap();
    let election = ballots.iter().find(|b| b.title == ELECTION_TITLE).unwrap();
    let question = ballots.iter().find(|b| b.title == QUESTION_TITLE).unwrap();
    assert_eq!(election.state, charter_domain::BallotState::Counted);
    let winners = election.outcome.clone().unwrap();
    store.pool().close().await;

    let list = charter(&["ballot", "list", "--database", &url]);
    assert!(list.status.success(), "{list:?}");
    assert!(text(&list).contains(ELECTION_TITLE), "{}", text(&list));
    assert!(text(&list).contains(&winners), "{}", text(&list));
    assert!(text(&list).contains(QUESTION_TITLE), "{}", text(&list));

    let id = election.id.to_string();
    let json = dir.path().join("ballots.json");
    let blt = dir.path().join("ballots.blt");
    for (format, file) in [("json", &json), ("blt", &blt)] {
        let export = charter(&[
            "ballot",
            "export",
            &id,
            file.to_str().unwrap(),
            "--format",
            format,
            "--database",
            &url,
        ]);
        assert!(export.status.success(), "{export:?}");
        assert!(errors(&export).contains("exported ballot"), "{export:?}");
    }
    // The published JSON carries trackers and names, never voters.
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let first = &published["ballots"][0];
    assert!(first["tracker"].as_str().is_some(), "{first}");
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["ranks", "tracker"]
    );

    // Anyone holding either file recounts with `charter count` and finds the same winners.
    let elected = winners.trim_start_matches("elected: ");
    for file in [&json, &blt] {
        let count = charter(&[
            "count",
            file.to_str().unwrap(),
            "--method",
            election.method.name(),
        ]);
        assert!(count.status.success(), "{count:?}");
        for name in elected.split(", ") {
            assert!(text(&count).contains(name), "{name}: {}", text(&count));
        }
    }

    let recount = charter(&["ballot", "recount", &id, "--database", &url]);
    assert!(recount.status.success(), "{recount:?}");
    assert!(
        text(&recount).contains("the recount matches the result recorded at close"),
        "{}",
        text(&recount)
    );

    let open = charter(&[
        "ballot",
        "export",
        &question.id.to_string(),
        "-",
        "--database",
        &url,
    ]);
    assert!(!open.status.success(), "{open:?}");
    assert!(
        errors(&open).contains("sealed until the ballot closes"),
        "{}",
        errors(&open)
    );
    assert!(
        text(&open).is_empty(),
        "nothing is written: {}",
        text(&open)
    );

    let missing = charter(&["ballot", "recount", "9999", "--database", &url]);
    assert!(!missing.status.success());
    assert!(
        errors(&missing).contains("there is no ballot 9999"),
        "{}",
        errors(&missing)
    );
}
