//! Delegates to the annual conference through the app on SQLite with fixed times, under the
//! 2017 amendment's clause 6.8: the officers apportion delegates among branches by their
//! paid-up members on the counting day, Southwark's secretary names its delegates within its
//! share (a member without the right to vote at conference refused, citing clause 4.3), a
//! member challenges a credential in time and another too late, and only the national
//! secretary rules, striking the credential. Every step is in the governance log.

mod common;

use charter_app::delegates::CredentialRequest;
use charter_app::meetings::MeetingRequest;
use charter_app::{App, AppError};
use charter_domain::DelegateRole;
use charter_domain::{MemberId, MemberStatus};
use charter_rules::Key;

use charter_store::prelude::*;
use chrono::{DateTime, TimeZone, Utc};
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

fn conflict(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(AppError::Conflict { message, .. }) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid(r: Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
    match r {
        Err(AppError::Invalid(f)) => f.0.get(field).cloned().unwrap_or_default(),
        other => panic!("expected invalid {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn branches_send_delegates_by_paid_up_members_and_credentials_are_ruled_on() {
    let w = world().await;
    amended(&w).await;
    // Southwark gains 120 active paid-up members, six of them verified party members who
    // may vote at conference under clause 4.3.
    let mut party = Vec::new();
    for n in 400..520 {
        let verified = n < 406;
        let id = add(
            &w.store,
            n,
            w.southwark,
            MemberStatus::Active,
            true,
            verified.then_some(true),
            Some(w.secretary),
        )
        .await;
        if verified {
            party.push(id);
        }
    }
    let unverified = MemberId(party[0].0 + 10);
    let sep = app_at(&w, at(2017, 9, 1, 10));
    let secretary = sep.actor(w.secretary).await.unwrap();
    let called = sep
        .call_meeting(
            &secretary,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: "Annual conference 2017".into(),
                starts_at: Some(at(2017, 11, 18, 10)),
                ends_at: Some(at(2017, 11, 18, 18)),
                mode: "physical".into(),
                place: Some("Conway Hall".into()),
                online_url: None,
                agenda: "1. Motions".into(),
            },
        )
        .await
        .unwrap();
    let id = called.id;

    // Paid-up members are counted on 23 September, 56 days before: not before.
    let too_soon = conflict(sep.apportion_delegates(&secretary, id).await);
    assert!(too_soon.starts_with("clause 6.8:"), "{too_soon}");
    let oct = app_at(&w, at(2017, 10, 1, 10));
    let secretary = oct.actor(w.secretary).await.unwrap();
    let member = oct.actor(party[5]).await.unwrap();
    assert!(matches!(
        oct.apportion_delegates(&member, id).await,
        Err(AppError::Forbidden(_))
    ));
    let shares = oct.apportion_delegates(&secretary, id).await.unwrap();
    let (_, c) = oct
        .constitution_in_force(chrono::NaiveDate::from_ymd_opt(2017, 11, 18).unwrap())
        .await
        .unwrap();
    let (clause, rule) = c
        .delegates_for(&Key::parse("annual-conference").unwrap())
        .unwrap();
    assert_eq!(clause.as_str(), "6.8");
    for s in &shares {
        assert_eq!(s.delegates, rule.delegates_for(s.paid_up), "{s:?}");
    }
    let southwark = shares.iter().find(|s| s.branch == w.southwark).unwrap();
    assert!(southwark.paid_up >= 120, "{southwark:?}");
    assert!(southwark.delegates >= 2);
    conflict(oct.apportion_delegates(&secretary, id).await);

    // Credentials: refused for a member without the vote, from another branch, or past the share.
    let request = |m: MemberId, role: &str| CredentialRequest {
        branch: Some(w.southwark),
        member: Some(m),
        role: role.into(),
        source: "elected at the branch general meeting".into(),
    };
    let why = invalid(
        oct.record_credential(&secretary, id, &request(unverified, "delegate"))
            .await,
        "member",
    );
    assert!(why.contains("4.3"), "{why}");
    let elsewhere = CredentialRequest {
        branch: Some(w.havering),
        ..request(party[0], "delegate")
    };
    invalid(
        oct.record_credential(&secretary, id, &elsewhere).await,
        "member",
    );
    let mut credentials = Vec::new();
    for &m in party.iter().take(southwark.delegates.min(4) as usize) {
        credentials.push(
            oct.record_credential(&secretary, id, &request(m, "delegate"))
                .await
                .unwrap(),
        );
    }
    if southwark.delegates <= 4 {
        let full = conflict(
            oct.record_credential(&secretary, id, &request(party[5], "delegate"))
                .await,
        );
        assert!(full.starts_with("clause 6.8:"), "{full}");
    }
    let sub = oct
        .record_credential(&secretary, id, &request(party[5], "substitute"))
        .await
        .unwrap();
    assert_eq!(sub.role, DelegateRole::Substitute);
    let late = app_at(&w, at(2017, 11, 4, 9));
    let due = conflict(
        late.record_credential(
            &late.actor(w.secretary).await.unwrap(),
            id,
            &request(party[4], "substitute"),
        )
        .await,
    );
    assert!(due.contains("credentials were due"), "{due}");

    // A challenge in time, one too late, and the ruling by the office clause 6.8 names.
    let challenger = oct.actor(party[5]).await.unwrap();
    let lodged = oct
        .challenge_credential(
            &challenger,
            credentials[0].id,
            "Not elected by a quorate meeting",
        )
        .await
        .unwrap();
    let nov = app_at(&w, at(2017, 11, 12, 9));
    let closed = conflict(
        nov.challenge_credential(
            &nov.actor(party[5]).await.unwrap(),
            credentials[0].id,
            "Later thoughts",
        )
        .await,
    );
    assert!(closed.starts_with("clause 6.8:"), "{closed}");
    match nov
        .rule_on_challenge(
            &nov.actor(w.ann).await.unwrap(),
            lodged.id,
            "upheld",
            "I agree",
        )
        .await
    {
        Err(AppError::Forbidden(m)) => assert!(m.contains("6.8"), "{m}"),
        other => panic!("only the national secretary rules: {other:?}"),
    }
    let secretary = nov.actor(w.secretary).await.unwrap();
    let ruled = nov
        .rule_on_challenge(
            &secretary,
            lodged.id,
            "upheld",
            "The branch's minutes show 3 present against a quorum of 5.",
        )
        .await
        .unwrap();
    assert_eq!(ruled.ruling.as_deref(), Some("upheld"));
    conflict(
        nov.rule_on_challenge(&secretary, lodged.id, "rejected", "Second thoughts")
            .await,
    );
    let view = nov.conference_view(&secretary, id).await.unwrap();
    let struck = view.credential(credentials[0].id).unwrap();
    assert_eq!(
        struck.state,
        charter_domain::DelegateCredentialState::Struck
    );
    assert!(view.may_rule && view.may_run);

    let kinds: Vec<String> = w
        .store
        .events(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "delegates.apportioned",
        "delegates.credentialed",
        "delegates.credential_challenged",
        "delegates.challenge_ruled",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in the log");
    }
}
