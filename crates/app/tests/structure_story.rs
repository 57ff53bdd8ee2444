//! The structure from founding onwards, through the app on SQLite with fixed dates: an
//! organisation founded with the example constitution; its national secretary sets up
//! regions and branches (each with the bodies and offices the constitution gives its level),
//! which nobody else may do; a merge moves members with their history; and a branch secretary
//! comes in only by an appointment motion whose decision binds — never directly, never from
//! an improperly convened meeting — and holds office until the term's last day.

use charter_store::prelude::*;
use std::sync::Arc;

use charter_app::appointments::AppointmentRequest;
use charter_app::founding::Founding;
use charter_app::meetings::MeetingRequest;
use charter_app::{App, AppError, FixedClock, Settings};
use charter_domain::{
    Actor, DuesPlan, Email, MemberId, MemberStatus, Money, NewMember, OfficeKind, Payment,
    PersonName, Postcode, UnitId, UnitKind,
};
use charter_rules::MotionResult;
use charter_store::{Delivery, EventActor, Mandate, NewEvent, Store, Term};
use charter_store_sqlite::SqliteStore;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use secrecy::SecretString;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap()
}

struct Org {
    store: Arc<SqliteStore>,
    secretary: MemberId,
}

impl Org {
    fn at(&self, t: DateTime<Utc>) -> App {
        App::new(
            self.store.clone(),
            Arc::new(FixedClock(t)),
            Settings::default(),
        )
    }

    async fn actor(&self, t: DateTime<Utc>, m: MemberId) -> Actor {
        self.at(t).actor(m).await.unwrap()
    }

    /// An active member of `branch`, paid up for a year from `on`.
    async fn member(&self, n: u32, branch: UnitId, on: NaiveDate) -> MemberId {
        let ev = |kind: &str| NewEvent {
            at: at(2027, 1, 4, 12),
            actor: EventActor {
                member: None,
                office: Some("test".into()),
            },
            kind: kind.into(),
            subject: "test".into(),
            payload: "{}".into(),
            reason: "test".into(),
        };
        let m = NewMember {
            first_name: PersonName::parse("first_name", "Sam").unwrap(),
            last_name: PersonName::parse(
                "last_name",
                &format!(
                    "Member{}",
                    ["A", "B", "C", "D", "E", "F", "G", "H"][n as usize]
                ),
            )
            .unwrap(),
            email: Email::parse(&format!("m{n}@example.org")).unwrap(),
            phone: None,
            postcode: Postcode::parse("LS1 1AA").unwrap(),
            branch,
            joined_on: on,
            status: MemberStatus::Active,
            dues_plan: DuesPlan::Annual,
        };
        let id = self
            .store
            .add_member(&m, None, &ev("member.added"))
            .await
            .unwrap();
        self.store
            .record_payment(
                id,
                &Payment {
                    paid_on: on,
                    amount: Money(1200),
                    months: 12,
                },
                None,
                &ev("member.paid"),
            )
            .await
            .unwrap();
        id
    }

    /// Every queued notice delivered at `t`.
    async fn deliver_all(&self, t: DateTime<Utc>) {
        loop {
            let batch = self
                .store
                .claim_outbox(t, t + chrono::Duration::minutes(5), 500)
                .await
                .unwrap();
            if batch.is_empty() {
                return;
            }
            for m in batch {
                self.store
                    .record_delivery(m.id, &Delivery::Sent, t)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Founded on 4 January 2027 with the example constitution.
async fn founded() -> Org {
    let store = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
    store.migrate().await.unwrap();
    let app = App::new(
        store.clone(),
        Arc::new(FixedClock(at(2027, 1, 4, 12))),
        Settings::default(),
    );
    let text = charter_rules::example_constitution_for("Example Workers' Network", d(2027, 1, 4));
    let f = Founding::parse(
        "Example Workers' Network",
        &text,
        "Nia Founder",
        "nia@example.org",
        "N1 1AA",
    )
    .unwrap();
    let founded = app
        .found_organisation(&f, &SecretString::from("a long founding password"))
        .await
        .unwrap();
    Org {
        store,
        secretary: founded.secretary,
    }
}

#[tokio::test]
async fn the_founding_secretary_holds_office_by_the_founding_clause() {
    let o = founded().await;
    let app = o.at(at(2027, 1, 4, 12));
    let national = app.national_unit().await.unwrap();
    let page = app
        .unit_page(&app.actor(o.secretary).await.unwrap(), national.id)
        .await
        .unwrap();
    let sec = page
        .offices
        .iter()
        .find(|x| x.kind == OfficeKind::Secretary)
        .unwrap();
    assert_eq!(
        (
            sec.holder,
            sec.mandate,
            sec.clause.as_deref(),
            sec.term.and_then(|t| t.ends_on)
        ),
        (
            Some(o.secretary),
            Some(Mandate::Founding),
            Some("5.7"),
            None
        )
    );
    assert_eq!(
        page.offices.len(),
        6,
        "every national office the constitution sets up"
    );
    assert!(page.offices.iter().filter(|x| x.holder.is_none()).count() == 5);
    assert_eq!(
        page.bodies
            .iter()
            .map(|b| b.kind.as_str())
            .collect::<Vec<_>>(),
        ["conference", "national-committee"]
    );
    assert!(page.dissolved.iter().all(Option::is_none));
}

#[tokio::test]
async fn only_national_officers_set_up_units_and_a_merge_moves_members_with_history() {
    let o = founded().await;
    let t = at(2027, 1, 4, 13);
    let app = o.at(t);
    let sec = o.actor(t, o.secretary).await;
    let north = app
        .create_unit(&sec, "region", "North", None)
        .await
        .unwrap();
    let leeds = app
        .create_unit(&sec, "branch", "Leeds", Some(north))
        .await
        .unwrap();
    let york = app
        .create_unit(&sec, "branch", "York", Some(north))
        .await
        .unwrap();
    // A second "Leeds" gets its own address.
    let leeds2 = app
        .create_unit(&sec, "branch", "Leeds", Some(north))
        .await
        .unwrap();
    let units = o.store.units().await.unwrap();
    let slug = |id| units.iter().find(|u| u.id == id).unwrap().slug.clone();
    assert_eq!(
        (slug(leeds), slug(leeds2)),
        ("leeds".to_string(), "leeds-2".to_string())
    );

    // The branch has the constitution's branch bodies and vacant branch offices.
    let page = app.unit_page(&sec, leeds).await.unwrap();
    assert_eq!(
        page.bodies
            .iter()
            .map(|b| b.kind.as_str())
            .collect::<Vec<_>>(),
        ["branch-meeting"]
    );
    assert_eq!(
        page.offices
            .iter()
            .map(|x| (x.kind, x.holder))
            .collect::<Vec<_>>(),
        [
            (OfficeKind::Chair, None),
            (OfficeKind::Secretary, None),
            (OfficeKind::Treasurer, None)
        ]
    );

    // Bad requests name their field.
    for (kind, name, parent, field) in [
        ("county", "X", Some(north), "kind"),
        ("branch", " ", Some(north), "name"),
        ("branch", "Hull", None, "parent_id"),
        ("branch", "Hull", Some(leeds), "parent_id"),
        ("region", "East", Some(north), "parent_id"),
        ("national", "Again", None, "kind"),
    ] {
        match app.create_unit(&sec, kind, name, parent).await {
            Err(AppError::Invalid(f)) => assert!(f.0.contains_key(field), "{kind} {name}: {f:?}"),
            other => panic!("{kind} {name}: expected a field error, got {other:?}"),
        }
    }

    // A plain member, a branch secretary and a regional secretary may not.
    let plain = o.member(0, leeds, d(2027, 1, 4)).await;
    let branch_sec = o.member(1, leeds, d(2027, 1, 4)).await;
    let regional_sec = o.member(2, york, d(2027, 1, 4)).await;
    for (unit, who) in [(leeds, branch_sec), (north, regional_sec)] {
        let office = o
            .store
            .offices(Some(unit), d(2027, 1, 4))
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.kind == OfficeKind::Secretary)
            .unwrap();
        o.store
            .appoint(
                office.id,
                who,
                Term {
                    starts_on: d(2027, 1, 1),
                    ends_on: None,
                },
                &NewEvent {
                    at: t,
                    actor: EventActor {
                        member: None,
                        office: Some("test".into()),
                    },
                    kind: "office.appointed".into(),
                    subject: "test".into(),
                    payload: "{}".into(),
                    reason: "test setup".into(),
                },
            )
            .await
            .unwrap();
    }
    let before = o.store.events(0, 10_000).await.unwrap().len();
    for who in [plain, branch_sec, regional_sec] {
        let actor = o.actor(t, who).await;
        assert!(!app.may_manage_structure(&actor).await);
        for r in [
            app.create_unit(&actor, "branch", "Hull", Some(north))
                .await
                .err(),
            app.rename_unit(&actor, leeds, "Leeds Central").await.err(),
            app.merge_unit(&actor, york, leeds).await.err(),
            app.close_unit(&actor, leeds2).await.err(),
        ] {
            assert!(matches!(r, Some(AppError::Forbidden(_))), "{r:?}");
        }
    }
    assert_eq!(
        o.store.events(0, 10_000).await.unwrap().len(),
        before,
        "refusals write nothing"
    );

    // York merges into Leeds: its member moves, the move in their history.
    app.rename_unit(&sec, leeds, "Leeds and District")
        .await
        .unwrap();
    let merged = app.merge_unit(&sec, york, leeds).await.unwrap();
    assert_eq!(merged.members, 1);
    let detail = o.store.member(regional_sec, None).await.unwrap().unwrap();
    assert_eq!(detail.record.branch, leeds);
    let mv = detail.branch_history.last().unwrap();
    assert_eq!(
        (mv.from, mv.to, mv.reason.as_str(), mv.effective_on),
        (
            york,
            leeds,
            "York merged into Leeds and District",
            d(2027, 1, 4)
        )
    );
    let york_now = app
        .unit_summaries()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.unit.id == york)
        .unwrap();
    assert_eq!(
        (york_now.unit.closed_on, york_now.unit.merged_into),
        (Some(d(2027, 1, 4)), Some(leeds))
    );
    assert!(
        !app.branches().await.unwrap().iter().any(|b| b.id == york),
        "a closed branch is offered in no picker"
    );

    // Closing a branch with members is refused with what to do instead; an empty one closes.
    match app.close_unit(&sec, leeds).await {
        Err(AppError::Conflict { field, message }) => {
            assert_eq!(field, "unit");
            assert!(message.contains("merge"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    app.close_unit(&sec, leeds2).await.unwrap();
    let national = app.national_unit().await.unwrap();
    assert!(app.close_unit(&sec, national.id).await.is_err());
    let kinds: Vec<UnitKind> = o
        .store
        .units()
        .await
        .unwrap()
        .iter()
        .map(|u| u.kind)
        .collect();
    assert_eq!(kinds.len(), 5, "nothing is deleted");
}

/// A branch secretary is appointed only by a binding decision of the branch's general
/// meeting; the same motion at an improperly convened meeting appoints nobody; nothing
/// appoints directly; and the term ends on its date.
#[tokio::test]
async fn offices_are_filled_only_by_binding_appointment_motions() {
    let o = founded().await;
    let t0 = at(2027, 1, 4, 13);
    let sec = o.actor(t0, o.secretary).await;
    let leeds = o
        .at(t0)
        .create_unit(&sec, "branch", "Leeds", None)
        .await
        .unwrap();
    let members: Vec<MemberId> = {
        let mut v = Vec::new();
        for n in 0..5 {
            v.push(o.member(n, leeds, d(2027, 1, 4)).await);
        }
        v
    };
    let offices = o.store.offices(Some(leeds), d(2027, 1, 4)).await.unwrap();
    let office = |kind| offices.iter().find(|x| x.kind == kind).unwrap().id;
    let secretary_office = office(OfficeKind::Secretary);
    let treasurer_office = office(OfficeKind::Treasurer);

    // Two general meetings called on 5 January: one's notice arrives at once, the other's
    // only five days before it, short of the 14 clear days of clause 6.1.
    let jan5 = o.at(at(2027, 1, 5, 12));
    let sec = o.actor(at(2027, 1, 5, 12), o.secretary).await;
    let meeting = |title: &str, day: u32| MeetingRequest {
        body: "branch-meeting".into(),
        unit: Some(leeds),
        kind: "general-meeting".into(),
        title: title.into(),
        starts_at: Some(at(2027, 2, day, 18)),
        ends_at: None,
        mode: "physical".into(),
        place: Some("Hall".into()),
        online_url: None,
        agenda: "1. Officers".into(),
    };
    let proper = jan5
        .call_meeting(&sec, &meeting("AGM", 10))
        .await
        .unwrap()
        .id;
    o.deliver_all(at(2027, 1, 5, 13)).await;
    let hasty = jan5
        .call_meeting(&sec, &meeting("Extra meeting", 11))
        .await
        .unwrap()
        .id;

    // Proposals on 10 January, each seconded.
    let jan10 = at(2027, 1, 10, 12);
    let app = o.at(jan10);
    let proposer = o.actor(jan10, members[0]).await;
    let seconder = o.actor(jan10, members[1]).await;
    let appoint = |office, member| AppointmentRequest {
        office,
        member,
        text: None,
    };
    // The conference cannot appoint a branch secretary; nor can the branch appoint a
    // national officer; nor a member from elsewhere.
    let national = app.national_unit().await.unwrap();
    let national_chair = o
        .store
        .offices(Some(national.id), d(2027, 1, 10))
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.kind == OfficeKind::Chair)
        .unwrap()
        .id;
    match app
        .propose_appointment(&proposer, proper, &appoint(national_chair, members[1]))
        .await
    {
        Err(AppError::Invalid(f)) => assert!(f.0["office_id"].contains("clause 5.4"), "{f:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    match app
        .propose_appointment(&proposer, proper, &appoint(secretary_office, o.secretary))
        .await
    {
        Err(AppError::Invalid(f)) => assert!(f.0.contains_key("member_id"), "{f:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let good = app
        .propose_appointment(&proposer, proper, &appoint(secretary_office, members[2]))
        .await
        .unwrap();
    let bad = app
        .propose_appointment(&proposer, hasty, &appoint(treasurer_office, members[3]))
        .await
        .unwrap();
    let a = app.motion_appointment(good).await.unwrap().unwrap();
    assert_eq!(
        (
            a.member,
            a.office,
            a.term.starts_on,
            a.term.ends_on,
            a.clause.as_str()
        ),
        (
            members[2],
            secretary_office,
            d(2027, 2, 10),
            Some(d(2028, 2, 9)),
            "5.6"
        )
    );
    for m in [good, bad] {
        app.second_motion(&seconder, m).await.unwrap();
    }
    // The national secretary cannot decide it before the meeting sits.
    assert!(app.record_vote(&sec, good, 4, 0, 0, None).await.is_err());
    o.deliver_all(at(2027, 2, 5, 12)).await;

    for (meeting, motion, day) in [(proper, good, 10), (hasty, bad, 11)] {
        let t = at(2027, 2, day, 19);
        let app = o.at(t);
        let sec = o.actor(t, o.secretary).await;
        for m in &members[..4] {
            app.check_in(&sec, meeting, Some(*m), None).await.unwrap();
        }
        let result = app.record_vote(&sec, motion, 4, 0, 0, None).await.unwrap();
        if motion == good {
            assert!(matches!(result, MotionResult::Adopted(_)), "{result:?}");
        } else {
            assert!(matches!(result, MotionResult::NotBinding(_)), "{result:?}");
        }
    }

    // The adopted appointment holds, naming its motion; the other appointed nobody.
    let feb12 = at(2027, 2, 12, 12);
    let holder = o.actor(feb12, members[2]).await;
    assert_eq!(
        holder
            .offices
            .iter()
            .map(|h| (h.kind, h.unit))
            .collect::<Vec<_>>(),
        [(OfficeKind::Secretary, leeds)]
    );
    assert!(o.actor(feb12, members[3]).await.offices.is_empty());
    let page = o.at(feb12).unit_page(&holder, leeds).await.unwrap();
    let held = page
        .offices
        .iter()
        .find(|x| x.id == secretary_office)
        .unwrap();
    assert_eq!(
        (held.holder, held.mandate),
        (Some(members[2]), Some(Mandate::Motion(good)))
    );
    let decided = o.store.events(0, 10_000).await.unwrap();
    let last_decision = decided
        .iter()
        .rev()
        .find(|e| e.kind == "motion.decided" && e.payload.contains(&format!("\"motion\":{good}")))
        .unwrap();
    assert!(
        last_decision.payload.contains("\"appointed\":{"),
        "{}",
        last_decision.payload
    );

    // The term's last day still confers the office's powers; the next day nothing.
    assert_eq!(
        o.actor(at(2028, 2, 9, 12), members[2]).await.offices.len(),
        1
    );
    assert!(
        o.actor(at(2028, 2, 10, 12), members[2])
            .await
            .offices
            .is_empty()
    );

    // No ordinary motion or ballot carries an appointment.
    let ordinary = charter_store::NewMotion {
        meeting: proper,
        kind: "appointment".into(),
        title: "Appoint".into(),
        text: "That Sam be appointed.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    match app.propose_motion(&proposer, proper, &ordinary).await {
        Err(AppError::Invalid(f)) => assert!(f.0.contains_key("kind"), "{f:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn nobody_moves_into_a_closed_branch() {
    let o = founded().await;
    let t = at(2027, 1, 4, 13);
    let app = o.at(t);
    let sec = o.actor(t, o.secretary).await;
    let open = app.create_unit(&sec, "branch", "Open", None).await.unwrap();
    let shut = app.create_unit(&sec, "branch", "Shut", None).await.unwrap();
    app.close_unit(&sec, shut).await.unwrap();
    let m = o.member(0, open, d(2027, 1, 4)).await;
    let req = charter_app::register::TransferRequest {
        to_branch: shut.0.to_string(),
        effective_on: String::new(),
        reason: "moved house".into(),
    };
    match app.transfer(&sec, m, &req).await {
        Err(AppError::Invalid(f)) => assert!(f.0["to_branch"].contains("closed"), "{f:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(o.store.member_branch(m).await.unwrap(), Some(open));
}
