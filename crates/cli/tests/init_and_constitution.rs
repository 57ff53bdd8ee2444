//! `charter init` and `charter constitution …` as an operator runs them: the real binary
//! against a fresh SQLite file per test, and the founding on PostgreSQL too, since the
//! backend is chosen from the URL at run time. What the commands wrote is read back through
//! the app and the store, never by looking at the SQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use charter_app::amending::{HistoricalDecision, HistoricalOutcome};
use charter_app::{App, Settings, SystemClock, operator_actor};
use charter_cli::backend::open_store;
use charter_domain::{
    DuesPlan, Email, MemberStatus, NewMember, OfficeKind, PersonName, Postcode, UnitKind,
};
use charter_rules::Constitution;
use charter_store::{NewAmendment, Store, Term};
use chrono::NaiveDate;
use secrecy::SecretString;

const PASSWORD: &str = "founding secretary password";
const EMAIL: &str = "ada.secretary@example.org";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules/fixtures")
        .join(name)
}

/// A database for one test, with a folder for the files the test writes.
struct Db {
    dir: tempfile::TempDir,
    url: String,
    /// Drops the PostgreSQL database with the test.
    _pg: Option<charter_test_support::PgTestDb>,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    Db {
        dir,
        url,
        _pg: None,
    }
}

async fn postgres() -> Option<Db> {
    let pg = charter_test_support::fresh_database().await?;
    Some(Db {
        dir: tempfile::tempdir().unwrap(),
        url: pg.url().to_string(),
        _pg: Some(pg),
    })
}

/// Runs `charter` with `args`, isolated from the caller's environment. The password is
/// always given through the environment: with none, init would ask the terminal.
fn charter(args: &[&str], password: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env("CHARTER_INIT_PASSWORD", password)
        .env("CHARTER_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn init(db: &Db, constitution: &Path) -> Output {
    init_with(db, constitution, PASSWORD)
}

fn init_with(db: &Db, constitution: &Path, password: &str) -> Output {
    charter(
        &[
            "init",
            "--name",
            "Charter Campaign Network",
            "--constitution",
            constitution.to_str().unwrap(),
            "--secretary-email",
            EMAIL,
            "--secretary-name",
            "Ada Lovelace",
            "--secretary-postcode",
            "se1 7pb",
            "--database",
            &db.url,
        ],
        password,
    )
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

async fn store(db: &Db) -> Arc<dyn Store> {
    let s = open_store(&db.url).await.unwrap();
    s.migrate().await.unwrap();
    s
}

/// Everything a founding writes, as the store returns it: any write shows up here, since
/// every change comes with an event.
async fn snapshot(db: &Db) -> (usize, usize, Vec<charter_store::EventRecord>) {
    let s = store(db).await;
    (
        s.units().await.unwrap().len(),
        s.constitution_versions().await.unwrap().len(),
        s.events(0, 10_000).await.unwrap(),
    )
}

#[tokio::test]
async fn init_founds_an_organisation_whose_secretary_can_sign_in() {
    founds_an_organisation(db()).await;
}

#[tokio::test]
async fn init_founds_an_organisation_on_postgres() {
    let Some(db) = postgres().await else { return };
    founds_an_organisation(db).await;
}

async fn founds_an_organisation(db: Db) {
    let out = ok(&init(&db, &fixture("founding-2016.toml")));
    assert_eq!(
        out.lines().last(),
        Some(format!("charter: founded Charter Campaign Network; sign in as {EMAIL}").as_str()),
        "{out}"
    );

    let store = store(&db).await;
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    let units = store.units().await.unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].kind, UnitKind::National);
    assert_eq!(units[0].name, "Charter Campaign Network");

    let (_, session) = app
        .sign_in(EMAIL, SecretString::from(PASSWORD))
        .await
        .expect("the secretary signs in with the password set at init");
    let actor = app.actor(session.member).await.unwrap();
    assert_eq!(actor.home_branch, units[0].id);
    assert!(
        actor
            .offices
            .iter()
            .any(|o| o.kind == OfficeKind::Secretary && o.unit == units[0].id),
        "{:?}",
        actor.offices
    );

    // The operator finds the secretary in the register as well.
    let csv = ok(&charter(
        &["export", "members", "-", "--database", &db.url],
        "",
    ));
    assert!(csv.contains(EMAIL), "{csv}");
    assert!(csv.contains("Ada,Lovelace"), "{csv}");
    assert!(csv.contains("SE1 7PB"), "{csv}");

    // Each change came with its governance event, all by the operator.
    let events = store.events(0, 100).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "unit.created",
        "constitution.founded",
        "member.added",
        "office.created",
        "office.appointed",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(
        events
            .iter()
            .all(|e| e.actor_office == operator_actor().office && e.actor_member.is_none()),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_second_init_is_refused_and_changes_nothing() {
    second_init_is_refused(db()).await;
}

#[tokio::test]
async fn a_second_init_is_refused_on_postgres() {
    let Some(db) = postgres().await else { return };
    second_init_is_refused(db).await;
}

async fn second_init_is_refused(db: Db) {
    ok(&init(&db, &fixture("founding-2016.toml")));
    let before = snapshot(&db).await;

    let again = init(&db, &fixture("amendment-2017.toml"));
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    let err = text(&again.stderr);
    assert!(err.contains("already holds an organisation"), "{err}");
    assert!(err.contains("Charter Campaign Network"), "{err}");
    assert!(text(&again.stdout).is_empty());

    assert_eq!(snapshot(&db).await, before);
}

#[tokio::test]
async fn a_constitution_that_does_not_read_is_refused_with_its_location() {
    let db = db();
    let bad = db.dir.path().join("bad.toml");
    let founding = std::fs::read_to_string(fixture("founding-2016.toml")).unwrap();
    // A condition with an unknown word: the engine names the clause, rule and column.
    let broken = founding.replacen(
        "when = \"status is active and paid_up\"",
        "when = \"status is active and paid_upp\"",
        1,
    );
    assert_ne!(broken, founding);
    std::fs::write(&bad, &broken).unwrap();

    let out = init(&db, &bad);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("clause 4.1, rule 2, column"), "{err}");

    // A file that is not TOML at all: toml's own line and column.
    std::fs::write(&bad, "name = \"x\"\nversion = \n").unwrap();
    let out = init(&db, &bad);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 2"), "{err}");

    // Refused before the database was even opened.
    assert!(!db.dir.path().join("charter.db").exists());

    let out = charter(&["constitution", "check", bad.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn a_short_password_is_refused_before_anything_is_written() {
    let db = db();
    let out = init_with(&db, &fixture("founding-2016.toml"), "short");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("CHARTER_INIT_PASSWORD"), "{err}");
    assert!(err.contains("at least 12 characters"), "{err}");
    assert_eq!(snapshot(&db).await, (0, 0, Vec::new()));
}

#[test]
fn check_says_ok_for_the_founding_fixture() {
    let path = fixture("founding-2016.toml");
    let out = ok(&charter(
        &["constitution", "check", path.to_str().unwrap()],
        "",
    ));
    let c = Constitution::from_toml(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        out,
        format!(
            "ok: Charter Campaign Network founding constitution 2016, effective 2016-03-12, {} clauses\n",
            c.clauses().len()
        )
    );
}

#[tokio::test]
async fn versions_show_and_export_round_trip() {
    round_trip(db()).await;
}

#[tokio::test]
async fn versions_show_and_export_round_trip_on_postgres() {
    let Some(db) = postgres().await else { return };
    round_trip(db).await;
}

async fn round_trip(db: Db) {
    let path = fixture("founding-2016.toml");
    ok(&init(&db, &path));

    let versions = ok(&charter(
        &["constitution", "versions", "--database", &db.url],
        "",
    ));
    let lines: Vec<&str> = versions.lines().collect();
    assert_eq!(lines.len(), 2, "{versions}");
    assert!(lines[0].starts_with("id"), "{versions}");
    assert!(lines[1].starts_with("1 "), "{versions}");
    assert!(
        lines[1].contains("founding constitution 2016"),
        "{versions}"
    );
    assert!(lines[1].contains("2016-03-12"), "{versions}");
    assert!(
        lines[1].ends_with("founding conference, 12 March 2016"),
        "{versions}"
    );

    let shown = ok(&charter(
        &["constitution", "show", "--database", &db.url],
        "",
    ));
    assert!(shown.starts_with("Charter Campaign Network: founding constitution 2016"));
    assert!(shown.contains("\n3.2 Dues\n"), "{shown}");
    assert!(
        shown.contains("rule: a member stays paid up for 31 days after their dues run out"),
        "{shown}"
    );

    let original = std::fs::read_to_string(&path).unwrap();
    let exported = ok(&charter(
        &["constitution", "export", "-", "--database", &db.url],
        "",
    ));
    assert_eq!(exported, original);

    let file = db.dir.path().join("exported.toml");
    ok(&charter(
        &[
            "constitution",
            "export",
            "--version",
            "1",
            file.to_str().unwrap(),
            "--database",
            &db.url,
        ],
        "",
    ));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    let out = charter(
        &[
            "constitution",
            "export",
            "--version",
            "9",
            "-",
            "--database",
            &db.url,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no constitution version 9"));

    // Before the founding date there is nothing to show.
    let out = charter(
        &[
            "constitution",
            "show",
            "--on",
            "2015-01-01",
            "--database",
            &db.url,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no version of the constitution is in force on 2015-01-01"),
        "{}",
        text(&out.stderr)
    );
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Adopts the 2017 amendment at the special conference of the story, held before the
/// organisation used Charter: the founding secretary and a national chair each enter it from
/// the minutes, and the engine judges it.
async fn adopt_the_amendment(db: &Db) {
    let store = store(db).await;
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    let toml = std::fs::read_to_string(fixture("amendment-2017.toml")).unwrap();
    let c = Constitution::from_toml(&toml).unwrap();
    let proposal = NewAmendment {
        title: "Votes for verified members of other parties".into(),
        toml: toml.clone(),
        proposed_version: c.version().to_string(),
        effective: c.effective(),
        proposed_by: None,
    };
    let event = |kind: &str| charter_store::NewEvent {
        at: app.clock.now(),
        actor: operator_actor(),
        kind: kind.into(),
        subject: "constitution".into(),
        payload: "{}".into(),
        reason: "test: the story's amendment".into(),
    };
    let id = store
        .propose_amendment(&proposal, &event("constitution.amendment_proposed"))
        .await
        .unwrap();
    let today = app.today();
    let offices = store.offices(None, today).await.unwrap();
    let secretary = offices
        .iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .and_then(|o| o.holder)
        .unwrap();
    let national = offices[0].unit;
    let chair = store
        .add_member(
            &NewMember {
                first_name: PersonName::parse("first_name", "Grace").unwrap(),
                last_name: PersonName::parse("last_name", "Hopper").unwrap(),
                email: Email::parse("grace.chair@example.org").unwrap(),
                phone: None,
                postcode: Postcode::parse("SE1 7PB").unwrap(),
                branch: store
                    .units()
                    .await
                    .unwrap()
                    .iter()
                    .find(|u| u.kind == UnitKind::Branch)
                    .map_or(national, |u| u.id),
                joined_on: today,
                status: MemberStatus::Active,
                dues_plan: DuesPlan::Annual,
            },
            None,
            &event("member.added"),
        )
        .await
        .unwrap();
    let office = match offices
        .iter()
        .find(|o| o.kind == OfficeKind::Chair && o.unit == national)
    {
        Some(o) => o.id,
        None => store
            .create_office(national, OfficeKind::Chair, &event("office.created"))
            .await
            .unwrap(),
    };
    store
        .appoint(
            office,
            chair,
            Term {
                starts_on: today,
                ends_on: None,
            },
            &event("office.appointed"),
        )
        .await
        .unwrap();
    let minutes = HistoricalDecision {
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: Some(d(2017, 5, 20)),
        held_on: d(2017, 6, 10),
        entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    };
    let mut outcome = None;
    for officer in [secretary, chair] {
        let actor = app.actor(officer).await.unwrap();
        outcome = Some(
            app.enter_historical_decision(&actor, id, &minutes)
                .await
                .unwrap(),
        );
    }
    assert!(
        matches!(
            outcome,
            Some(HistoricalOutcome::Recorded { adopted: true, .. })
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn show_picks_the_version_by_date_and_diff_compares_clauses() {
    let db = db();
    ok(&init(&db, &fixture("founding-2016.toml")));
    adopt_the_amendment(&db).await;

    let versions = ok(&charter(
        &["constitution", "versions", "--database", &db.url],
        "",
    ));
    assert_eq!(versions.lines().count(), 3, "{versions}");
    assert!(
        versions.lines().nth(2).unwrap().starts_with("2 "),
        "{versions}"
    );

    let on = |day: &str| {
        ok(&charter(
            &["constitution", "show", "--on", day, "--database", &db.url],
            "",
        ))
    };
    assert!(on("2017-06-30").contains(": founding constitution 2016 (version 1)"));
    assert!(on("2017-07-01").contains(": 2017 amendment (version 2)"));

    let diff = ok(&charter(
        &["constitution", "diff", "1", "2", "--database", &db.url],
        "",
    ));
    assert!(
        diff.starts_with("from 'founding constitution 2016' to '2017 amendment'"),
        "{diff}"
    );
    assert!(diff.contains("\nclause "), "{diff}");
    let same = ok(&charter(
        &["constitution", "diff", "2", "2", "--database", &db.url],
        "",
    ));
    assert!(same.contains("no differences"), "{same}");
    let out = charter(
        &["constitution", "diff", "1", "7", "--database", &db.url],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no constitution version 7"));
}

#[tokio::test]
async fn rights_are_read_with_their_clauses_and_logged_as_the_operator() {
    let db = db();
    ok(&init(&db, &fixture("founding-2016.toml")));
    let store = store(&db).await;
    let secretary = store
        .credentials(EMAIL)
        .await
        .unwrap()
        .expect("the secretary is in the register")
        .member;

    let out = ok(&charter(
        &[
            "constitution",
            "rights",
            &secretary.to_string(),
            "--reason",
            "checking the founding",
            "--database",
            &db.url,
        ],
        "",
    ));
    assert!(
        out.starts_with(&format!("rights of member {secretary} on ")),
        "{out}"
    );
    assert!(out.contains("\nconference\n"), "{out}");
    // No dues are recorded yet, so the secretary is not paid up and may not vote.
    assert!(out.contains("  no   vote"), "{out}");
    assert!(out.contains("clause 4.1"), "{out}");

    let log = store.access_log(secretary, 1, 50).await.unwrap();
    assert_eq!(log.items.len(), 1, "{:?}", log.items);
    let entry = &log.items[0];
    assert_eq!(entry.reader, None);
    assert_eq!(entry.office, operator_actor().office);
    assert_eq!(entry.purpose, "member rights: checking the founding");

    let out = charter(
        &["constitution", "rights", "999", "--database", &db.url],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no member 999"));
}
