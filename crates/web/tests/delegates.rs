//! Delegate conferences over the JSON API on both backends: the demo's annual conference
//! (apportioned, credentialed, a challenge ruled on) and a conference under way set up in the
//! past through the app, whose delegates vote by card. Bad input is a clear 4xx that changes
//! nothing.

mod common;

use std::collections::BTreeMap;

use charter_app::delegates::CredentialRequest;
use charter_app::meetings::MeetingRequest;
use charter_domain::{MemberId, UnitId};
use charter_model::MeetingId;
use charter_store::NewMotion;
use chrono::Duration;
use common::ballots::app_at;
use common::{MEMBER, NATIONAL, TestApp, now};
use serde_json::json;

async fn meeting_id(app: &TestApp, title: &str) -> MeetingId {
    app.store()
        .meetings(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.title == title)
        .unwrap_or_else(|| panic!("no meeting '{title}'"))
        .id
}

/// Members entitled to vote at conference, by branch, from the demo's annual conference roll.
async fn conference_voters(app: &TestApp) -> BTreeMap<UnitId, Vec<MemberId>> {
    let store = app.store();
    let roll = store
        .rolls()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.title == "Annual conference roll")
        .unwrap();
    let mut by = BTreeMap::<UnitId, Vec<MemberId>>::new();
    for (m, b, ok) in store.roll_frozen_lines(roll.id, None).await.unwrap() {
        if ok {
            by.entry(b).or_default().push(m);
        }
    }
    by
}

async fn events(app: &TestApp) -> usize {
    app.store().events(0, 1_000_000).await.unwrap().len()
}

both_backends!(
    the_demo_conference_shows_its_delegates_and_rulings,
    |app| async move {
        let id = meeting_id(&app, charter_demo::CONFERENCE_TITLE).await;
        let path = format!("/api/v1/conferences/{id}/delegates");
        assert_eq!(app.client().get(&path).await.status, 401);
        let member = app.sign_in(MEMBER).await;
        let res = member.get(&path).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let c = res.json();
        assert_eq!(c["clause"], "6.8");
        assert!(
            c["rule"]
                .as_str()
                .unwrap()
                .contains("votes are taken by card")
        );
        let a = &c["apportionment"];
        assert_eq!(a["clause"], "6.8");
        assert_eq!(a["card_vote"], "split-among-present");
        assert_eq!(a["ruled_by"], "secretary");
        let branches = c["branches"].as_array().unwrap();
        let units = app.store().units().await.unwrap();
        let n_branches = units
            .iter()
            .filter(|u| u.kind == charter_domain::UnitKind::Branch)
            .count();
        assert_eq!(branches.len(), n_branches);
        let total: u64 = branches
            .iter()
            .map(|b| b["delegates"].as_u64().unwrap())
            .sum();
        assert_eq!(a["total_delegates"].as_u64().unwrap(), total);
        for b in branches {
            let (paid, n) = (
                b["paid_up"].as_u64().unwrap(),
                b["delegates"].as_u64().unwrap(),
            );
            assert!(n <= paid && (paid == 0 || n >= 1), "{b}");
        }
        let credentials = c["credentials"].as_array().unwrap();
        assert!(!credentials.is_empty(), "{c}");
        let challenges = c["challenges"].as_array().unwrap();
        assert_eq!(challenges.len(), 1, "{c}");
        assert_eq!(challenges[0]["ruling"], "rejected");
        assert!(
            challenges[0]["reason"]
                .as_str()
                .unwrap()
                .contains("quorate")
        );

        // A member challenges a credential: bad input first, each refused and nothing written.
        let target = credentials
            .iter()
            .find(|x| x["member_id"] != json!(app.account(MEMBER).member.0))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let challenge = format!("/api/v1/credentials/{target}/challenges");
        let before = events(&app).await;
        for (body, status) in [
            (json!({}), 400),
            (json!({"grounds": 7}), 400),
            (json!({"grounds": "x", "colour": "red"}), 400),
            (json!({"grounds": "   "}), 422),
            (json!({"grounds": "x".repeat(4_001)}), 422),
        ] {
            let res = member.post_json(&challenge, &body).await;
            assert_eq!(res.status, status, "{body}: {}", res.text());
        }
        let res = member
            .post_json(
                "/api/v1/credentials/999999/challenges",
                &json!({"grounds": "who?"}),
            )
            .await;
        assert_eq!(res.status, 404, "{}", res.text());
        assert_eq!(events(&app).await, before, "refusals write nothing");
        let res = member
            .post_json(
                &challenge,
                &json!({"grounds": "Not a member of the branch that sent them."}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let lodged = res.json()["id"].as_i64().unwrap();
        let again = member
            .post_json(&challenge, &json!({"grounds": "Again."}))
            .await;
        assert_eq!(again.status, 409, "{}", again.text());

        // Only the office the clause names rules, with reasons, once.
        let ruling = format!("/api/v1/credential-challenges/{lodged}/ruling");
        let res = member
            .post_json(&ruling, &json!({"ruling": "upheld", "reason": "I say so."}))
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        assert!(res.text().contains("6.8"), "{}", res.text());
        let national = app.sign_in(NATIONAL).await;
        for (body, status) in [
            (json!({"ruling": "maybe", "reason": "Unclear."}), 422),
            (json!({"ruling": "upheld", "reason": ""}), 422),
            (json!({"ruling": "upheld"}), 400),
        ] {
            let res = national.post_json(&ruling, &body).await;
            assert_eq!(res.status, status, "{body}: {}", res.text());
        }
        let res = national
        .post_json(
            &ruling,
            &json!({"ruling": "upheld", "reason": "The register shows them in another branch."}),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["ruling"], "upheld");
        let res = national
            .post_json(
                &ruling,
                &json!({"ruling": "rejected", "reason": "Second thoughts."}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        let after = member.get(&path).await.json();
        let struck = after["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == json!(target))
            .unwrap()
            .clone();
        assert_eq!(struck["state"], "struck");

        // Apportioned once; credentials only by the branch's officers.
        let res = national
            .post_json(
                &format!("/api/v1/conferences/{id}/apportionment"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        let res = member
        .post_json(
            &format!("/api/v1/conferences/{id}/credentials"),
            &json!({"branch_id": struck["branch_id"], "member_id": app.account(MEMBER).member.0, "role": "delegate"}),
        )
        .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = national
            .post_json(
                &format!("/api/v1/conferences/{id}/credentials"),
                &json!({"branch_id": struck["branch_id"], "member_id": 1, "role": "observer"}),
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(
            app.client()
                .get("/api/openapi.json")
                .await
                .text()
                .contains("/api/v1/conferences/{id}/delegates")
        );
    }
);

both_backends!(
    delegates_vote_by_card_at_a_conference_under_way,
    |app| async move {
        // Set up fifty days ago: called, apportioned, two branches' delegates and a substitute
        // recorded, a motion proposed and seconded.
        let past = app_at(&app, now() - Duration::days(50));
        let secretary = app.account(NATIONAL).member;
        let officer = past.actor(secretary).await.unwrap();
        let m = past
            .call_meeting(
                &officer,
                &MeetingRequest {
                    body: "conference".into(),
                    unit: None,
                    kind: "annual-conference".into(),
                    title: "Conference under way".into(),
                    starts_at: Some(now() - Duration::hours(1)),
                    ends_at: Some(now() + Duration::hours(6)),
                    mode: "physical".into(),
                    place: Some("Hall".into()),
                    online_url: None,
                    agenda: "1. Motions".into(),
                },
            )
            .await
            .unwrap();
        let shares = past.apportion_delegates(&officer, m.id).await.unwrap();
        let voters = conference_voters(&app).await;
        let mut picked = voters
            .iter()
            .filter(|(b, v)| {
                v.len() >= 2
                    && v.iter().all(|x| *x != secretary)
                    && shares.iter().any(|s| s.branch == **b && s.delegates >= 1)
            })
            .map(|(b, v)| (*b, v.clone()));
        let (branch_a, a) = picked.next().expect("a branch with two voters");
        let (branch_b, b) = picked.next().expect("another branch");
        let record = |branch, member, role: &str| CredentialRequest {
            branch: Some(branch),
            member: Some(member),
            role: role.into(),
            source: "elected at the branch general meeting".into(),
        };
        let a1 = past
            .record_credential(&officer, m.id, &record(branch_a, a[0], "delegate"))
            .await
            .unwrap();
        let a2 = past
            .record_credential(&officer, m.id, &record(branch_a, a[1], "substitute"))
            .await
            .unwrap();
        let b1 = past
            .record_credential(&officer, m.id, &record(branch_b, b[0], "delegate"))
            .await
            .unwrap();
        let proposer = past.actor(a[0]).await.unwrap();
        let motion = past
            .propose_motion(
                &proposer,
                m.id,
                &NewMotion {
                    meeting: m.id,
                    kind: "ordinary-motion".into(),
                    title: "Restore the elected committees".into(),
                    text: "Conference restores the National Committee and the regional committees."
                        .into(),
                    matter: None,
                    position: None,
                    requires: None,
                    proposed_by: None,
                    seconded_by: None,
                    parent: None,
                    target: None,
                    emergency: false,
                },
            )
            .await
            .unwrap();
        past.second_motion(&past.actor(b[0]).await.unwrap(), motion)
            .await
            .unwrap();

        let national = app.sign_in(NATIONAL).await;
        let delegate_a2 = app.sign_in_member(a[1]).await;
        let delegate_b1 = app.sign_in_member(b[0]).await;
        let member = app.sign_in(MEMBER).await;

        // Challenges closed a week before the conference: refused, citing the clause.
        let res = member
            .post_json(
                &format!("/api/v1/credentials/{}/challenges", a1.id),
                &json!({"grounds": "Too late, but still."}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        assert!(res.text().contains("clause 6.8"), "{}", res.text());

        // Check-in: the substitute stands in for the absent delegate, who then cannot.
        let check_in = format!("/api/v1/conferences/{}/delegate-check-ins", m.id);
        let res = member
            .post_json(&check_in, &json!({"credential_id": b1.id}))
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = national
            .post_json(&check_in, &json!({"credential_id": a2.id}))
            .await;
        assert_eq!(
            res.status,
            409,
            "a substitute names whom they stand for: {}",
            res.text()
        );
        let res = national
            .post_json(
                &check_in,
                &json!({"credential_id": a2.id, "stands_for": b1.id}),
            )
            .await;
        assert_eq!(res.status, 409, "not of their branch: {}", res.text());
        for body in [
            json!({"credential_id": b1.id}),
            json!({"credential_id": a2.id, "stands_for": a1.id}),
        ] {
            let res = national.post_json(&check_in, &body).await;
            assert_eq!(res.status, 201, "{body}: {}", res.text());
        }
        let res = national
            .post_json(&check_in, &json!({"credential_id": a1.id}))
            .await;
        assert_eq!(res.status, 409, "{}", res.text());

        // Members' electronic polls are not how a delegate conference votes.
        let res = national
            .post_json(
                &format!("/api/v1/motions/{motion}/poll"),
                &json!({"mode": "named"}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        let card_vote = format!("/api/v1/motions/{motion}/card-vote");
        let cards = format!("{card_vote}/cards");
        let res = delegate_b1
            .post_json(
                &cards,
                &json!({"choice": "for", "submission": "early-vote-01"}),
            )
            .await;
        assert_eq!(res.status, 409, "no card vote yet: {}", res.text());
        let res = member.post_json(&card_vote, &json!({})).await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = national.post_json(&card_vote, &json!({})).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let opened = res.json();
        let paid = |branch: UnitId| {
            shares
                .iter()
                .find(|s| s.branch == branch)
                .map(|s| s.paid_up as i64)
                .unwrap()
        };
        assert_eq!(opened["holders"], 2);
        assert_eq!(opened["cards_held"], json!(paid(branch_a) + paid(branch_b)));
        let res = national.post_json(&card_vote, &json!({})).await;
        assert_eq!(res.status, 409, "opened once: {}", res.text());

        // Voting: bad input, a non-delegate and a second vote are refused and count nothing.
        let before = events(&app).await;
        for (body, status) in [
            (
                json!({"choice": "maybe", "submission": "a2-vote-0001"}),
                422,
            ),
            (json!({"choice": "for", "submission": "x"}), 422),
            (json!({"choice": "for"}), 400),
        ] {
            let res = delegate_a2.post_json(&cards, &body).await;
            assert_eq!(res.status, status, "{body}: {}", res.text());
        }
        let res = member
            .post_json(
                &cards,
                &json!({"choice": "against", "submission": "member-vote-01"}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        assert_eq!(events(&app).await, before, "refusals write nothing");
        let res = delegate_a2
            .post_json(
                &cards,
                &json!({"choice": "for", "submission": "a2-vote-0001"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let res = delegate_a2
            .post_json(
                &cards,
                &json!({"choice": "for", "submission": "a2-vote-0001"}),
            )
            .await;
        assert_eq!(res.status, 200, "the same vote again: {}", res.text());
        assert_eq!(res.json()["status"], "already-recorded");
        let res = delegate_a2
            .post_json(
                &cards,
                &json!({"choice": "against", "submission": "a2-vote-0002"}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        let res = delegate_b1
            .post_json(
                &cards,
                &json!({"choice": "against", "submission": "b1-vote-0001"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let seen = member.get(&card_vote).await.json();
        assert_eq!(
            (seen["hands_for"].clone(), seen["hands_against"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(seen["cards_for"], json!(paid(branch_a)));
        assert_eq!(seen["cast"].as_array().unwrap().len(), 2);

        // Closing decides by the cards, with the show of hands beside them.
        let res = member
            .post_json(&format!("{card_vote}/close"), &json!({}))
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = national
            .post_json(&format!("{card_vote}/close"), &json!({}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let closed = res.json();
        assert_eq!(closed["count"]["cards_for"], json!(paid(branch_a)));
        assert_eq!(closed["count"]["cards_against"], json!(paid(branch_b)));
        assert_eq!(closed["count"]["hands_for"], 1);
        assert!(
            ["adopted", "rejected", "not-binding"].contains(&closed["outcome"].as_str().unwrap()),
            "{closed}"
        );
        let decided = app.store().motion(motion).await.unwrap().unwrap();
        assert_eq!(decided.votes_for, Some(paid(branch_a)), "{decided:?}");
        let res = delegate_b1
            .post_json(
                &cards,
                &json!({"choice": "for", "submission": "b1-vote-0002"}),
            )
            .await;
        assert_eq!(res.status, 409, "closed: {}", res.text());
    }
);

fn assert_page(res: &common::TestResponse, status: u16, needle: &str) {
    let body = res.text();
    assert_eq!(res.status.as_u16(), status, "{body}");
    assert!(body.contains(needle), "{needle:?} not in: {body}");
}

both_backends!(
    the_delegates_page_lists_and_takes_challenges,
    |app| async move {
        let id = meeting_id(&app, charter_demo::CONFERENCE_TITLE).await;
        let path = format!("/meetings/{id}/delegates");
        let member = app.sign_in(MEMBER).await;
        let csrf = member.csrf_token().unwrap();
        let page = member.get(&path).await;
        assert_page(&page, 200, "Clause 6.8");
        for needle in [
            "<caption>Each branch",
            "Challenges and rulings",
            "the meeting was quorate",
            "<label for=\"dl-grounds-",
        ] {
            assert!(page.text().contains(needle), "{needle}");
        }
        assert!(
            !page.text().contains("Apportion the delegates"),
            "members see no officers' forms"
        );
        assert_page(
            &member.get(&format!("/meetings/{id}")).await,
            200,
            &format!("/meetings/{id}/delegates"),
        );
        let target = app
            .store()
            .delegate_credentials(id)
            .await
            .unwrap()
            .into_iter()
            .find(|c| {
                c.member != app.account(MEMBER).member
                    && c.state == charter_domain::DelegateCredentialState::Credentialed
            })
            .unwrap()
            .id;
        let before = events(&app).await;
        let res = member
            .post_form(
                &format!("/credentials/{target}/challenges"),
                &[
                    ("csrf", &csrf),
                    ("meeting", &id.to_string()),
                    ("grounds", " "),
                ],
            )
            .await;
        assert_page(&res, 422, "say why the credential should not stand");
        assert_eq!(events(&app).await, before);
        let res = member
            .post_form(
                &format!("/credentials/{target}/challenges"),
                &[
                    ("csrf", &csrf),
                    ("meeting", &id.to_string()),
                    ("grounds", "Elected at an inquorate meeting"),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.text());
        assert_page(
            &member.get(&path).await,
            200,
            "Elected at an inquorate meeting",
        );
        let national = app.sign_in(NATIONAL).await;
        assert_page(&national.get(&path).await, 200, "Record ruling");
    }
);
