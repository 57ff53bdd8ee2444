//! Counting speed on real elections and on a generated million-ballot election.
//!
//! `cargo bench -p charter-count --bench count`. The real elections are read from
//! `../shared/data/elections/` beside the repository; without them those benchmarks return at
//! once and only the generated election is measured.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use charter_count::merge::merge_ballots;
use charter_count::stv::{self, StvMethod, StvOptions};
use charter_count::{Ballot, Candidate, CandidateId, Election, blt, irish};
use divan::Bencher;

fn main() {
    divan::main();
}

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/elections");
    dir.is_dir().then_some(dir)
}

fn meath() -> Option<&'static Election> {
    static E: OnceLock<Option<Election>> = OnceLock::new();
    E.get_or_init(|| {
        let text = std::fs::read_to_string(data_dir()?.join("irish-2002/Meath2002.json")).ok()?;
        irish::parse(&text).ok()
    })
    .as_ref()
}

fn glasgow() -> &'static [Election] {
    static E: OnceLock<Vec<Election>> = OnceLock::new();
    E.get_or_init(|| {
        let Some(dir) = data_dir() else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir.join("glasgow-2007")) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "blt"))
            .collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| blt::parse(&std::fs::read_to_string(p).ok()?).ok())
            .collect()
    })
}

/// A deterministic xorshift generator: the benchmark input must be the same on every run
/// and every machine.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// One million voters, 20 candidates, 5 seats. Candidates' popularity falls off like 1/rank
/// and each voter ranks candidates in a popularity-weighted random order (Plackett–Luce),
/// stopping after a geometric number of preferences (mean about 5), which is how real
/// preference profiles look.
pub fn synthetic(voters: u32, candidates: u32, seats: u32) -> Election {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let popularity: Vec<u64> = (1..=candidates as u64).map(|r| 1_000_000 / r).collect();
    let mut ballots = Vec::with_capacity(voters as usize);
    let mut left: Vec<u32> = Vec::new();
    for _ in 0..voters {
        left.clear();
        left.extend(0..candidates);
        let mut ranks = Vec::new();
        loop {
            let total: u64 = left.iter().map(|&c| popularity[c as usize]).sum();
            let mut pick = rng.next() % total;
            let mut i = 0;
            while pick >= popularity[left[i] as usize] {
                pick -= popularity[left[i] as usize];
                i += 1;
            }
            ranks.push(vec![CandidateId(left.swap_remove(i))]);
            if left.is_empty() || rng.next().is_multiple_of(5) {
                break;
            }
        }
        ballots.push(Ballot { weight: 1, ranks });
    }
    Election {
        title: format!("synthetic {voters} voters"),
        seats,
        candidates: (0..candidates)
            .map(|i| Candidate {
                name: format!("Candidate {i}"),
                nick: None,
                withdrawn: false,
            })
            .collect(),
        ballots: merge_ballots(ballots).expect("weights fit"),
    }
}

fn million() -> &'static Election {
    static E: OnceLock<Election> = OnceLock::new();
    E.get_or_init(|| synthetic(1_000_000, 20, 5))
}

fn run(e: &Election, method: StvMethod) -> usize {
    stv::count(e, method, &StvOptions::default())
        .expect("counts")
        .rounds
        .len()
}

// Each benchmark fetches its input before timing starts, so no sample pays for reading or
// generating it, and the million-ballot election is only built when its benchmarks run.

#[divan::bench(sample_count = 20)]
fn meath_2002_meek_fixed9(b: Bencher) {
    let e = meath();
    b.bench_local(|| e.map_or(0, |e| run(e, StvMethod::Meek)));
}

#[divan::bench(sample_count = 20)]
fn meath_2002_scottish_stv(b: Bencher) {
    let e = meath();
    b.bench_local(|| e.map_or(0, |e| run(e, StvMethod::ScottishStv)));
}

#[divan::bench(sample_count = 20)]
fn glasgow_2007_all_wards_scottish_stv(b: Bencher) {
    let wards = glasgow();
    b.bench_local(|| {
        wards
            .iter()
            .map(|e| run(e, StvMethod::ScottishStv))
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 20)]
fn glasgow_2007_all_wards_meek_fixed9(b: Bencher) {
    let wards = glasgow();
    b.bench_local(|| wards.iter().map(|e| run(e, StvMethod::Meek)).sum::<usize>());
}

#[divan::bench(sample_count = 5)]
fn synthetic_1m_scottish_stv(b: Bencher) {
    let e = million();
    b.bench_local(|| run(e, StvMethod::ScottishStv));
}

#[divan::bench(sample_count = 5)]
fn synthetic_1m_meek_fixed9(b: Bencher) {
    let e = million();
    b.bench_local(|| run(e, StvMethod::Meek));
}

#[divan::bench(sample_count = 5)]
fn synthetic_1m_wigm(b: Bencher) {
    let e = million();
    b.bench_local(|| run(e, StvMethod::Wigm));
}
