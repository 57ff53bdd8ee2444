//! Shared by the integration tests and the benchmarks: the story's fixtures and members
//! generated without a random-number crate, so a seed always gives the same register.
#![allow(dead_code)]

use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId};
use charter_rules::{Affiliation, Constitution, History, Key, MemberFacts};
use chrono::NaiveDate;
use std::sync::OnceLock;

pub const FOUNDING: &str = include_str!("../../fixtures/founding-2016.toml");
pub const AMENDMENT: &str = include_str!("../../fixtures/amendment-2017.toml");
pub const PARTY: &str = "Socialist Alliance Party";

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}

// Read once per test binary: property tests ask for the fixtures thousands of times.
static PARSED: OnceLock<(Constitution, Constitution)> = OnceLock::new();

fn parsed() -> &'static (Constitution, Constitution) {
    PARSED.get_or_init(|| {
        (
            Constitution::from_toml(FOUNDING).expect("the founding fixture reads"),
            Constitution::from_toml(AMENDMENT).expect("the amendment fixture reads"),
        )
    })
}

pub fn founding() -> Constitution {
    parsed().0.clone()
}

pub fn amendment() -> Constitution {
    parsed().1.clone()
}

pub fn history() -> History {
    History::new(vec![founding(), amendment()]).expect("two versions on different days")
}

/// An active member of branch 11 in region 1 who joined in 2016 and is paid up to 2018.
pub fn member() -> MemberFacts {
    MemberFacts {
        member: MemberId(1),
        status: MemberStatus::Active,
        paid_up_until: Some(d(2018, 3, 31)),
        joined_on: d(2016, 4, 1),
        affiliations: Vec::new(),
        home_branch: UnitId(11),
        home_region: Some(UnitId(1)),
        offices: Vec::new(),
        seats: Vec::new(),
    }
}

pub fn affiliated(mut m: MemberFacts, verified: bool) -> MemberFacts {
    m.affiliations.push(Affiliation {
        organisation: PARTY.into(),
        verified,
    });
    m
}

/// A small deterministic generator (SplitMix64), enough to spread members over statuses,
/// dues, branches and affiliations.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` members over 80 branches in 10 regions, shaped like the story: most active and paid
/// up, about half members of the other party and most of those verified.
pub fn generate(n: usize, seed: u64) -> Vec<MemberFacts> {
    let mut g = Gen::new(seed);
    let committees = [
        "national-committee",
        "regional-committee",
        "steering-committee",
    ];
    (0..n)
        .map(|i| {
            let branch = g.below(80) as i64;
            let status = match g.below(20) {
                0 => MemberStatus::Lapsed,
                1 => MemberStatus::Suspended,
                2 => MemberStatus::Applicant,
                _ => MemberStatus::Active,
            };
            let paid = d(2017, 1, 1) + chrono::Days::new(g.below(500));
            let mut affiliations = Vec::new();
            if g.below(2) == 0 {
                affiliations.push(Affiliation {
                    organisation: PARTY.into(),
                    verified: g.below(5) != 0,
                });
            }
            let mut offices = Vec::new();
            if g.below(40) == 0 {
                offices.push(OfficeKind::ALL[g.below(5) as usize]);
            }
            let mut seats = Vec::new();
            if g.below(100) == 0 {
                seats.push(Key::parse(committees[g.below(3) as usize]).expect("a key"));
            }
            MemberFacts {
                member: MemberId(i as i64 + 1),
                status,
                paid_up_until: if g.below(30) == 0 { None } else { Some(paid) },
                joined_on: d(2016, 3, 12) + chrono::Days::new(g.below(600)),
                affiliations,
                home_branch: UnitId(100 + branch),
                home_region: Some(UnitId(branch / 8)),
                offices,
                seats,
            }
        })
        .collect()
}
