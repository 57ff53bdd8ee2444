//! Every kind of bad input `charter import` refuses, each reported with its file, line and
//! column (as the file's header names it, and its number), and nothing written. The import
//! runs as the command runs it (`charter_cli::import::run`) over an in-memory register.

use charter_store::prelude::*;
use std::sync::Arc;

use charter_app::import::ImportFile;
use charter_app::{App, FixedClock, Settings};
use charter_cli::import::{Files, Options, run};
use charter_domain::{NewMember, RawNewMember, UnitId, UnitKind};
use charter_store::{EventActor, NewEvent, Store};
use charter_store_sqlite::SqliteStore;
use chrono::{TimeZone, Utc};

fn event(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap(),
        actor: EventActor {
            member: None,
            office: None,
        },
        kind: kind.into(),
        subject: "test".into(),
        payload: "{}".into(),
        reason: "test".into(),
    }
}

/// A register with a national unit, one region with one branch (Leeds), and Ann (member 1,
/// active since 2024-01-15) in it; the clock stands at 2026-12-01.
async fn register() -> App {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let national = store
        .create_unit(
            None,
            UnitKind::National,
            "Campaign Network",
            "national",
            &event("unit"),
        )
        .await
        .unwrap();
    let north = store
        .create_unit(
            Some(national),
            UnitKind::Region,
            "North",
            "north",
            &event("unit"),
        )
        .await
        .unwrap();
    let leeds = store
        .create_unit(
            Some(north),
            UnitKind::Branch,
            "Leeds",
            "leeds",
            &event("unit"),
        )
        .await
        .unwrap();
    let ann = NewMember::parse(
        &RawNewMember {
            first_name: "Ann".into(),
            last_name: "Okafor".into(),
            email: "ann@example.org".into(),
            postcode: "LS1 4AP".into(),
            joined_on: "2024-01-15".into(),
            status: "active".into(),
            ..Default::default()
        },
        leeds,
    )
    .unwrap();
    store
        .add_member(&ann, None, &event("member"))
        .await
        .unwrap();
    assert_eq!(leeds, UnitId(3));
    App::new(
        Arc::new(store),
        Arc::new(FixedClock(
            Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap(),
        )),
        Settings::default(),
    )
}

struct Outcome {
    ok: bool,
    out: String,
    err: String,
}

async fn import(app: &App, files: &[(ImportFile, &[u8])], update: bool) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let mut given = Files::default();
    for (f, bytes) in files {
        let path = dir.path().join(f.file_name());
        std::fs::write(&path, bytes).unwrap();
        given = given.with(*f, Some(path));
    }
    let before = app.store().events(0, 100_000).await.unwrap().len();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ok = run(
        app,
        &given,
        &Options {
            update,
            ..Options::default()
        },
        &mut out,
        &mut err,
    )
    .await
    .unwrap();
    let err = String::from_utf8(err)
        .unwrap()
        .replace(&format!("{}/", dir.path().display()), "");
    if !ok {
        assert_eq!(
            app.store().events(0, 100_000).await.unwrap().len(),
            before,
            "a refused import writes nothing: {err}"
        );
        assert!(err.ends_with("nothing was written\n"), "{err}");
    }
    Outcome {
        ok,
        out: String::from_utf8(out).unwrap(),
        err,
    }
}

fn has(o: &Outcome, line: &str) {
    assert!(
        o.err.lines().any(|l| l == line),
        "expected the line\n  {line}\nin\n{}",
        o.err
    );
}

const MEMBERS: &str = "first_name,last_name,email,postcode,branch,joined_on,status\n";

fn members(rows: &str) -> Vec<u8> {
    format!("{MEMBERS}{rows}").into_bytes()
}

#[tokio::test]
async fn duplicate_emails_are_reported_on_both_lines() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members(
                "Bo,Li,bo@example.org,LS1 4AP,Leeds,2024-02-01,active\n\
                 Cy,Ng,cy@example.org,LS1 4AP,Leeds,2024-02-01,active\n\
                 Bo,Lee,BO@example.org,LS1 4AP,Leeds,2024-02-01,active\n",
            ),
        )],
        false,
    )
    .await;
    assert!(!o.ok);
    has(
        &o,
        "members.csv: line 2, column email (3): bo@example.org is also on line 4: each member is listed once",
    );
    has(
        &o,
        "members.csv: line 4, column email (3): bo@example.org is also on line 2: each member is listed once",
    );
    has(&o, "error: 2 problems in 1 file; nothing was written");
}

#[tokio::test]
async fn a_row_matching_a_member_needs_update() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members("Ann,Okafor-Jones,ann@example.org,LS1 4AP,Leeds,2024-01-15,active\n"),
        )],
        false,
    )
    .await;
    has(
        &o,
        "members.csv: line 2, column email (3): this row matches member 1, already in the register (by email): give --update to update members already there",
    );
    // Nor does --update change an email, a number or a join date.
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &format!(
                "member_number,{MEMBERS}1,Ann,Okafor,ann.new@example.org,LS1 4AP,Leeds,2024-01-15,active\n\
                 7,Ann,Okafor,ann@example.org,LS1 4AP,Leeds,2024-01-15,active\n"
            )
            .into_bytes(),
        )],
        true,
    )
    .await;
    has(
        &o,
        "members.csv: line 2, column email (4): member 1 has another email address in the register: an import does not change a member's email (the member confirms a new address themselves)",
    );
    has(
        &o,
        "members.csv: line 3, column member_number (1): ann@example.org is member 1 in the register, not 7: an import does not renumber members",
    );
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members("Ann,Okafor,ann@example.org,LS1 4AP,Leeds,2020-01-01,active\n"),
        )],
        true,
    )
    .await;
    has(
        &o,
        "members.csv: line 2, column joined_on (6): member 1 joined on 2024-01-15 in the register: an import does not change a join date",
    );
}

#[tokio::test]
async fn text_that_is_not_utf8_is_reported_with_its_line() {
    let app = register().await;
    let mut bytes = members("Bo,Li,bo@example.org,LS1 4AP,Leeds,2024-02-01,active\n");
    bytes.extend_from_slice(b"Ren\xE9e,Dupont,renee@example.org,LS1 4AP,Leeds,2024-02-01,active\n");
    let o = import(&app, &[(ImportFile::Members, &bytes)], false).await;
    has(
        &o,
        "members.csv: line 3, column first_name (1): not UTF-8 text (byte 0xE9): save the file as UTF-8 (in Excel, \"CSV UTF-8\")",
    );
}

#[tokio::test]
async fn an_unclosed_quote_is_reported_where_it_opens() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members(
                "Bo,Li,bo@example.org,LS1 4AP,Leeds,2024-02-01,active\n\
                 Cy,\"Ng,cy@example.org,LS1 4AP,Leeds,2024-02-01,active\n\
                 Di,Oz,di@example.org,LS1 4AP,Leeds,2024-02-01,active\n\
                 Ed,Po,ed@example.org,LS1 4AP,Leeds,2024-02-01,active\n",
            ),
        )],
        false,
    )
    .await;
    has(
        &o,
        "members.csv: line 3, column last_name (2): a quoted value opens here and is never closed: add the closing quote (\")",
    );
}

#[tokio::test]
async fn unknown_branches_and_bad_values_name_their_column() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members(
                "Bo,Li,bo@example.org,LS1 4AP,Atlantis,2024-02-01,active\n\
                 Cy,Ng,cy@example.org,XYZ,Leeds,31/02/2024,boss\n\
                 Di,Oz,di@example.org,LS1 4AP,North,2024-02-01,active\n\
                 Ed,Po,ed@example.org,LS1 4AP,Leeds,2031-02-01,active\n",
            ),
        )],
        false,
    )
    .await;
    has(
        &o,
        "members.csv: line 2, column branch (5): there is no branch called 'Atlantis' in units.csv or the register",
    );
    has(
        &o,
        "members.csv: line 3, column postcode (4): postcode 'XYZ' is not a UK postcode like SE1 7PB",
    );
    has(
        &o,
        "members.csv: line 3, column joined_on (6): joined on '31/02/2024' is not a date like 2024-03-31",
    );
    has(
        &o,
        "members.csv: line 3, column status (7): 'boss' is not a status; use one of applicant, active, lapsed, suspended, expelled, resigned",
    );
    has(
        &o,
        "members.csv: line 4, column branch (5): 'North' is a region, not a branch: members belong to branches",
    );
    has(
        &o,
        "members.csv: line 5, column joined_on (6): join date 2031-02-01 is in the future",
    );
}

#[tokio::test]
async fn a_history_that_breaks_the_state_machine_is_refused() {
    let app = register().await;
    let o = import(
        &app,
        &[
            (
                ImportFile::Members,
                &members(
                    "Bo,Li,bo@example.org,LS1 4AP,Leeds,2020-02-01,active\n\
                     Cy,Ng,cy@example.org,LS1 4AP,Leeds,2020-02-01,lapsed\n\
                     Di,Oz,di@example.org,LS1 4AP,Leeds,2020-02-01,\n",
                ),
            ),
            (
                ImportFile::Statuses,
                b"email,status,effective_on\n\
                  bo@example.org,active,2020-02-01\n\
                  bo@example.org,lapsed,2021-03-01\n\
                  bo@example.org,applicant,2021-05-01\n\
                  cy@example.org,active,2020-03-01\n\
                  di@example.org,lapsed,2020-02-01\n\
                  nobody@example.org,active,2020-02-01\n",
            ),
        ],
        false,
    )
    .await;
    has(
        &o,
        "statuses.csv: line 4, column status (2): bo@example.org on 2021-05-01: a member who is lapsed cannot become applicant directly",
    );
    has(
        &o,
        "statuses.csv: line 5, column effective_on (3): cy@example.org's first status is dated 2020-03-01 but members.csv (line 3) says they joined on 2020-02-01: a history begins on the join date",
    );
    has(
        &o,
        "statuses.csv: line 6, column status (2): di@example.org's history begins lapsed: a history begins when the member applies or joins (applicant or active)",
    );
    has(
        &o,
        "statuses.csv: line 7, column email (1): there is no member with the email nobody@example.org in members.csv or the register",
    );
}

#[tokio::test]
async fn a_status_that_disagrees_with_the_history_is_refused() {
    let app = register().await;
    let o = import(
        &app,
        &[
            (
                ImportFile::Members,
                &members("Bo,Li,bo@example.org,LS1 4AP,Leeds,2020-02-01,active\n"),
            ),
            (
                ImportFile::Statuses,
                b"email,status,effective_on\nbo@example.org,active,2020-02-01\nbo@example.org,resigned,2022-01-01\n",
            ),
        ],
        false,
    )
    .await;
    has(
        &o,
        "members.csv: line 2, column status (7): status is active but the last status in statuses.csv (line 3) is resigned",
    );
}

#[tokio::test]
async fn payments_before_joining_and_bad_amounts_are_refused() {
    let app = register().await;
    let o = import(
        &app,
        &[
            (
                ImportFile::Members,
                &members("Bo,Li,bo@example.org,LS1 4AP,Leeds,2020-02-01,active\n"),
            ),
            (
                ImportFile::Payments,
                b"email,paid_on,amount,months\n\
                  bo@example.org,2020-01-31,5.00,1\n\
                  bo@example.org,2020-03-01,five,1\n\
                  bo@example.org,2020-04-01,5.00,36\n\
                  ann@example.org,2024-02-01,5.00,1\n",
            ),
        ],
        false,
    )
    .await;
    has(
        &o,
        "payments.csv: line 2, column paid_on (2): payment on 2020-01-31 is before bo@example.org joined (2020-02-01)",
    );
    has(
        &o,
        "payments.csv: line 3, column amount (3): amount 'five' is not an amount like 12.50",
    );
    has(
        &o,
        "payments.csv: line 4, column months (4): months '36' must be a whole number from 1 to 24",
    );
    has(
        &o,
        "payments.csv: line 5, column email (1): member 1 is already in the register: give --update to add to their payments",
    );
}

#[tokio::test]
async fn offices_naming_unknown_members_or_units_are_refused() {
    let app = register().await;
    let o = import(
        &app,
        &[
            (
                ImportFile::Members,
                &members("Bo,Li,bo@example.org,LS1 4AP,Leeds,2020-02-01,active\n"),
            ),
            (
                ImportFile::Offices,
                b"unit,office,email,starts_on,ends_on\n\
                  Leeds,secretary,nobody@example.org,2021-01-01,2021-12-31\n\
                  Atlantis,secretary,bo@example.org,2021-01-01,2021-12-31\n\
                  Leeds,president,bo@example.org,2021-01-01,2021-12-31\n\
                  Leeds,treasurer,bo@example.org,2019-01-01,2019-12-31\n\
                  Leeds,chair,bo@example.org,2021-01-01,2027-12-31\n\
                  Leeds,chair,ann@example.org,2024-02-01,2024-12-31\n\
                  Leeds,chair,bo@example.org,2024-06-01,2025-05-31\n",
            ),
        ],
        false,
    )
    .await;
    has(
        &o,
        "offices.csv: line 2, column email (3): there is no member with the email nobody@example.org in members.csv or the register",
    );
    has(
        &o,
        "offices.csv: line 3, column unit (1): there is no unit called 'Atlantis' in units.csv or the register",
    );
    has(
        &o,
        "offices.csv: line 4, column office (2): office 'president' is not one of chair, secretary, treasurer, membership-officer, data-protection-officer, scrutineer",
    );
    has(
        &o,
        "offices.csv: line 5, column starts_on (4): bo@example.org joined on 2020-02-01, after this term began (2019-01-01)",
    );
    has(
        &o,
        "offices.csv: line 6, column ends_on (5): the term runs to 2027-12-31: an import records the organisation's past, and current officers take office by the constitution's procedure (an election, or an appointment at a meeting)",
    );
    has(
        &o,
        "offices.csv: line 8, column starts_on (4): this term, from 2024-06-01, overlaps the term on line 7 (2024-02-01 to 2024-12-31): an office has one holder at a time",
    );
}

#[tokio::test]
async fn units_name_their_parents() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Units,
            b"kind,name,parent\n\
              region,South,\n\
              branch,Lambeth,South\n\
              branch,Leeds,North\n\
              branch,Hull,\n\
              branch,Brixton,Atlantis\n\
              branch,Deptford,Leeds\n\
              national,Everything,\n\
              branch,Lambeth,South\n",
        )],
        false,
    )
    .await;
    has(
        &o,
        "units.csv: line 5, column parent (3): parent is required: the region this branch belongs to",
    );
    has(
        &o,
        "units.csv: line 6, column parent (3): there is no unit called 'Atlantis' in units.csv or the register",
    );
    has(
        &o,
        "units.csv: line 7, column parent (3): 'Leeds' is a branch: a branch's parent is a region",
    );
    has(
        &o,
        "units.csv: line 8, column kind (1): the national unit is founded by charter init; units.csv lists regions and branches",
    );
    has(
        &o,
        "units.csv: line 3, column name (2): 'Lambeth' is listed twice under the same parent: also on line 9",
    );
    has(
        &o,
        "units.csv: line 9, column name (2): 'Lambeth' is listed twice under the same parent: also on line 3",
    );
    assert!(
        !o.err.contains("line 4"),
        "Leeds under North is already in the register: nothing to do\n{}",
        o.err
    );
}

#[tokio::test]
async fn files_without_the_columns_needed_are_refused_whole() {
    let app = register().await;
    let o = import(
        &app,
        &[
            (
                ImportFile::Members,
                b"First Name,Surname,E-mail\nBo,Li,bo@example.org\n",
            ),
            (ImportFile::Payments, b"paid_on,amount\n2020-01-01,5\n"),
        ],
        false,
    )
    .await;
    has(
        &o,
        "members.csv: line 1: the header has no postcode, branch column (it has: First Name, Surname, E-mail)",
    );
    has(
        &o,
        "payments.csv: line 1: the header has no member_number or email column: each row names its member by one of them",
    );
}

#[tokio::test]
async fn a_clean_file_goes_in_and_reports_what_it_did() {
    let app = register().await;
    let o = import(
        &app,
        &[(
            ImportFile::Members,
            &members("Bo,Li,bo@example.org,LS1 4AP,Leeds,2024-02-01,active\n"),
        )],
        false,
    )
    .await;
    assert!(o.ok, "{}", o.err);
    assert!(
        o.out
            .contains("members: 1 created (0 keep their member numbers), 0 updated, 0 unchanged"),
        "{}",
        o.out
    );
    let bo = app.store().credentials("bo@example.org").await.unwrap();
    assert_eq!(bo.map(|c| c.member.0), Some(2));
}
