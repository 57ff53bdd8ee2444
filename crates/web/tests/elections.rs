//! Election pages on both backends, against the demo's steering committee election with
//! nominations open: the list and the election's page show the timetable with its clause, the
//! candidates with their nominators and statements; a member nominates from the page, and a
//! member the constitution does not let stand is refused with the clause, changing nothing;
//! a candidate publishes a statement and withdraws; the ballot cannot be built while
//! nominations are open; bad input gets a message beside its field.

mod common;

use charter_domain::MemberId;
use charter_model::ElectionId;
use common::{MEMBER, NATIONAL, TestApp, TestResponse};

async fn election_id(app: &TestApp) -> ElectionId {
    app.store()
        .elections()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.title == charter_demo::STEERING_ELECTION_TITLE)
        .expect("the demo opens the steering committee's election")
        .id
}

async fn nominations(app: &TestApp, id: ElectionId) -> Vec<(MemberId, String, i64)> {
    app.store()
        .nominations(id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.candidate, n.state.to_string(), n.nominators))
        .collect()
}

fn assert_page(res: &TestResponse, status: u16, needle: &str) {
    let body = res.text();
    assert_eq!(res.status.as_u16(), status, "{body}");
    assert!(body.contains(needle), "{needle:?} not in: {body}");
}

both_backends!(nominations_on_the_election_page, |app| async move {
    let id = election_id(&app).await;
    let page = format!("/elections/{id}");
    let before = nominations(&app, id).await;
    let states: Vec<&str> = before.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(states, ["valid", "valid", "valid", "seeking"], "{before:?}");

    let national = app.sign_in(NATIONAL).await;
    let list = national.get("/elections").await;
    assert_page(&list, 200, charter_demo::STEERING_ELECTION_TITLE);
    assert_page(&list, 200, "Open an election");
    assert_page(&list, 200, "nominations open");
    let seen = national.get(&page).await;
    assert_page(&seen, 200, "each candidate needs 2 nominators (clause 6.7)");
    assert_page(&seen, 200, "seeking nominators (1 of 2)");
    assert_page(&seen, 200, "every decision minuted and published");
    // The ballot cannot be built while nominations are open, even by a posted form.
    let csrf = national.csrf_token().unwrap();
    let early = national
        .post_form(&format!("{page}/ballot"), &[("csrf", &csrf)])
        .await;
    assert_page(&early, 409, "nominations are still open");
    assert!(
        app.store()
            .election(id)
            .await
            .unwrap()
            .unwrap()
            .ballot
            .is_none()
    );

    let member = app.sign_in(MEMBER).await;
    let csrf = member.csrf_token().unwrap();
    let nominate = |who: String| {
        let member = &member;
        let csrf = csrf.clone();
        let page = page.clone();
        async move {
            member
                .post_form(
                    &format!("{page}/nominations"),
                    &[("csrf", &csrf), ("candidate", &who)],
                )
                .await
        }
    };
    let bad = nominate("twelve".into()).await;
    assert_page(&bad, 422, "&#39;twelve&#39; is not a member number");
    assert_page(&bad, 422, "value=\"twelve\"");
    let own = app.account(MEMBER).member;
    let myself = nominate(own.0.to_string()).await;
    assert_page(
        &myself,
        422,
        "members are nominated by others, not by themselves",
    );

    // Down the conference roll: the first member who may stand is nominated; the first who
    // may not is refused with the reason and clause, and nothing is recorded for them.
    let roll = app.store().election(id).await.unwrap().unwrap().roll;
    let listed = app.store().roll_frozen_lines(roll, None).await.unwrap();
    let (mut nominated, mut refused) = (None, None);
    for (m, _, _) in listed {
        if m == own || before.iter().any(|(c, _, _)| *c == m) {
            continue;
        }
        let res = nominate(m.0.to_string()).await;
        match res.status.as_u16() {
            303 if nominated.is_none() => nominated = Some(m),
            422 if refused.is_none() => {
                let text = res.text();
                assert!(text.contains("this member may not stand"), "{text}");
                assert!(text.contains("clause"), "{text}");
                // Attack: nominating must not read the register to the nominator. Why the
                // candidate may not stand (status, dues, affiliations) is theirs alone.
                let refusal = text
                    .split("this member may not stand")
                    .nth(1)
                    .and_then(|t| t.split('<').next())
                    .unwrap_or_default()
                    .to_lowercase();
                for private in ["paid", "lapsed", "suspended", "affiliat", "status", "since"] {
                    assert!(!refusal.contains(private), "{private}: {refusal}");
                }
                refused = Some(m);
            }
            303 | 422 => {}
            other => panic!("nominating {}: {other} {}", m.0, res.text()),
        }
        if nominated.is_some() && refused.is_some() {
            break;
        }
    }
    let (nominated, refused) = (nominated.unwrap(), refused.unwrap());
    // An unknown member number is refused in the same words: nominating finds nobody out.
    let nobody = nominate("999999".into()).await;
    assert_page(&nobody, 422, "this member may not stand");
    let after = nominations(&app, id).await;
    assert!(
        after
            .iter()
            .any(|(c, s, n)| *c == nominated && s == "seeking" && *n == 1),
        "{after:?}"
    );
    assert!(after.iter().all(|(c, _, _)| *c != refused), "{after:?}");
    let done = member.get(&format!("{page}?saved=nominated")).await;
    assert_page(&done, 200, "Your nomination is recorded.");

    // The candidate writes a statement and withdraws; both show on the page.
    let candidate = app.sign_in_member(nominated).await;
    let csrf = candidate.csrf_token().unwrap();
    let mine = candidate.get(&page).await;
    assert_page(&mine, 200, "Publish my statement");
    let saved = candidate
        .post_form(
            &format!("{page}/statement"),
            &[
                ("csrf", &csrf),
                ("statement", "Conference decides, <not> the leader."),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let shown = candidate.get(&page).await;
    assert_page(&shown, 200, "Conference decides, &#60;not&#62; the leader.");
    let gone = candidate
        .post_form(&format!("{page}/withdrawal"), &[("csrf", &csrf)])
        .await;
    assert_eq!(gone.status, 303, "{}", gone.text());
    let after = nominations(&app, id).await;
    assert!(
        after
            .iter()
            .any(|(c, s, _)| *c == nominated && s == "withdrawn"),
        "{after:?}"
    );
    // A withdrawn candidate has nothing more to withdraw.
    let again = candidate
        .post_form(&format!("{page}/withdrawal"), &[("csrf", &csrf)])
        .await;
    assert!(again.status.is_client_error(), "{}", again.text());

    // Without the form's CSRF token nothing is recorded.
    let forged = member
        .post_form(
            &format!("{page}/nominations"),
            &[("candidate", &refused.0.to_string())],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text());
    assert_eq!(nominations(&app, id).await, after);

    let nowhere = member.get("/elections/99999").await;
    assert_eq!(nowhere.status, 404);
});
