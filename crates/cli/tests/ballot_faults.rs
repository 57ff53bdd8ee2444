//! Ballots survive the server being killed: the real `charter serve` binary, SIGKILLed 20
//! times at random moments while voters send ballots, and restarted each time on the same
//! port and database.
//!
//! Each voter's device sends its ballot under one submission id and, on any failure (no
//! connection, a connection cut mid-answer, a 503), sends the same ballot again until it is
//! acknowledged — as the voting page does. At the end every acknowledged ballot is in the box
//! exactly once under the tracker of its first acknowledgement (any later acknowledgement
//! gives the same tracker), with the choice that was sent; the box holds as many ballots as
//! voters marked as having voted; and nothing acknowledged is lost.
//!
//! SQLite (a file, `synchronous=FULL`) always; PostgreSQL when `CHARTER_TEST_POSTGRES_URL` is
//! set (required on CI). `CHARTER_FAULT_SEED` replays a run's kill points (the seed is
//! printed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use charter_app::ballots::BallotRequest;
use charter_app::rolls::RollRequest;
use charter_app::{App, FixedClock, Settings, SystemClock};
use charter_domain::{
    DuesPlan, Email, MemberId, MemberStatus, Money, NewMember, OfficeKind, Payment, PersonName,
    Postcode, UnitKind,
};
use charter_model::BallotId;
use charter_store::{EventActor, NewEvent, SeedMember, StatusChangeInput, Store, Term};
use chrono::{DateTime, Days, Utc};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Voters: enough that the load outlasts the 20 kills (each after at most 30 ballots).
const VOTERS: usize = 900;
/// Devices sending at once.
const DEVICES: usize = 16;
const KILLS: usize = 20;
const ANSWERS: [&str; 3] = ["Yes", "No", "Abstain"];

fn ev(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc::now(),
        actor: EventActor {
            member: None,
            office: Some("fault test".into()),
        },
        kind: kind.into(),
        subject: "fault test".into(),
        payload: "{}".into(),
        reason: "fault test".into(),
    }
}

fn app_at(store: &Arc<dyn Store>, at: DateTime<Utc>) -> App {
    App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default())
}

/// A small register under the rules' founding constitution, a member ballot open since ten
/// days ago until tomorrow (opened by the timetable, as the server would), and each voter's
/// link as the letter sent to them carries it. Returns the ballot and the links.
async fn prepare(url: &str) -> (i64, Vec<String>) {
    let store = charter_cli::backend::open_store(url).await.unwrap();
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
    let branch = store
        .create_unit(
            Some(national),
            UnitKind::Branch,
            "Southwark",
            "southwark",
            &ev("unit"),
        )
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let joined = today - Days::new(400);
    let seeds: Vec<SeedMember> = (0..VOTERS)
        .map(|i| SeedMember {
            member: NewMember {
                first_name: PersonName::parse("first name", "Voter").unwrap(),
                last_name: PersonName::parse("last name", &format!("Number{i}")).unwrap(),
                email: Email::parse(&format!("voter{i}@example.org")).unwrap(),
                phone: None,
                postcode: Postcode::parse("SE1 7PB").unwrap(),
                branch,
                joined_on: joined,
                status: MemberStatus::Active,
                dues_plan: DuesPlan::Annual,
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
                paid_on: today - Days::new(30),
                amount: Money(6_000),
                months: 12,
            }],
            affiliations: vec![],
            moves: vec![],
        })
        .collect();
    let members: Vec<MemberId> = store.seed_members(&seeds, &ev("seeded")).await.unwrap();
    let office = store
        .create_office(national, OfficeKind::Secretary, &ev("office"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            members[0],
            Term {
                starts_on: joined,
                ends_on: None,
            },
            &ev("appoint"),
        )
        .await
        .unwrap();
    App::new(store.clone(), Arc::new(SystemClock), Settings::default())
        .found_constitution(
            EventActor {
                member: None,
                office: Some("founding conference".into()),
            },
            include_str!("../../rules/fixtures/founding-2016.toml"),
        )
        .await
        .unwrap();
    // The app refuses an opening time in the past, so the ballot is set up as it would have
    // been twenty days ago, and opened by the timetable as it would have been ten days ago.
    let now = Utc::now();
    let set_up = app_at(&store, now - chrono::Duration::days(20));
    let officer = set_up.actor(members[0]).await.unwrap();
    let roll = set_up
        .freeze_roll(
            &officer,
            &RollRequest {
                title: "Fault test roll".into(),
                context: "member-ballot".into(),
                challenge_closes_on: Some((now - chrono::Duration::days(18)).date_naive()),
                ..RollRequest::default()
            },
        )
        .await
        .unwrap();
    let ballot = set_up
        .create_ballot(
            &officer,
            &BallotRequest {
                title: "Affiliation".into(),
                question: "Should the Network affiliate to the Alliance?".into(),
                kind: "question".into(),
                roll: Some(roll),
                opens_at: Some(now - chrono::Duration::days(10)),
                closes_at: Some(now + chrono::Duration::days(1)),
                ..BallotRequest::default()
            },
        )
        .await
        .unwrap();
    let opened = app_at(&store, now - chrono::Duration::days(10))
        .run_ballot_clock()
        .await
        .unwrap();
    assert_eq!(opened, 1);
    // Links are minted only as their letters go: sent through a real SMTP sink, as the
    // server's sender would, and read where the members would read them.
    let sink = charter_test_support::SmtpSink::start().await;
    let mailer = Arc::new(
        charter_mail::Mailer::new(&charter_mail::SmtpConfig::from_url(&sink.relay_url()).unwrap())
            .unwrap(),
    );
    let sender = app_at(&store, now);
    let mut sent = 0;
    loop {
        let round = sender.deliver_due(&mailer, 500, 8).await.unwrap();
        sent += round.sent;
        if round.settled() == 0 {
            break;
        }
    }
    let path = format!("/ballots/{ballot}/vote/");
    let links: Vec<String> = sink
        .wait_for(sent, std::time::Duration::from_secs(30))
        .await
        .unwrap()
        .iter()
        .filter_map(|l| l.link_token(&path))
        .collect();
    assert_eq!(links.len(), VOTERS, "a link for every voter");
    (ballot.0, links)
}

/// The `charter serve` process, restarted on the same port and database.
struct Server {
    child: Option<Child>,
    url: String,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    fn start(url: &str, dir: &Path) -> Server {
        // A free port now; the server binds it again after every kill (SO_REUSEADDR).
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut s = Server {
            child: None,
            url: url.to_string(),
            addr,
            log: dir.join("server.log"),
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(["serve", "--addr", &self.addr.to_string()])
            .env("CHARTER_DATABASE_URL", &self.url)
            .env("CHARTER_LOG", "warn")
            .env_remove("CHARTER_SMTP_URL")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("charter serve starts");
        self.child = Some(child);
    }

    /// SIGKILL (`Child::kill` on Unix), reaped before returning.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

type Http = Client<HttpConnector, Full<Bytes>>;

fn client() -> Http {
    Client::builder(TokioExecutor::new()).build_http()
}

/// The status and JSON body of one request, or `None` when no whole answer came.
async fn send(http: &Http, req: http::Request<Full<Bytes>>) -> Option<(u16, serde_json::Value)> {
    let answer = tokio::time::timeout(Duration::from_secs(30), async {
        let res = http.request(req).await.ok()?;
        let status = res.status().as_u16();
        let body = res.into_body().collect().await.ok()?.to_bytes();
        Some((
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        ))
    })
    .await;
    answer.ok().flatten()
}

async fn wait_ready(server: &Server) {
    let http = client();
    let started = Instant::now();
    loop {
        let req = http::Request::get(format!("http://{}/readyz", server.addr))
            .body(Full::new(Bytes::new()))
            .unwrap();
        if let Some((200, _)) = send(&http, req).await {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not come up; its log:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One voter's ballot as the device keeps it.
#[derive(Debug, Clone)]
struct Ballot {
    link: String,
    submission: String,
    answer: u32,
}

/// An acknowledgement: the status (201 new, 200 already recorded) and the tracker.
type Ack = (u16, String);

/// Sends the ballot until it is acknowledged. Anything but an acknowledgement, a 503 or no
/// answer at all is a failure of the server's promise and is returned as an error.
async fn vote_until_acknowledged(
    http: &Http,
    addr: SocketAddr,
    ballot_id: i64,
    b: &Ballot,
    resends: &AtomicUsize,
) -> Result<Ack, String> {
    let body = serde_json::json!({
        "submission": b.submission,
        "ranks": [b.answer],
        "link": b.link,
    })
    .to_string();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let req = http::Request::post(format!("http://{addr}/api/v1/ballots/{ballot_id}/votes"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        match send(http, req).await {
            Some((status @ (200 | 201), json)) => {
                if attempts > 1 {
                    resends.fetch_add(1, Ordering::Relaxed);
                }
                let tracker = json["tracker"]
                    .as_str()
                    .ok_or_else(|| format!("a receipt without a tracker: {json}"))?;
                return Ok((status, tracker.to_string()));
            }
            None | Some((503, _)) => {
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            Some((status, json)) => {
                return Err(format!(
                    "{} answered {status} {json} on attempt {attempts}",
                    b.submission
                ));
            }
        }
    }
}

/// A small xorshift generator: the kill points, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn ballots_survive_kills(backend: &str, url: &str, dir: &Path) {
    let (ballot_id, links) = prepare(url).await;
    let ballots: Arc<Vec<Ballot>> = Arc::new(
        links
            .into_iter()
            .enumerate()
            .map(|(k, link)| Ballot {
                link,
                submission: format!("fault-{backend}-{k:05}-2f1c8a9e"),
                answer: (k % 3) as u32,
            })
            .collect(),
    );
    let seed = std::env::var("CHARTER_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                | 1
        });
    eprintln!("{backend}: CHARTER_FAULT_SEED={seed}");
    let mut rng = Rng(seed);
    let mut server = Server::start(url, dir);
    wait_ready(&server).await;

    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let resends = Arc::new(AtomicUsize::new(0));
    let acks: Arc<Mutex<BTreeMap<usize, Ack>>> = Arc::default();
    let addr = server.addr;
    let mut devices = Vec::new();
    for _ in 0..DEVICES {
        let (ballots, next, acked, resends, acks) = (
            ballots.clone(),
            next.clone(),
            acked.clone(),
            resends.clone(),
            acks.clone(),
        );
        devices.push(tokio::spawn(async move {
            let http = client();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(b) = ballots.get(k) else {
                    return Ok::<(), String>(());
                };
                let ack = vote_until_acknowledged(&http, addr, ballot_id, b, &resends).await?;
                acks.lock().unwrap().insert(k, ack);
                acked.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // Kill the server at random points while ballots are going in: each time after a random
    // number of acknowledgements since it came up, and a random few milliseconds more.
    for kill in 0..KILLS {
        let from = acked.load(Ordering::Relaxed);
        let after = 2 + rng.below(29) as usize;
        let waiting = Instant::now();
        while acked.load(Ordering::Relaxed) < (from + after).min(VOTERS) {
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "{backend}: no ballots acknowledged for a minute before kill {kill}; the server's log:\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(
            acked.load(Ordering::Relaxed) < VOTERS,
            "{backend}: every ballot was in before kill {kill}: raise VOTERS"
        );
        tokio::time::sleep(Duration::from_millis(rng.below(20))).await;
        server.restart();
        wait_ready(&server).await;
    }
    for d in devices {
        if let Err(e) = d.await.unwrap() {
            panic!("{backend}: {e}; the server's log:\n{}", server.log());
        }
    }
    let acks = acks.lock().unwrap().clone();
    assert_eq!(acks.len(), VOTERS, "every ballot was acknowledged");

    // Sending any acknowledged ballot again gives the tracker of its first acknowledgement.
    let http = client();
    for (k, (_, tracker)) in &acks {
        let again = vote_until_acknowledged(&http, addr, ballot_id, &ballots[*k], &resends)
            .await
            .unwrap();
        assert_eq!(again, (200, tracker.clone()), "ballot {k} sent again");
    }
    server.kill();

    let store = charter_cli::backend::open_store(url).await.unwrap();
    let voted: i64 = store
        .ballot_turnout(BallotId(ballot_id))
        .await
        .unwrap()
        .iter()
        .map(|t| t.voted)
        .sum();
    store
        .close_ballot(BallotId(ballot_id), &ev("ballot.closed"))
        .await
        .unwrap();
    let published = App::new(store.clone(), Arc::new(SystemClock), Settings::default())
        .published_ballots(BallotId(ballot_id))
        .await
        .unwrap();
    let in_box: BTreeMap<&str, &[String]> = published
        .iter()
        .map(|p| (p.tracker.as_str(), p.ranks.as_slice()))
        .collect();
    assert_eq!(
        in_box.len(),
        published.len(),
        "trackers in the box are unique"
    );
    let acknowledged: BTreeSet<&str> = acks.values().map(|(_, t)| t.as_str()).collect();
    assert_eq!(acknowledged.len(), VOTERS, "one tracker per voter");
    assert_eq!(
        in_box.keys().copied().collect::<BTreeSet<_>>(),
        acknowledged,
        "the box holds exactly the acknowledged ballots"
    );
    for (k, (_, tracker)) in &acks {
        assert_eq!(
            in_box[tracker.as_str()],
            [ANSWERS[ballots[*k].answer as usize].to_string()],
            "ballot {k} holds the choice sent"
        );
    }
    assert_eq!(
        voted,
        published.len() as i64,
        "as many ballots in the box as voters marked as having voted"
    );
    let first_new = acks.values().filter(|(status, _)| *status == 201).count();
    eprintln!(
        "{backend}: {VOTERS} ballots acknowledged through {KILLS} kills ({} resent after a failure; {} first acknowledged as already recorded, their first answer lost with the server), {} in the box",
        resends.load(Ordering::Relaxed),
        VOTERS - first_new,
        published.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_ballots_survive_the_server_being_killed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    ballots_survive_kills("sqlite", &url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ballots_survive_the_server_being_killed() {
    let Some(db) = charter_test_support::fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    ballots_survive_kills("postgres", db.url(), dir.path()).await;
}
