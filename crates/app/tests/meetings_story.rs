//! The meetings story (S1, S4) through the app on SQLite with fixed dates, under the 2017
//! amendment: the steering committee, called on 2 days' notice where 7 are required,
//! "dissolves" the elected committees — recorded as not binding, citing the clauses, and the
//! committees still exist; Southwark and Havering, properly called, adopt motions opposing
//! the new constitution, publish them, and the national tally counts them.

mod common;

use charter_app::meetings::MeetingRequest;
use charter_app::{App, AppError};
use charter_domain::{MemberId, MemberStatus, UnitId};
use charter_model::{MeetingId, MotionId};
use charter_rules::MotionResult;
use charter_store::prelude::*;
use charter_store::{Delivery, NewBody, NewMotion, Term, VoteReceipt};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn app_at(w: &World, t: DateTime<Utc>) -> App {
    App::new(
        w.store.clone(),
        std::sync::Arc::new(charter_app::FixedClock(t)),
        charter_app::Settings::default(),
    )
}

/// Stands in for the notice sender: every queued notice delivered at `t`.
async fn deliver_all(w: &World, t: DateTime<Utc>) -> usize {
    let mut n = 0;
    loop {
        let batch = w
            .store
            .claim_outbox(t, t + chrono::Duration::minutes(5), 500)
            .await
            .unwrap();
        if batch.is_empty() {
            return n;
        }
        for m in batch {
            w.store
                .record_delivery(m.id, &Delivery::Sent, t)
                .await
                .unwrap();
            n += 1;
        }
    }
}

fn general_meeting(branch: UnitId, title: &str) -> MeetingRequest {
    MeetingRequest {
        body: "branch-meeting".into(),
        unit: Some(branch),
        kind: "general-meeting".into(),
        title: title.into(),
        starts_at: Some(at(2017, 8, 20, 18)),
        ends_at: None,
        mode: "physical".into(),
        place: Some("Community hall".into()),
        online_url: None,
        agenda: "1. The new constitution".into(),
    }
}

fn oppose(title: &str) -> NewMotion {
    NewMotion {
        meeting: MeetingId(0),
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the constitution imposed in June and calls for its repeal."
            .into(),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: None,
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    }
}

/// Havering decides by secret electronic vote: every voter present votes once (all for but
/// the last), a resent vote counts nothing, a second vote and one before voting opens are
/// refused, the tellers' form is closed to it, and closing decides from the count.
async fn secret_vote(
    app: &App,
    secretary: &charter_domain::Actor,
    motion: MotionId,
    voters: &[MemberId],
) -> MotionResult {
    assert!(matches!(
        app.cast_vote(secretary, motion, "for", "early-key-1").await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        app.open_voting(secretary, motion, "by show of hands").await,
        Err(AppError::Invalid(_))
    ));
    app.open_voting(secretary, motion, "secret").await.unwrap();
    assert!(matches!(
        app.record_vote(secretary, motion, 9, 0, 0, None).await,
        Err(AppError::Conflict { .. })
    ));
    for (k, m) in voters.iter().enumerate() {
        let voter = app.actor(*m).await.unwrap();
        let choice = if k + 1 == voters.len() {
            "against"
        } else {
            "for"
        };
        let key = format!("key-{k:04}-abcdef");
        assert_eq!(
            app.cast_vote(&voter, motion, choice, &key).await.unwrap(),
            VoteReceipt::Recorded
        );
        if k == 0 {
            assert_eq!(
                app.cast_vote(&voter, motion, choice, &key).await.unwrap(),
                VoteReceipt::AlreadyRecorded
            );
            assert!(matches!(
                app.cast_vote(&voter, motion, "against", "another-key-0")
                    .await,
                Err(AppError::Conflict { .. })
            ));
            assert!(matches!(
                app.cast_vote(&voter, motion, "maybe", "another-key-1")
                    .await,
                Err(AppError::Invalid(_))
            ));
            let seen = app.poll_view(&voter, motion).await.unwrap();
            assert!(seen.open() && seen.mine.as_ref().is_some_and(|(_, c)| c.is_none()));
        }
    }
    let result = app.close_voting(secretary, motion).await.unwrap();
    let closed = app.poll_view(secretary, motion).await.unwrap();
    let n = i64::try_from(voters.len()).unwrap();
    assert_eq!(
        (
            closed.poll.voted,
            closed.poll.votes_for,
            closed.poll.votes_against
        ),
        (n, n - 1, 1)
    );
    assert!(matches!(
        app.close_voting(secretary, motion).await,
        Err(AppError::Conflict { .. })
    ));
    result
}

#[tokio::test]
async fn short_notice_cannot_bind_and_branch_motions_add_up() {
    let w = world().await;
    amended(&w).await;
    // Verified party members in Havering, who may vote there and sit on the steering committee.
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
    let ev = |k: &str| charter_store::NewEvent {
        at: at(2017, 7, 2, 9),
        actor: charter_store::EventActor {
            member: None,
            office: Some("test".into()),
        },
        kind: k.into(),
        subject: "test".into(),
        payload: "{}".into(),
        reason: "test".into(),
    };
    let term = Term {
        starts_on: NaiveDate::from_ymd_opt(2017, 7, 1).unwrap(),
        ends_on: None,
    };
    let mut bodies = Vec::new();
    for (name, seats) in [("Steering Committee", 7), ("National Committee", 12)] {
        bodies.push(
            w.store
                .create_body(
                    &NewBody {
                        unit: w.national,
                        name: name.into(),
                        kind: "committee".into(),
                        seats,
                        filled_by: "elected by conference".into(),
                    },
                    &ev("body.created"),
                )
                .await
                .unwrap(),
        );
    }
    for m in std::iter::once(w.secretary).chain(havering.iter().copied()) {
        w.store
            .fill_seat(bodies[0], m, term, "elected", &ev("seat.filled"))
            .await
            .unwrap();
    }

    // 14 August: the steering committee is called for the 17th — 2 clear days, 7 required.
    let aug14 = app_at(&w, at(2017, 8, 14, 10));
    let secretary = aug14.actor(w.secretary).await.unwrap();
    let member = aug14.actor(w.ann).await.unwrap();
    let hasty = MeetingRequest {
        body: "steering-committee".into(),
        unit: None,
        kind: "committee-meeting".into(),
        title: "Steering committee".into(),
        starts_at: Some(at(2017, 8, 17, 18)),
        ends_at: None,
        mode: "online".into(),
        place: None,
        online_url: Some("https://meet.example.org/steering".into()),
        agenda: "Reorganisation".into(),
    };
    assert!(matches!(
        aug14.call_meeting(&member, &hasty).await,
        Err(AppError::Forbidden(_))
    ));
    match aug14
        .call_meeting(
            &secretary,
            &MeetingRequest {
                kind: "tea-party".into(),
                starts_at: Some(at(2017, 8, 1, 18)),
                online_url: Some("not a link".into()),
                ..hasty.clone()
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            for f in ["kind", "starts_at", "online_url"] {
                assert!(text.contains(f), "{f} in {text}");
            }
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    let called = aug14.call_meeting(&secretary, &hasty).await.unwrap();
    assert_eq!(called.invited, 7, "the committee's seat holders");
    let warning = called.short_notice.expect("warned");
    assert!(
        warning.contains("clause 6.1") && warning.contains("7 clear days"),
        "{warning}"
    );
    assert_eq!(deliver_all(&w, at(2017, 8, 14, 11)).await, 7);
    let motion = aug14
        .propose_motion(
            &secretary,
            called.id,
            &NewMotion {
                kind: "dissolve-body".into(),
                title: "Dissolve the national and regional committees".into(),
                text: "The national committee and the regional committees are dissolved.".into(),
                matter: None,
                position: None,
                ..oppose("")
            },
        )
        .await
        .unwrap();

    let evening = app_at(&w, at(2017, 8, 17, 18));
    let secretary = evening.actor(w.secretary).await.unwrap();
    for m in std::iter::once(w.secretary).chain(havering.iter().copied().take(5)) {
        let who = (m != w.secretary).then_some(m);
        evening
            .check_in(&secretary, called.id, who, None)
            .await
            .unwrap();
    }
    let view = evening.meeting_view(&secretary, called.id).await.unwrap();
    assert_eq!(view.convening.properly_convened, Some(false));
    assert!(
        view.convening.explanation.contains("clause 6.1"),
        "{}",
        view.convening.explanation
    );
    assert_eq!((view.present, view.entitled_to_vote), (6, 7));
    // Put only when seconded (clause 6.5), and never by its own proposer.
    match evening.record_vote(&secretary, motion, 6, 0, 0, None).await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(message.contains("clause 6.5"), "{message}")
        }
        other => panic!("an unseconded motion was put: {other:?}"),
    }
    assert!(matches!(
        evening.second_motion(&secretary, motion).await,
        Err(AppError::Conflict { .. })
    ));
    let seconder = evening.actor(havering[0]).await.unwrap();
    evening.second_motion(&seconder, motion).await.unwrap();
    match evening
        .record_vote(&secretary, motion, 6, 0, 0, None)
        .await
        .unwrap()
    {
        MotionResult::NotBinding(nb) => {
            let clauses: Vec<&str> = nb.clauses().into_iter().map(|c| c.as_str()).collect();
            assert!(clauses.contains(&"6.1"), "notice: {nb}");
            assert!(
                clauses.contains(&"6.3"),
                "only conference dissolves a body: {nb}"
            );
        }
        other => panic!("expected not binding, got {other:?}"),
    }
    let recorded = w.store.motion(motion).await.unwrap().unwrap();
    assert_eq!(recorded.state, charter_domain::MotionState::NotBinding);
    assert!(recorded.failures_json.unwrap().contains("6.1"));
    let still: Vec<String> = w
        .store
        .bodies(
            Some(w.national),
            NaiveDate::from_ymd_opt(2017, 8, 18).unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(
        still.contains(&"National Committee".to_string()),
        "{still:?}"
    );
    assert!(matches!(
        evening.publish_motion(&secretary, motion).await,
        Err(AppError::Conflict { .. })
    ));

    // 1 August: both branches called with 18 clear days' notice; motions proposed in time.
    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let mut branch_motions = Vec::new();
    for (branch, name, proposer) in [
        (w.southwark, "Southwark general meeting", w.secretary),
        (w.havering, "Havering general meeting", havering[0]),
    ] {
        let called = aug1
            .call_meeting(&secretary, &general_meeting(branch, name))
            .await
            .unwrap();
        assert!(called.short_notice.is_none(), "{:?}", called.short_notice);
        let proposer = aug1.actor(proposer).await.unwrap();
        let id = aug1
            .propose_motion(
                &proposer,
                called.id,
                &NewMotion {
                    meeting: called.id,
                    ..oppose("Oppose the new constitution")
                },
            )
            .await
            .unwrap();
        branch_motions.push((called.id, id));
    }
    // A member of neither roll may not propose; an empty motion is refused.
    let outsider: MemberId = w.lapsed;
    let outsider = aug1.actor(outsider).await.unwrap();
    assert!(matches!(
        aug1.propose_motion(&outsider, branch_motions[0].0, &oppose("Mine"))
            .await,
        Err(AppError::Forbidden(_))
    ));
    deliver_all(&w, at(2017, 8, 1, 12)).await;

    let meeting_day = app_at(&w, at(2017, 8, 20, 18));
    let secretary = meeting_day.actor(w.secretary).await.unwrap();
    for (meeting, motion) in &branch_motions {
        let view = meeting_day
            .meeting_view(&secretary, *meeting)
            .await
            .unwrap();
        assert_eq!(
            view.convening.properly_convened,
            Some(true),
            "{}",
            view.convening.explanation
        );
        // Everyone entitled to vote is there: one voter checks in with the code the chair
        // reads out; the secretary checks in the rest.
        let voters = w.store.meeting_voters(*meeting).await.unwrap();
        let code = meeting_day
            .check_in_code(&secretary, *meeting)
            .await
            .unwrap()
            .expect("called with a code");
        let own = voters.iter().copied().find(|v| *v != w.secretary);
        {
            let voter = own.expect("a voter who is not the secretary");
            let voter = meeting_day.actor(voter).await.unwrap();
            assert!(matches!(
                meeting_day.check_in_code(&voter, *meeting).await,
                Err(AppError::Forbidden(_))
            ));
            for wrong in [None, Some(""), Some("ZZZZZZ")] {
                assert!(matches!(
                    meeting_day.check_in(&voter, *meeting, None, wrong).await,
                    Err(AppError::Invalid(_))
                ));
            }
            let typed = format!(" {}-{} ", &code[..3], code[3..].to_lowercase());
            meeting_day
                .check_in(&voter, *meeting, None, Some(&typed))
                .await
                .unwrap();
        }
        for m in voters.iter().filter(|v| Some(**v) != own) {
            meeting_day
                .check_in(&secretary, *meeting, Some(*m), None)
                .await
                .unwrap();
        }
        let proposer = w.store.motion(*motion).await.unwrap().unwrap().proposed_by;
        let seconder = voters
            .iter()
            .find(|v| Some(**v) != proposer)
            .copied()
            .unwrap();
        let seconder = meeting_day.actor(seconder).await.unwrap();
        meeting_day.second_motion(&seconder, *motion).await.unwrap();
        let n = u32::try_from(voters.len()).unwrap();
        let result = if *meeting == branch_motions[0].0 {
            meeting_day
                .record_vote(&secretary, *motion, n - 1, 1, 0, None)
                .await
                .unwrap()
        } else {
            secret_vote(&meeting_day, &secretary, *motion, &voters).await
        };
        assert!(matches!(result, MotionResult::Adopted(_)), "{result:?}");
        meeting_day
            .publish_motion(&secretary, *motion)
            .await
            .unwrap();
    }
    // A second vote on a decided motion is refused and changes nothing.
    assert!(matches!(
        meeting_day
            .record_vote(&secretary, branch_motions[0].1, 0, 9, 0, None)
            .await,
        Err(AppError::Conflict { .. })
    ));
    let tally = meeting_day.matter_tally("constitution-2017").await.unwrap();
    assert_eq!((tally.oppose, tally.support, tally.branches), (2, 0, 2));
    assert_eq!(tally.by_region.len(), 1);
    assert_eq!(tally.by_region[0].1, "London");
    assert_eq!(tally.by_region[0].2, 2);
    let statements = meeting_day.statements_of(w.southwark).await.unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].motion.title, "Oppose the new constitution");

    // Members require a special conference: 5% of the active members must sign (clause 6.4).
    let aug21 = app_at(&w, at(2017, 8, 21, 10));
    let opener = aug21.actor(w.secretary).await.unwrap();
    let id = aug21
        .open_requisition(
            &opener,
            "special-conference",
            "Restore the elected committees",
            "To reverse the steering committee's decisions",
            Some("special-conference-2017"),
        )
        .await
        .unwrap();
    let lapsed = aug21.actor(w.lapsed).await.unwrap();
    assert!(matches!(
        aug21.sign_requisition(&lapsed, id).await,
        Err(AppError::Forbidden(_))
    ));
    let mut signers = vec![w.ann];
    signers.extend(havering.iter().copied());
    let mut state = charter_app::meetings::RequisitionState::Collecting;
    for m in signers {
        let a = aug21.actor(m).await.unwrap();
        aug21.sign_requisition(&a, id).await.unwrap();
        let views = aug21.requisitions(&a).await.unwrap();
        state = views[0].state;
        assert!(views[0].signed);
        if state != charter_app::meetings::RequisitionState::Collecting {
            assert!(
                views[0].threshold.contains("clause 6.4"),
                "{}",
                views[0].threshold
            );
            break;
        }
    }
    assert_eq!(state, charter_app::meetings::RequisitionState::Reached);
    let r = w.store.requisition(id).await.unwrap().unwrap();
    assert_eq!(
        r.call_by,
        Some(NaiveDate::from_ymd_opt(2017, 9, 18).unwrap())
    );
    // Ignored past its date, it shows as overdue to every member.
    let late = app_at(&w, at(2017, 9, 25, 10));
    let member = late.actor(w.ann).await.unwrap();
    assert_eq!(
        late.requisitions(&member).await.unwrap()[0].state,
        charter_app::meetings::RequisitionState::Overdue
    );
    let secretary = late.actor(w.secretary).await.unwrap();
    let conference = late
        .call_meeting(
            &secretary,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "special-conference".into(),
                title: "Special conference".into(),
                starts_at: Some(at(2017, 10, 20, 10)),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Conway Hall".into()),
                online_url: None,
                agenda: "Restore the elected committees".into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        late.answer_requisition(&member, id, conference.id).await,
        Err(AppError::Forbidden(_))
    ));
    late.answer_requisition(&secretary, id, conference.id)
        .await
        .unwrap();
    assert_eq!(
        late.requisitions(&member).await.unwrap()[0].state,
        charter_app::meetings::RequisitionState::Answered
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_go_out_over_smtp_and_complete_when_the_last_is_settled() {
    use charter_mail::{Mailer, SmtpConfig};
    use charter_test_support::{Refusal, SmtpSink};

    let w = world().await;
    amended(&w).await;
    let sink = SmtpSink::start().await;
    // Ann's server refuses her for good; the secretary's is busy and says try later.
    sink.refuse("m1@example.org", Refusal::Permanent);
    sink.refuse("m0@example.org", Refusal::Transient);
    let config = SmtpConfig::from_url(&format!(
        "smtp://127.0.0.1:{}?from=Charter%20%3Cnotices%40example.org%3E",
        sink.port()
    ))
    .unwrap();
    let mailer = std::sync::Arc::new(Mailer::new(&config).unwrap());

    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let called = aug1
        .call_meeting(
            &secretary,
            &general_meeting(w.southwark, "Southwark general meeting"),
        )
        .await
        .unwrap();
    assert!(called.invited > 2);
    let round = app_at(&w, at(2017, 8, 1, 10))
        .deliver_due(&mailer, 500, 4)
        .await
        .unwrap();
    assert_eq!(round.sent, called.invited - 2, "{round:?}");
    assert_eq!((round.failed, round.retried), (1, 1), "{round:?}");
    let mail = sink.messages();
    assert_eq!(mail.len(), called.invited - 2);
    let one = &mail[0];
    assert_eq!(
        one.header("Subject").as_deref(),
        Some("Notice of meeting: Southwark general meeting")
    );
    let calendar = one
        .parts()
        .into_iter()
        .find(|p| p.media_type() == "text/calendar")
        .expect("a calendar invitation");
    assert!(
        calendar.body.contains("METHOD:REQUEST"),
        "{}",
        calendar.body
    );
    assert!(
        calendar
            .body
            .contains(&format!("UID:meeting-{}@charter", called.id)),
        "{}",
        calendar.body
    );
    assert!(
        calendar.body.contains("DTSTART:20170820T180000Z"),
        "{}",
        calendar.body
    );

    // One notice is still waiting, so notice is not complete; it is retried with a delay.
    let progress = w.store.notice_progress(called.id).await.unwrap();
    assert_eq!((progress.queued, progress.failed), (1, 1));
    assert!(
        w.store
            .meeting(called.id)
            .await
            .unwrap()
            .unwrap()
            .notice_complete_at
            .is_none()
    );
    let soon = app_at(&w, at(2017, 8, 1, 10))
        .deliver_due(&mailer, 500, 4)
        .await
        .unwrap();
    assert_eq!(soon.settled(), 0, "not due again before its delay");
    // It keeps being refused; after the last attempt it is given up and notice is complete.
    let mut hour = 11;
    loop {
        let r = app_at(&w, at(2017, 8, 1, hour))
            .deliver_due(&mailer, 500, 4)
            .await
            .unwrap();
        if r.failed == 1 {
            break;
        }
        assert_eq!(r.retried, 1, "{r:?}");
        hour += 2;
        assert!(hour < 24, "given up within the day");
    }
    let m = w.store.meeting(called.id).await.unwrap().unwrap();
    assert_eq!(m.notice_complete_at, Some(at(2017, 8, 1, hour)));
    assert_eq!(
        w.store.notice_progress(called.id).await.unwrap(),
        charter_store::NoticeProgress {
            queued: 0,
            sent: (called.invited - 2) as i64,
            failed: 2
        }
    );
}

/// Clause 6.5 of the story's constitution: motions are due 14 clear days before a general
/// meeting and amendments 7; amendments may be amended once more; motions are put seconded
/// and after their amendments; an adopted amendment rewords the motion, kept as a version
/// with its diff; a proposer withdraws before the vote.
#[tokio::test]
async fn motions_come_in_time_are_amended_in_order_and_may_be_withdrawn() {
    let w = world().await;
    amended(&w).await;
    // Enough verified party members in Southwark to vote and make the meeting quorate.
    for n in 200..206 {
        add(
            &w.store,
            n,
            w.southwark,
            MemberStatus::Active,
            true,
            Some(true),
            Some(w.secretary),
        )
        .await;
    }
    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let called = aug1
        .call_meeting(
            &secretary,
            &general_meeting(w.southwark, "Southwark general meeting"),
        )
        .await
        .unwrap();
    deliver_all(&w, at(2017, 8, 1, 12)).await;
    let voters = w.store.meeting_voters(called.id).await.unwrap();
    let others: Vec<MemberId> = voters
        .iter()
        .copied()
        .filter(|v| *v != w.secretary)
        .collect();
    assert!(others.len() >= 3, "the world has voters in Southwark");
    let motion = |title: &str, text: &str| NewMotion {
        meeting: called.id,
        text: text.into(),
        matter: None,
        position: None,
        ..oppose(title)
    };
    let main = aug1
        .propose_motion(
            &secretary,
            called.id,
            &motion("Delegates", "Send two delegates."),
        )
        .await
        .unwrap();
    let spare = aug1
        .propose_motion(
            &secretary,
            called.id,
            &motion("Spare", "A motion to withdraw."),
        )
        .await
        .unwrap();
    let parked = aug1
        .propose_motion(
            &secretary,
            called.id,
            &motion("Parked", "A motion set aside."),
        )
        .await
        .unwrap();

    // 6 August: motions were due by the 5th; amendments by the 12th.
    let aug6 = app_at(&w, at(2017, 8, 6, 10));
    let secretary = aug6.actor(w.secretary).await.unwrap();
    match aug6
        .propose_motion(&secretary, called.id, &motion("Late", "Too late."))
        .await
    {
        Err(AppError::Conflict { message, .. }) => {
            assert!(
                message.contains("2017-08-05") && message.contains("6.5"),
                "{message}"
            )
        }
        other => panic!("a late motion was taken: {other:?}"),
    }
    let a = aug6.actor(others[0]).await.unwrap();
    let b = aug6.actor(others[1]).await.unwrap();
    assert!(matches!(
        aug6.amend_motion(&a, main, "Send two delegates.").await,
        Err(AppError::Invalid(_))
    ));
    let a1 = aug6
        .amend_motion(&a, main, "Send three delegates.")
        .await
        .unwrap();
    let a2 = aug6
        .amend_motion(&b, a1, "Send four delegates.")
        .await
        .unwrap();
    match aug6.amend_motion(&a, a2, "Send five delegates.").await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(message.contains("6.5"), "{message}")
        }
        other => panic!("a third level of amendment was taken: {other:?}"),
    }
    let aug13 = app_at(&w, at(2017, 8, 13, 10));
    let late = aug13.actor(others[0]).await.unwrap();
    match aug13.amend_motion(&late, main, "Send no delegates.").await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(message.contains("2017-08-12"), "{message}")
        }
        other => panic!("a late amendment was taken: {other:?}"),
    }
    // Only the proposer (or an officer) withdraws; the spare motion goes.
    let stranger = aug6.actor(others[2]).await.unwrap();
    assert!(matches!(
        aug6.withdraw_motion(&stranger, spare).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        aug6.withdraw_motion(&secretary, spare).await.unwrap(),
        [spare]
    );

    // At the meeting: everyone checks in; business is seconded, amendments go first.
    let day = app_at(&w, at(2017, 8, 20, 18));
    let secretary = day.actor(w.secretary).await.unwrap();
    for v in &voters {
        day.check_in(&secretary, called.id, Some(*v), None)
            .await
            .unwrap();
    }
    let c = day.actor(others[2]).await.unwrap();
    for m in [main, a1, a2] {
        day.second_motion(&c, m).await.unwrap();
    }
    let n = u32::try_from(voters.len()).unwrap();
    for (m, undecided) in [(main, a1), (a1, a2)] {
        match day.record_vote(&secretary, m, n, 0, 0, None).await {
            Err(AppError::Conflict { message, .. }) => {
                let number = w.store.motion(undecided).await.unwrap().unwrap().number;
                assert!(
                    message.contains("amendments are decided first")
                        && message.contains(&format!("number {number}")),
                    "{message}"
                )
            }
            other => panic!("a motion was put before its amendments: {other:?}"),
        }
    }
    let r = day
        .record_vote(&secretary, a2, 1, n - 1, 0, None)
        .await
        .unwrap();
    assert!(matches!(r, MotionResult::Rejected(_)), "{r:?}");
    assert!(matches!(
        day.record_vote(&secretary, a1, n, 0, 0, None)
            .await
            .unwrap(),
        MotionResult::Adopted(_)
    ));
    let reworded = w.store.motion(main).await.unwrap().unwrap();
    assert_eq!(reworded.text, "Send three delegates.");
    let history = day.motion_history(main).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].0.amendment, Some(a1));
    let diff = history[1].1.as_ref().unwrap().to_string();
    assert_eq!(diff, "Send [-two-]{+three+} delegates.");
    assert!(matches!(
        day.record_vote(&secretary, main, n, 0, 0, None)
            .await
            .unwrap(),
        MotionResult::Adopted(_)
    ));
    // Decided business cannot be withdrawn or amended.
    assert!(matches!(
        day.withdraw_motion(&secretary, main).await,
        Err(AppError::Conflict { .. })
    ));

    // Late business: an emergency motion, taken only once two thirds admit it (clause 6.6).
    assert!(matches!(
        day.propose_motion(&secretary, called.id, &motion("Late", "Not an emergency."))
            .await,
        Err(AppError::Conflict { .. })
    ));
    let emergency = day
        .propose_motion(
            &secretary,
            called.id,
            &NewMotion {
                emergency: true,
                ..motion("Strike fund", "Support the strikers.")
            },
        )
        .await
        .unwrap();
    day.second_motion(&c, emergency).await.unwrap();
    match day.record_vote(&secretary, emergency, n, 0, 0, None).await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(
                message.contains("admit") && message.contains("6.6"),
                "{message}"
            )
        }
        other => panic!("an emergency motion was put unadmitted: {other:?}"),
    }
    assert!(matches!(
        day.move_procedural(&c, called.id, "filibuster", None).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        day.move_procedural(&c, called.id, "next-business", None)
            .await,
        Err(AppError::Invalid(_))
    ));
    let admit = day
        .move_procedural(&c, called.id, "admit-emergency-motion", Some(emergency))
        .await
        .unwrap();
    day.second_motion(&secretary, admit).await.unwrap();
    let r = day
        .record_vote(&secretary, admit, n - 2, 2, 0, None)
        .await
        .unwrap();
    assert!(matches!(r, MotionResult::Adopted(_)), "{r:?}");
    let r = day
        .record_vote(&secretary, emergency, n, 0, 0, None)
        .await
        .unwrap();
    assert!(matches!(r, MotionResult::Adopted(_)), "{r:?}");

    // Next business sets a motion aside undecided; adjourning ends the business.
    let skip = day
        .move_procedural(&c, called.id, "next-business", Some(parked))
        .await
        .unwrap();
    day.second_motion(&secretary, skip).await.unwrap();
    day.second_motion(&c, parked).await.unwrap();
    day.record_vote(&secretary, skip, n - 1, 1, 0, None)
        .await
        .unwrap();
    match day.record_vote(&secretary, parked, n, 0, 0, None).await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(message.contains("set aside"), "{message}")
        }
        other => panic!("a motion set aside was put: {other:?}"),
    }
    let stop = day
        .move_procedural(&c, called.id, "adjourn", None)
        .await
        .unwrap();
    day.second_motion(&secretary, stop).await.unwrap();
    day.record_vote(&secretary, stop, n - 1, 1, 0, None)
        .await
        .unwrap();
    match day.move_procedural(&c, called.id, "adjourn", None).await {
        Err(AppError::Conflict { message, .. }) => {
            assert!(message.contains("adjourned"), "{message}")
        }
        other => panic!("business after the adjournment: {other:?}"),
    }

    // The next meeting may rescind what this one decided, but not what it rejected.
    let aug21 = app_at(&w, at(2017, 8, 21, 10));
    let secretary = aug21.actor(w.secretary).await.unwrap();
    let next = aug21
        .call_meeting(
            &secretary,
            &MeetingRequest {
                starts_at: Some(at(2017, 9, 30, 18)),
                ..general_meeting(w.southwark, "Southwark general meeting (September)")
            },
        )
        .await
        .unwrap();
    let rescind = |target: MotionId| NewMotion {
        meeting: next.id,
        kind: "rescind".into(),
        target: Some(target),
        ..motion("Rescind", "That the decision be rescinded.")
    };
    assert!(matches!(
        aug21
            .propose_motion(&secretary, next.id, &rescind(a2))
            .await,
        Err(AppError::Invalid(_))
    ));
    let undo = aug21
        .propose_motion(&secretary, next.id, &rescind(main))
        .await
        .unwrap();
    assert_eq!(
        w.store.motion(undo).await.unwrap().unwrap().target,
        Some(main)
    );

    // August's minutes, drafted from the record and kept by the secretary, approved in
    // September: final from then on.
    let after = app_at(&w, at(2017, 8, 20, 21));
    let secretary = after.actor(w.secretary).await.unwrap();
    let draft = after.draft_minutes(&secretary, called.id).await.unwrap();
    insta::assert_snapshot!("august_minutes", draft);
    let member = after.actor(others[0]).await.unwrap();
    assert!(matches!(
        after.save_minutes(&member, called.id, &draft).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        after.save_minutes(&secretary, called.id, "  ").await,
        Err(AppError::Invalid(_))
    ));
    after
        .save_minutes(&secretary, called.id, &draft)
        .await
        .unwrap();
    let secretary = aug21.actor(w.secretary).await.unwrap();
    assert!(matches!(
        aug21
            .put_minutes_for_approval(&secretary, called.id, next.id)
            .await,
        Err(AppError::Invalid(_))
    ));
    let approval = aug21
        .put_minutes_for_approval(&secretary, next.id, called.id)
        .await
        .unwrap();
    deliver_all(&w, at(2017, 8, 21, 12)).await;
    let september = app_at(&w, at(2017, 9, 30, 18));
    let secretary = september.actor(w.secretary).await.unwrap();
    let voters = w.store.meeting_voters(next.id).await.unwrap();
    for v in &voters {
        september
            .check_in(&secretary, next.id, Some(*v), None)
            .await
            .unwrap();
    }
    let c = september.actor(others[2]).await.unwrap();
    september.second_motion(&c, approval).await.unwrap();
    let n = u32::try_from(voters.len()).unwrap();
    let r = september
        .record_vote(&secretary, approval, n, 0, 0, None)
        .await
        .unwrap();
    assert!(matches!(r, MotionResult::Adopted(_)), "{r:?}");
    let minutes = september.minutes(called.id).await.unwrap().unwrap();
    assert_eq!(minutes.state, charter_domain::MinutesState::Approved);
    assert!(matches!(
        september
            .save_minutes(&secretary, called.id, "Rewritten.")
            .await,
        Err(AppError::Conflict { .. })
    ));
}

/// Clause 6.4: ten branches, by motions of their general meetings, require a special
/// conference. The first branch's published motion on `special-conference-2017` opens the
/// requisition in the constitution's name; the tenth brings it to its threshold, and the
/// officers must call the conference by the date the constitution sets.
#[tokio::test]
async fn ten_branches_motions_open_and_reach_a_special_conference_requisition() {
    use charter_app::meetings::RequisitionState;
    use charter_domain::UnitKind;

    let w = world().await;
    amended(&w).await;
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
        let name = format!("Branch {b}");
        let unit = w
            .store
            .create_unit(
                Some(london),
                UnitKind::Branch,
                &name,
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
    // Havering's verified party members, so its meeting is quorate under the amendment.
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

    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let mut motions = Vec::new();
    for (k, branch) in branches.iter().enumerate() {
        let called = aug1
            .call_meeting(
                &secretary,
                &general_meeting(*branch, &format!("General meeting {k}")),
            )
            .await
            .unwrap();
        let voters = w.store.meeting_voters(called.id).await.unwrap();
        assert!(voters.len() >= 5, "branch {k} has {} voters", voters.len());
        let proposer = aug1.actor(voters[0]).await.unwrap();
        let motion = aug1
            .propose_motion(
                &proposer,
                called.id,
                &NewMotion {
                    meeting: called.id,
                    title: "Require a special conference".into(),
                    text: "This branch requires a special conference to restore the elected committees."
                        .into(),
                    matter: Some("special-conference-2017".into()),
                    position: Some("support".into()),
                    ..oppose("")
                },
            )
            .await
            .unwrap();
        motions.push((called.id, motion, voters));
    }
    deliver_all(&w, at(2017, 8, 1, 12)).await;

    let day = app_at(&w, at(2017, 8, 20, 18));
    let secretary = day.actor(w.secretary).await.unwrap();
    let member = day.actor(w.ann).await.unwrap();
    assert!(day.requisitions(&member).await.unwrap().is_empty());
    for (k, (meeting, motion, voters)) in motions.iter().enumerate() {
        for v in voters {
            day.check_in(&secretary, *meeting, Some(*v), None)
                .await
                .unwrap();
        }
        let seconder = day.actor(voters[1]).await.unwrap();
        day.second_motion(&seconder, *motion).await.unwrap();
        let n = u32::try_from(voters.len()).unwrap();
        let result = day
            .record_vote(&secretary, *motion, n, 0, 0, None)
            .await
            .unwrap();
        assert!(matches!(result, MotionResult::Adopted(_)), "{result:?}");
        day.publish_motion(&secretary, *motion).await.unwrap();

        let views = day.requisitions(&member).await.unwrap();
        assert_eq!(views.len(), 1, "one requisition, however many branches");
        let r = &views[0];
        assert_eq!(r.record.opened_by, None, "opened by the constitution");
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
            assert_eq!(
                r.state,
                RequisitionState::Collecting,
                "after {} branches",
                k + 1
            );
            // Members sign the same requisition; they cannot open a second on its matter.
            if k == 0 {
                assert!(matches!(
                    day.open_requisition(
                        &member,
                        "special-conference",
                        "Another one",
                        "",
                        Some("special-conference-2017"),
                    )
                    .await,
                    Err(AppError::Conflict { .. })
                ));
            }
        } else {
            assert_eq!(r.state, RequisitionState::Reached);
            assert!(r.threshold.contains("clause 6.4"), "{}", r.threshold);
            assert_eq!(r.record.reached_clause.as_deref(), Some("6.4"));
            assert_eq!(
                r.record.call_by,
                Some(NaiveDate::from_ymd_opt(2017, 9, 17).unwrap())
            );
        }
    }
}

/// Three branches' members move motions on the same subject; the secretary proposes one
/// composite wording. A mover's refusal drops it and every motion stands; with every mover's
/// consent the composite replaces them, moved and seconded by their movers, and is the one
/// put to the meeting.
#[tokio::test]
async fn composites_replace_their_motions_only_with_every_movers_consent() {
    let w = world().await;
    amended(&w).await;
    for n in 200..206 {
        add(
            &w.store,
            n,
            w.southwark,
            MemberStatus::Active,
            true,
            Some(true),
            Some(w.secretary),
        )
        .await;
    }
    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let called = aug1
        .call_meeting(
            &secretary,
            &general_meeting(w.southwark, "Southwark general meeting"),
        )
        .await
        .unwrap();
    deliver_all(&w, at(2017, 8, 1, 12)).await;
    let voters = w.store.meeting_voters(called.id).await.unwrap();
    let movers: Vec<MemberId> = voters
        .iter()
        .copied()
        .filter(|v| *v != w.secretary)
        .take(3)
        .collect();
    let mut parts = Vec::new();
    for (k, m) in movers.iter().enumerate() {
        let mover = aug1.actor(*m).await.unwrap();
        parts.push(
            aug1.propose_motion(
                &mover,
                called.id,
                &NewMotion {
                    meeting: called.id,
                    text: format!("Wording {k}: oppose the constitution."),
                    ..oppose(&format!("Oppose it, version {k}"))
                },
            )
            .await
            .unwrap(),
        );
    }
    let mover = |k: usize| {
        let app = aug1.clone();
        let m = movers[k];
        async move { app.actor(m).await.unwrap() }
    };
    let amendment = aug1
        .amend_motion(&mover(1).await, parts[0], "Wording 0, amended.")
        .await
        .unwrap();
    let wording = "This branch opposes the constitution imposed in June, calls for its repeal and for a special conference.";

    // Bad proposals change nothing.
    for (who, ids) in [
        (&mover(0).await, vec![parts[0], parts[1]]),
        (&secretary, vec![parts[0]]),
        (&secretary, vec![parts[0], amendment]),
        (&secretary, vec![parts[0], parts[1]]),
        (&secretary, vec![parts[1], MotionId(999_999)]),
    ] {
        let r = aug1
            .propose_composite(who, called.id, "Composite", wording, &ids)
            .await;
        assert!(
            matches!(r, Err(AppError::Forbidden(_) | AppError::Invalid(_))),
            "{r:?}"
        );
    }
    assert!(w.store.composites(called.id).await.unwrap().is_empty());
    // Once the amendment is withdrawn, its motion may be composited.
    aug1.withdraw_motion(&mover(1).await, amendment)
        .await
        .unwrap();

    // A refusal drops it.
    let first = aug1
        .propose_composite(&secretary, called.id, "Composite A", wording, &parts[..2])
        .await
        .unwrap();
    assert_eq!(
        aug1.consent_to_composite(&mover(0).await, first)
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        aug1.consent_to_composite(&mover(0).await, first).await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        aug1.consent_to_composite(&mover(2).await, first).await,
        Err(AppError::Forbidden(_))
    ));
    aug1.decline_composite(&mover(1).await, first)
        .await
        .unwrap();
    assert!(
        w.store
            .motions(called.id)
            .await
            .unwrap()
            .iter()
            .all(|m| m.set_aside_by.is_none()),
        "every motion stands"
    );

    // Every mover consents: the composite is formed in their place.
    let cid = aug1
        .propose_composite(&secretary, called.id, "Composite B", wording, &parts)
        .await
        .unwrap();
    let mut formed = None;
    for k in 0..3 {
        formed = aug1
            .consent_to_composite(&mover(k).await, cid)
            .await
            .unwrap();
        assert_eq!(formed.is_some(), k == 2, "formed at the last consent");
    }
    let formed = formed.unwrap();
    let motion = w.store.motion(formed).await.unwrap().unwrap();
    assert_eq!(
        (motion.proposed_by, motion.seconded_by),
        (Some(movers[0]), Some(movers[1]))
    );
    assert_eq!(motion.text, wording);
    assert_eq!(motion.matter.as_deref(), Some("constitution-2017"));

    // At the meeting the composite is put; its parts are not.
    let day = app_at(&w, at(2017, 8, 20, 18));
    let secretary = day.actor(w.secretary).await.unwrap();
    for v in &voters {
        day.check_in(&secretary, called.id, Some(*v), None)
            .await
            .unwrap();
    }
    assert!(matches!(
        day.record_vote(&secretary, parts[1], 9, 0, 0, None).await,
        Err(AppError::Conflict { .. })
    ));
    let n = u32::try_from(voters.len()).unwrap();
    assert!(matches!(
        day.record_vote(&secretary, formed, n, 0, 0, None)
            .await
            .unwrap(),
        MotionResult::Adopted(_)
    ));
    let view = day.meeting_view(&secretary, called.id).await.unwrap();
    let minutes = charter_app::meetings::minutes_from_record(&view);
    let number = motion.number;
    assert!(
        minutes.contains(&format!("composited into number {number}")),
        "{minutes}"
    );
}

/// An amendment goes before conference as a motion and is decided there, from the meeting's
/// own notice, attendance and count: refused at a branch meeting (clause 7.1 names
/// conference), refused again once decided, and the version's "adopted by" names the motion.
#[tokio::test]
async fn an_amendment_is_adopted_only_by_the_conference_that_decides_it() {
    let w = world().await;
    amended(&w).await;
    // Enough verified, paid-up members for a quorate conference (100, clause 6.2).
    let mut verified = Vec::new();
    for n in 200..310 {
        verified.push(
            add(
                &w.store,
                n,
                if n % 2 == 0 { w.southwark } else { w.havering },
                MemberStatus::Active,
                true,
                Some(true),
                Some(w.secretary),
            )
            .await,
        );
    }
    let aug = app_at(&w, at(2017, 8, 1, 9));
    let secretary = aug.actor(w.secretary).await.unwrap();
    let toml = AMENDMENT
        .replace(
            "version = \"2017 amendment\"",
            "version = \"2018 amendment\"",
        )
        .replace("effective = 2017-07-01", "effective = 2018-01-01");
    let amendment = aug
        .propose_amendment(&secretary, "Annual conference every spring", &toml)
        .await
        .unwrap();
    let conference = aug
        .call_meeting(
            &secretary,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "special-conference".into(),
                title: "Special conference, September".into(),
                starts_at: Some(at(2017, 9, 16, 10)),
                ends_at: Some(at(2017, 9, 16, 17)),
                mode: "physical".into(),
                place: Some("Conway Hall".into()),
                online_url: None,
                agenda: "1. The amendment".into(),
            },
        )
        .await
        .unwrap();
    deliver_all(&w, at(2017, 8, 1, 10)).await;
    let branch = aug
        .call_meeting(&secretary, &general_meeting(w.southwark, "Southwark GM"))
        .await
        .unwrap();
    match aug.put_amendment(&secretary, branch.id, amendment).await {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            assert!(
                text.contains("clause 7.1") && text.contains("conference"),
                "{text}"
            );
        }
        other => panic!("a branch meeting took an amendment: {other:?}"),
    }
    let lapsed = aug.actor(w.lapsed).await.unwrap();
    assert!(matches!(
        aug.put_amendment(&lapsed, conference.id, amendment).await,
        Err(AppError::Forbidden(_))
    ));
    let motion = aug
        .put_amendment(&secretary, conference.id, amendment)
        .await
        .unwrap();
    assert!(matches!(
        aug.put_amendment(&secretary, conference.id, amendment)
            .await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(aug.motion_amendment(motion).await.unwrap(), Some(amendment));
    let seconder = aug.actor(verified[0]).await.unwrap();
    aug.second_motion(&seconder, motion).await.unwrap();

    // The conference: 110 present, 80 for, 25 against; two thirds of votes cast carry it.
    let day = app_at(&w, at(2017, 9, 16, 12));
    let secretary = day.actor(w.secretary).await.unwrap();
    match day
        .record_vote(&secretary, motion, 80, 25, 5, Some(110))
        .await
        .unwrap()
    {
        MotionResult::Adopted(_) => {}
        other => panic!("expected the amendment adopted, got {other:?}"),
    }
    let versions = day.constitution_versions().await.unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[2].version, "2018 amendment");
    assert!(
        versions[2]
            .adopted_by
            .contains("motion 1 of \"Special conference, September\"")
            && versions[2].adopted_by.contains("80 for, 25 against"),
        "{}",
        versions[2].adopted_by
    );
    let (info, _) = day.amendment(amendment).await.unwrap();
    assert_eq!(info.attempts.len(), 1);
    assert_eq!(info.attempts[0].motion, Some(motion));
    // Decided once: the motion is not decided again, and the amendment takes no other motion.
    assert!(matches!(
        day.record_vote(&secretary, motion, 1, 100, 0, Some(110))
            .await,
        Err(AppError::Conflict { .. })
    ));
    let events: Vec<String> = w
        .store
        .events(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "constitution.amended")
        .map(|e| e.payload)
        .collect();
    assert!(
        events
            .last()
            .is_some_and(|p| p.contains(&format!("\"motion\":{motion}"))),
        "{events:?}"
    );
}

/// Nobody suspends or expels alone: the secretary's status form refuses it, citing clause
/// 8.1; a branch general meeting may suspend (not expel) one of its own members, and only
/// its binding decision changes the status, naming the motion.
#[tokio::test]
async fn a_member_is_suspended_only_by_the_decision_of_the_body_the_constitution_names() {
    let w = world().await;
    amended(&w).await;
    let july = app_at(&w, at(2017, 7, 20, 9));
    let secretary = july.actor(w.secretary).await.unwrap();
    match july
        .change_status(
            &secretary,
            w.ann,
            &charter_app::register::StatusChangeRequest {
                to: "expelled".into(),
                effective_on: String::new(),
                reason: "she spoke against the leadership".into(),
            },
        )
        .await
    {
        Err(AppError::Forbidden(why)) => assert!(why.contains("clause 8.1"), "{why}"),
        other => panic!("an officer expelled a member alone: {other:?}"),
    }
    let called = july
        .call_meeting(&secretary, &general_meeting(w.southwark, "Southwark GM"))
        .await
        .unwrap();
    deliver_all(&w, at(2017, 7, 20, 10)).await;
    let request = |to: &str, member: MemberId| charter_app::discipline::DisciplineRequest {
        member,
        to: to.into(),
        grounds: "Repeated abuse of other members at branch meetings (clause 3.2).".into(),
    };
    // A branch meeting may suspend but not expel (clause 8.1 names conference for that).
    match july
        .propose_discipline(&secretary, called.id, &request("expelled", w.ann))
        .await
    {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            assert!(text.contains("clause 8.1"), "{text}");
        }
        other => panic!("a branch meeting took an expulsion: {other:?}"),
    }
    // Only its own members: the lapsed member belongs to Havering.
    assert!(matches!(
        july.propose_discipline(&secretary, called.id, &request("suspended", w.lapsed))
            .await,
        Err(AppError::Invalid(_))
    ));
    let motion = july
        .propose_discipline(&secretary, called.id, &request("suspended", w.ann))
        .await
        .unwrap();
    let seconder = w
        .members
        .iter()
        .enumerate()
        .skip(3)
        .find(|(_, m)| m.branch == w.southwark && m.active && m.paid && m.verified)
        .map(|(i, _)| MemberId(w.secretary.0 + i64::try_from(i).unwrap()))
        .unwrap();
    july.second_motion(&july.actor(seconder).await.unwrap(), motion)
        .await
        .unwrap();
    assert_eq!(
        w.store
            .member(w.ann, None)
            .await
            .unwrap()
            .unwrap()
            .record
            .status,
        MemberStatus::Active
    );
    let evening = app_at(&w, at(2017, 8, 20, 19));
    let secretary = evening.actor(w.secretary).await.unwrap();
    match evening
        .record_vote(&secretary, motion, 5, 1, 0, Some(6))
        .await
        .unwrap()
    {
        MotionResult::Adopted(_) => {}
        other => panic!("expected the suspension adopted, got {other:?}"),
    }
    let ann = w.store.member(w.ann, None).await.unwrap().unwrap();
    assert_eq!(ann.record.status, MemberStatus::Suspended);
    let history = ann.status_history;
    assert!(
        history
            .iter()
            .max_by_key(|h| h.recorded_at)
            .is_some_and(|h| h.reason.contains(&format!("motion {motion}"))
                && h.reason.contains("clause 8.1")),
        "{history:?}"
    );
}
