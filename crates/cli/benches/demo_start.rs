//! How long the README's first command takes to become usable: `cargo bench -p charter-cli
//! --bench demo_start`.
//!
//! Runs the real `charter demo` (this profile's build of the binary) under the system clock
//! with a fresh data folder, from the process starting to `/healthz` answering, a few times,
//! and prints each run and the median beside the goal. The demo's own phase timings (it logs
//! them at `info`) are printed for the last run, so a slow start says where its time went.
//! `CHARTER_BENCH_MEMBERS` (default 21,000) sets the organisation's size; `CHARTER_BENCH_RUNS`
//! (default 3) the number of starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const GOAL: Duration = Duration::from_secs(5);

fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// One start: the time to a healthy server, and what the demo logged about its phases.
fn start(members: &str) -> (Duration, Vec<String>) {
    let data = std::env::temp_dir().join(format!("charter-demo-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args([
            "demo",
            "--addr",
            "127.0.0.1:0",
            "--members",
            members,
            "--data-dir",
        ])
        .arg(&data)
        .env_remove("CHARTER_DATABASE_URL")
        .env("CHARTER_LOG", "charter=info,charter_demo=info,warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("charter demo starts");
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (etx, erx) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = etx.send(line);
        }
    });
    let addr: SocketAddr = loop {
        match rx.recv_timeout(Duration::from_secs(300)) {
            Ok(line) => {
                if let Some(a) = line.strip_prefix("Charter demo: http://") {
                    break a.trim().parse().unwrap();
                }
            }
            Err(e) => {
                let _ = child.kill();
                let log: Vec<String> = erx.try_iter().collect();
                panic!("charter demo did not start ({e}):\n{}", log.join("\n"));
            }
        }
    };
    while !healthy(addr) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    (took, erx.try_iter().collect())
}

fn main() {
    let members = std::env::var("CHARTER_BENCH_MEMBERS").unwrap_or_else(|_| "21000".into());
    let runs: usize = std::env::var("CHARTER_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    println!("charter demo with {members} members: process start to /healthz answering 200");
    let mut times = Vec::new();
    let mut last_log = Vec::new();
    for run in 1..=runs.max(1) {
        let (took, log) = start(&members);
        println!("  run {run}: {:.2} s", took.as_secs_f64());
        times.push(took);
        last_log = log;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("demo phases (last run):");
    for line in last_log.iter().filter(|l| l.contains("demo")) {
        println!("  {line}");
    }
    println!(
        "demo start, median of {}: {:.2} s (goal: under {:.0} s) {}",
        times.len(),
        median.as_secs_f64(),
        GOAL.as_secs_f64(),
        if median < GOAL { "MET" } else { "NOT MET" }
    );
}
