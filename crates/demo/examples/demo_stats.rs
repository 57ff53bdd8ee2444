//! Prints the demo's shape and how long generating it takes:
//! `cargo run --release -p charter-demo --example demo_stats -- [MEMBERS]`.

use std::collections::BTreeMap;
use std::time::Instant;

use charter_demo::{BATCH_SIZE, DemoOptions, generate};
use charter_domain::paid_up_until;

fn main() {
    let members: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(21_000);
    let opts = DemoOptions {
        members,
        ..DemoOptions::default()
    };
    let started = Instant::now();
    let org = generate(opts);
    let structure = started.elapsed();
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_branch: BTreeMap<usize, u64> = BTreeMap::new();
    let (mut payments, mut history, mut paid_up) = (0u64, 0u64, 0u64);
    for batch in org.batches(BATCH_SIZE) {
        for m in org.members(batch) {
            *by_status.entry(m.status.as_str()).or_default() += 1;
            *by_branch.entry(m.branch).or_default() += 1;
            payments += m.payments.len() as u64;
            history += m.history.len() as u64;
            if m.status.is_member() && paid_up_until(&m.payments).is_some_and(|u| u >= opts.today) {
                paid_up += 1;
            }
        }
    }
    let total = started.elapsed();
    println!("structure in {structure:?}, {members} members in {total:?}");
    println!("statuses {by_status:?}");
    println!("paid up {paid_up}, payments {payments}, status changes {history}");
    let mut sizes: Vec<(u64, &str)> = by_branch
        .iter()
        .map(|(b, n)| (*n, org.units[*b].name.as_str()))
        .collect();
    sizes.sort();
    println!("smallest branches {:?}", &sizes[..3]);
    println!("largest branches {:?}", &sizes[sizes.len() - 3..]);
    for a in &org.accounts {
        println!("account {} {} -> member {}", a.role, a.email, a.member);
    }
}
