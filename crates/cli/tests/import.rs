//! `charter import` and `charter export` as an operator runs them: the real binary on a fresh
//! `charter init` database (SQLite, and PostgreSQL when `CHARTER_TEST_POSTGRES_URL` is set),
//! importing the sample in `examples/import`. What was written is read back through the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use charter_cli::backend::open_store;
use charter_domain::{MemberId, MemberStatus, UnitKind};
use charter_store::{MemberScope, Store};

const PASSWORD: &str = "founding secretary password";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

struct Db {
    dir: tempfile::TempDir,
    url: String,
    _pg: Option<charter_test_support::PgTestDb>,
}

fn sqlite() -> Db {
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

fn charter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env("CHARTER_INIT_PASSWORD", PASSWORD)
        .env("CHARTER_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
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

/// A refusal: status 2, and what it said on standard error.
fn refused(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

fn init(db: &Db) {
    let constitution = repo("crates/rules/fixtures/founding-2016.toml");
    ok(&charter(&[
        "init",
        "--name",
        "Charter Campaign Network",
        "--constitution",
        constitution.to_str().unwrap(),
        "--secretary-email",
        "ada.secretary@example.org",
        "--secretary-name",
        "Ada Lovelace",
        "--secretary-postcode",
        "SE1 7PB",
        "--database",
        &db.url,
    ]));
}

async fn store(db: &Db) -> Arc<dyn Store> {
    let s = open_store(&db.url).await.unwrap();
    s.migrate().await.unwrap();
    s
}

/// Everything in the register an import could change, as counts: a write shows up here.
async fn snapshot(db: &Db) -> (usize, u64, usize, usize) {
    let s = store(db).await;
    let members = s
        .search_members(
            &charter_store::MemberQuery {
                scope: MemberScope::All,
                text: None,
                branch: None,
                status: None,
                paid_up: None,
                sort: Default::default(),
                page: 1,
                per_page: 10,
            },
            None,
        )
        .await
        .unwrap()
        .total;
    (
        s.units().await.unwrap().len(),
        members,
        s.office_terms(None).await.unwrap().len(),
        s.events(0, 100_000).await.unwrap().len(),
    )
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

#[tokio::test]
async fn the_sample_organisation_comes_in_whole() {
    imports_the_sample(sqlite()).await;
}

#[tokio::test]
async fn the_sample_organisation_comes_in_whole_on_postgres() {
    let Some(db) = postgres().await else { return };
    imports_the_sample(db).await;
}

async fn imports_the_sample(db: Db) {
    init(&db);
    let sample = repo("examples/import");
    let before = snapshot(&db).await;
    let dry = ok(&charter(&[
        "import",
        "organisation",
        sample.to_str().unwrap(),
        "--dry-run",
        "--database",
        &db.url,
    ]));
    assert!(
        dry.contains("dry run: every row checks out; nothing was written"),
        "{dry}"
    );
    assert_eq!(snapshot(&db).await, before, "a dry run writes nothing");

    let out = ok(&charter(&[
        "import",
        "organisation",
        sample.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    assert!(
        out.contains(
            "units: 5 created (North, South, Leeds, York, Lambeth), 0 already in the register"
        ),
        "{out}"
    );
    assert!(
        out.contains("members: 8 created (8 keep their member numbers), 0 updated, 0 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("history: 14 status changes, 11 payments"),
        "{out}"
    );
    assert!(
        out.contains("offices: 3 created, 4 past holdings recorded"),
        "{out}"
    );

    let s = store(&db).await;
    let units = s.units().await.unwrap();
    let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap().clone();
    let (north, leeds, lambeth) = (unit("North"), unit("Leeds"), unit("Lambeth"));
    assert_eq!(north.kind, UnitKind::Region);
    assert_eq!(leeds.parent, Some(north.id));
    assert_eq!(lambeth.slug, "lambeth");

    // Bill kept his member number, his lapse and his three annual payments.
    let bill = s.member(MemberId(1002), None).await.unwrap().unwrap();
    assert_eq!(bill.record.email, "bill.tennant@example.org");
    assert_eq!(bill.record.branch, leeds.id);
    assert_eq!(bill.record.status, MemberStatus::Lapsed);
    let steps: Vec<_> = bill
        .status_history
        .iter()
        .map(|h| (h.from, h.to, h.effective_on.to_string(), h.reason.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (None, MemberStatus::Active, "2018-06-15".into(), "joined"),
            (
                Some(MemberStatus::Active),
                MemberStatus::Lapsed,
                "2021-07-15".into(),
                "dues unpaid beyond the grace period"
            ),
        ]
    );
    assert_eq!(bill.payments.len(), 3);
    assert_eq!(
        bill.record.paid_up_until.map(|d| d.to_string()).as_deref(),
        Some("2021-06-14")
    );
    // A payment with no months takes the member's plan: one month for a monthly member.
    let dolores = s.member(MemberId(1004), None).await.unwrap().unwrap();
    assert_eq!(dolores.payments[0].months, 1);
    assert_eq!(dolores.record.status, MemberStatus::Suspended);

    // Past officers, each saying where the record came from; none holds office today.
    let terms = s.office_terms(Some(leeds.id)).await.unwrap();
    assert_eq!(terms.len(), 2);
    let source = format!("offices.csv, imported {}", today());
    assert!(
        terms
            .iter()
            .all(|t| t.imported_from.as_deref() == Some(source.as_str()))
    );
    assert_eq!(terms[0].member, MemberId(1001), "newest first");
    assert!(
        s.offices_held(MemberId(1001), chrono::Utc::now().date_naive())
            .await
            .unwrap()
            .is_empty()
    );

    let events = s.events(0, 100_000).await.unwrap();
    let kinds: Vec<&str> = events[before.3..].iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["import.units", "import.members", "import.offices"]);
    assert!(
        events[before.3..]
            .iter()
            .all(|e| e.actor_office.as_deref() == Some("operator (command line)"))
    );

    // Members added afterwards are numbered after the imported ones.
    assert_eq!(
        s.credentials("ada.secretary@example.org")
            .await
            .unwrap()
            .unwrap()
            .member,
        MemberId(1)
    );

    // The same files again change nothing: without --update the members are refused; with
    // it every row is found unchanged.
    let again = snapshot(&db).await;
    let err = refused(&charter(&[
        "import",
        "organisation",
        sample.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    assert!(err.contains("give --update"), "{err}");
    assert_eq!(snapshot(&db).await, again);
    let out = ok(&charter(&[
        "import",
        "organisation",
        sample.to_str().unwrap(),
        "--update",
        "--database",
        &db.url,
    ]));
    assert!(out.contains("0 updated, 8 unchanged"), "{out}");
    assert!(
        out.contains("units: 0 created, 5 already in the register"),
        "{out}"
    );
    assert_eq!(
        snapshot(&db).await,
        again,
        "nothing to change, nothing written"
    );

    // An export is its owner's alone, and imports back unchanged.
    let exported = db.dir.path().join("members.csv");
    ok(&charter(&[
        "export",
        "members",
        exported.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "exports are readable by their owner only");
    }
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert!(
        csv.starts_with("member_number,first_name,last_name,email"),
        "{csv}"
    );
    assert!(csv.contains("1002,Bill,Tennant,bill.tennant@example.org,,LS6 2AB,Leeds,2018-06-15,lapsed,annual,2021-06-14"), "{csv}");
    let out = ok(&charter(&[
        "import",
        "members",
        exported.to_str().unwrap(),
        "--update",
        "--database",
        &db.url,
    ]));
    assert!(
        out.contains("0 created (0 keep their member numbers), 0 updated, 9 unchanged"),
        "{out}"
    );
}

#[tokio::test]
async fn an_error_in_the_last_row_leaves_the_register_untouched() {
    let db = sqlite();
    init(&db);
    let files = db.dir.path().join("files");
    std::fs::create_dir(&files).unwrap();
    for f in ["units", "members", "statuses", "payments", "offices"] {
        std::fs::copy(
            repo(&format!("examples/import/{f}.csv")),
            files.join(format!("{f}.csv")),
        )
        .unwrap();
    }
    let mut offices = std::fs::read_to_string(files.join("offices.csv")).unwrap();
    offices.push_str("York,treasurer,9999,2022-01-01,2022-12-31\n");
    std::fs::write(files.join("offices.csv"), offices).unwrap();
    let before = snapshot(&db).await;
    let err = refused(&charter(&[
        "import",
        "organisation",
        files.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    assert!(
        err.contains("offices.csv: line 6, column member_number (3): there is no member 9999 in members.csv or the register"),
        "{err}"
    );
    assert!(
        err.ends_with("error: 1 problem in 1 file; nothing was written\n"),
        "{err}"
    );
    assert_eq!(
        snapshot(&db).await,
        before,
        "not a unit, member or event was written"
    );
}

#[tokio::test]
async fn update_changes_members_as_the_register_allows() {
    update_changes_members(sqlite()).await;
}

#[tokio::test]
async fn update_changes_members_as_the_register_allows_on_postgres() {
    let Some(db) = postgres().await else { return };
    update_changes_members(db).await;
}

async fn update_changes_members(db: Db) {
    init(&db);
    let sample = repo("examples/import");
    ok(&charter(&[
        "import",
        "organisation",
        sample.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    let s = store(&db).await;
    let york = s
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "York")
        .unwrap();

    // Bill renews and moves to York; Hamid's row is unchanged; Gwen's status cannot jump.
    let changed = db.dir.path().join("changed.csv");
    std::fs::write(
        &changed,
        "member_number,first_name,last_name,email,postcode,branch,status\n\
         1002,Bill,Tennant-Smith,bill.tennant@example.org,YO1 7HH,York,active\n\
         1008,Hamid,Karimi,hamid.karimi@example.org,LS7 3BB,Leeds,active\n",
    )
    .unwrap();
    let before = snapshot(&db).await;
    let err = refused(&charter(&[
        "import",
        "members",
        changed.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    assert!(err.contains("line 2, column email (4): this row matches member 1002, already in the register (by email): give --update"), "{err}");
    assert_eq!(snapshot(&db).await, before);

    let out = ok(&charter(&[
        "import",
        "members",
        changed.to_str().unwrap(),
        "--update",
        "--database",
        &db.url,
    ]));
    assert!(
        out.contains("updated: ")
            && out.contains(
                "line 2: member 1002: last_name, postcode, branch → York, status → active"
            ),
        "{out}"
    );
    assert!(out.contains("1 updated, 1 unchanged"), "{out}");
    let bill = s.member(MemberId(1002), None).await.unwrap().unwrap();
    assert_eq!(bill.record.last_name, "Tennant-Smith");
    assert_eq!(bill.record.postcode, "YO1 7HH");
    assert_eq!(bill.record.branch, york.id);
    assert_eq!(bill.branch_history.len(), 1, "the move is recorded");
    assert_eq!(bill.record.status, MemberStatus::Active);
    let last = bill.status_history.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.effective_on),
        (
            Some(MemberStatus::Lapsed),
            MemberStatus::Active,
            chrono::Utc::now().date_naive()
        ),
        "the status changed by the state machine, with history"
    );
    assert_eq!(bill.status_history.len(), 3);

    // An applicant cannot be made lapsed by a spreadsheet.
    std::fs::write(
        &changed,
        "email,first_name,last_name,postcode,status\n\
         gwen.roberts@example.net,Gwen,Roberts,SE1 7PB,lapsed\n",
    )
    .unwrap();
    let before = snapshot(&db).await;
    let err = refused(&charter(&[
        "import",
        "members",
        changed.to_str().unwrap(),
        "--update",
        "--database",
        &db.url,
    ]));
    assert!(
        err.contains("line 2, column status (5): member 1007: a member who is applicant cannot become lapsed directly; an applicant must first be accepted as active"),
        "{err}"
    );
    assert_eq!(snapshot(&db).await, before);
}

#[tokio::test]
async fn a_generated_register_of_a_thousand_members_comes_in() {
    let db = sqlite();
    init(&db);
    let files = db.dir.path().join("generated");
    std::fs::create_dir(&files).unwrap();
    // Members named by email (no numbers), as an export from another system might have them.
    let g = charter_cli::import::generated::write_register(
        &files,
        1_000,
        chrono::Utc::now().date_naive(),
        None,
    )
    .unwrap();
    assert_eq!(g.members, 1_000);
    assert!(g.status_changes > 1_000 && g.payments > 5_000, "{g:?}");
    let out = ok(&charter(&[
        "import",
        "organisation",
        files.to_str().unwrap(),
        "--database",
        &db.url,
    ]));
    assert!(
        out.contains(&format!(
            "history: {} status changes, {} payments",
            g.status_changes, g.payments
        )),
        "{out}"
    );
    assert!(
        out.contains("members: 1000 created (0 keep their member numbers)"),
        "{out}"
    );
    let s = store(&db).await;
    assert_eq!(
        snapshot(&db).await.1,
        1_001,
        "the founding secretary and the thousand"
    );
    // Numbered after the founding secretary, in file order.
    let first = s.member(MemberId(2), None).await.unwrap().unwrap();
    assert!(!first.status_history.is_empty());
    assert_eq!(
        first.status_history.last().map(|h| h.to),
        Some(first.record.status)
    );
    assert_eq!(s.office_terms(None).await.unwrap().len(), 1 + g.holdings);
}
