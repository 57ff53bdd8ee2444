//! The demo loaded through a real store: an in-memory SQLite database.

use charter_store::prelude::*;
use std::cell::Cell;

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use charter_demo::{DemoOptions, generate, load};
use charter_domain::{MemberStatus, OfficeKind, UnitKind, paid_up_until};
use charter_store::{BranchStats, Store};
use charter_store_sqlite::SqliteStore;

async fn store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::test]
async fn the_demo_loads_into_sqlite_as_generated() {
    let store = store().await;
    let org = generate(DemoOptions {
        members: 6_000,
        ..DemoOptions::default()
    });
    let today = org.options.today;
    let last = Cell::new((0, 0));
    let calls = Cell::new(0u32);
    let sign_ins = load(&store, &org, &|done, total| {
        assert!(done > last.get().0 && done <= total);
        last.set((done, total));
        calls.set(calls.get() + 1);
    })
    .await
    .unwrap();
    let (done, total) = last.get();
    assert_eq!(done, total, "progress reaches the total");

    // Structure.
    let units = store.units().await.unwrap();
    assert_eq!(units.len(), org.units.len());
    assert_eq!(
        units.iter().filter(|u| u.kind == UnitKind::Branch).count(),
        80
    );
    let southwark = units.iter().find(|u| u.slug == "southwark").unwrap();
    let offices = store.offices(Some(southwark.id), today).await.unwrap();
    assert_eq!(offices.len(), 3);
    assert!(offices.iter().all(|o| o.holder.is_some()));
    let bodies = store.bodies(None, today).await.unwrap();
    let national = bodies
        .iter()
        .find(|b| b.name == "National Committee")
        .unwrap();
    assert_eq!(national.holders.len(), 15);

    // The register matches the generator, member for member in aggregate.
    let mut want = BranchStats::default();
    for m in org.members(0..org.member_count()) {
        let one = BranchStats {
            branch: None,
            applicant: u64::from(m.status == MemberStatus::Applicant),
            active: u64::from(m.status == MemberStatus::Active),
            lapsed: u64::from(m.status == MemberStatus::Lapsed),
            suspended: u64::from(m.status == MemberStatus::Suspended),
            expelled: u64::from(m.status == MemberStatus::Expelled),
            resigned: u64::from(m.status == MemberStatus::Resigned),
            paid_up: u64::from(
                m.status.is_member() && paid_up_until(&m.payments).is_some_and(|u| u >= today),
            ),
        };
        want.add(&one);
    }
    let mut got = BranchStats::default();
    for s in store.branch_stats(today).await.unwrap() {
        got.add(&s);
    }
    assert_eq!(got, want);

    // Sign-ins: each account signs in with its printed password and holds its office.
    assert_eq!(sign_ins.0.len(), org.accounts.len());
    for s in sign_ins.iter() {
        let line = s.to_string();
        assert_eq!(line.split(' ').count(), 5, "{line}");
        assert!(line.starts_with("demo sign-in: "));
        let creds = store.credentials(&s.email).await.unwrap().unwrap();
        assert_eq!(creds.member, s.member);
        assert_eq!(creds.status, MemberStatus::Active);
        let hash = creds.password_hash.expect("demo accounts have passwords");
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(
            Argon2::default()
                .verify_password(s.password.as_bytes(), &parsed)
                .is_ok()
        );
        let held = store.offices_held(s.member, today).await.unwrap();
        match s.role {
            "member" => assert!(held.is_empty()),
            "branch-secretary" => assert!(
                held.iter()
                    .any(|o| o.kind == OfficeKind::Secretary && o.unit == southwark.id)
            ),
            _ => assert!(!held.is_empty(), "{} holds no office", s.role),
        }
    }
    let member = sign_ins.by_role("member").unwrap();
    let detail = store.member(member.member, None).await.unwrap().unwrap();
    assert_eq!(detail.record.branch, southwark.id);
    assert!(!detail.affiliations.is_empty());
    assert!(detail.record.paid_up_until.is_some_and(|u| u >= today));
    assert_eq!(
        detail.status_history.last().unwrap().to,
        MemberStatus::Active
    );
    // Ordinary members have no password: only the demo accounts can sign in.
    let plain = store
        .member(charter_domain::MemberId(5_000), None)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .credentials(&plain.record.email)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .is_none()
    );

    // One event per structural act and one per member batch, in order.
    let events = store.events(0, 100_000).await.unwrap();
    let batches = org.batches(charter_demo::BATCH_SIZE).len() as u64;
    assert_eq!(events.len() as u64, org.structural_acts() + batches);
    assert!(
        events
            .windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].at < w[1].at)
    );
    assert!(events.iter().all(|e| !e.reason.is_empty()));
}
