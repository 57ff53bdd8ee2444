//! Agenda items and papers over HTTP on both backends: the officers running a meeting build
//! its agenda until it starts and circulate papers until it ends; every member reads them
//! and downloads the papers with their SHA-256; bad input (too big, wrong type, a disguised
//! file, no CSRF token, not an officer, after the start) is a clear 4xx that writes nothing.

mod common;

use bytes::Bytes;
use charter_domain::UnitId;
use charter_model::MeetingId;
use charter_store::MeetingRecord;
use common::{BRANCH_SECRETARY, MEMBER, TestApp, TestClient, TestResponse};
use http::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BOUNDARY: &str = "charter-test-boundary-5c1f0e";
const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// One part of a multipart body: (name, Some((filename, content type)) for a file, content).
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

fn multipart(parts: &[Part<'_>]) -> Bytes {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some((filename, content_type)) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

/// Posts a multipart body, with the session's CSRF token in the header when `csrf` is set.
async fn upload(client: &TestClient, path: &str, csrf: bool, parts: &[Part<'_>]) -> TestResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let token = client.csrf_token().unwrap_or_default();
    let mut headers = vec![("content-type", content_type.as_str())];
    if csrf {
        headers.push(("x-csrf-token", token.as_str()));
    }
    client
        .send(Method::POST, path, &headers, multipart(parts))
        .await
}

/// Circulates one file for an item through the API.
async fn circulate(
    client: &TestClient,
    item: i64,
    filename: &str,
    content_type: &str,
    content: &[u8],
) -> TestResponse {
    upload(
        client,
        &format!("/api/v1/agenda-items/{item}/papers"),
        true,
        &[("file", Some((filename, content_type)), content)],
    )
    .await
}

async fn unit_id(app: &TestApp, slug: &str) -> UnitId {
    let units = app.store().units().await.unwrap();
    units.iter().find(|u| u.slug == slug).unwrap().id
}

/// A Southwark general meeting 20 days ahead, called by the branch secretary.
async fn future_meeting(app: &TestApp, secretary: &TestClient) -> i64 {
    let southwark = unit_id(app, "southwark").await;
    let res = secretary
        .post_json(
            "/api/v1/meetings",
            &json!({
                "body": "branch-meeting",
                "unit_id": southwark.0,
                "kind": "general-meeting",
                "title": "General meeting",
                "starts_at": (common::now() + chrono::Duration::days(20)).to_rfc3339(),
                "mode": "physical",
                "place": "Community hall",
                "agenda": "1. Branch business",
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

/// What a refused request must leave alone: every event and every paper.
async fn record(app: &TestApp, meeting: MeetingId) -> (usize, Vec<Value>) {
    let events = app.store().events(0, 1_000_000).await.unwrap().len();
    let items = app.store().agenda(meeting).await.unwrap();
    let papers = items
        .iter()
        .flat_map(|i| i.papers.iter())
        .map(|p| json!([p.id, p.withdrawn_at.is_some()]))
        .collect();
    (events, papers)
}

fn titles(agenda: &Value) -> Vec<(i64, String)> {
    agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["number"].as_i64().unwrap(),
                i["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both_backends!(
    officers_build_the_agenda_and_members_read_it,
    |app| async move {
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let member = app.sign_in(MEMBER).await;
        let id = future_meeting(&app, &secretary).await;
        let items_path = format!("/api/v1/meetings/{id}/agenda-items");

        let before = record(&app, MeetingId(id)).await;
        let refused = member
            .post_json(&items_path, &json!({"title": "Apologies"}))
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text());
        assert_eq!(refused.error_code(), "forbidden");
        let empty = secretary
            .post_json(
                &items_path,
                &json!({"title": "  ", "description": "x".repeat(2_001)}),
            )
            .await;
        assert_eq!(empty.status, 422, "{}", empty.text());
        let fields = empty.json()["error"]["fields"].clone();
        assert!(
            fields["title"].is_string() && fields["description"].is_string(),
            "{fields}"
        );
        let unknown = secretary
            .post_json(&items_path, &json!({"title": "x", "colour": "red"}))
            .await;
        assert_eq!(unknown.status, 400, "{}", unknown.text());
        assert_eq!(
            secretary
                .post_json(
                    "/api/v1/meetings/999999/agenda-items",
                    &json!({"title": "x"})
                )
                .await
                .status,
            404
        );
        assert_eq!(
            record(&app, MeetingId(id)).await,
            before,
            "refusals write nothing"
        );

        let mut ids = Vec::new();
        for (title, description) in [
            ("Apologies for absence", None),
            (
                "Delegates to conference",
                Some("Introduced by the secretary"),
            ),
            ("Any other business", None),
        ] {
            let res = secretary
                .post_json(
                    &items_path,
                    &json!({"title": title, "description": description}),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.text());
            ids.push(res.json()["id"].as_i64().unwrap());
        }
        let (apologies, delegates, aob) = (ids[0], ids[1], ids[2]);
        let events = app.store().events(0, 1_000_000).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.kind, "agenda.item_added");
        assert!(
            last.actor_office
                .as_deref()
                .unwrap_or("")
                .contains("secretary"),
            "{last:?}"
        );

        // Every member reads it; only the officers may change it.
        let seen = member.get(&items_path).await;
        assert_eq!(seen.status, 200, "{}", seen.text());
        let seen = seen.json();
        assert_eq!(
            titles(&seen),
            vec![
                (1, "Apologies for absence".to_string()),
                (2, "Delegates to conference".to_string()),
                (3, "Any other business".to_string()),
            ]
        );
        assert_eq!(seen["agenda_as_called"], json!("1. Branch business"));
        assert_eq!(
            seen["items"][1]["description"],
            json!("Introduced by the secretary")
        );
        assert_eq!(
            (
                seen["may_change_items"].clone(),
                seen["may_circulate"].clone()
            ),
            (json!(false), json!(false))
        );
        let officer_view = secretary.get(&items_path).await.json();
        assert_eq!(officer_view["may_change_items"], json!(true));
        assert_eq!(app.client().get(&items_path).await.status, 401);

        // Moved to the top and reworded; a place off the agenda is refused.
        let edit = |position: Value| json!({"title": "Delegates to the special conference", "description": null, "position": position});
        let before = record(&app, MeetingId(id)).await;
        for bad in [json!(0), json!(4)] {
            let res = secretary
                .json(
                    Method::PUT,
                    &format!("/api/v1/agenda-items/{delegates}"),
                    &edit(bad),
                )
                .await;
            assert_eq!(res.status, 422, "{}", res.text());
            assert!(
                res.json()["error"]["fields"]["position"]
                    .as_str()
                    .unwrap()
                    .contains("1 to 3")
            );
        }
        let res = member
            .json(
                Method::PUT,
                &format!("/api/v1/agenda-items/{delegates}"),
                &edit(json!(1)),
            )
            .await;
        assert_eq!(res.status, 403);
        assert_eq!(
            secretary
                .json(Method::PUT, "/api/v1/agenda-items/999999", &edit(json!(1)))
                .await
                .status,
            404
        );
        assert_eq!(record(&app, MeetingId(id)).await, before);
        let res = secretary
            .json(
                Method::PUT,
                &format!("/api/v1/agenda-items/{delegates}"),
                &edit(json!(1)),
            )
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
        let now = member.get(&items_path).await.json();
        assert_eq!(
            titles(&now),
            vec![
                (1, "Delegates to the special conference".to_string()),
                (2, "Apologies for absence".to_string()),
                (3, "Any other business".to_string()),
            ]
        );
        assert!(now["items"][0]["description"].is_null());

        // A paper: its hash is the content's, and members download exactly what was sent.
        let before = record(&app, MeetingId(id)).await;
        let token = secretary.csrf_token().unwrap();
        let paper_path = format!("/api/v1/agenda-items/{delegates}/papers");
        let no_token = upload(
            &secretary,
            &paper_path,
            false,
            &[("file", Some(("r.pdf", "application/pdf")), PDF)],
        )
        .await;
        assert_eq!(no_token.status, 403, "{}", no_token.text());
        assert_eq!(no_token.error_code(), "csrf");
        let by_member = circulate(&member, delegates, "r.pdf", "application/pdf", PDF).await;
        assert_eq!(by_member.status, 403, "{}", by_member.text());
        let html = circulate(
            &secretary,
            delegates,
            "page.html",
            "text/html",
            b"<script>alert(1)</script>",
        )
        .await;
        assert_eq!(html.status, 422, "{}", html.text());
        assert!(
            html.json()["error"]["fields"]["file"]
                .as_str()
                .unwrap()
                .contains("not text/html")
        );
        let disguised = circulate(
            &secretary,
            delegates,
            "report.pdf",
            "application/pdf",
            b"MZ\x90\0 an executable",
        )
        .await;
        assert_eq!(disguised.status, 422, "{}", disguised.text());
        assert!(
            disguised.json()["error"]["fields"]["file"]
                .as_str()
                .unwrap()
                .contains("content is not PDF")
        );
        let mut big = PDF.to_vec();
        big.resize(5 * 1024 * 1024 + 1, b' ');
        let too_big = circulate(&secretary, delegates, "big.pdf", "application/pdf", &big).await;
        assert_eq!(too_big.status, 422, "{}", too_big.text());
        assert!(
            too_big.json()["error"]["fields"]["file"]
                .as_str()
                .unwrap()
                .contains("at most 5 MB")
        );
        let empty = circulate(&secretary, delegates, "empty.pdf", "application/pdf", b"").await;
        assert_eq!(empty.status, 422, "{}", empty.text());
        let two = upload(
            &secretary,
            &paper_path,
            true,
            &[
                ("file", Some(("a.pdf", "application/pdf")), PDF),
                ("file", Some(("b.pdf", "application/pdf")), PDF),
            ],
        )
        .await;
        assert_eq!(two.status, 400, "{}", two.text());
        let extra = upload(
            &secretary,
            &paper_path,
            true,
            &[
                ("title", None, b"x"),
                ("file", Some(("a.pdf", "application/pdf")), PDF),
            ],
        )
        .await;
        assert_eq!(extra.status, 400, "{}", extra.text());
        let none = upload(&secretary, &paper_path, true, &[]).await;
        assert_eq!(none.status, 422, "{}", none.text());
        let as_json = secretary
            .send(
                Method::POST,
                &paper_path,
                &[
                    ("content-type", "application/json"),
                    ("x-csrf-token", &token),
                ],
                Bytes::from_static(b"{}"),
            )
            .await;
        assert_eq!(as_json.status, 415, "{}", as_json.text());
        assert_eq!(as_json.error_code(), "unsupported_media_type");
        assert_eq!(
            circulate(&secretary, 999_999, "r.pdf", "application/pdf", PDF)
                .await
                .status,
            404
        );
        assert_eq!(
            record(&app, MeetingId(id)).await,
            before,
            "refused uploads write nothing"
        );

        let res = circulate(
            &secretary,
            delegates,
            "../Delegates report.pdf",
            "application/pdf",
            PDF,
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let paper = res.json();
        let expected = hex::encode(Sha256::digest(PDF));
        assert_eq!(paper["sha256"], json!(expected));
        assert_eq!(paper["filename"], json!("Delegates report.pdf"));
        assert_eq!(paper["size"], json!(PDF.len()));
        assert_eq!(paper["content_type"], json!("application/pdf"));
        let paper_id = paper["id"].as_i64().unwrap();
        assert_eq!(
            app.store()
                .events(0, 1_000_000)
                .await
                .unwrap()
                .last()
                .unwrap()
                .kind,
            "paper.circulated"
        );
        // An unknown type from the browser is typed by the name, then checked all the same.
        let notes = circulate(
            &secretary,
            aob,
            "notes.md",
            "application/octet-stream",
            "# Notes\n\nTea: £2".as_bytes(),
        )
        .await;
        assert_eq!(notes.status, 201, "{}", notes.text());
        assert_eq!(notes.json()["content_type"], json!("text/markdown"));

        let listed = member.get(&items_path).await.json();
        assert_eq!(listed["items"][0]["papers"][0]["sha256"], json!(expected));
        assert_eq!(listed["items"][0]["papers"][0]["withdrawn"], json!(false));
        let download = member.get(&format!("/api/v1/papers/{paper_id}")).await;
        assert_eq!(download.status, 200);
        assert_eq!(download.body.as_ref(), PDF);
        assert_eq!(download.header("content-type"), Some("application/pdf"));
        assert_eq!(
            download.header("content-disposition"),
            Some(
                "attachment; filename=\"Delegates report.pdf\"; filename*=UTF-8''Delegates%20report.pdf"
            )
        );
        assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            download.header("etag"),
            Some(format!("\"{expected}\"").as_str())
        );
        let md = member
            .get(&format!(
                "/api/v1/papers/{}",
                notes.json()["id"].as_i64().unwrap()
            ))
            .await;
        assert_eq!(
            md.header("content-type"),
            Some("text/markdown; charset=utf-8")
        );
        assert_eq!(member.get("/api/v1/papers/999999").await.status, 404);
        // Attack: a member of another branch, not invited to this meeting, reads neither its
        // papers nor their list.
        let havering = unit_id(&app, "havering").await;
        let outsider = app
            .store()
            .members_without_password(&charter_store::MemberScope::Branches(vec![havering]))
            .await
            .unwrap()[0];
        let outsider = app.sign_in_member(outsider).await;
        let refused = outsider.get(&format!("/api/v1/papers/{paper_id}")).await;
        assert_eq!(refused.status, 403, "{}", refused.text());
        let listed = outsider.get(&items_path).await.json();
        for item in listed["items"].as_array().unwrap() {
            assert!(
                item["papers"].as_array().is_none_or(|p| p.is_empty()),
                "{listed}"
            );
        }
        assert_eq!(
            app.client()
                .get(&format!("/api/v1/papers/{paper_id}"))
                .await
                .status,
            401
        );

        // An item with a paper in circulation stays; withdrawn, the paper is kept on record.
        let before = record(&app, MeetingId(id)).await;
        let res = secretary
            .delete(&format!("/api/v1/agenda-items/{delegates}"))
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        assert!(res.text().contains("withdraw"), "{}", res.text());
        let res = member
            .post_json(&format!("/api/v1/papers/{paper_id}/withdrawal"), &json!({}))
            .await;
        assert_eq!(res.status, 403);
        assert_eq!(record(&app, MeetingId(id)).await, before);
        let res = secretary
            .post_json(&format!("/api/v1/papers/{paper_id}/withdrawal"), &json!({}))
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
        let again = secretary
            .post_json(&format!("/api/v1/papers/{paper_id}/withdrawal"), &json!({}))
            .await;
        assert_eq!(again.status, 409, "{}", again.text());
        let res = secretary
            .delete(&format!("/api/v1/agenda-items/{delegates}"))
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
        assert_eq!(
            titles(&member.get(&items_path).await.json()),
            vec![
                (1, "Apologies for absence".to_string()),
                (2, "Any other business".to_string()),
            ]
        );
        let kept = member.get(&format!("/api/v1/papers/{paper_id}")).await;
        assert_eq!((kept.status.as_u16(), kept.body.as_ref()), (200, PDF));
        let gone = secretary
            .json(
                Method::PUT,
                &format!("/api/v1/agenda-items/{delegates}"),
                &edit(json!(1)),
            )
            .await;
        assert_eq!(gone.status, 409, "{}", gone.text());
        assert_eq!(
            secretary
                .delete(&format!("/api/v1/agenda-items/{apologies}"))
                .await
                .status,
            204
        );
        let _ = aob;
    }
);

/// The demo's meetings: one under way since an hour ago, and two held a fortnight ago.
async fn demo_meetings(app: &TestApp) -> (MeetingRecord, MeetingRecord) {
    let now = common::now();
    let all = app.store().meetings(None, None).await.unwrap();
    let southwark = unit_id(app, "southwark").await;
    let under_way = all
        .iter()
        .find(|m| m.starts_at < now && m.ends_at > now)
        .expect("a meeting under way")
        .clone();
    let held = all
        .iter()
        .find(|m| m.ends_at < now && m.unit == Some(southwark))
        .expect("a Southwark meeting held")
        .clone();
    (under_way, held)
}

both_backends!(
    once_started_the_agenda_is_fixed_and_once_ended_its_papers,
    |app| async move {
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let member = app.sign_in(MEMBER).await;
        let (under_way, held) = demo_meetings(&app).await;

        // The demo gives its meetings agenda items with papers, which every member reads.
        let agenda = member
            .get(&format!("/api/v1/meetings/{}/agenda-items", under_way.id))
            .await
            .json();
        let items = agenda["items"].as_array().unwrap();
        assert!(items.len() >= 3, "{agenda}");
        let with_paper = items
            .iter()
            .find(|i| !i["papers"].as_array().unwrap().is_empty())
            .expect("a demo paper");
        let paper = &with_paper["papers"][0];
        let text = member
            .get(&format!("/api/v1/papers/{}", paper["id"].as_i64().unwrap()))
            .await;
        assert_eq!(text.status, 200);
        assert_eq!(
            paper["sha256"],
            json!(hex::encode(Sha256::digest(&text.body)))
        );
        let item = with_paper["id"].as_i64().unwrap();

        let before = record(&app, under_way.id).await;
        let late = secretary
            .post_json(
                &format!("/api/v1/meetings/{}/agenda-items", under_way.id),
                &json!({"title": "Late business"}),
            )
            .await;
        assert_eq!(late.status, 409, "{}", late.text());
        assert!(late.text().contains("agenda is fixed"), "{}", late.text());
        let moved = secretary
            .json(
                Method::PUT,
                &format!("/api/v1/agenda-items/{item}"),
                &json!({"title": "Moved", "position": 1}),
            )
            .await;
        assert_eq!(moved.status, 409, "{}", moved.text());
        let removed = secretary
            .delete(&format!("/api/v1/agenda-items/{item}"))
            .await;
        assert_eq!(removed.status, 409, "{}", removed.text());
        assert_eq!(record(&app, under_way.id).await, before);
        assert_eq!(
            titles(
                &member
                    .get(&format!("/api/v1/meetings/{}/agenda-items", under_way.id))
                    .await
                    .json()
            ),
            titles(&agenda)
        );

        // A paper tabled at the meeting still circulates until it ends.
        let tabled = circulate(
            &secretary,
            item,
            "tabled.txt",
            "text/plain",
            b"Tabled at the meeting.\n",
        )
        .await;
        assert_eq!(tabled.status, 201, "{}", tabled.text());

        // A meeting that has ended keeps its papers as they were.
        let held_agenda = member
            .get(&format!("/api/v1/meetings/{}/agenda-items", held.id))
            .await
            .json();
        let held_item = held_agenda["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| !i["papers"].as_array().unwrap().is_empty())
            .expect("a paper at the meeting held");
        let before = record(&app, held.id).await;
        let after = circulate(
            &secretary,
            held_item["id"].as_i64().unwrap(),
            "late.txt",
            "text/plain",
            b"Too late.\n",
        )
        .await;
        assert_eq!(after.status, 409, "{}", after.text());
        assert!(after.text().contains("has ended"), "{}", after.text());
        let withdraw = secretary
            .post_json(
                &format!(
                    "/api/v1/papers/{}/withdrawal",
                    held_item["papers"][0]["id"].as_i64().unwrap()
                ),
                &json!({}),
            )
            .await;
        assert_eq!(withdraw.status, 409, "{}", withdraw.text());
        assert_eq!(record(&app, held.id).await, before);
    }
);

both_backends!(
    the_meeting_page_shows_the_agenda_and_takes_papers,
    |app| async move {
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let member = app.sign_in(MEMBER).await;
        let id = future_meeting(&app, &secretary).await;
        let page_path = format!("/meetings/{id}");
        let csrf = secretary.csrf_token().unwrap();
        let mid = id.to_string();

        let page = secretary.get(&page_path).await.text();
        assert!(page.contains("No agenda items yet"), "{page}");
        assert!(page.contains("Agenda (as called)"), "{page}");
        assert!(page.contains("Add an agenda item"), "{page}");
        let res = secretary
            .post_form(
                &format!("{page_path}/agenda-items"),
                &[
                    ("csrf", &csrf),
                    ("title", ""),
                    ("description", "kept as typed"),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        let text = res.text();
        assert!(text.contains("The item was not added"), "{text}");
        assert!(text.contains("kept as typed"), "{text}");
        let res = secretary
            .post_form(
                &format!("{page_path}/agenda-items"),
                &[("csrf", "wrong"), ("title", "Apologies")],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        for title in ["Apologies", "Treasurer's report"] {
            let res = secretary
                .post_form(
                    &format!("{page_path}/agenda-items"),
                    &[("csrf", &csrf), ("title", title), ("description", "")],
                )
                .await;
            assert_eq!(res.status, 303, "{}", res.text());
            assert!(res.header("location").unwrap().contains("saved=item-added"));
        }
        let items = app.store().agenda(MeetingId(id)).await.unwrap();
        let (apologies, report) = (items[0].id, items[1].id);

        // Move the report up, through the page's form.
        let res = secretary
            .post_form(
                &format!("/agenda-items/{report}/position"),
                &[("csrf", &csrf), ("meeting", &mid), ("position", "1")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let items = app.store().agenda(MeetingId(id)).await.unwrap();
        assert_eq!((items[0].id, items[1].id), (report, apologies));

        // A paper through the page's multipart form, with the form's CSRF token.
        let form = format!("/agenda-items/{report}/papers");
        let res = upload(
            &secretary,
            &form,
            false,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("meeting", None, mid.as_bytes()),
                (
                    "file",
                    Some(("accounts.png", "image/png")),
                    b"%PDF-1.4 not a png",
                ),
            ],
        )
        .await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(res.text().contains("content is not PNG"), "{}", res.text());
        let res = upload(
            &secretary,
            &form,
            false,
            &[
                ("csrf", None, b"forged"),
                ("meeting", None, mid.as_bytes()),
                ("file", Some(("accounts.pdf", "application/pdf")), PDF),
            ],
        )
        .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let mut big = PDF.to_vec();
        big.resize(6 * 1024 * 1024, b' ');
        let res = upload(
            &secretary,
            &form,
            false,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("meeting", None, mid.as_bytes()),
                ("file", Some(("big.pdf", "application/pdf")), &big),
            ],
        )
        .await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(res.text().contains("at most 5 MB"), "{}", res.text());
        assert!(
            app.store()
                .agenda(MeetingId(id))
                .await
                .unwrap()
                .iter()
                .all(|i| i.papers.is_empty())
        );
        let res = upload(
            &secretary,
            &form,
            false,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("meeting", None, mid.as_bytes()),
                ("file", Some(("accounts.pdf", "application/pdf")), PDF),
            ],
        )
        .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert!(res.header("location").unwrap().contains("saved=paper"));
        let paper = app.store().agenda(MeetingId(id)).await.unwrap()[0].papers[0].clone();

        // Members see the agenda and the paper with its hash, and download it; no officer forms.
        let page = member.get(&page_path).await.text();
        assert!(
            page.contains("1. Treasurer&#39;s report") || page.contains("1. Treasurer's report"),
            "{page}"
        );
        assert!(page.contains("2. Apologies"), "{page}");
        assert!(page.contains("accounts.pdf"), "{page}");
        assert!(page.contains(&paper.sha256), "{page}");
        assert!(
            page.contains(&format!("href=\"/papers/{}\"", paper.id)),
            "{page}"
        );
        assert!(!page.contains("Add an agenda item"), "{page}");
        assert!(!page.contains("Circulate a paper"), "{page}");
        let download = member.get(&format!("/papers/{}", paper.id)).await;
        assert_eq!(download.status, 200);
        assert_eq!(download.body.as_ref(), PDF);
        assert!(
            download
                .header("content-disposition")
                .unwrap()
                .starts_with("attachment")
        );
        assert_eq!(member.get("/papers/999999").await.status, 404);
        assert_eq!(
            app.client()
                .get(&format!("/papers/{}", paper.id))
                .await
                .status,
            303
        );

        // Officers see their forms, labelled; taking off an item with a paper is refused in words.
        let page = secretary.get(&page_path).await.text();
        assert!(page.contains("Circulate a paper for item 1"), "{page}");
        assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
        assert!(!page.contains("Take item 1 off the agenda"), "{page}");
        let res = secretary
            .post_form(
                &format!("/agenda-items/{report}/removal"),
                &[("csrf", &csrf), ("meeting", &mid)],
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
        assert!(res.text().contains("withdraw"), "{}", res.text());
        let res = secretary
            .post_form(
                &format!("/papers/{}/withdrawal", paper.id),
                &[("csrf", &csrf), ("meeting", &mid)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let page = secretary.get(&page_path).await.text();
        assert!(page.contains("withdrawn"), "{page}");
        let res = secretary
            .post_form(
                &format!("/agenda-items/{report}/removal"),
                &[("csrf", &csrf), ("meeting", &mid)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let res = member
            .post_form(
                &format!("/agenda-items/{apologies}"),
                &[
                    ("csrf", &member.csrf_token().unwrap()),
                    ("meeting", &mid),
                    ("title", "Mine now"),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = secretary
            .post_form(
                &format!("/agenda-items/{apologies}"),
                &[
                    ("csrf", &csrf),
                    ("meeting", &mid),
                    ("title", "Apologies for absence"),
                    ("description", "Read by the secretary"),
                    ("position", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let items = app.store().agenda(MeetingId(id)).await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].title.as_str(), items[0].description.as_deref()),
            ("Apologies for absence", Some("Read by the secretary"))
        );
    }
);
