//! Mass notices while the site is in use, on both backends: `cargo bench -p charter-web --bench
//! notices`.
//!
//! A register of `CHARTER_BENCH_MEMBERS` (default 21,000) members, the founding constitution,
//! and a conference called through the app, which queues a notice to every member entitled
//! to attend in the same transaction (timed). The server then runs as `charter serve --smtp`
//! does: two worker threads, with the notice sender delivering to a loopback SMTP sink over
//! the default pool. Meanwhile a client on its own thread loads the meeting's page, eight at
//! a time, as members would. It prints the delivery rate and the pages' latency while the
//! notices went out. PostgreSQL runs when `CHARTER_TEST_POSTGRES_URL` names a server where a
//! scratch database may be created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use charter_app::meetings::MeetingRequest;
use charter_app::{App, Settings, SystemClock};
use charter_domain::{Actor, HeldOffice, MemberId, OfficeKind};
use charter_mail::{Mailer, SmtpConfig};
use charter_store::*;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;
use charter_test_support::SmtpSink;
use charter_web::{AppState, WebConfig};
use chrono::Utc;
use common::{branch_of, ms, pct, session_for};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Loads `path` with the session, `clients` at a time, until `stop`; returns the latencies.
fn load_pages(
    addr: SocketAddr,
    path: String,
    token: String,
    clients: usize,
    stop: Arc<AtomicBool>,
) -> Vec<Duration> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (client, stop, url, token) = (
                client.clone(),
                stop.clone(),
                format!("http://{addr}{path}"),
                token.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let req = http::Request::get(&url)
                        .header("cookie", format!("charter_session={token}"))
                        .body(Full::new(Bytes::new()))
                        .unwrap();
                    let started = Instant::now();
                    let res = client.request(req).await.expect("the server answers");
                    assert!(res.status().is_success(), "{}", res.status());
                    let _ = res.into_body().collect().await;
                    out.push(started.elapsed());
                    // Members reading, not a flood: a pause between a client's requests.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                out
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        all
    })
}

fn run(backend: &str, store: Arc<dyn Store>, members: usize) {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (national, _, ids) = server.block_on(branch_of(&store, members));
    let token = server.block_on(session_for(&store, ids[0]));
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    server
        .block_on(app.found_constitution(
            EventActor {
                member: None,
                office: Some("bench".into()),
            },
            include_str!("../../rules/fixtures/founding-2016.toml"),
        ))
        .unwrap();
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
    let called = server
        .block_on(app.call_meeting(
            &officer,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: "Annual conference".into(),
                starts_at: Some(Utc::now() + chrono::Duration::days(60)),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Conference centre".into()),
                online_url: None,
                agenda: "Reports; elections; motions".into(),
            },
        ))
        .unwrap();
    let queued = started.elapsed();
    let sink = server.block_on(SmtpSink::start());
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=notices%40charter.example.org",
        sink.host(),
        sink.port()
    ))
    .unwrap();
    let concurrency = config.pool_size() as usize;
    // The mailer's connection pool spawns its tasks on the runtime it is made in.
    let mailer = {
        let _inside = server.enter();
        Mailer::new(&config).unwrap()
    };
    let state = AppState::new(app.clone(), WebConfig::default());
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
    let stop = Arc::new(AtomicBool::new(false));
    let pages = {
        let (stop, token) = (stop.clone(), token.clone());
        let path = format!("/meetings/{}", called.id);
        std::thread::spawn(move || load_pages(addr, path, token, 8, stop))
    };
    let sending = Instant::now();
    server.spawn(app.clone().run_sender(mailer, concurrency));
    let total = called.invited as i64;
    let sent = server.block_on(async {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let p = store.notice_progress(called.id).await.unwrap();
            if p.sent + p.failed >= total || sending.elapsed() > Duration::from_secs(900) {
                return p.sent;
            }
        }
    });
    let took = sending.elapsed();
    stop.store(true, Ordering::Relaxed);
    let latencies = pages.join().unwrap();
    let rate = sent as f64 / took.as_secs_f64();
    let p95 = pct(&latencies, 0.95);
    println!(
        "  {backend}: {total} notices queued in {} ({}); {sent} delivered in {:.1} s = {rate:.0} messages/s ({}); {} received by the sink",
        ms(queued),
        if queued < Duration::from_secs(1) {
            "within 1 s"
        } else {
            "OVER 1 s"
        },
        took.as_secs_f64(),
        if rate >= 200.0 {
            "at least 200/s"
        } else {
            "UNDER 200/s"
        },
        sink.messages().len()
    );
    println!(
        "  {backend}: meeting page while sending: {} loads, p50 {} p95 {} max {} ({})",
        latencies.len(),
        ms(pct(&latencies, 0.5)),
        ms(p95),
        ms(pct(&latencies, 1.0)),
        if p95 < Duration::from_millis(100) {
            "p95 under 100 ms"
        } else {
            "p95 OVER 100 ms"
        }
    );
    server.shutdown_timeout(Duration::from_secs(1));
}

fn main() {
    let members = std::env::var("CHARTER_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(21_000);
    println!(
        "notices benchmark (server: 2 workers; sender as `charter serve --smtp`; 8 page readers)"
    );
    let path = std::env::temp_dir().join(format!("charter-notices-{}.db", std::process::id()));
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
