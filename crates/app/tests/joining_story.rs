//! Joining and leaving through the app on SQLite: the join form as the constitution asks it,
//! an application that tells the officers, a registered address that learns nothing new,
//! an officer's acceptance and refusal, a resignation that ends offices and sessions, and the
//! restricted sign-in of a suspended or expelled member.

mod common;

use charter_app::joining::{DecisionRequest, RawApplication};
use charter_app::leaving::ResignationRequest;
use charter_app::{App, AppError, Settings, operator_actor};
use charter_domain::{ApplicationState, MemberId, MemberStatus, OfficeKind, SignIn};
use charter_rules::Ask;
use charter_store::{Store, Term};
use chrono::{Duration, TimeZone, Utc};
use common::*;
use secrecy::SecretString;

fn application(email: &str, branch: charter_domain::UnitId) -> RawApplication {
    RawApplication {
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        email: email.into(),
        postcode: "se1 7pb".into(),
        phone: String::new(),
        dues_plan: String::new(),
        branch: branch.0.to_string(),
        consent: true,
    }
}

/// Letters queued since the last call (claimed, so the next call sees only new ones).
async fn outbox(app: &App) -> Vec<charter_store::OutboxMessage> {
    let now = app.clock.now() + Duration::days(400);
    app.store()
        .claim_outbox(now, now + Duration::hours(1), 1_000)
        .await
        .unwrap()
}

/// Letters queued since the last call, as (address, subject).
async fn letters(app: &App) -> Vec<(String, String)> {
    outbox(app)
        .await
        .into_iter()
        .map(|m| (m.address, m.subject))
        .collect()
}

fn with_url(w: &World) -> App {
    let at = Utc.with_ymd_and_hms(2024, 11, 27, 12, 0, 0).unwrap();
    App::new(
        w.store.clone(),
        std::sync::Arc::new(charter_app::FixedClock(at)),
        Settings {
            public_url: "https://members.example.org/".into(),
            ..Settings::default()
        },
    )
}

async fn email_of(store: &dyn Store, m: MemberId) -> String {
    store.member_contacts(&[m]).await.unwrap()[0].2.clone()
}

#[tokio::test]
async fn without_a_joining_rule_the_form_asks_an_optional_phone_under_charters_statement() {
    let w = world().await;
    let app = with_url(&w);
    let form = app.join_form().await.unwrap();
    assert_eq!(form.organisation, "National");
    assert_eq!((form.phone, form.dues_plan), (Ask::Optional, Ask::No));
    assert_eq!(form.clause, None);
    assert!(
        form.consent.contains("every reading is logged"),
        "{}",
        form.consent
    );
    let names: Vec<(&str, Option<&str>)> = form
        .branches
        .iter()
        .map(|b| (b.name.as_str(), b.region.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("Havering", Some("London")), ("Southwark", Some("London"))]
    );
}

#[tokio::test]
async fn the_membership_clause_chooses_the_fields_and_the_statement() {
    let w = world().await;
    let rule = "they live or work, and through it to a region.\"\"\"\n\n[clause.joining]\nask = [\"phone\", \"dues_plan\"]\nrequire = [\"phone\"]\nconsent = \"I support the aims of the Network.\"\n";
    let founding = FOUNDING.replacen(
        "they live or work, and through it to a region.\"\"\"\n",
        rule,
        1,
    );
    assert_ne!(founding, FOUNDING, "the fixture's clause 3.1 moved");
    let app = with_url(&w);
    app.found_constitution(operator_actor(), &founding)
        .await
        .unwrap();
    let form = app.join_form().await.unwrap();
    assert_eq!(form.organisation, "Charter Campaign Network");
    assert_eq!((form.phone, form.dues_plan), (Ask::Required, Ask::Optional));
    assert_eq!(form.clause.as_deref(), Some("3.1"));
    assert_eq!(form.consent, "I support the aims of the Network.");

    let mut raw = application("grace@example.org", w.southwark);
    raw.consent = false;
    raw.branch = w.national.0.to_string();
    raw.dues_plan = "weekly".into();
    raw.postcode = "nowhere".into();
    let Err(AppError::Invalid(errs)) = app.apply_to_join(&raw).await else {
        panic!("bad input is refused");
    };
    let fields: Vec<&str> = errs.0.keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        ["branch", "consent", "dues_plan", "phone", "postcode"],
        "{errs}"
    );
    assert!(errs.0["phone"].contains("required"), "{errs}");

    let mut raw = application("grace@example.org", w.southwark);
    raw.phone = "0113 496 0000".into();
    raw.dues_plan = "annual".into();
    app.apply_to_join(&raw).await.unwrap();
    let applied = app
        .applications(&actor(&app, w.secretary).await, None)
        .await
        .unwrap();
    assert_eq!(applied.len(), 1);
    let a = &applied[0];
    assert_eq!(a.clause.as_deref(), Some("3.1"));
    assert_eq!(a.consent, "I support the aims of the Network.");
    assert_eq!(a.phone.as_deref(), Some("01134960000"));
    assert_eq!(a.dues_plan, charter_domain::DuesPlan::Annual);
    assert_eq!(a.postcode, "SE1 7PB");
}

#[tokio::test]
async fn an_application_makes_an_applicant_and_tells_the_nearest_officers() {
    let w = world().await;
    let app = with_url(&w);
    let before = app.store().events(0, 10_000).await.unwrap().len();
    app.apply_to_join(&application("grace@example.org", w.havering))
        .await
        .unwrap();
    let creds = app
        .store()
        .credentials("grace@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.status, MemberStatus::Applicant);
    assert_eq!(creds.password_hash, None);
    let detail = app
        .store()
        .member(creds.member, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.record.branch, w.havering);
    assert_eq!(detail.record.joined_on, d(2024, 11, 27));
    assert_eq!(
        detail.status_history[0].reason,
        "applied to join through the join form"
    );
    let events = app.store().events(0, 10_000).await.unwrap();
    assert_eq!(events.len(), before + 1);
    let e = events.last().unwrap();
    assert_eq!(
        (e.kind.as_str(), e.subject.as_str()),
        ("member.applied", "application")
    );
    assert_eq!(e.actor_member, None);
    assert_eq!(e.actor_office.as_deref(), Some("join form"));
    assert!(
        !e.payload.contains("grace"),
        "no personal data in the record: {}",
        e.payload
    );

    // Havering and London have no officer who admits members: the national secretary hears.
    let secretary = email_of(app.store().as_ref(), w.secretary).await;
    let mut got = letters(&app).await;
    got.sort();
    assert_eq!(
        got,
        [
            (
                "grace@example.org".to_string(),
                "Your application to join National".to_string()
            ),
            (
                secretary.clone(),
                "New application to join Havering".to_string()
            ),
        ]
    );

    // A branch officer, once there is one, is told instead; the letter names no applicant.
    let office = app
        .store()
        .create_office(w.havering, OfficeKind::MembershipOfficer, &event("office"))
        .await
        .unwrap();
    app.store()
        .appoint(
            office,
            w.lapsed,
            Term {
                starts_on: d(2024, 1, 1),
                ends_on: None,
            },
            &event("appoint"),
        )
        .await
        .unwrap();
    app.apply_to_join(&application("ada@example.org", w.havering))
        .await
        .unwrap();
    let officer = email_of(app.store().as_ref(), w.lapsed).await;
    let outbox = outbox(&app).await;
    let to_officer: Vec<_> = outbox.iter().filter(|m| m.address == officer).collect();
    assert_eq!(to_officer.len(), 1);
    assert!(
        to_officer[0]
            .body
            .contains("https://members.example.org/applications"),
        "{}",
        to_officer[0].body
    );
    assert!(!to_officer[0].body.contains("Grace"));
    assert!(outbox.iter().all(|m| m.address != secretary));
}

#[tokio::test]
async fn a_registered_address_gets_a_letter_and_no_duplicate() {
    let w = world().await;
    let app = with_url(&w);
    let ann = email_of(app.store().as_ref(), w.ann).await;
    let members_before = app
        .store()
        .member_facts(d(2024, 11, 27))
        .await
        .unwrap()
        .len();
    // The same answer as for a new address, twice.
    app.apply_to_join(&application(&ann.to_uppercase(), w.havering))
        .await
        .unwrap();
    app.apply_to_join(&application(&ann, w.havering))
        .await
        .unwrap();
    assert_eq!(
        app.store()
            .member_facts(d(2024, 11, 27))
            .await
            .unwrap()
            .len(),
        members_before
    );
    let ann_record = app.store().member(w.ann, None).await.unwrap().unwrap();
    assert_eq!(
        ann_record.record.branch, w.southwark,
        "nothing about Ann changed"
    );
    assert_eq!(ann_record.record.first_name, "Sam");
    // One letter a day to the address's owner, saying so.
    let got = letters(&app).await;
    assert_eq!(
        got,
        [(ann.clone(), "Your application to join National".to_string())]
    );
    let body = app.store().events(0, 10_000).await.unwrap();
    assert_eq!(
        body.iter()
            .filter(|e| e.kind == "member.application_repeated")
            .count(),
        1
    );
    assert!(
        app.applications(&actor(&app, w.secretary).await, Some("all"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn officers_accept_and_refuse_with_reasons_and_others_cannot() {
    let w = world().await;
    let app = with_url(&w);
    app.apply_to_join(&application("grace@example.org", w.southwark))
        .await
        .unwrap();
    app.apply_to_join(&application("ada@example.org", w.havering))
        .await
        .unwrap();
    letters(&app).await;
    let secretary = actor(&app, w.secretary).await;
    let pending = app.applications(&secretary, None).await.unwrap();
    assert_eq!(pending.len(), 2);
    let (grace, ada) = (&pending[0], &pending[1]);
    assert_eq!(grace.email, "grace@example.org");
    // The listing is logged in each applicant's access log.
    assert_eq!(
        app.store()
            .access_log(grace.member, 1, 10)
            .await
            .unwrap()
            .total,
        1
    );

    // A plain member may not see or decide applications.
    let ann = actor(&app, w.ann).await;
    assert!(matches!(
        app.applications(&ann, None).await,
        Err(AppError::Forbidden(_))
    ));
    let accept = DecisionRequest {
        decision: "accept".into(),
        reason: String::new(),
    };
    assert!(matches!(
        app.decide_application(&ann, grace.id, &accept).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.applications(&secretary, Some("approved")).await,
        Err(AppError::Invalid(_))
    ));

    // A refusal needs a reason; a decision must be one of two.
    let Err(AppError::Invalid(errs)) = app
        .decide_application(
            &secretary,
            ada.id,
            &DecisionRequest {
                decision: "refuse".into(),
                reason: "  ".into(),
            },
        )
        .await
    else {
        panic!("a refusal without a reason is refused");
    };
    assert!(errs.0.contains_key("reason"));
    assert!(matches!(
        app.decide_application(
            &secretary,
            ada.id,
            &DecisionRequest {
                decision: "maybe".into(),
                reason: "x".into()
            }
        )
        .await,
        Err(AppError::Invalid(_))
    ));

    // Acceptance: active through the state machine, with the decider in the history.
    let state = app
        .decide_application(&secretary, grace.id, &accept)
        .await
        .unwrap();
    assert_eq!(state, ApplicationState::Accepted);
    let detail = app
        .store()
        .member(grace.member, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.record.status, MemberStatus::Active);
    let last = detail.status_history.last().unwrap();
    assert_eq!(last.from, Some(MemberStatus::Applicant));
    assert_eq!(last.changed_by, Some(w.secretary));
    assert_eq!(last.reason, "application to join accepted");
    let welcome = outbox(&app).await;
    assert_eq!(welcome.len(), 1);
    assert_eq!(welcome[0].address, "grace@example.org");
    assert_eq!(welcome[0].subject, "Welcome to National");
    assert!(
        welcome[0]
            .body
            .contains("https://members.example.org/sign-in"),
        "{}",
        welcome[0].body
    );
    // Decided once.
    assert!(matches!(
        app.decide_application(&secretary, grace.id, &accept).await,
        Err(AppError::Conflict { .. })
    ));

    // Refusal keeps the reason and tells the applicant; they stay an applicant.
    app.decide_application(
        &secretary,
        ada.id,
        &DecisionRequest {
            decision: "refuse".into(),
            reason: "we could not confirm the address".into(),
        },
    )
    .await
    .unwrap();
    let refused = app.application(&secretary, ada.id).await.unwrap();
    assert_eq!(refused.state, ApplicationState::Refused);
    assert_eq!(refused.status, MemberStatus::Applicant);
    assert_eq!(
        refused.reason.as_deref(),
        Some("we could not confirm the address")
    );
    let told = letters(&app).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].0, "ada@example.org");
    let events = app.store().events(0, 10_000).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"member.application_accepted"));
    assert!(kinds.contains(&"member.application_refused"));
    assert!(app.applications(&secretary, None).await.unwrap().is_empty());
    assert_eq!(
        app.applications(&secretary, Some("all"))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn resigning_ends_offices_and_sessions_and_closes_sign_in() {
    let w = world().await;
    let app = with_url(&w);
    let branch_secretary = app
        .store()
        .create_office(w.southwark, OfficeKind::Secretary, &event("office"))
        .await
        .unwrap();
    app.store()
        .appoint(
            branch_secretary,
            w.ann,
            Term {
                starts_on: d(2020, 1, 1),
                ends_on: None,
            },
            &event("appoint"),
        )
        .await
        .unwrap();
    let password = "a long enough password";
    app.store()
        .set_password(w.ann, &charter_app::auth::hash_password(password).unwrap())
        .await
        .unwrap();
    let ann_email = email_of(app.store().as_ref(), w.ann).await;
    let (token, _) = app
        .sign_in(&ann_email, SecretString::from(password))
        .await
        .unwrap();
    use secrecy::ExposeSecret;
    let token = token.0.expose_secret().to_string();
    let ann = app.session(&token).await.unwrap().unwrap();
    assert_eq!(ann.access, SignIn::Member);
    let terms = app.resignation_terms(&ann.actor).await.unwrap();
    assert_eq!(terms.refused, None);
    assert_eq!(terms.offices, ["secretary, Southwark"]);

    let Err(AppError::Invalid(errs)) = app.resign(&ann.actor, &ResignationRequest::default()).await
    else {
        panic!("a resignation needs confirming");
    };
    assert!(errs.0.contains_key("confirm"));
    app.resign(
        &ann.actor,
        &ResignationRequest {
            confirm: true,
            reason: "moving abroad".into(),
        },
    )
    .await
    .unwrap();
    let detail = app.store().member(w.ann, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Resigned);
    let last = detail.status_history.last().unwrap();
    assert_eq!(
        (last.reason.as_str(), last.changed_by),
        ("resigned: moving abroad", Some(w.ann))
    );
    assert!(app.session(&token).await.unwrap().is_none(), "signed out");
    assert!(
        app.store()
            .offices_held(w.ann, app.today())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        app.sign_in(&ann_email, SecretString::from(password)).await,
        Err(AppError::Forbidden(m)) if m.contains("resigned")
    ));
    let got = letters(&app).await;
    assert_eq!(
        got,
        [(ann_email, "You have resigned from National".to_string())]
    );
    let e = app.store().events(0, 10_000).await.unwrap().pop().unwrap();
    assert_eq!(e.kind, "member.resigned");
    assert_eq!(e.actor_member, Some(w.ann));
}

#[tokio::test]
async fn suspended_and_expelled_members_keep_a_sign_in_to_their_own_record_only() {
    let w = world().await;
    let app = with_url(&w);
    let secretary = actor(&app, w.secretary).await;
    assert!(!secretary.offices.is_empty());
    let password = "a long enough password";
    for (member, to) in [
        (w.secretary, MemberStatus::Suspended),
        (w.ann, MemberStatus::Expelled),
    ] {
        // No officer suspends or expels alone; a body's decision does (here, as the store
        // records one).
        assert!(matches!(
            app.change_status(
                &secretary,
                member,
                &charter_app::register::StatusChangeRequest {
                    to: to.as_str().into(),
                    effective_on: String::new(),
                    reason: "by decision of the disciplinary panel".into(),
                },
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        set_status(&w, member, to).await;
        app.store()
            .set_password(member, &charter_app::auth::hash_password(password).unwrap())
            .await
            .unwrap();
        let email = email_of(app.store().as_ref(), member).await;
        let (token, _) = app
            .sign_in(&email, SecretString::from(password))
            .await
            .unwrap_or_else(|e| panic!("a {to} member keeps a sign-in: {e}"));
        use secrecy::ExposeSecret;
        let signed = app.session(token.0.expose_secret()).await.unwrap().unwrap();
        assert_eq!(signed.access, SignIn::OwnRecordOnly, "{to}");
        assert!(
            signed.actor.offices.is_empty(),
            "a {to} officer's offices carry no power"
        );
        let mine = app.my_membership(&signed.actor, 1).await.unwrap();
        assert_eq!(mine.access, SignIn::OwnRecordOnly);
        assert!(
            !mine.view.may_edit,
            "a {to} member cannot edit their details"
        );
        assert!(matches!(
            app.update_member(
                &signed.actor,
                member,
                &charter_domain::RawMemberChanges {
                    postcode: Some("SE1 1AA".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(mine.may_resign, to == MemberStatus::Suspended);
        assert!(!mine.may_admit);
    }
    // The expelled member cannot resign; their membership has already ended.
    let ann = app.actor(w.ann).await.unwrap();
    assert!(matches!(
        app.resign(
            &ann,
            &ResignationRequest {
                confirm: true,
                reason: String::new()
            }
        )
        .await,
        Err(AppError::Conflict { message, .. }) if message.contains("expulsion")
    ));
}
