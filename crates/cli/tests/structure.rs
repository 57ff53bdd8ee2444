//! `charter constitution example`, `charter init` without `--constitution`, and
//! `charter unit …` acting as a named national officer: the real binary against a fresh
//! SQLite file (and PostgreSQL where available); results read back through the app.

use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use charter_app::{App, Settings, SystemClock};
use charter_cli::backend::open_store;
use charter_domain::{
    DuesPlan, Email, MemberStatus, NewMember, OfficeKind, PersonName, Postcode, UnitKind,
};
use charter_rules::Constitution;
use charter_store::{EventActor, Mandate, NewEvent};

const PASSWORD: &str = "founding secretary password";
const EMAIL: &str = "nia.founder@example.org";

fn charter(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_charter"));
    c.args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env_remove("CHARTER_PASSWORD")
        .env_remove("CHARTER_INIT_PASSWORD")
        .env("CHARTER_LOG", "warn")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

fn refused(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(2), "stdout: {}", text(&o.stdout));
    text(&o.stderr)
}

async fn app(url: &str) -> App {
    let store = open_store(url).await.unwrap();
    App::new(store, Arc::new(SystemClock), Settings::default())
}

#[test]
fn the_example_constitution_is_printed_and_passes_its_check() {
    let out = ok(&charter(&["constitution", "example"], &[]));
    assert_eq!(out, charter_rules::EXAMPLE_CONSTITUTION);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("example.toml");
    std::fs::write(&file, &out).unwrap();
    let checked = ok(&charter(
        &["constitution", "check", file.to_str().unwrap()],
        &[],
    ));
    assert!(!checked.is_empty());
    let c = Constitution::from_toml(&out).unwrap();
    assert!(c.founding_rule().is_some());
}

/// Founds on `url` with the shipped example, then sets up a region and a branch as the
/// national secretary; others are refused.
async fn found_and_set_up(url: &str) {
    let init = charter(
        &[
            "init",
            "--name",
            "Riverside Tenants' Union",
            "--secretary-email",
            EMAIL,
            "--secretary-name",
            "Nia Founder",
            "--secretary-postcode",
            "N1 1AA",
            "--database",
            url,
        ],
        &[("CHARTER_INIT_PASSWORD", PASSWORD)],
    );
    let said = ok(&init);
    assert!(said.contains("Riverside Tenants' Union"), "{said}");

    let app = app(url).await;
    let (_, c) = app.constitution_in_force(app.today()).await.unwrap();
    assert_eq!(c.name(), "Riverside Tenants' Union");
    assert_eq!(c.effective(), app.today());
    assert_eq!(
        c.clauses(),
        Constitution::from_toml(charter_rules::EXAMPLE_CONSTITUTION)
            .unwrap()
            .clauses(),
        "the example, made out for the organisation"
    );
    let national = app.national_unit().await.unwrap();
    let sec = app
        .store_units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == UnitKind::National)
        .unwrap();
    assert_eq!(sec.id, national.id);

    let as_secretary = [("CHARTER_PASSWORD", PASSWORD)];
    let region = ok(&charter(
        &[
            "unit",
            "create",
            "--as",
            EMAIL,
            "--kind",
            "region",
            "--name",
            "North Bank",
            "--database",
            url,
        ],
        &as_secretary,
    ));
    assert!(
        region.contains("region North Bank (north-bank)"),
        "{region}"
    );
    let branch = ok(&charter(
        &[
            "unit",
            "create",
            "--as",
            EMAIL,
            "--kind",
            "branch",
            "--name",
            "Mill Lane",
            "--parent",
            "north-bank",
            "--database",
            url,
        ],
        &as_secretary,
    ));
    assert!(branch.contains("branch Mill Lane (mill-lane)"), "{branch}");
    let units = app.store_units().await.unwrap();
    let mill = units.iter().find(|u| u.slug == "mill-lane").unwrap();
    let north = units.iter().find(|u| u.slug == "north-bank").unwrap();
    assert_eq!((mill.parent, mill.kind), (Some(north.id), UnitKind::Branch));
    let offices = app
        .store_offices(mill.id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.kind)
        .collect::<Vec<_>>();
    assert_eq!(
        offices,
        [
            OfficeKind::Chair,
            OfficeKind::Secretary,
            OfficeKind::Treasurer
        ]
    );

    let list = ok(&charter(&["unit", "list", "--database", url], &[]));
    assert!(
        list.contains("\tbranch\tmill-lane\tnorth-bank\t0\topen\tMill Lane"),
        "{list}"
    );

    // A wrong password, and a plain member with the right one, are refused; nothing written.
    let before = app.store_units().await.unwrap().len();
    let wrong = refused(&charter(
        &[
            "unit",
            "create",
            "--as",
            EMAIL,
            "--kind",
            "region",
            "--name",
            "South",
            "--database",
            url,
        ],
        &[("CHARTER_PASSWORD", "not the password")],
    ));
    assert!(wrong.contains("wrong"), "{wrong}");
    let store = open_store(url).await.unwrap();
    let hash = charter_app::auth::hash_password("plain member password").unwrap();
    store
        .add_member(
            &NewMember {
                first_name: PersonName::parse("first_name", "Pat").unwrap(),
                last_name: PersonName::parse("last_name", "Plain").unwrap(),
                email: Email::parse("pat@example.org").unwrap(),
                phone: None,
                postcode: Postcode::parse("N1 2AA").unwrap(),
                branch: mill.id,
                joined_on: app.today(),
                status: MemberStatus::Active,
                dues_plan: DuesPlan::Monthly,
            },
            Some(&hash),
            &NewEvent {
                at: chrono::Utc::now(),
                actor: EventActor {
                    member: None,
                    office: Some("test".into()),
                },
                kind: "member.added".into(),
                subject: "test".into(),
                payload: "{}".into(),
                reason: "test".into(),
            },
        )
        .await
        .unwrap();
    let plain = refused(&charter(
        &[
            "unit",
            "close",
            "mill-lane",
            "--as",
            "pat@example.org",
            "--database",
            url,
        ],
        &[("CHARTER_PASSWORD", "plain member password")],
    ));
    assert!(
        plain.contains("national secretary or the national chair"),
        "{plain}"
    );
    // A branch with a member does not close; the message says to merge instead.
    let busy = refused(&charter(
        &[
            "unit",
            "close",
            "mill-lane",
            "--as",
            EMAIL,
            "--database",
            url,
        ],
        &as_secretary,
    ));
    assert!(busy.contains("merge"), "{busy}");
    assert_eq!(app.store_units().await.unwrap().len(), before);

    let renamed = ok(&charter(
        &[
            "unit",
            "rename",
            "mill-lane",
            "--name",
            "Mill Lane Estate",
            "--as",
            EMAIL,
            "--database",
            url,
        ],
        &as_secretary,
    ));
    assert!(renamed.contains("Mill Lane Estate"), "{renamed}");
    let holder = app
        .store_offices(national.id)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .unwrap();
    assert_eq!(holder.mandate, Some(Mandate::Founding));
    assert_eq!(holder.clause.as_deref(), Some("5.7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_without_a_constitution_installs_the_example_and_units_follow() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    found_and_set_up(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_on_postgres() {
    let Some(pg) = charter_test_support::fresh_database().await else {
        return;
    };
    found_and_set_up(pg.url()).await;
}
