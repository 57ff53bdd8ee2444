//! Rights for one member with explanations (< 1 ms required) and an impact preview over
//! 21,000 members (< 1 s required).

#[path = "../tests/common/mod.rs"]
mod common;

use charter_rules::{Context, Forum, Right, impact_preview};
use common::*;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

#[divan::bench]
fn one_right_with_reason(b: Bencher) {
    let c = amendment();
    let m = member();
    let forum = Forum::new(Context::BranchMeeting, Some(m.home_branch));
    b.bench(|| c.decide(black_box(&m), Right::Vote, &forum, d(2017, 7, 1)));
}

/// The member's page: every right in every context, each with its reason.
#[divan::bench]
fn all_rights_of_one_member_with_reasons(b: Bencher) {
    let c = amendment();
    let m = member();
    b.bench(|| c.rights_of(black_box(&m), d(2017, 7, 1)));
}

#[divan::bench(sample_count = 20)]
fn impact_preview_21000_members(b: Bencher) {
    let members = generate(21_000, 2017);
    let (old, new) = (founding(), amendment());
    b.bench(|| impact_preview(&old, &new, black_box(&members), d(2017, 7, 1)));
}

#[divan::bench]
fn read_a_constitution_file(b: Bencher) {
    b.bench(|| charter_rules::Constitution::from_toml(black_box(AMENDMENT)));
}
