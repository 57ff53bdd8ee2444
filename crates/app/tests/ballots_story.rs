//! Ballots through the app on SQLite with fixed times: a question to all members and an
//! election by STV. Voters get personal links when voting opens; each ballot goes in once
//! (a resend answers the same receipt); nobody sees a choice before close; at close the
//! count runs by itself, the ballots are published by tracker, every voter finds theirs,
//! and `charter-count` reproduces the result from the published file. Nothing stored joins a
//! voter to a choice.

mod common;

use charter_model::Method;
use charter_store::prelude::*;
use std::collections::BTreeSet;

use charter_app::AppError;
use charter_app::ballots::{BallotRequest, Choice};
use charter_domain::MemberId;
use charter_model::{BallotId, RollId};

use chrono::{DateTime, Utc};
use common::*;
use sqlx::Row;

#[tokio::test]
async fn a_question_is_put_counted_and_published_with_every_voter_able_to_check() {
    let w = world().await;
    amended(&w).await;
    let (roll, voters) = roll(&w).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let ask = |opens: DateTime<Utc>, closes: DateTime<Utc>| BallotRequest {
        title: "Affiliation to the Alliance".into(),
        question: "Should the Network affiliate to the Alliance?".into(),
        kind: "question".into(),
        decision_kind: None,
        candidates: Vec::new(),
        seats: None,
        roll: Some(RollId(roll)),
        opens_at: Some(opens),
        closes_at: Some(closes),
        trustees: Vec::new(),
    };
    // Bad requests change nothing: voting inside the challenge window, too short a window
    // (clause 6.7: at least 7 days), a member who is no officer, a decision no ballot takes.
    for (who, req) in [
        (&secretary, ask(at(2017, 9, 3, 9), at(2017, 9, 20, 9))),
        (&secretary, ask(at(2017, 9, 6, 9), at(2017, 9, 8, 9))),
        (
            &sep2.actor(w.ann).await.unwrap(),
            ask(at(2017, 9, 6, 9), at(2017, 9, 20, 9)),
        ),
        (
            &secretary,
            BallotRequest {
                decision_kind: Some("dissolve-body".into()),
                ..ask(at(2017, 9, 6, 9), at(2017, 9, 20, 9))
            },
        ),
    ] {
        let r = sep2.create_ballot(who, &req).await;
        assert!(
            matches!(r, Err(AppError::Invalid(_) | AppError::Forbidden(_))),
            "{r:?}"
        );
    }
    assert!(sep2.ballots().await.unwrap().is_empty());
    let id = sep2
        .create_ballot(&secretary, &ask(at(2017, 9, 6, 9), at(2017, 9, 20, 9)))
        .await
        .unwrap();
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!((b.method.name(), b.state.as_str()), ("yes-no", "scheduled"));
    assert!(b.rule.contains("more than half"), "{}", b.rule);

    // Before it opens: nothing to vote in; the clock does nothing.
    assert_eq!(sep2.run_ballot_clock().await.unwrap(), 0);
    let early = sep2
        .cast_ballot(
            voters[0],
            id,
            "aaaaaaaa-0001",
            &Choice { ranks: vec![0] },
            None,
        )
        .await;
    assert!(matches!(early, Err(AppError::Conflict { .. })), "{early:?}");

    // It opens: every voter gets a letter with a personal link.
    let open = app_at(&w, at(2017, 9, 6, 9));
    assert_eq!(open.run_ballot_clock().await.unwrap(), 1);
    // Queued, a letter holds only the place for its link: nothing stored opens the ballot.
    for (table, row) in Raw::Sqlite(w.store.pool().clone()).every_row().await {
        assert!(
            !row.contains("/vote/"),
            "{table} holds a voting link: {row}"
        );
    }
    let letters = send_letters(&open).await;
    assert_eq!(letters.len(), voters.len(), "one letter per voter");
    let links = voting_links(&letters, id);
    assert_eq!(links.len(), voters.len());
    assert!(
        letters[0]
            .body()
            .contains("https://charter.example/ballots/")
    );
    // Only the links' hashes are kept: no row holds a token that was sent.
    for (table, row) in Raw::Sqlite(w.store.pool().clone()).every_row().await {
        assert!(
            links.iter().all(|l| !row.contains(l.as_str())),
            "{table} holds a voting link's token: {row}"
        );
    }

    // Everyone votes, half by link and half signed in; the first resends; a stranger and
    // a second ballot are refused; bad choices are refused and change nothing.
    let day = app_at(&w, at(2017, 9, 7, 12));
    let mut receipts = Vec::new();
    let mut trackers = BTreeSet::new();
    for (k, token) in links.iter().enumerate() {
        let voter = day.voter_for_link(id, token).await.unwrap();
        let answer = u32::from(k % 3 == 2);
        if k == 0 {
            for bad in [vec![], vec![3], vec![0, 1]] {
                assert!(matches!(
                    day.cast_ballot(voter, id, "bbbbbbbb-0000", &Choice { ranks: bad }, None)
                        .await,
                    Err(AppError::Invalid(_))
                ));
            }
            assert!(matches!(
                day.cast_ballot(voter, id, "short", &Choice { ranks: vec![0] }, None)
                    .await,
                Err(AppError::Invalid(_))
            ));
        }
        let submission = format!("submission-{k:04}");
        let r = day
            .cast_ballot(
                voter,
                id,
                &submission,
                &Choice {
                    ranks: vec![answer],
                },
                None,
            )
            .await
            .unwrap();
        assert!(r.new);
        if k == 0 {
            let again = day
                .cast_ballot(
                    voter,
                    id,
                    &submission,
                    &Choice {
                        ranks: vec![answer],
                    },
                    None,
                )
                .await
                .unwrap();
            assert_eq!(
                (again.tracker.as_str(), again.new),
                (r.tracker.as_str(), false)
            );
            assert!(matches!(
                day.cast_ballot(
                    voter,
                    id,
                    "another-one-0000",
                    &Choice { ranks: vec![1] },
                    None
                )
                .await,
                Err(AppError::Conflict { .. })
            ));
        }
        trackers.insert(r.tracker.clone());
        receipts.push((r.tracker, answer));
    }
    assert!(matches!(
        day.voter_for_link(id, "not-a-link").await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        day.cast_ballot(
            w.lapsed,
            id,
            "stranger-0001",
            &Choice { ranks: vec![0] },
            None
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(trackers.len(), voters.len(), "every tracker differs");
    // Another voter who sends the first voter's submission id learns nothing of it: the id
    // is the first voter's own, so to anyone else it is a new ballot (refused: they voted).
    let other = day.voter_for_link(id, &links[1]).await.unwrap();
    let stolen = day
        .cast_ballot(
            other,
            id,
            "submission-0000",
            &Choice { ranks: vec![0] },
            None,
        )
        .await;
    match stolen {
        Err(AppError::Conflict { message, .. }) => {
            assert!(!message.contains(&receipts[0].0), "{message}")
        }
        other => panic!("another voter's submission id answered: {other:?}"),
    }

    // While open: turnout only; the box stays sealed.
    let secretary = day.actor(w.secretary).await.unwrap();
    let view = day.ballot_view(&secretary, id).await.unwrap();
    assert_eq!(
        (view.voters, view.votes),
        (voters.len() as i64, voters.len() as i64)
    );
    assert!(matches!(
        day.published_ballots(id).await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        day.published_ballot(id, &receipts[0].0).await,
        Err(AppError::Conflict { .. })
    ));

    // At its closing time a late vote is refused even before the clock has run (the ballot
    // closes and is counted there and then), while a resend is still answered.
    let close = app_at(&w, at(2017, 9, 20, 9));
    let late = close
        .cast_ballot(
            voters[0],
            id,
            "latecomer-0000",
            &Choice { ranks: vec![0] },
            None,
        )
        .await;
    assert!(matches!(late, Err(AppError::Conflict { .. })), "{late:?}");
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Counted
    );
    let voter = close.voter_for_link(id, &links[0]).await.unwrap();
    let resent = close
        .cast_ballot(
            voter,
            id,
            "submission-0000",
            &Choice { ranks: vec![0] },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (resent.tracker.as_str(), resent.new),
        (receipts[0].0.as_str(), false)
    );
    assert_eq!(close.run_ballot_clock().await.unwrap(), 0);
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    let yes = receipts.iter().filter(|(_, a)| *a == 0).count();
    let no = receipts.len() - yes;
    let outcome = b.outcome.clone().unwrap();
    assert!(
        outcome.starts_with(if yes > no { "carried" } else { "not carried" }),
        "{outcome}"
    );
    assert!(outcome.contains(&format!("{yes} yes")), "{outcome}");
    assert_eq!(
        outcome.matches("carried").count(),
        1,
        "said once: {outcome}"
    );
    let late = close
        .cast_ballot(
            voters[0],
            id,
            "latecomer-0001",
            &Choice { ranks: vec![0] },
            None,
        )
        .await;
    assert!(matches!(late, Err(AppError::Conflict { .. })), "{late:?}");

    // Every voter finds their tracker with the answer they gave.
    let published = close.published_ballots(id).await.unwrap();
    assert_eq!(published.len(), voters.len());
    for (tracker, answer) in &receipts {
        let p = published.iter().find(|p| &p.tracker == tracker).unwrap();
        assert_eq!(p.ranks, vec![["Yes", "No"][*answer as usize].to_string()]);
    }
    // A voter checks one tracker as they might type it: lower case, without hyphens.
    let (tracker, answer) = &receipts[0];
    let typed = tracker.to_lowercase().replace('-', "");
    let found = close.published_ballot(id, &typed).await.unwrap().unwrap();
    assert_eq!(&found.tracker, tracker);
    assert_eq!(
        found.ranks,
        vec![["Yes", "No"][*answer as usize].to_string()]
    );
    // Trackers never contain 0 or 1, so this one cannot be in the box.
    assert_eq!(
        close.published_ballot(id, "ZZZZ-ZZZZ-0001").await.unwrap(),
        None
    );
    assert!(matches!(
        close.published_ballot(id, "ABCD").await,
        Err(AppError::Invalid(_))
    ));
    // Anyone recounts the published ballots and gets the same result.
    let election = close.ballot_election(id).await.unwrap();
    let blt = charter_count::blt::to_blt(&election).unwrap();
    let reread = charter_count::blt::parse(&blt).unwrap();
    assert_eq!(reread.total_votes(), voters.len() as u64);

    // Secrecy: no table row holds a tracker together with anything naming a voter.
    secrecy_holds(&w, &trackers, &voters).await;
}

#[tokio::test]
async fn an_election_is_counted_by_stv_and_recounted_from_the_published_ballots() {
    let w = world().await;
    amended(&w).await;
    let (roll, voters) = roll(&w).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let candidates: Vec<String> = ["Ada", "Bea", "Cal", "Dee", "Eve"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let req = |seats: u32, names: Vec<String>| BallotRequest {
        title: "Steering committee".into(),
        question: "Elect two members of the steering committee.".into(),
        kind: "election".into(),
        decision_kind: None,
        candidates: names,
        seats: Some(seats),
        roll: Some(RollId(roll)),
        opens_at: Some(at(2017, 9, 6, 9)),
        closes_at: Some(at(2017, 9, 20, 9)),
        trustees: Vec::new(),
    };
    for bad in [
        req(0, candidates.clone()),
        req(6, candidates.clone()),
        req(2, vec!["Ada".into(), "ada".into()]),
        req(2, Vec::new()),
    ] {
        assert!(matches!(
            sep2.create_ballot(&secretary, &bad).await,
            Err(AppError::Invalid(_))
        ));
    }
    let id = sep2
        .create_ballot(&secretary, &req(2, candidates.clone()))
        .await
        .unwrap();
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!(
        b.method,
        Method::ScottishStv,
        "clause 6.7: STV for several seats"
    );
    let open = app_at(&w, at(2017, 9, 6, 9));
    open.run_ballot_clock().await.unwrap();
    let day = app_at(&w, at(2017, 9, 8, 9));
    let patterns: [&[u32]; 4] = [&[0, 1], &[1, 0, 2], &[2, 3], &[0, 4, 1]];
    // The first letters go out; half vote; the rest are reminded, only them, and only when
    // the constitution's timetable says (two days before close, by default).
    let old_links = voting_links(&send_letters(&open).await, id);
    assert_eq!(old_links.len(), voters.len());
    let half = voters.len() / 2;
    for (k, v) in voters.iter().enumerate().take(half) {
        let ranks = patterns[k % patterns.len()].to_vec();
        day.cast_ballot(
            *v,
            id,
            &format!("stv-ballot-{k:04}"),
            &Choice { ranks },
            None,
        )
        .await
        .unwrap();
    }
    let member = day.actor(w.ann).await.unwrap();
    assert!(matches!(
        day.remind_nonvoters(&member, id).await,
        Err(AppError::Forbidden(_))
    ));
    let secretary = day.actor(w.secretary).await.unwrap();
    let early = day.remind_nonvoters(&secretary, id).await;
    assert!(
        matches!(&early, Err(AppError::Conflict { message, .. })
            if message.contains("2 days before close") && message.contains("clause 6.7") && message.contains("18 September 2017 09:00")),
        "{early:?}"
    );
    assert_eq!(day.run_ballot_clock().await.unwrap(), 0, "nothing due yet");
    let due = app_at(&w, at(2017, 9, 18, 10));
    assert_eq!(
        due.run_ballot_clock().await.unwrap(),
        1,
        "the reminder goes"
    );
    assert_eq!(due.run_ballot_clock().await.unwrap(), 0, "and only once");
    let again = due.remind_nonvoters(&secretary, id).await;
    assert!(
        matches!(&again, Err(AppError::Conflict { message, .. }) if message.contains("every reminder has gone")),
        "{again:?}"
    );
    let reminders: Vec<_> = send_letters(&due)
        .await
        .into_iter()
        .filter(|l| {
            l.decoded_header("Subject")
                .is_some_and(|s| s.starts_with("Reminder"))
        })
        .collect();
    assert_eq!(reminders.len(), voters.len() - half);
    // Old links of those reminded stop working; the new ones vote.
    let new_links = voting_links(&reminders, id);
    let mut still_valid = 0;
    for t in &old_links {
        if day.voter_for_link(id, t).await.is_ok() {
            still_valid += 1;
        }
    }
    assert_eq!(
        still_valid, half,
        "only the voters' old links still resolve"
    );
    for (k, t) in new_links.iter().enumerate() {
        let v = due.voter_for_link(id, t).await.unwrap();
        assert!(
            !voters[..half].contains(&v),
            "reminded only those who had not voted"
        );
        let ranks = patterns[(half + k) % patterns.len()].to_vec();
        due.cast_ballot(
            v,
            id,
            &format!("stv-ballot-{:04}", half + k),
            &Choice { ranks },
            None,
        )
        .await
        .unwrap();
    }
    app_at(&w, at(2017, 9, 20, 10))
        .run_ballot_clock()
        .await
        .unwrap();
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    let result: serde_json::Value =
        serde_json::from_str(b.result_json.as_deref().unwrap()).unwrap();
    assert_eq!(result["method"], "scottish-stv");
    assert_eq!(result["elected"].as_array().unwrap().len(), 2);
    // The published file, read by charter-count as anyone would, gives the same record.
    let published = day.published_ballots(id).await.unwrap();
    let file = serde_json::json!({
        "title": b.title,
        "seats": b.seats,
        "candidates": b.options,
        "ballots": published,
    });
    let election = charter_count::json_ballots::parse(&file.to_string()).unwrap();
    let method = b.method;
    let recount = charter_count::count_by(
        &election,
        method,
        &charter_count::stv::StvOptions::default(),
    )
    .unwrap();
    let mut json = Vec::new();
    charter_count::render::render(&recount, charter_count::render::Format::Json, &mut json)
        .unwrap();
    let recount: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(recount["elected"], result["elected"]);
    assert_eq!(recount["rounds"], result["rounds"]);
}

/// Appoints `member` to a national office of `kind` from 1 January 2017.
async fn appoint(w: &World, kind: charter_domain::OfficeKind, member: MemberId) {
    // The chair's office exists already: its holder entered the amendment's conference.
    let existing = w
        .store
        .offices(Some(w.national), d(2017, 1, 1))
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == kind)
        .map(|o| o.id);
    let office = match existing {
        Some(o) => o,
        None => w
            .store
            .create_office(w.national, kind, &event("office"))
            .await
            .unwrap(),
    };
    w.store
        .appoint(
            office,
            member,
            charter_store::Term {
                starts_on: d(2017, 1, 1),
                ends_on: None,
            },
            &event("office"),
        )
        .await
        .unwrap();
}

/// A question to be voted online or by post, over the autumn roll from 6 to 20 September
/// 2017, set up by the national secretary on the 2nd.
struct PaperBallot {
    w: World,
    voters: Vec<MemberId>,
    /// The national chair: with the secretary, the second teller.
    chair: MemberId,
    /// Holds the scrutineer office clause 6.7 names, and runs nothing.
    scrutineer: MemberId,
    id: i64,
}

async fn paper_ballot(title: &str) -> PaperBallot {
    use charter_domain::OfficeKind;

    let w = world().await;
    amended(&w).await;
    let (roll, voters) = roll(&w).await;
    let chair = voters[1];
    let scrutineer = *voters.last().unwrap();
    appoint(&w, OfficeKind::Chair, chair).await;
    appoint(&w, OfficeKind::Scrutineer, scrutineer).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let id = sep2
        .create_ballot(
            &secretary,
            &BallotRequest {
                title: title.into(),
                question: "Should the Network affiliate to the Alliance?".into(),
                kind: "question".into(),
                roll: Some(RollId(roll)),
                opens_at: Some(at(2017, 9, 6, 9)),
                closes_at: Some(at(2017, 9, 20, 9)),
                ..BallotRequest::default()
            },
        )
        .await
        .unwrap();
    PaperBallot {
        w,
        voters,
        chair,
        scrutineer,
        id: id.0,
    }
}

#[tokio::test]
async fn paper_and_online_ballots_are_counted_together_and_audited_by_the_scrutineer() {
    use charter_app::paper::{BatchState, Paper};

    let PaperBallot {
        w,
        voters,
        chair,
        scrutineer,
        id,
    } = paper_ballot("Affiliation by post").await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    // Before it opens no paper is taken.
    assert!(matches!(
        sep2.mark_paper_voter(&secretary, BallotId(id), voters[0])
            .await,
        Err(AppError::Conflict { .. })
    ));
    let open = app_at(&w, at(2017, 9, 6, 9));
    assert_eq!(open.run_ballot_clock().await.unwrap(), 1);
    let links = voting_links(&send_letters(&open).await, BallotId(id));

    // The first half vote online (Yes), the rest return papers.
    let day = app_at(&w, at(2017, 9, 8, 12));
    let half = voters.len() / 2;
    let mut online = Vec::new();
    let mut trackers = BTreeSet::new();
    for token in &links {
        let voter = day.voter_for_link(BallotId(id), token).await.unwrap();
        if voters[..half].contains(&voter) {
            let r = day
                .cast_ballot(
                    voter,
                    BallotId(id),
                    &format!("online-{}", voter.0),
                    &Choice { ranks: vec![0] },
                    None,
                )
                .await
                .unwrap();
            trackers.insert(r.tracker);
            online.push(voter);
        }
    }
    assert_eq!(online.len(), half);
    let secretary = day.actor(w.secretary).await.unwrap();
    let chair_actor = day.actor(chair).await.unwrap();
    let scrutineer_actor = day.actor(scrutineer).await.unwrap();
    let plain = day.actor(voters[2]).await.unwrap();
    let events = w.store.events(0, 100_000).await.unwrap().len();
    // Refused, changing nothing: one who voted online, one off the roll, a member who is
    // no officer, the scrutineer (who audits and does not handle papers).
    for (who, member) in [
        (&secretary, online[0]),
        (&secretary, w.lapsed),
        (&plain, voters[half]),
        (&scrutineer_actor, voters[half]),
    ] {
        let r = day.mark_paper_voter(who, BallotId(id), member).await;
        assert!(
            matches!(
                r,
                Err(AppError::Conflict { .. } | AppError::Invalid(_) | AppError::Forbidden(_))
            ),
            "{r:?}"
        );
    }
    assert_eq!(w.store.events(0, 100_000).await.unwrap().len(), events);
    let paper: Vec<MemberId> = voters[half..].to_vec();
    for m in &paper {
        day.mark_paper_voter(&secretary, BallotId(id), *m)
            .await
            .unwrap();
    }
    // Marked on paper: an online vote as well is kept aside for the scrutineer (not lost,
    // not counted while the mark stands), once; and no second mark.
    let kept = day
        .cast_ballot(
            paper[0],
            BallotId(id),
            "online-after-post",
            &Choice { ranks: vec![0] },
            None,
        )
        .await
        .unwrap();
    assert!(kept.kept_aside, "{kept:?}");
    assert!(matches!(
        day.cast_ballot(
            paper[0],
            BallotId(id),
            "online-after-post-again",
            &Choice { ranks: vec![0] },
            None
        )
        .await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        day.mark_paper_voter(&chair_actor, BallotId(id), paper[0])
            .await,
        Err(AppError::Conflict { .. })
    ));

    // One batch of every paper: the first No, the second spoilt, the rest Yes.
    let n = paper.len();
    assert!(n >= 3, "enough paper voters: {n}");
    let papers: Vec<Paper> = (0..n)
        .map(|i| match i {
            0 => Paper::Marked(vec![1]),
            1 => Paper::Spoilt,
            _ => Paper::Marked(vec![0]),
        })
        .collect();
    assert!(
        matches!(
            day.create_paper_batch(&secretary, BallotId(id), "postal box 1", n as i64 + 1)
                .await,
            Err(AppError::Conflict { .. })
        ),
        "more papers than paper voters"
    );
    let batch = day
        .create_paper_batch(&secretary, BallotId(id), "postal box 1", n as i64)
        .await
        .unwrap();
    let first = day
        .enter_paper_batch(&secretary, BallotId(id), batch, &papers)
        .await
        .unwrap();
    assert_eq!(first.state, BatchState::Waiting);
    // The same teller cannot enter it twice; a wrong count and a bad paper are refused.
    assert!(matches!(
        day.enter_paper_batch(&secretary, BallotId(id), batch, &papers)
            .await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        day.enter_paper_batch(&chair_actor, BallotId(id), batch, &papers[1..])
            .await,
        Err(AppError::Invalid(_))
    ));
    let mut bad = papers.clone();
    bad[0] = Paper::Marked(vec![7]);
    assert!(matches!(
        day.enter_paper_batch(&chair_actor, BallotId(id), batch, &bad)
            .await,
        Err(AppError::Invalid(_))
    ));
    // The chair misreads the third paper: nothing goes in, and the difference is shown.
    let mut misread = papers.clone();
    misread[2] = Paper::Marked(vec![2]);
    let second = day
        .enter_paper_batch(&chair_actor, BallotId(id), batch, &misread)
        .await
        .unwrap();
    assert_eq!(second.state, BatchState::Differ(vec![3]));
    let desk = day.paper_desk(&secretary, BallotId(id)).await.unwrap();
    assert_eq!(desk.tally.committed, 0);
    assert_eq!(
        desk.batches[0].mine.as_ref(),
        Some(&papers),
        "a teller sees their own entry"
    );
    let chairs = day.paper_desk(&chair_actor, BallotId(id)).await.unwrap();
    assert_eq!(
        chairs.batches[0].mine.as_ref(),
        Some(&misread),
        "and not another's"
    );
    // The chair looks again and corrects their entry: the batch goes in.
    let third = day
        .enter_paper_batch(&chair_actor, BallotId(id), batch, &papers)
        .await
        .unwrap();
    assert_eq!(third.state, BatchState::Committed);
    assert!(matches!(
        day.enter_paper_batch(&secretary, BallotId(id), batch, &papers)
            .await,
        Err(AppError::Conflict { .. })
    ));
    let tally = w.store.paper_tally(BallotId(id)).await.unwrap();
    assert_eq!(
        (tally.voters, tally.committed, tally.spoilt),
        (n as i64, n as i64, 1)
    );

    // The scrutineer audits while it is open; nobody else may, the officers included.
    for who in [&secretary, &chair_actor, &plain] {
        assert!(matches!(
            day.ballot_audit(who, BallotId(id), 1).await,
            Err(AppError::Forbidden(_))
        ));
    }
    let audit = day
        .ballot_audit(&scrutineer_actor, BallotId(id), 1)
        .await
        .unwrap();
    assert!(audit.check.box_matches, "{:?}", audit.check);
    assert_eq!(audit.check.voted, voters.len() as i64);
    assert_eq!(audit.check.boxed.counting, (voters.len() - 1) as i64);
    assert_eq!(audit.check.recount_matches, None);
    assert!(audit.roll_check.frozen_hash_matches && audit.roll_check.current_hash_matches);
    assert_eq!(audit.voters.total, voters.len() as u64);
    for v in &audit.voters.items {
        assert_eq!(
            v.on_paper,
            paper.contains(&v.member),
            "how {} voted",
            v.member.0
        );
        assert!(v.voted_at.is_some());
    }
    let kinds: Vec<&str> = audit.trail.iter().map(|t| t.event.kind.as_str()).collect();
    for k in [
        "ballot.created",
        "ballot.opened",
        "ballot.paper_batch",
        "ballot.paper_entered",
        "ballot.paper_committed",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert!(audit.trail.iter().all(|t| t.sha256.len() == 64));
    // The scrutineer's reading of names is in each voter's access log.
    for v in &audit.voters.items {
        let log = w.store.access_log(v.member, 1, 50).await.unwrap();
        assert!(log.items.iter().any(|e| e.reader == Some(scrutineer)));
    }

    // At close the count has both: online Yes, paper No and Yes; the spoilt paper in
    // turnout only.
    let close = app_at(&w, at(2017, 9, 20, 9));
    close.run_ballot_clock().await.unwrap();
    let b = w.store.ballot(BallotId(id)).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    let yes = half + (n - 2);
    let outcome = b.outcome.clone().unwrap();
    assert!(outcome.contains(&format!("{yes} yes")), "{outcome}");
    let published = close.published_ballots(BallotId(id)).await.unwrap();
    assert_eq!(published.len(), voters.len() - 1);
    for p in &published {
        trackers.insert(p.tracker.clone());
    }
    let scrutineer_actor = close.actor(scrutineer).await.unwrap();
    let audit = close
        .ballot_audit(&scrutineer_actor, BallotId(id), 1)
        .await
        .unwrap();
    assert!(audit.check.box_matches);
    assert_eq!(audit.check.recount_matches, Some(true));
    assert!(audit.check.box_sha256.is_some() && audit.check.result_sha256.is_some());
    assert!(audit.trail.iter().any(|t| t.event.kind == "ballot.counted"));

    // Secrecy: the scrutineer's view holds no tracker and no sealed choice, and no table
    // but the box holds a tracker.
    let seen = format!("{audit:?}");
    assert!(!seen.contains("v1:"), "no sealed ballot in the audit");
    for t in &trackers {
        assert!(!seen.contains(t.as_str()), "no tracker in the audit");
    }
    secrecy_holds(&w, &trackers, &voters).await;
}

// The attack: one teller marks members who never sent a paper, so their votes are lost. A
// member so marked who votes online has the ballot kept aside; the scrutineer, or another
// teller, reverses the mark with a reason kept, and the ballot kept aside goes into the box
// (or, with none, the member votes by their link). The teller who marked cannot reverse it;
// a member without office cannot; a mark is reversed once.
#[tokio::test]
async fn a_tellers_false_paper_mark_is_reversed_and_the_vote_counts() {
    let PaperBallot {
        w,
        voters,
        chair,
        scrutineer,
        id,
    } = paper_ballot("Affiliation").await;
    let open = app_at(&w, at(2017, 9, 6, 9));
    open.run_ballot_clock().await.unwrap();
    let links = voting_links(&send_letters(&open).await, BallotId(id));
    let day = app_at(&w, at(2017, 9, 8, 12));
    let secretary = day.actor(w.secretary).await.unwrap();
    let chair_actor = day.actor(chair).await.unwrap();
    let scrutineer_actor = day.actor(scrutineer).await.unwrap();
    let (ada, bo) = (voters[2], voters[3]);
    // The secretary marks two members who sent no paper.
    for m in [ada, bo] {
        day.mark_paper_voter(&secretary, BallotId(id), m)
            .await
            .unwrap();
    }
    assert_eq!(w.store.paper_tally(BallotId(id)).await.unwrap().voters, 2);
    // Ada votes online: kept aside, not lost.
    let ada_link = {
        let mut found = None;
        for t in &links {
            if day.voter_for_link(BallotId(id), t).await.unwrap() == ada {
                found = Some(t.clone());
            }
        }
        found.unwrap()
    };
    let voter = day.voter_for_link(BallotId(id), &ada_link).await.unwrap();
    let receipt = day
        .cast_ballot(
            voter,
            BallotId(id),
            "ada-online",
            &Choice { ranks: vec![1] },
            None,
        )
        .await
        .unwrap();
    assert!(receipt.kept_aside);
    let audit = day
        .ballot_audit(&scrutineer_actor, BallotId(id), 1)
        .await
        .unwrap();
    let line = audit.voters.items.iter().find(|v| v.member == ada).unwrap();
    assert!(line.on_paper && line.kept_aside, "{line:?}");

    // Refused, changing nothing: the teller who marked, a member without office, no reason.
    let plain = day.actor(voters[4]).await.unwrap();
    let events = w.store.events(0, 100_000).await.unwrap().len();
    for (who, reason) in [
        (&secretary, "I made a mistake"),
        (&plain, "not their paper"),
        (&scrutineer_actor, "  "),
    ] {
        let r = day.reverse_paper_mark(who, BallotId(id), ada, reason).await;
        assert!(
            matches!(
                r,
                Err(AppError::Conflict { .. } | AppError::Invalid(_) | AppError::Forbidden(_))
            ),
            "{r:?}"
        );
    }
    assert_eq!(w.store.events(0, 100_000).await.unwrap().len(), events);

    // The scrutineer reverses Ada's mark: her ballot kept aside goes into the box.
    let reason = "no envelope from this member was received; she voted online";
    assert!(
        day.reverse_paper_mark(&scrutineer_actor, BallotId(id), ada, reason)
            .await
            .unwrap()
    );
    let mark = w
        .store
        .paper_mark(BallotId(id), ada)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            mark.reversed_by,
            mark.reversal_reason.as_deref(),
            mark.kept_aside
        ),
        (Some(scrutineer), Some(reason), false)
    );
    assert!(matches!(
        day.reverse_paper_mark(&chair_actor, BallotId(id), ada, "again")
            .await,
        Err(AppError::Conflict { .. })
    ));
    // Another teller reverses Bo's: with nothing kept aside, Bo votes by his link.
    assert!(
        !day.reverse_paper_mark(&chair_actor, BallotId(id), bo, "Bo says he sent no paper")
            .await
            .unwrap()
    );
    assert_eq!(w.store.paper_tally(BallotId(id)).await.unwrap().voters, 0);
    assert_eq!(
        w.store.ballot_voter(BallotId(id), bo).await.unwrap(),
        Some(None)
    );
    let bo_vote = day
        .cast_ballot(
            bo,
            BallotId(id),
            "bo-online",
            &Choice { ranks: vec![1] },
            None,
        )
        .await
        .unwrap();
    assert!(!bo_vote.kept_aside && bo_vote.new);
    // A reversed mark is not made again.
    assert!(matches!(
        day.mark_paper_voter(&secretary, BallotId(id), bo).await,
        Err(AppError::Conflict { .. })
    ));
    let kinds: Vec<String> = w
        .store
        .events(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.as_str() == "ballot.paper_mark_reversed")
            .count(),
        2
    );

    // Counted: both No votes are in, and Ada's receipt finds her ballot.
    let close = app_at(&w, at(2017, 9, 20, 9));
    close.run_ballot_clock().await.unwrap();
    let b = w.store.ballot(BallotId(id)).await.unwrap().unwrap();
    assert!(
        b.outcome.clone().unwrap().contains("0 yes of 2 votes cast"),
        "{:?}",
        b.outcome
    );
    let published = close.published_ballots(BallotId(id)).await.unwrap();
    assert!(published.iter().any(|p| p.tracker == receipt.tracker));
    let trackers: BTreeSet<String> = published.into_iter().map(|p| p.tracker).collect();
    secrecy_holds(&w, &trackers, &voters).await;
}

/// Reads every row of every table as text: a tracker may appear only in the ballot box, and
/// no row of the box names a member or a time.
async fn secrecy_holds(w: &World, trackers: &BTreeSet<String>, voters: &[MemberId]) {
    let pool = w.store.pool();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let box_columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('ballot_box')")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    assert_eq!(
        box_columns,
        [
            "ballot_id",
            "tracker",
            "submission_hash",
            "sealed",
            "superseded"
        ],
        "the box has no column naming a voter or a time"
    );
    for t in &tables {
        let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{t}')"
        )))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let concat = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ' ' || ");
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {concat} FROM \"{t}\"")))
                .fetch_all(pool)
                .await
                .unwrap();
        let holds_tracker = rows
            .iter()
            .any(|row| trackers.iter().any(|tr| row.contains(tr.as_str())));
        if t == "ballot_box" {
            assert!(holds_tracker);
        } else {
            assert!(!holds_tracker, "table {t} holds a tracker");
        }
    }
    assert!(!voters.is_empty());
}

/// Where the amendment procedure names a ballot of the members, an amendment is put to them
/// from its own page and the count alone decides it: no one records an outcome. A question
/// of one's own cannot carry an amendment, and where the procedure names only conference, no
/// ballot can.
#[tokio::test]
async fn an_amendment_put_to_the_members_is_decided_by_the_count_alone() {
    let w = world().await;
    let founding = FOUNDING.replace(
        "[clause.amendment]\nby = [\"conference\"]",
        "[clause.amendment]\nby = [\"conference\", \"member-ballot\"]",
    );
    assert_ne!(founding, FOUNDING);
    let may = app_on(
        &w.store,
        chrono::NaiveDate::from_ymd_opt(2017, 5, 19).unwrap(),
    );
    may.found_constitution(charter_app::operator_actor(), &founding)
        .await
        .unwrap();
    let secretary = actor(&may, w.secretary).await;
    let amendment = may
        .propose_amendment(
            &secretary,
            "Votes for party members",
            &AMENDMENT.replace("effective = 2017-07-01", "effective = 2017-12-01"),
        )
        .await
        .unwrap();
    let (roll, _) = roll(&w).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let window = BallotRequest {
        roll: Some(RollId(roll)),
        opens_at: Some(at(2017, 9, 6, 9)),
        closes_at: Some(at(2017, 9, 25, 9)),
        ..BallotRequest::default()
    };
    let own = sep2
        .create_ballot(
            &secretary,
            &BallotRequest {
                title: "Amend it ourselves".into(),
                question: "Adopt?".into(),
                kind: "question".into(),
                decision_kind: Some("constitutional-amendment".into()),
                ..window.clone()
            },
        )
        .await;
    assert!(matches!(own, Err(AppError::Invalid(_))), "{own:?}");
    let id = sep2
        .put_amendment_to_ballot(&secretary, amendment, &window)
        .await
        .unwrap();
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert!(
        b.question.contains("Votes for party members"),
        "{}",
        b.question
    );
    assert!(b.rule.contains("two thirds"), "{}", b.rule);

    let open = app_at(&w, at(2017, 9, 6, 9));
    open.run_ballot_clock().await.unwrap();
    let links = voting_links(&send_letters(&open).await, id);
    assert!(links.len() >= 5);
    let day = app_at(&w, at(2017, 9, 7, 12));
    for (k, token) in links.iter().enumerate() {
        let voter = day.voter_for_link(id, token).await.unwrap();
        // All for but one against.
        let answer = u32::from(k == 0);
        day.cast_ballot(
            voter,
            id,
            &format!("amendment-{k:04}"),
            &Choice {
                ranks: vec![answer],
            },
            None,
        )
        .await
        .unwrap();
    }
    assert_eq!(w.store.constitution_versions().await.unwrap().len(), 1);
    let close = app_at(&w, at(2017, 9, 25, 10));
    close.run_ballot_clock().await.unwrap();
    close.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Counted
    );
    let versions = close.constitution_versions().await.unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(
        versions[1].adopted_by.contains("ballot of the members")
            && versions[1].adopted_by.contains(&format!("ballot {id}")),
        "{}",
        versions[1].adopted_by
    );
    let (info, _) = close.amendment(amendment).await.unwrap();
    assert!(info.attempts[0].adopted);

    // Under the 2017 version, only conference amends: no ballot can.
    let later = app_at(&w, at(2018, 1, 2, 9));
    let again = later
        .propose_amendment(
            &later.actor(w.secretary).await.unwrap(),
            "Another",
            &AMENDMENT
                .replace("version = \"2017 amendment\"", "version = \"2018\"")
                .replace("effective = 2017-07-01", "effective = 2018-06-01"),
        )
        .await
        .unwrap();
    let refused = later
        .put_amendment_to_ballot(&later.actor(w.secretary).await.unwrap(), again, &window)
        .await;
    match refused {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            assert!(text.contains("clause 7.1"), "{text}");
        }
        other => panic!("a ballot took an amendment only conference may decide: {other:?}"),
    }
}
