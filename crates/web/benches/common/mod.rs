//! What the web benchmarks share: a branch of seeded members, sessions opened for them
//! directly in the store (signing thousands in would time argon2, not the site), and
//! percentiles.

use std::sync::Arc;
use std::time::Duration;

use charter_app::auth::token_hash;
use charter_domain::{
    DuesPlan, Email, MemberId, MemberStatus, Money, NewMember, Payment, PersonName, Postcode,
    UnitId, UnitKind,
};
use charter_store::*;
use chrono::{Days, Utc};

pub fn ev(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc::now(),
        actor: EventActor {
            member: None,
            office: Some("bench".into()),
        },
        kind: kind.into(),
        subject: "bench".into(),
        payload: "{}".into(),
        reason: "bench".into(),
    }
}

/// National → London → Southwark, with `members` active, paid-up members in Southwark.
/// Returns the national unit, the branch and the members.
pub async fn branch_of(store: &Arc<dyn Store>, members: usize) -> (UnitId, UnitId, Vec<MemberId>) {
    store.migrate().await.unwrap();
    let national = store
        .create_unit(
            None,
            UnitKind::National,
            "National",
            "national",
            &ev("unit"),
        )
        .await
        .unwrap();
    let region = store
        .create_unit(
            Some(national),
            UnitKind::Region,
            "London",
            "london",
            &ev("unit"),
        )
        .await
        .unwrap();
    let branch = store
        .create_unit(
            Some(region),
            UnitKind::Branch,
            "Southwark",
            "southwark",
            &ev("unit"),
        )
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let joined = today - Days::new(400);
    let mut ids = Vec::with_capacity(members);
    for start in (0..members).step_by(5_000) {
        let seeds: Vec<SeedMember> = (start..members.min(start + 5_000))
            .map(|i| SeedMember {
                member: NewMember {
                    first_name: PersonName::parse("first name", "Member").unwrap(),
                    last_name: PersonName::parse("last name", &format!("Number{i}")).unwrap(),
                    email: Email::parse(&format!("member{i}@example.org")).unwrap(),
                    phone: None,
                    postcode: Postcode::parse("SE1 7PB").unwrap(),
                    branch,
                    joined_on: joined,
                    status: MemberStatus::Active,
                    dues_plan: DuesPlan::Monthly,
                },
                password_hash: None,
                history: vec![StatusChangeInput {
                    from: None,
                    to: MemberStatus::Active,
                    effective_on: joined,
                    reason: "joined".into(),
                    changed_by: None,
                }],
                payments: vec![Payment {
                    paid_on: today - Days::new(10),
                    amount: Money(6_000),
                    months: 12,
                }],
                affiliations: vec![],
                moves: vec![],
            })
            .collect();
        ids.extend(
            store
                .seed_members(&seeds, &ev("register.seeded"))
                .await
                .unwrap(),
        );
    }
    (national, branch, ids)
}

/// Opens a session for `member` and returns its cookie token.
#[allow(dead_code)] // Not every bench signs members in.
pub async fn session_for(store: &Arc<dyn Store>, member: MemberId) -> String {
    let now = Utc::now();
    let token = format!(
        "bench-session-{}-{}",
        member.0,
        now.timestamp_nanos_opt().unwrap_or(0)
    );
    store
        .create_session(&SessionRecord {
            token_hash: token_hash(&token),
            member,
            csrf_token: format!("csrf-{}", member.0),
            created_at: now,
            expires_at: now + chrono::Duration::hours(3),
            second_factor_pending: false,
        })
        .await
        .unwrap();
    token
}

#[allow(dead_code)] // Not every bench reports percentiles.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[allow(dead_code)] // Not every bench reports percentiles.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
