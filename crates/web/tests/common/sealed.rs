//! Sealed ballots for the web tests: a constitution whose ballot clause names trustees, put
//! in force lawfully, and the office holders a sealed ballot needs.

use charter_app::amending::{HistoricalDecision, HistoricalOutcome};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_store::{EventActor, NewEvent, Term};
use chrono::Days;

use super::ballots::app_at;
use super::{TestApp, now, today};

/// Adds the trustees' lines to the ballot clause of the version in force and adopts it, by
/// a special conference entered as held before the organisation used Charter (as the demo
/// adopts its own amendment), to take effect 20 days ago.
pub async fn trustees_in_force(app: &TestApp) {
    let a = app.app();
    let (info, _) = a.constitution_in_force(today()).await.unwrap();
    let (_, toml) = a.constitution_text(info.id).await.unwrap();
    let effective = today() - Days::new(20);
    let mut added = 0;
    let text = toml
        .lines()
        .map(|l| {
            if l.starts_with("version = ") {
                "version = \"trustees\"".to_string()
            } else if l.starts_with("effective = ") {
                format!("effective = {effective}")
            } else if l.trim() == "scrutineer = \"scrutineer\"" {
                added += 1;
                format!(
                    "{l}\ntrustee_offices = [\"scrutineer\", \"secretary\"]\ntrustees = 3\ntrustee_threshold = 2"
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(added, 1, "one ballot clause: {toml}");
    let offices = app.store().offices(None, today()).await.unwrap();
    let national = |kind| {
        offices
            .iter()
            .find(|o| o.kind == kind && o.unit_kind == UnitKind::National)
            .and_then(|o| o.holder)
            .unwrap()
    };
    let (secretary, chair) = (national(OfficeKind::Secretary), national(OfficeKind::Chair));
    let proposed = app_at(
        app,
        (effective - Days::new(60))
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc(),
    );
    let id = proposed
        .propose_amendment(
            &proposed.actor(secretary).await.unwrap(),
            "Ballots encrypted to three trustees",
            &text,
        )
        .await
        .unwrap();
    let meeting = effective - Days::new(21);
    let entitled = app.store().member_facts(meeting).await.unwrap().len() as u32;
    let present = (entitled / 10).max(100).min(entitled);
    let decision = HistoricalDecision {
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: Some(effective - Days::new(42)),
        held_on: meeting,
        entitled,
        present,
        votes_for: present * 7 / 10,
        votes_against: present / 4,
        abstentions: present - present * 7 / 10 - present / 4,
    };
    let mut outcome = None;
    for officer in [secretary, chair] {
        outcome = Some(
            a.enter_historical_decision(&a.actor(officer).await.unwrap(), id, &decision)
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
    a.constitution_changed().await;
    let (info, _) = a.constitution_in_force(today()).await.unwrap();
    assert_eq!(info.version, "trustees");
}

fn setup_event(kind: &str) -> NewEvent {
    NewEvent {
        at: now(),
        actor: EventActor {
            member: None,
            office: Some("test setup".into()),
        },
        kind: kind.into(),
        subject: "office".into(),
        payload: "{}".into(),
        reason: "test setup".into(),
    }
}

/// The holder of `kind` over a unit of `unit_kind`, appointing `fallback` to a new such
/// office when there is none.
pub async fn holder(
    app: &TestApp,
    kind: OfficeKind,
    unit_kind: UnitKind,
    fallback: Option<MemberId>,
) -> MemberId {
    let offices = app.store().offices(None, today()).await.unwrap();
    if let Some(h) = offices
        .iter()
        .find(|o| o.kind == kind && o.unit_kind == unit_kind)
        .and_then(|o| o.holder)
    {
        return h;
    }
    let fallback = fallback.expect("someone to appoint");
    let unit = offices
        .iter()
        .find(|o| o.unit_kind == unit_kind)
        .unwrap()
        .unit;
    let office = app
        .store()
        .create_office(unit, kind, &setup_event("office.created"))
        .await
        .unwrap();
    app.store()
        .appoint(
            office,
            fallback,
            Term {
                starts_on: today() - Days::new(60),
                ends_on: None,
            },
            &setup_event("office.appointed"),
        )
        .await
        .unwrap();
    fallback
}
