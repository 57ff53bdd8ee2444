//! The register at scale, on both backends: `cargo bench -p charter-store-sqlite`.
//!
//! Seeds a deterministic organisation (80 branches in 10 regions) through `seed_members`,
//! then times the directory queries the web UI makes — with access logging, as the app does —
//! and prints p50/p95/max per query kind; then founds the 2016 constitution and times
//! freezing a conference roll over every member through the app (facts read, decided, hashed
//! and written) and re-checking its hash. `CHARTER_BENCH_SKIP_DIRECTORY=1` times rolls only. Sizes come from `CHARTER_BENCH_MEMBERS`
//! (comma-separated, default `21000`); PostgreSQL runs when `CHARTER_BENCH_POSTGRES_URL` or
//! `CHARTER_TEST_POSTGRES_URL` names a server where a scratch database may be created.
//!
//! A plain binary rather than a statistical harness: the figure we promise is a tail latency
//! over varied queries, not the mean of one repeated query.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use std::sync::Arc;

use charter_app::rolls::RollRequest;
use charter_app::{App, FixedClock, Settings};
use charter_domain::{
    Actor, DuesPlan, Email, HeldOffice, MemberId, MemberStatus, Money, NewMember, OfficeKind,
    Payment, PersonName, Postcode, UnitId, UnitKind,
};
use charter_model::RollId;
use charter_rules::{Context, Forum, Right, RollSpec, build_roll};
use charter_store::*;
use charter_store_postgres::PgStore;
use charter_store_sqlite::SqliteStore;
use chrono::{Days, NaiveDate, Utc};
use sqlx::{Connection, Executor};

const FIRST: &[&str] = &[
    "Ann", "Ben", "Chloe", "Dan", "Eve", "Fay", "Gus", "Hana", "Ian", "Jo", "Kemi", "Liam", "Mia",
    "Noor", "Omar", "Pia", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Vic", "Wen", "Xavi", "Yusuf",
    "Zoe", "Aisha", "Bilal", "Cara", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack",
    "Kofi", "Lena", "Max", "Nia",
];
const LAST: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Okafor", "Khan", "Ahmed", "Murphy", "Kelly", "Singh", "Hughes",
    "Edwards", "Lewis", "Nowak", "Kowalski", "Mensah", "Osei", "Silva", "Costa", "Ferreira",
    "Rossi", "Russo", "Müller", "Dubois", "Moreau", "Chen", "Wang", "Li", "Nguyen", "Kim", "Park",
    "Ali", "Hussain",
];
const AREAS: &[&str] = &[
    "SE", "SW", "N", "E", "W", "NW", "LS", "YO", "M", "B", "L", "G", "EH", "CF", "BS", "NE", "S",
    "NG", "LE", "CV",
];

/// xorshift64*: deterministic, tiny, good enough to spread test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn letter(&mut self) -> char {
        char::from(b'A' + (self.next() % 26) as u8)
    }
}

fn ev(kind: &str) -> NewEvent {
    NewEvent {
        at: Utc::now(),
        actor: EventActor {
            member: None,
            office: None,
        },
        kind: kind.into(),
        subject: "bench".into(),
        payload: "{}".into(),
        reason: "benchmark".into(),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn seed_member(rng: &mut Rng, i: usize, branch: UnitId) -> SeedMember {
    let first = FIRST[rng.below(FIRST.len())];
    let last = LAST[rng.below(LAST.len())];
    let postcode = format!(
        "{}{} {}{}{}",
        AREAS[rng.below(AREAS.len())],
        1 + rng.below(20),
        rng.below(10),
        rng.letter(),
        rng.letter()
    );
    let joined = today() - Days::new(rng.below(3 * 365) as u64 + 30);
    let status = match rng.below(100) {
        0..70 => MemberStatus::Active,
        70..80 => MemberStatus::Lapsed,
        80..85 => MemberStatus::Suspended,
        85..90 => MemberStatus::Applicant,
        90..95 => MemberStatus::Resigned,
        _ => MemberStatus::Expelled,
    };
    let payments: Vec<Payment> = (0..rng.below(13))
        .map(|k| Payment {
            paid_on: joined + Days::new(30 * k as u64),
            amount: Money(500),
            months: 1,
        })
        .collect();
    let mut history = vec![StatusChangeInput {
        from: None,
        to: if status == MemberStatus::Applicant {
            MemberStatus::Applicant
        } else {
            MemberStatus::Active
        },
        effective_on: joined,
        reason: "joined".into(),
        changed_by: None,
    }];
    if !matches!(status, MemberStatus::Active | MemberStatus::Applicant) {
        history.push(StatusChangeInput {
            from: Some(MemberStatus::Active),
            to: status,
            effective_on: joined + Days::new(200),
            reason: "bench".into(),
            changed_by: None,
        });
    }
    SeedMember {
        member: NewMember {
            first_name: PersonName::parse("first name", first).unwrap(),
            last_name: PersonName::parse("last name", last).unwrap(),
            email: Email::parse(
                &format!("{first}.{last}.{i}@example.org")
                    .chars()
                    .filter(char::is_ascii)
                    .collect::<String>(),
            )
            .unwrap(),
            phone: None,
            postcode: Postcode::parse(&postcode).unwrap(),
            branch,
            joined_on: joined,
            status,
            dues_plan: DuesPlan::Monthly,
        },
        password_hash: None,
        history,
        payments,
        affiliations: vec![],
        moves: vec![],
    }
}

/// National → 10 regions → 8 branches each. Returns regions' branch lists.
async fn structure(store: &dyn Store) -> Vec<Vec<UnitId>> {
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
    let mut regions = Vec::new();
    for r in 0..10 {
        let region = store
            .create_unit(
                Some(national),
                UnitKind::Region,
                &format!("Region {r}"),
                &format!("region-{r}"),
                &ev("unit"),
            )
            .await
            .unwrap();
        let mut branches = Vec::new();
        for b in 0..8 {
            branches.push(
                store
                    .create_unit(
                        Some(region),
                        UnitKind::Branch,
                        &format!("Branch {r}-{b}"),
                        &format!("branch-{r}-{b}"),
                        &ev("unit"),
                    )
                    .await
                    .unwrap(),
            );
        }
        regions.push(branches);
    }
    regions
}

async fn seed(store: &dyn Store, members: usize) -> (Vec<Vec<UnitId>>, Duration) {
    let regions = structure(store).await;
    let branches: Vec<UnitId> = regions.iter().flatten().copied().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let batch = 20_000;
    let mut i = 0;
    while i < members {
        let n = batch.min(members - i);
        let seeds: Vec<SeedMember> = (i..i + n)
            .map(|k| {
                let b = branches[rng.below(branches.len())];
                seed_member(&mut rng, k, b)
            })
            .collect();
        store
            .seed_members(&seeds, &ev("register.seeded"))
            .await
            .unwrap();
        i += n;
    }
    (regions, started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn time_queries(
    label: &str,
    store: &dyn Store,
    queries: &[MemberQuery],
    reader: MemberId,
) -> Duration {
    let mut times = Vec::with_capacity(queries.len());
    let mut returned = 0usize;
    for q in queries {
        let access = AccessContext {
            reader: Some(reader),
            office: Some("benchmark".into()),
            purpose: "directory search".into(),
            at: Utc::now(),
        };
        let started = Instant::now();
        let page = store.search_members(q, Some(&access)).await.unwrap();
        times.push(started.elapsed());
        returned += page.items.len();
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "    {label:<34} n={:<4} p50 {:>9}  p95 {:>9}  max {:>9}  (avg {:.1} rows/page)",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(p95),
        ms(times[times.len() - 1]),
        returned as f64 / times.len() as f64
    );
    p95
}

fn base(scope: MemberScope) -> MemberQuery {
    MemberQuery {
        scope,
        text: None,
        branch: None,
        status: None,
        paid_up: None,
        sort: MemberSort::Name,
        page: 1,
        per_page: 25,
    }
}

async fn run(backend: &str, shared: Arc<dyn Store>, members: usize) {
    let store = shared.as_ref();
    store.migrate().await.unwrap();
    let (regions, took) = seed(store, members).await;
    println!(
        "  {backend}, {members} members: seeded in {:.1} s ({:.0} members/s)",
        took.as_secs_f64(),
        members as f64 / took.as_secs_f64()
    );
    if std::env::var("CHARTER_BENCH_SKIP_DIRECTORY").is_err() {
        directory(backend, store, members, &regions).await;
    }
    rolls(backend, shared.clone(), members).await;
    notices(backend, shared, members).await;
}

/// Calls a conference for every member (the notices queued in the same transaction as the
/// meeting) and times it; the constitution was founded by the roll phase.
async fn notices(backend: &str, store: Arc<dyn Store>, members: usize) {
    let at = today().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let app = App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default());
    let national = store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == UnitKind::National)
        .unwrap();
    let officer = Actor {
        member: MemberId(1),
        home_branch: national.id,
        offices: vec![HeldOffice {
            kind: OfficeKind::Secretary,
            unit: national.id,
            unit_name: national.name.clone(),
        }],
    };
    let started = Instant::now();
    let called = app
        .call_meeting(
            &officer,
            &charter_app::meetings::MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: "Annual conference".into(),
                starts_at: Some(at + chrono::Duration::days(60)),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Conference centre".into()),
                online_url: None,
                agenda: "Reports; elections; motions".into(),
            },
        )
        .await
        .unwrap();
    let took = started.elapsed();
    println!(
        "  {backend}, {members} members: conference called with {} notices queued in {} — {}",
        called.invited,
        ms(took),
        if took < Duration::from_secs(1) {
            "within 1 s"
        } else {
            "over 1 s"
        }
    );
}

/// Freezes a conference roll over the whole register through the app, three times (three
/// rolls), and re-checks the last one's hash; prints each phase.
async fn rolls(backend: &str, store: Arc<dyn Store>, members: usize) {
    let at = today().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let app = App::new(store.clone(), Arc::new(FixedClock(at)), Settings::default());
    app.found_constitution(
        EventActor {
            member: None,
            office: Some("bench".into()),
        },
        include_str!("../../rules/fixtures/founding-2016.toml"),
    )
    .await
    .unwrap();
    let national = store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == UnitKind::National)
        .unwrap();
    let officer = Actor {
        member: MemberId(1),
        home_branch: national.id,
        offices: vec![HeldOffice {
            kind: OfficeKind::Secretary,
            unit: national.id,
            unit_name: national.name.clone(),
        }],
    };
    let started = Instant::now();
    let facts = store.member_facts(today()).await.unwrap();
    let read = started.elapsed();
    let facts: Vec<_> = facts
        .into_iter()
        .map(charter_app::constitution::member_facts)
        .collect();
    let (_, constitution) = app.constitution_in_force(today()).await.unwrap();
    let started = Instant::now();
    let spec = RollSpec {
        forum: Forum::national(Context::Conference),
        right: Right::Vote,
        cutoff: today(),
    };
    let built = build_roll(&constitution, &spec, &facts);
    let decided = started.elapsed();
    drop(facts);
    // The store's part alone: the same lines written as one more roll.
    let version_id = store.constitution_versions().await.unwrap()[0].id;
    let reasons: Vec<RollReason> = built
        .reasons
        .iter()
        .map(|e| RollReason {
            clauses: e.clauses.join(", "),
            reason: e.reason.clone(),
        })
        .collect();
    let entries: Vec<NewRollEntry> = built
        .lines
        .iter()
        .map(|l| NewRollEntry {
            member: l.member,
            branch: l.branch,
            eligible: l.eligible,
            reason: l.why.map(|i| i as u32),
        })
        .collect();
    let started = Instant::now();
    store
        .freeze_roll(
            &NewRoll {
                title: "written directly".into(),
                context: "conference".into(),
                unit: None,
                right: "vote".into(),
                cutoff: today(),
                version_id,
                challenge_closes_on: today(),
                hash: built.hash.clone(),
                frozen_by: None,
            },
            &reasons,
            &entries,
            &ev("roll.frozen"),
        )
        .await
        .unwrap();
    let written = started.elapsed();
    println!(
        "  {backend}, {members} members: roll phases: facts read {}, decided and hashed {}, written {} ({} on, {} off)",
        ms(read),
        ms(decided),
        ms(written),
        built.eligible(),
        built.lines.len() - built.eligible()
    );
    let mut times = Vec::new();
    let mut last = RollId(0);
    for k in 0..3 {
        let started = Instant::now();
        last = app
            .freeze_roll(
                &officer,
                &RollRequest {
                    title: format!("Conference roll {k}"),
                    context: "conference".into(),
                    ..RollRequest::default()
                },
            )
            .await
            .unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    let started = Instant::now();
    let check = app.check_roll(last).await.unwrap();
    let checked = started.elapsed();
    assert!(check.frozen_hash_matches && check.lines == built.lines.len());
    println!(
        "  {backend}, {members} members: frozen roll (read + decide + hash + write) median {} max {} — {}; hash re-check {}",
        ms(times[1]),
        ms(times[2]),
        if times[2] < Duration::from_secs(2) {
            "within 2 s"
        } else {
            "OVER 2 s"
        },
        ms(checked)
    );
}

async fn directory(backend: &str, store: &dyn Store, members: usize, regions: &[Vec<UnitId>]) {
    let reader = MemberId(1);
    let mut rng = Rng(42);
    let all: Vec<UnitId> = regions.iter().flatten().copied().collect();
    let cutoff = today() - Days::new(30);
    let n = 200;

    let texts: Vec<String> = (0..n)
        .map(|_| match rng.below(5) {
            // part of a last name, a first name, a full name, an email, a postcode
            0 => LAST[rng.below(LAST.len())].to_lowercase()[..3.min(LAST[0].len())].to_string(),
            1 => {
                let l = LAST[rng.below(LAST.len())].to_lowercase();
                l.chars().skip(1).take(4).collect()
            }
            2 => format!(
                "{} {}",
                FIRST[rng.below(FIRST.len())],
                LAST[rng.below(LAST.len())]
            ),
            3 => format!("{}@example", rng.below(members.max(1))),
            _ => format!(
                "{}{} {}",
                AREAS[rng.below(AREAS.len())],
                1 + rng.below(20),
                rng.below(10)
            ),
        })
        .collect();
    let mut p95s = Vec::new();

    let q: Vec<MemberQuery> = texts
        .iter()
        .map(|t| MemberQuery {
            text: Some(t.clone()),
            ..base(MemberScope::All)
        })
        .collect();
    p95s.push(time_queries("text search, national scope", store, &q, reader).await);

    let q: Vec<MemberQuery> = texts
        .iter()
        .map(|t| MemberQuery {
            text: Some(t.clone()),
            ..base(MemberScope::Branches(
                regions[rng.below(regions.len())].clone(),
            ))
        })
        .collect();
    p95s.push(time_queries("text search, one region's scope", store, &q, reader).await);

    let q: Vec<MemberQuery> = (0..n)
        .map(|_| MemberQuery {
            branch: Some(all[rng.below(all.len())]),
            status: Some(MemberStatus::Active),
            paid_up: Some((true, cutoff)),
            page: 1 + rng.below(5) as u32,
            ..base(MemberScope::All)
        })
        .collect();
    p95s.push(time_queries("filtered page: branch+active+paid", store, &q, reader).await);

    let q: Vec<MemberQuery> = (0..n)
        .map(|_| MemberQuery {
            status: Some(if rng.below(2) == 0 {
                MemberStatus::Active
            } else {
                MemberStatus::Lapsed
            }),
            page: 1 + rng.below(20) as u32,
            ..base(MemberScope::All)
        })
        .collect();
    p95s.push(time_queries("filtered page: national, by status", store, &q, reader).await);

    let q: Vec<MemberQuery> = (0..n)
        .map(|_| MemberQuery {
            paid_up: Some((rng.below(2) == 0, cutoff)),
            sort: MemberSort::PaidUpUntilDesc,
            page: 1 + rng.below(20) as u32,
            ..base(MemberScope::All)
        })
        .collect();
    p95s.push(time_queries("filtered page: national, paid-up", store, &q, reader).await);

    let q: Vec<MemberQuery> = (0..n)
        .map(|_| MemberQuery {
            page: 1 + rng.below(50) as u32,
            ..base(MemberScope::Branches(
                regions[rng.below(regions.len())].clone(),
            ))
        })
        .collect();
    p95s.push(time_queries("region directory, by name", store, &q, reader).await);

    let worst = p95s.iter().max().copied().unwrap_or_default();
    println!(
        "  {backend}, {members} members: worst p95 {} — {}",
        ms(worst),
        if worst < Duration::from_millis(50) {
            "within 50 ms"
        } else {
            "OVER 50 ms"
        }
    );
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CHARTER_BENCH_MEMBERS")
        .unwrap_or_else(|_| "21000".into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect();
    let pg_url = std::env::var("CHARTER_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("CHARTER_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.trim().is_empty());
    let backends: Vec<String> = std::env::var("CHARTER_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("directory benchmark (2 workers; page size 25; access logged as the app does)");
        for &members in &sizes {
            if backends.iter().any(|b| b == "sqlite") {
                let path = std::env::temp_dir()
                    .join(format!("charter-bench-{}-{members}.db", std::process::id()));
                let url = format!("sqlite://{}", path.display());
                let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
                store.migrate().await.unwrap();
                run("sqlite", store.clone(), members).await;
                store.pool().close().await;
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("  sqlite file: {:.0} MB", size as f64 / 1e6);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            if backends.iter().any(|b| b == "postgres") {
                let Some(admin) = pg_url.as_deref() else {
                    println!("  postgres: skipped (set CHARTER_BENCH_POSTGRES_URL)");
                    continue;
                };
                let name = format!("charter_bench_{}_{members}", std::process::id());
                let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .unwrap();
                let url = match admin.rsplit_once('/') {
                    Some((server, _)) => format!("{server}/{name}"),
                    None => panic!("postgres url has no database part"),
                };
                let store = Arc::new(PgStore::connect(&url).await.unwrap());
                store.migrate().await.unwrap();
                run("postgres", store.clone(), members).await;
                store.pool().close().await;
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE {name} WITH (FORCE)"
                )))
                .await
                .unwrap();
            }
        }
        println!("peak memory of this process: {}", peak_memory());
    });
}
