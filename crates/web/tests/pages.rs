//! The server-rendered pages over plain HTTP: every page as every role, refusals across
//! branches, CSRF, validation messages next to their fields, bad input, and escaping.

mod common;

use charter_domain::{MemberId, MemberStatus, UnitId};
use charter_store::{MemberQuery, MemberScope, MemberSort};
use common::{BRANCH_SECRETARY, DPO, MEMBER, NATIONAL, REGIONAL, ROLES, TREASURER, TestApp};

/// Members of `branch` other than `except`, straight from the store (no access logged).
async fn members_of(app: &TestApp, branch: UnitId, except: &[MemberId]) -> Vec<MemberId> {
    let page = app
        .store()
        .search_members(
            &MemberQuery {
                scope: MemberScope::Branches(vec![branch]),
                text: None,
                branch: None,
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: MemberSort::Name,
                page: 1,
                per_page: 50,
            },
            None,
        )
        .await
        .expect("search runs");
    page.items
        .iter()
        .map(|m| m.id)
        .filter(|id| !except.contains(id))
        .collect()
}

async fn home_branch(app: &TestApp, role: &str) -> UnitId {
    app.app()
        .actor(app.account(role).member)
        .await
        .expect("actor")
        .home_branch
}

/// An ordinary active member of the branch secretary's branch, and one of another branch.
async fn own_and_other(app: &TestApp) -> (MemberId, MemberId) {
    let sec = app.account(BRANCH_SECRETARY).member;
    let own_branch = home_branch(app, BRANCH_SECRETARY).await;
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let own = members_of(app, own_branch, &accounts)
        .await
        .into_iter()
        .find(|m| *m != sec)
        .expect("the secretary's branch has other members");
    let other_branch = home_branch(app, TREASURER).await;
    assert_ne!(
        own_branch, other_branch,
        "demo accounts in different branches"
    );
    let other = members_of(app, other_branch, &accounts)
        .await
        .into_iter()
        .next()
        .expect("another branch has members");
    (own, other)
}

fn location(res: &common::TestResponse) -> String {
    res.header("location").unwrap_or_default().to_string()
}

fn assert_page(res: &common::TestResponse, status: u16, needle: &str) {
    let body = res.text();
    assert_eq!(res.status.as_u16(), status, "{body}");
    assert!(
        res.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "not HTML: {:?}",
        res.header("content-type")
    );
    assert!(body.contains(needle), "{needle:?} not in: {body}");
}

both_backends!(signed_out_visitors_are_sent_to_sign_in, |app| async move {
    let c = app.client();
    assert_page(&c.get("/").await, 200, "Welcome to Charter");
    assert_page(&c.get("/sign-in").await, 200, "<label for=\"email\">");
    for path in [
        "/me",
        "/members",
        "/members/1",
        "/members/1/edit",
        "/units",
        "/units/1",
    ] {
        let res = c.get(path).await;
        assert_eq!(res.status, 303, "{path}");
        assert!(
            location(&res).starts_with("/sign-in?next="),
            "{path}: {}",
            location(&res)
        );
    }
    let css = c.get("/static/charter.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.header("content-type")
            .unwrap_or_default()
            .starts_with("text/css")
    );
    assert!(
        css.header("cache-control")
            .unwrap_or_default()
            .contains("max-age=31536000")
    );
    assert!(css.text().contains(":focus-visible"));
    // The ballot encryption script, loaded by `<script src>` under `script-src 'self'`.
    let js = c.get(charter_web::pages::js_href()).await;
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(
        js.header("cache-control")
            .unwrap_or_default()
            .contains("max-age=31536000")
    );
    assert!(js.text().contains("CharterBallot"));
});

both_backends!(sign_in_form_refuses_then_accepts, |app| async move {
    let c = app.client();
    let acct = app.account(MEMBER).clone();
    let res = c
        .post_form(
            "/sign-in",
            &[
                ("email", &acct.email),
                ("password", "wrong password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_page(&res, 401, "email or password is wrong");
    assert!(
        res.text().contains(&format!("value=\"{}\"", acct.email)),
        "email kept"
    );
    assert!(res.text().contains("role=\"alert\""));
    assert!(c.cookie(charter_web::session::COOKIE_NAME).is_none());

    let res = c
        .post_form(
            "/sign-in",
            &[
                ("email", &acct.email),
                ("password", &acct.password),
                ("next", "/units"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(location(&res), "/units");
    assert!(c.cookie(charter_web::session::COOKIE_NAME).is_some());
    assert_page(&c.get("/me").await, 200, "My membership");
    // Signed in, the start page and the sign-in page send the member on.
    assert_eq!(location(&c.get("/").await), "/me");

    // An offsite `next` is ignored.
    let c2 = app.client();
    let res = c2
        .post_form(
            "/sign-in",
            &[
                ("email", &acct.email),
                ("password", &acct.password),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/me");
});

both_backends!(sign_out_needs_the_form_token, |app| async move {
    let c = app.sign_in(MEMBER).await;
    let res = c.post_form("/sign-out", &[]).await;
    assert_page(&res, 403, "the form has expired");
    assert_eq!(c.get("/me").await.status, 200, "still signed in");
    let csrf = c.csrf_token().expect("token");
    let res = c.post_form("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 303);
    assert!(c.cookie(charter_web::session::COOKIE_NAME).is_none());
    assert_eq!(c.get("/me").await.status, 303, "signed out");
});

both_backends!(every_page_opens_for_every_role, |app| async move {
    let national = app.app().national_unit().await.expect("national");
    let branch = home_branch(&app, MEMBER).await;
    for role in ROLES {
        let c = app.sign_in(role).await;
        let me = app.account(role).member;
        let res = c.get("/me").await;
        assert_page(&res, 200, "Who has read my data");
        assert!(res.text().contains("<main id=\"main\""), "{role}");
        assert!(res.text().contains("href=\"#main\""), "{role}: skip link");
        assert_page(&c.get("/members").await, 200, "found");
        assert_page(&c.get("/units").await, 200, &national.name);
        assert_page(
            &c.get(&format!("/units/{}", branch.0)).await,
            200,
            "Officers",
        );
        assert_page(
            &c.get(&format!("/members/{}", me.0)).await,
            200,
            "Status history",
        );
        assert_page(
            &c.get(&format!("/members/{}/edit", me.0)).await,
            200,
            "Save details",
        );
    }
    // A plain member's directory lists only themselves.
    let c = app.sign_in(MEMBER).await;
    let res = c.get("/members").await;
    assert_page(&res, 200, "<strong>1</strong> member found");
    // The national officer sees everyone; the branch filter offers every branch.
    let c = app.sign_in(NATIONAL).await;
    let res = c.get("/members").await;
    assert_page(
        &res,
        200,
        &format!("<strong>{}</strong> members found", common::TEST_MEMBERS),
    );
});

both_backends!(
    a_branch_secretary_is_refused_another_branch,
    |app| async move {
        let (own, other) = own_and_other(&app).await;
        let c = app.sign_in(BRANCH_SECRETARY).await;
        let csrf = c.csrf_token().expect("token");
        assert_page(
            &c.get(&format!("/members/{}", own.0)).await,
            200,
            "Change status",
        );

        let res = c.get(&format!("/members/{}", other.0)).await;
        assert_page(&res, 403, "no office of yours covers their branch");
        assert_page(
            &c.get(&format!("/members/{}/edit", other.0)).await,
            403,
            "no office of yours",
        );
        let res = c
            .post_form(
                &format!("/members/{}/edit", other.0),
                &[("csrf", &csrf), ("postcode", "SE1 7PB")],
            )
            .await;
        assert_page(&res, 403, "no office of yours");
        let res = c
            .post_form(
                &format!("/members/{}/status", other.0),
                &[("csrf", &csrf), ("status", "suspended"), ("reason", "test")],
            )
            .await;
        assert_page(&res, 403, "no office of yours");
        let other_branch = home_branch(&app, TREASURER).await;
        let res = c.get(&format!("/members?branch={}", other_branch.0)).await;
        assert_page(&res, 403, "you may not see members of that branch");
        // The branch picker offers only the secretary's own branch.
        let res = c.get("/members").await;
        let body = res.text();
        assert!(
            !body.contains(&format!("<option value=\"{}\"", other_branch.0)),
            "{body}"
        );

        // A treasurer may see members but not edit them.
        let t = app.sign_in(TREASURER).await;
        let res = t.get(&format!("/members/{}/edit", other.0)).await;
        assert_page(&res, 403, "you may not edit this member");
        // A plain member sees only themselves.
        let m = app.sign_in(MEMBER).await;
        assert_page(
            &m.get(&format!("/members/{}", own.0)).await,
            403,
            "no office of yours",
        );
    }
);

both_backends!(forms_without_the_token_change_nothing, |app| async move {
    let (own, _) = own_and_other(&app).await;
    let c = app.sign_in(BRANCH_SECRETARY).await;
    let before = app.store().member(own, None).await.unwrap().unwrap().record;
    for (path, fields) in [
        (
            "status",
            vec![("status", "suspended"), ("reason", "no token")],
        ),
        ("edit", vec![("postcode", "SE1 7PB")]),
        ("affiliations", vec![("organisation", "Another Party")]),
        ("transfer", vec![("to_branch", "1"), ("reason", "no token")]),
    ] {
        let url = format!("/members/{}/{path}", own.0);
        let res = c.post_form(&url, &fields).await;
        assert_page(&res, 403, "the form has expired");
        let mut wrong = fields.clone();
        wrong.push(("csrf", "not-the-token"));
        assert_page(
            &c.post_form(&url, &wrong).await,
            403,
            "the form has expired",
        );
    }
    let after = app.store().member(own, None).await.unwrap().unwrap().record;
    assert_eq!(before, after);
});

both_backends!(
    an_officer_edits_with_a_validation_error_then_succeeds,
    |app| async move {
        let (own, _) = own_and_other(&app).await;
        let c = app.sign_in(BRANCH_SECRETARY).await;
        let csrf = c.csrf_token().expect("token");
        let form = c.get(&format!("/members/{}/edit", own.0)).await;
        assert_page(&form, 200, "name=\"orig_postcode\"");
        let rec = app.store().member(own, None).await.unwrap().unwrap().record;
        let url = format!("/members/{}/edit", own.0);
        let fields = |postcode: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("first_name", rec.first_name.clone()),
                ("last_name", rec.last_name.clone()),
                ("email", rec.email.clone()),
                ("phone", rec.phone.clone().unwrap_or_default()),
                ("postcode", postcode.to_string()),
                ("dues_plan", rec.dues_plan.as_str().to_string()),
                ("orig_first_name", rec.first_name.clone()),
                ("orig_last_name", rec.last_name.clone()),
                ("orig_email", rec.email.clone()),
                ("orig_phone", rec.phone.clone().unwrap_or_default()),
                ("orig_postcode", rec.postcode.clone()),
                ("orig_dues_plan", rec.dues_plan.as_str().to_string()),
            ]
        };
        let as_refs =
            |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
        let bad = as_refs(&fields("NOT A POSTCODE"));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = c.post_form(&url, &bad).await;
        assert_page(&res, 422, "is not a UK postcode like SE1 7PB");
        let body = res.text();
        assert!(
            body.contains("value=\"NOT A POSTCODE\""),
            "typed value kept: {body}"
        );
        assert!(body.contains("id=\"postcode-error\""), "{body}");
        assert!(
            body.contains("aria-describedby=\"postcode-hint postcode-error\""),
            "{body}"
        );
        assert!(body.contains("role=\"alert\""), "{body}");
        assert!(
            body.contains("href=\"#postcode\""),
            "summary links to the field: {body}"
        );
        let unchanged = app.store().member(own, None).await.unwrap().unwrap().record;
        assert_eq!(unchanged.postcode, rec.postcode);

        let good = fields("se1 7pb");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = c.post_form(&url, &good).await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_eq!(location(&res), format!("/members/{}?saved=details", own.0));
        let page = c.get(&location(&res)).await;
        assert_page(&page, 200, "Contact details saved.");
        assert!(page.text().contains("SE1 7PB"));
        let saved = app.store().member(own, None).await.unwrap().unwrap().record;
        assert_eq!(saved.postcode, "SE1 7PB");
        assert_eq!(saved.email, rec.email);
    }
);

both_backends!(
    officers_change_status_record_dues_and_affiliations,
    |app| async move {
        let (own, other) = own_and_other(&app).await;
        let c = app.sign_in(BRANCH_SECRETARY).await;
        let csrf = c.csrf_token().expect("token");
        let base = format!("/members/{}", own.0);

        // Only the statuses the state machine allows are offered.
        let page = c.get(&base).await;
        assert!(
            !page.text().contains("<option value=\"applicant\""),
            "{}",
            page.text()
        );
        // Suspending and expelling are not offered: only a meeting's decision does them.
        assert!(!page.text().contains("<option value=\"suspended\""));
        assert!(!page.text().contains("<option value=\"expelled\""));
        let res = c
            .post_form(
                &format!("{base}/status"),
                &[
                    ("csrf", &csrf),
                    ("status", "suspended"),
                    ("reason", "pending a hearing"),
                ],
            )
            .await;
        assert_page(&res, 403, "clause 8.1");
        // A missing reason is shown next to its field, with the choice kept.
        let res = c
            .post_form(
                &format!("{base}/status"),
                &[("csrf", &csrf), ("status", "lapsed"), ("reason", " ")],
            )
            .await;
        assert_page(&res, 422, "reason is required");
        assert!(res.text().contains("id=\"st-reason-error\""));
        assert!(res.text().contains("<option value=\"lapsed\" selected>"));
        let res = c
            .post_form(
                &format!("{base}/status"),
                &[
                    ("csrf", &csrf),
                    ("status", "lapsed"),
                    ("reason", "no dues since the spring"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_page(
            &c.get(&location(&res)).await,
            200,
            "no dues since the spring",
        );

        // A secretary has no dues power; the treasurer's is for another branch.
        assert!(!page.text().contains("Record a payment"));
        let res = c
            .post_form(
                &format!("{base}/payments"),
                &[
                    ("csrf", &csrf),
                    ("paid_on", "2026-11-01"),
                    ("amount", "5"),
                    ("months", "1"),
                ],
            )
            .await;
        assert_page(&res, 403, "no office of yours gives that power");

        let t = app.sign_in(TREASURER).await;
        let tcsrf = t.csrf_token().expect("token");
        let obase = format!("/members/{}", other.0);
        let res = t
            .post_form(
                &format!("{obase}/payments"),
                &[
                    ("csrf", &tcsrf),
                    ("paid_on", "2026-11-01"),
                    ("amount", "five"),
                    ("months", "1"),
                ],
            )
            .await;
        assert_page(&res, 422, "is not an amount like 12.50");
        assert!(res.text().contains("value=\"five\""));
        let res = t
            .post_form(
                &format!("{obase}/payments"),
                &[
                    ("csrf", &tcsrf),
                    ("paid_on", "2026-11-01"),
                    ("amount", "12.50"),
                    ("months", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_page(&t.get(&location(&res)).await, 200, "£12.50");

        // Affiliations: declared, then verified.
        let res = c
            .post_form(
                &format!("{base}/affiliations"),
                &[("csrf", &csrf), ("organisation", ""), ("since", "")],
            )
            .await;
        assert_page(&res, 422, "organisation is required");
        let res = c
            .post_form(
                &format!("{base}/affiliations"),
                &[
                    ("csrf", &csrf),
                    ("organisation", "Green Allotments Society"),
                    ("since", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let detail = app.store().member(own, None).await.unwrap().unwrap();
        let aff = detail
            .affiliations
            .iter()
            .find(|a| a.organisation == "Green Allotments Society")
            .expect("added");
        let res = c
            .post_form(
                &format!("{base}/affiliations/{}/verify", aff.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_page(&c.get(&location(&res)).await, 200, "Affiliation verified.");
    }
);

both_backends!(
    a_regional_officer_moves_a_member_between_branches,
    |app| async move {
        let (own, _) = own_and_other(&app).await;
        let c = app.sign_in(REGIONAL).await;
        let csrf = c.csrf_token().expect("token");
        let from = home_branch(&app, BRANCH_SECRETARY).await;
        let to = home_branch(&app, TREASURER).await;
        let base = format!("/members/{}", own.0);
        let page = c.get(&base).await;
        assert_page(&page, 200, "Move to another branch");
        let res = c
            .post_form(
                &format!("{base}/transfer"),
                &[
                    ("csrf", &csrf),
                    ("to_branch", &from.0.to_string()),
                    ("reason", "moved"),
                ],
            )
            .await;
        assert_page(&res, 422, "already in that branch");
        let res = c
            .post_form(
                &format!("{base}/transfer"),
                &[
                    ("csrf", &csrf),
                    ("to_branch", &to.0.to_string()),
                    ("reason", "moved house"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_page(&c.get(&location(&res)).await, 200, "moved house");
        assert_eq!(app.store().member_branch(own).await.unwrap(), Some(to));
    }
);

both_backends!(
    bad_addresses_and_filters_are_pages_not_crashes,
    |app| async move {
        let c = app.sign_in(NATIONAL).await;
        let csrf = c.csrf_token().expect("token");
        for path in [
            "/members/abc",
            "/members/0",
            "/members/-3",
            "/members/99999999",
            "/members/9999999999999999999999",
            "/units/xyz",
            "/units/99999",
        ] {
            let res = c.get(path).await;
            assert_page(&res, 404, "not found");
        }
        assert_page(&c.get("/no/such/page").await, 404, "page not found");
        assert_page(
            &app.client().get("/nothing-here").await,
            404,
            "page not found",
        );
        let res = c.post_form("/members/abc/status", &[("csrf", &csrf)]).await;
        assert_eq!(res.status, 404);
        let res = c
            .post_form("/members/1/affiliations/xyz/verify", &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status, 404);

        let res = c.get("/members?status=boss&paid_up=maybe").await;
        assert_page(&res, 422, "is not a status");
        let body = res.text();
        assert!(body.contains("id=\"f-status-error\""), "{body}");
        assert!(
            body.contains("aria-describedby=\"f-status-error\""),
            "{body}"
        );
        assert!(body.contains("id=\"f-paid_up-error\""), "{body}");
        let res = c.get("/members?page=abc&sort=shoe-size").await;
        assert_page(&res, 422, "must be a whole number");
        let res = c.get("/members?branch=999999").await;
        assert_page(&res, 422, "is not a branch of this organisation");
        let res = c.get("/members?q=%FF%FE").await;
        assert!(
            res.status.is_client_error() || res.status == 200,
            "{}",
            res.status
        );

        // A form that is not a form.
        let res = c
            .send(
                http::Method::POST,
                "/sign-in",
                &[("content-type", "application/json")],
                bytes::Bytes::from_static(b"{}"),
            )
            .await;
        assert_eq!(res.status, 415, "{}", res.text());
        assert!(res.text().contains("<html"));
    }
);

both_backends!(
    directory_searches_filters_sorts_and_pages,
    |app| async move {
        let (own, _) = own_and_other(&app).await;
        let rec = app.store().member(own, None).await.unwrap().unwrap().record;
        let c = app.sign_in(NATIONAL).await;
        let res = c
            .get(&format!("/members?q={}", rec.last_name.replace(' ', "+")))
            .await;
        assert_page(&res, 200, &format!("href=\"/members/{}\"", own.0));
        let res = c
            .get(&format!("/members?q={}", rec.postcode.replace(' ', "+")))
            .await;
        assert_page(&res, 200, &format!("href=\"/members/{}\"", own.0));

        let res = c
            .get("/members?status=lapsed&sort=-joined&per_page=10")
            .await;
        let body = res.text();
        assert_eq!(res.status, 200, "{body}");
        assert!(
            body.contains("<option value=\"lapsed\" selected>"),
            "{body}"
        );
        assert!(!body.contains("<td>active</td>"), "{body}");
        assert!(body.contains("aria-sort=\"descending\""), "{body}");

        // Page links keep the filters.
        let res = c.get("/members?paid_up=true&per_page=10").await;
        let body = res.text();
        assert!(
            body.contains(
                "href=\"/members?paid_up=true&#38;sort=name&#38;per_page=10&#38;page=2\""
            ),
            "{body}"
        );
        assert!(body.contains("rel=\"next\""));
        let res = c.get("/members?paid_up=true&per_page=10&page=2").await;
        assert!(res.text().contains("rel=\"prev\""));
        assert!(
            res.text()
                .contains("aria-current=\"page\"><span class=\"visually-hidden\">Page </span>2<")
        );
    }
);

both_backends!(members_see_who_read_their_data, |app| async move {
    let member = app.account(MEMBER).member;
    let c = app.sign_in(DPO).await;
    assert_eq!(c.get(&format!("/members/{}", member.0)).await.status, 200);
    let dpo_name = {
        let r = app
            .store()
            .member(app.account(DPO).member, None)
            .await
            .unwrap()
            .unwrap()
            .record;
        format!("{} {}", r.first_name, r.last_name)
    };
    let m = app.sign_in(MEMBER).await;
    let res = m.get("/me").await;
    assert_page(&res, 200, &dpo_name);
    assert!(res.text().contains("member page"));
    assert!(
        res.text().contains("data protection officer"),
        "{}",
        res.text()
    );
});

both_backends!(templates_escape_what_people_type, |app| async move {
    let me = app.account(MEMBER).member;
    let m = app.sign_in(MEMBER).await;
    let csrf = m.csrf_token().expect("token");
    let res = m
        .post_form(
            &format!("/members/{}/affiliations", me.0),
            &[
                ("csrf", &csrf),
                (
                    "organisation",
                    "<script>alert(1)</script> <b>Bold</b> Party",
                ),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let body = m.get("/me").await.text();
    assert!(!body.contains("<script>alert(1)"), "{body}");
    assert!(!body.contains("<b>Bold</b>"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&#60;script&#62;"),
        "{body}"
    );

    let body = m
        .get("/members?q=%3Cscript%3Ex%3C%2Fscript%3E%22")
        .await
        .text();
    assert!(!body.contains("<script>x"), "{body}");

    let c = app.client();
    let res = c
        .post_form(
            "/sign-in",
            &[("email", "\"><script>y</script>"), ("password", "x")],
        )
        .await;
    assert!(!res.text().contains("<script>y"), "{}", res.text());
    // Inline scripts and styles would be blocked by the CSP; there are none.
    for page in ["/me", "/members", "/units"] {
        let body = m.get(page).await.text();
        assert!(!body.contains("<script"), "{page}");
        assert!(!body.contains("style=\""), "{page}");
    }
});

both_backends!(
    a_units_past_officers_say_where_their_record_came_from,
    |app| async move {
        let branch = home_branch(&app, MEMBER).await;
        let today = common::today();
        let office = app
            .store()
            .offices(Some(branch), today)
            .await
            .expect("offices")
            .first()
            .expect("the demo branch has offices")
            .clone();
        let holder = app.account(MEMBER).member;
        let name = app
            .store()
            .member(holder, None)
            .await
            .unwrap()
            .unwrap()
            .record;
        let batch = charter_store::ImportBatch {
            terms: vec![charter_store::ImportTerm {
                office: charter_store::OfficeRef::Existing(office.id),
                member: charter_store::MemberRef::Existing(holder),
                starts_on: chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap(),
                ends_on: chrono::NaiveDate::from_ymd_opt(2001, 12, 31).unwrap(),
                imported_from: "offices.csv, imported 2026-12-01".into(),
            }],
            ..Default::default()
        };
        let event = charter_store::NewEvent {
            at: common::now(),
            actor: charter_app::operator_actor(),
            kind: "import.offices".into(),
            subject: "import".into(),
            payload: "{}".into(),
            reason: "imported from offices.csv".into(),
        };
        app.store()
            .import_register(&batch, &[event], &|_| {})
            .await
            .expect("import");
        let c = app.sign_in(MEMBER).await;
        let res = c.get(&format!("/units/{}", branch.0)).await;
        assert_page(&res, 200, "Past officers");
        let body = res.text();
        assert!(
            body.contains("brought in from the old register: offices.csv, imported 2026-12-01"),
            "{body}"
        );
        let escaped = format!("{} {}", name.first_name, name.last_name)
            .replace('&', "&amp;")
            .replace('\'', "&#39;");
        assert!(body.contains(&escaped), "{escaped} not in: {body}");
        assert!(body.contains(office.kind.title()), "{body}");
    }
);
