//! Rolls as the command line prints them: a table of rolls, one roll's counts per branch,
//! and the result of re-checking its hashes.

use std::fmt::Write as _;

use charter_app::rolls::{RollCheck, RollView};
use charter_store::RollRecord;

/// One line per roll, newest first.
pub fn rolls_table(rolls: &[RollRecord]) -> String {
    if rolls.is_empty() {
        return "no rolls have been frozen\n".into();
    }
    let mut out = format!(
        "{:>4}  {:<10}  {:<18}  {:>8}  {:>8}  {}\n",
        "id", "cutoff", "context", "on", "off", "title"
    );
    for r in rolls {
        let _ = writeln!(
            out,
            "{:>4}  {:<10}  {:<18}  {:>8}  {:>8}  {}",
            r.id, r.cutoff, r.context, r.eligible, r.excluded, r.title
        );
    }
    out
}

/// A roll with its counts per branch and hashes.
pub fn roll_summary(v: &RollView) -> String {
    let r = &v.roll;
    let mut out = format!(
        "roll {}: {}\n  who may {} at {}{} on {}, by '{}'\n  on the roll {}, not on it {}; challenges until {}\n  frozen hash  {}\n  current hash {}\n",
        r.id,
        r.title,
        r.right,
        r.context,
        v.unit_name
            .as_deref()
            .map(|u| format!(" of {u}"))
            .unwrap_or_default(),
        r.cutoff,
        v.version,
        r.eligible,
        r.excluded,
        r.challenge_closes_on,
        r.frozen_hash,
        r.current_hash,
    );
    let _ = writeln!(out, "  {:<28} {:>8} {:>8}", "branch", "on", "off");
    for (_, name, yes, no) in &v.counts {
        let _ = writeln!(out, "  {name:<28} {yes:>8} {no:>8}");
    }
    out
}

/// "ok" or what does not match, for `charter roll verify`.
pub fn check_text(id: i64, c: &RollCheck) -> String {
    let part = |ok: bool| if ok { "matches" } else { "DOES NOT MATCH" };
    format!(
        "roll {id}: {} lines; frozen hash {}; current hash {}\n",
        c.lines,
        part(c.frozen_hash_matches),
        part(c.current_hash_matches)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_check_says_so_in_capitals() {
        let c = RollCheck {
            frozen_hash_matches: true,
            current_hash_matches: false,
            lines: 3,
        };
        assert_eq!(
            check_text(7, &c),
            "roll 7: 3 lines; frozen hash matches; current hash DOES NOT MATCH\n"
        );
    }

    #[test]
    fn no_rolls_reads_as_a_sentence() {
        assert_eq!(rolls_table(&[]), "no rolls have been frozen\n");
    }
}
