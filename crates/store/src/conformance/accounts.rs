//! Conformance: accounts. Links sent by email carry tokens minted only as they are sent and
//! work once; resets say nothing about whom they found; email changes wait for their
//! confirmation; a TOTP code's time step is accepted once.

use super::*;
use charter_domain::LinkPurpose;
use charter_model::AccountLinkId;

fn request(purpose: LinkPurpose, by: Option<MemberId>, batch: i64) -> LinkRequest {
    LinkRequest {
        purpose,
        requested_by: by,
        batch,
        valid_for: match purpose {
            LinkPurpose::Invitation => Duration::days(7),
            LinkPurpose::PasswordReset => Duration::hours(1),
            LinkPurpose::EmailChange => Duration::days(2),
        },
        letter: LinkLetter {
            subject: format!("Your {purpose}"),
            greeting: "Dear ".into(),
            body: ",\n\nFollow {link} within a week.\n".into(),
        },
    }
}

fn at(secs: i64, kind: &str, subject: &str) -> NewEvent {
    NewEvent {
        at: t(secs),
        ..event(kind, subject)
    }
}

fn mint(link: AccountLinkId, hash: &str, minted_at: DateTime<Utc>) -> LinkMint {
    LinkMint {
        link,
        token_hash: hash.into(),
        minted_at,
    }
}

/// Every message queued at `when` or before, as the sender would claim them.
async fn claim_all(store: &dyn Store, when: i64) -> Vec<OutboxMessage> {
    store
        .claim_outbox(t(when), t(when + 600), 1_000)
        .await
        .unwrap()
}

async fn two_members(store: &dyn Store) -> (Org, MemberId, MemberId) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Bea", "Ruiz", "bea@example.org", "LS1 4AP", o.york),
    )
    .await;
    (o, a, b)
}

pub async fn invitations_carry_minted_tokens_that_work_once(store: &dyn Store) {
    let (o, a, b) = two_members(store).await;
    let c = add(
        store,
        &new_member("Cy", "Moss", "cy@example.org", "LS2 7AB", o.leeds),
    )
    .await;
    store.set_password(b, "$argon2id$v=19$b").await.unwrap();
    let resign = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Resigned,
        effective_on: d(2024, 3, 1),
        reason: "test".into(),
        changed_by: None,
    };
    store
        .change_status(c, MemberStatus::Active, &resign, &event("x", "x"))
        .await
        .unwrap();
    assert_eq!(
        store
            .members_without_password(&MemberScope::All)
            .await
            .unwrap(),
        vec![a]
    );
    assert_eq!(
        store
            .members_without_password(&MemberScope::Branches(vec![o.york]))
            .await
            .unwrap(),
        Vec::<MemberId>::new()
    );
    let before = event_count(store).await;
    let invited = store
        .invite_members(
            &[a, b, c],
            &request(LinkPurpose::Invitation, Some(b), 1),
            &at(10, "account.invited", "invitations"),
        )
        .await
        .unwrap();
    assert_eq!(
        invited,
        vec![a],
        "only members without a password who may sign in"
    );
    let events = all_events(store).await;
    assert_eq!(events.len(), before + 1, "one event per member invited");
    assert_eq!(events.last().unwrap().subject, format!("member:{}", a.0));

    let letters = claim_all(store, 10).await;
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(letter.address, "ann@example.org");
    assert_eq!(letter.body, "Dear Ann,\n\nFollow {link} within a week.\n");
    let link = letter.account_link.expect("the letter names its link");
    assert_eq!(store.account_link("hash-1").await.unwrap(), None);

    let minted = store
        .mint_link_tokens(&[mint(link, "hash-1", t(10))])
        .await
        .unwrap();
    assert_eq!(minted, vec![(link, LinkPurpose::Invitation)]);
    let found = store.account_link("hash-1").await.unwrap().unwrap();
    assert_eq!(
        (found.id, found.member, found.purpose, found.requested_by),
        (link, a, LinkPurpose::Invitation, Some(b))
    );

    let session = SessionRecord {
        token_hash: "se".repeat(32),
        member: a,
        csrf_token: "csrf".into(),
        created_at: t(5),
        expires_at: t(5) + Duration::hours(12),
        second_factor_pending: false,
    };
    store.create_session(&session).await.unwrap();
    assert!(matches!(
        store
            .use_password_link(
                link,
                "wrong",
                "$argon2id$a",
                &at(20, "account.password_set", "x")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let before = event_count(store).await;
    assert_eq!(
        store
            .use_password_link(
                link,
                "hash-1",
                "$argon2id$a",
                &at(20, "account.password_set", "x")
            )
            .await
            .unwrap(),
        a
    );
    assert_eq!(event_count(store).await, before + 1);
    assert_eq!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$a")
    );
    assert_eq!(
        store.session(&session.token_hash).await.unwrap(),
        None,
        "setting a password ends the member's sessions"
    );
    assert_eq!(
        store.account_link("hash-1").await.unwrap(),
        None,
        "used once"
    );
    assert!(matches!(
        store
            .use_password_link(
                link,
                "hash-1",
                "$argon2id$x",
                &at(21, "account.password_set", "x")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store
            .mint_link_tokens(&[mint(link, "hash-2", t(30))])
            .await
            .unwrap(),
        vec![],
        "a used link is never minted again"
    );
    let again = store
        .invite_members(
            &[a],
            &request(LinkPurpose::Invitation, Some(b), 2),
            &at(40, "account.invited", "invitations"),
        )
        .await
        .unwrap();
    assert!(again.is_empty(), "a member with a password is not invited");
}

pub async fn a_new_letter_replaces_the_earlier_link(store: &dyn Store) {
    let (_, a, b) = two_members(store).await;
    let req = |batch| request(LinkPurpose::Invitation, Some(b), batch);
    store
        .invite_members(&[a], &req(1), &at(10, "account.invited", "x"))
        .await
        .unwrap();
    // Invited again before the first letter went: the first is withdrawn.
    store
        .invite_members(&[a], &req(2), &at(11, "account.invited", "x"))
        .await
        .unwrap();
    let letters = claim_all(store, 11).await;
    assert_eq!(letters.len(), 1, "only the newer letter is sent");
    let link = letters[0].account_link.unwrap();
    store
        .mint_link_tokens(&[mint(link, "first", t(11))])
        .await
        .unwrap();
    assert!(store.account_link("first").await.unwrap().is_some());
    // Invited again after the letter went: its link stops working at once.
    store
        .invite_members(&[a], &req(3), &at(12, "account.invited", "x"))
        .await
        .unwrap();
    assert_eq!(store.account_link("first").await.unwrap(), None);
    let letters = claim_all(store, 12).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].account_link,
        Some(link),
        "one link per member and purpose"
    );
    store
        .mint_link_tokens(&[mint(link, "second", t(12))])
        .await
        .unwrap();
    assert!(store.account_link("second").await.unwrap().is_some());
    // Minting again (a retried letter) replaces the token too.
    store
        .mint_link_tokens(&[mint(link, "third", t(13))])
        .await
        .unwrap();
    assert_eq!(store.account_link("second").await.unwrap(), None);
    // A link is refused once its lifetime, counted from its letter's sending, has passed.
    store
        .mint_link_tokens(&[mint(link, "stale", t(14))])
        .await
        .unwrap();
    let minted = store.account_link("stale").await.unwrap().unwrap();
    assert_eq!(minted.expires_at, Some(t(14) + Duration::days(7)));
    assert!(matches!(
        store
            .use_password_link(
                link,
                "stale",
                "$argon2id$a",
                &at(14 + 7 * 86_400, "account.password_set", "x")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
}

pub async fn password_resets_are_silent_and_not_replaced_at_once(store: &dyn Store) {
    let (_, a, _) = two_members(store).await;
    let req = |batch| request(LinkPurpose::PasswordReset, None, batch);
    let before = event_count(store).await;
    store
        .request_password_reset(
            "nobody@example.org",
            &req(1),
            t(0),
            &at(10, "account.reset", "x"),
        )
        .await
        .unwrap();
    assert_eq!(
        event_count(store).await,
        before,
        "nothing found, nothing written"
    );
    assert!(claim_all(store, 10).await.is_empty());

    store
        .request_password_reset(
            " ANN@example.org ",
            &req(2),
            t(0),
            &at(10, "account.reset", "x"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    let letters = claim_all(store, 10).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].member, Some(a));
    let link = letters[0].account_link.unwrap();
    store
        .mint_link_tokens(&[mint(link, "reset-1", t(10))])
        .await
        .unwrap();
    // Asked again soon after: the link just sent keeps working and nothing more is sent.
    store
        .request_password_reset(
            "ann@example.org",
            &req(3),
            t(5),
            &at(20, "account.reset", "x"),
        )
        .await
        .unwrap();
    assert!(store.account_link("reset-1").await.unwrap().is_some());
    assert!(claim_all(store, 20).await.is_empty());
    assert_eq!(event_count(store).await, before + 1);
    // Later, a new request replaces it.
    store
        .request_password_reset(
            "ann@example.org",
            &req(4),
            t(15),
            &at(30, "account.reset", "x"),
        )
        .await
        .unwrap();
    assert_eq!(store.account_link("reset-1").await.unwrap(), None);
    assert_eq!(claim_all(store, 30).await.len(), 1);
}

pub async fn email_changes_wait_for_confirmation(store: &dyn Store) {
    let (_, a, b) = two_members(store).await;
    let req = |batch| request(LinkPurpose::EmailChange, Some(b), batch);
    let notice = NoticeText {
        subject: "A new address was proposed".into(),
        body: "Someone proposed a new address.".into(),
    };
    assert!(matches!(
        store
            .propose_email_change(a, "bea@example.org", &req(1), None, &at(10, "x", "x"))
            .await,
        Err(StoreError::Conflict { field, .. }) if field == "email"
    ));
    assert!(matches!(
        store
            .propose_email_change(
                MemberId(9_999),
                "z@example.org",
                &req(1),
                None,
                &at(10, "x", "x")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .propose_email_change(
            a,
            "ann.new@example.org",
            &req(2),
            Some(&notice),
            &at(10, "x", "x"),
        )
        .await
        .unwrap();
    let pending = store.email_change(a).await.unwrap().unwrap();
    assert_eq!(pending.new_email.as_deref(), Some("ann.new@example.org"));
    assert_eq!(pending.requested_by, Some(b));
    assert_eq!(pending.used_at, None);
    assert_eq!(
        store.member_contacts(&[a]).await.unwrap()[0].2,
        "ann@example.org",
        "the address changes only once confirmed"
    );
    let mut letters = claim_all(store, 10).await;
    letters.sort_by(|x, y| x.address.cmp(&y.address));
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[0].address, "ann.new@example.org");
    assert!(letters[0].account_link.is_some());
    assert_eq!(letters[1].address, "ann@example.org");
    assert_eq!(
        letters[1].account_link, None,
        "the old address gets no link"
    );
    let link = letters[0].account_link.unwrap();
    // A reset sent to the old address must not outlive the change.
    store
        .request_password_reset(
            "ann@example.org",
            &request(LinkPurpose::PasswordReset, None, 3),
            t(0),
            &at(11, "x", "x"),
        )
        .await
        .unwrap();
    let reset = claim_all(store, 11).await[0].account_link.unwrap();
    store
        .mint_link_tokens(&[mint(link, "confirm", t(12)), mint(reset, "reset", t(12))])
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .use_password_link(link, "confirm", "$argon2id$x", &at(13, "x", "x"))
                .await,
            Err(StoreError::Stale(_))
        ),
        "an email link does not set a password"
    );
    let told = NoticeText {
        subject: "Your address changed".into(),
        body: "It is now the new one.".into(),
    };
    assert_eq!(
        store
            .confirm_email_change(
                link,
                "confirm",
                &told,
                &at(14, "account.email_changed", "x")
            )
            .await
            .unwrap(),
        a
    );
    assert_eq!(
        store.member_contacts(&[a]).await.unwrap()[0].2,
        "ann.new@example.org"
    );
    assert_eq!(store.account_link("reset").await.unwrap(), None);
    let found = store
        .search_members(
            &MemberQuery {
                text: Some("ann.new@".into()),
                ..query(MemberScope::All)
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1, "the directory finds the new address");
    let notices = claim_all(store, 14).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(
        notices[0].address, "ann@example.org",
        "the old address is told"
    );
    assert!(matches!(
        store
            .confirm_email_change(link, "confirm", &told, &at(15, "x", "x"))
            .await,
        Err(StoreError::Stale(_))
    ));
}

pub async fn password_changes_end_other_sessions(store: &dyn Store) {
    let (_, a, _) = two_members(store).await;
    let session = |n: &str| SessionRecord {
        token_hash: n.repeat(32),
        member: a,
        csrf_token: "csrf".into(),
        created_at: t(5),
        expires_at: t(5) + Duration::hours(12),
        second_factor_pending: n == "pp",
    };
    for n in ["aa", "bb", "pp"] {
        store.create_session(&session(n)).await.unwrap();
    }
    assert!(
        store
            .session(&"pp".repeat(32))
            .await
            .unwrap()
            .unwrap()
            .second_factor_pending
    );
    assert!(
        store
            .complete_second_factor(&"pp".repeat(32))
            .await
            .unwrap()
    );
    assert!(
        !store
            .session(&"pp".repeat(32))
            .await
            .unwrap()
            .unwrap()
            .second_factor_pending
    );
    assert!(!store.complete_second_factor("unknown").await.unwrap());
    let before = event_count(store).await;
    store
        .change_password(
            a,
            "$argon2id$new",
            Some(&"aa".repeat(32)),
            &at(10, "account.password_changed", "x"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    assert!(
        store.session(&"aa".repeat(32)).await.unwrap().is_some(),
        "this session stays"
    );
    assert!(store.session(&"bb".repeat(32)).await.unwrap().is_none());
    assert!(store.session(&"pp".repeat(32)).await.unwrap().is_none());
    assert!(matches!(
        store
            .change_password(MemberId(9_999), "x", None, &at(11, "x", "x"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn totp_steps_and_recovery_codes_are_accepted_once(store: &dyn Store) {
    let (_, a, _) = two_members(store).await;
    assert!(store.two_factor(a).await.unwrap().is_none());
    assert!(
        !store.accept_totp_step(a, 1).await.unwrap(),
        "nothing enrolled"
    );
    store.begin_two_factor(a, "SECRETONE", t(1)).await.unwrap();
    store.begin_two_factor(a, "SECRETTWO", t(2)).await.unwrap();
    let pending = store.two_factor(a).await.unwrap().unwrap();
    assert_eq!(pending.secret, "SECRETTWO");
    assert_eq!(pending.confirmed_at, None);
    assert!(
        !format!("{pending:?}").contains("SECRETTWO"),
        "never printed"
    );
    assert!(
        !store.accept_totp_step(a, 1).await.unwrap(),
        "not confirmed yet"
    );
    let codes = vec!["h1".to_string(), "h2".to_string()];
    assert!(matches!(
        store
            .confirm_two_factor(a, "SECRETONE", 100, &codes, &at(3, "x", "x"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let before = event_count(store).await;
    store
        .confirm_two_factor(
            a,
            "SECRETTWO",
            100,
            &codes,
            &at(3, "account.two_factor_on", "x"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    let on = store.two_factor(a).await.unwrap().unwrap();
    assert_eq!(
        (on.confirmed_at, on.last_step, on.recovery_codes_left),
        (Some(t(3)), Some(100), 2)
    );
    assert!(matches!(
        store.begin_two_factor(a, "AGAIN", t(4)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(
        !store.accept_totp_step(a, 100).await.unwrap(),
        "the enrolling code is spent"
    );
    assert!(store.accept_totp_step(a, 101).await.unwrap());
    assert!(
        !store.accept_totp_step(a, 101).await.unwrap(),
        "replay refused"
    );
    assert!(
        !store.accept_totp_step(a, 99).await.unwrap(),
        "an older code refused"
    );
    assert!(store.use_recovery_code(a, "h1", t(5)).await.unwrap());
    assert!(!store.use_recovery_code(a, "h1", t(6)).await.unwrap());
    assert!(!store.use_recovery_code(a, "nope", t(6)).await.unwrap());
    assert_eq!(
        store
            .two_factor(a)
            .await
            .unwrap()
            .unwrap()
            .recovery_codes_left,
        1
    );
    store
        .remove_two_factor(a, &at(7, "account.two_factor_off", "x"))
        .await
        .unwrap();
    assert!(store.two_factor(a).await.unwrap().is_none());
    assert!(!store.use_recovery_code(a, "h2", t(8)).await.unwrap());
    assert!(matches!(
        store.remove_two_factor(a, &at(8, "x", "x")).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn account_policy_starts_off_and_changes_with_its_event(store: &dyn Store) {
    assert_eq!(
        store.account_policy().await.unwrap(),
        AccountPolicy::default()
    );
    let before = event_count(store).await;
    let on = AccountPolicy {
        two_factor_required: true,
    };
    store
        .set_account_policy(&on, &at(1, "accounts.two_factor_required", "organisation"))
        .await
        .unwrap();
    assert_eq!(store.account_policy().await.unwrap(), on);
    store
        .set_account_policy(&AccountPolicy::default(), &at(2, "x", "organisation"))
        .await
        .unwrap();
    assert!(!store.account_policy().await.unwrap().two_factor_required);
    assert_eq!(event_count(store).await, before + 2);
}

pub async fn an_accepted_applicant_is_welcomed_with_an_invitation(store: &dyn Store) {
    let o = org(store).await;
    let sec = add(
        store,
        &new_member("Sam", "Secretary", "sam@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ack = NoticeText {
        subject: "Your application".into(),
        body: "We have it.".into(),
    };
    let (id, ada) = store
        .submit_application(
            &applicant("Ada", "ada@example.org", o.leeds),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    claim_all(store, 0).await;
    let accept = ApplicationDecision {
        state: ApplicationState::Accepted,
        reason: "welcome".into(),
        by: sec,
        on: d(2024, 12, 2),
    };
    let mut invitation = request(LinkPurpose::Invitation, Some(sec), 7);
    invitation.letter.subject = "Welcome".into();
    let before = event_count(store).await;
    store
        .decide_application(
            id,
            &accept,
            &[letter(Some(ada), "ada@example.org", "Welcome, no link")],
            Some(&invitation),
            &by(sec, "member.application_accepted", "member:1"),
        )
        .await
        .unwrap();
    assert_eq!(
        event_count(store).await,
        before + 1,
        "one event: the decision"
    );
    let letters = claim_all(store, 10).await;
    assert_eq!(
        letters.len(),
        1,
        "the invitation is the welcome: one letter"
    );
    let welcome = &letters[0];
    assert_eq!(
        (
            welcome.member,
            welcome.address.as_str(),
            welcome.subject.as_str()
        ),
        (Some(ada), "ada@example.org", "Welcome")
    );
    assert_eq!(welcome.body, "Dear Ada,\n\nFollow {link} within a week.\n");
    let link = welcome.account_link.expect("the welcome carries a link");
    store
        .mint_link_tokens(&[mint(link, "welcome-hash", t(10))])
        .await
        .unwrap();
    let found = store.account_link("welcome-hash").await.unwrap().unwrap();
    assert_eq!(
        (found.member, found.purpose, found.requested_by),
        (ada, LinkPurpose::Invitation, Some(sec))
    );

    // A refused decision issues no link whatever it is given.
    let (id2, _) = store
        .submit_application(
            &applicant("Bo", "bo@example.org", o.leeds),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    claim_all(store, 20).await;
    store
        .decide_application(
            id2,
            &ApplicationDecision {
                state: ApplicationState::Refused,
                reason: "no".into(),
                ..accept
            },
            &[letter(None, "bo@example.org", "Refused")],
            Some(&request(LinkPurpose::Invitation, Some(sec), 8)),
            &by(sec, "member.application_refused", "member:2"),
        )
        .await
        .unwrap();
    let letters = claim_all(store, 30).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].subject, "Refused");
    assert_eq!(letters[0].account_link, None);
}
