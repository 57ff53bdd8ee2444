//! Ballots by personal voting link under load, on both backends: `cargo bench -p charter-web
//! --bench ballots`.
//!
//! The electorate: `CHARTER_BENCH_VOTERS` (default 21,000) active, paid-up members, a national
//! secretary, and the fixtures' founding constitution (member ballots; elections by Scottish
//! STV). Over
//! one member-ballot roll the bench sets up ballots, open since ten days ago until tomorrow,
//! opened by the app's timetable; each voter's link is minted as the sender would mint it
//! for the letter queued for them (`MeetingStore::claim_outbox`, `BallotStore::mint_voting_links`).
//!
//! One voter votes once in a ballot, so the runs use several ballots over the same voters,
//! as members asked a question and an election at once would: request `i` goes to ballot
//! `i % B` with that ballot's next unused link, and each run gets its own ballots.
//!
//! 1. Steady: `CHARTER_BENCH_RATE` (500) ballots a second for `CHARTER_BENCH_SECONDS` (120),
//!    open loop: each request is due at a fixed time whether or not earlier ones have been
//!    answered, so a slow server does not lower the offered rate; latency is measured from
//!    the time the request was due (so queueing in the client counts), over up to
//!    `CHARTER_BENCH_CONNECTIONS` (256) connections. Goals: p99 under 200 ms, no errors.
//! 2. Spike: `CHARTER_BENCH_SPIKE_RATE` (1,000) a second for `CHARTER_BENCH_SPIKE_SECONDS`
//!    (30). Goal: no 5xx but 503, and every 503 with Retry-After.
//! 3. Every ballot acknowledged is stored once: voters marked = 201s = ballots in the box.
//!    Then the ballots are closed, counted and published (timed).
//! 4. Counting and publishing `CHARTER_BENCH_COUNT_BALLOTS` (100,000) ballots after close,
//!    for a yes/no question and for an STV election (10 candidates, 3 seats), on a database
//!    of that many voters whose ballots went in through the app (untimed). Timed:
//!    `App::count_ballot` (read the box, count, record the result) and the HTTP downloads
//!    of the published ballots (JSON and BLT). Goal: under 10 s.
//!
//! The server runs as `charter serve` does (the same router), on loopback, with two worker
//! threads; the load client runs on its own thread and runtime. SQLite is a file in the temp
//! directory with `synchronous=FULL`; PostgreSQL runs when `CHARTER_TEST_POSTGRES_URL` names
//! a server where a scratch database may be created. `CHARTER_BENCH_ONLY=sqlite|postgres`
//! runs one backend; `CHARTER_BENCH_SECONDS=0 CHARTER_BENCH_SPIKE_SECONDS=0` skips parts 1–3
//! and `CHARTER_BENCH_COUNT_BALLOTS=0` part 4.
//!
//! With `CHARTER_BENCH_SEALED=1` the ballots are sealed (docs/verifiable-ballots.md): the
//! founding constitution's ballot clause names three trustees (the national scrutineer and
//! the regional and branch secretaries, any two of whom open a result), each ballot's key
//! ceremony and frozen credentials are simulated in-process as the demo does, and part 1
//! sends ballots encrypted beforehand by the voters' devices (untimed) to
//! `/api/v1/ballots/{id}/encrypted-votes`, where each is checked (proofs, signature, frozen
//! credential) before it goes in. Goal: 500/s sustained with p99 under 100 ms. The spike and
//! part 4 do not run; part 3 has two trustees post their decryption shares, the app tally and
//! count, and the board download verify (`verify_board`), timed.
//!
//! A plain binary: the promises are rates, percentiles and counts under concurrency, not the
//! mean of one repeated call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use charter_app::ballots::{BallotRequest, Choice};
use charter_app::rolls::RollRequest;
use charter_app::{App, FixedClock, Settings, SystemClock};
use charter_ballot_crypto::{Board, Choice as CryptoChoice, Outcome, encrypt_ballot, verify_board};
use charter_demo::SealedBallot;
use charter_domain::{MemberId, OfficeKind, UnitId, UnitKind};
use charter_store::*;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;
use charter_web::{AppState, WebConfig};
use chrono::{DateTime, Days, Utc};
use common::{branch_of, ev, ms, pct};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::runtime::Runtime;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
struct Knobs {
    voters: usize,
    rate: usize,
    seconds: usize,
    spike_rate: usize,
    spike_seconds: usize,
    connections: usize,
    count_ballots: usize,
    sealed: bool,
}

const CANDIDATES: usize = 10;

fn app_at(store: &Arc<dyn Store>, at: DateTime<Utc>) -> App {
    App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default())
}

/// Who runs the bench's ballots.
struct Organisation {
    /// The national secretary, who sets the ballots up.
    secretary: MemberId,
    /// A sealed ballot's trustees (the national scrutineer, then the regional and branch
    /// secretaries); empty when ballots are not sealed.
    trustees: Vec<MemberId>,
}

/// The trustees' lines added to the founding constitution's ballot clause when ballots are
/// sealed: any two of three open a result.
const TRUSTEE_LINES: &str =
    "trustee_offices = [\"scrutineer\", \"secretary\"]\ntrustees = 3\ntrustee_threshold = 2";

/// Appoints `member` to a new office of `kind` over `unit`, since five years ago.
async fn appoint(store: &Arc<dyn Store>, unit: UnitId, kind: OfficeKind, member: MemberId) {
    let office = store
        .create_office(unit, kind, &ev("office.created"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            member,
            Term {
                starts_on: Utc::now().date_naive() - Days::new(5 * 366),
                ends_on: None,
            },
            &ev("office.appointed"),
        )
        .await
        .unwrap();
}

/// `voters` active, paid-up members (the first the national secretary) under the founding
/// constitution of the rules' fixtures (member ballots; elections by Scottish STV). With
/// `sealed`, its ballot clause names trustees, and the next three members hold their offices.
async fn organisation(store: &Arc<dyn Store>, voters: usize, sealed: bool) -> Organisation {
    let (national, branch, members) = branch_of(store, voters).await;
    appoint(store, national, OfficeKind::Secretary, members[0]).await;
    let mut constitution = include_str!("../../rules/fixtures/founding-2016.toml").to_string();
    let mut trustees = Vec::new();
    if sealed {
        let clause = "scrutineer = \"scrutineer\"";
        assert!(constitution.contains(clause), "the fixture's ballot clause");
        constitution = constitution.replacen(clause, &format!("{clause}\n{TRUSTEE_LINES}"), 1);
        let region = store
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.kind == UnitKind::Region)
            .unwrap()
            .id;
        for (k, (unit, kind)) in [
            (national, OfficeKind::Scrutineer),
            (region, OfficeKind::Secretary),
            (branch, OfficeKind::Secretary),
        ]
        .into_iter()
        .enumerate()
        {
            appoint(store, unit, kind, members[k + 1]).await;
            trustees.push(members[k + 1]);
        }
    }
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    app.found_constitution(
        EventActor {
            member: None,
            office: Some("founding conference".into()),
        },
        &constitution,
    )
    .await
    .unwrap();
    Organisation {
        secretary: members[0],
        trustees,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Question,
    Election,
}

/// The members entitled to vote on frozen roll `roll`.
async fn eligible_voters(store: &Arc<dyn Store>, roll: RollId) -> Vec<MemberId> {
    store
        .roll_frozen_lines(roll, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, _, ok)| *ok)
        .map(|(m, _, _)| m)
        .collect()
}

/// Ballots over a member-ballot roll frozen twenty days ago, opened by the timetable ten days
/// ago and closing tomorrow; sealed by the organisation's trustees when it has them, their
/// ceremonies and credentials done before opening. Returns their ids, their closing time and
/// the sealed ballots' secrets.
async fn open_ballots(
    store: &Arc<dyn Store>,
    org: &Organisation,
    kinds: &[Kind],
) -> (Vec<i64>, DateTime<Utc>, Vec<SealedBallot>) {
    let now = Utc::now();
    let (frozen, opens, closes) = (
        now - chrono::Duration::days(20),
        now - chrono::Duration::days(10),
        now + chrono::Duration::days(1),
    );
    let set_up = app_at(store, frozen);
    let officer = set_up.actor(org.secretary).await.unwrap();
    let roll = set_up
        .freeze_roll(
            &officer,
            &RollRequest {
                title: "Bench ballots".into(),
                context: "member-ballot".into(),
                challenge_closes_on: Some((frozen + chrono::Duration::days(2)).date_naive()),
                ..RollRequest::default()
            },
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (k, kind) in kinds.iter().enumerate() {
        let req = match kind {
            Kind::Question => BallotRequest {
                title: format!("Question {k}"),
                question: "Should the Network affiliate to the Alliance?".into(),
                kind: "question".into(),
                ..BallotRequest::default()
            },
            Kind::Election => BallotRequest {
                title: format!("Election {k}"),
                question: "Elect three members to the campaigns committee.".into(),
                kind: "election".into(),
                candidates: (0..CANDIDATES).map(|c| format!("Candidate {c}")).collect(),
                seats: Some(3),
                ..BallotRequest::default()
            },
        };
        let id = set_up
            .create_ballot(
                &officer,
                &BallotRequest {
                    roll: Some(roll),
                    opens_at: Some(opens),
                    closes_at: Some(closes),
                    trustees: org.trustees.clone(),
                    ..req
                },
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let mut sealed = Vec::new();
    if !org.trustees.is_empty() {
        let voters = eligible_voters(store, roll).await;
        for id in &ids {
            sealed.push(
                charter_demo::sealed::ceremony(
                    &set_up,
                    *id,
                    &org.trustees,
                    org.trustees[0],
                    &voters,
                )
                .await
                .unwrap(),
            );
        }
    }
    let moved = app_at(store, opens).run_ballot_clock().await.unwrap();
    assert_eq!(moved, kinds.len(), "every ballot opens");
    (
        ids.iter().map(|id| id.0).collect::<Vec<_>>(),
        closes,
        sealed,
    )
}

/// A voting link for every queued letter, by ballot, minted as the sender mints it when the
/// letter goes (only its hash is kept).
async fn links_from_letters(store: &Arc<dyn Store>) -> BTreeMap<i64, Vec<String>> {
    let now = Utc::now();
    let mut links: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    loop {
        let batch = store
            .claim_outbox(now, now + chrono::Duration::hours(1), 5_000)
            .await
            .unwrap();
        if batch.is_empty() {
            return links;
        }
        let mut tokens = Vec::new();
        let mut mints = Vec::new();
        for m in batch {
            let (Some(ballot), Some(member)) = (m.ballot, m.member) else {
                continue;
            };
            let token = charter_app::auth::random_token();
            mints.push(VotingLinkMint {
                ballot,
                member,
                link_hash: charter_app::auth::token_hash(&token),
            });
            tokens.push((ballot, token));
        }
        let kept = store.mint_voting_links(&mints).await.unwrap();
        assert_eq!(kept.len(), mints.len(), "every letter's link is kept");
        for (ballot, token) in tokens {
            links.entry(ballot.0).or_default().push(token);
        }
    }
}

/// The router `charter serve` runs, on a loopback port of `server`.
fn serve(server: &Runtime, store: &Arc<dyn Store>) -> SocketAddr {
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    // As the timetable of `charter serve` does on its first round.
    server.block_on(app.warm_open_boards()).unwrap();
    let state = AppState::new(app, WebConfig::default());
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
    addr
}

/// One request's fate: status (0 when no answer came), whether a Retry-After came with it,
/// and the time from when it was due to its answer.
struct Shot {
    ballot: i64,
    status: u16,
    retry_after: bool,
    latency: Duration,
}

struct Run {
    rate: usize,
    seconds: usize,
    /// CPU seconds this process (server and client) used during the run.
    cpu: f64,
    shots: Vec<Shot>,
    /// From the first request's due time to the last request sent.
    sending: Duration,
    /// From the first request's due time to the last answer.
    span: Duration,
}

/// A question gets one answer; an election a preference list over the candidates, varied by
/// voter (a small linear congruential sequence) so the count has transfers to make.
fn ranks(kind: Kind, k: usize) -> Vec<u32> {
    match kind {
        Kind::Question => vec![[0, 0, 1, 0, 1, 2][k % 6]],
        Kind::Election => {
            let mut x = (k as u64).wrapping_mul(6_364_136_223_846_793_005) ^ 0x9E37_79B9;
            let mut left: Vec<u32> = (0..CANDIDATES as u32).collect();
            let len = 1 + (k * 7 + k / 13) % CANDIDATES;
            let mut out = Vec::with_capacity(len);
            for _ in 0..len {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                // Skewed towards the first candidates, so the count elects somebody early.
                let r = ((x >> 33) as usize % (left.len() * left.len())).isqrt();
                out.push(left.remove(left.len() - 1 - r));
            }
            out
        }
    }
}

/// Sends `jobs` (ballot, JSON body) to each ballot's `endpoint` (`votes` or
/// `encrypted-votes`) at `rate` a second, open loop, from a thread and runtime of its own.
fn open_loop(
    addr: SocketAddr,
    endpoint: &'static str,
    rate: usize,
    seconds: usize,
    jobs: Vec<(i64, String)>,
    connections: usize,
) -> Run {
    settle_disk();
    let cpu = cpu_seconds();
    let mut run = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(connections)
                .build_http();
            let permits = Arc::new(tokio::sync::Semaphore::new(connections));
            let start = tokio::time::Instant::now() + Duration::from_millis(50);
            let mut tasks = Vec::with_capacity(jobs.len());
            for (i, (ballot, body)) in jobs.into_iter().enumerate() {
                let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
                tokio::time::sleep_until(due).await;
                let (client, permits) = (client.clone(), permits.clone());
                tasks.push(tokio::spawn(async move {
                    let _connection = permits.acquire_owned().await.unwrap();
                    let req = http::Request::post(format!(
                        "http://{addr}/api/v1/ballots/{ballot}/{endpoint}"
                    ))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
                    .unwrap();
                    let answer = tokio::time::timeout(Duration::from_secs(60), async {
                        let res = client.request(req).await.ok()?;
                        let status = res.status().as_u16();
                        let retry_after = res.headers().contains_key(http::header::RETRY_AFTER);
                        res.into_body().collect().await.ok()?;
                        Some((status, retry_after))
                    })
                    .await
                    .ok()
                    .flatten();
                    let (status, retry_after) = answer.unwrap_or((0, false));
                    Shot {
                        ballot,
                        status,
                        retry_after,
                        latency: due.elapsed(),
                    }
                }));
            }
            let sending = start.elapsed();
            let mut shots = Vec::with_capacity(tasks.len());
            for t in tasks {
                shots.push(t.await.unwrap());
            }
            Run {
                rate,
                seconds,
                cpu: 0.0,
                shots,
                sending,
                span: start.elapsed(),
            }
        })
    })
    .join()
    .unwrap();
    run.cpu = cpu_seconds() - cpu;
    run
}

/// Writes out what other programs left for the kernel to write (a build just finished leaves
/// hundreds of megabytes), so that it is not written during the run, in front of the
/// ballots' commits: each waits for the disk. Best effort: `sync` where there is one.
fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
}

/// CPU time this process has used (user and system), from `/proc/self/stat` (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // After the command name in parentheses: fields 3 onwards; utime and stime are 14 and 15,
    // in clock ticks of 1/100 s.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(14) + ticks(15)) / 100.0
}

/// The requests of one run: `rate × seconds` ballots over `ballots`, request `i` to ballot
/// `i % B` with that ballot's next unused link.
fn jobs(
    rate: usize,
    seconds: usize,
    ballots: &[(i64, Kind)],
    links: &BTreeMap<i64, Vec<String>>,
    run: &str,
) -> Vec<(i64, String)> {
    (0..rate * seconds)
        .map(|i| {
            let (ballot, kind) = ballots[i % ballots.len()];
            let k = i / ballots.len();
            let token = &links[&ballot][k];
            let ranks = ranks(kind, k);
            (
                ballot,
                serde_json::json!({
                    "submission": format!("{run}-{ballot}-{k:07}-2f1c8a9e"),
                    "ranks": ranks,
                    "link": token,
                })
                .to_string(),
            )
        })
        .collect()
}

/// The requests of a sealed run, as [`jobs`] but each ballot encrypted and signed as the
/// voter's device would, with the `k`-th credential of its ballot, over every core (untimed).
fn sealed_jobs(
    rate: usize,
    seconds: usize,
    ballots: &[(i64, Kind)],
    links: &BTreeMap<i64, Vec<String>>,
    sealed: &[(SealedBallot, charter_ballot_crypto::ElectionContext)],
    run: &str,
) -> Vec<(i64, String)> {
    let total = rate * seconds;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = total.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..total)
            .step_by(chunk)
            .map(|start| {
                scope.spawn(move || {
                    let rng = &mut rand::rng();
                    (start..total.min(start + chunk))
                        .map(|i| {
                            let (ballot, kind) = ballots[i % ballots.len()];
                            let k = i / ballots.len();
                            let (secrets, ctx) = sealed
                                .iter()
                                .find(|(b, _)| b.id == BallotId(ballot))
                                .unwrap();
                            let encrypted = encrypt_ballot(
                                ctx,
                                &secrets.credentials[k].credential,
                                &CryptoChoice::Options(ranks(kind, k)),
                                rng,
                            )
                            .unwrap();
                            (
                                ballot,
                                serde_json::json!({
                                    "submission": format!("{run}-{ballot}-{k:07}-2f1c8a9e"),
                                    "ballot": encrypted,
                                    "link": &links[&ballot][k],
                                })
                                .to_string(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
    })
}

fn statuses(run: &Run) -> BTreeMap<u16, usize> {
    let mut by = BTreeMap::new();
    for s in &run.shots {
        *by.entry(s.status).or_default() += 1;
    }
    by
}

fn status_words(by: &BTreeMap<u16, usize>) -> String {
    by.iter()
        .map(|(s, n)| {
            if *s == 0 {
                format!("no answer: {n}")
            } else {
                format!("{s}: {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn latencies(run: &Run) -> Vec<Duration> {
    let mut l: Vec<Duration> = run.shots.iter().map(|s| s.latency).collect();
    l.sort();
    l
}

/// Prints a run's figures against `goal` for its p99.
fn report(backend: &str, what: &str, run: &Run, goal: Duration) -> (usize, Duration) {
    if run.shots.is_empty() {
        println!("  {backend}: {what}: skipped");
        return (0, Duration::ZERO);
    }
    let by = statuses(run);
    let ok = by.get(&201).copied().unwrap_or(0) + by.get(&200).copied().unwrap_or(0);
    let errors = run.shots.len() - ok;
    let l = latencies(run);
    let p99 = pct(&l, 0.99);
    println!(
        "  {backend}: {what}: offered {}/s for {} s = {} ballots; sent in {:.1} s, answered in {:.1} s; achieved {:.1} acknowledged/s; {:.2} ms of CPU per ballot (server and client)",
        run.rate,
        run.seconds,
        run.shots.len(),
        run.sending.as_secs_f64(),
        run.span.as_secs_f64(),
        ok as f64 / run.span.as_secs_f64(),
        run.cpu * 1e3 / run.shots.len().max(1) as f64,
    );
    println!(
        "  {backend}: {what}: latency from due time p50 {} p95 {} p99 {} max {} — {}; statuses {}; errors {errors}",
        ms(pct(&l, 0.5)),
        ms(pct(&l, 0.95)),
        ms(p99),
        ms(pct(&l, 1.0)),
        if p99 < goal {
            format!("p99 under {} ms", goal.as_millis())
        } else {
            format!("p99 OVER {} ms", goal.as_millis())
        },
        status_words(&by),
    );
    slow_seconds(backend, what, run, goal);
    (errors, p99)
}

/// Which seconds of a run had requests over `goal`: a tail spread evenly is queueing, one
/// bunched in a few seconds is a stall (a checkpoint, a lock, a pause).
fn slow_seconds(backend: &str, what: &str, run: &Run, goal: Duration) {
    let mut seconds: BTreeMap<usize, (usize, Duration)> = BTreeMap::new();
    for (i, s) in run.shots.iter().enumerate() {
        if s.latency >= goal {
            let e = seconds.entry(i / run.rate.max(1)).or_default();
            e.0 += 1;
            e.1 = e.1.max(s.latency);
        }
    }
    if seconds.is_empty() {
        return;
    }
    let mut worst: Vec<_> = seconds.iter().collect();
    worst.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    println!(
        "  {backend}: {what}: requests over {} ms fell in {} of {} seconds; the worst: {}",
        goal.as_millis(),
        seconds.len(),
        run.shots.len().div_ceil(run.rate.max(1)),
        worst
            .iter()
            .take(8)
            .map(|(s, (n, max))| format!("second {s}: {n} (max {})", ms(*max)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// GET `path`; the status, the body and how long it took.
fn fetch(server: &Runtime, addr: SocketAddr, path: &str) -> (u16, Bytes, Duration) {
    server.block_on(async {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let started = Instant::now();
        let res = client
            .request(
                http::Request::get(format!("http://{addr}{path}"))
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, body, started.elapsed())
    })
}

fn voted(server: &Runtime, store: &Arc<dyn Store>, ballot: BallotId) -> i64 {
    server
        .block_on(store.ballot_turnout(ballot))
        .unwrap()
        .iter()
        .map(|t| t.voted)
        .sum()
}

fn server_runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Opens the store at `url`; a SQLite `throwaway` one does not wait for the disk (seeding).
async fn connect(url: &str, throwaway: bool) -> Arc<dyn Store> {
    if url.starts_with("sqlite:") {
        Arc::new(if throwaway {
            SqliteStore::connect_throwaway(url).await.unwrap()
        } else {
            SqliteStore::connect(url).await.unwrap()
        })
    } else {
        Arc::new(PgStore::connect(url).await.unwrap())
    }
}

/// Parts 1–3 on one backend (sealed: the steady part and the close, see the module's notes).
fn run_load(backend: &str, url: &str, k: &Knobs) {
    let server = server_runtime();
    let store = server.block_on(connect(url, false));
    let steady_total = k.rate * k.seconds;
    let spike_total = k.spike_rate * k.spike_seconds;
    let per = |total: usize| {
        if total == 0 {
            0
        } else {
            total.div_ceil(k.voters)
        }
    };
    let kinds: Vec<Kind> = (0..per(steady_total) + per(spike_total))
        .map(|i| {
            if i % 2 == 0 || k.sealed {
                Kind::Question
            } else {
                Kind::Election
            }
        })
        .collect();
    let started = Instant::now();
    let org = server.block_on(organisation(&store, k.voters, k.sealed));
    let (ids, closes, sealed) = server.block_on(open_ballots(&store, &org, &kinds));
    let links = server.block_on(links_from_letters(&store));
    for id in &ids {
        assert_eq!(links[id].len(), k.voters, "a link for every voter");
    }
    println!(
        "  {backend}: {} voters, {} {}ballots opened with a link each ({} links read from the letters) in {:.1} s",
        k.voters,
        ids.len(),
        if k.sealed {
            "sealed (3 trustees, key ceremony and credentials done) "
        } else {
            ""
        },
        links.values().map(Vec::len).sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    let ballots: Vec<(i64, Kind)> = ids.iter().copied().zip(kinds.iter().copied()).collect();
    let (steady_ballots, spike_ballots) = ballots.split_at(per(steady_total));
    let addr = serve(&server, &store);

    let mut sealed_after_close = None;
    let (endpoint, steady_jobs, goal) = if k.sealed {
        let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
        let contexts: Vec<_> = sealed
            .into_iter()
            .map(|b| {
                let ctx = server.block_on(app.board(b.id)).unwrap().context().unwrap();
                (b, ctx)
            })
            .collect();
        let t = Instant::now();
        let jobs = sealed_jobs(
            k.rate,
            k.seconds,
            steady_ballots,
            &links,
            &contexts,
            "steady",
        );
        println!(
            "  {backend}: {} ballots encrypted and signed as voters' devices would, beforehand, in {:.1} s",
            jobs.len(),
            t.elapsed().as_secs_f64()
        );
        sealed_after_close = Some(contexts);
        ("encrypted-votes", jobs, Duration::from_millis(100))
    } else {
        (
            "votes",
            jobs(k.rate, k.seconds, steady_ballots, &links, "steady"),
            Duration::from_millis(200),
        )
    };
    let steady = open_loop(
        addr,
        endpoint,
        k.rate,
        k.seconds,
        steady_jobs,
        k.connections,
    );
    report(backend, "steady", &steady, goal);
    let spike = open_loop(
        addr,
        "votes",
        k.spike_rate,
        k.spike_seconds,
        jobs(
            k.spike_rate,
            k.spike_seconds,
            spike_ballots,
            &links,
            "spike",
        ),
        k.connections,
    );
    if !spike.shots.is_empty() {
        report(backend, "spike", &spike, Duration::from_millis(200));
        spike_report(backend, &spike);
    }

    // Every acknowledged ballot is stored once, and nothing else is.
    let mut mismatches = 0;
    let mut acknowledged_total = 0;
    for (id, _) in &ballots {
        let acknowledged = steady
            .shots
            .iter()
            .chain(&spike.shots)
            .filter(|s| s.ballot == *id && s.status == 201)
            .count();
        acknowledged_total += acknowledged;
        if voted(&server, &store, BallotId(*id)) != acknowledged as i64 {
            mismatches += 1;
        }
    }

    // Close, count and publish every ballot.
    let closing = Instant::now();
    let after = app_at(&store, closes + chrono::Duration::minutes(1));
    let moved = server.block_on(after.run_ballot_clock()).unwrap();
    let closed = closing.elapsed();
    if let Some(contexts) = &sealed_after_close {
        let (mut boxed, mut opened, mut verified, mut bytes) =
            (0, Duration::ZERO, Duration::ZERO, 0);
        for (b, _) in contexts {
            // Two trustees of three post their shares; the last makes the app tally and count.
            let t = Instant::now();
            server
                .block_on(charter_demo::sealed::open_result(&after, b))
                .unwrap();
            opened += t.elapsed();
            let (status, body, took) =
                fetch(&server, addr, &format!("/api/v1/ballots/{}/board", b.id));
            assert_eq!(status, 200);
            bytes += body.len();
            let t = Instant::now();
            let board: Board = serde_json::from_slice(&body).unwrap();
            verify_board(&board).unwrap_or_else(|f| panic!("the board does not verify: {f:?}"));
            verified += took + t.elapsed();
            let n = board.ballots.len();
            boxed += n;
            let tallied = match board.tally.as_ref().map(|t| &t.outcome) {
                Some(Outcome::Totals { ballots, .. }) => *ballots as usize,
                other => panic!("a question's totals: {other:?}"),
            };
            if n as i64 != voted(&server, &store, b.id) || tallied != n {
                mismatches += 1;
            }
        }
        println!(
            "  {backend}: {acknowledged_total} ballots acknowledged new, {boxed} on the boards and tallied — {}",
            if mismatches == 0 && boxed == acknowledged_total {
                "every acknowledged ballot stored once"
            } else {
                "MISMATCH"
            }
        );
        println!(
            "  {backend}: {moved} ballots closed in {:.2} s; shares posted, tallied and counted in {:.2} s; boards ({:.1} MB) downloaded and verified in {:.2} s",
            closed.as_secs_f64(),
            opened.as_secs_f64(),
            bytes as f64 / 1e6,
            verified.as_secs_f64()
        );
        server.shutdown_timeout(Duration::from_secs(1));
        return;
    }
    let mut boxed = 0;
    let mut published = Duration::ZERO;
    let mut bytes = 0;
    for (id, _) in &ballots {
        let (status, body, took) =
            fetch(&server, addr, &format!("/api/v1/ballots/{id}/ballots.json"));
        assert_eq!(status, 200);
        published += took;
        bytes += body.len();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let n = json["ballots"].as_array().unwrap().len();
        boxed += n;
        if n as i64 != voted(&server, &store, BallotId(*id)) {
            mismatches += 1;
        }
    }
    println!(
        "  {backend}: {acknowledged_total} ballots acknowledged new, {boxed} in the boxes — {}",
        if mismatches == 0 && boxed == acknowledged_total {
            "every acknowledged ballot stored once"
        } else {
            "MISMATCH"
        }
    );
    println!(
        "  {backend}: {moved} ballots closed and counted in {:.2} s; their {boxed} ballots published (JSON, {:.1} MB) in {:.2} s",
        closed.as_secs_f64(),
        bytes as f64 / 1e6,
        published.as_secs_f64()
    );
    server.shutdown_timeout(Duration::from_secs(1));
}

/// The spike's goal: no 5xx but 503, and every 503 with Retry-After.
fn spike_report(backend: &str, spike: &Run) {
    let by = statuses(spike);
    let other_5xx: usize = by
        .iter()
        .filter(|(s, _)| **s >= 500 && **s != 503)
        .map(|(_, n)| n)
        .sum();
    let bare_503 = spike
        .shots
        .iter()
        .filter(|s| s.status == 503 && !s.retry_after)
        .count();
    println!(
        "  {backend}: spike: {} answered 503 ({bare_503} of them without Retry-After), {other_5xx} other 5xx, {} unanswered — {}",
        by.get(&503).copied().unwrap_or(0),
        by.get(&0).copied().unwrap_or(0),
        if other_5xx == 0 && bare_503 == 0 && !by.contains_key(&0) {
            "no 5xx but 503 with Retry-After"
        } else {
            "GOAL MISSED"
        }
    );
}

/// Part 4: a question and an election each with `n` ballots in the box, put in through the
/// app (untimed; on SQLite without waiting for the disk); then closed, and counted and
/// published over a durable connection.
fn run_count(backend: &str, url: &str, n: usize) {
    let server = server_runtime();
    let seed = server.block_on(connect(url, true));
    let started = Instant::now();
    let org = server.block_on(organisation(&seed, n, false));
    let kinds = [Kind::Question, Kind::Election];
    let (ids, _, _) = server.block_on(open_ballots(&seed, &org, &kinds));
    let roll = server
        .block_on(seed.ballot(BallotId(ids[0])))
        .unwrap()
        .unwrap()
        .roll;
    let voters = server.block_on(eligible_voters(&seed, roll));
    assert_eq!(voters.len(), n);
    let app = App::new(seed.clone(), Arc::new(SystemClock), Settings::default());
    let voters = Arc::new(voters);
    server.block_on(async {
        let mut tasks = Vec::new();
        // As many at once as a batch takes, so seeding goes at the store's batched rate.
        let lanes = 64;
        for lane in 0..lanes {
            let (app, voters, ids) = (app.clone(), voters.clone(), ids.clone());
            tasks.push(tokio::spawn(async move {
                for k in (lane..voters.len()).step_by(lanes) {
                    for (id, kind) in ids.iter().zip(kinds) {
                        app.cast_ballot(
                            voters[k],
                            BallotId(*id),
                            &format!("seed-{id}-{k:07}"),
                            &Choice {
                                ranks: ranks(kind, k),
                            },
                            None,
                        )
                        .await
                        .unwrap();
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    for id in &ids {
        server
            .block_on(seed.close_ballot(BallotId(*id), &ev("ballot.closed")))
            .unwrap();
    }
    println!(
        "  {backend}: {n} voters, {} ballots of {n} cast through the app and closed in {:.1} s (untimed)",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    drop(app);
    drop(seed);
    let store = server.block_on(connect(url, false));
    let addr = serve(&server, &store);
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    for (id, kind) in ids.iter().zip(kinds) {
        let t = Instant::now();
        let report = server.block_on(app.count_ballot(BallotId(*id))).unwrap();
        let counted = t.elapsed();
        let (s1, json, json_took) =
            fetch(&server, addr, &format!("/api/v1/ballots/{id}/ballots.json"));
        let (s2, blt, blt_took) =
            fetch(&server, addr, &format!("/api/v1/ballots/{id}/ballots.blt"));
        assert_eq!((s1, s2), (200, 200));
        let listed = serde_json::from_slice::<serde_json::Value>(&json).unwrap()["ballots"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(listed, n);
        let b = server
            .block_on(store.ballot(BallotId(*id)))
            .unwrap()
            .unwrap();
        let total = counted + json_took + blt_took;
        println!(
            "  {backend}: {} of {n} ballots ({}): counted and recorded in {:.2} s ({} rounds; {}), published as JSON ({:.1} MB) in {:.2} s and BLT ({:.1} MB) in {:.2} s — {:.2} s in all, {}",
            match kind {
                Kind::Question => "question",
                Kind::Election => "STV election, 10 candidates, 3 seats",
            },
            b.method.name(),
            counted.as_secs_f64(),
            report.rounds.len(),
            b.outcome.unwrap_or_default(),
            json.len() as f64 / 1e6,
            json_took.as_secs_f64(),
            blt.len() as f64 / 1e6,
            blt_took.as_secs_f64(),
            total.as_secs_f64(),
            if total < Duration::from_secs(10) {
                "under 10 s"
            } else {
                "OVER 10 s"
            }
        );
    }
    server.shutdown_timeout(Duration::from_secs(1));
}

fn sqlite_path(what: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("charter-ballots-{what}-{}.db", std::process::id()))
}

fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn main() {
    let k = Knobs {
        voters: env_usize("CHARTER_BENCH_VOTERS", 21_000),
        rate: env_usize("CHARTER_BENCH_RATE", 500),
        seconds: env_usize("CHARTER_BENCH_SECONDS", 120),
        spike_rate: env_usize("CHARTER_BENCH_SPIKE_RATE", 1_000),
        spike_seconds: env_usize("CHARTER_BENCH_SPIKE_SECONDS", 30),
        connections: env_usize("CHARTER_BENCH_CONNECTIONS", 256),
        count_ballots: env_usize("CHARTER_BENCH_COUNT_BALLOTS", 100_000),
        sealed: matches!(
            std::env::var("CHARTER_BENCH_SEALED").as_deref(),
            Ok("1" | "true")
        ),
    };
    // Sealed ballots: the steady run and the close (the spike and the counting of part 4
    // measure what plaintext ballots share with them).
    let k = if k.sealed {
        Knobs {
            spike_seconds: 0,
            count_ballots: 0,
            ..k
        }
    } else {
        k
    };
    let only = std::env::var("CHARTER_BENCH_ONLY").unwrap_or_default();
    println!(
        "{}ballots benchmark (server: 2 workers on loopback; open-loop load client on its own thread, up to {} connections)",
        if k.sealed { "sealed " } else { "" },
        k.connections
    );
    let rt = Runtime::new().unwrap();
    let load = k.seconds > 0 || k.spike_seconds > 0;
    if only.is_empty() || only == "sqlite" {
        if load {
            let path = sqlite_path("load");
            run_load("sqlite", &format!("sqlite://{}", path.display()), &k);
            remove_sqlite(&path);
        }
        if k.count_ballots > 0 {
            let path = sqlite_path("count");
            run_count(
                "sqlite",
                &format!("sqlite://{}", path.display()),
                k.count_ballots,
            );
            remove_sqlite(&path);
        }
    }
    if only.is_empty() || only == "postgres" {
        match rt.block_on(charter_test_support::fresh_database()) {
            Some(db) => {
                if load {
                    run_load("postgres", db.url(), &k);
                }
                drop(db);
                if k.count_ballots > 0 {
                    let db = rt.block_on(charter_test_support::fresh_database()).unwrap();
                    run_count("postgres", db.url(), k.count_ballots);
                    drop(db);
                }
            }
            None => println!("  postgres: skipped (set CHARTER_TEST_POSTGRES_URL)"),
        }
    }
}
