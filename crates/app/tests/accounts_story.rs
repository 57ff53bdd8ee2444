//! Invitations by email on both databases, through the real outbox and a real SMTP sink:
//! every table is read after invitations are queued and sent, as whoever holds the database
//! could, and no usable token is found; a link works once, and a newer letter's link
//! replaces the earlier one.

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use charter_app::{App, FixedClock, Settings};
use charter_domain::{
    Actor, DuesPlan, Email, HeldOffice, MemberId, MemberStatus, NewMember, OfficeKind, PersonName,
    Postcode, UnitKind,
};
use charter_mail::{Mailer, SmtpConfig};
use charter_store::{EventActor, NewEvent, Store, Term};
use charter_test_support::SmtpSink;
use chrono::{NaiveDate, TimeZone, Utc};
use common::Raw;
use secrecy::SecretString;

const PUBLIC: &str = "https://charter.example.org";

struct World {
    store: Arc<dyn Store>,
    raw: Raw,
    officer: Actor,
    members: Vec<MemberId>,
    _pg: Option<charter_test_support::PgTestDb>,
}

fn ev(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
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

async fn world(postgres: bool) -> Option<World> {
    let (store, raw, pg): (Arc<dyn Store>, Raw, _) = if postgres {
        let db = charter_test_support::fresh_database().await?;
        let s = charter_store_postgres::PgStore::connect(db.url())
            .await
            .unwrap();
        let raw = Raw::Postgres(s.pool().clone());
        (Arc::new(s), raw, Some(db))
    } else {
        let s = charter_store_sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .unwrap();
        let raw = Raw::Sqlite(s.pool().clone());
        (Arc::new(s), raw, None)
    };
    store.migrate().await.unwrap();
    let national = store
        .create_unit(
            None,
            UnitKind::National,
            "Campaign Network",
            "national",
            &ev("unit"),
        )
        .await
        .unwrap();
    let branch = store
        .create_unit(
            Some(national),
            UnitKind::Branch,
            "Leeds",
            "leeds",
            &ev("unit"),
        )
        .await
        .unwrap();
    let mut members = Vec::new();
    for n in 0..6 {
        let m = NewMember {
            first_name: PersonName::parse("first name", &format!("Member{n}")).unwrap(),
            last_name: PersonName::parse("last name", "Test").unwrap(),
            email: Email::parse(&format!("m{n}@example.org")).unwrap(),
            phone: None,
            postcode: Postcode::parse("LS1 4AP").unwrap(),
            branch: if n == 0 { national } else { branch },
            joined_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            status: MemberStatus::Active,
            dues_plan: DuesPlan::Monthly,
        };
        members.push(store.add_member(&m, None, &ev("member")).await.unwrap());
    }
    let office = store
        .create_office(national, OfficeKind::Secretary, &ev("office"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            members[0],
            Term {
                starts_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                ends_on: None,
            },
            &ev("appoint"),
        )
        .await
        .unwrap();
    store
        .set_password(
            members[0],
            &charter_app::auth::hash_password("officer password 1").unwrap(),
        )
        .await
        .unwrap();
    let officer = Actor {
        member: members[0],
        home_branch: national,
        offices: vec![HeldOffice {
            kind: OfficeKind::Secretary,
            unit: national,
            unit_name: "Campaign Network".into(),
        }],
    };
    Some(World {
        store,
        raw,
        officer,
        members,
        _pg: pg,
    })
}

fn app(w: &World, secs: i64) -> App {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap() + chrono::Duration::seconds(secs);
    App::new(
        w.store.clone(),
        Arc::new(FixedClock(at)),
        Settings {
            public_url: PUBLIC.into(),
            ..Settings::default()
        },
    )
}

fn mailer(sink: &SmtpSink) -> Arc<Mailer> {
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=charter%40example.org",
        sink.host(),
        sink.port()
    ))
    .unwrap();
    Arc::new(Mailer::new(&config).unwrap())
}

/// The token of the set-password link in a letter.
fn token_in(body: &str) -> String {
    let at = body
        .find("/set-password/")
        .unwrap_or_else(|| panic!("no link in {body}"));
    body[at + "/set-password/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn invitations_leave_no_usable_token(w: World) {
    let sink = SmtpSink::start().await;
    let mail = mailer(&sink);
    let a = app(&w, 0);
    let mut seen = Vec::new();
    let run = a
        .invite_all_without_password(&w.officer, &mut |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!((run.found, run.invited), (5, 5), "everyone but the officer");
    assert_eq!(seen.first(), Some(&(0, 5)));
    assert_eq!(seen.last(), Some(&(5, 5)));

    // Queued: the letters wait without any link.
    for (table, row) in w.raw.every_row().await {
        assert!(
            !row.contains("/set-password/"),
            "{table} holds a link: {row}"
        );
    }

    let round = a.deliver_due(&mail, 100, 4).await.unwrap();
    assert_eq!(round.sent, 5);
    let letters = sink.wait_for(5, StdDuration::from_secs(10)).await.unwrap();
    let tokens: Vec<String> = letters.iter().map(|l| token_in(&l.body())).collect();
    for l in &letters {
        let body = l.body();
        assert!(body.contains(&format!("{PUBLIC}/set-password/")), "{body}");
        assert!(body.contains("Dear Member"), "{body}");
        assert!(body.contains("7 days"), "{body}");
    }

    // Sent: nothing in any table is a token, or reaches one by the link's path.
    for (table, row) in w.raw.every_row().await {
        assert!(
            !row.contains("/set-password/"),
            "{table} holds a link: {row}"
        );
        for t in &tokens {
            assert!(!row.contains(t.as_str()), "{table} holds a token: {row}");
        }
    }

    // The link works once: a password is chosen and the member can sign in.
    let password = SecretString::from("a password of my own".to_string());
    let member = a
        .set_password_with_link(&tokens[0], &password)
        .await
        .unwrap();
    assert!(w.members.contains(&member));
    let again = a.set_password_with_link(&tokens[0], &password).await;
    assert!(again.is_err(), "a link works once");
    let contacts = w.store.member_contacts(&[member]).await.unwrap();
    a.sign_in(&contacts[0].2, password).await.unwrap();

    // Inviting again sends a new link and stops the earlier one working.
    // Letters reach the sink in any order, so the member who just chose a password may be
    // any of them: invite again someone who has not.
    let second = if member == w.members[2] {
        w.members[3]
    } else {
        w.members[2]
    };
    let earlier = {
        let email = w.store.member_contacts(&[second]).await.unwrap()[0]
            .2
            .clone();
        let at = letters.iter().position(|l| l.to.contains(&email)).unwrap();
        tokens[at].clone()
    };
    a.invite_member(&w.officer, second).await.unwrap();
    assert!(a.password_link(&earlier).await.is_err(), "replaced at once");
    a.deliver_due(&mail, 100, 4).await.unwrap();
    let letters = sink.wait_for(6, StdDuration::from_secs(10)).await.unwrap();
    let newer = token_in(&letters[5].body());
    assert_ne!(newer, earlier);
    assert!(a.password_link(&newer).await.is_ok());

    // A member who has a password is not invited; an expired link is refused.
    let refused = a.invite_member(&w.officer, member).await;
    assert!(
        matches!(refused, Err(charter_app::AppError::Conflict { .. })),
        "{refused:?}"
    );
    let week_later = app(&w, 7 * 24 * 3_600 + 60);
    assert!(week_later.password_link(&newer).await.is_err(), "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_leave_no_usable_token_on_sqlite() {
    invitations_leave_no_usable_token(world(false).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_leave_no_usable_token_on_postgres() {
    if let Some(w) = world(true).await {
        invitations_leave_no_usable_token(w).await;
    }
}

/// Officers invite only where an office of theirs may edit members.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_an_office_invites_nobody() {
    let w = world(false).await.unwrap();
    let a = app(&w, 0);
    let plain = a.actor(w.members[1]).await.unwrap();
    assert!(matches!(
        a.invite_member(&plain, w.members[2]).await,
        Err(charter_app::AppError::Forbidden(_))
    ));
    assert!(matches!(
        a.invite_all_without_password(&plain, &mut |_, _| {}).await,
        Err(charter_app::AppError::Forbidden(_))
    ));
}
