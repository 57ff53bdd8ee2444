//! `charter import` at scale: `cargo bench -p charter-cli --bench import`.
//!
//! Writes a deterministic register as import files (the demo organisation's 10 regions and
//! 80 branches, members with their status histories and payments, past office holders),
//! founds an organisation on a fresh database with the real `charter init`, then times the
//! real `charter import organisation` on it — a dry run (reading and checking every row),
//! then the import itself — on SQLite, and on PostgreSQL when `CHARTER_TEST_POSTGRES_URL`
//! names a server where a scratch database may be created.
//! `CHARTER_BENCH_MEMBERS` changes the size (default 100,000); `CHARTER_BENCH_FILES=DIR`
//! keeps the generated files in DIR.
//!
//! A plain binary rather than a statistical harness: the promise is one figure for one
//! long run, measured end to end as an operator would see it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use charter_cli::import::generated::write_register;
use chrono::NaiveDate;

/// The goal: 100,000 members with their histories in under 30 seconds.
const GOAL: Duration = Duration::from_secs(30);
const GOAL_MEMBERS: u32 = 100_000;

fn charter(args: &[&str]) -> (Duration, String) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env("CHARTER_INIT_PASSWORD", "bench founding password")
        .env("CHARTER_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run charter");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "charter {args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (took, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn bench(backend: &str, url: &str, files: &Path, members: u32) {
    let constitution =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/fixtures/founding-2016.toml");
    charter(&[
        "init",
        "--name",
        "Bench Campaign Network",
        "--constitution",
        constitution.to_str().unwrap(),
        "--secretary-email",
        "founding.secretary@example.net",
        "--secretary-name",
        "Ada Lovelace",
        "--secretary-postcode",
        "SE1 7PB",
        "--database",
        url,
    ]);
    let folder = files.to_str().unwrap();
    let (checked, _) = charter(&[
        "import",
        "organisation",
        folder,
        "--dry-run",
        "--database",
        url,
    ]);
    let (took, report) = charter(&["import", "organisation", folder, "--database", url]);
    for line in report.lines().filter(|l| !l.starts_with("updated")) {
        println!("  {line}");
    }
    let verdict = if members < GOAL_MEMBERS {
        format!("(goal is for {GOAL_MEMBERS} members)")
    } else if took <= GOAL {
        "meets the goal".to_string()
    } else {
        "MISSES the goal".to_string()
    };
    println!(
        "{backend:<10} import of {members} members with history: {:>6.1} s  (goal: under {} s) {verdict}; dry run {:.1} s",
        took.as_secs_f64(),
        GOAL.as_secs(),
        checked.as_secs_f64()
    );
}

fn main() {
    let members: u32 = std::env::var("CHARTER_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(GOAL_MEMBERS);
    // CHARTER_BENCH_FILES=DIR keeps the generated files there, to look at or import by hand.
    let files = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("CHARTER_BENCH_FILES").map(std::path::PathBuf::from);
    let folder = kept.clone().unwrap_or_else(|| files.path().to_path_buf());
    std::fs::create_dir_all(&folder).unwrap();
    let started = Instant::now();
    // A fixed day: the same files on any day after it.
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let g = write_register(&folder, members, today, Some(1001)).unwrap();
    println!(
        "generated {} units, {} members, {} status changes, {} payments, {} past holdings in {:.1} s",
        g.units,
        g.members,
        g.status_changes,
        g.payments,
        g.holdings,
        started.elapsed().as_secs_f64()
    );

    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("charter.db").display());
    bench("sqlite", &url, &folder, members);

    if std::env::var_os(charter_test_support::postgres::URL_VAR).is_none() {
        println!("postgres   skipped: set CHARTER_TEST_POSTGRES_URL to run it");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if let Some(scratch) = runtime.block_on(charter_test_support::fresh_database()) {
        bench("postgres", scratch.url(), &folder, members);
    }
}
