//! Requisitions over HTTP on both backends: a motion calls for a special conference by the
//! form or the API (and is refused, naming the clause, where it may not); a requisition past
//! its call-by date shows as overdue on the national page and in the API, and the letters the
//! timetable writes are recorded.

mod common;

use charter_domain::UnitId;
use charter_store::{EventActor, NewEvent, NewRequisition};
use common::{BRANCH_SECRETARY, MEMBER, NATIONAL, TestApp};
use serde_json::json;

async fn unit_id(app: &TestApp, slug: &str) -> UnitId {
    let units = app.store().units().await.unwrap();
    units.iter().find(|u| u.slug == slug).unwrap().id
}

fn event(kind: &str) -> NewEvent {
    NewEvent {
        at: common::now(),
        actor: EventActor {
            member: None,
            office: Some("the constitution".into()),
        },
        kind: kind.into(),
        subject: "requisition".into(),
        payload: "{}".into(),
        reason: "test".into(),
    }
}

both_backends!(a_motion_calls_for_a_special_conference, |app| async move {
    let southwark = unit_id(&app, "southwark").await;
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let starts = (common::now() + chrono::Duration::days(20)).to_rfc3339();
    let called = secretary
        .post_json(
            "/api/v1/meetings",
            &json!({
                "body": "branch-meeting",
                "unit_id": southwark.0,
                "kind": "general-meeting",
                "title": "General meeting",
                "starts_at": starts,
                "mode": "physical",
                "place": "Community hall",
            }),
        )
        .await;
    assert_eq!(called.status, 201, "{}", called.text());
    let id = called.json()["id"].as_i64().unwrap();
    let member = app.sign_in(MEMBER).await;
    let motion = |requires: &str| {
        json!({
            "kind": "ordinary-motion",
            "title": "A special conference",
            "text": "This branch requires a special conference to restore the elected committees.",
            "requires": requires,
        })
    };
    let events = app.store().events(0, 100_000).await.unwrap().len();
    let refused = member
        .post_json(
            &format!("/api/v1/meetings/{id}/motions"),
            &motion("annual-conference"),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let why = refused.json()["error"]["fields"]["requires"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        why.contains(
            "no clause of the constitution in force lets branches require an annual conference"
        ),
        "{why}"
    );
    assert_eq!(
        app.store().events(0, 100_000).await.unwrap().len(),
        events,
        "nothing written"
    );
    let proposed = member
        .post_json(
            &format!("/api/v1/meetings/{id}/motions"),
            &motion("special-conference"),
        )
        .await;
    assert_eq!(proposed.status, 201, "{}", proposed.text());
    let detail = member.get(&format!("/api/v1/meetings/{id}")).await.json();
    assert_eq!(
        detail["motions"][0]["requires"],
        json!("special-conference"),
        "{detail}"
    );

    // The form offers the meetings branches may require, and shows the call on the motion.
    let page = member.get(&format!("/meetings/{id}")).await.text();
    assert!(page.contains("calls for a special conference"), "{page}");
    assert!(
        page.contains(
            r#"<option value="special-conference">Calls for a special conference</option>"#
        ),
        "{page}"
    );
    let csrf = member.csrf_token().unwrap();
    let res = member
        .post_form(
            &format!("/meetings/{id}/motions"),
            &[
                ("csrf", &csrf),
                ("kind", "ordinary-motion"),
                ("title", "Another"),
                ("text", "This branch requires one too."),
                ("requires", "Special Conference!"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let text = res.text();
    assert!(text.contains("mo-requires-error"), "{text}");
    assert!(
        text.contains("name the meeting in lower-case words"),
        "{text}"
    );

    // A meeting of the national conference is no branch's: its motions may not call for one.
    let national = app.sign_in(NATIONAL).await;
    let conference = national
        .post_json(
            "/api/v1/meetings",
            &json!({
                "body": "conference",
                "kind": "special-conference",
                "title": "A special conference",
                "starts_at": (common::now() + chrono::Duration::days(40)).to_rfc3339(),
                "mode": "physical",
                "place": "Conway Hall",
            }),
        )
        .await;
    assert_eq!(conference.status, 201, "{}", conference.text());
    let cid = conference.json()["id"].as_i64().unwrap();
    let refused = national
        .post_json(
            &format!("/api/v1/meetings/{cid}/motions"),
            &motion("special-conference"),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let why = refused.json()["error"]["fields"]["requires"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        why.contains("clause 6.4") && why.contains("not a branch's meeting"),
        "{why}"
    );
});

both_backends!(
    an_overdue_requisition_shows_on_the_national_page,
    |app| async move {
        let member = app.sign_in(MEMBER).await;
        let me = app.account(MEMBER).member;
        let id = app
            .store()
            .open_requisition(
                &NewRequisition {
                    kind: "special-conference".into(),
                    title: "Restore the elected committees".into(),
                    purpose: String::new(),
                    matter: None,
                    opened_by: Some(me),
                },
                &event("requisition.opened"),
            )
            .await
            .unwrap();
        let page = member.get("/units").await;
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        assert!(text.contains("Meetings required"), "{text}");
        assert!(text.contains("Restore the elected committees"), "{text}");
        assert!(!text.contains("Overdue: the special conference"), "{text}");

        // Reached, with a call-by date three days ago: overdue, citing the clause.
        let call_by = common::today() - chrono::Days::new(3);
        app.store()
            .requisition_reached(id, "6.4", call_by, &event("requisition.reached"))
            .await
            .unwrap();
        let text = member.get("/units").await.text();
        assert!(
            text.contains("overdue: the meeting was not called in time"),
            "{text}"
        );
        let said = format!(
            "Overdue: the special conference had to be called by {} (clause 6.4).",
            call_by.format("%-d %b %Y")
        );
        assert!(text.contains(&said), "{said} in {text}");
        let list = member.get("/api/v1/requisitions").await.json();
        let r = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .unwrap()
            .clone();
        assert_eq!(r["state"], json!("overdue"), "{r}");
        assert!(r["reminded_at"].is_null(), "{r}");

        // The timetable writes to the national officers who call meetings, once a week.
        assert_eq!(app.app().run_requisition_clock().await.unwrap(), 1);
        assert_eq!(app.app().run_requisition_clock().await.unwrap(), 0);
        let list = member.get("/api/v1/requisitions").await.json();
        let r = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .unwrap()
            .clone();
        assert!(r["reminded_at"].is_string(), "{r}");
        let record = app.store().events(0, 100_000).await.unwrap();
        let overdue = record
            .iter()
            .find(|e| e.kind == "requisition.overdue")
            .expect("an event for the letters");
        assert!(overdue.reason.contains("clause 6.4"), "{}", overdue.reason);

        // Answered, it leaves the national page.
        let national = app.sign_in(NATIONAL).await;
        let conference = national
            .post_json(
                "/api/v1/meetings",
                &json!({
                    "body": "conference",
                    "kind": "special-conference",
                    "title": "Special conference",
                    "starts_at": (common::now() + chrono::Duration::days(40)).to_rfc3339(),
                    "mode": "physical",
                    "place": "Conway Hall",
                }),
            )
            .await;
        assert_eq!(conference.status, 201, "{}", conference.text());
        let answered = national
            .post_json(
                &format!("/api/v1/requisitions/{id}/answer"),
                &json!({"meeting_id": conference.json()["id"]}),
            )
            .await;
        assert!(answered.status.is_success(), "{}", answered.text());
        let text = member.get("/units").await.text();
        assert!(!text.contains("Restore the elected committees"), "{text}");
    }
);
