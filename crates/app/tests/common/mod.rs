//! Shared by the app's story tests: a small register on SQLite with fixed dates (national,
//! London, Southwark and Havering; a national secretary; members across every combination
//! of status, dues and affiliation), the story's fixtures and the full amendment procedure.
#![allow(dead_code)]

use charter_store::prelude::*;
use std::sync::Arc;

use charter_app::amending::{HistoricalDecision, HistoricalOutcome};
use charter_app::{App, FixedClock, Settings, operator_actor};
use charter_domain::{
    Actor, DuesPlan, Email, MemberId, MemberStatus, Money, NewMember, OfficeKind, Payment,
    PersonName, Postcode, UnitId, UnitKind,
};
use charter_model::{AmendmentId, BallotId, RollId};
use charter_store::{EventActor, NewEvent, Store, Term};
use charter_store_sqlite::SqliteStore;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sqlx::Row;

pub const FOUNDING: &str = include_str!("../../../rules/fixtures/founding-2016.toml");
pub const AMENDMENT: &str = include_str!("../../../rules/fixtures/amendment-2017.toml");
pub const PARTY: &str = "Socialist Alliance Party";

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}

pub fn event(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc.with_ymd_and_hms(2016, 3, 12, 12, 0, 0).unwrap(),
        actor: EventActor {
            member: None,
            office: Some("test".into()),
        },
        kind: kind.into(),
        subject: "test".into(),
        payload: "{}".into(),
        reason: "test".into(),
    }
}

pub fn app_on(store: &Arc<SqliteStore>, on: NaiveDate) -> App {
    let at = Utc.from_utc_datetime(&on.and_hms_opt(12, 0, 0).unwrap());
    App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default())
}

/// One member as the test sets them up, so counts can be made without the engine.
pub struct Seeded {
    pub branch: UnitId,
    pub active: bool,
    pub paid: bool,
    pub verified: bool,
}

pub struct World {
    pub store: Arc<SqliteStore>,
    pub national: UnitId,
    pub southwark: UnitId,
    pub havering: UnitId,
    pub secretary: MemberId,
    pub ann: MemberId,
    pub lapsed: MemberId,
    pub members: Vec<Seeded>,
}

pub async fn add(
    store: &SqliteStore,
    n: usize,
    branch: UnitId,
    status: MemberStatus,
    paid: bool,
    affiliation: Option<bool>,
    verifier: Option<MemberId>,
) -> MemberId {
    let m = NewMember {
        first_name: PersonName::parse("first_name", "Sam").unwrap(),
        last_name: PersonName::parse("last_name", &format!("Member{}", n_to_letters(n))).unwrap(),
        email: Email::parse(&format!("m{n}@example.org")).unwrap(),
        phone: None,
        postcode: Postcode::parse("SE1 7AA").unwrap(),
        branch,
        joined_on: d(2016, 4, 1),
        status,
        dues_plan: DuesPlan::Annual,
    };
    let id = store
        .add_member(&m, None, &event("member.added"))
        .await
        .unwrap();
    if paid {
        let p = Payment {
            paid_on: d(2016, 4, 1),
            amount: Money::parse("amount", "24").unwrap(),
            months: 36,
        };
        store
            .record_payment(id, &p, None, &event("dues.recorded"))
            .await
            .unwrap();
    }
    if let Some(verified) = affiliation {
        let a = store
            .add_affiliation(id, PARTY, Some(d(2016, 1, 1)), &event("affiliation.added"))
            .await
            .unwrap();
        if verified {
            store
                .verify_affiliation(
                    id,
                    a,
                    verifier.unwrap_or(id),
                    d(2017, 5, 1),
                    &event("affiliation.verified"),
                )
                .await
                .unwrap();
        }
    }
    id
}

pub fn n_to_letters(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

pub async fn world() -> World {
    let store = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    store.migrate().await.unwrap();
    let nat = store
        .create_unit(
            None,
            UnitKind::National,
            "National",
            "national",
            &event("unit"),
        )
        .await
        .unwrap();
    let region = store
        .create_unit(
            Some(nat),
            UnitKind::Region,
            "London",
            "london",
            &event("unit"),
        )
        .await
        .unwrap();
    let southwark = store
        .create_unit(
            Some(region),
            UnitKind::Branch,
            "Southwark",
            "southwark",
            &event("unit"),
        )
        .await
        .unwrap();
    let havering = store
        .create_unit(
            Some(region),
            UnitKind::Branch,
            "Havering",
            "havering",
            &event("unit"),
        )
        .await
        .unwrap();
    let mut members = Vec::new();
    let secretary = add(
        &store,
        0,
        southwark,
        MemberStatus::Active,
        true,
        Some(true),
        None,
    )
    .await;
    members.push(Seeded {
        branch: southwark,
        active: true,
        paid: true,
        verified: true,
    });
    let office = store
        .create_office(nat, OfficeKind::Secretary, &event("office"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            secretary,
            Term {
                starts_on: d(2016, 3, 12),
                ends_on: None,
            },
            &event("appoint"),
        )
        .await
        .unwrap();
    let ann = add(&store, 1, southwark, MemberStatus::Active, true, None, None).await;
    members.push(Seeded {
        branch: southwark,
        active: true,
        paid: true,
        verified: false,
    });
    let lapsed = add(&store, 2, havering, MemberStatus::Lapsed, false, None, None).await;
    members.push(Seeded {
        branch: havering,
        active: false,
        paid: false,
        verified: false,
    });
    // A spread of members: every combination of status, dues and affiliation, two branches.
    for n in 3..43 {
        let branch = if n % 2 == 0 { southwark } else { havering };
        let active = n % 5 != 0;
        let paid = n % 3 != 0;
        let aff = match n % 4 {
            0 => Some(true),
            1 => Some(false),
            _ => None,
        };
        let status = if active {
            MemberStatus::Active
        } else {
            MemberStatus::Suspended
        };
        add(&store, n, branch, status, paid, aff, Some(secretary)).await;
        members.push(Seeded {
            branch,
            active,
            paid,
            verified: aff == Some(true),
        });
    }
    World {
        store,
        national: nat,
        southwark,
        havering,
        secretary,
        ann,
        lapsed,
        members,
    }
}

pub async fn actor(app: &App, m: MemberId) -> Actor {
    app.actor(m).await.unwrap()
}

/// What the minutes of a special conference held before Charter say.
pub fn conference(notice: NaiveDate, on: NaiveDate) -> HistoricalDecision {
    HistoricalDecision {
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: Some(notice),
        held_on: on,
        entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    }
}

/// A national chair for the amendment's season: with the secretary, the second officer who
/// enters a historical meeting. Call `chair_resigns` once the entries are made, so that the
/// world's counts are as before.
pub async fn national_chair(w: &World) -> MemberId {
    let chair = add(
        &w.store,
        9_999,
        w.southwark,
        MemberStatus::Active,
        true,
        None,
        None,
    )
    .await;
    let office = w
        .store
        .create_office(w.national, OfficeKind::Chair, &event("office"))
        .await
        .unwrap();
    w.store
        .appoint(
            office,
            chair,
            Term {
                starts_on: d(2016, 3, 12),
                ends_on: Some(d(2017, 6, 13)),
            },
            &event("appoint"),
        )
        .await
        .unwrap();
    chair
}

/// Sets a member's status in the store, as a binding decision would (test setup for states
/// the use cases reach only through a meeting).
pub async fn set_status(w: &World, member: MemberId, to: MemberStatus) {
    let current = w
        .store
        .member(member, None)
        .await
        .unwrap()
        .unwrap()
        .record
        .status;
    w.store
        .change_status(
            member,
            current,
            &charter_store::StatusChangeInput {
                from: Some(current),
                to,
                effective_on: d(2017, 6, 1),
                reason: "by decision of the national committee".into(),
                changed_by: None,
            },
            &event("member.status_changed"),
        )
        .await
        .unwrap();
}

/// The chair of `national_chair` resigns on 13 June 2017, leaving the rolls as they were.
pub async fn chair_resigns(w: &World, chair: MemberId) {
    w.store
        .change_status(
            chair,
            MemberStatus::Active,
            &charter_store::StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Resigned,
                effective_on: d(2017, 6, 13),
                reason: "term served".into(),
                changed_by: None,
            },
            &event("member.status_changed"),
        )
        .await
        .unwrap();
}

/// Both national officers enter a historical conference; the second entry records it.
pub async fn enter_twice(
    app: &App,
    officers: [MemberId; 2],
    amendment: AmendmentId,
    minutes: &HistoricalDecision,
) -> HistoricalOutcome {
    let first = app
        .enter_historical_decision(&actor(app, officers[0]).await, amendment, minutes)
        .await
        .unwrap();
    assert_eq!(first, HistoricalOutcome::AwaitingSecondEntry);
    app.enter_historical_decision(&actor(app, officers[1]).await, amendment, minutes)
        .await
        .unwrap()
}

/// Founds the organisation and adopts the 2017 amendment by the full procedure.
pub async fn amended(w: &World) {
    let may = app_on(&w.store, d(2017, 5, 19));
    may.found_constitution(operator_actor(), FOUNDING)
        .await
        .unwrap();
    let secretary = actor(&may, w.secretary).await;
    let id = may
        .propose_amendment(&secretary, "Votes for party members", AMENDMENT)
        .await
        .unwrap();
    let chair = national_chair(w).await;
    let june = app_on(&w.store, d(2017, 6, 12));
    let recorded = enter_twice(
        &june,
        [w.secretary, chair],
        id,
        &conference(d(2017, 5, 20), d(2017, 6, 10)),
    )
    .await;
    assert!(
        matches!(recorded, HistoricalOutcome::Recorded { adopted: true, .. }),
        "{recorded:?}"
    );
    chair_resigns(w, chair).await;
}

/// Sends every letter due by `app`'s clock through a real SMTP sink and returns them as the
/// sink received them: voting and account links are minted only as their letters go, so a
/// test reads them where a member would.
pub async fn send_letters(app: &App) -> Vec<charter_test_support::ReceivedMail> {
    let sink = charter_test_support::SmtpSink::start().await;
    let config = charter_mail::SmtpConfig::from_url(&sink.relay_url()).unwrap();
    let mailer = Arc::new(charter_mail::Mailer::new(&config).unwrap());
    let mut sent = 0;
    loop {
        let round = app.deliver_due(&mailer, 1_000, 8).await.unwrap();
        sent += round.sent;
        if round.settled() == 0 {
            break;
        }
    }
    sink.wait_for(sent, std::time::Duration::from_secs(30))
        .await
        .unwrap()
}

/// The tokens of the voting links for `ballot` in these letters.
pub fn voting_links(
    letters: &[charter_test_support::ReceivedMail],
    ballot: BallotId,
) -> Vec<String> {
    let path = format!("/ballots/{ballot}/vote/");
    letters.iter().filter_map(|l| l.link_token(&path)).collect()
}

/// A database as whoever holds it reads it: every table, row by row.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    /// Every row of every table, as text.
    pub async fn every_row(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self {
            Raw::Sqlite(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                for t in tables {
                    let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT name FROM pragma_table_info('{t}')"
                    )))
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect();
                    if cols.is_empty() {
                        continue;
                    }
                    let concat = cols
                        .iter()
                        .map(|c| format!("quote(\"{c}\")"))
                        .collect::<Vec<_>>()
                        .join(" || ' ' || ");
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT {concat} FROM \"{t}\""
                    )))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    out.extend(rows.into_iter().map(|r| (t.clone(), r)));
                }
            }
            Raw::Postgres(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                for t in tables {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT CAST(t AS TEXT) FROM \"{t}\" t"
                    )))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    out.extend(rows.into_iter().map(|r| (t.clone(), r)));
                }
            }
        }
        out
    }
}

/// A moment of the stories' calendar, on the hour (UTC).
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

pub fn app_at(w: &World, t: DateTime<Utc>) -> App {
    App::new(
        w.store.clone(),
        std::sync::Arc::new(charter_app::FixedClock(t)),
        charter_app::Settings {
            public_url: "https://charter.example".into(),
            ..charter_app::Settings::default()
        },
    )
}

/// The members entitled to vote on frozen roll `roll`.
pub async fn voters_of(w: &World, roll: RollId) -> Vec<MemberId> {
    w.store
        .roll_frozen_lines(roll, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, _, ok)| *ok)
        .map(|(m, _, _)| m)
        .collect()
}

/// A member-ballot roll frozen on 1 September 2017, open to challenge until the 4th.
pub async fn roll(w: &World) -> (i64, Vec<MemberId>) {
    let sep1 = app_at(w, at(2017, 9, 1, 9));
    let secretary = sep1.actor(w.secretary).await.unwrap();
    let id = sep1
        .freeze_roll(
            &secretary,
            &charter_app::rolls::RollRequest {
                title: "Ballots, autumn 2017".into(),
                context: "member-ballot".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some(chrono::NaiveDate::from_ymd_opt(2017, 9, 4).unwrap()),
            },
        )
        .await
        .unwrap();
    let voters = voters_of(w, id).await;
    assert!(voters.len() >= 5, "the world has voters: {}", voters.len());
    (id.0, voters)
}
