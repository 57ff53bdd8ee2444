//! Times loading the demo into SQLite:
//! `cargo run --release -p charter-demo --example demo_load -- [MEMBERS] [sqlite URL]`.

use std::time::Instant;

use charter_demo::{DemoOptions, generate, load};
use charter_store::Store;
use charter_store_sqlite::SqliteStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let members: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(21_000);
    let url = args.next().unwrap_or_else(|| "sqlite::memory:".to_string());
    let store = SqliteStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let started = Instant::now();
    let org = generate(DemoOptions {
        members,
        ..DemoOptions::default()
    });
    let sign_ins = load(&store, &org, &|done, total| {
        if std::env::var_os("DEMO_TRACE").is_some()
            || done == total
            || done % 100_000 < 5_000 && done > 1_000
        {
            eprintln!("{done}/{total} after {:?}", started.elapsed());
        }
    })
    .await
    .expect("load");
    println!(
        "{members} members loaded into {url} in {:?}",
        started.elapsed()
    );
    for s in sign_ins.iter() {
        println!("{s}");
    }
}
