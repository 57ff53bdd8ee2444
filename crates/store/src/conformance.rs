//! The one conformance suite every [`Store`] backend must pass (feature `conformance`).
//!
//! Each `pub async fn` here is one test over a freshly migrated, empty store. A backend's test
//! file runs every one of them with [`conformance_tests!`](crate::conformance_tests), which
//! lists them all; a unit test of this crate checks that the list and this file agree.
//!
//! Assertions panic with a message naming the contract that broke: this module is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use charter_domain::{
    AmendmentState, ApplicationState, BallotKind, BallotState, ChallengeState, CompositeState,
    DelegateCredentialState, DuesPlan, MemberChanges, MemberId, MemberStatus, MinutesState, Money,
    MotionState, NewMember, OfficeKind, Payment, RawMemberChanges, RawNewMember, UnitId, UnitKind,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::*;

mod accounts;
mod import;
mod structure;
pub use accounts::*;
pub use import::*;
pub use structure::*;

// ---------------------------------------------------------------- helpers

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_730_000_000 + secs, 0)
        .single()
        .expect("valid test instant")
}

/// An event by the system at a fixed instant.
pub fn event(kind: &str, subject: &str) -> NewEvent {
    NewEvent {
        at: t(0),
        actor: EventActor {
            member: None,
            office: None,
        },
        kind: kind.to_string(),
        subject: subject.to_string(),
        payload: "{}".to_string(),
        reason: format!("test: {kind}"),
    }
}

fn by(member: MemberId, kind: &str, subject: &str) -> NewEvent {
    NewEvent {
        actor: EventActor {
            member: Some(member),
            office: Some("secretary, test branch".into()),
        },
        ..event(kind, subject)
    }
}

/// A valid new member.
pub fn new_member(
    first: &str,
    last: &str,
    email: &str,
    postcode: &str,
    branch: UnitId,
) -> NewMember {
    NewMember::parse(
        &RawNewMember {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: String::new(),
            postcode: postcode.into(),
            joined_on: "2024-01-15".into(),
            status: "active".into(),
            dues_plan: "monthly".into(),
        },
        branch,
    )
    .expect("valid test member")
}

fn payment(on: NaiveDate, months: u32) -> Payment {
    Payment {
        paid_on: on,
        amount: Money(500),
        months,
    }
}

/// A small organisation: national, two regions, three branches (two in the north).
pub struct Org {
    pub national: UnitId,
    pub north: UnitId,
    pub south: UnitId,
    pub leeds: UnitId,
    pub york: UnitId,
    pub brixton: UnitId,
}

pub async fn org(store: &dyn Store) -> Org {
    let u = |parent, kind, name: &'static str, slug: &'static str| async move {
        store
            .create_unit(parent, kind, name, slug, &event("unit.created", slug))
            .await
            .expect("create unit")
    };
    let national = u(None, UnitKind::National, "National", "national").await;
    let north = u(Some(national), UnitKind::Region, "North", "north").await;
    let south = u(Some(national), UnitKind::Region, "South", "south").await;
    let leeds = u(Some(north), UnitKind::Branch, "Leeds", "leeds").await;
    let york = u(Some(north), UnitKind::Branch, "York", "york").await;
    let brixton = u(Some(south), UnitKind::Branch, "Brixton", "brixton").await;
    Org {
        national,
        north,
        south,
        leeds,
        york,
        brixton,
    }
}

pub(crate) async fn add(store: &dyn Store, m: &NewMember) -> MemberId {
    store
        .add_member(m, None, &event("member.added", m.email.as_str()))
        .await
        .expect("add member")
}

async fn all_events(store: &dyn Store) -> Vec<EventRecord> {
    store.events(0, 100_000).await.expect("events")
}

pub(crate) async fn event_count(store: &dyn Store) -> usize {
    all_events(store).await.len()
}

fn query(scope: MemberScope) -> MemberQuery {
    MemberQuery {
        scope,
        text: None,
        branch: None,
        status: None,
        paid_up: None,
        sort: MemberSort::Name,
        page: 1,
        per_page: 50,
    }
}

fn text_query(text: &str) -> MemberQuery {
    MemberQuery {
        text: Some(text.to_string()),
        ..query(MemberScope::All)
    }
}

fn reader(member: MemberId, purpose: &str, at: DateTime<Utc>) -> AccessContext {
    AccessContext {
        reader: Some(member),
        office: Some("secretary, Leeds".into()),
        purpose: purpose.into(),
        at,
    }
}

fn emails(page: &Page<MemberSummary>) -> Vec<String> {
    page.items.iter().map(|m| m.email.clone()).collect()
}

// ---------------------------------------------------------------- schema and structure

pub async fn migrate_twice_and_ping(store: &dyn Store) {
    store.migrate().await.expect("a second migrate is a no-op");
    store.ping().await.expect("ping");
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

pub async fn units_form_a_tree_and_slugs_are_unique(store: &dyn Store) {
    let o = org(store).await;
    let units = store.units().await.unwrap();
    assert_eq!(units.len(), 6);
    let leeds = units.iter().find(|u| u.id == o.leeds).unwrap();
    assert_eq!(leeds.parent, Some(o.north));
    assert_eq!(leeds.kind, UnitKind::Branch);
    assert_eq!(leeds.name, "Leeds");
    assert_eq!(leeds.slug, "leeds");
    let national = units.iter().find(|u| u.id == o.national).unwrap();
    assert_eq!(national.parent, None);

    let before = event_count(store).await;
    assert_eq!(before, 6, "one event per unit created");
    let err = store
        .create_unit(
            Some(o.north),
            UnitKind::Branch,
            "Leeds again",
            "leeds",
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "slug"),
        "duplicate slug: {err:?}"
    );
    let err = store
        .create_unit(
            Some(UnitId(999_999)),
            UnitKind::Branch,
            "Nowhere",
            "nowhere",
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        event_count(store).await,
        before,
        "no event for a failed change"
    );
    assert_eq!(store.units().await.unwrap().len(), 6);
}

// ---------------------------------------------------------------- register

pub async fn added_member_reads_back_with_history(store: &dyn Store) {
    let o = org(store).await;
    let mut m = new_member("Ann", "Okafor", "Ann@Example.org", "se17pb", o.leeds);
    m.phone = Some(charter_domain::Phone::parse("07700 900123").unwrap());
    m.dues_plan = DuesPlan::Annual;
    let id = store
        .add_member(&m, Some("hash"), &event("member.added", "member:new"))
        .await
        .unwrap();
    assert_eq!(store.member_branch(id).await.unwrap(), Some(o.leeds));
    assert_eq!(store.member_branch(MemberId(987_654)).await.unwrap(), None);

    let detail = store
        .member(id, None)
        .await
        .unwrap()
        .expect("member exists");
    let r = &detail.record;
    assert_eq!(r.id, id);
    assert_eq!(r.first_name, "Ann");
    assert_eq!(r.last_name, "Okafor");
    assert_eq!(r.email, "ann@example.org");
    assert_eq!(r.phone.as_deref(), Some("07700900123"));
    assert_eq!(r.postcode, "SE1 7PB");
    assert_eq!(r.branch, o.leeds);
    assert_eq!(r.branch_name, "Leeds");
    assert_eq!(r.status, MemberStatus::Active);
    assert_eq!(r.joined_on, d(2024, 1, 15));
    assert_eq!(r.dues_plan, DuesPlan::Annual);
    assert_eq!(r.paid_up_until, None);
    assert_eq!(
        detail.status_history.len(),
        1,
        "joining is the first status change"
    );
    assert_eq!(detail.status_history[0].from, None);
    assert_eq!(detail.status_history[0].to, MemberStatus::Active);
    assert_eq!(detail.status_history[0].effective_on, d(2024, 1, 15));
    assert!(detail.payments.is_empty());
    assert!(detail.affiliations.is_empty());
    assert!(detail.branch_history.is_empty());
    assert!(
        store
            .member(MemberId(987_654), None)
            .await
            .unwrap()
            .is_none()
    );

    let creds = store
        .credentials(" ANN@example.org ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.member, id);
    assert_eq!(creds.password_hash.as_deref(), Some("hash"));
    assert_eq!(creds.status, MemberStatus::Active);

    let last = all_events(store).await.pop().unwrap();
    assert_eq!(last.kind, "member.added");
    assert_eq!(last.subject, "member:new");
}

pub async fn duplicate_email_writes_nothing(store: &dyn Store) {
    let o = org(store).await;
    add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let events = event_count(store).await;
    let dup = new_member("Other", "Person", "ANN@example.org", "LS1 1AA", o.york);
    let err = store
        .add_member(&dup, None, &event("member.added", "dup"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "duplicate email must be a conflict on email: {err:?}"
    );
    assert_eq!(
        event_count(store).await,
        events,
        "no event for a failed add"
    );
    let page = store
        .search_members(&query(MemberScope::All), None)
        .await
        .unwrap();
    assert_eq!(page.total, 1, "no partial member row");
    let york = store
        .search_members(&query(MemberScope::Branches(vec![o.york])), None)
        .await
        .unwrap();
    assert_eq!(york.total, 0);

    let err = store
        .add_member(
            &new_member(
                "No",
                "Branch",
                "nobranch@example.org",
                "SE1 7PB",
                UnitId(424_242),
            ),
            None,
            &event("member.added", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, events);
}

pub async fn events_are_ordered_one_per_change(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let change = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Lapsed,
        effective_on: d(2024, 6, 1),
        reason: "dues unpaid".into(),
        changed_by: None,
    };
    store
        .change_status(
            a,
            MemberStatus::Active,
            &change,
            &by(a, "member.status_changed", "member:a"),
        )
        .await
        .unwrap();
    // A failed change adds nothing.
    assert!(
        store
            .change_status(
                a,
                MemberStatus::Active,
                &change,
                &event("member.status_changed", "x")
            )
            .await
            .is_err()
    );
    let events = all_events(store).await;
    assert_eq!(events.len(), 8, "6 units, 1 member, 1 status change");
    for w in events.windows(2) {
        assert!(w[0].seq < w[1].seq, "seq strictly increasing");
        assert_eq!(w[1].seq, w[0].seq + 1, "no gaps between committed events");
    }
    let last = events.last().unwrap();
    assert_eq!(last.kind, "member.status_changed");
    assert_eq!(last.actor_member, Some(a));
    assert_eq!(last.actor_office.as_deref(), Some("secretary, test branch"));
    assert_eq!(last.at, t(0));
    assert_eq!(last.payload, "{}");
    assert_eq!(last.reason, "test: member.status_changed");

    let first_three = store.events(0, 3).await.unwrap();
    assert_eq!(first_three.len(), 3);
    let rest = store.events(first_three[2].seq, 100).await.unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].seq, first_three[2].seq + 1);
    assert!(store.events(last.seq, 10).await.unwrap().is_empty());
}

pub async fn status_changes_follow_expected_and_go_stale(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let officer = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let suspend = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Suspended,
        effective_on: d(2024, 7, 1),
        reason: "pending a hearing".into(),
        changed_by: Some(officer),
    };
    for (member, token) in [(a, "ann-session"), (officer, "officer-session")] {
        store
            .create_session(&SessionRecord {
                token_hash: token.into(),
                member,
                csrf_token: "c".into(),
                created_at: t(0),
                expires_at: t(3_600),
                second_factor_pending: false,
            })
            .await
            .unwrap();
    }
    store
        .change_status(
            a,
            MemberStatus::Active,
            &suspend,
            &by(officer, "member.status_changed", "m"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.session("ann-session").await.unwrap(),
        None,
        "a change of status ends the member's sessions"
    );
    assert!(
        store.session("officer-session").await.unwrap().is_some(),
        "and no one else's"
    );
    let before = event_count(store).await;
    let err = store
        .change_status(
            a,
            MemberStatus::Active,
            &suspend,
            &event("member.status_changed", "m"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Stale(_)),
        "expected Stale, got {err:?}"
    );
    let err = store
        .change_status(
            MemberId(555_555),
            MemberStatus::Active,
            &suspend,
            &event("x", "m"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        event_count(store).await,
        before,
        "no event for a stale change"
    );

    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Suspended);
    assert_eq!(detail.status_history.len(), 2);
    let h = &detail.status_history[1];
    assert_eq!(h.from, Some(MemberStatus::Active));
    assert_eq!(h.to, MemberStatus::Suspended);
    assert_eq!(h.effective_on, d(2024, 7, 1));
    assert_eq!(h.reason, "pending a hearing");
    assert_eq!(h.changed_by, Some(officer));
    assert_eq!(h.changed_by_name.as_deref(), Some("Sec Retary"));
    assert_eq!(h.recorded_at, t(0));
}

pub async fn concurrent_status_changes_let_exactly_one_win(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let to = |s| StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: s,
        effective_on: d(2024, 7, 1),
        reason: "race".into(),
        changed_by: None,
    };
    let (lapse, expel) = (to(MemberStatus::Lapsed), to(MemberStatus::Expelled));
    let (e1, e2) = (
        event("member.status_changed", "a"),
        event("member.status_changed", "b"),
    );
    let (r1, r2) = tokio::join!(
        store.change_status(a, MemberStatus::Active, &lapse, &e1),
        store.change_status(a, MemberStatus::Active, &expel, &e2),
    );
    assert!(r1.is_ok() != r2.is_ok(), "exactly one wins: {r1:?} {r2:?}");
    let loser = if r1.is_ok() { r2 } else { r1 };
    assert!(matches!(loser, Err(StoreError::Stale(_))), "{loser:?}");
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.status_history.len(), 2);
    assert_eq!(event_count(store).await, 8);
}

pub async fn payments_recompute_paid_up_until(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let treasurer = add(
        store,
        &new_member("Tre", "Asurer", "t@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let until = store
        .record_payment(
            a,
            &payment(d(2024, 2, 10), 1),
            Some(treasurer),
            &event("dues.paid", "a"),
        )
        .await
        .unwrap();
    assert_eq!(until, Some(d(2024, 3, 9)));
    // An earlier payment recorded later is folded in by date, as the domain rule says.
    let until = store
        .record_payment(
            a,
            &payment(d(2024, 1, 15), 1),
            None,
            &event("dues.paid", "a"),
        )
        .await
        .unwrap();
    let expected =
        charter_domain::paid_up_until(&[payment(d(2024, 2, 10), 1), payment(d(2024, 1, 15), 1)]);
    assert_eq!(until, expected);
    assert_eq!(until, Some(d(2024, 3, 14)));
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(
        detail.record.paid_up_until, until,
        "stored on the member row"
    );
    assert_eq!(detail.payments.len(), 2);
    assert_eq!(
        detail.payments[0].paid_on,
        d(2024, 1, 15),
        "payments in date order"
    );
    assert_eq!(detail.payments[1].amount_pence, 500);
    assert_eq!(detail.payments[1].months, 1);
    assert_eq!(
        detail.payments[1].recorded_by_name.as_deref(),
        Some("Tre Asurer")
    );

    let before = event_count(store).await;
    let err = store
        .record_payment(
            MemberId(777_777),
            &payment(d(2024, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);

    // The paid-up filter uses the stored date.
    let mut q = query(MemberScope::All);
    q.paid_up = Some((true, d(2024, 3, 14)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 1);
    q.paid_up = Some((true, d(2024, 3, 15)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 0);
    q.paid_up = Some((false, d(2024, 3, 15)));
    assert_eq!(
        store.search_members(&q, None).await.unwrap().total,
        2,
        "never paid counts as not paid up"
    );
}

pub async fn affiliations_are_added_and_verified(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let sec = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let aff = store
        .add_affiliation(
            a,
            "Another Party",
            Some(d(2020, 5, 1)),
            &event("affiliation.added", "a"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .verify_affiliation(
            b,
            aff,
            sec,
            d(2024, 8, 1),
            &event("affiliation.verified", "b"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(_)),
        "another member's affiliation: {err:?}"
    );
    assert_eq!(event_count(store).await, before);
    store
        .verify_affiliation(
            a,
            aff,
            sec,
            d(2024, 8, 1),
            &event("affiliation.verified", "a"),
        )
        .await
        .unwrap();
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.affiliations.len(), 1);
    let r = &detail.affiliations[0];
    assert_eq!(r.id, aff);
    assert_eq!(r.organisation, "Another Party");
    assert_eq!(r.since, Some(d(2020, 5, 1)));
    assert_eq!(r.verified_by, Some(sec));
    assert_eq!(r.verified_by_name.as_deref(), Some("Sec Retary"));
    assert_eq!(r.verified_on, Some(d(2024, 8, 1)));
    assert!(r.earlier_verifications.is_empty());
    assert!(
        store
            .member(b, None)
            .await
            .unwrap()
            .unwrap()
            .affiliations
            .is_empty()
    );

    // Verified again by someone else: the earlier verification stays on the record.
    store
        .verify_affiliation(
            a,
            aff,
            b,
            d(2025, 2, 3),
            &event("affiliation.verified", "a"),
        )
        .await
        .unwrap();
    let detail = store.member(a, None).await.unwrap().unwrap();
    let r = &detail.affiliations[0];
    assert_eq!(
        (r.verified_by, r.verified_on),
        (Some(b), Some(d(2025, 2, 3)))
    );
    assert_eq!(
        r.earlier_verifications,
        [EarlierVerification {
            verified_by: Some(sec),
            verified_by_name: Some("Sec Retary".into()),
            verified_on: d(2024, 8, 1),
        }]
    );
}

pub async fn transfers_move_the_member_and_keep_history(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let mv = |from, to, on| BranchMoveInput {
        from,
        to,
        effective_on: on,
        reason: "moved house".into(),
        moved_by: None,
    };
    store
        .transfer_member(
            a,
            &mv(o.leeds, o.york, d(2024, 3, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap();
    store
        .transfer_member(
            a,
            &mv(o.york, o.brixton, d(2024, 9, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .transfer_member(
            a,
            &mv(o.leeds, o.york, d(2024, 10, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Stale(_)),
        "moving from a branch they left: {err:?}"
    );
    let err = store
        .transfer_member(
            a,
            &mv(o.brixton, UnitId(31_337), d(2024, 10, 1)),
            &event("x", "a"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);

    assert_eq!(store.member_branch(a).await.unwrap(), Some(o.brixton));
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.record.branch_name, "Brixton");
    let h: Vec<(UnitId, UnitId, &str, &str)> = detail
        .branch_history
        .iter()
        .map(|m| (m.from, m.to, m.from_name.as_str(), m.to_name.as_str()))
        .collect();
    assert_eq!(
        h,
        vec![
            (o.leeds, o.york, "Leeds", "York"),
            (o.york, o.brixton, "York", "Brixton")
        ]
    );
    assert_eq!(detail.branch_history[0].effective_on, d(2024, 3, 1));
    assert_eq!(detail.branch_history[0].reason, "moved house");
    let leeds = store
        .search_members(&query(MemberScope::Branches(vec![o.leeds])), None)
        .await
        .unwrap();
    assert_eq!(
        leeds.total, 0,
        "a transferred member leaves the old branch's scope"
    );
}

pub async fn updates_change_fields_and_search(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let changes = MemberChanges::parse(&RawMemberChanges {
        last_name: Some("Okafor-Smith".into()),
        email: Some("ann.smith@example.org".into()),
        phone: Some("+44 7700 900000".into()),
        postcode: Some("m1 1ae".into()),
        dues_plan: Some("annual".into()),
        ..Default::default()
    })
    .unwrap();
    store
        .update_member(a, &changes, &event("member.updated", "a"))
        .await
        .unwrap();
    let r = store.member(a, None).await.unwrap().unwrap().record;
    assert_eq!(r.first_name, "Ann", "untouched field kept");
    assert_eq!(r.last_name, "Okafor-Smith");
    assert_eq!(r.email, "ann.smith@example.org");
    assert_eq!(r.phone.as_deref(), Some("+447700900000"));
    assert_eq!(r.postcode, "M1 1AE");
    assert_eq!(r.dues_plan, DuesPlan::Annual);
    assert_eq!(
        emails(
            &store
                .search_members(&text_query("smith"), None)
                .await
                .unwrap()
        ),
        vec!["ann.smith@example.org"]
    );
    assert_eq!(
        store
            .search_members(&text_query("m11a"), None)
            .await
            .unwrap()
            .total,
        1,
        "search text follows the new postcode"
    );
    assert_eq!(
        store
            .search_members(&text_query("se17"), None)
            .await
            .unwrap()
            .total,
        1,
        "old postcode no longer matches Ann"
    );
    assert!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .is_none()
    );

    let clear = MemberChanges {
        phone: Some(None),
        ..Default::default()
    };
    store
        .update_member(a, &clear, &event("member.updated", "a"))
        .await
        .unwrap();
    assert_eq!(
        store.member(a, None).await.unwrap().unwrap().record.phone,
        None
    );

    let before = event_count(store).await;
    let clash = MemberChanges {
        email: Some(charter_domain::Email::parse("ben@example.org").unwrap()),
        last_name: Some(charter_domain::PersonName::parse("last name", "Changed").unwrap()),
        ..Default::default()
    };
    let err = store
        .update_member(a, &clash, &event("member.updated", "a"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    assert_eq!(
        store
            .member(a, None)
            .await
            .unwrap()
            .unwrap()
            .record
            .last_name,
        "Okafor-Smith",
        "nothing partially written"
    );
    let err = store
        .update_member(MemberId(88_888), &clear, &event("member.updated", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
}

// ---------------------------------------------------------------- directory

async fn directory(store: &dyn Store) -> (Org, Vec<MemberId>) {
    let o = org(store).await;
    let people = [
        (
            "Ann",
            "Okafor",
            "ann.okafor@example.org",
            "SE1 7PB",
            o.brixton,
        ),
        ("Ben", "Adams", "ben@example.net", "LS1 1AA", o.leeds),
        ("Chloé", "Dubois", "chloe@example.org", "YO1 7HH", o.york),
        ("dan", "adams", "dan.adams@example.com", "LS6 2QT", o.leeds),
        ("Eve", "Zephyr", "eve@zephyr.example", "M1 1AE", o.leeds),
        (
            "Fay",
            "Smith",
            "fay.smith@example.org",
            "SE15 4QS",
            o.brixton,
        ),
        ("Gus", "Smithers", "gus@example.org", "YO10 5DD", o.york),
    ];
    let mut ids = Vec::new();
    for (i, (f, l, e, p, b)) in people.into_iter().enumerate() {
        let mut m = new_member(f, l, e, p, b);
        m.joined_on = d(2023, 1, 1) + Duration::days(i64::try_from(i).unwrap() * 30);
        ids.push(add(store, &m).await);
    }
    (o, ids)
}

pub async fn search_matches_any_part_of_name_email_or_postcode(store: &dyn Store) {
    let (_, ids) = directory(store).await;
    let find = |q: &'static str| async move {
        let mut e = emails(&store.search_members(&text_query(q), None).await.unwrap());
        e.sort();
        e
    };
    assert_eq!(
        find("okaf").await,
        vec!["ann.okafor@example.org"],
        "part of a last name"
    );
    assert_eq!(
        find("KAFO").await,
        vec!["ann.okafor@example.org"],
        "case-insensitive, inside a word"
    );
    assert_eq!(
        find("smith").await,
        vec!["fay.smith@example.org", "gus@example.org"]
    );
    assert_eq!(
        find("eve@zephyr.exa").await,
        vec!["eve@zephyr.example"],
        "part of an email"
    );
    assert_eq!(find("@example.net").await, vec!["ben@example.net"]);
    assert_eq!(find("okafor@").await, vec!["ann.okafor@example.org"]);
    // Without an '@' the email's domain is not searched: a domain most members share would
    // otherwise make every search walk the whole index.
    assert!(find("zephyr.exa").await.is_empty(), "domain alone");
    assert!(
        find("smith ann@").await.is_empty(),
        "'@' queries match the address only"
    );
    assert_eq!(
        find("ls1 1").await,
        vec!["ben@example.net"],
        "postcode with its space"
    );
    assert_eq!(
        find("ls11").await,
        vec!["ben@example.net"],
        "postcode without its space"
    );
    assert_eq!(find("se15 4qs").await, vec!["fay.smith@example.org"]);
    assert_eq!(
        find("chloé").await,
        vec!["chloe@example.org"],
        "accented names"
    );
    assert_eq!(
        find("ann okafor").await,
        vec!["ann.okafor@example.org"],
        "first and last name"
    );
    assert!(find("nobody-like-this").await.is_empty());
    assert_eq!(
        find("100%").await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(
        find("\"quoted\"").await,
        Vec::<String>::new(),
        "quotes are literal"
    );
    // One or two characters match the start of a first or last name.
    assert_eq!(
        find("ad").await,
        vec!["ben@example.net", "dan.adams@example.com"]
    );
    assert_eq!(find("E").await, vec!["eve@zephyr.example"]);
    // Blank text is no filter.
    assert_eq!(
        store
            .search_members(&text_query("   "), None)
            .await
            .unwrap()
            .total,
        ids.len() as u64
    );
}

pub async fn search_sorts_and_pages(store: &dyn Store) {
    let (_, ids) = directory(store).await;
    let names = |p: &Page<MemberSummary>| -> Vec<String> {
        p.items
            .iter()
            .map(|m| format!("{} {}", m.first_name, m.last_name))
            .collect()
    };
    let mut q = query(MemberScope::All);
    let all = store.search_members(&q, None).await.unwrap();
    assert_eq!(all.total, 7);
    assert_eq!(
        names(&all),
        vec![
            "Ben Adams",
            "dan adams",
            "Chloé Dubois",
            "Ann Okafor",
            "Fay Smith",
            "Gus Smithers",
            "Eve Zephyr"
        ],
        "by last name, then first name, ignoring case"
    );
    q.sort = MemberSort::NameDesc;
    let desc = store.search_members(&q, None).await.unwrap();
    let mut rev = names(&all);
    rev.reverse();
    assert_eq!(names(&desc), rev);
    q.sort = MemberSort::Joined;
    let joined: Vec<MemberId> = store
        .search_members(&q, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(joined, ids, "joined order");
    q.sort = MemberSort::JoinedDesc;
    let mut joined_desc: Vec<MemberId> = store
        .search_members(&q, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    joined_desc.reverse();
    assert_eq!(joined_desc, ids);

    // Paid-up order: never paid first ascending, last descending, on both backends.
    store
        .record_payment(
            ids[3],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[5],
            &payment(d(2024, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    q.sort = MemberSort::PaidUpUntil;
    let asc = store.search_members(&q, None).await.unwrap();
    let tail: Vec<MemberId> = asc.items[5..].iter().map(|m| m.id).collect();
    assert_eq!(tail, vec![ids[5], ids[3]]);
    assert!(asc.items[..5].iter().all(|m| m.paid_up_until.is_none()));
    q.sort = MemberSort::PaidUpUntilDesc;
    let desc = store.search_members(&q, None).await.unwrap();
    let head: Vec<MemberId> = desc.items[..2].iter().map(|m| m.id).collect();
    assert_eq!(head, vec![ids[3], ids[5]]);

    // Pages are slices of the same order, with the same total.
    q.sort = MemberSort::Name;
    q.per_page = 3;
    let mut seen = Vec::new();
    for page in 1..=3 {
        q.page = page;
        let p = store.search_members(&q, None).await.unwrap();
        assert_eq!(p.total, 7);
        seen.extend(names(&p));
    }
    assert_eq!(seen, names(&all));
    q.page = 4;
    assert!(
        store
            .search_members(&q, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    q.page = 0;
    assert_eq!(
        store.search_members(&q, None).await.unwrap().items.len(),
        3,
        "page 0 is read as page 1"
    );
}

pub async fn search_filters_combine(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    store
        .change_status(
            ids[1],
            MemberStatus::Active,
            &StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Lapsed,
                effective_on: d(2024, 1, 1),
                reason: "unpaid".into(),
                changed_by: None,
            },
            &event("member.status_changed", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[3],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    let mut q = query(MemberScope::All);
    q.branch = Some(o.leeds);
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 3);
    q.status = Some(MemberStatus::Active);
    let p = store.search_members(&q, None).await.unwrap();
    assert_eq!(
        emails(&p),
        vec!["dan.adams@example.com", "eve@zephyr.example"]
    );
    assert!(p.items.iter().all(|m| m.branch == o.leeds
        && m.branch_name == "Leeds"
        && m.status == MemberStatus::Active));
    q.paid_up = Some((true, d(2024, 6, 1)));
    assert_eq!(
        emails(&store.search_members(&q, None).await.unwrap()),
        vec!["dan.adams@example.com"]
    );
    q.text = Some("adams".into());
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 1);
    q.paid_up = Some((false, d(2024, 6, 1)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 0);
    let mut q = query(MemberScope::All);
    q.status = Some(MemberStatus::Lapsed);
    assert_eq!(
        emails(&store.search_members(&q, None).await.unwrap()),
        vec!["ben@example.net"]
    );
}

/// Random members in random branches, random scopes and filters: a scoped query never
/// returns a member outside its scope, and returns every member inside it.
pub async fn scope_never_leaks(store: &dyn Store) {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let o = org(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let mut runner = TestRunner::deterministic();
    let homes = proptest::collection::vec(0usize..3, 30)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let mut members: Vec<(MemberId, UnitId)> = Vec::new();
    for (i, h) in homes.iter().enumerate() {
        let m = new_member(
            "Sam",
            &format!("Member{i}"),
            &format!("sam{i}@example.org"),
            "SE1 7PB",
            branches[*h],
        );
        members.push((add(store, &m).await, branches[*h]));
    }
    let scope_strategy = prop_oneof![
        Just(None),
        proptest::collection::vec(0usize..3, 0..3).prop_map(Some),
    ];
    let case = (
        scope_strategy,
        0usize..30,
        proptest::option::of(0usize..3),
        proptest::option::of("[a-z0-9 ]{1,6}"),
        1u32..4,
        1u32..12,
    );
    for _ in 0..48 {
        let (scope, only, branch_filter, text, page, per_page) =
            case.new_tree(&mut runner).unwrap().current();
        let (scope, allowed): (MemberScope, Vec<MemberId>) = match scope {
            None => (MemberScope::Only(members[only].0), vec![members[only].0]),
            Some(bs) => {
                let units: Vec<UnitId> = bs.iter().map(|b| branches[*b]).collect();
                let allowed = members
                    .iter()
                    .filter(|(_, b)| units.contains(b))
                    .map(|(m, _)| *m)
                    .collect();
                (MemberScope::Branches(units), allowed)
            }
        };
        let mut q = query(scope.clone());
        q.branch = branch_filter.map(|b| branches[b]);
        q.text = text.clone();
        q.page = page;
        q.per_page = per_page;
        let p = store.search_members(&q, None).await.unwrap();
        for m in &p.items {
            assert!(
                allowed.contains(&m.id),
                "{:?} returned {:?} outside scope {scope:?}",
                q,
                m.id
            );
            if let Some(b) = q.branch {
                assert_eq!(m.branch, b);
            }
        }
        if text.is_none() {
            let expected = members
                .iter()
                .filter(|(m, b)| allowed.contains(m) && q.branch.is_none_or(|f| f == *b))
                .count();
            assert_eq!(p.total, expected as u64, "total for {q:?}");
        }
        let access = AccessContext {
            reader: None,
            office: None,
            purpose: "export".into(),
            at: t(1),
        };
        let exported = store.export_members(&scope, &access).await.unwrap();
        let mut got: Vec<MemberId> = exported.iter().map(|m| m.id).collect();
        got.sort();
        let mut want = allowed.clone();
        want.sort();
        assert_eq!(got, want, "export honours scope {scope:?}");
        for m in &allowed {
            assert!(store.member(*m, None).await.unwrap().is_some());
        }
    }
}

// ---------------------------------------------------------------- access log

pub async fn reads_are_logged_for_each_member_returned(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    let sec = ids[1];
    // A page read: one row per member returned, none for members not on the page.
    let mut q = query(MemberScope::Branches(vec![o.leeds]));
    q.per_page = 2;
    let p = store
        .search_members(&q, Some(&reader(sec, "directory search", t(10))))
        .await
        .unwrap();
    assert_eq!(p.items.len(), 2);
    for m in &p.items {
        let log = store.access_log(m.id, 1, 10).await.unwrap();
        assert_eq!(log.total, 1, "one row for {:?}", m.id);
        assert_eq!(log.items[0].reader, Some(sec));
        assert_eq!(log.items[0].reader_name.as_deref(), Some("Ben Adams"));
        assert_eq!(log.items[0].purpose, "directory search");
        assert_eq!(log.items[0].office.as_deref(), Some("secretary, Leeds"));
        assert_eq!(log.items[0].at, t(10));
    }
    let not_returned = store.access_log(ids[0], 1, 10).await.unwrap();
    assert_eq!(
        not_returned.total, 0,
        "a member in another branch was not read"
    );
    // Unlogged reads write nothing.
    store
        .search_members(&query(MemberScope::All), None)
        .await
        .unwrap();
    store.member(ids[0], None).await.unwrap();
    assert_eq!(store.access_log(ids[0], 1, 10).await.unwrap().total, 0);

    // Member pages and exports are logged too; newest first, paged.
    store
        .member(ids[0], Some(&reader(sec, "member page", t(20))))
        .await
        .unwrap();
    store
        .member(ids[0], Some(&reader(ids[4], "member page", t(30))))
        .await
        .unwrap();
    let operator = AccessContext {
        reader: None,
        office: None,
        purpose: "export".into(),
        at: t(40),
    };
    let exported = store
        .export_members(&MemberScope::Branches(vec![o.brixton]), &operator)
        .await
        .unwrap();
    assert_eq!(exported.len(), 2);
    let log = store.access_log(ids[0], 1, 2).await.unwrap();
    assert_eq!(log.total, 3);
    assert_eq!(log.items.len(), 2);
    assert_eq!(log.items[0].reader, None, "the operator's export, newest");
    assert_eq!(log.items[0].reader_name, None);
    assert_eq!(log.items[0].purpose, "export");
    assert_eq!(log.items[1].reader, Some(ids[4]));
    let older = store.access_log(ids[0], 2, 2).await.unwrap();
    assert_eq!(older.items.len(), 1);
    assert_eq!(older.items[0].at, t(20));
    // Reading a member that does not exist logs nothing and fails nothing.
    assert!(
        store
            .member(MemberId(123_456), Some(&reader(sec, "member page", t(50))))
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------- offices and bodies

pub async fn appointments_close_the_previous_term(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let sec = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    let chair = store
        .create_office(o.leeds, OfficeKind::Chair, &event("office.created", "x"))
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "one secretary office per unit: {err:?}"
    );
    assert_eq!(event_count(store).await, before);

    let term = |y, m, day| Term {
        starts_on: d(y, m, day),
        ends_on: None,
    };
    store
        .appoint(sec, a, term(2024, 1, 1), &event("office.appointed", "x"))
        .await
        .unwrap();
    store
        .appoint(sec, b, term(2024, 6, 1), &event("office.appointed", "x"))
        .await
        .unwrap();

    let on = |y, m, day| d(y, m, day);
    let leeds = store.offices(Some(o.leeds), on(2024, 3, 1)).await.unwrap();
    assert_eq!(leeds.len(), 2);
    let s = leeds.iter().find(|r| r.id == sec).unwrap();
    assert_eq!(s.kind, OfficeKind::Secretary);
    assert_eq!(s.unit, o.leeds);
    assert_eq!(s.unit_name, "Leeds");
    assert_eq!(s.unit_kind, UnitKind::Branch);
    assert_eq!(s.holder, Some(a));
    assert_eq!(s.holder_name.as_deref(), Some("Ann Okafor"));
    assert_eq!(
        s.term,
        Some(Term {
            starts_on: d(2024, 1, 1),
            ends_on: Some(d(2024, 5, 31))
        }),
        "closed the day before"
    );
    let c = leeds.iter().find(|r| r.id == chair).unwrap();
    assert_eq!((c.holder, c.term), (None, None), "vacant office");

    let later = store.offices(Some(o.leeds), on(2024, 7, 1)).await.unwrap();
    assert_eq!(later.iter().find(|r| r.id == sec).unwrap().holder, Some(b));
    assert_eq!(store.offices(None, on(2024, 7, 1)).await.unwrap().len(), 2);
    assert!(
        store
            .offices(Some(o.york), on(2024, 7, 1))
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        store
            .offices_held(a, on(2024, 3, 1))
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![sec]
    );
    assert!(
        store
            .offices_held(a, on(2024, 7, 1))
            .await
            .unwrap()
            .is_empty(),
        "powers end with the term"
    );
    assert!(
        store
            .offices_held(b, on(2024, 5, 31))
            .await
            .unwrap()
            .is_empty(),
        "and start with it"
    );
    assert_eq!(
        store.offices_held(b, on(2030, 1, 1)).await.unwrap().len(),
        1
    );

    let before = event_count(store).await;
    let err = store
        .appoint(sec, MemberId(99_999), term(2024, 8, 1), &event("x", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        store.offices_held(b, on(2030, 1, 1)).await.unwrap().len(),
        1,
        "failed appointment closed nothing"
    );
    assert_eq!(event_count(store).await, before);
}

pub async fn bodies_have_seats_and_holders(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.york),
    )
    .await;
    let c = add(
        store,
        &new_member("Cat", "Jones", "cat@example.org", "LS1 1AA", o.york),
    )
    .await;
    let body = store
        .create_body(
            &NewBody {
                unit: o.north,
                name: "North regional committee".into(),
                kind: "committee".into(),
                seats: 2,
                filled_by: "elected by the regional meeting for two years".into(),
            },
            &event("body.created", "x"),
        )
        .await
        .unwrap();
    let term = Term {
        starts_on: d(2024, 1, 1),
        ends_on: Some(d(2025, 12, 31)),
    };
    store
        .fill_seat(body, a, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    store
        .fill_seat(body, b, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .fill_seat(body, c, term, "appointed", &event("seat.filled", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "no third holder of two seats: {err:?}"
    );
    let err = store
        .fill_seat(body, a, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(event_count(store).await, before);

    let bodies = store.bodies(Some(o.north), d(2024, 6, 1)).await.unwrap();
    assert_eq!(bodies.len(), 1);
    let r = &bodies[0];
    assert_eq!((r.id, r.unit, r.seats), (body, o.north, 2));
    assert_eq!(r.name, "North regional committee");
    assert_eq!(r.kind, "committee");
    assert_eq!(r.filled_by, "elected by the regional meeting for two years");
    let holders: Vec<(MemberId, &str, &str)> = r
        .holders
        .iter()
        .map(|h| (h.member, h.name.as_str(), h.how.as_str()))
        .collect();
    assert_eq!(
        holders,
        vec![(a, "Ann Okafor", "elected"), (b, "Ben Adams", "elected")]
    );
    assert_eq!(r.holders[0].term, term);
    assert!(
        store.bodies(Some(o.north), d(2026, 1, 1)).await.unwrap()[0]
            .holders
            .is_empty(),
        "terms end"
    );
    assert!(
        store
            .bodies(Some(o.south), d(2024, 6, 1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.bodies(None, d(2024, 6, 1)).await.unwrap().len(), 1);
    // After the terms end a seat can be filled again.
    let next = Term {
        starts_on: d(2026, 1, 1),
        ends_on: None,
    };
    store
        .fill_seat(body, c, next, "co-opted", &event("seat.filled", "x"))
        .await
        .unwrap();
}

// ---------------------------------------------------------------- sign-in

pub async fn sessions_and_passwords(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert_eq!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        None
    );
    assert!(
        store
            .credentials("nobody@example.org")
            .await
            .unwrap()
            .is_none()
    );
    store.set_password(a, "$argon2id$v=19$test").await.unwrap();
    assert_eq!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$v=19$test")
    );
    assert!(matches!(
        store.set_password(MemberId(4040), "x").await,
        Err(StoreError::NotFound(_))
    ));

    let s = SessionRecord {
        token_hash: "ab".repeat(32),
        member: a,
        csrf_token: "csrf".into(),
        created_at: t(100),
        expires_at: t(100) + Duration::hours(12),
        second_factor_pending: false,
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), Some(s.clone()));
    assert!(matches!(
        store.create_session(&s).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.session("unknown").await.unwrap(), None);
    store.delete_session(&s.token_hash).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), None);
    store
        .delete_session(&s.token_hash)
        .await
        .expect("deleting twice is fine");
    let orphan = SessionRecord {
        member: MemberId(5050),
        token_hash: "cd".repeat(32),
        ..s
    };
    assert!(
        store.create_session(&orphan).await.is_err(),
        "a session needs a member"
    );
}

// ---------------------------------------------------------------- bulk

pub async fn branch_stats_count_statuses_and_paid_up(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    let lapse = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Lapsed,
        effective_on: d(2024, 1, 1),
        reason: "unpaid".into(),
        changed_by: None,
    };
    store
        .change_status(ids[1], MemberStatus::Active, &lapse, &event("x", "x"))
        .await
        .unwrap();
    let expel = StatusChangeInput {
        to: MemberStatus::Expelled,
        ..lapse.clone()
    };
    store
        .change_status(ids[4], MemberStatus::Active, &expel, &event("x", "x"))
        .await
        .unwrap();
    store
        .record_payment(
            ids[3],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[4],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[0],
            &payment(d(2023, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    let stats = store.branch_stats(d(2024, 6, 1)).await.unwrap();
    let get = |u: UnitId| {
        stats
            .iter()
            .find(|s| s.branch == Some(u))
            .cloned()
            .unwrap_or_default()
    };
    let leeds = get(o.leeds);
    assert_eq!(
        (leeds.active, leeds.lapsed, leeds.expelled, leeds.applicant),
        (1, 1, 1, 0)
    );
    assert_eq!(
        leeds.paid_up, 1,
        "an expelled payer is not a paid-up member"
    );
    assert_eq!(leeds.members(), 2);
    let brixton = get(o.brixton);
    assert_eq!((brixton.active, brixton.paid_up), (2, 0));
    let mut total = BranchStats::default();
    for s in &stats {
        total.add(s);
    }
    assert_eq!(total.active + total.lapsed + total.expelled, 7);
    assert!(
        stats.iter().all(|s| s.branch != Some(o.north)),
        "regions are not branches"
    );
}

pub async fn seeding_loads_members_with_histories(store: &dyn Store) {
    let o = org(store).await;
    let officer = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let before = event_count(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let seeds: Vec<SeedMember> = (0..2500)
        .map(|i| {
            let branch = branches[i % 3];
            let mut m = new_member(
                "Seed",
                &format!("Person{i:05}"),
                &format!("seed{i}@example.org"),
                "SE1 7PB",
                branch,
            );
            m.status = if i % 10 == 0 {
                MemberStatus::Lapsed
            } else {
                MemberStatus::Active
            };
            let mut history = vec![StatusChangeInput {
                from: None,
                to: MemberStatus::Active,
                effective_on: d(2023, 1, 1),
                reason: "joined".into(),
                changed_by: None,
            }];
            if i % 10 == 0 {
                history.push(StatusChangeInput {
                    from: Some(MemberStatus::Active),
                    to: MemberStatus::Lapsed,
                    effective_on: d(2024, 1, 1),
                    reason: "unpaid".into(),
                    changed_by: Some(officer),
                });
            }
            let payments = (0..(i % 4) as u32)
                .map(|k| payment(d(2024, 1 + k, 1), 1))
                .collect();
            let affiliations = if i % 2 == 0 {
                vec![SeedAffiliation {
                    organisation: "Another Party".into(),
                    since: Some(d(2019, 1, 1)),
                    verified: (i % 4 == 0).then_some((officer, d(2024, 2, 1))),
                }]
            } else {
                vec![]
            };
            let moves = if i % 7 == 0 {
                vec![BranchMoveInput {
                    from: o.york,
                    to: branch,
                    effective_on: d(2023, 6, 1),
                    reason: "moved".into(),
                    moved_by: None,
                }]
            } else {
                vec![]
            };
            SeedMember {
                member: m,
                password_hash: (i == 1).then(|| "h".to_string()),
                history,
                payments,
                affiliations,
                moves,
            }
        })
        .collect();
    let ids = store
        .seed_members(&seeds, &event("register.seeded", "register"))
        .await
        .unwrap();
    assert_eq!(ids.len(), 2500);
    assert_eq!(
        event_count(store).await,
        before + 1,
        "one event for the batch"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 2500, "distinct ids");
    assert!(!ids.contains(&officer));

    for i in [0usize, 1, 3, 7, 2499] {
        let detail = store.member(ids[i], None).await.unwrap().unwrap();
        assert_eq!(
            detail.record.email,
            format!("seed{i}@example.org"),
            "ids are in input order"
        );
        assert_eq!(detail.record.status, seeds[i].member.status);
        assert_eq!(detail.status_history.len(), seeds[i].history.len());
        assert_eq!(detail.payments.len(), seeds[i].payments.len());
        assert_eq!(
            detail.record.paid_up_until,
            charter_domain::paid_up_until(&seeds[i].payments)
        );
        assert_eq!(detail.affiliations.len(), seeds[i].affiliations.len());
        assert_eq!(detail.branch_history.len(), seeds[i].moves.len());
    }
    let detail = store.member(ids[0], None).await.unwrap().unwrap();
    assert_eq!(
        detail.status_history[1].changed_by_name.as_deref(),
        Some("Sec Retary")
    );
    assert_eq!(detail.affiliations[0].verified_by, Some(officer));
    assert_eq!(
        store
            .credentials("seed1@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("h")
    );
    assert_eq!(
        store
            .search_members(&text_query("person00123"), None)
            .await
            .unwrap()
            .total,
        1,
        "seeded members are searchable"
    );
    let mut q = query(MemberScope::Branches(vec![o.york]));
    q.status = Some(MemberStatus::Lapsed);
    assert_eq!(
        store.search_members(&q, None).await.unwrap().total,
        seeds
            .iter()
            .filter(|s| s.member.branch == o.york && s.member.status == MemberStatus::Lapsed)
            .count() as u64
    );
    // A member added afterwards gets a fresh id.
    let later = add(
        store,
        &new_member("Late", "Comer", "late@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert!(!ids.contains(&later));

    // A batch that breaks a rule writes nothing.
    let before = event_count(store).await;
    let mut bad = seeds[..2].to_vec();
    bad[0].member.email = charter_domain::Email::parse("fresh@example.org").unwrap();
    let err = store
        .seed_members(&bad, &event("register.seeded", "register"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    assert!(
        store
            .credentials("fresh@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(event_count(store).await, before);
}

// ---------------------------------------------------------------- constitution

fn version(label: &str, effective: NaiveDate) -> NewConstitutionVersion {
    NewConstitutionVersion {
        toml: format!("name = \"Test\"\nversion = \"{label}\"\neffective = {effective}\n"),
        version: label.into(),
        name: "Test".into(),
        effective,
        adopted_by: format!("conference, {effective}"),
    }
}

fn attempt(on: NaiveDate, adopted: bool) -> NewAmendmentAttempt {
    NewAmendmentAttempt {
        decided_on: on,
        body: "conference".into(),
        record_json: "{\"present\":900}".into(),
        adopted,
        failures_json: if adopted {
            "[]".into()
        } else {
            "[[\"7.1\",\"too little notice\"]]".into()
        },
    }
}

/// A meeting of conference starting at `starts`, with nobody to give notice to.
fn conference(title: &str, starts: DateTime<Utc>) -> NewMeeting {
    NewMeeting {
        body: "conference".into(),
        unit: None,
        kind: "special-conference".into(),
        title: title.into(),
        starts_at: starts,
        ends_at: starts + chrono::Duration::hours(6),
        mode: "physical".into(),
        place: Some("Hall".into()),
        online_url: None,
        agenda: "1. The amendment".into(),
        notice_clause: Some("7.1".into()),
        notice_days: Some(14),
        called_by: None,
        check_in_code: "ABC234".into(),
    }
}

fn amendment_motion(meeting: i64) -> NewMotion {
    NewMotion {
        meeting,
        kind: "constitutional-amendment".into(),
        title: "Amend the constitution".into(),
        text: "That the constitution be amended.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    }
}

fn amendment_outcome(adopted: bool) -> MotionOutcome {
    MotionOutcome {
        state: if adopted { "adopted" } else { "not-binding" }.into(),
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
        present: 900,
        failures_json: if adopted {
            "[]".into()
        } else {
            "[[\"7.1\",\"too little notice\"]]".into()
        },
    }
}

fn amendment_decision(
    amendment: i64,
    on: NaiveDate,
    version: Option<NewConstitutionVersion>,
) -> AmendmentDecision {
    let adopted = version.is_some();
    AmendmentDecision {
        amendment,
        attempt: attempt(on, adopted),
        version,
        event: event(
            if adopted {
                "constitution.amended"
            } else {
                "constitution.amendment_refused"
            },
            "amendment",
        ),
    }
}

fn historical_entry(amendment: i64, officer: MemberId, held_on: NaiveDate) -> NewHistoricalEntry {
    NewHistoricalEntry {
        amendment,
        entered_by: officer,
        unit: None,
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: held_on.checked_sub_days(chrono::Days::new(2)),
        held_on,
        entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    }
}

/// Two officers' agreeing entries of a historical conference held on `held_on` that decided
/// on `amendment`, and the meeting they make.
async fn historical_meeting(
    store: &dyn Store,
    amendment: i64,
    officers: [MemberId; 2],
    held_on: NaiveDate,
    version: Option<NewConstitutionVersion>,
) -> StoreResult<(i64, i64)> {
    let mut entries = [0; 2];
    for (i, officer) in officers.into_iter().enumerate() {
        entries[i] = store
            .add_historical_entry(
                &historical_entry(amendment, officer, held_on),
                &by(officer, "meeting.historical_entry", "amendment"),
            )
            .await?;
    }
    let starts = held_on.and_hms_opt(10, 0, 0).unwrap().and_utc();
    let adopted = version.is_some();
    store
        .record_historical_meeting(&NewHistoricalMeeting {
            entries,
            meeting: conference("Special conference (historical)", starts),
            notice_on: held_on.checked_sub_days(chrono::Days::new(2)),
            entitled: 21_000,
            meeting_event: event("meeting.historical_recorded", "meeting"),
            motion: amendment_motion(0),
            proposal_event: event("motion.proposed", "meeting"),
            outcome: amendment_outcome(adopted),
            decision_event: event("motion.decided", "meeting"),
            decision: amendment_decision(amendment, held_on, version),
        })
        .await
}

pub async fn constitution_changes_only_by_amendment_with_events(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert!(store.constitution_versions().await.unwrap().is_empty());
    let before = event_count(store).await;
    let founded = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    // A second founding is refused and writes nothing.
    let again = store
        .found_constitution(
            &version("again", d(2016, 4, 1)),
            &event("constitution.founded", "constitution"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(event_count(store).await, before + 1);
    let v = store.constitution_version(founded).await.unwrap().unwrap();
    assert_eq!(v.version, "founding");
    assert_eq!(v.effective, d(2016, 3, 12));
    assert_eq!(v.amendment, None);
    assert_eq!(v.recorded_at, t(0));
    assert!(v.toml.contains("version = \"founding\""));
    let events = all_events(store).await;
    let founded_event = events.iter().find(|e| e.seq == v.event_seq).unwrap();
    assert_eq!(founded_event.kind, "constitution.founded");
    assert!(
        store
            .constitution_version(founded + 1000)
            .await
            .unwrap()
            .is_none()
    );

    let proposal = NewAmendment {
        title: "Votes for party members".into(),
        toml: version("2017", d(2017, 7, 1)).toml,
        proposed_version: "2017".into(),
        effective: d(2017, 7, 1),
        proposed_by: Some(ann),
    };
    let id = store
        .propose_amendment(
            &proposal,
            &by(ann, "constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let a = store.amendment(id).await.unwrap().unwrap();
    assert_eq!(a.state, AmendmentState::Proposed);
    assert_eq!(a.proposed_by, Some(ann));
    assert_eq!(a.title, proposal.title);
    assert_eq!(a.effective, d(2017, 7, 1));
    assert!(store.amendment(id + 1000).await.unwrap().is_none());
    assert_eq!(store.amendments().await.unwrap(), vec![a.clone()]);

    let ben = add(
        store,
        &new_member("Ben", "Ames", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    // A refused attempt at a historical meeting two officers entered; no version is added.
    let (hasty, hasty_motion) = historical_meeting(store, id, [ann, ben], d(2017, 5, 29), None)
        .await
        .unwrap();
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Refused
    );
    assert_eq!(store.constitution_versions().await.unwrap().len(), 1);
    let m = store.meeting(hasty).await.unwrap().unwrap();
    assert_eq!(m.historical_entered_at, Some(t(0)));
    assert_eq!(m.entitled, 21_000);
    assert_eq!(
        m.notice_complete_at.map(|n| n.date_naive()),
        Some(d(2017, 5, 27))
    );
    let decided = store.motion(hasty_motion).await.unwrap().unwrap();
    assert_eq!(decided.meeting, hasty);
    assert_eq!(decided.state, MotionState::NotBinding);
    assert_eq!(
        store.motion_amendment(hasty_motion).await.unwrap(),
        Some(id)
    );
    let entries = store.historical_entries(id).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.meeting == Some(hasty)));
    assert_eq!(entries[0].entry, historical_entry(id, ann, d(2017, 5, 29)));
    // The entries have made their meeting: they make no second one.
    let again = store
        .record_historical_meeting(&NewHistoricalMeeting {
            entries: [entries[0].id, entries[1].id],
            meeting: conference("Again", t(-86_400 * 400)),
            notice_on: None,
            entitled: 1,
            meeting_event: event("meeting.historical_recorded", "meeting"),
            motion: amendment_motion(0),
            proposal_event: event("motion.proposed", "meeting"),
            outcome: amendment_outcome(false),
            decision_event: event("motion.decided", "meeting"),
            decision: amendment_decision(id, d(2017, 5, 30), None),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");

    // Then adopted at a meeting held in Charter, with the new version in the transaction
    // that decides the motion putting it.
    let meeting = store
        .call_meeting(
            &conference("Special conference", t(86_400 * 20)),
            &[],
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    let put = store
        .propose_amendment_motion(
            &amendment_motion(meeting),
            id,
            &by(ann, "motion.proposed", "meeting"),
        )
        .await
        .unwrap();
    assert_eq!(store.motion_amendment(put).await.unwrap(), Some(id));
    assert_eq!(
        store.motion_amendment(hasty_motion + 1000).await.unwrap(),
        None
    );
    // Not decided as an ordinary motion, nor with an outcome its version contradicts.
    let plain = store
        .decide_motion(
            put,
            &amendment_outcome(true),
            &event("motion.decided", "meeting"),
        )
        .await;
    assert!(
        matches!(plain, Err(StoreError::Conflict { .. })),
        "{plain:?}"
    );
    let new = version("2017", d(2017, 7, 1));
    let contradicts = store
        .decide_amendment_motion(
            put,
            &amendment_outcome(false),
            &event("motion.decided", "meeting"),
            &amendment_decision(id, d(2017, 6, 10), Some(new.clone())),
        )
        .await;
    assert!(
        matches!(contradicts, Err(StoreError::Conflict { .. })),
        "{contradicts:?}"
    );
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Refused
    );
    store
        .decide_amendment_motion(
            put,
            &amendment_outcome(true),
            &event("motion.decided", "meeting"),
            &amendment_decision(id, d(2017, 6, 10), Some(new.clone())),
        )
        .await
        .unwrap();
    assert_eq!(
        store.motion(put).await.unwrap().unwrap().state,
        MotionState::Adopted
    );
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Adopted
    );
    let versions = store.constitution_versions().await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["founding", "2017"]
    );
    assert_eq!(versions[1].amendment, Some(id));
    let attempts = store.amendment_attempts(Some(id)).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert!(!attempts[0].adopted);
    assert_eq!(
        attempts[0].failures_json,
        "[[\"7.1\",\"too little notice\"]]"
    );
    assert_eq!(attempts[0].decided_on, d(2017, 5, 29));
    assert_eq!(attempts[0].motion, Some(hasty_motion));
    assert!(attempts[1].adopted);
    assert_eq!(attempts[1].motion, Some(put));
    assert_eq!(attempts[1].event_seq, versions[1].event_seq);
    assert_eq!(store.amendment_attempts(None).await.unwrap(), attempts);
    assert!(
        store
            .amendment_attempts(Some(id + 1000))
            .await
            .unwrap()
            .is_empty()
    );
    let kinds: Vec<String> = all_events(store)
        .await
        .into_iter()
        .filter(|e| e.kind.starts_with("constitution."))
        .map(|e| e.kind)
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

    // Adopted is final; an unknown amendment is not found; neither writes anything.
    let count = event_count(store).await;
    let stale = historical_meeting(
        store,
        id,
        [ann, ben],
        d(2017, 6, 11),
        Some(version("twice", d(2018, 1, 1))),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    let missing = store
        .add_historical_entry(
            &historical_entry(id + 1000, ann, d(2017, 6, 11)),
            &by(ann, "meeting.historical_entry", "amendment"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(event_count(store).await, count);
    assert_eq!(store.amendment_attempts(None).await.unwrap().len(), 2);
    // Two versions may not take effect on the same day.
    let p2 = store
        .propose_amendment(
            &NewAmendment {
                title: "Same day".into(),
                ..proposal.clone()
            },
            &event("constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let meetings_before = store.meetings(None, None).await.unwrap().len();
    let clash = historical_meeting(store, p2, [ann, ben], d(2017, 6, 20), Some(new)).await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { .. })),
        "{clash:?}"
    );
    assert_eq!(store.constitution_versions().await.unwrap().len(), 2);
    assert_eq!(
        store.amendment(p2).await.unwrap().unwrap().state,
        AmendmentState::Proposed
    );
    // Nothing of the clashing meeting was written; its entries still wait.
    assert_eq!(
        store.meetings(None, None).await.unwrap().len(),
        meetings_before
    );
    assert!(
        store
            .historical_entries(p2)
            .await
            .unwrap()
            .iter()
            .all(|e| e.meeting.is_none())
    );
}

pub async fn member_facts_reflect_the_register_on_a_date(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    // Before anyone joined there is no one to decide for.
    assert!(store.member_facts(d(2024, 1, 1)).await.unwrap().is_empty());
    store
        .record_payment(ann, &payment(d(2024, 1, 15), 12), None, &event("dues", "x"))
        .await
        .unwrap();
    let verified = store
        .add_affiliation(
            ann,
            "Another Party",
            Some(d(2020, 1, 1)),
            &event("aff", "x"),
        )
        .await
        .unwrap();
    store
        .verify_affiliation(ann, verified, ben, d(2024, 3, 1), &event("aff.v", "x"))
        .await
        .unwrap();
    store
        .add_affiliation(ann, "Third Party", None, &event("aff", "x"))
        .await
        .unwrap();
    store
        .add_affiliation(ann, "Later Party", Some(d(2025, 1, 1)), &event("aff", "x"))
        .await
        .unwrap();
    let office = store
        .create_office(o.leeds, OfficeKind::Secretary, &event("office", "x"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            ann,
            Term {
                starts_on: d(2024, 2, 1),
                ends_on: Some(d(2024, 6, 30)),
            },
            &event("appoint", "x"),
        )
        .await
        .unwrap();
    let body = store
        .create_body(
            &NewBody {
                unit: o.national,
                name: "Steering Committee".into(),
                kind: "committee".into(),
                seats: 5,
                filled_by: "elected by conference".into(),
            },
            &event("body", "x"),
        )
        .await
        .unwrap();
    store
        .fill_seat(
            body,
            ann,
            Term {
                starts_on: d(2024, 4, 1),
                ends_on: None,
            },
            "elected",
            &event("seat", "x"),
        )
        .await
        .unwrap();

    let all = store.member_facts(d(2024, 2, 15)).await.unwrap();
    assert_eq!(all.iter().map(|f| f.member).collect::<Vec<_>>(), [ann, ben]);
    let a = &all[0];
    assert_eq!(a.status, MemberStatus::Active);
    assert_eq!(a.joined_on, d(2024, 1, 15));
    assert!(a.paid_up_until.is_some());
    assert_eq!(a.branch, o.leeds);
    assert_eq!(a.region, Some(o.north));
    let mut affs = a.affiliations.clone();
    affs.sort();
    // Verified only from the day it was checked; not yet begun is left out.
    assert_eq!(
        affs,
        [
            ("Another Party".to_string(), false),
            ("Third Party".to_string(), false)
        ]
    );
    assert_eq!(a.offices, [OfficeKind::Secretary]);
    assert!(a.seats.is_empty());
    let b = &all[1];
    assert_eq!(b.branch, o.brixton);
    assert_eq!(b.region, Some(o.south));
    assert!(b.affiliations.is_empty() && b.offices.is_empty() && b.seats.is_empty());
    assert_eq!(b.paid_up_until, None);

    let later = store.member_facts(d(2024, 7, 1)).await.unwrap();
    let a = &later[0];
    assert!(
        a.affiliations
            .contains(&("Another Party".to_string(), true))
    );
    assert!(a.offices.is_empty(), "the term ended on 30 June");
    assert_eq!(a.seats, ["Steering Committee"]);

    // Later changes are undone for an earlier date: Ben moves to Leeds on 1 August and is
    // suspended on 1 September; on 1 July he is still an active member of Brixton.
    store
        .transfer_member(
            ben,
            &BranchMoveInput {
                from: o.brixton,
                to: o.leeds,
                effective_on: d(2024, 8, 1),
                reason: "moved house".into(),
                moved_by: None,
            },
            &event("member.transferred", "ben"),
        )
        .await
        .unwrap();
    store
        .change_status(
            ben,
            MemberStatus::Active,
            &StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Suspended,
                effective_on: d(2024, 9, 1),
                reason: "pending a hearing".into(),
                changed_by: None,
            },
            &event("member.status_changed", "ben"),
        )
        .await
        .unwrap();
    let july = store.member_facts(d(2024, 7, 1)).await.unwrap();
    assert_eq!(july[1].member, ben);
    assert_eq!(
        (july[1].status, july[1].branch),
        (MemberStatus::Active, o.brixton)
    );
    assert_eq!(july[1].region, Some(o.south));
    let october = store.member_facts(d(2024, 10, 1)).await.unwrap();
    assert_eq!(
        (october[1].status, october[1].branch),
        (MemberStatus::Suspended, o.leeds)
    );
    assert_eq!(october[1].region, Some(o.north));

    // One member: the same facts; a read by someone else is logged with it.
    let one = store
        .member_facts_of(ann, d(2024, 7, 1), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&one, a);
    assert_eq!(store.access_log(ann, 1, 50).await.unwrap().total, 0);
    let read = reader(ben, "member rights", t(5));
    store
        .member_facts_of(ann, d(2024, 7, 1), Some(&read))
        .await
        .unwrap()
        .unwrap();
    let log = store.access_log(ann, 1, 50).await.unwrap();
    assert_eq!(log.total, 1);
    assert_eq!(log.items[0].purpose, "member rights");
    assert!(
        store
            .member_facts_of(MemberId(ann.0 + 1000), d(2024, 7, 1), Some(&read))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.access_log(ann, 1, 50).await.unwrap().total, 1);
}

/// A roll of thousands: its lines span several stored blocks per branch, and one member's
/// line, the frozen lines, counts and every page of names (filtered, with a challenge
/// upheld) read the same as a straightforward list would give.
pub async fn large_rolls_read_back_line_for_line(store: &dyn Store) {
    let o = org(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let seeds: Vec<SeedMember> = (0..2600)
        .map(|i| SeedMember {
            member: new_member(
                "Roll",
                &format!("Person{i:05}"),
                &format!("roll{i}@example.org"),
                "SE1 7PB",
                branches[if i < 2200 { 0 } else { 1 + i % 2 }],
            ),
            password_hash: None,
            history: vec![],
            payments: vec![],
            affiliations: vec![],
            moves: vec![],
        })
        .collect();
    let ids = store
        .seed_members(&seeds, &event("register.seeded", "register"))
        .await
        .unwrap();
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    // Written in reverse: a store may not rely on the order it is given lines in.
    let entries: Vec<NewRollEntry> = ids
        .iter()
        .enumerate()
        .rev()
        .map(|(i, m)| NewRollEntry {
            member: *m,
            branch: branches[if i < 2200 { 0 } else { 1 + i % 2 }],
            eligible: i % 3 != 0,
            reason: (i % 3 == 0).then_some(u32::from(i % 2 == 0)),
        })
        .collect();
    let reasons = [
        RollReason {
            clauses: "4.1".into(),
            reason: "not paid up".into(),
        },
        RollReason {
            clauses: "4.3".into(),
            reason: "not a member of another party".into(),
        },
    ];
    let hash = "d".repeat(64);
    let id = store
        .freeze_roll(
            &NewRoll {
                title: "Large".into(),
                context: "conference".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: hash.clone(),
                frozen_by: None,
            },
            &reasons,
            &entries,
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let mut expected: Vec<NewRollEntry> = entries.clone();
    expected.sort_by_key(|e| e.member);
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        expected
            .iter()
            .map(|e| (e.member, e.branch, e.eligible))
            .collect::<Vec<_>>()
    );
    // Lines at and around every block edge, and one member not on it.
    for k in [0, 1, 1023, 1024, 1025, 2047, 2048, 2199, 2200, 2201, 2599] {
        let e = &expected[k];
        let line = store.roll_entry(id, e.member, None).await.unwrap().unwrap();
        assert_eq!(
            (
                line.member,
                line.branch,
                line.eligible,
                line.frozen_eligible
            ),
            (e.member, e.branch, e.eligible, e.eligible),
            "line {k}"
        );
        let want = e.reason.map(|r| reasons[r as usize].clauses.clone());
        assert_eq!(line.clauses, want.unwrap_or_default(), "line {k}");
    }
    let stranger = add(
        store,
        &new_member("Not", "Listed", "notlisted@example.org", "SE1 7PB", o.york),
    )
    .await;
    assert!(
        store
            .roll_entry(id, stranger, None)
            .await
            .unwrap()
            .is_none()
    );

    // A challenge upheld for an excluded Leeds member in the second block.
    let moved = expected
        .iter()
        .filter(|e| e.branch == o.leeds && !e.eligible)
        .nth(400)
        .unwrap()
        .member;
    let c = store
        .lodge_challenge(
            &NewChallenge {
                roll: id,
                member: moved,
                grounds: "paid on time".into(),
                lodged_by: Some(moved),
            },
            &event("roll.challenged", "roll"),
        )
        .await
        .unwrap();
    assert_eq!(store.challenge(c).await.unwrap().unwrap().branch, o.leeds);
    store
        .decide_challenge(
            c,
            &ChallengeDecision {
                upheld: true,
                reason: "receipt shown".into(),
                decided_by: None,
                expected_hash: hash.clone(),
                new_hash: "e".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    let now = |e: &NewRollEntry| e.eligible || e.member == moved;
    let line = store.roll_entry(id, moved, None).await.unwrap().unwrap();
    assert!(line.eligible && !line.frozen_eligible && line.challenge == Some(c));

    // Every page, in branch then member order, for several filters.
    let mut in_order = expected.clone();
    in_order.sort_by_key(|e| (e.branch, e.member));
    for (scope, branch, eligible, per_page) in [
        (MemberScope::All, None, None, 500),
        (MemberScope::All, None, Some(true), 333),
        (MemberScope::All, Some(o.leeds), Some(false), 97),
        (
            MemberScope::Branches(vec![o.york, o.brixton]),
            None,
            None,
            150,
        ),
        (MemberScope::Branches(vec![o.leeds]), Some(o.york), None, 50),
    ] {
        let want: Vec<MemberId> = in_order
            .iter()
            .filter(|e| match &scope {
                MemberScope::Branches(bs) => bs.contains(&e.branch),
                _ => true,
            })
            .filter(|e| branch.is_none_or(|b| b == e.branch))
            .filter(|e| eligible.is_none_or(|y| y == now(e)))
            .map(|e| e.member)
            .collect();
        let mut got = Vec::new();
        let mut page = 1;
        loop {
            let p = store
                .roll_names(
                    id,
                    &RollQuery {
                        scope: scope.clone(),
                        branch,
                        eligible,
                        page,
                        per_page,
                    },
                    &reader(ids[0], "roll names", t(5)),
                )
                .await
                .unwrap();
            assert_eq!(
                p.total,
                want.len() as u64,
                "{scope:?} {branch:?} {eligible:?}"
            );
            if p.items.is_empty() {
                break;
            }
            assert!(p.items.iter().all(|n| n.last_name.starts_with("Person")));
            got.extend(p.items.iter().map(|n| n.entry.member));
            page += 1;
        }
        assert_eq!(got, want, "{scope:?} {branch:?} {eligible:?}");
    }
    let only = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Only(moved),
                branch: None,
                eligible: Some(true),
                page: 1,
                per_page: 10,
            },
            &reader(moved, "my line", t(5)),
        )
        .await
        .unwrap();
    assert_eq!(only.total, 1);
    assert_eq!(only.items[0].entry.challenge, Some(c));
}

pub async fn rolls_freeze_count_and_take_challenges(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let cat = add(
        store,
        &new_member("Cat", "Ng", "cat@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = NewRoll {
        title: "Conference 2024".into(),
        context: "conference".into(),
        unit: None,
        right: "vote".into(),
        cutoff: d(2024, 5, 1),
        version_id,
        challenge_closes_on: d(2024, 5, 15),
        hash: "a".repeat(64),
        frozen_by: Some(ann),
    };
    let reasons = [RollReason {
        clauses: "4.3".into(),
        reason: "clause 4.3: only verified members of another party may vote".into(),
    }];
    let entries = [
        NewRollEntry {
            member: cat,
            branch: o.brixton,
            eligible: false,
            reason: Some(0),
        },
        NewRollEntry {
            member: ann,
            branch: o.leeds,
            eligible: true,
            reason: None,
        },
        NewRollEntry {
            member: ben,
            branch: o.brixton,
            eligible: false,
            reason: Some(0),
        },
    ];
    let events = event_count(store).await;
    let id = store
        .freeze_roll(&roll, &reasons, &entries, &event("roll.frozen", "roll"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    let r = store.roll(id).await.unwrap().unwrap();
    assert_eq!((r.eligible, r.excluded), (1, 2));
    assert_eq!(r.frozen_hash, r.current_hash);
    assert_eq!(r.cutoff, d(2024, 5, 1));
    assert_eq!(r.unit, None);
    assert_eq!(r.frozen_by, Some(ann));
    assert_eq!(store.rolls().await.unwrap(), std::slice::from_ref(&r));
    assert!(store.roll(id + 100).await.unwrap().is_none());
    let counts = store.roll_counts(id).await.unwrap();
    let of = |b: UnitId| {
        counts
            .iter()
            .find(|c| c.branch == b)
            .map(|c| (c.eligible, c.excluded))
    };
    assert_eq!(of(o.leeds), Some((1, 0)));
    assert_eq!(of(o.brixton), Some((0, 2)));
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        [
            (ann, o.leeds, true),
            (ben, o.brixton, false),
            (cat, o.brixton, false)
        ]
    );

    // A member reads their own line without a log; an officer's read is logged.
    let line = store.roll_entry(id, ben, None).await.unwrap().unwrap();
    assert!(!line.eligible && !line.frozen_eligible);
    assert_eq!(line.clauses, "4.3");
    assert!(line.reason.starts_with("clause 4.3"));
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 0);
    store
        .roll_entry(id, ben, Some(&reader(ann, "roll", t(3))))
        .await
        .unwrap();
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 1);
    assert!(
        store
            .roll_entry(id, MemberId(ann.0 + 999), None)
            .await
            .unwrap()
            .is_none()
    );

    // Names within the scope only, each logged.
    let names = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Branches(vec![o.brixton]),
                branch: None,
                eligible: None,
                page: 1,
                per_page: 1,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(names.total, 2);
    assert_eq!(names.items.len(), 1);
    assert_eq!(names.items[0].entry.member, ben);
    assert_eq!(names.items[0].last_name, "Adams");
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 2);
    assert_eq!(store.access_log(cat, 1, 50).await.unwrap().total, 0);
    let none = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Branches(vec![]),
                branch: None,
                eligible: None,
                page: 1,
                per_page: 25,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    let eligible_only = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::All,
                branch: None,
                eligible: Some(true),
                page: 1,
                per_page: 25,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(
        eligible_only
            .items
            .iter()
            .map(|n| n.entry.member)
            .collect::<Vec<_>>(),
        [ann]
    );

    // Challenges: only an exclusion, one open at a time, decided once against the hash.
    let challenge = |m: MemberId| NewChallenge {
        roll: id,
        member: m,
        grounds: "I am a verified member".into(),
        lodged_by: Some(m),
    };
    let on_roll = store
        .lodge_challenge(&challenge(ann), &event("roll.challenged", "roll"))
        .await;
    assert!(
        matches!(on_roll, Err(StoreError::Conflict { .. })),
        "{on_roll:?}"
    );
    let not_listed = store
        .lodge_challenge(
            &challenge(MemberId(ann.0 + 999)),
            &event("roll.challenged", "roll"),
        )
        .await;
    assert!(
        matches!(not_listed, Err(StoreError::NotFound(_))),
        "{not_listed:?}"
    );
    let c1 = store
        .lodge_challenge(&challenge(ben), &event("roll.challenged", "roll"))
        .await
        .unwrap();
    let twice = store
        .lodge_challenge(&challenge(ben), &event("roll.challenged", "roll"))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let c2 = store
        .lodge_challenge(&challenge(cat), &event("roll.challenged", "roll"))
        .await
        .unwrap();
    let open = store.challenges(id).await.unwrap();
    assert_eq!(open.iter().map(|c| c.id).collect::<Vec<_>>(), [c1, c2]);
    assert!(
        open.iter()
            .all(|c| c.state == ChallengeState::Open && c.decided_at.is_none())
    );

    let events = event_count(store).await;
    let wrong_hash = store
        .decide_challenge(
            c1,
            &ChallengeDecision {
                upheld: true,
                reason: "verified on 1 May".into(),
                decided_by: Some(ann),
                expected_hash: "b".repeat(64),
                new_hash: "c".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await;
    assert!(
        matches!(wrong_hash, Err(StoreError::Stale(_))),
        "{wrong_hash:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .decide_challenge(
            c1,
            &ChallengeDecision {
                upheld: true,
                reason: "verified on 1 May".into(),
                decided_by: Some(ann),
                expected_hash: "a".repeat(64),
                new_hash: "c".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    store
        .decide_challenge(
            c2,
            &ChallengeDecision {
                upheld: false,
                reason: "no affiliation recorded".into(),
                decided_by: Some(ann),
                expected_hash: "c".repeat(64),
                new_hash: "d".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    let again = store
        .decide_challenge(
            c2,
            &ChallengeDecision {
                upheld: true,
                reason: "changed my mind".into(),
                decided_by: Some(ann),
                expected_hash: "d".repeat(64),
                new_hash: "e".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(event_count(store).await, events + 2);
    let r = store.roll(id).await.unwrap().unwrap();
    assert_eq!((r.eligible, r.excluded), (2, 1));
    assert_eq!(r.frozen_hash, "a".repeat(64));
    assert_eq!(r.current_hash, "d".repeat(64));
    let counts = store.roll_counts(id).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .find(|c| c.branch == o.brixton)
            .map(|c| (c.eligible, c.excluded)),
        Some((1, 1))
    );
    let ben_line = store.roll_entry(id, ben, None).await.unwrap().unwrap();
    assert!(ben_line.eligible && !ben_line.frozen_eligible);
    assert_eq!(ben_line.challenge, Some(c1));
    // The frozen list is unchanged, so its hash can still be checked.
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        [
            (ann, o.leeds, true),
            (ben, o.brixton, false),
            (cat, o.brixton, false)
        ]
    );
    let decided = store.challenge(c2).await.unwrap().unwrap();
    assert_eq!(decided.state, ChallengeState::Rejected);
    assert_eq!(
        decided.decision_reason.as_deref(),
        Some("no affiliation recorded")
    );
    assert_eq!(decided.decided_by, Some(ann));
    assert!(decided.decided_at.is_some());
    // Cat may lodge again now that the first is decided.
    store
        .lodge_challenge(&challenge(cat), &event("roll.challenged", "roll"))
        .await
        .unwrap();
}

/// A two-hour general meeting of Brixton starting at `starts`, called by `ann`.
pub(crate) async fn brixton_meeting(
    store: &dyn Store,
    brixton: UnitId,
    ann: MemberId,
    starts: DateTime<Utc>,
    invitees: &[NewInvitee],
) -> i64 {
    store
        .call_meeting(
            &NewMeeting {
                body: "branch-meeting".into(),
                unit: Some(brixton),
                kind: "general-meeting".into(),
                title: "Brixton general meeting".into(),
                starts_at: starts,
                ends_at: starts + chrono::Duration::hours(2),
                mode: "physical".into(),
                place: Some("Library".into()),
                online_url: None,
                agenda: "1. Motions".into(),
                notice_clause: None,
                notice_days: None,
                called_by: Some(ann),
                check_in_code: "ABC234".into(),
            },
            invitees,
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap()
}

/// Motions are seconded once and not by their proposer; an amendment names its motion and,
/// adopted, gives it a new wording kept beside the old; withdrawing a motion takes its
/// undecided amendments with it; wordings cannot be rewritten.
pub async fn motions_are_seconded_amended_and_withdrawn(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(86_400 * 20), &[]).await;
    let motion = |title: &str, text: &str, parent: Option<i64>| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: text.into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent,
        target: None,
        emergency: false,
    };
    let m1 = store
        .propose_motion(
            &motion("Delegates", "Send two delegates.", None),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let first = store.motion(m1).await.unwrap().unwrap();
    assert_eq!((first.parent, first.proposed_at), (None, t(0)));
    assert!(matches!(
        store
            .second_motion(m1, ann, &event("motion.seconded", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .second_motion(m1, ben, &event("motion.seconded", "m"))
        .await
        .unwrap();
    assert_eq!(
        store.motion(m1).await.unwrap().unwrap().seconded_by,
        Some(ben)
    );
    assert!(matches!(
        store
            .second_motion(m1, ben, &event("motion.seconded", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .propose_motion(
                &motion("Stray", "Amends nothing here.", Some(m1 + 1_000)),
                &event("motion.proposed", "m"),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let a1 = store
        .propose_motion(
            &motion("Three delegates", "Send three delegates.", Some(m1)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let a2 = store
        .propose_motion(
            &motion("Four delegates", "Send four delegates.", Some(a1)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    assert_eq!(store.motion(a2).await.unwrap().unwrap().parent, Some(a1));
    let outcome = |state: &str| MotionOutcome {
        state: state.into(),
        votes_for: 5,
        votes_against: 1,
        abstentions: 0,
        present: 6,
        failures_json: "[]".into(),
    };
    store
        .decide_motion(a2, &outcome("rejected"), &event("motion.decided", "m"))
        .await
        .unwrap();
    store
        .decide_motion(a1, &outcome("adopted"), &event("motion.decided", "m"))
        .await
        .unwrap();
    let amended = store.motion(m1).await.unwrap().unwrap();
    assert_eq!(
        (amended.text.as_str(), amended.state.as_str()),
        ("Send three delegates.", "proposed")
    );
    let versions = store.motion_versions(m1).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.text.as_str(), v.amendment))
            .collect::<Vec<_>>(),
        [
            (1, "Send two delegates.", None),
            (2, "Send three delegates.", Some(a1))
        ]
    );
    assert_eq!(store.motion_versions(a2).await.unwrap().len(), 1);

    // A second motion, amended but withdrawn before its vote: the amendment falls with it.
    let m2 = store
        .propose_motion(
            &motion("Fund", "Set up a fund.", None),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let a3 = store
        .propose_motion(
            &motion("Bigger fund", "Set up a bigger fund.", Some(m2)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let mut fallen = store
        .withdraw_motion(m2, &event("motion.withdrawn", "m"))
        .await
        .unwrap();
    fallen.sort_unstable();
    assert_eq!(fallen, [m2, a3]);
    assert_eq!(
        store.motion(a3).await.unwrap().unwrap().state,
        MotionState::Withdrawn
    );
    assert!(matches!(
        store
            .withdraw_motion(m2, &event("motion.withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .propose_motion(
                &motion("Late", "Amend the withdrawn.", Some(m2)),
                &event("motion.proposed", "m"),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    // Once voting opens, the motion is the meeting's: it can no longer be withdrawn.
    store
        .open_poll(m1, "named", Some(ann), &event("motion.poll_opened", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_motion(m1, &event("motion.withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
}

/// An adopted procedural motion or rescission has its effect in the same transaction: an
/// emergency motion admitted, a motion set aside, a decision rescinded, the meeting
/// adjourned; one whose target can no longer take it changes nothing.
pub async fn procedural_motions_take_effect_when_adopted(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(0), &[]).await;
    let propose = |kind: &str, target: Option<i64>, emergency: bool| {
        let m = NewMotion {
            meeting: id,
            kind: kind.into(),
            title: kind.into(),
            text: format!("That {kind}."),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(ann),
            seconded_by: None,
            parent: None,
            target,
            emergency,
        };
        async move {
            store
                .propose_motion(&m, &event("motion.proposed", "m"))
                .await
                .unwrap()
        }
    };
    let decide = |motion: i64, state: &'static str| async move {
        store
            .decide_motion(
                motion,
                &MotionOutcome {
                    state: state.into(),
                    votes_for: 5,
                    votes_against: 1,
                    abstentions: 0,
                    present: 6,
                    failures_json: "[]".into(),
                },
                &event("motion.decided", "m"),
            )
            .await
    };
    let late = propose("ordinary-motion", None, true).await;
    let got = store.motion(late).await.unwrap().unwrap();
    assert!(got.emergency && got.admitted_by.is_none() && got.target.is_none());
    let admit = propose("admit-emergency-motion", Some(late), false).await;
    // Motions of one kind, across meetings, are read in one go.
    let of_kind: Vec<i64> = store
        .motions_of_kind("admit-emergency-motion")
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(of_kind, [admit]);
    assert!(
        store
            .motions_of_kind("dissolve-body")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.motion(admit).await.unwrap().unwrap().target,
        Some(late)
    );
    decide(admit, "adopted").await.unwrap();
    assert_eq!(
        store.motion(late).await.unwrap().unwrap().admitted_by,
        Some(admit)
    );
    let skip = propose("next-business", Some(late), false).await;
    decide(skip, "adopted").await.unwrap();
    let set_aside = store.motion(late).await.unwrap().unwrap();
    assert_eq!(
        (set_aside.set_aside_by, set_aside.state.as_str()),
        (Some(skip), "proposed")
    );
    // Referring back what is already set aside takes no effect: nothing changes.
    let again = propose("refer-back", Some(late), false).await;
    assert!(matches!(
        decide(again, "adopted").await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.motion(again).await.unwrap().unwrap().state,
        MotionState::Proposed
    );
    // A rejected procedural motion has no effect.
    let decided = propose("ordinary-motion", None, false).await;
    decide(decided, "adopted").await.unwrap();
    let undo = propose("rescind", Some(decided), false).await;
    decide(undo, "adopted").await.unwrap();
    assert_eq!(
        store.motion(decided).await.unwrap().unwrap().set_aside_by,
        Some(undo)
    );
    let stop = propose("adjourn", None, false).await;
    decide(stop, "rejected").await.unwrap();
    assert_eq!(store.meeting(id).await.unwrap().unwrap().adjourned_by, None);
    let stop = propose("adjourn", None, false).await;
    decide(stop, "adopted").await.unwrap();
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().adjourned_by,
        Some(stop)
    );
}

/// Minutes are a draft until a later meeting adopts the motion approving them; then they
/// are final.
pub async fn minutes_are_final_once_approved(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let mut ids = Vec::new();
    for start in [0, 86_400 * 30] {
        ids.push(brixton_meeting(store, o.brixton, ann, t(start), &[]).await);
    }
    let (march, april) = (ids[0], ids[1]);
    assert!(store.minutes(march).await.unwrap().is_none());
    let approve = NewMotion {
        meeting: april,
        kind: "ordinary-motion".into(),
        title: "Minutes of March".into(),
        text: "That the minutes of March be approved.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    assert!(matches!(
        store
            .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .save_minutes(
            march,
            "Draft one.",
            Some(ann),
            &event("minutes.drafted", "m"),
        )
        .await
        .unwrap();
    store
        .save_minutes(
            march,
            "Draft two.",
            Some(ann),
            &event("minutes.drafted", "m"),
        )
        .await
        .unwrap();
    let draft = store.minutes(march).await.unwrap().unwrap();
    assert_eq!(
        (draft.text.as_str(), draft.state.as_str()),
        ("Draft two.", "draft")
    );
    let motion = store
        .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
        .await
        .unwrap();
    assert_eq!(
        store.minutes(march).await.unwrap().unwrap().approval_motion,
        Some(motion)
    );
    assert!(matches!(
        store
            .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    store
        .decide_motion(
            motion,
            &MotionOutcome {
                state: "adopted".into(),
                votes_for: 5,
                votes_against: 0,
                abstentions: 0,
                present: 5,
                failures_json: "[]".into(),
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let approved = store.minutes(march).await.unwrap().unwrap();
    assert_eq!(approved.state, MinutesState::Approved);
    assert_eq!(approved.approved_at, Some(t(0)));
    assert!(matches!(
        store
            .save_minutes(
                march,
                "Rewritten.",
                Some(ann),
                &event("minutes.drafted", "m")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.minutes(march).await.unwrap().unwrap().text,
        "Draft two."
    );
}

/// An event by the system at `at`.
fn event_at(kind: &str, at: DateTime<Utc>) -> NewEvent {
    NewEvent {
        at,
        ..event(kind, "agenda")
    }
}

/// A meeting's agenda items are numbered in order, reworded and moved until the meeting
/// starts, then fixed; papers are kept whole with their hash, withdrawn but never removed;
/// an item with a paper in circulation stays on the agenda; every change is one event and
/// every refusal none.
pub async fn agenda_items_and_papers_are_kept_for_the_record(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let starts = t(86_400 * 20);
    let id = brixton_meeting(store, o.brixton, ann, starts, &[]).await;
    let other = brixton_meeting(store, o.brixton, ann, t(86_400 * 40), &[]).await;
    let before = event_count(store).await;
    let item = |meeting: i64, title: &str| NewAgendaItem {
        meeting,
        title: title.into(),
        description: Some(format!("{title}: introduced by the secretary")),
        added_by: Some(ann),
    };
    let mut ids = Vec::new();
    for title in ["Apologies", "Delegates", "Any other business"] {
        ids.push(
            store
                .add_agenda_item(&item(id, title), &event("agenda.item_added", "m"))
                .await
                .unwrap(),
        );
    }
    let (apologies, delegates, aob) = (ids[0], ids[1], ids[2]);
    let elsewhere = store
        .add_agenda_item(&item(other, "Elsewhere"), &event("agenda.item_added", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_agenda_item(
                &item(other + 99, "Nowhere"),
                &event("agenda.item_added", "m")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let numbered = |items: &[AgendaItemRecord]| -> Vec<(Option<i64>, String)> {
        items.iter().map(|i| (i.number, i.title.clone())).collect()
    };
    let agenda = store.agenda(id).await.unwrap();
    assert_eq!(
        numbered(&agenda),
        vec![
            (Some(1), "Apologies".to_string()),
            (Some(2), "Delegates".to_string()),
            (Some(3), "Any other business".to_string()),
        ]
    );
    assert_eq!(agenda[1].meeting, id);
    assert_eq!(
        agenda[1].description.as_deref(),
        Some("Delegates: introduced by the secretary")
    );
    assert_eq!((agenda[1].added_at, agenda[1].added_by), (t(0), Some(ann)));
    assert_eq!(
        numbered(&store.agenda(other).await.unwrap()),
        vec![(Some(1), "Elsewhere".to_string())],
        "each meeting numbers its own items"
    );
    assert_eq!(event_count(store).await, before + 4);

    // Reworded and moved to the top; the others keep their order around it.
    store
        .change_agenda_item(
            delegates,
            &AgendaItemChange {
                title: "Delegates to conference".into(),
                description: None,
                position: Some(1),
            },
            &event("agenda.item_changed", "m"),
        )
        .await
        .unwrap();
    store
        .change_agenda_item(
            aob,
            &AgendaItemChange {
                title: "Any other business".into(),
                description: None,
                position: Some(3),
            },
            &event("agenda.item_changed", "m"),
        )
        .await
        .unwrap();
    let agenda = store.agenda(id).await.unwrap();
    assert_eq!(
        numbered(&agenda),
        vec![
            (Some(1), "Delegates to conference".to_string()),
            (Some(2), "Apologies".to_string()),
            (Some(3), "Any other business".to_string()),
        ]
    );
    assert_eq!(agenda[0].description, None);
    let events = event_count(store).await;
    for place in [0, 4, -1] {
        let r = store
            .change_agenda_item(
                apologies,
                &AgendaItemChange {
                    title: "Moved nowhere".into(),
                    description: None,
                    position: Some(place),
                },
                &event("agenda.item_changed", "m"),
            )
            .await;
        assert!(
            matches!(&r, Err(StoreError::Conflict { field, .. }) if field == "position"),
            "position {place}: {r:?}"
        );
    }
    assert!(matches!(
        store
            .change_agenda_item(
                aob + 99,
                &AgendaItemChange {
                    title: "x".into(),
                    description: None,
                    position: None,
                },
                &event("agenda.item_changed", "m"),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        numbered(&store.agenda(id).await.unwrap()),
        numbered(&agenda),
        "a refused move changes nothing"
    );
    assert_eq!(event_count(store).await, events);

    // A paper, kept whole with its hash.
    let content = b"%PDF-1.4\n% the delegates' report\n".to_vec();
    let sha = "a".repeat(64);
    let paper = |item: i64| NewPaper {
        item,
        filename: "delegates-report.pdf".into(),
        content_type: "application/pdf".into(),
        sha256: sha.clone(),
        content: content.clone(),
        circulated_by: Some(ann),
    };
    let p1 = store
        .circulate_paper(&paper(delegates), &event("agenda.paper_circulated", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .circulate_paper(&paper(aob + 99), &event("agenda.paper_circulated", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let record = store.paper(p1).await.unwrap().unwrap();
    assert_eq!(
        (
            record.item,
            record.meeting,
            record.filename.as_str(),
            record.content_type.as_str(),
            record.size,
            record.sha256.as_str(),
        ),
        (
            delegates,
            id,
            "delegates-report.pdf",
            "application/pdf",
            i64::try_from(content.len()).unwrap(),
            sha.as_str(),
        )
    );
    assert_eq!(
        (
            record.circulated_at,
            record.circulated_by,
            record.withdrawn_at
        ),
        (t(0), Some(ann), None)
    );
    let (again, bytes) = store.paper_content(p1).await.unwrap().unwrap();
    assert_eq!((again, bytes), (record.clone(), content.clone()));
    assert!(store.paper(p1 + 99).await.unwrap().is_none());
    assert!(store.paper_content(p1 + 99).await.unwrap().is_none());
    assert_eq!(
        store.agenda(id).await.unwrap()[0].papers,
        vec![record.clone()],
        "the agenda lists the item's papers"
    );

    // An item with a paper in circulation stays; once withdrawn (kept), it may go.
    let events = event_count(store).await;
    let r = store
        .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
        .await;
    assert!(
        matches!(&r, Err(StoreError::Conflict { field, .. }) if field == "item"),
        "{r:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .withdraw_paper(p1, Some(ann), &event("agenda.paper_withdrawn", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_paper(p1, Some(ann), &event("agenda.paper_withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .withdraw_paper(p1 + 99, Some(ann), &event("agenda.paper_withdrawn", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let withdrawn = store.paper(p1).await.unwrap().unwrap();
    assert_eq!(
        (withdrawn.withdrawn_at, withdrawn.withdrawn_by),
        (Some(t(0)), Some(ann))
    );
    store
        .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 2);
    assert_eq!(
        numbered(&store.agenda(id).await.unwrap()),
        vec![
            (Some(1), "Apologies".to_string()),
            (Some(2), "Any other business".to_string()),
        ],
        "the items after it move up"
    );
    let removed = store.agenda_item(delegates).await.unwrap().unwrap();
    assert_eq!((removed.number, removed.removed_at), (None, Some(t(0))));
    assert_eq!(
        removed.papers,
        vec![withdrawn.clone()],
        "kept for the record"
    );
    assert_eq!(
        store.paper_content(p1).await.unwrap().unwrap().1,
        content,
        "a withdrawn paper keeps its content"
    );
    for r in [
        store
            .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
            .await,
        store
            .change_agenda_item(
                delegates,
                &AgendaItemChange {
                    title: "Back again".into(),
                    description: None,
                    position: None,
                },
                &event("agenda.item_changed", "m"),
            )
            .await,
        store
            .circulate_paper(&paper(delegates), &event("agenda.paper_circulated", "m"))
            .await
            .map(|_| ()),
    ] {
        assert!(matches!(r, Err(StoreError::Stale(_))), "{r:?}");
    }
    assert!(store.agenda_item(aob + 99).await.unwrap().is_none());

    // From the start the items are fixed; papers still circulate until the end.
    let events = event_count(store).await;
    let during = starts + Duration::minutes(30);
    let after = starts + Duration::hours(3);
    for r in [
        store
            .add_agenda_item(
                &item(id, "Late item"),
                &event_at("agenda.item_added", starts),
            )
            .await
            .map(|_| ()),
        store
            .change_agenda_item(
                apologies,
                &AgendaItemChange {
                    title: "Apologies".into(),
                    description: None,
                    position: Some(2),
                },
                &event_at("agenda.item_changed", during),
            )
            .await,
        store
            .remove_agenda_item(aob, &event_at("agenda.item_removed", during))
            .await,
    ] {
        assert!(matches!(r, Err(StoreError::Stale(_))), "{r:?}");
    }
    assert_eq!(event_count(store).await, events);
    let tabled = store
        .circulate_paper(&paper(aob), &event_at("agenda.paper_circulated", during))
        .await
        .unwrap();
    assert_eq!(
        store.paper(tabled).await.unwrap().unwrap().circulated_at,
        during
    );
    assert!(matches!(
        store
            .circulate_paper(&paper(aob), &event_at("agenda.paper_circulated", after))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .withdraw_paper(tabled, None, &event_at("agenda.paper_withdrawn", after))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        store.agenda(other).await.unwrap()[0].id,
        elsewhere,
        "the other meeting's agenda is untouched"
    );
}

/// Electronic votes: only members checked in with a vote cast one, once; the same submission
/// again changes nothing; a secret vote keeps no choice with its voter; a closed poll
/// takes no more.
pub async fn polls_count_each_present_voter_once(store: &dyn Store) {
    let o = org(store).await;
    let mut members = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
        ("Eve", "eve@example.org"),
    ] {
        members.push(
            add(
                store,
                &new_member(first, "Voter", email, "SE1 7PB", o.brixton),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan, eve] = members[..] else {
        unreachable!()
    };
    let invitees: Vec<NewInvitee> = members
        .iter()
        .map(|m| NewInvitee {
            member: *m,
            may_vote: *m != cat,
            address: format!("{}@example.org", m.0),
        })
        .collect();
    let id = brixton_meeting(store, o.brixton, ann, t(0), &invitees).await;
    for m in [ann, ben, cat, eve] {
        store
            .check_in(id, m, None, &event("meeting.checked_in", "m"))
            .await
            .unwrap();
    }
    let motion = |title: &str| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    let named = store
        .propose_motion(&motion("Named"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let secret = store
        .propose_motion(&motion("Secret"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let vote = |motion: i64, member: MemberId, choice: &str, submission: &str| NewVote {
        motion,
        member,
        choice: choice.into(),
        submission: submission.into(),
    };
    assert!(matches!(
        store.cast_vote(&vote(named, ann, "for", "a1"), t(60)).await,
        Err(StoreError::NotFound(_))
    ));
    let events = event_count(store).await;
    store
        .open_poll(named, "named", Some(ann), &event("motion.poll_opened", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    assert!(matches!(
        store
            .open_poll(
                named,
                "secret",
                Some(ann),
                &event("motion.poll_opened", "m")
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let p = store.poll(named).await.unwrap().unwrap();
    assert_eq!((p.mode.as_str(), p.voted, p.closed_at), ("named", 0, None));

    // Eight sends of one vote at once (a double tap, a retry): counted once.
    let same = vote(named, ann, "for", "a1");
    let (r1, r2, r3, r4, r5, r6, r7, r8) = tokio::join!(
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
    );
    let receipts = [r1, r2, r3, r4, r5, r6, r7, r8].map(Result::unwrap);
    assert_eq!(
        receipts
            .iter()
            .filter(|r| **r == VoteReceipt::Recorded)
            .count(),
        1,
        "{receipts:?}"
    );
    let changed_mind = store
        .cast_vote(&vote(named, ann, "against", "a2"), t(61))
        .await;
    assert!(
        matches!(changed_mind, Err(StoreError::Conflict { .. })),
        "{changed_mind:?}"
    );
    for (who, why) in [(cat, "not a voter"), (dan, "not checked in")] {
        let r = store.cast_vote(&vote(named, who, "for", "x"), t(62)).await;
        assert!(
            matches!(r, Err(StoreError::Conflict { .. })),
            "{why}: {r:?}"
        );
    }
    assert_eq!(
        store
            .cast_vote(&vote(named, ben, "against", "b1"), t(63))
            .await
            .unwrap(),
        VoteReceipt::Recorded
    );
    assert_eq!(
        store.my_vote(named, ann).await.unwrap(),
        Some(("a1".to_string(), Some("for".to_string())))
    );
    assert_eq!(store.my_vote(named, eve).await.unwrap(), None);
    let logged = store.access_log(ben, 1, 50).await.unwrap().total;
    let names = store
        .named_votes(named, &reader(ann, "named vote", t(64)))
        .await
        .unwrap();
    assert_eq!(
        names
            .iter()
            .map(|(m, _, _, c)| (*m, c.as_str()))
            .collect::<Vec<_>>(),
        [(ann, "for"), (ben, "against")]
    );
    assert_eq!(
        store.access_log(ben, 1, 50).await.unwrap().total,
        logged + 1
    );
    let closed = store
        .close_poll(named, &event("motion.poll_closed", "m"))
        .await
        .unwrap();
    assert_eq!(
        (
            closed.voted,
            closed.votes_for,
            closed.votes_against,
            closed.abstentions
        ),
        (2, 1, 1, 0)
    );
    assert!(closed.closed_at.is_some());
    assert!(matches!(
        store.cast_vote(&vote(named, eve, "for", "e1"), t(65)).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .close_poll(named, &event("motion.poll_closed", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));

    // A secret poll: the voters are known, their choices only counted.
    store
        .open_poll(
            secret,
            "secret",
            Some(ann),
            &event("motion.poll_opened", "m"),
        )
        .await
        .unwrap();
    for (who, choice, sub) in [
        (ann, "for", "s1"),
        (ben, "for", "s2"),
        (eve, "abstain", "s3"),
    ] {
        store
            .cast_vote(&vote(secret, who, choice, sub), t(70))
            .await
            .unwrap();
    }
    assert_eq!(
        store.my_vote(secret, eve).await.unwrap(),
        Some(("s3".to_string(), None))
    );
    assert!(
        store
            .named_votes(secret, &reader(ann, "named vote", t(71)))
            .await
            .unwrap()
            .is_empty()
    );
    let p = store.poll(secret).await.unwrap().unwrap();
    assert_eq!((p.voted, p.votes_for, p.abstentions), (3, 2, 1));
    store
        .close_poll(secret, &event("motion.poll_closed", "m"))
        .await
        .unwrap();
    store
        .decide_motion(
            secret,
            &MotionOutcome {
                state: "adopted".into(),
                votes_for: 2,
                votes_against: 0,
                abstentions: 1,
                present: 3,
                failures_json: "[]".into(),
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .open_poll(
                secret,
                "named",
                Some(ann),
                &event("motion.poll_opened", "m")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
}

pub async fn meetings_notices_attendance_and_motions(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let cat = add(
        store,
        &new_member("Cat", "Ng", "cat@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let meeting = NewMeeting {
        body: "branch-meeting".into(),
        unit: Some(o.brixton),
        kind: "general-meeting".into(),
        title: "Brixton general meeting".into(),
        starts_at: t(86_400 * 20),
        ends_at: t(86_400 * 20 + 7_200),
        mode: "hybrid".into(),
        place: Some("Library".into()),
        online_url: Some("https://meet.example.org/brixton".into()),
        agenda: "1. The new constitution".into(),
        notice_clause: Some("8.1".into()),
        notice_days: Some(14),
        called_by: Some(ann),
        check_in_code: "ABC234".into(),
    };
    let invitees = [
        NewInvitee {
            member: ann,
            may_vote: true,
            address: "ann@example.org".into(),
        },
        NewInvitee {
            member: ben,
            may_vote: false,
            address: "ben@example.org".into(),
        },
    ];
    let notice = NoticeText {
        subject: "Notice".into(),
        body: "Come".into(),
    };
    let events = event_count(store).await;
    let id = store
        .call_meeting(
            &meeting,
            &invitees,
            &notice,
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    let m = store.meeting(id).await.unwrap().unwrap();
    assert_eq!((m.entitled, m.state.as_str()), (2, "called"));
    assert_eq!(m.notice_days, Some(14));
    assert!(m.notice_complete_at.is_none());
    assert_eq!(
        store.meetings(Some(o.brixton), None).await.unwrap().len(),
        1
    );
    assert!(
        store
            .meetings(Some(o.leeds), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .meetings(None, Some(t(86_400 * 30)))
            .await
            .unwrap()
            .is_empty()
    );
    // The check-in code is kept with the meeting and replaced as one change.
    assert_eq!(
        store.check_in_code(id).await.unwrap().as_deref(),
        Some("ABC234")
    );
    let events = event_count(store).await;
    store
        .replace_check_in_code(id, "XYZ789", &event("meeting.check_in_code", "meeting"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        store.check_in_code(id).await.unwrap().as_deref(),
        Some("XYZ789")
    );
    assert!(matches!(
        store.check_in_code(id + 99).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .replace_check_in_code(id + 99, "XYZ789", &event("meeting.check_in_code", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        event_count(store).await,
        events + 1,
        "nothing kept of a failure"
    );
    assert_eq!(store.invitee(id, ann).await.unwrap(), Some(true));
    assert_eq!(store.invitee(id, ben).await.unwrap(), Some(false));
    assert_eq!(store.invitee(id, cat).await.unwrap(), None);
    assert_eq!(
        store
            .meetings_for(ben)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [id]
    );
    assert!(store.meetings_for(cat).await.unwrap().is_empty());
    let contacts = store.member_contacts(&[ben, ann]).await.unwrap();
    assert_eq!(
        contacts,
        [
            (ann, "Ann".to_string(), "ann@example.org".to_string()),
            (ben, "Ben".to_string(), "ben@example.org".to_string())
        ]
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 2,
            sent: 0,
            failed: 0
        }
    );

    // The outbox: nothing is due before its time; a claim leases; deliveries settle notice.
    assert!(
        store
            .claim_outbox(t(-1), t(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = store.claim_outbox(t(5), t(65), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].address, "ann@example.org");
    assert!(
        store
            .claim_outbox(t(6), t(66), 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    store
        .record_delivery(claimed[0].id, &Delivery::Sent, t(7))
        .await
        .unwrap();
    store
        .record_delivery(
            claimed[1].id,
            &Delivery::Retry {
                at: t(100),
                error: "451 try later".into(),
            },
            t(7),
        )
        .await
        .unwrap();
    assert!(
        store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .notice_complete_at
            .is_none()
    );
    let again = store.claim_outbox(t(101), t(160), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    store
        .record_delivery(again[0].id, &Delivery::Sent, t(102))
        .await
        .unwrap();
    let twice = store
        .record_delivery(again[0].id, &Delivery::Sent, t(103))
        .await;
    assert!(matches!(twice, Err(StoreError::Stale(_))), "{twice:?}");
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().notice_complete_at,
        Some(t(102))
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 0,
            sent: 2,
            failed: 0
        }
    );

    // Attendance: invitees only, once each.
    store
        .check_in(id, ann, None, &event("meeting.checked_in", "m"))
        .await
        .unwrap();
    let dup = store
        .check_in(id, ann, None, &event("meeting.checked_in", "m"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict { .. })), "{dup:?}");
    let stranger = store
        .check_in(id, cat, None, &event("meeting.checked_in", "m"))
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    store
        .check_in(id, ben, Some(ann), &event("meeting.checked_in", "m"))
        .await
        .unwrap();
    assert_eq!(store.attendance(id).await.unwrap(), (2, 1));
    assert!(store.attended(id, ben).await.unwrap());
    assert!(!store.attended(id, cat).await.unwrap());
    assert_eq!(store.voters(id).await.unwrap(), 1);
    assert_eq!(store.meeting_voters(id).await.unwrap(), [ann]);

    // Motions: numbered in order, decided once, published only when adopted.
    let motion = |title: &str| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution.".into(),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: None,
        proposed_by: Some(ann),
        seconded_by: Some(ben),
        parent: None,
        target: None,
        emergency: false,
    };
    let m1 = store
        .propose_motion(&motion("Oppose"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let m2 = store
        .propose_motion(&motion("Second"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let listed = store.motions(id).await.unwrap();
    assert_eq!(listed.iter().map(|m| m.number).collect::<Vec<_>>(), [1, 2]);
    let early = store
        .publish_motion(m1, &event("motion.published", "m"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    let adopted = MotionOutcome {
        state: "adopted".into(),
        votes_for: 1,
        votes_against: 0,
        abstentions: 0,
        present: 2,
        failures_json: "[]".into(),
    };
    store
        .decide_motion(m1, &adopted, &event("motion.decided", "m"))
        .await
        .unwrap();
    let again = store
        .decide_motion(m1, &adopted, &event("motion.decided", "m"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    store
        .decide_motion(
            m2,
            &MotionOutcome {
                state: "not-binding".into(),
                failures_json: "[[\"8.1\",\"too little notice\"]]".into(),
                ..adopted.clone()
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let d1 = store.motion(m1).await.unwrap().unwrap();
    assert_eq!(
        (d1.state.as_str(), d1.votes_for, d1.present),
        ("adopted", Some(1), Some(2))
    );
    assert!(d1.decided_at.is_some() && !d1.published);
    store
        .publish_motion(m1, &event("motion.published", "m"))
        .await
        .unwrap();
    let not_adopted = store
        .publish_motion(m2, &event("motion.published", "m"))
        .await;
    assert!(
        matches!(not_adopted, Err(StoreError::Stale(_))),
        "{not_adopted:?}"
    );
    let published = store
        .published_motions(Some("constitution-2017"))
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].motion.id, m1);
    assert_eq!(published[0].unit, Some(o.brixton));
    assert_eq!(published[0].meeting_title, "Brixton general meeting");
    assert!(
        store
            .published_motions(Some("other"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.motion(m1 + 100).await.unwrap().is_none());
}

pub async fn letters_settle_in_bulk(store: &dyn Store) {
    let o = org(store).await;
    let mut invitees = Vec::new();
    for (i, first) in ["Ann", "Ben", "Cat"].iter().enumerate() {
        let address = format!("{}@example.org", first.to_lowercase());
        let member = add(
            store,
            &new_member(first, "Bulk", &address, "SE1 7PB", o.brixton),
        )
        .await;
        invitees.push(NewInvitee {
            member,
            may_vote: i != 1,
            address,
        });
    }
    let meeting = NewMeeting {
        body: "branch-meeting".into(),
        unit: Some(o.brixton),
        kind: "general-meeting".into(),
        title: "Brixton general meeting".into(),
        starts_at: t(86_400 * 20),
        ends_at: t(86_400 * 20 + 7_200),
        mode: "physical".into(),
        place: Some("Library".into()),
        online_url: None,
        agenda: "1. Business".into(),
        notice_clause: Some("8.1".into()),
        notice_days: Some(14),
        called_by: None,
        check_in_code: "BLK234".into(),
    };
    let notice = NoticeText {
        subject: "Notice".into(),
        body: "Come".into(),
    };
    let id = store
        .call_meeting(
            &meeting,
            &invitees,
            &notice,
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    let claimed = store.claim_outbox(t(5), t(65), 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let mut ids: Vec<i64> = claimed.iter().map(|m| m.id).collect();
    // Settling two first leaves notice incomplete; an unknown id is passed over.
    assert_eq!(store.record_sent(&ids[..2], t(7)).await.unwrap(), 2);
    assert!(
        store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .notice_complete_at
            .is_none()
    );
    ids.push(ids.iter().max().unwrap() + 1_000);
    assert_eq!(
        store.record_sent(&ids, t(9)).await.unwrap(),
        1,
        "only the one still queued is recorded"
    );
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().notice_complete_at,
        Some(t(9))
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 0,
            sent: 3,
            failed: 0
        }
    );
    assert_eq!(store.record_sent(&[], t(10)).await.unwrap(), 0);
}

pub async fn requisitions_collect_signatures_and_are_answered(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = store
        .open_requisition(
            &NewRequisition {
                kind: "special-conference".into(),
                title: "Restore the elected committees".into(),
                purpose: "To reverse the dissolution".into(),
                matter: Some("constitution-2017".into()),
                opened_by: Some(ann),
            },
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!((r.signatures, r.reached_at, r.meeting), (1, None, None));
    assert!(store.has_signed(id, ann).await.unwrap());
    let second = |by: Option<MemberId>| NewRequisition {
        kind: "special-conference".into(),
        title: "The same again".into(),
        purpose: String::new(),
        matter: Some("constitution-2017".into()),
        opened_by: by,
    };
    // One open requisition per matter, however it is opened; nothing of the second is kept.
    let events = event_count(store).await;
    let dup = store
        .open_requisition(&second(None), &event("requisition.opened", "r"))
        .await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { field, .. }) if field == "matter"),
        "{dup:?}"
    );
    assert_eq!(event_count(store).await, events);
    assert_eq!(store.requisitions().await.unwrap().len(), 1);
    let twice = store
        .sign_requisition(id, ann, &event("requisition.signed", "r"))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    store
        .sign_requisition(id, ben, &event("requisition.signed", "r"))
        .await
        .unwrap();
    assert_eq!(store.requisitions().await.unwrap()[0].signatures, 2);
    let early = store
        .answer_requisition(id, 1, &event("requisition.answered", "r"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    let events = event_count(store).await;
    assert!(
        store
            .requisition_reached(id, "6.4", d(2024, 3, 1), &event("requisition.reached", "r"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .requisition_reached(id, "6.4", d(2024, 4, 1), &event("requisition.reached", "r"))
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, events + 1, "reached once");
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!(
        (r.reached_clause.as_deref(), r.call_by),
        (Some("6.4"), Some(d(2024, 3, 1)))
    );
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "conference".into(),
                unit: None,
                kind: "special-conference".into(),
                title: "Special conference".into(),
                starts_at: t(86_400 * 30),
                ends_at: t(86_400 * 30 + 3_600),
                mode: "physical".into(),
                place: Some("Hall".into()),
                online_url: None,
                agenda: String::new(),
                notice_clause: None,
                notice_days: None,
                called_by: None,
                check_in_code: "ABC234".into(),
            },
            &[],
            &NoticeText {
                subject: "s".into(),
                body: "b".into(),
            },
            &event("meeting.called", "m"),
        )
        .await
        .unwrap();
    store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await
        .unwrap();
    let again = store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().meeting,
        Some(meeting)
    );
    // Once answered, the matter may be required again.
    store
        .open_requisition(&second(Some(ben)), &event("requisition.opened", "r"))
        .await
        .unwrap();
    let late = store
        .sign_requisition(id, ben, &event("requisition.signed", "r"))
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    assert!(store.requisition(id + 99).await.unwrap().is_none());
}

/// Motions that require a meeting read back with it, and are found by it; a reached
/// requisition's reminder is written once per compare-and-set on when the last one was, and
/// never once it is answered; branches' motions open one requisition of a kind at a time.
pub async fn motions_require_meetings_and_overdue_requisitions_remind(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "branch-meeting".into(),
                unit: Some(o.leeds),
                kind: "general-meeting".into(),
                title: "Leeds general meeting".into(),
                starts_at: t(86_400),
                ends_at: t(86_400 + 3_600),
                mode: "physical".into(),
                place: Some("Hall".into()),
                online_url: None,
                agenda: String::new(),
                notice_clause: None,
                notice_days: None,
                called_by: None,
                check_in_code: "ABC234".into(),
            },
            &[],
            &NoticeText {
                subject: "s".into(),
                body: "b".into(),
            },
            &event("meeting.called", "m"),
        )
        .await
        .unwrap();
    let motion = |title: &str, requires: Option<&str>| NewMotion {
        meeting,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution and calls for a special conference.".into(),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: requires.map(String::from),
        proposed_by: Some(ann),
        seconded_by: Some(ben),
        parent: None,
        target: None,
        emergency: false,
    };
    let adopted = MotionOutcome {
        state: "adopted".into(),
        votes_for: 2,
        votes_against: 0,
        abstentions: 0,
        present: 2,
        failures_json: "[]".into(),
    };
    let mut ids = Vec::new();
    for (title, requires) in [
        ("Calls for it", Some("special-conference")),
        ("Does not", None),
        ("Calls for another", Some("annual-conference")),
        ("Calls for it too", Some("special-conference")),
    ] {
        let id = store
            .propose_motion(&motion(title, requires), &event("motion.proposed", "m"))
            .await
            .unwrap();
        store
            .decide_motion(id, &adopted, &event("motion.decided", "m"))
            .await
            .unwrap();
        store
            .publish_motion(id, &event("motion.published", "m"))
            .await
            .unwrap();
        ids.push(id);
    }
    assert_eq!(
        store
            .motion(ids[0])
            .await
            .unwrap()
            .unwrap()
            .requires
            .as_deref(),
        Some("special-conference")
    );
    assert_eq!(store.motion(ids[1]).await.unwrap().unwrap().requires, None);
    let calling = store
        .published_motions_requiring("special-conference")
        .await
        .unwrap();
    assert_eq!(
        calling.iter().map(|p| p.motion.id).collect::<Vec<_>>(),
        [ids[3], ids[0]],
        "only those requiring it, newest first"
    );
    assert_eq!(calling[0].unit, Some(o.leeds));
    assert!(
        store
            .published_motions_requiring("ordinary-meeting")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .published_motions(Some("constitution-2017"))
            .await
            .unwrap()
            .len(),
        4,
        "a motion calling for a meeting still speaks to its matter"
    );

    // Branches' motions open one requisition of a kind at a time; members may open others.
    let by_branches = |kind: &str| NewRequisition {
        kind: kind.into(),
        title: "Branches require a special conference".into(),
        purpose: String::new(),
        matter: None,
        opened_by: None,
    };
    let id = store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let dup = store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { field, .. }) if field == "kind"),
        "{dup:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .open_requisition(
            &NewRequisition {
                opened_by: Some(ben),
                ..by_branches("special-conference")
            },
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();

    // No reminder before the threshold is reached.
    let letters = [
        letter(
            Some(ann),
            "ann@example.org",
            "Overdue: the special conference",
        ),
        letter(
            Some(ben),
            "ben@example.org",
            "Overdue: the special conference",
        ),
    ];
    let remind = |last: Option<DateTime<Utc>>, at: i64| {
        let letters = &letters;
        async move {
            store
                .remind_requisition(
                    id,
                    last,
                    letters,
                    &NewEvent {
                        at: t(at),
                        ..event("requisition.overdue", "r")
                    },
                )
                .await
        }
    };
    new_letters(store).await;
    let events = event_count(store).await;
    assert!(!remind(None, 10).await.unwrap());
    assert_eq!(event_count(store).await, events);
    assert!(new_letters(store).await.is_empty());
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().reminded_at,
        None
    );

    store
        .requisition_reached(id, "6.4", d(2024, 3, 1), &event("requisition.reached", "r"))
        .await
        .unwrap();
    let events = event_count(store).await;
    assert!(remind(None, 20).await.unwrap());
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        new_letters(store).await,
        [
            (
                Some(ann),
                "ann@example.org".to_string(),
                "Overdue: the special conference".to_string()
            ),
            (
                Some(ben),
                "ben@example.org".to_string(),
                "Overdue: the special conference".to_string()
            ),
        ]
    );
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!(r.reminded_at, Some(t(20)));
    assert!(
        store
            .requisitions()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == id && x.reminded_at == Some(t(20)))
    );
    // A second timetable that read the requisition before that reminder writes nothing.
    assert!(!remind(None, 21).await.unwrap());
    assert!(!remind(Some(t(10)), 21).await.unwrap());
    assert_eq!(event_count(store).await, events + 1);
    assert!(new_letters(store).await.is_empty());
    // The next one follows from the last.
    assert!(remind(r.reminded_at, 30).await.unwrap());
    assert_eq!(new_letters(store).await.len(), 2);
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().reminded_at,
        Some(t(30))
    );

    // Answered: no more.
    store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await
        .unwrap();
    let events = event_count(store).await;
    assert!(!remind(Some(t(30)), 40).await.unwrap());
    assert_eq!(event_count(store).await, events);
    assert!(new_letters(store).await.is_empty());
    let missing = store
        .remind_requisition(id + 99, None, &letters, &event("requisition.overdue", "r"))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    // Once answered, branches' motions may open another.
    store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
}

/// A composite is formed only when every mover consents: the last consent adds it as a motion
/// and sets its parts aside in one change; a mover's refusal leaves the parts as they were;
/// a motion sits in one pending composite at a time; composites are kept.
pub async fn composites_form_on_every_movers_consent(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(86_400 * 20), &[]).await;
    let motion = |title: &str, by: MemberId| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: format!("{title}, in full."),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: None,
        proposed_by: Some(by),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    let mut parts = Vec::new();
    for (title, by) in [("Oppose it", ann), ("Repeal it", ben), ("Reject it", ben)] {
        parts.push(
            store
                .propose_motion(&motion(title, by), &event("motion.proposed", "m"))
                .await
                .unwrap(),
        );
    }
    let composite = |parts: Vec<i64>| NewComposite {
        meeting: id,
        title: "Composite A".into(),
        text: "Oppose and repeal it.".into(),
        parts,
        proposed_by: Some(ann),
    };
    // Declined: the parts stand, and may be composited again.
    let first = store
        .propose_composite(
            &composite(vec![parts[1], parts[2]]),
            &event("composite.proposed", "c"),
        )
        .await
        .unwrap();
    let busy = store
        .propose_composite(
            &composite(vec![parts[0], parts[2]]),
            &event("composite.proposed", "c"),
        )
        .await;
    assert!(matches!(busy, Err(StoreError::Stale(_))), "{busy:?}");
    store
        .decline_composite(first, &event("composite.declined", "c"))
        .await
        .unwrap();
    let again = store
        .decline_composite(first, &event("composite.declined", "c"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(
        store.composite(first).await.unwrap().unwrap().state,
        CompositeState::Declined
    );

    let cid = store
        .propose_composite(&composite(parts.clone()), &event("composite.proposed", "c"))
        .await
        .unwrap();
    let formed = NewMotion {
        title: "Composite A".into(),
        text: "Oppose and repeal it.".into(),
        seconded_by: Some(ben),
        ..motion("Composite A", ann)
    };
    let consent = |part: i64, by: MemberId| {
        let formed = formed.clone();
        async move {
            store
                .consent_to_composite(
                    cid,
                    part,
                    by,
                    &formed,
                    &event("composite.consented", "c"),
                    &event("motion.composited", "c"),
                )
                .await
        }
    };
    assert_eq!(consent(parts[0], ann).await.unwrap(), None);
    let twice = consent(parts[0], ann).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    assert_eq!(consent(parts[1], ben).await.unwrap(), None);
    let before = store.motions(id).await.unwrap().len();
    let events = event_count(store).await;
    let made = consent(parts[2], ben).await.unwrap().expect("formed");
    assert_eq!(
        event_count(store).await,
        events + 2,
        "the consent and the forming"
    );
    let motions = store.motions(id).await.unwrap();
    assert_eq!(motions.len(), before + 1);
    let new = motions.iter().find(|m| m.id == made).unwrap();
    assert_eq!(
        (
            new.state.as_str(),
            new.proposed_by,
            new.seconded_by,
            new.number
        ),
        ("proposed", Some(ann), Some(ben), 4)
    );
    assert_eq!(new.text, "Oppose and repeal it.");
    for p in &parts {
        let m = motions.iter().find(|m| m.id == *p).unwrap();
        assert_eq!((m.state.as_str(), m.set_aside_by), ("proposed", Some(made)));
    }
    let c = store.composite(cid).await.unwrap().unwrap();
    assert_eq!((c.state.as_str(), c.motion), ("formed", Some(made)));
    assert_eq!(
        c.parts
            .iter()
            .map(|p| (p.motion, p.consented_by))
            .collect::<Vec<_>>(),
        vec![
            (parts[0], Some(ann)),
            (parts[1], Some(ben)),
            (parts[2], Some(ben))
        ]
    );
    assert_eq!(store.composites(id).await.unwrap().len(), 2);
    assert!(store.composite(cid + 99).await.unwrap().is_none());
    // Set-aside motions cannot be composited again.
    let late = store
        .propose_composite(
            &composite(vec![parts[0], parts[1]]),
            &event("composite.proposed", "c"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
}

/// A ballot keeps who took part apart from what they chose: voters are issued links when it
/// opens, each voter puts one ballot in the box (the same ballot again is answered with its
/// tracker, a second is refused), the box stays sealed until close, and the count is recorded
/// once.
pub async fn ballots_keep_voters_apart_from_their_choices(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let cat = add(
        store,
        &new_member("Cat", "Ng", "cat@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Ballot 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "b".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben]
                .iter()
                .zip([o.brixton, o.leeds])
                .map(|(m, b)| NewRollEntry {
                    member: *m,
                    branch: b,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_ballot(
            &NewBallot {
                title: "Affiliation".into(),
                question: "Should the Network affiliate?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("ordinary-motion".into()),
                method: "yes-no".into(),
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: true,
                clause: Some("6.3".into()),
                rule: "more than half of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: vec![3, 1],
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!(
        (
            b.state.as_str(),
            b.options.len(),
            b.seats,
            b.later_vote_replaces,
            b.roll
        ),
        ("scheduled", 3, 1, true, roll)
    );
    assert_eq!(b.reminder_days, vec![3, 1]);
    assert_eq!(store.ballots().await.unwrap()[0].options[1], "No");
    let cast = |tracker: &str, submission: &str, replaces: Option<&str>| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: format!("v1:{tracker}"),
        replaces: replaces.map(str::to_string),
    };
    let early = store
        .cast_ballot(id, ann, &cast("T1", "S1", None), &event("ballot.cast", "b"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    assert!(matches!(
        store.ballot_box(id).await,
        Err(StoreError::Stale(_))
    ));
    let voter = |m: MemberId, branch: UnitId, link: &str| NewBallotVoter {
        member: m,
        branch,
        address: "x@example.org".into(),
        letter: format!("Your link: {link}"),
    };
    let letters = store
        .claim_outbox(t(86_400), t(86_400 + 60), 100)
        .await
        .unwrap()
        .len();
    store
        .open_ballot(
            id,
            &[voter(ann, o.brixton, "H1"), voter(ben, o.leeds, "H2")],
            "Your vote",
            &event("ballot.opened", "b"),
        )
        .await
        .unwrap();
    let queued = store
        .claim_outbox(t(86_400), t(86_400 + 60), 100)
        .await
        .unwrap();
    assert_eq!(queued.len(), letters + 2, "one letter per voter");
    assert!(queued.iter().any(|m| m.body == "Your link: H2"
        && m.meeting.is_none()
        && m.ballot == Some(id)
        && m.member == Some(ben)));
    let again = store
        .open_ballot(id, &[], "Your vote", &event("ballot.opened", "b"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!((b.state.as_str(), b.electorate), ("open", Some(2)));
    // No link opens a ballot until its letter goes; then only the one minted.
    assert_eq!(store.voter_by_link(id, "H2").await.unwrap(), None);
    let mint = |m: MemberId, hash: &str| VotingLinkMint {
        ballot: id,
        member: m,
        link_hash: hash.into(),
    };
    assert_eq!(
        store
            .mint_voting_links(&[mint(ann, "H1"), mint(ben, "H2"), mint(cat, "H3")])
            .await
            .unwrap(),
        vec![(id, ann), (id, ben)],
        "only voters get links"
    );
    assert_eq!(store.voter_by_link(id, "H2").await.unwrap(), Some(ben));
    assert_eq!(store.voter_by_link(id, "H3").await.unwrap(), None);
    assert_eq!(store.voter_by_link(id, "H9").await.unwrap(), None);

    let events = event_count(store).await;
    assert_eq!(
        store
            .cast_ballot(id, ann, &cast("T1", "S1", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::Recorded {
            tracker: "T1".into()
        }
    );
    assert_eq!(
        store
            .cast_ballot(id, ann, &cast("T9", "S1", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T1".into()
        }
    );
    assert_eq!(
        event_count(store).await,
        events + 1,
        "one event per ballot cast"
    );
    let second = store
        .cast_ballot(id, ann, &cast("T2", "S2", None), &event("ballot.cast", "b"))
        .await;
    assert!(
        matches!(second, Err(StoreError::Conflict { .. })),
        "{second:?}"
    );
    let stranger = store
        .cast_ballot(id, cat, &cast("T3", "S3", None), &event("ballot.cast", "b"))
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    assert!(matches!(
        store.ballot_voter(id, ann).await.unwrap(),
        Some(Some(_))
    ));
    assert_eq!(store.ballot_voter(id, ben).await.unwrap(), Some(None));
    assert_eq!(store.ballot_voter(id, cat).await.unwrap(), None);
    // Once voted, no new link; a reminder of the timetable goes once, to those not voted.
    assert!(
        store
            .mint_voting_links(&[mint(ann, "H1-again")])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.ballot_reminders(id).await.unwrap().is_empty());
    // Letters queued before are claimed (leased) here, so the next claim holds only new ones.
    store
        .claim_outbox(t(86_400 * 2), t(86_400 * 2 + 60), 100)
        .await
        .unwrap();
    let reminded = store
        .remind_voters(
            id,
            3,
            &[voter(ann, o.brixton, "R1"), voter(ben, o.leeds, "R2")],
            "Reminder",
            &event("ballot.reminded", "b"),
        )
        .await
        .unwrap();
    assert_eq!(reminded, 1, "only the voter who has not voted");
    let after = store
        .claim_outbox(t(86_400 * 2), t(86_400 * 2 + 60), 100)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert!(after[0].body == "Your link: R2" && after[0].ballot == Some(id));
    let twice = store
        .remind_voters(
            id,
            3,
            &[voter(ben, o.leeds, "R2")],
            "Reminder",
            &event("ballot.reminded", "b"),
        )
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let sent = store.ballot_reminders(id).await.unwrap();
    assert_eq!(
        sent.iter()
            .map(|r| (r.days_before, r.reminded))
            .collect::<Vec<_>>(),
        vec![(3, 1)]
    );
    // A later ballot replaces the earlier one only by naming it.
    let wrong = store
        .cast_ballot(
            id,
            ann,
            &cast("T4", "S4", Some("S9")),
            &event("ballot.cast", "b"),
        )
        .await;
    assert!(
        matches!(wrong, Err(StoreError::Conflict { .. })),
        "{wrong:?}"
    );
    store
        .cast_ballot(
            id,
            ann,
            &cast("T5", "S5", Some("S1")),
            &event("ballot.cast", "b"),
        )
        .await
        .unwrap();
    store
        .cast_ballot(id, ben, &cast("T0", "S0", None), &event("ballot.cast", "b"))
        .await
        .unwrap();
    let turnout = store.ballot_turnout(id).await.unwrap();
    assert_eq!(turnout.len(), 2);
    assert!(turnout.iter().all(|r| r.voters == 1 && r.voted == 1));
    assert!(matches!(
        store.ballot_box(id).await,
        Err(StoreError::Stale(_))
    ));

    store
        .close_ballot(id, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let late = store
        .cast_ballot(id, ben, &cast("T6", "S6", None), &event("ballot.cast", "b"))
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    // The acknowledged ballot is still answered after close.
    assert_eq!(
        store
            .cast_ballot(id, ben, &cast("T7", "S0", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T0".into()
        }
    );
    assert!(matches!(
        store.close_ballot(id, &event("ballot.closed", "b")).await,
        Err(StoreError::Stale(_))
    ));
    let boxed = store.ballot_box(id).await.unwrap();
    assert_eq!(
        boxed,
        vec![
            BoxedBallot {
                tracker: "T0".into(),
                sealed: "v1:T0".into()
            },
            BoxedBallot {
                tracker: "T5".into(),
                sealed: "v1:T5".into()
            },
        ],
        "the replaced ballot does not count"
    );
    store
        .record_ballot_count(id, "{}", "carried", &event("ballot.counted", "b"), None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .record_ballot_count(id, "{}", "carried", &event("ballot.counted", "b"), None)
            .await,
        Err(StoreError::Stale(_))
    ));

    // A ballot putting an amendment is counted only with the decision on it, in the same
    // transaction, and the attempt names the ballot.
    let amendment = store
        .propose_amendment(
            &NewAmendment {
                title: "Ballots by post".into(),
                toml: version("2025", d(2025, 1, 1)).toml,
                proposed_version: "2025".into(),
                effective: d(2025, 1, 1),
                proposed_by: Some(ann),
            },
            &event("constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let putting = store
        .create_ballot(
            &NewBallot {
                title: "Ballots by post".into(),
                question: "Adopt the amendment?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("constitutional-amendment".into()),
                method: "yes-no".into(),
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: false,
                clause: Some("7.1".into()),
                rule: "at least two thirds of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: Some(amendment),
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.ballot_amendment(putting).await.unwrap(),
        Some(amendment)
    );
    assert_eq!(store.ballot_amendment(id).await.unwrap(), None);
    store
        .open_ballot(putting, &[], "Your vote", &event("ballot.opened", "b"))
        .await
        .unwrap();
    store
        .close_ballot(putting, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let alone = store
        .record_ballot_count(
            putting,
            "{}",
            "carried",
            &event("ballot.counted", "b"),
            None,
        )
        .await;
    assert!(
        matches!(alone, Err(StoreError::Conflict { .. })),
        "{alone:?}"
    );
    store
        .record_ballot_count(
            putting,
            "{}",
            "carried",
            &event("ballot.counted", "b"),
            Some(&AmendmentDecision {
                amendment,
                attempt: attempt(d(2024, 5, 22), true),
                version: Some(version("2025", d(2025, 1, 1))),
                event: event("constitution.amended", "amendment"),
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        store.amendment(amendment).await.unwrap().unwrap().state,
        AmendmentState::Adopted
    );
    let attempts = store.amendment_attempts(Some(amendment)).await.unwrap();
    assert_eq!(
        (attempts[0].ballot, attempts[0].motion),
        (Some(putting), None)
    );
    assert_eq!(
        store.ballot(putting).await.unwrap().unwrap().state,
        BallotState::Counted
    );
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!(
        (b.state.as_str(), b.outcome.as_deref()),
        ("counted", Some("carried"))
    );
    assert!(store.ballot(id + 99).await.unwrap().is_none());
}

/// Ballots sent at the same moment go into the box together (group commit) and each is
/// answered as if it had come alone: the same ballot twice gets one tracker, a voter's second
/// ballot and a stranger's are refused without harming the others, a ballot for a ballot
/// that does not exist is not found, and each ballot that went in has its one event.
pub async fn ballots_cast_at_once_are_each_answered_as_alone(store: &dyn Store) {
    let o = org(store).await;
    let mut members = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
    ] {
        members.push(
            add(
                store,
                &new_member(first, "Voter", email, "SE1 7PB", o.brixton),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan] = [members[0], members[1], members[2], members[3]];
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Ballot 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben, cat]
                .iter()
                .map(|m| NewRollEntry {
                    member: *m,
                    branch: o.brixton,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_ballot(
            &NewBallot {
                title: "Affiliation".into(),
                question: "Should the Network affiliate?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("ordinary-motion".into()),
                method: "yes-no".into(),
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: false,
                clause: Some("6.3".into()),
                rule: "more than half of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let voters: Vec<NewBallotVoter> = [ann, ben, cat]
        .iter()
        .map(|m| NewBallotVoter {
            member: *m,
            branch: o.brixton,
            address: "x@example.org".into(),
            letter: "Your link".into(),
        })
        .collect();
    store
        .open_ballot(id, &voters, "Your vote", &event("ballot.opened", "b"))
        .await
        .unwrap();
    let cast = |tracker: &str, submission: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: format!("v1:{tracker}"),
        replaces: None,
    };
    let voted = event("ballot.voted", "b");
    let events = event_count(store).await;
    // The first is alone (nobody else has queued yet) and holds the turn while the rest
    // queue; they then go in one batch.
    let c: Vec<NewCast> = [
        ("T1", "S1"),
        ("T2", "S1"),
        ("T3", "S3"),
        ("T4", "S4"),
        ("T5", "S5"),
        ("T6", "S6"),
        ("T7", "S7"),
        ("T8", "S4"),
    ]
    .iter()
    .map(|(t, s)| cast(t, s))
    .collect();
    let (first, again, second, ben_in, stranger, nowhere, cat_in, ben_again) = tokio::join!(
        store.cast_ballot(id, ann, &c[0], &voted),
        store.cast_ballot(id, ann, &c[1], &voted),
        store.cast_ballot(id, ann, &c[2], &voted),
        store.cast_ballot(id, ben, &c[3], &voted),
        store.cast_ballot(id, dan, &c[4], &voted),
        store.cast_ballot(id + 99, cat, &c[5], &voted),
        store.cast_ballot(id, cat, &c[6], &voted),
        store.cast_ballot(id, ben, &c[7], &voted),
    );
    let recorded = |t: &str| CastOutcome::Recorded { tracker: t.into() };
    assert_eq!(first.unwrap(), recorded("T1"));
    assert_eq!(
        again.unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T1".into()
        }
    );
    assert!(
        matches!(second, Err(StoreError::Conflict { .. })),
        "{second:?}"
    );
    assert_eq!(ben_in.unwrap(), recorded("T4"));
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    assert!(
        matches!(nowhere, Err(StoreError::NotFound(_))),
        "{nowhere:?}"
    );
    assert_eq!(cat_in.unwrap(), recorded("T7"));
    assert_eq!(
        ben_again.unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T4".into()
        },
        "the same ballot twice in one batch is one ballot"
    );
    assert_eq!(
        event_count(store).await,
        events + 3,
        "one event per ballot that went in"
    );
    let turnout = store.ballot_turnout(id).await.unwrap();
    assert_eq!(turnout.iter().map(|r| r.voted).sum::<i64>(), 3);
    store
        .close_ballot(id, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let trackers: Vec<String> = store
        .ballot_box(id)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.tracker)
        .collect();
    assert_eq!(trackers, ["T1", "T4", "T7"]);
}

/// Nominations become valid at the constitution's number of nominators, a nominator counts
/// once, a withdrawn candidate takes no more nominations, the ballot is linked once, and the
/// winners are seated in one change that ends the body's current terms the day before.
pub async fn elections_nominate_and_seat_their_winners(store: &dyn Store) {
    let o = org(store).await;
    let mut people = Vec::new();
    for (first, email) in [
        ("Ann", "ann"),
        ("Ben", "ben"),
        ("Cat", "cat"),
        ("Dev", "dev"),
    ] {
        people.push(
            add(
                store,
                &new_member(
                    first,
                    "Okafor",
                    &format!("{email}@example.org"),
                    "SE1 7PB",
                    o.brixton,
                ),
            )
            .await,
        );
    }
    let (ann, ben, cat, dev) = (people[0], people[1], people[2], people[3]);
    let body = store
        .create_body(
            &NewBody {
                unit: o.national,
                name: "Steering Committee".into(),
                kind: "committee".into(),
                seats: 2,
                filled_by: "elected by conference".into(),
            },
            &event("body.created", "body"),
        )
        .await
        .unwrap();
    store
        .fill_seat(
            body,
            dev,
            Term {
                starts_on: d(2023, 1, 1),
                ends_on: None,
            },
            "appointed",
            &event("seat.filled", "body"),
        )
        .await
        .unwrap();
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Conference".into(),
                context: "conference".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[],
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_election(
            &NewElection {
                body: "steering-committee".into(),
                body_id: body,
                title: "Steering Committee 2024".into(),
                seats: 2,
                term_days: Some(365),
                roll,
                nominators: 2,
                clause: Some("6.7".into()),
                nominations_close_at: t(100),
                withdrawals_close_at: t(200),
                opens_at: t(300),
                closes_at: t(400),
                created_by: Some(ann),
            },
            &NoticeText {
                subject: "Nominations open: Steering Committee 2024".into(),
                body: "Nominations close soon.".into(),
            },
            &[
                Recipient {
                    member: ben,
                    address: "ben@example.org".into(),
                },
                Recipient {
                    member: cat,
                    address: "cat@example.org".into(),
                },
            ],
            &event("election.opened", "election"),
        )
        .await
        .unwrap();
    let e = store.election(id).await.unwrap().unwrap();
    assert_eq!(
        (e.seats, e.nominators, e.ballot, e.seated_at),
        (2, 2, None, None)
    );
    // The notice of nominations went to every recipient with the election.
    let letters = store
        .claim_outbox(t(1000), t(2000), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == "Nominations open: Steering Committee 2024")
        .map(|m| (m.member, m.address, m.body))
        .collect::<Vec<_>>();
    assert_eq!(
        letters,
        [
            (
                Some(ben),
                "ben@example.org".to_string(),
                "Nominations close soon.".to_string()
            ),
            (
                Some(cat),
                "cat@example.org".to_string(),
                "Nominations close soon.".to_string()
            ),
        ]
    );
    assert_eq!(store.elections().await.unwrap().len(), 1);
    let nominate = |candidate: MemberId, by: MemberId| async move {
        store
            .nominate(
                id,
                candidate,
                "Name",
                by,
                2,
                &event("election.nominated", "e"),
            )
            .await
    };
    let n = nominate(ann, ben).await.unwrap();
    assert_eq!((n.state.as_str(), n.nominators), ("seeking", 1));
    let twice = nominate(ann, ben).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let n = nominate(ann, cat).await.unwrap();
    assert_eq!((n.state.as_str(), n.nominators), ("valid", 2));
    nominate(ben, ann).await.unwrap();
    store
        .set_statement(n.id, "Vote for me", &event("election.statement", "e"))
        .await
        .unwrap();
    let cat_n = nominate(cat, ann).await.unwrap();
    store
        .withdraw_nomination(cat_n.id, &event("election.withdrawn", "e"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_nomination(cat_n.id, &event("election.withdrawn", "e"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        nominate(cat, ben).await,
        Err(StoreError::Stale(_))
    ));
    let list = store.nominations(id).await.unwrap();
    assert_eq!(
        list.iter().map(|n| n.state.as_str()).collect::<Vec<_>>(),
        ["valid", "seeking", "withdrawn"]
    );
    assert_eq!(list[0].statement, "Vote for me");

    let ballot = store
        .create_ballot(
            &NewBallot {
                title: "Steering Committee 2024".into(),
                question: "Elect two".into(),
                kind: BallotKind::Election,
                decision_kind: None,
                method: "scottish-stv".into(),
                seats: 2,
                roll,
                opens_at: t(300),
                closes_at: t(400),
                later_vote_replaces: false,
                clause: Some("6.7".into()),
                rule: "counted by scottish-stv for 2 seats".into(),
                options: vec!["Ann".into(), "Ben".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    store
        .attach_election_ballot(id, ballot, &event("election.ballot", "e"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .attach_election_ballot(id, ballot, &event("election.ballot", "e"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let term = Term {
        starts_on: d(2024, 6, 1),
        ends_on: Some(d(2025, 5, 31)),
    };
    store
        .seat_winners(
            id,
            &[ann, ben],
            term,
            "elected",
            &event("election.seated", "e"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .seat_winners(
                id,
                &[ann, ben],
                term,
                "elected",
                &event("election.seated", "e")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let holders = |on: NaiveDate| async move {
        let mut v: Vec<MemberId> = store
            .bodies(Some(o.national), on)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.id == body)
            .unwrap()
            .holders
            .iter()
            .map(|h| h.member)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        holders(d(2024, 5, 31)).await,
        vec![dev],
        "the old term ends the day before"
    );
    let mut winners = vec![ann, ben];
    winners.sort();
    assert_eq!(holders(d(2024, 6, 1)).await, winners);
    assert!(
        store
            .election(id)
            .await
            .unwrap()
            .unwrap()
            .seated_at
            .is_some()
    );
}

/// Paper ballots: a teller marks a voter whose envelope came back (not twice, not one who
/// voted online, not one off the roll); batches of papers are kept with every entry; a batch
/// goes into the box only with its agreed entry and only while papers do not outnumber the
/// paper voters; entries compare-and-set on how many there were; nothing of it can be
/// rewritten or removed. The scrutineer's reads: the voters with their marks (each read
/// logged), the ballot's trail without the per-voter events, and the box's size.
pub async fn paper_ballots_go_in_only_by_agreed_batches(store: &dyn Store) {
    let o = org(store).await;
    let mut members = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
        ("Eve", "eve@example.org"),
    ] {
        members.push(
            add(
                store,
                &new_member(first, "Voter", email, "SE1 7PB", o.brixton),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan, eve] = [members[0], members[1], members[2], members[3], members[4]];
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Ballot 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "d".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben, cat, dan]
                .iter()
                .map(|m| NewRollEntry {
                    member: *m,
                    branch: o.brixton,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_ballot(
            &NewBallot {
                title: "Affiliation".into(),
                question: "Should the Network affiliate?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("ordinary-motion".into()),
                method: "yes-no".into(),
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: false,
                clause: Some("6.3".into()),
                rule: "more than half of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let subject = format!("ballot:{id}");
    // Before it opens nothing is marked and no batch starts.
    assert!(matches!(
        store
            .mark_paper_voter(id, ben, ann, &event("ballot.paper_voted", &subject))
            .await,
        Err(StoreError::Stale(_))
    ));
    let batch = |papers: i64| NewPaperBatch {
        ballot: id,
        label: "postal box 1".into(),
        papers,
        created_by: ann,
    };
    assert!(matches!(
        store
            .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Stale(_))
    ));
    let voters: Vec<NewBallotVoter> = [ann, ben, cat, dan]
        .iter()
        .map(|m| NewBallotVoter {
            member: *m,
            branch: o.brixton,
            address: "x@example.org".into(),
            letter: "Your link".into(),
        })
        .collect();
    store
        .open_ballot(id, &voters, "Your vote", &event("ballot.opened", &subject))
        .await
        .unwrap();
    // Ann votes online.
    store
        .cast_ballot(
            id,
            ann,
            &NewCast {
                tracker: "ONLINE-1".into(),
                submission_hash: "S-ann".into(),
                sealed: "v1:ann".into(),
                replaces: None,
            },
            &event("ballot.voted", &subject),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let sub = subject.as_str();
    let mark = |m: MemberId| async move {
        store
            .mark_paper_voter(id, m, ann, &event("ballot.paper_voted", sub))
            .await
    };
    // Ann voted online, Eve is not on the roll: refused, nothing written.
    assert!(
        matches!(mark(ann).await, Err(StoreError::Conflict { .. })),
        "one who voted online is not marked again"
    );
    assert!(matches!(mark(eve).await, Err(StoreError::NotFound(_))));
    assert_eq!(event_count(store).await, events);
    // No paper voter yet: a batch would outnumber them.
    assert!(matches!(
        store
            .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    mark(ben).await.unwrap();
    mark(cat).await.unwrap();
    assert!(
        matches!(mark(ben).await, Err(StoreError::Conflict { .. })),
        "a paper voter is marked once"
    );
    assert_eq!(event_count(store).await, events + 2);
    assert!(
        store
            .ballot_voter(id, ben)
            .await
            .unwrap()
            .unwrap()
            .is_some()
    );
    // A marked paper voter's online ballot does not go in: it is kept aside, once (the
    // same one again gets the same answer), and shown on the mark.
    let online = |tracker: &str, submission: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: "v1:ben".into(),
        replaces: None,
    };
    for _ in 0..2 {
        assert_eq!(
            store
                .cast_ballot(
                    id,
                    ben,
                    &online("ONLINE-2", "S-ben"),
                    &event("ballot.voted", &subject)
                )
                .await
                .unwrap(),
            CastOutcome::SetAside {
                tracker: "ONLINE-2".into()
            }
        );
    }
    let again = store
        .cast_ballot(
            id,
            ben,
            &online("ONLINE-3", "S-ben-2"),
            &event("ballot.voted", &subject),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let marked = store.paper_mark(id, ben).await.unwrap().unwrap();
    assert!(marked.kept_aside && marked.reversed_at.is_none());
    assert_eq!(
        store.paper_tally(id).await.unwrap(),
        PaperTally {
            voters: 2,
            committed: 0,
            spoilt: 0
        }
    );
    // Three papers for two paper voters: refused.
    assert!(matches!(
        store
            .create_paper_batch(&batch(3), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let b1 = store
        .create_paper_batch(&batch(2), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    let entry = |teller: MemberId, papers: &str| NewPaperEntry {
        teller,
        papers: papers.into(),
    };
    let e1 = store
        .enter_paper_batch(
            b1,
            &entry(ann, "[[0],null]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    // An entry made against a stale view is refused.
    assert!(matches!(
        store
            .enter_paper_batch(
                b1,
                &entry(dan, "[[0],null]"),
                0,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let commit = |spoilt: i64, trackers: &[&str]| PaperCommit {
        ballots: trackers
            .iter()
            .map(|tr| NewCast {
                tracker: (*tr).into(),
                submission_hash: format!("paper-{tr}"),
                sealed: "v1:{\"ranks\":[0]}".into(),
                replaces: None,
            })
            .collect(),
        spoilt,
        event: event("ballot.paper_committed", &subject),
    };
    let e2 = store
        .enter_paper_batch(
            b1,
            &entry(dan, "[[0],null]"),
            1,
            Some(&commit(1, &["PAPER-1"])),
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    let got = store.paper_batch(b1).await.unwrap().unwrap();
    assert_eq!(
        (
            got.state.as_str(),
            got.agreed_entry,
            got.spoilt,
            got.entries.iter().map(|e| e.id).collect::<Vec<_>>()
        ),
        ("committed", Some(e2), Some(1), vec![e1, e2])
    );
    assert_eq!(got.entries[0].teller, ann);
    assert_eq!(got.entries[0].papers, "[[0],null]");
    assert_eq!(store.paper_batches(id).await.unwrap(), vec![got]);
    // A committed batch takes no more entries.
    assert!(matches!(
        store
            .enter_paper_batch(
                b1,
                &entry(cat, "[[0],null]"),
                2,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.paper_tally(id).await.unwrap(),
        PaperTally {
            voters: 2,
            committed: 2,
            spoilt: 1
        }
    );
    // Every paper voter's paper is in: one more batch cannot go in, even agreed.
    mark(dan).await.unwrap();
    let b2 = store
        .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    let b3 = store
        .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b2,
            &entry(ann, "[[1]]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b2,
            &entry(dan, "[[1]]"),
            1,
            Some(&commit(0, &["PAPER-2"])),
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b3,
            &entry(ann, "[[2]]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let stuffed = store
        .enter_paper_batch(
            b3,
            &entry(dan, "[[2]]"),
            1,
            Some(&commit(0, &["PAPER-3"])),
            &event("ballot.paper_entered", &subject),
        )
        .await;
    assert!(
        matches!(stuffed, Err(StoreError::Conflict { .. })),
        "{stuffed:?}"
    );
    assert_eq!(event_count(store).await, events, "nothing written");
    assert_eq!(
        store.paper_batch(b3).await.unwrap().unwrap().entries.len(),
        1
    );

    // The scrutineer's reads.
    let size = store.ballot_box_size(id).await.unwrap();
    assert_eq!(
        (size.counting, size.superseded, size.voted),
        (3, 0, 4),
        "Ann online, two papers (one spoilt) and Dan's"
    );
    assert_eq!(size.paper.voters, 3);
    let access = reader(eve, "ballot audit", t(500));
    let audit = store.ballot_roll_audit(id, 1, 3, &access).await.unwrap();
    assert_eq!(audit.voters.total, 4);
    assert_eq!(
        audit
            .voters
            .items
            .iter()
            .map(|l| (l.member, l.voted_at.is_some(), l.on_paper))
            .collect::<Vec<_>>(),
        vec![(ann, true, false), (ben, true, true), (cat, true, true)]
    );
    assert!(audit.challenges.is_empty());
    let page2 = store.ballot_roll_audit(id, 2, 3, &access).await.unwrap();
    assert_eq!(page2.voters.items.len(), 1);
    for m in [ann, ben, cat, dan] {
        let log = store.access_log(m, 1, 50).await.unwrap();
        assert!(
            log.items.iter().any(|e| e.reader == Some(eve)),
            "the scrutineer's read of member {} is logged",
            m.0
        );
    }
    let trail = store.ballot_trail(id).await.unwrap();
    let kinds: Vec<&str> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"ballot.created"));
    assert!(kinds.contains(&"ballot.opened"));
    assert!(kinds.contains(&"ballot.paper_committed"));
    assert!(!kinds.contains(&"ballot.voted") && !kinds.contains(&"ballot.paper_voted"));
    assert!(trail.windows(2).all(|w| w[0].seq < w[1].seq));

    // Nothing of it is rewritten or removed.
    store
        .close_ballot(id, &event("ballot.closed", &subject))
        .await
        .unwrap();
    assert!(matches!(
        store
            .enter_paper_batch(
                b3,
                &entry(dan, "[[2]]"),
                1,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(mark(cat).await, Err(StoreError::Stale(_))));
    let boxed = store.ballot_box(id).await.unwrap();
    assert_eq!(
        boxed.iter().map(|b| b.tracker.as_str()).collect::<Vec<_>>(),
        ["ONLINE-1", "PAPER-1", "PAPER-2"]
    );
}

/// Every test above, by name: the backends' test files expand this list with
/// [`conformance_tests!`](crate::conformance_tests).
/// Delegate conferences: the apportionment is recorded once with every branch; a branch's
/// credentials stop at its share and a member holds one; a challenge is lodged once per
/// member and ruled once, an upheld one striking the credential; a substitute stands in only
/// for an absent delegate of their branch; a card vote counts each card once beside the show
/// of hands, refuses those holding no card and a second vote, and takes none once closed.
pub async fn delegates_are_apportioned_credentialed_and_vote_by_card(store: &dyn Store) {
    let o = org(store).await;
    let mut leeds = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
    ] {
        leeds.push(
            add(
                store,
                &new_member(first, "Leeds", email, "LS1 1AA", o.leeds),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan] = leeds[..] else {
        unreachable!()
    };
    let york = add(
        store,
        &new_member("Yas", "York", "yas@example.org", "YO1 7HH", o.york),
    )
    .await;
    let invitees: Vec<NewInvitee> = [ann, ben, cat, dan, york]
        .iter()
        .map(|m| NewInvitee {
            member: *m,
            may_vote: true,
            address: format!("{}@example.org", m.0),
        })
        .collect();
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: "Annual conference".into(),
                starts_at: t(0),
                ends_at: t(0) + Duration::hours(8),
                mode: "physical".into(),
                place: Some("Hall".into()),
                online_url: None,
                agenda: "1. Motions".into(),
                notice_clause: None,
                notice_days: None,
                called_by: Some(ann),
                check_in_code: "CONF23".into(),
            },
            &invitees,
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    assert!(store.delegate_conference(meeting).await.unwrap().is_none());
    let apportionment = NewApportionment {
        meeting,
        clause: "6.8".into(),
        counted_on: d(2024, 9, 1),
        members_per_delegate: 2,
        minimum: 1,
        maximum: Some(10),
        substitutes: 1,
        card_vote: "split-among-present".into(),
        credentials_due_at: t(-7 * 86_400),
        challenges_close_at: t(-3 * 86_400),
        ruled_by: "chair".into(),
        allocations: vec![
            Allocation {
                branch: o.leeds,
                paid_up: 5,
                delegates: 2,
            },
            Allocation {
                branch: o.york,
                paid_up: 1,
                delegates: 1,
            },
            Allocation {
                branch: o.brixton,
                paid_up: 0,
                delegates: 0,
            },
        ],
        apportioned_by: Some(ann),
    };
    let before = event_count(store).await;
    store
        .apportion_delegates(&apportionment, &event("delegates.apportioned", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    assert!(matches!(
        store
            .apportion_delegates(&apportionment, &event("delegates.apportioned", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        event_count(store).await,
        before + 1,
        "a refusal writes nothing"
    );
    let conf = store.delegate_conference(meeting).await.unwrap().unwrap();
    assert_eq!(
        (
            conf.clause.as_str(),
            conf.counted_on,
            conf.maximum,
            conf.substitutes
        ),
        ("6.8", d(2024, 9, 1), Some(10), 1)
    );
    assert_eq!(conf.card_vote, "split-among-present");
    let shares = store.delegate_allocations(meeting).await.unwrap();
    assert_eq!(
        shares
            .iter()
            .map(|a| (a.branch_name.as_str(), a.paid_up, a.delegates))
            .collect::<Vec<_>>(),
        [("Brixton", 0, 0), ("Leeds", 5, 2), ("York", 1, 1)]
    );

    let credential = |member: MemberId, branch: UnitId, role: &str| NewCredential {
        meeting,
        branch,
        member,
        name: format!("member {}", member.0),
        role: role.into(),
        source: "elected at the branch meeting".into(),
        recorded_by: Some(ann),
    };
    let ev = || event("delegates.credentialed", "m");
    let c_ann = store
        .add_credential(&credential(ann, o.leeds, "delegate"), 2, &ev())
        .await
        .unwrap();
    let c_ben = store
        .add_credential(&credential(ben, o.leeds, "delegate"), 2, &ev())
        .await
        .unwrap();
    let before = event_count(store).await;
    let full = store
        .add_credential(&credential(cat, o.leeds, "delegate"), 2, &ev())
        .await;
    assert!(
        matches!(&full, Err(StoreError::Conflict { field, .. }) if field == "role"),
        "the branch's share is full: {full:?}"
    );
    let twice = store
        .add_credential(&credential(ann, o.leeds, "substitute"), 1, &ev())
        .await;
    assert!(
        matches!(&twice, Err(StoreError::Conflict { field, .. }) if field == "member"),
        "one credential a member: {twice:?}"
    );
    assert_eq!(event_count(store).await, before, "refusals write nothing");
    let c_cat = store
        .add_credential(&credential(cat, o.leeds, "substitute"), 1, &ev())
        .await
        .unwrap();
    let c_york = store
        .add_credential(&credential(york, o.york, "delegate"), 1, &ev())
        .await
        .unwrap();
    let shares = store.delegate_allocations(meeting).await.unwrap();
    let leeds_share = shares.iter().find(|a| a.branch == o.leeds).unwrap();
    assert_eq!(
        (leeds_share.named_delegates, leeds_share.named_substitutes),
        (2, 1)
    );
    let listed = store.delegate_credentials(meeting).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|c| (c.id, c.role.as_str()))
            .collect::<Vec<_>>(),
        [
            (c_ann, "delegate"),
            (c_ben, "delegate"),
            (c_cat, "substitute"),
            (c_york, "delegate")
        ]
    );

    // Challenges: once per member, ruled once; upheld strikes.
    let x1 = store
        .lodge_credential_challenge(c_ben, dan, "Ben's dues lapsed", &event("c", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .lodge_credential_challenge(c_ben, dan, "again", &event("c", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let x2 = store
        .lodge_credential_challenge(c_york, dan, "not elected", &event("c", "m"))
        .await
        .unwrap();
    store
        .rule_on_credential_challenge(
            x2,
            false,
            "minutes show the election",
            ann,
            &event("r", "m"),
        )
        .await
        .unwrap();
    store
        .rule_on_credential_challenge(x1, true, "dues had lapsed", ann, &event("r", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .rule_on_credential_challenge(x1, false, "changed my mind", ann, &event("r", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let ruled = store.credential_challenges(meeting).await.unwrap();
    assert_eq!(
        ruled
            .iter()
            .map(|x| (x.id, x.ruling.as_deref(), x.reason.as_deref()))
            .collect::<Vec<_>>(),
        [
            (x1, Some("upheld"), Some("dues had lapsed")),
            (x2, Some("rejected"), Some("minutes show the election"))
        ]
    );
    assert_eq!(
        store
            .delegate_credential(c_ben)
            .await
            .unwrap()
            .unwrap()
            .state,
        DelegateCredentialState::Struck
    );
    assert!(matches!(
        store
            .lodge_credential_challenge(c_ben, cat, "late", &event("c", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));

    // Check-in: a struck credential does not; a substitute stands in only for an absent
    // delegate of their own branch, once.
    let ci = || event("delegates.checked_in", "m");
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_ben, None, Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_cat, None, Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_cat, Some(c_york), Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .check_in_delegate(meeting, c_york, None, Some(ann), &ci())
        .await
        .unwrap();
    store
        .check_in_delegate(meeting, c_cat, Some(c_ann), Some(ann), &ci())
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .check_in_delegate(meeting, c_ann, None, Some(ann), &ci())
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "someone already stands in for Ann"
    );
    let cat_line = store.delegate_credential(c_cat).await.unwrap().unwrap();
    assert!(cat_line.present);
    assert_eq!(cat_line.stands_for, Some(c_ann));

    // A card vote.
    let motion = store
        .propose_motion(
            &NewMotion {
                meeting,
                kind: "ordinary-motion".into(),
                title: "Restore the committees".into(),
                text: "Conference restores the elected committees.".into(),
                matter: None,
                position: None,
                requires: None,
                proposed_by: Some(york),
                seconded_by: None,
                parent: None,
                target: None,
                emergency: false,
            },
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let card = |member, credential, branch, card| Card {
        member,
        credential,
        branch,
        card,
    };
    let cards = [card(cat, c_cat, o.leeds, 5), card(york, c_york, o.york, 1)];
    let ballot = |member: MemberId, choice: &str, submission: &str| NewCardBallot {
        motion,
        member,
        choice: choice.into(),
        submission: submission.into(),
    };
    assert!(matches!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .open_card_vote(
            motion,
            meeting,
            "split-among-present",
            &cards,
            Some(ann),
            &event("o", "m"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .open_card_vote(
                motion,
                meeting,
                "split-among-present",
                &cards,
                Some(ann),
                &event("o", "m")
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let before = event_count(store).await;
    assert_eq!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await
            .unwrap(),
        VoteReceipt::Recorded
    );
    assert_eq!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await
            .unwrap(),
        VoteReceipt::AlreadyRecorded
    );
    assert!(matches!(
        store
            .cast_card_vote(&ballot(cat, "against", "sub-cat-2"), &event("v", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(
        matches!(
            store
                .cast_card_vote(&ballot(dan, "for", "sub-dan-1"), &event("v", "m"))
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "Dan holds no card"
    );
    assert_eq!(event_count(store).await, before + 1, "one vote, one event");
    store
        .cast_card_vote(&ballot(york, "against", "sub-yas-1"), &event("v", "m"))
        .await
        .unwrap();
    let open = store.card_vote(motion).await.unwrap().unwrap();
    assert_eq!((open.holders, open.cards_held), (2, 6));
    let closed = store
        .close_card_vote(motion, &event("c", "m"))
        .await
        .unwrap();
    assert!(closed.closed_at.is_some());
    assert_eq!(
        (closed.hands_for, closed.hands_against, closed.hands_abstain),
        (1, 1, 0)
    );
    assert_eq!(
        (closed.cards_for, closed.cards_against, closed.cards_abstain),
        (5, 1, 0)
    );
    assert!(matches!(
        store.close_card_vote(motion, &event("c", "m")).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .cast_card_vote(&ballot(york, "for", "sub-yas-2"), &event("v", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let record = store.card_ballots(motion).await.unwrap();
    assert_eq!(
        record
            .iter()
            .map(|b| (b.member, b.choice.as_str(), b.card))
            .collect::<Vec<_>>(),
        [(cat, "for", 5), (york, "against", 1)]
    );
}

// ---------------------------------------------------------------- joining and leaving

fn applicant(first: &str, email: &str, branch: UnitId) -> NewApplication {
    let mut member = new_member(first, "Applicant", email, "LS2 9JT", branch);
    member.status = MemberStatus::Applicant;
    member.joined_on = d(2024, 11, 27);
    NewApplication {
        member,
        consent: "I support the aims of the organisation.".into(),
        clause: Some("3.1".into()),
    }
}

fn letter(member: Option<MemberId>, address: &str, subject: &str) -> Letter {
    Letter {
        member,
        address: address.into(),
        subject: subject.into(),
        body: format!("about: {subject}"),
    }
}

/// Every letter queued since the last call (claimed, so the next call sees only new ones).
async fn new_letters(store: &dyn Store) -> Vec<(Option<MemberId>, String, String)> {
    let mut out: Vec<(Option<MemberId>, String, String)> = store
        .claim_outbox(t(100_000), t(200_000), 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.member, m.address, m.subject))
        .collect();
    out.sort();
    out
}

pub async fn applications_are_submitted_and_decided_once(store: &dyn Store) {
    let o = org(store).await;
    let sec = add(
        store,
        &new_member("Sam", "Secretary", "sam@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ack = NoticeText {
        subject: "Your application".into(),
        body: "We have it.".into(),
    };
    let to_sec = [letter(Some(sec), "sam@example.org", "A new application")];
    let before = event_count(store).await;
    let (id, ada) = store
        .submit_application(
            &applicant("Ada", "ada@example.org", o.leeds),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    assert_eq!(
        event_count(store).await,
        before + 1,
        "one event per application"
    );
    let detail = store.member(ada, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Applicant);
    assert_eq!(detail.record.branch, o.leeds);
    assert_eq!(detail.status_history.len(), 1);
    assert_eq!(detail.status_history[0].from, None);
    assert_eq!(detail.status_history[0].to, MemberStatus::Applicant);
    assert_eq!(detail.status_history[0].reason, "test: member.applied");
    assert_eq!(
        new_letters(store).await,
        [
            (
                Some(sec),
                "sam@example.org".to_string(),
                "A new application".to_string()
            ),
            (
                Some(ada),
                "ada@example.org".to_string(),
                "Your application".to_string()
            ),
        ],
        "the applicant and the officers are written to in the same transaction"
    );

    // A registered address or a unit that is no branch writes nothing.
    let before = event_count(store).await;
    let err = store
        .submit_application(
            &applicant("Ada", "ADA@example.org", o.york),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    let err = store
        .submit_application(
            &applicant("Reg", "reg@example.org", o.north),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
    assert!(
        store
            .credentials("reg@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // Listing is scoped and every applicant listed is logged as read.
    let (id2, bo) = store
        .submit_application(
            &applicant("Bo", "bo@example.org", o.york),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    new_letters(store).await;
    let query = |scope, state| ApplicationQuery {
        scope,
        state,
        limit: 50,
    };
    let leeds = store
        .applications(
            &query(MemberScope::Branches(vec![o.leeds]), None),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert_eq!(leeds.iter().map(|a| a.id).collect::<Vec<_>>(), [id]);
    let a = &leeds[0];
    assert_eq!(
        (a.member, a.branch, a.branch_name.as_str(), a.email.as_str()),
        (ada, o.leeds, "Leeds", "ada@example.org")
    );
    assert_eq!(
        (a.state, a.status),
        (ApplicationState::Pending, MemberStatus::Applicant)
    );
    assert_eq!(a.consent, "I support the aims of the organisation.");
    assert_eq!(a.clause.as_deref(), Some("3.1"));
    assert_eq!(a.submitted_at, t(0));
    assert_eq!(
        (a.decided_at, a.decided_by, a.reason.as_deref()),
        (None, None, None)
    );
    assert_eq!(store.access_log(ada, 1, 10).await.unwrap().total, 1);
    assert_eq!(store.access_log(bo, 1, 10).await.unwrap().total, 0);
    let all = store
        .applications(
            &query(MemberScope::All, None),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [id, id2]);
    assert!(
        store
            .applications(
                &query(MemberScope::Branches(vec![]), None),
                &reader(sec, "applications", t(10)),
            )
            .await
            .unwrap()
            .is_empty(),
        "an empty scope lists nothing"
    );

    // Acceptance: applicant to active with history, joined on the day, letters queued.
    let accept = ApplicationDecision {
        state: ApplicationState::Accepted,
        reason: "welcome".into(),
        by: sec,
        on: d(2024, 12, 2),
    };
    let welcome = [letter(Some(ada), "ada@example.org", "Welcome")];
    let before = event_count(store).await;
    store
        .decide_application(
            id,
            &accept,
            &welcome,
            None,
            &by(sec, "member.application_accepted", "member:1"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    let detail = store.member(ada, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Active);
    assert_eq!(detail.record.joined_on, d(2024, 12, 2));
    let last = detail.status_history.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.effective_on, last.reason.as_str()),
        (
            Some(MemberStatus::Applicant),
            MemberStatus::Active,
            d(2024, 12, 2),
            "welcome"
        )
    );
    assert_eq!(last.changed_by, Some(sec));
    let decided = store.application(id, None).await.unwrap().unwrap();
    assert_eq!(decided.state, ApplicationState::Accepted);
    assert_eq!(decided.status, MemberStatus::Active);
    assert_eq!(decided.decided_by, Some(sec));
    assert_eq!(decided.decided_by_name.as_deref(), Some("Sam Secretary"));
    assert_eq!(decided.decided_at, Some(t(0)));
    assert_eq!(decided.reason.as_deref(), Some("welcome"));
    assert_eq!(new_letters(store).await.len(), 1);

    // Decided once: a second decision is stale and writes nothing.
    let before = event_count(store).await;
    let refuse = ApplicationDecision {
        state: ApplicationState::Refused,
        reason: "too late".into(),
        ..accept.clone()
    };
    let err = store
        .decide_application(
            id,
            &refuse,
            &welcome,
            None,
            &by(sec, "member.application_refused", "member:1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    let err = store
        .decide_application(
            9_999,
            &refuse,
            &[],
            None,
            &by(sec, "member.application_refused", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
    assert_eq!(
        store.application(id, None).await.unwrap().unwrap().state,
        ApplicationState::Accepted
    );

    // Refusal keeps the reason; the applicant's status is untouched. Reading one
    // application logs the read when it is someone else's.
    store
        .decide_application(
            id2,
            &refuse,
            &[letter(Some(bo), "bo@example.org", "Your application")],
            None,
            &by(sec, "member.application_refused", "member:2"),
        )
        .await
        .unwrap();
    let refused = store
        .application(id2, Some(&reader(sec, "application", t(20))))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refused.state, ApplicationState::Refused);
    assert_eq!(refused.status, MemberStatus::Applicant);
    assert_eq!(refused.reason.as_deref(), Some("too late"));
    // Listed once with every application, then read on its own.
    assert_eq!(store.access_log(bo, 1, 10).await.unwrap().total, 2);
    let pending = store
        .applications(
            &query(MemberScope::All, Some(ApplicationState::Pending)),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert!(pending.is_empty());

    // An applicant whose status changed meanwhile cannot be accepted.
    let (id3, cy) = store
        .submit_application(
            &applicant("Cy", "cy@example.org", o.leeds),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    store
        .change_status(
            cy,
            MemberStatus::Applicant,
            &StatusChangeInput {
                from: None,
                to: MemberStatus::Resigned,
                effective_on: d(2024, 11, 28),
                reason: "withdrew".into(),
                changed_by: Some(sec),
            },
            &by(sec, "member.status_changed", "member:3"),
        )
        .await
        .unwrap();
    let err = store
        .decide_application(
            id3,
            &accept,
            &[],
            None,
            &by(sec, "member.application_accepted", "member:3"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    assert_eq!(
        store.application(id3, None).await.unwrap().unwrap().state,
        ApplicationState::Pending,
        "a refused acceptance leaves the application pending"
    );
}

pub async fn repeat_applications_write_at_most_one_letter_a_day(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let already = letter(Some(ann), "ann@example.org", "You are already registered");
    let before = event_count(store).await;
    assert!(
        store
            .queue_quiet_letter(
                ann,
                &already,
                t(-86_400),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, before + 1);
    assert_eq!(new_letters(store).await.len(), 1);
    // Within the quiet period nothing is queued and nothing written.
    assert!(
        !store
            .queue_quiet_letter(
                ann,
                &already,
                t(-86_400),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, before + 1);
    assert!(new_letters(store).await.is_empty());
    // Once it has passed, one more.
    assert!(
        store
            .queue_quiet_letter(
                ann,
                &already,
                t(0),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(new_letters(store).await.len(), 1);
}

pub async fn resigning_ends_membership_offices_seats_and_sessions(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let office = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    let term = Term {
        starts_on: d(2024, 1, 1),
        ends_on: None,
    };
    store
        .appoint(office, ann, term, &event("office.appointed", "x"))
        .await
        .unwrap();
    let body = store
        .create_body(
            &NewBody {
                unit: o.leeds,
                name: "Leeds committee".into(),
                kind: "committee".into(),
                seats: 3,
                filled_by: "elected".into(),
            },
            &event("body.created", "x"),
        )
        .await
        .unwrap();
    store
        .fill_seat(body, ann, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    for (member, token) in [(ann, "ann-1"), (ann, "ann-2"), (ben, "ben-1")] {
        store
            .create_session(&SessionRecord {
                token_hash: token.into(),
                member,
                csrf_token: "c".into(),
                created_at: t(0),
                expires_at: t(3_600),
                second_factor_pending: false,
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.member_standing(ann).await.unwrap(),
        Some((o.leeds, MemberStatus::Active))
    );
    assert_eq!(store.member_standing(MemberId(9_999)).await.unwrap(), None);

    let change = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Resigned,
        effective_on: d(2024, 12, 2),
        reason: "moving abroad".into(),
        changed_by: Some(ann),
    };
    let goodbye = letter(Some(ann), "ann@example.org", "You have resigned");
    let before = event_count(store).await;
    store
        .resign(
            ann,
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:1"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    assert_eq!(
        store.member_standing(ann).await.unwrap(),
        Some((o.leeds, MemberStatus::Resigned))
    );
    let detail = store.member(ann, None).await.unwrap().unwrap();
    let last = detail.status_history.last().unwrap();
    assert_eq!(
        (
            last.from,
            last.to,
            last.effective_on,
            last.reason.as_str(),
            last.changed_by
        ),
        (
            Some(MemberStatus::Active),
            MemberStatus::Resigned,
            d(2024, 12, 2),
            "moving abroad",
            Some(ann)
        )
    );
    // Offices and seats end the day before; they were held until then.
    assert!(
        store
            .offices_held(ann, d(2024, 12, 2))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.offices_held(ann, d(2024, 12, 1)).await.unwrap().len(),
        1
    );
    let seats_on = |on| async move {
        store.bodies(Some(o.leeds), on).await.unwrap()[0]
            .holders
            .iter()
            .map(|h| h.member)
            .collect::<Vec<_>>()
    };
    assert!(seats_on(d(2024, 12, 2)).await.is_empty());
    assert_eq!(seats_on(d(2024, 12, 1)).await, [ann]);
    // Every session of theirs ends; nobody else's.
    assert!(store.session("ann-1").await.unwrap().is_none());
    assert!(store.session("ann-2").await.unwrap().is_none());
    assert!(store.session("ben-1").await.unwrap().is_some());
    assert_eq!(
        new_letters(store).await,
        [(
            Some(ann),
            "ann@example.org".to_string(),
            "You have resigned".to_string()
        )]
    );

    // Compare-and-set: a second resignation from the old status is stale and writes nothing.
    let before = event_count(store).await;
    let err = store
        .resign(
            ann,
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    let err = store
        .resign(
            MemberId(9_999),
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:9999"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
}

pub async fn ballot_boards_are_appended_once_per_author(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Board 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben]
                .iter()
                .zip([o.brixton, o.leeds])
                .map(|(m, b)| NewRollEntry {
                    member: *m,
                    branch: b,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let item = |kind, trustee, member: Option<MemberId>, body: &str| NewBoardItem {
        kind,
        trustee,
        member,
        body: body.into(),
    };
    let ballot = |board: Vec<NewBoardItem>| NewBallot {
        title: "Sealed".into(),
        question: "Should the Network affiliate?".into(),
        kind: BallotKind::Question,
        decision_kind: Some("ordinary-motion".into()),
        method: "yes-no".into(),
        seats: 1,
        roll,
        opens_at: t(100),
        closes_at: t(86_400 * 7),
        later_vote_replaces: false,
        clause: Some("6.3".into()),
        rule: "more than half of the votes cast".into(),
        options: vec!["Yes".into(), "No".into(), "Abstain".into()],
        created_by: Some(ann),
        amendment: None,
        reminder_days: Vec::new(),
        board,
    };
    let id = store
        .create_ballot(
            &ballot(vec![
                item(BoardItemKind::Setup, 0, None, r#"{"setup":1}"#),
                item(BoardItemKind::Trustee, 1, Some(ann), r#"{"t":1}"#),
                item(BoardItemKind::Trustee, 2, Some(ben), r#"{"t":2}"#),
            ]),
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let plain = store
        .create_ballot(&ballot(Vec::new()), &event("ballot.created", "ballot"))
        .await
        .unwrap();
    assert!(store.board_items(plain).await.unwrap().is_empty());

    let before = event_count(store).await;
    let seq = store
        .post_board_item(
            id,
            &["scheduled"],
            &item(BoardItemKind::Identity, 2, Some(ben), r#"{"id":2}"#),
            &event("ballot.trustee_identity", "b"),
        )
        .await
        .unwrap();
    assert_eq!(seq, 4);
    assert_eq!(
        event_count(store).await,
        before + 1,
        "posted with its event"
    );
    // The same author's same kind goes once; nothing is written by the attempt.
    let again = store
        .post_board_item(
            id,
            &["scheduled"],
            &item(BoardItemKind::Identity, 2, Some(ben), r#"{"id":"other"}"#),
            &event("ballot.trustee_identity", "b"),
        )
        .await;
    assert!(
        matches!(&again, Err(StoreError::Conflict { field, .. }) if field == "board"),
        "{again:?}"
    );
    // Only while the ballot is in a state the caller names.
    let late = store
        .post_board_item(
            id,
            &["closed"],
            &item(BoardItemKind::Share, 1, Some(ann), "{}"),
            &event("ballot.share", "b"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    let missing = store
        .post_board_item(
            9_999,
            &["scheduled"],
            &item(BoardItemKind::Identity, 1, None, "{}"),
            &event("ballot.share", "b"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(event_count(store).await, before + 1);

    let board = store.board_items(id).await.unwrap();
    assert_eq!(
        board
            .iter()
            .map(|i| (i.seq, i.kind, i.trustee, i.member, i.body.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (1, BoardItemKind::Setup, 0, None, r#"{"setup":1}"#),
            (2, BoardItemKind::Trustee, 1, Some(ann), r#"{"t":1}"#),
            (3, BoardItemKind::Trustee, 2, Some(ben), r#"{"t":2}"#),
            (4, BoardItemKind::Identity, 2, Some(ben), r#"{"id":2}"#),
        ]
    );

    // Encrypted ballots are public as they arrive; a plaintext box stays sealed.
    let voters = [(ann, o.brixton), (ben, o.leeds)].map(|(m, branch)| NewBallotVoter {
        member: m,
        branch,
        address: "x@example.org".into(),
        letter: "Your link: {link}".into(),
    });
    for b in [id, plain] {
        store
            .open_ballot(b, &voters, "Your vote", &event("ballot.opened", "b"))
            .await
            .unwrap();
    }
    assert!(store.encrypted_box(id).await.unwrap().is_empty());
    let cast = |tracker: &str, sealed: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: format!("S-{tracker}"),
        sealed: sealed.into(),
        replaces: None,
    };
    store
        .cast_ballot(
            id,
            ann,
            &cast("ab12", r#"v2:{"choices":[]}"#),
            &event("ballot.cast", "b"),
        )
        .await
        .unwrap();
    store
        .cast_ballot(plain, ann, &cast("T1", "v1:{}"), &event("ballot.cast", "b"))
        .await
        .unwrap();
    assert_eq!(
        store.encrypted_box(id).await.unwrap(),
        vec![BoxedBallot {
            tracker: "ab12".into(),
            sealed: r#"v2:{"choices":[]}"#.into()
        }]
    );
    assert!(store.encrypted_box(plain).await.unwrap().is_empty());
    assert!(matches!(
        store.ballot_box(plain).await,
        Err(StoreError::Stale(_))
    ));
}

#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@each $make;
            migrate_twice_and_ping,
            units_form_a_tree_and_slugs_are_unique,
            added_member_reads_back_with_history,
            duplicate_email_writes_nothing,
            events_are_ordered_one_per_change,
            status_changes_follow_expected_and_go_stale,
            concurrent_status_changes_let_exactly_one_win,
            payments_recompute_paid_up_until,
            affiliations_are_added_and_verified,
            transfers_move_the_member_and_keep_history,
            updates_change_fields_and_search,
            search_matches_any_part_of_name_email_or_postcode,
            search_sorts_and_pages,
            search_filters_combine,
            scope_never_leaks,
            reads_are_logged_for_each_member_returned,
            appointments_close_the_previous_term,
            bodies_have_seats_and_holders,
            sessions_and_passwords,
            branch_stats_count_statuses_and_paid_up,
            seeding_loads_members_with_histories,
            constitution_changes_only_by_amendment_with_events,
            member_facts_reflect_the_register_on_a_date,
            large_rolls_read_back_line_for_line,
            rolls_freeze_count_and_take_challenges,
            motions_are_seconded_amended_and_withdrawn,
            procedural_motions_take_effect_when_adopted,
            minutes_are_final_once_approved,
            agenda_items_and_papers_are_kept_for_the_record,
            polls_count_each_present_voter_once,
            meetings_notices_attendance_and_motions,
            letters_settle_in_bulk,
            requisitions_collect_signatures_and_are_answered,
            motions_require_meetings_and_overdue_requisitions_remind,
            composites_form_on_every_movers_consent,
            ballots_keep_voters_apart_from_their_choices,
            ballots_cast_at_once_are_each_answered_as_alone,
            elections_nominate_and_seat_their_winners,
            paper_ballots_go_in_only_by_agreed_batches,
            delegates_are_apportioned_credentialed_and_vote_by_card,
            applications_are_submitted_and_decided_once,
            repeat_applications_write_at_most_one_letter_a_day,
            resigning_ends_membership_offices_seats_and_sessions,
            ballot_boards_are_appended_once_per_author,
            units_are_established_renamed_merged_and_closed,
            offices_name_the_decision_they_came_from,
            invitations_carry_minted_tokens_that_work_once,
            a_new_letter_replaces_the_earlier_link,
            password_resets_are_silent_and_not_replaced_at_once,
            email_changes_wait_for_confirmation,
            password_changes_end_other_sessions,
            totp_steps_and_recovery_codes_are_accepted_once,
            account_policy_starts_off_and_changes_with_its_event,
            an_accepted_applicant_is_welcomed_with_an_invitation,
            imports_write_a_whole_register_in_one_transaction,
            imports_write_nothing_when_any_part_fails,
            import_matches_find_members_by_email_or_number,
            imports_of_many_members_are_searchable
        );
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                // `$make` returns None when the backend cannot run here (it says why).
                let Some((store, _guard)) = $make().await else { return };
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    /// The macro's list and this file's `pub async fn`s must agree, or a test silently
    /// never runs against a backend.
    #[test]
    fn macro_lists_every_suite_function() {
        let src = include_str!("conformance.rs");
        let (suite, rest) = src.split_once("#[macro_export]").unwrap();
        // The suite's own file first, then its parts in other files, in the order listed.
        let parts = [
            suite,
            include_str!("conformance/structure.rs"),
            include_str!("conformance/accounts.rs"),
            include_str!("conformance/import.rs"),
        ];
        let defined: Vec<&str> = parts
            .iter()
            .flat_map(|p| p.lines())
            .filter_map(|l| l.strip_prefix("pub async fn "))
            .filter_map(|l| l.split('(').next())
            .filter(|name| *name != "org")
            .collect();
        let list = rest
            .split_once("@each $make;")
            .unwrap()
            .1
            .split_once(");")
            .unwrap()
            .0;
        let listed: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(defined, listed);
    }
}
