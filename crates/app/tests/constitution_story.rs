//! The story as a test, through the app on SQLite with fixed dates: founded in 2016, an
//! amendment effective 2017-07-01 that keeps votes for verified members of another party.

use std::sync::Arc;

use charter_app::constitution::AmendmentState;
use charter_app::rolls::RollRequest;
use charter_app::{App, AppError, FixedClock, Settings, operator_actor};
use charter_domain::{
    Actor, DuesPlan, Email, MemberId, MemberStatus, Money, NewMember, OfficeKind, Payment,
    PersonName, Postcode, UnitId, UnitKind,
};
use charter_rules::{Context, DecisionRecord, Key, Right};
use charter_store::{EventActor, NewEvent, Store, Term};
use charter_store_sqlite::SqliteStore;
use chrono::{NaiveDate, TimeZone, Utc};

const FOUNDING: &str = include_str!("../../rules/fixtures/founding-2016.toml");
const AMENDMENT: &str = include_str!("../../rules/fixtures/amendment-2017.toml");
const PARTY: &str = "Socialist Alliance Party";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}

fn event(kind: &str) -> NewEvent {
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

fn app_on(store: &Arc<SqliteStore>, on: NaiveDate) -> App {
    let at = Utc.from_utc_datetime(&on.and_hms_opt(12, 0, 0).unwrap());
    App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default())
}

/// One member as the test sets them up, so counts can be made without the engine.
struct Seeded {
    branch: UnitId,
    active: bool,
    paid: bool,
    verified: bool,
}

struct World {
    store: Arc<SqliteStore>,
    secretary: MemberId,
    ann: MemberId,
    lapsed: MemberId,
    members: Vec<Seeded>,
}

async fn add(
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

fn n_to_letters(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

async fn world() -> World {
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
        secretary,
        ann,
        lapsed,
        members,
    }
}

async fn actor(app: &App, m: MemberId) -> Actor {
    app.actor(m).await.unwrap()
}

fn conference(notice: NaiveDate, on: NaiveDate) -> DecisionRecord {
    DecisionRecord {
        body: Key::parse("conference").unwrap(),
        meeting_kind: Key::parse("special-conference").unwrap(),
        notice_sent_on: Some(notice),
        meeting_on: on,
        members_entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    }
}

#[tokio::test]
async fn the_story_through_the_app() {
    let w = world().await;
    let may = app_on(&w.store, d(2017, 5, 19));
    assert!(matches!(
        may.constitution_in_force(d(2016, 1, 1)).await,
        Err(AppError::NotFound("constitution"))
    ));
    let founding = may
        .found_constitution(operator_actor(), FOUNDING)
        .await
        .unwrap();
    // Only once: afterwards, only an amendment changes it.
    assert!(matches!(
        may.found_constitution(operator_actor(), FOUNDING).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(may.grace_days().await.unwrap(), 31);

    // Proposing: a lapsed member has no right to propose, and the refusal cites the clause.
    let lapsed = actor(&may, w.lapsed).await;
    match may
        .propose_amendment(&lapsed, "Votes for party members", AMENDMENT)
        .await
    {
        Err(AppError::Forbidden(why)) => assert!(why.contains("4.1"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let secretary = actor(&may, w.secretary).await;
    match may.propose_amendment(&secretary, "Broken", "name = ").await {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("toml")),
        other => panic!("expected invalid toml, got {other:?}"),
    }
    let id = may
        .propose_amendment(&secretary, "Votes for party members", AMENDMENT)
        .await
        .unwrap();

    // A hasty special conference with 2 days' notice where 14 are required: refused, citing 7.1.
    let june = app_on(&w.store, d(2017, 6, 12));
    let secretary = actor(&june, w.secretary).await;
    let ann_actor = actor(&june, w.ann).await;
    assert!(matches!(
        june.record_amendment_decision(&ann_actor, id, &conference(d(2017, 5, 26), d(2017, 5, 29)))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let refused = june
        .record_amendment_decision(&secretary, id, &conference(d(2017, 5, 26), d(2017, 5, 29)))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        refused
            .iter()
            .any(|(c, why)| c == "7.1" && why.contains("14 clear days")),
        "{refused:?}"
    );
    assert_eq!(june.constitution_versions().await.unwrap().len(), 1);
    let (info, _) = june.amendment(id).await.unwrap();
    assert_eq!(info.state, AmendmentState::Refused);
    assert_eq!(info.attempts.len(), 1);
    assert!(!info.attempts[0].adopted);

    // The full procedure: notice on 20 May for 10 June.
    let takes_effect = june
        .record_amendment_decision(&secretary, id, &conference(d(2017, 5, 20), d(2017, 6, 10)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(takes_effect, d(2017, 7, 1));
    let versions = june.constitution_versions().await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["founding constitution 2016", "2017 amendment"]
    );
    let (info, _) = june.amendment(id).await.unwrap();
    assert_eq!(info.state, AmendmentState::Adopted);
    assert_eq!(info.attempts.len(), 2);
    assert!(info.attempts[1].adopted);
    assert!(matches!(
        june.record_amendment_decision(&secretary, id, &conference(d(2017, 5, 20), d(2017, 6, 10)))
            .await,
        Err(AppError::Conflict { .. })
    ));
    let kinds: Vec<String> = w
        .store
        .events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("constitution."))
        .collect();
    assert_eq!(
        kinds,
        [
            "constitution.founded",
            "constitution.amendment_proposed",
            "constitution.amendment_refused",
            "constitution.amended"
        ]
    );

    // Before the cut-off Ann (paid up, no party) may vote; from it she may attend but not vote.
    let (v, _) = june.constitution_in_force(d(2017, 6, 30)).await.unwrap();
    assert_eq!(v.id, founding);
    let before = june
        .member_rights(&ann_actor, w.ann, d(2017, 6, 30))
        .await
        .unwrap();
    let vote = before
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    assert!(vote.allowed, "{}", vote.reason);
    let after = june
        .member_rights(&ann_actor, w.ann, d(2017, 7, 1))
        .await
        .unwrap();
    let find = |r: Right| {
        after
            .iter()
            .find(|d| d.context == Context::BranchMeeting && d.right == r)
            .unwrap()
    };
    assert!(find(Right::Attend).allowed);
    let vote = find(Right::Vote);
    assert!(!vote.allowed);
    assert_eq!(
        vote.clauses.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["4.3"]
    );
    assert!(vote.reason.contains("clause 4.3"), "{}", vote.reason);

    // Someone else's rights need the power to see them; the secretary's read is logged.
    let lapsed = actor(&june, w.lapsed).await;
    assert!(matches!(
        june.member_rights(&lapsed, w.ann, d(2017, 7, 1)).await,
        Err(AppError::Forbidden(_))
    ));
    june.member_rights(&secretary, w.ann, d(2017, 7, 1))
        .await
        .unwrap();
    let log = w.store.access_log(w.ann, 1, 50).await.unwrap();
    assert!(log.items.iter().any(|e| e.purpose == "member rights"));

    // Diff and impact: the impact counts match a direct count over the register.
    let diff = june.amendment_diff(id).await.unwrap();
    assert_eq!(diff.from, "founding constitution 2016");
    assert_eq!(diff.to, "2017 amendment");
    let vdiff = june
        .constitution_diff(versions[0].id, versions[1].id)
        .await
        .unwrap();
    assert_eq!(vdiff, diff);
    let impact = june.amendment_impact(id).await.unwrap();
    assert_eq!(impact.members as usize, w.members.len());
    let vote = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    let could: Vec<&Seeded> = w.members.iter().filter(|m| m.active && m.paid).collect();
    let keep = could.iter().filter(|m| m.verified).count();
    assert_eq!(vote.total.before as usize, could.len());
    assert_eq!(vote.total.after as usize, keep);
    assert_eq!(vote.total.lose as usize, could.len() - keep);
    assert_eq!(vote.total.gain, 0);
    for (branch, counts) in &vote.by_branch {
        let here: Vec<&&Seeded> = could.iter().filter(|m| m.branch == *branch).collect();
        assert_eq!(counts.before as usize, here.len());
        assert_eq!(
            counts.lose as usize,
            here.iter().filter(|m| !m.verified).count()
        );
    }
    let attend = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Attend)
        .unwrap();
    assert_eq!(attend.total.lose, 0);
    let dissolved: Vec<&str> = impact
        .bodies_dissolved
        .iter()
        .map(|b| b.key.as_str())
        .collect();
    assert!(dissolved.contains(&"national-committee"), "{dissolved:?}");
    let amendments = june.amendments().await.unwrap();
    assert_eq!(amendments.len(), 1);
    assert_eq!(amendments[0].attempts.len(), 2);
}

/// Founds the organisation and adopts the 2017 amendment by the full procedure.
async fn amended(w: &World) {
    let may = app_on(&w.store, d(2017, 5, 19));
    may.found_constitution(operator_actor(), FOUNDING)
        .await
        .unwrap();
    let secretary = actor(&may, w.secretary).await;
    let id = may
        .propose_amendment(&secretary, "Votes for party members", AMENDMENT)
        .await
        .unwrap();
    let june = app_on(&w.store, d(2017, 6, 12));
    let secretary = actor(&june, w.secretary).await;
    june.record_amendment_decision(&secretary, id, &conference(d(2017, 5, 20), d(2017, 6, 10)))
        .await
        .unwrap()
        .unwrap();
}

fn conference_roll(cutoff: NaiveDate) -> RollRequest {
    RollRequest {
        title: "Special conference".into(),
        context: "conference".into(),
        cutoff: Some(cutoff),
        ..RollRequest::default()
    }
}

#[tokio::test]
async fn a_roll_frozen_on_the_cut_off_follows_the_version_in_force_and_takes_challenges() {
    let w = world().await;
    amended(&w).await;
    let july = app_on(&w.store, d(2017, 7, 3));
    let secretary = actor(&july, w.secretary).await;
    let ann = actor(&july, w.ann).await;

    // Only an officer with the power freezes; bad input is named field by field.
    assert!(matches!(
        july.freeze_roll(&ann, &conference_roll(d(2017, 7, 1)))
            .await,
        Err(AppError::Forbidden(_))
    ));
    match july
        .freeze_roll(
            &secretary,
            &RollRequest {
                title: " ".into(),
                context: "tea-party".into(),
                cutoff: Some(d(2017, 8, 1)),
                ..RollRequest::default()
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            assert!(text.contains("title") && text.contains("context"), "{text}");
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    match july
        .freeze_roll(
            &secretary,
            &RollRequest {
                context: "branch-meeting".into(),
                ..conference_roll(d(2017, 7, 1))
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("unit")),
        other => panic!("a branch meeting needs its branch, got {other:?}"),
    }

    // Before the cut-off, every active paid-up member is on; after, only verified party members.
    let june_roll = july
        .freeze_roll(&secretary, &conference_roll(d(2017, 6, 30)))
        .await
        .unwrap();
    let id = july
        .freeze_roll(&secretary, &conference_roll(d(2017, 7, 1)))
        .await
        .unwrap();
    let could = w.members.iter().filter(|m| m.active && m.paid).count();
    let keep = w
        .members
        .iter()
        .filter(|m| m.active && m.paid && m.verified)
        .count();
    let before = july.roll_view(&ann, june_roll).await.unwrap();
    assert_eq!(before.roll.eligible as usize, could);
    assert!(before.mine.as_ref().unwrap().eligible);
    let view = july.roll_view(&ann, id).await.unwrap();
    assert_eq!(view.roll.eligible as usize, keep);
    assert_eq!(
        (view.roll.eligible + view.roll.excluded) as usize,
        w.members.len()
    );
    assert_eq!(view.version, "2017 amendment");
    assert_eq!(
        view.counts.iter().map(|c| c.2).sum::<i64>(),
        view.roll.eligible
    );
    let mine = view.mine.clone().unwrap();
    assert!(!mine.eligible);
    assert_eq!(mine.clauses, "4.3");
    assert!(mine.reason.contains("clause 4.3"), "{}", mine.reason);
    assert!(!view.may_see_names);
    assert!(july.check_roll(id).await.unwrap().frozen_hash_matches);

    // Names are for officers; each name shown is logged.
    assert!(matches!(
        july.roll_names(&ann, id, None, None, 1, 25).await,
        Err(AppError::Forbidden(_))
    ));
    let names = july
        .roll_names(&secretary, id, None, Some(false), 1, 500)
        .await
        .unwrap();
    assert_eq!(names.total as usize, w.members.len() - keep);
    let log = w.store.access_log(w.ann, 1, 50).await.unwrap();
    assert!(log.items.iter().any(|e| e.purpose == "roll names"));

    // Ann challenges; she cannot decide her own; the secretary upholds it with reasons.
    match july.lodge_challenge(&ann, id, "  ").await {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("grounds")),
        other => panic!("empty grounds must be refused, got {other:?}"),
    }
    let c = july
        .lodge_challenge(&ann, id, "I joined the party in May; my card is attached")
        .await
        .unwrap();
    assert!(matches!(
        july.lodge_challenge(&ann, id, "again").await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        july.decide_challenge(&ann, c, true, "mine").await,
        Err(AppError::Forbidden(_))
    ));
    july.decide_challenge(&secretary, c, true, "membership card checked on 3 July")
        .await
        .unwrap();
    assert!(matches!(
        july.decide_challenge(&secretary, c, false, "again").await,
        Err(AppError::Conflict { .. })
    ));
    let view = july.roll_view(&ann, id).await.unwrap();
    assert_eq!(view.roll.eligible as usize, keep + 1);
    assert!(view.mine.as_ref().unwrap().eligible);
    assert_eq!(view.challenges.len(), 1);
    assert_eq!(view.challenges[0].state, "upheld");
    assert_ne!(view.roll.current_hash, view.roll.frozen_hash);
    let check = july.check_roll(id).await.unwrap();
    assert!(
        check.frozen_hash_matches && check.current_hash_matches,
        "{check:?}"
    );
    assert_eq!(check.lines, w.members.len());

    // After the window closes, no more challenges.
    let later = app_on(&w.store, d(2017, 8, 1));
    let lapsed = actor(&later, w.lapsed).await;
    match later.lodge_challenge(&lapsed, id, "I paid").await {
        Err(AppError::Conflict { message, .. }) => assert!(message.contains("closed"), "{message}"),
        other => panic!("expected the window to be closed, got {other:?}"),
    }
    let kinds: Vec<String> = w
        .store
        .events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("roll."))
        .collect();
    assert_eq!(
        kinds,
        [
            "roll.frozen",
            "roll.frozen",
            "roll.challenged",
            "roll.challenge_decided"
        ]
    );
}
