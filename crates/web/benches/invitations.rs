//! Invitations for a whole register, on both backends: `cargo bench -p charter-web --bench
//! invitations`.
//!
//! A register of `CHARTER_BENCH_MEMBERS` (default 21,000) members with no password, and the
//! national secretary inviting every one of them through the app (`charter invite
//! --all-without-password` does the same): a link and a letter each, in bulk statements, one
//! transaction per 2,000 members, with an event per member. Prints the time against the goal
//! of under 2 s, and how long the sender then takes to mint the links of the first 500
//! letters (what one round of `charter serve --smtp` claims). PostgreSQL runs when
//! `CHARTER_TEST_POSTGRES_URL` names a server where a scratch database may be created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use charter_app::{App, Settings, SystemClock};
use charter_domain::{Actor, HeldOffice, MemberId, OfficeKind};
use charter_store::*;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;
use common::branch_of;

const GOAL: Duration = Duration::from_secs(2);

fn run(backend: &str, store: Arc<dyn Store>, members: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (national, _, ids) = rt.block_on(branch_of(&store, members));
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    let officer = Actor {
        member: MemberId(1),
        home_branch: national,
        offices: vec![HeldOffice {
            kind: OfficeKind::Secretary,
            unit: national,
            unit_name: "National".into(),
        }],
    };
    let started = Instant::now();
    let run = rt
        .block_on(app.invite_all_without_password(&officer, &mut |_, _| {}))
        .unwrap();
    let took = started.elapsed();
    assert_eq!(run.invited, ids.len(), "every member is invited");
    println!(
        "  {backend}: {} invitations queued in {:.2} s ({:.0}/s); goal: under {} s — {}",
        run.invited,
        took.as_secs_f64(),
        run.invited as f64 / took.as_secs_f64(),
        GOAL.as_secs(),
        if took < GOAL { "met" } else { "MISSED" }
    );
    // What the sender does before it sends a round: claim 500 letters and mint their links.
    let now = chrono::Utc::now();
    let started = Instant::now();
    let claimed = rt
        .block_on(store.claim_outbox(now, now + chrono::Duration::minutes(5), 500))
        .unwrap();
    let mints: Vec<LinkMint> = claimed
        .iter()
        .filter_map(|m| m.account_link)
        .map(|link| LinkMint {
            link,
            token_hash: charter_app::auth::token_hash(&format!("bench-{link}")),
            minted_at: now,
        })
        .collect();
    let minted = rt.block_on(store.mint_link_tokens(&mints)).unwrap();
    println!(
        "  {backend}: a sender's round claims {} letters and mints {} links in {:.1} ms",
        claimed.len(),
        minted.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
}

fn main() {
    let members = std::env::var("CHARTER_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(21_000);
    println!("invitations benchmark ({members} members without a password, one officer)");
    let path = std::env::temp_dir().join(format!("charter-invitations-{}.db", std::process::id()));
    let sqlite = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(SqliteStore::connect(&format!(
            "sqlite://{}",
            path.display()
        )))
        .unwrap();
    run("sqlite", Arc::new(sqlite), members);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    match rt.block_on(charter_test_support::fresh_database()) {
        Some(db) => {
            let store = rt.block_on(PgStore::connect(db.url())).unwrap();
            run("postgres", Arc::new(store), members);
            drop(db);
        }
        None => println!("  postgres: skipped (set CHARTER_TEST_POSTGRES_URL)"),
    }
}
