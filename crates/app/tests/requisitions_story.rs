//! Clause 6.4 of the story's constitution: ten branches, by motions of their general
//! meetings, require a special conference. A branch motion calls for it whatever its matter or
//! position; the tenth branch brings the requisition to its threshold, the officers must call
//! the conference by the date the constitution sets, and once that date passes the
//! requisitions' timetable writes to those who must call it, citing the clause, every week
//! until they do.

mod common;

use charter_app::meetings::{MeetingRequest, RequisitionState};
use charter_app::{App, AppError, operator_actor};
use charter_domain::{MemberId, MemberStatus, UnitId, UnitKind};
use charter_model::{MeetingId, MotionId};
use charter_rules::MotionResult;
use charter_store::prelude::*;
use charter_store::{Delivery, NewBody, NewMotion, Term};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn app_at(w: &World, t: DateTime<Utc>) -> App {
    App::new(
        w.store.clone(),
        std::sync::Arc::new(charter_app::FixedClock(t)),
        charter_app::Settings {
            public_url: "https://charter.example".into(),
            ..charter_app::Settings::default()
        },
    )
}

/// Stands in for the sender: every letter queued by `t` is sent at `t`; returns those about
/// an overdue requisition as (address, subject, body).
async fn send_all(w: &World, t: DateTime<Utc>) -> Vec<(String, String, String)> {
    let mut overdue = Vec::new();
    loop {
        let batch = w
            .store
            .claim_outbox(t, t + chrono::Duration::minutes(5), 500)
            .await
            .unwrap();
        if batch.is_empty() {
            overdue.sort();
            return overdue;
        }
        for m in batch {
            w.store
                .record_delivery(m.id, &Delivery::Sent, t)
                .await
                .unwrap();
            if m.subject.starts_with("Overdue") {
                overdue.push((m.address, m.subject, m.body));
            }
        }
    }
}

async fn overdue_events(w: &World) -> usize {
    w.store
        .events(0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "requisition.overdue")
        .count()
}

fn meeting(unit: UnitId, body: &str, title: &str) -> MeetingRequest {
    MeetingRequest {
        body: body.into(),
        unit: Some(unit),
        kind: "general-meeting".into(),
        title: title.into(),
        starts_at: Some(at(2017, 8, 20, 18, 0)),
        ends_at: None,
        mode: "physical".into(),
        place: Some("Community hall".into()),
        online_url: None,
        agenda: "1. The new constitution".into(),
    }
}

/// A motion of `meeting` calling for a special conference, on `matter` when given.
fn calling(meeting: MeetingId, title: &str, matter: Option<(&str, &str)>) -> NewMotion {
    NewMotion {
        meeting,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch condemns the imposition of the new constitution and calls for a special conference to restore the elected committees.".into(),
        matter: matter.map(|(m, _)| m.to_string()),
        position: matter.map(|(_, p)| p.to_string()),
        requires: Some("special-conference".into()),
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    }
}

/// Eight more London branches of five active members each, and verified party members in
/// Havering so its meeting is quorate under the amendment: ten branches in all.
async fn ten_branches(w: &World) -> Vec<UnitId> {
    let london = w
        .store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == UnitKind::Region)
        .unwrap()
        .id;
    let mut branches = vec![w.southwark, w.havering];
    for b in 0..8 {
        let unit = w
            .store
            .create_unit(
                Some(london),
                UnitKind::Branch,
                &format!("Branch {b}"),
                &format!("branch-{b}"),
                &event("unit"),
            )
            .await
            .unwrap();
        for k in 0..5 {
            add(
                &w.store,
                200 + b * 10 + k,
                unit,
                MemberStatus::Active,
                true,
                Some(true),
                Some(w.secretary),
            )
            .await;
        }
        branches.push(unit);
    }
    for n in 100..106 {
        add(
            &w.store,
            n,
            w.havering,
            MemberStatus::Active,
            true,
            Some(true),
            Some(w.secretary),
        )
        .await;
    }
    branches
}

#[tokio::test]
async fn branch_motions_calling_for_a_conference_reach_it_and_overdue_letters_follow() {
    let w = world().await;
    amended(&w).await;
    let branches = ten_branches(&w).await;
    let london = w
        .store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == UnitKind::Region)
        .unwrap()
        .id;

    // 1 August: each branch's general meeting is called for the 20th, with a motion calling
    // for the special conference — on the constitution, for or against, or on no matter.
    let aug1 = app_at(&w, at(2017, 8, 1, 10, 0));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let matters = [
        Some(("constitution-2017", "oppose")),
        None,
        Some(("constitution-2017", "support")),
        Some(("elected-committees", "support")),
    ];
    let mut motions: Vec<(i64, Vec<i64>, Vec<MemberId>)> = Vec::new();
    for (k, branch) in branches.iter().enumerate() {
        let called = aug1
            .call_meeting(
                &secretary,
                &meeting(*branch, "branch-meeting", &format!("General meeting {k}")),
            )
            .await
            .unwrap();
        let voters = w.store.meeting_voters(called.id).await.unwrap();
        assert!(voters.len() >= 5, "branch {k} has {} voters", voters.len());
        let proposer = aug1.actor(voters[0]).await.unwrap();
        let mut ids = vec![
            aug1.propose_motion(
                &proposer,
                called.id,
                &calling(called.id, "Require a special conference", matters[k % 4]),
            )
            .await
            .unwrap(),
        ];
        // Southwark says it twice; it still counts as one branch.
        if k == 0 {
            ids.push(
                aug1.propose_motion(
                    &proposer,
                    called.id,
                    &calling(called.id, "Restore the elected committees", None),
                )
                .await
                .unwrap(),
            );
        }
        motions.push((
            called.id.0,
            ids.iter().map(|id| id.0).collect::<Vec<_>>(),
            voters,
        ));
    }
    assert_eq!(
        w.store
            .motion(MotionId(motions[0].1[0]))
            .await
            .unwrap()
            .unwrap()
            .requires
            .as_deref(),
        Some("special-conference")
    );

    // A motion may call only for a meeting the constitution lets branches require, and only
    // at a branch's meeting.
    let (first, _, voters) = &motions[0];
    let proposer = aug1.actor(voters[0]).await.unwrap();
    for (requires, says) in [
        (
            "annual-conference",
            "no clause of the constitution in force lets branches require an annual conference; a motion may call for a special-conference",
        ),
        (
            "Special Conference!",
            "name the meeting in lower-case words",
        ),
    ] {
        let refused = aug1
            .propose_motion(
                &proposer,
                MeetingId(*first),
                &NewMotion {
                    requires: Some(requires.into()),
                    ..calling(MeetingId(*first), "Another", None)
                },
            )
            .await;
        match refused {
            Err(AppError::Invalid(errs)) => {
                let msg = errs.0.get("requires").cloned().unwrap_or_default();
                assert!(msg.contains(says), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }
    let regional = aug1
        .call_meeting(
            &secretary,
            &meeting(london, "regional-meeting", "London regional meeting"),
        )
        .await
        .unwrap();
    let refused = aug1
        .propose_motion(
            &secretary,
            regional.id,
            &calling(regional.id, "The region requires one", None),
        )
        .await;
    match refused {
        Err(AppError::Invalid(errs)) => {
            let msg = errs.0.get("requires").cloned().unwrap_or_default();
            assert!(
                msg.contains("clause 6.4") && msg.contains("not a branch's meeting"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    send_all(&w, at(2017, 8, 1, 12, 0)).await;

    // 20 August: each adopts and publishes; the first opens the requisition in the
    // constitution's name and each branch counts once.
    let day = app_at(&w, at(2017, 8, 20, 18, 0));
    let secretary = day.actor(w.secretary).await.unwrap();
    let member = day.actor(w.ann).await.unwrap();
    assert!(day.requisitions(&member).await.unwrap().is_empty());
    for (k, (meeting, ids, voters)) in motions.iter().enumerate() {
        for v in voters {
            day.check_in(&secretary, MeetingId(*meeting), Some(*v), None)
                .await
                .unwrap();
        }
        let seconder = day.actor(voters[1]).await.unwrap();
        for motion in ids {
            day.second_motion(&seconder, MotionId(*motion))
                .await
                .unwrap();
            let n = u32::try_from(voters.len()).unwrap();
            let result = day
                .record_vote(&secretary, MotionId(*motion), n, 0, 0, None)
                .await
                .unwrap();
            assert!(matches!(result, MotionResult::Adopted(_)), "{result:?}");
            day.publish_motion(&secretary, MotionId(*motion))
                .await
                .unwrap();
        }
        let views = day.requisitions(&member).await.unwrap();
        assert_eq!(views.len(), 1, "one requisition, however many branches");
        let r = &views[0];
        assert_eq!(r.record.opened_by, None, "opened by the constitution");
        assert_eq!(r.record.matter, None);
        assert_eq!(r.record.kind, "special-conference");
        assert!(
            r.record
                .title
                .starts_with("Branches require a special conference"),
            "{}",
            r.record.title
        );
        assert_eq!(r.branches_supporting, u32::try_from(k + 1).unwrap());
        assert!(
            r.threshold
                .contains(&format!("10 branches needed, {} supported", k + 1)),
            "{}",
            r.threshold
        );
        if k < 9 {
            assert_eq!(r.state, RequisitionState::Collecting, "after {}", k + 1);
        } else {
            assert_eq!(r.state, RequisitionState::Reached);
            assert_eq!(r.record.reached_clause.as_deref(), Some("6.4"));
            assert_eq!(
                r.record.call_by,
                Some(NaiveDate::from_ymd_opt(2017, 9, 17).unwrap())
            );
        }
    }
    // The matter pages show the requisition their motions count towards.
    for matter in ["constitution-2017", "elected-committees"] {
        let on = day.requisitions_on_matter(matter).await.unwrap();
        assert_eq!(on.len(), 1, "{matter}");
        assert_eq!(on[0].branches_supporting, 10);
    }
    assert!(
        day.requisitions_on_matter("something-else")
            .await
            .unwrap()
            .is_empty()
    );
    let id = day.requisitions(&member).await.unwrap()[0].record.id;
    send_all(&w, at(2017, 8, 20, 19, 0)).await;

    // On its call-by date it is not yet overdue, and nobody is written to.
    let on_the_day = app_at(&w, at(2017, 9, 17, 23, 0));
    assert_eq!(on_the_day.run_requisition_clock().await.unwrap(), 0);
    assert_eq!(
        on_the_day.requisitions_standing().await.unwrap()[0].state,
        RequisitionState::Reached
    );
    assert!(send_all(&w, at(2017, 9, 17, 23, 0)).await.is_empty());

    // The next day it is overdue: the clause names no body, so the national officers who
    // call meetings are written to, citing it.
    let overdue = app_at(&w, at(2017, 9, 18, 9, 0));
    assert_eq!(
        overdue.requisitions_standing().await.unwrap()[0].state,
        RequisitionState::Overdue
    );
    assert_eq!(overdue.run_requisition_clock().await.unwrap(), 1);
    assert_eq!(overdue.run_requisition_clock().await.unwrap(), 0, "once");
    let letters = send_all(&w, at(2017, 9, 18, 9, 5)).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    let (address, subject, body) = &letters[0];
    assert_eq!(address, "m0@example.org");
    assert!(
        subject.starts_with("Overdue: the special conference"),
        "{subject}"
    );
    for says in [
        "secretary of National",
        "had to be called by 17 September 2017",
        "1 day overdue",
        "Clause 6.4, Special conference:",
        "A special conference must be called when 5% of the members",
        "10 branches needed, 10 supported",
        "https://charter.example/requisitions",
    ] {
        assert!(body.contains(says), "{says}: {body}");
    }
    assert_eq!(overdue_events(&w).await, 1);

    // Not again until a week has passed.
    let almost = app_at(&w, at(2017, 9, 25, 8, 59));
    assert_eq!(almost.run_requisition_clock().await.unwrap(), 0);
    assert!(send_all(&w, at(2017, 9, 25, 8, 59)).await.is_empty());
    let week = app_at(&w, at(2017, 9, 25, 9, 0));
    assert_eq!(week.run_requisition_clock().await.unwrap(), 1);
    let letters = send_all(&w, at(2017, 9, 25, 9, 5)).await;
    assert_eq!(letters.len(), 1);
    assert!(letters[0].2.contains("8 days overdue"), "{}", letters[0].2);
    assert_eq!(overdue_events(&w).await, 2);

    // Called and answered: no more letters.
    let secretary = week.actor(w.secretary).await.unwrap();
    let conference = week
        .call_meeting(
            &secretary,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "special-conference".into(),
                title: "Special conference".into(),
                starts_at: Some(at(2017, 10, 28, 10, 0)),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Conway Hall".into()),
                online_url: None,
                agenda: "Restore the elected committees".into(),
            },
        )
        .await
        .unwrap();
    week.answer_requisition(&secretary, id, conference.id)
        .await
        .unwrap();
    send_all(&w, at(2017, 9, 25, 10, 0)).await;
    for later in [at(2017, 10, 2, 9, 0), at(2017, 10, 30, 9, 0)] {
        let then = app_at(&w, later);
        assert_eq!(then.run_requisition_clock().await.unwrap(), 0);
        assert!(send_all(&w, later).await.is_empty());
        assert!(then.requisitions_standing().await.unwrap().is_empty());
    }
    assert_eq!(overdue_events(&w).await, 2);
}

/// A clause that names the body which must call the meeting has its seat holders written to,
/// not the national officers.
#[tokio::test]
async fn the_bodies_the_clause_names_are_written_to() {
    let w = world().await;
    let may = app_on(&w.store, d(2017, 5, 19));
    may.found_constitution(operator_actor(), FOUNDING)
        .await
        .unwrap();
    let secretary = actor(&may, w.secretary).await;
    let naming = AMENDMENT.replace(
        "branches = 10\n",
        "branches = 10\ncalled_by = [\"steering-committee\"]\n",
    );
    assert_ne!(naming, AMENDMENT);
    let id = may
        .propose_amendment(&secretary, "Votes for party members", &naming)
        .await
        .unwrap();
    // Held before Charter: the secretary and the chair enter the conference from its minutes.
    let chair = national_chair(&w).await;
    let june = app_on(&w.store, d(2017, 6, 12));
    let recorded = enter_twice(
        &june,
        [w.secretary, chair],
        id,
        &conference(d(2017, 5, 20), d(2017, 6, 10)),
    )
    .await;
    assert!(
        matches!(
            recorded,
            charter_app::amending::HistoricalOutcome::Recorded { adopted: true, .. }
        ),
        "{recorded:?}"
    );
    chair_resigns(&w, chair).await;
    let steering = w
        .store
        .create_body(
            &NewBody {
                unit: w.national,
                name: "Steering Committee".into(),
                kind: "steering-committee".into(),
                seats: 5,
                filled_by: "elected by conference".into(),
            },
            &event("body.created"),
        )
        .await
        .unwrap();
    let mut havering = Vec::new();
    for n in 100..106 {
        havering.push(
            add(
                &w.store,
                n,
                w.havering,
                MemberStatus::Active,
                true,
                Some(true),
                Some(w.secretary),
            )
            .await,
        );
    }
    for m in &havering[..2] {
        w.store
            .fill_seat(
                steering,
                *m,
                Term {
                    starts_on: d(2017, 6, 1),
                    ends_on: None,
                },
                "elected",
                &event("seat.filled"),
            )
            .await
            .unwrap();
    }

    // Members require it by signing until 5% have.
    let aug21 = app_at(&w, at(2017, 8, 21, 10, 0));
    let opener = aug21.actor(w.secretary).await.unwrap();
    let id = aug21
        .open_requisition(
            &opener,
            "special-conference",
            "Restore the elected committees",
            "",
            None,
        )
        .await
        .unwrap();
    for m in std::iter::once(w.ann).chain(havering.iter().copied()) {
        let a = aug21.actor(m).await.unwrap();
        aug21.sign_requisition(&a, id).await.unwrap();
        if aug21.requisitions(&a).await.unwrap()[0].state != RequisitionState::Collecting {
            break;
        }
    }
    let r = w.store.requisition(id).await.unwrap().unwrap();
    let call_by = r.call_by.expect("reached");
    send_all(&w, at(2017, 8, 21, 11, 0)).await;

    let late = call_by
        .succ_opt()
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    assert_eq!(app_at(&w, late).run_requisition_clock().await.unwrap(), 1);
    let letters = send_all(&w, late).await;
    let to: Vec<&str> = letters.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(to, ["m100@example.org", "m101@example.org"]);
    for (_, _, body) in &letters {
        assert!(
            body.contains("a member of the Steering Committee"),
            "{body}"
        );
    }
}
