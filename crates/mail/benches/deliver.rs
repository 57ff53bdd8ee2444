//! Delivery throughput: letters with calendar invitations sent to the loopback SMTP sink over
//! the mailer's connection pool, a few sends in flight at once, as an outbox worker would.
//! A plain binary that prints its figures (`cargo bench -p charter-mail --bench deliver`).
//!
//! `CHARTER_BENCH_LETTERS` sets how many letters (default 2,000) and
//! `CHARTER_BENCH_CONCURRENCY` how many sends run at once, which is also the pool size
//! (default: the mailer's default pool size). The target is at least 200 messages a second on
//! loopback. Each connection is held to about 22 messages a second by lettre 0.11.23 (see
//! `DEFAULT_POOL_SIZE`), so the figure grows with the concurrency until the CPU is busy.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use charter_mail::{DEFAULT_POOL_SIZE, Invite, Letter, Mailer, Method, Organizer, SmtpConfig, ics};
use charter_test_support::SmtpSink;
use chrono::{TimeZone, Utc};

fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .replace([',', '_'], "")
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not `{value}`")),
        Err(_) => default,
    }
}

fn invite(i: usize) -> Invite {
    let starts = Utc.with_ymd_and_hms(2027, 3, 4, 19, 0, 0).unwrap();
    Invite {
        uid: format!("meeting-{}@charter.example.org", i % 50),
        sequence: 1,
        method: Method::Request,
        stamp: Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap(),
        starts,
        ends: starts + chrono::Duration::hours(2),
        summary: format!("Branch {} general meeting — motions and elections", i % 50),
        location: Some("Community Hall, 12 High Street, Northtown".into()),
        description: Some(
            "Agenda:\n1. Apologies\n2. Minutes of the last meeting\n3. Reports; \
             officers and delegates\n4. Motions, as circulated\n5. Any other business"
                .into(),
        ),
        url: Some(format!("https://charter.example.org/meetings/{}", i % 50)),
        organizer: Some(Organizer {
            name: "Branch Secretary".into(),
            email: "secretary@branch.example.org".into(),
        }),
    }
}

fn letter(i: usize) -> Letter {
    Letter {
        to_name: Some(format!("Member Nº {i}")),
        to: format!("member{i}@example.org"),
        subject: format!("Notice: branch {} general meeting on 4 March", i % 50),
        text: "Dear member,\n\nThe branch general meeting is on 4 March at 19:00 \
               in the Community Hall. The agenda and motions are attached.\n\n\
               Branch Secretary\n"
            .repeat(3),
        html: Some(
            "<p>Dear member,</p><p>The branch general meeting is on <b>4 March</b> at \
             19:00 in the Community Hall.</p>"
                .repeat(3),
        ),
        invite: Some(invite(i)),
    }
}

fn main() {
    let letters = setting("CHARTER_BENCH_LETTERS", 2_000).max(1);
    let concurrency =
        setting("CHARTER_BENCH_CONCURRENCY", DEFAULT_POOL_SIZE as usize).clamp(1, 100);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run(letters, concurrency));
}

async fn run(letters: usize, concurrency: usize) {
    println!("charter-mail delivery: {letters} letters with invitations, {concurrency} at once");

    let started = Instant::now();
    for i in 0..letters {
        black_box(ics(black_box(&invite(i))));
    }
    let rendering = started.elapsed();
    println!(
        "  ics():   {:>10.0} calendars/s ({:.1} µs each)",
        letters as f64 / rendering.as_secs_f64(),
        rendering.as_secs_f64() * 1e6 / letters as f64
    );

    let sink = SmtpSink::start().await;
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=Branch%20Secretary%20%3Csecretary@branch.example.org%3E&pool={concurrency}",
        sink.host(),
        sink.port()
    ))
    .expect("a valid relay URL");
    let mailer = Arc::new(Mailer::new(&config).expect("a mailer"));

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let mailer = Arc::clone(&mailer);
        let next = Arc::clone(&next);
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= letters {
                    return;
                }
                let id = format!("bench-{i}@charter.example.org");
                if let Err(e) = mailer.send(&letter(i), &id).await {
                    panic!("letter {i} was not delivered: {e}");
                }
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("a sending task finished");
    }
    let sending = started.elapsed();
    let received = sink
        .wait_for(letters, Duration::from_secs(120))
        .await
        .expect("every letter reached the sink");
    let size: usize = received.iter().map(|m| m.data.len()).sum();
    println!(
        "  send():  {:>10.0} messages/s ({letters} in {:.2} s, {:.1} KiB each on the wire)",
        letters as f64 / sending.as_secs_f64(),
        sending.as_secs_f64(),
        size as f64 / letters as f64 / 1024.0
    );
}
