//! Electronic voting under load, on both backends: `cargo bench -p charter-web --bench votes`.
//!
//! A branch meeting with `CHARTER_BENCH_ATTENDEES` (default 2,000) members checked in, each
//! with a session, and a secret vote open on a motion. The server runs as `charter serve`
//! does, on loopback, with two worker threads; a load client on its own thread sends every
//! attendee's vote over HTTP, `CHARTER_BENCH_CONNECTIONS` (default 64) at a time, then sends
//! a tenth of them again (a retry must count nothing). It prints the time for all the votes,
//! their rate and latency percentiles, and checks that every vote was stored exactly once.
//! PostgreSQL runs when `CHARTER_TEST_POSTGRES_URL` names a server where a scratch database
//! may be created.
//!
//! A plain binary: the promise is "2,000 votes within 60 s, each stored once", a total time
//! under concurrency rather than the mean of one repeated call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use charter_app::{App, Settings, SystemClock};
use charter_store::*;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;
use charter_web::{AppState, WebConfig};
use chrono::Utc;
use common::{branch_of, ev, ms, pct, session_for};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The meeting, its attendees' session tokens and the motion with a secret vote open.
async fn setup(store: &Arc<dyn Store>, attendees: usize) -> (i64, Vec<String>) {
    let (_, branch, members) = branch_of(store, attendees).await;
    let now = Utc::now();
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "branch-meeting".into(),
                unit: Some(branch),
                kind: "general-meeting".into(),
                title: "Southwark general meeting".into(),
                starts_at: now - chrono::Duration::minutes(10),
                ends_at: now + chrono::Duration::hours(3),
                mode: charter_domain::MeetingMode::Hybrid,
                place: Some("Community hall".into()),
                online_url: None,
                agenda: "1. Motions".into(),
                notice_clause: None,
                notice_days: None,
                called_by: None,
                check_in_code: "ABC234".into(),
            },
            &members
                .iter()
                .map(|m| NewInvitee {
                    member: *m,
                    may_vote: true,
                    address: format!("{}@example.org", m.0),
                })
                .collect::<Vec<_>>(),
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &ev("meeting.called"),
        )
        .await
        .unwrap();
    let mut tokens = Vec::with_capacity(attendees);
    for m in &members {
        store
            .check_in(meeting, *m, None, &ev("meeting.checked_in"))
            .await
            .unwrap();
        tokens.push(session_for(store, *m).await);
    }
    let motion = store
        .propose_motion(
            &NewMotion {
                meeting,
                kind: "ordinary-motion".into(),
                title: "Send delegates to the special conference".into(),
                text: "The branch sends its full delegation.".into(),
                matter: None,
                position: None,
                requires: None,
                proposed_by: Some(members[0]),
                seconded_by: None,
                parent: None,
                target: None,
                emergency: false,
            },
            &ev("motion.proposed"),
        )
        .await
        .unwrap();
    store
        .open_poll(motion, "secret", None, &ev("motion.poll_opened"))
        .await
        .unwrap();
    (motion.0, tokens)
}

struct Run {
    took: Duration,
    latencies: Vec<Duration>,
    statuses: Vec<u16>,
}

/// Sends one vote per `(token, submission)` from `connections` concurrent workers.
fn load(addr: SocketAddr, motion: i64, votes: Vec<(String, String)>, connections: usize) -> Run {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(connections)
            .build_http();
        let votes = Arc::new(votes);
        let next = Arc::new(AtomicUsize::new(0));
        let url = format!("http://{addr}/api/v1/motions/{motion}/ballots");
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..connections {
            let (client, votes, next, url) =
                (client.clone(), votes.clone(), next.clone(), url.clone());
            workers.push(tokio::spawn(async move {
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((token, submission)) = votes.get(i) else {
                        return out;
                    };
                    let choice = ["for", "for", "against", "abstain"][i % 4];
                    let body = format!(r#"{{"choice":"{choice}","submission":"{submission}"}}"#);
                    let req = http::Request::post(&url)
                        .header("content-type", "application/json")
                        .header("cookie", format!("charter_session={token}"))
                        .body(Full::new(Bytes::from(body)))
                        .unwrap();
                    let sent = Instant::now();
                    let res = client.request(req).await.expect("the server answers");
                    let status = res.status().as_u16();
                    let _ = res.into_body().collect().await;
                    out.push((sent.elapsed(), status));
                }
            }));
        }
        let mut latencies = Vec::new();
        let mut statuses = Vec::new();
        for w in workers {
            for (l, s) in w.await.unwrap() {
                latencies.push(l);
                statuses.push(s);
            }
        }
        let took = started.elapsed();
        latencies.sort();
        Run {
            took,
            latencies,
            statuses,
        }
    })
}

fn run(backend: &str, store: Arc<dyn Store>, attendees: usize, connections: usize) {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (motion, tokens) = server.block_on(setup(&store, attendees));
    let state = AppState::new(
        App::new(store.clone(), Arc::new(SystemClock), Settings::default()),
        WebConfig::default(),
    );
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    server.spawn(async move {
        axum::serve(
            listener,
            charter_web::app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let votes: Vec<(String, String)> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), format!("vote-key-{i:06}")))
        .collect();
    let resend: Vec<(String, String)> = votes.iter().step_by(10).cloned().collect();
    let first = std::thread::spawn(move || load(addr, motion, votes, connections))
        .join()
        .unwrap();
    let again = std::thread::spawn(move || load(addr, motion, resend, connections))
        .join()
        .unwrap();
    let poll = server
        .block_on(store.poll(MotionId(motion)))
        .unwrap()
        .unwrap();
    let recorded = first.statuses.iter().filter(|s| **s == 201).count();
    let repeated = again.statuses.iter().filter(|s| **s == 200).count();
    let counted = poll.votes_for + poll.votes_against + poll.abstentions;
    println!(
        "  {backend}: {attendees} attendees voted over {connections} connections in {:.2} s ({:.0} votes/s; latency p50 {} p95 {} p99 {} max {}) — {}",
        first.took.as_secs_f64(),
        attendees as f64 / first.took.as_secs_f64(),
        ms(pct(&first.latencies, 0.5)),
        ms(pct(&first.latencies, 0.95)),
        ms(pct(&first.latencies, 0.99)),
        ms(pct(&first.latencies, 1.0)),
        if first.took < Duration::from_secs(60) {
            "within 60 s"
        } else {
            "OVER 60 s"
        }
    );
    println!(
        "  {backend}: {recorded} recorded (201); {repeated} of {} resent answered already-recorded (200); stored voters {}, counted {} — {}",
        again.statuses.len(),
        poll.voted,
        counted,
        if recorded == attendees
            && repeated == again.statuses.len()
            && poll.voted == attendees as i64
            && counted == attendees as i64
        {
            "every vote stored once"
        } else {
            "MISMATCH"
        }
    );
    server.shutdown_timeout(Duration::from_secs(1));
}

fn main() {
    let attendees = env_usize("CHARTER_BENCH_ATTENDEES", 2_000);
    let connections = env_usize("CHARTER_BENCH_CONNECTIONS", 64);
    println!(
        "electronic votes benchmark (server: 2 workers on loopback; load client on its own thread)"
    );
    let path = std::env::temp_dir().join(format!("charter-votes-{}.db", std::process::id()));
    let sqlite = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(SqliteStore::connect(&format!(
            "sqlite://{}",
            path.display()
        )))
        .unwrap();
    run("sqlite", Arc::new(sqlite), attendees, connections);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    match rt.block_on(charter_test_support::fresh_database()) {
        Some(db) => {
            let store = rt.block_on(PgStore::connect(db.url())).unwrap();
            run("postgres", Arc::new(store), attendees, connections);
            drop(db);
        }
        None => println!("  postgres: skipped (set CHARTER_TEST_POSTGRES_URL)"),
    }
}
