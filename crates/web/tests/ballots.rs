//! Ballot pages on both backends: officers set a ballot up from the form and see each refusal
//! beside its field; members vote on the ballot's page (with the session's CSRF token) or by
//! their personal link without signing in; the receipt shows the tracker once, a resend
//! answers the same receipt, a second vote and bad choices are refused with a message and
//! change nothing; once counted the page shows the result round by round, and a voter finds
//! their tracker among the published ballots.

mod common;

use charter_app::ballots::Choice;
use charter_app::rolls::RollRequest;
use charter_model::BallotId;
use chrono::Duration;
use common::ballots::{close, open_ballot, ordinary_links};
use common::{MEMBER, NATIONAL, TestApp, TestClient, TestResponse, now};

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn submission_of(page: &TestResponse) -> String {
    let text = page.text();
    let key = between(&text, "name=\"submission\" value=\"", "\"")
        .unwrap_or_else(|| panic!("no submission field: {text}"))
        .to_string();
    assert!(
        (8..=100).contains(&key.len())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "the app accepts the form's submission id: {key}"
    );
    key
}

fn tracker_of(receipt: &TestResponse) -> String {
    let text = receipt.text();
    let t = between(&text, "id=\"tracker\">", "<")
        .unwrap_or_else(|| panic!("no tracker: {text}"))
        .to_string();
    assert_eq!(t.len(), 14, "{t}");
    t
}

async fn votes(app: &TestApp, id: BallotId) -> i64 {
    app.store()
        .ballot_turnout(id)
        .await
        .unwrap()
        .iter()
        .map(|t| t.voted)
        .sum()
}

both_backends!(officers_set_up_a_ballot_from_the_form, |app| async move {
    let member = app.sign_in(MEMBER).await;
    let page = member.get("/ballots").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(
        text.contains("<a href=\"/ballots\" aria-current=\"page\">Ballots</a>"),
        "Ballots is in the main nav"
    );
    assert!(!text.contains("id=\"nb-form\""), "no form for a member");
    assert_eq!(
        app.client().get("/ballots").await.status,
        303,
        "signing in first"
    );

    let national = app.sign_in(NATIONAL).await;
    let csrf = national.csrf_token().unwrap();
    let actor = app.app().actor(app.account(NATIONAL).member).await.unwrap();
    let roll = app
        .app()
        .freeze_roll(
            &actor,
            &RollRequest {
                title: "Election roll".into(),
                context: "member-ballot".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some(common::today() + Duration::days(3)),
            },
        )
        .await
        .unwrap();
    let page = national.get("/ballots").await.text();
    assert!(page.contains("id=\"nb-form\""), "{page}");
    assert!(page.contains("Election roll"), "the roll is offered");
    assert!(page.contains("clause 6.7"), "the window's clause");
    assert!(page.contains("value=\"ordinary-motion\" selected"));
    let at = |days: i64| {
        (now() + Duration::days(days))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let roll_id = roll.to_string();
    let (opens, closes) = (at(5), at(13));
    let fields = |title: &str, opens: &str, candidates: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", title.to_string()),
            ("question", "Elect the steering committee".to_string()),
            ("kind", "election".to_string()),
            ("decision_kind", "ordinary-motion".to_string()),
            ("candidates", candidates.to_string()),
            ("seats", "2".to_string()),
            ("roll", roll_id.clone()),
            ("opens_at", opens.to_string()),
            ("closes_at", closes.clone()),
        ]
    };
    let post = |client: &TestClient, f: Vec<(&'static str, String)>| {
        let client = client.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.post_form("/ballots", &pairs).await
        }
    };
    let before = app.app().ballots().await.unwrap().len();

    // Each refusal beside its field; the values typed come back.
    let bad = post(&national, fields("", &at(-1), "")).await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let text = bad.text();
    for id in ["nb-title-error", "nb-candidates-error", "nb-opens_at-error"] {
        assert!(text.contains(&format!("id=\"{id}\"")), "{id} in {text}");
    }
    assert!(text.contains("voting must open in the future"), "{text}");
    assert!(text.contains("aria-invalid=\"true\""));
    assert!(text.contains("The ballot was not set up"));
    let bad = post(&national, fields("Steering", "next tuesday", "Ada\nBea")).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("is not a date and time"),
        "{}",
        bad.text()
    );
    assert!(bad.text().contains(">Ada\nBea</textarea>"), "kept as typed");
    let short = fields("Steering", &opens, "Ada\nBea\nCal")
        .into_iter()
        .map(|(k, v)| if k == "closes_at" { (k, at(7)) } else { (k, v) })
        .collect();
    let bad = post(&national, short).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text()
            .contains("clause 6.7: voting stays open for at least 7 days"),
        "{}",
        bad.text()
    );
    // A member who is no officer posts the form anyway: refused on the page.
    let member_csrf = member.csrf_token().unwrap();
    let mut theirs = fields("Steering", &opens, "Ada\nBea\nCal");
    theirs[0].1 = member_csrf;
    let refused = post(&member, theirs).await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(
        refused.text().contains("only officers who call meetings"),
        "{}",
        refused.text()
    );
    let mut forged = fields("Steering", &opens, "Ada\nBea\nCal");
    forged[0].1 = "not the token".into();
    assert_eq!(post(&national, forged).await.status, 403);
    assert_eq!(
        app.app().ballots().await.unwrap().len(),
        before,
        "nothing refused was set up"
    );

    let ok = post(
        &national,
        fields("Steering committee", &opens, "Ada\nBea\n\nCal <Lab>\n"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let to = ok.header("location").unwrap().to_string();
    assert!(to.ends_with("?saved=created"), "{to}");
    let page = national.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    for want in [
        "The ballot is set up",
        "Steering committee",
        "clause 6.7: counted by scottish-stv for 2 seats",
        "Election, 2 seats",
        "Cal &#60;Lab&#62;",
        "scheduled",
        "Voting opens at",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    assert!(!text.contains("Cal <Lab>"), "names are escaped");
    assert!(!text.contains("id=\"vt-form\""), "not open yet");
    let list = member.get("/ballots").await.text();
    assert!(list.contains("Steering committee"), "{list}");
    assert_eq!(member.get("/ballots/999999").await.status, 404);
    assert_eq!(member.get("/ballots/abc").await.status, 404);
});

both_backends!(
    members_vote_on_the_page_and_by_their_link,
    |app| async move {
        let (id, links) = open_ballot(&app, "Steering committee", &["Ada", "Bea", "Cal"], 2).await;
        let page_url = format!("/ballots/{id}");
        let votes_url = format!("/ballots/{id}/votes");
        let member = app.sign_in(MEMBER).await;
        let csrf = member.csrf_token().unwrap();
        let page = member.get(&page_url).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        for want in [
            "id=\"vt-form\"",
            "<legend>Rank the candidates in order of preference</legend>",
            "<label for=\"vt-rank1\">1st preference</label>",
            "<label for=\"vt-rank2\">2nd preference</label>",
            "<label for=\"vt-rank3\">3rd preference</label>",
            "Turnout by branch",
            "0 of ",
        ] {
            assert!(text.contains(want), "{want} in {text}");
        }
        let submission = submission_of(&page);
        assert_ne!(
            submission_of(&member.get(&page_url).await),
            submission,
            "a fresh id for every form drawn"
        );

        // Bad choices are refused with a message beside the ranking; nothing goes in.
        let form = |ranks: &[(&'static str, &'static str)], csrf: &str, submission: &str| {
            let mut f = vec![
                ("csrf", csrf.to_string()),
                ("submission", submission.to_string()),
            ];
            f.extend(ranks.iter().map(|(k, v)| (*k, v.to_string())));
            f
        };
        let send = |client: &TestClient, url: &str, f: Vec<(&'static str, String)>| {
            let (client, url) = (client.clone(), url.to_string());
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                client.post_form(&url, &pairs).await
            }
        };
        for (ranks, message) in [
            (
                vec![("rank1", ""), ("rank2", "")],
                "choose your 1st preference",
            ),
            (
                vec![("rank1", "0"), ("rank2", "0")],
                "an option is ranked twice: Ada is both your 1st and your 2nd preference",
            ),
            (
                vec![("rank1", "1"), ("rank2", ""), ("rank3", "0")],
                "your 3rd preference follows a blank 2nd preference",
            ),
            (vec![("rank1", "7")], "option 7 is not on this ballot"),
            (vec![("rank1", "Ada")], "choose from the options listed"),
        ] {
            let res = send(&member, &votes_url, form(&ranks, &csrf, &submission)).await;
            assert_eq!(res.status, 422, "{ranks:?}: {}", res.text());
            let text = res.text();
            assert!(text.contains(message), "{message} in {text}");
            assert!(text.contains("id=\"vt-ranks-error\""), "beside the ranking");
            assert!(text.contains("Your vote was not cast"));
            assert!(text.contains("id=\"vt-form\""), "the form again");
        }
        let kept = send(
            &member,
            &votes_url,
            form(&[("rank1", "2"), ("rank2", "2")], &csrf, &submission),
        )
        .await;
        assert!(
            kept.text()
                .contains("<option value=\"2\" selected>Cal</option>"),
            "the choices come back as left"
        );
        let forged = send(
            &member,
            &votes_url,
            form(&[("rank1", "1")], "wrong", &submission),
        )
        .await;
        assert_eq!(forged.status, 403);
        assert_eq!(votes(&app, BallotId(id)).await, 0, "nothing went in");

        // The vote goes in; the receipt shows the tracker, once, uncached.
        let good = form(
            &[("rank1", "1"), ("rank2", "0"), ("rank3", "")],
            &csrf,
            &submission,
        );
        let receipt = send(&member, &votes_url, good.clone()).await;
        assert_eq!(receipt.status, 200, "{}", receipt.text());
        assert_eq!(receipt.header("cache-control"), Some("no-store"));
        let text = receipt.text();
        assert!(text.contains("Your vote is in the ballot box"), "{text}");
        assert!(text.contains("Find this tracker among the published ballots"));
        let tracker = tracker_of(&receipt);
        // The same form again: the same receipt, nothing counted twice.
        let again = send(&member, &votes_url, good).await;
        assert_eq!(again.status, 200);
        assert_eq!(tracker_of(&again), tracker);
        assert!(again.text().contains("already in the ballot box"));
        assert_eq!(votes(&app, BallotId(id)).await, 1);
        // A second vote from a fresh form is refused with the reason.
        let fresh = vote_key();
        let second = send(&member, &votes_url, form(&[("rank1", "2")], &csrf, &fresh)).await;
        assert_eq!(second.status, 409, "{}", second.text());
        let text = second.text();
        assert!(
            text.contains("you have already voted in this ballot"),
            "{text}"
        );
        assert!(text.contains("You have voted in this ballot"));
        assert!(!text.contains("id=\"vt-form\""));
        assert_eq!(votes(&app, BallotId(id)).await, 1);
        let page = member.get(&page_url).await.text();
        assert!(page.contains("It is not kept with your name, so it cannot be shown again"));
        assert!(!page.contains(&tracker), "the tracker is never shown again");
        assert!(page.contains("1 of "), "turnout counts the vote: {page}");

        // By the personal link, with no session: the same form, posting to the link.
        let links = ordinary_links(&app, BallotId(id), &links).await;
        let anonymous = app.client();
        let link = format!("/ballots/{id}/vote/{}", links[0]);
        let page = anonymous.get(&link).await;
        assert_eq!(page.status, 200, "{}", page.text());
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert_eq!(
            page.header("referrer-policy"),
            Some("same-origin"),
            "the link goes to no other site"
        );
        let text = page.text();
        assert!(text.contains(&format!("action=\"{link}\"")), "{text}");
        assert!(!text.contains("name=\"csrf\" value=\"\""));
        assert!(text.contains(">Sign in</a>"), "not signed in");
        let key = submission_of(&page);
        let by_link = |ranks: &[(&'static str, &'static str)]| {
            form(ranks, "", &key)
                .into_iter()
                .filter(|(k, _)| *k != "csrf")
                .collect::<Vec<_>>()
        };
        let cross = anonymous
            .send(
                http::Method::POST,
                &link,
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("origin", "http://evil.example"),
                ],
                bytes::Bytes::from(format!("submission={key}&rank1=0")),
            )
            .await;
        assert_eq!(cross.status, 403, "another site's form");
        let bad = send(
            &anonymous,
            &link,
            by_link(&[("rank1", "0"), ("rank2", "0")]),
        )
        .await;
        assert_eq!(bad.status, 422);
        assert!(bad.text().contains("ranked twice"));
        assert_eq!(votes(&app, BallotId(id)).await, 1);
        let receipt = send(
            &anonymous,
            &link,
            by_link(&[("rank1", "2"), ("rank2", "1")]),
        )
        .await;
        assert_eq!(receipt.status, 200, "{}", receipt.text());
        let link_tracker = tracker_of(&receipt);
        assert_ne!(link_tracker, tracker);
        assert_eq!(votes(&app, BallotId(id)).await, 2);
        let page = anonymous.get(&link).await.text();
        assert!(page.contains("You have voted in this ballot"), "{page}");

        // A link that is not one: a clear 403, for reading and for voting.
        let wrong = format!("/ballots/{id}/vote/not-a-real-link");
        let res = anonymous.get(&wrong).await;
        assert_eq!(res.status, 403);
        assert!(
            res.text().contains("this voting link is not valid"),
            "{}",
            res.text()
        );
        let res = send(&anonymous, &wrong, by_link(&[("rank1", "0")])).await;
        assert_eq!(res.status, 403);
        assert_eq!(votes(&app, BallotId(id)).await, 2);
        // Nothing is published while voting is open.
        assert_eq!(
            anonymous
                .get(&format!("/ballots/{id}/published"))
                .await
                .status,
            409
        );
    }
);

fn vote_key() -> String {
    charter_app::meetings::vote_key()
}

both_backends!(
    a_question_is_counted_and_each_voter_finds_their_tracker,
    |app| async move {
        let (id, links) = open_ballot(&app, "Affiliation", &[], 1).await;
        let links = ordinary_links(&app, BallotId(id), &links).await;
        let anonymous = app.client();
        let answers = ["0", "0", "0", "1", "2"];
        let mut receipts = Vec::new();
        for (k, answer) in answers.iter().enumerate() {
            let link = format!("/ballots/{id}/vote/{}", links[k]);
            let page = anonymous.get(&link).await;
            let text = page.text();
            assert!(
                text.contains("<legend>Your answer to the question</legend>"),
                "{text}"
            );
            assert!(text.contains("<label for=\"vt-choice-0\">Yes</label>"));
            let key = submission_of(&page);
            if k == 0 {
                let none = anonymous.post_form(&link, &[("submission", &key)]).await;
                assert_eq!(none.status, 422);
                assert!(none.text().contains("choose one answer: Yes, No, Abstain"));
                let wrong = anonymous
                    .post_form(&link, &[("submission", &key), ("choice", "5")])
                    .await;
                assert_eq!(wrong.status, 422);
                assert_eq!(votes(&app, BallotId(id)).await, 0);
            }
            let receipt = anonymous
                .post_form(&link, &[("submission", &key), ("choice", answer)])
                .await;
            assert_eq!(receipt.status, 200, "{}", receipt.text());
            receipts.push(tracker_of(&receipt));
        }
        let expected = ["Yes", "Yes", "Yes", "No", "Abstain"];
        let link0 = format!("/ballots/{id}/vote/{}", links[0]);
        let open = anonymous.get(&link0).await.text();
        assert!(!open.contains("Check your tracker"), "not before the close");
        assert!(open.contains("5 of "), "{open}");

        close(&app, BallotId(id)).await;
        let page = anonymous.get(&link0).await;
        assert_eq!(page.status, 200);
        let text = page.text();
        for want in [
            "id=\"results-title\"",
            "carried",
            "Yes votes needed",
            "<caption>Votes for each answer</caption>",
            "Voting closed at",
            "Check your tracker",
            "/api/v1/ballots/",
            "charter count ballots.json --method yes-no",
        ] {
            assert!(text.contains(want), "{want} in {text}");
        }
        // Each voter's tracker, typed loosely, shows the answer they gave.
        for (k, tracker) in receipts.iter().enumerate() {
            let typed = tracker.to_lowercase().replace('-', "");
            let res = anonymous.get(&format!("{link0}?tracker={typed}")).await;
            assert_eq!(res.status, 200);
            let text = res.text();
            let found =
                between(&text, "id=\"tc-result\"", "</div>").unwrap_or_else(|| panic!("{text}"));
            assert!(found.contains(tracker.as_str()), "{found}");
            assert!(
                found.contains(&format!("<li>{}</li>", expected[k])),
                "{k}: {found}"
            );
        }
        let member = app.sign_in(MEMBER).await;
        let missing = member
            .get(&format!("/ballots/{id}?tracker=ZZZZ-ZZZZ-0001"))
            .await
            .text();
        assert!(
            missing.contains("No published ballot has the tracker"),
            "{missing}"
        );
        let bad = member.get(&format!("/ballots/{id}?tracker=abc")).await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.text()
                .contains("a tracker is twelve letters and digits")
        );

        // The published ballots are public, like the API's files.
        let published = app.client().get(&format!("/ballots/{id}/published")).await;
        assert_eq!(published.status, 200, "{}", published.text());
        let text = published.text();
        for tracker in &receipts {
            assert!(text.contains(tracker.as_str()), "{tracker}");
        }
        assert!(text.contains("5 in all"));
        let json = app
            .client()
            .get(&format!("/api/v1/ballots/{id}/ballots.json"))
            .await;
        assert_eq!(json.status, 200);
    }
);

both_backends!(an_election_is_shown_round_by_round, |app| async move {
    let (id, links) = open_ballot(
        &app,
        "Steering committee",
        &["Ada", "Bea", "Cal <Lab>", "Dee"],
        2,
    )
    .await;
    let links = ordinary_links(&app, BallotId(id), &links).await;
    // 60 ballots by link through the app, so the count runs several rounds.
    let patterns: [&[u32]; 5] = [&[0, 1], &[1, 0, 2], &[2, 3], &[0, 3, 1], &[3, 2]];
    let mut trackers = Vec::new();
    for (k, token) in links.iter().take(60).enumerate() {
        let voter = app.app().voter_for_link(BallotId(id), token).await.unwrap();
        let r = app
            .app()
            .cast_ballot(
                voter,
                BallotId(id),
                &format!("election-ballot-{k:04}"),
                &Choice {
                    ranks: patterns[k % patterns.len()].to_vec(),
                },
                None,
            )
            .await
            .unwrap();
        trackers.push(r.tracker);
    }
    close(&app, BallotId(id)).await;
    let b = app.store().ballot(BallotId(id)).await.unwrap().unwrap();
    let result: serde_json::Value =
        serde_json::from_str(b.result_json.as_deref().unwrap()).unwrap();
    let rounds = result["rounds"].as_array().unwrap();
    assert!(rounds.len() > 1, "{result}");
    let member = app.sign_in(MEMBER).await;
    let page = member.get(&format!("/ballots/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    for want in [
        "<h3 id=\"rounds-title\">Round by round</h3>",
        "class=\"rounds-chart\"",
        "<title id=\"chart-title\">Totals by round</title>",
        "<caption>Each candidate's total at the end of each round</caption>",
        "<span class=\"tag yes\">elected</span>",
        "Non-transferable",
        "charter count ballots.json --method scottish-stv --seats 2",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    assert_eq!(text.matches("<polyline").count(), 4, "a line per candidate");
    assert!(
        text.contains("<title>Cal &#60;Lab&#62;</title>"),
        "in the chart too"
    );
    assert!(
        !text.contains("Cal <Lab>"),
        "names are escaped, in the chart too"
    );
    let elected = between(
        &text,
        "<ol aria-labelledby=\"elected-title\" class=\"elected\">",
        "</ol>",
    )
    .unwrap();
    for name in result["elected"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            elected.contains(&format!("<li>{name}</li>")),
            "{name} in {elected}"
        );
    }
    // Totals as the count wrote them, digits and all (not through floating point).
    let raw = b.result_json.as_deref().unwrap();
    let first = between(raw, "\"totals\": {\"Ada\": ", ",").unwrap();
    assert!(
        first.contains('.'),
        "STV writes fixed-point totals: {first}"
    );
    assert!(
        text.contains(&format!("<td class=\"num\">{first}")),
        "{first} in {text}"
    );

    // The published ballots, 50 to a page.
    let p1 = member.get(&format!("/ballots/{id}/published")).await.text();
    let p2 = member
        .get(&format!("/ballots/{id}/published?page=2"))
        .await
        .text();
    let rows = |t: &str| t.matches("<th scope=\"row\"><code>").count();
    assert_eq!((rows(&p1), rows(&p2)), (50, 10));
    assert!(p1.contains("rel=\"next\""), "a pager");
    for t in &trackers {
        assert!(p1.contains(t.as_str()) || p2.contains(t.as_str()), "{t}");
    }
});
