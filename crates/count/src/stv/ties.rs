//! Tie-breaking shared by the STV rules: the rule's own test first (done by the caller), then
//! earlier stages looking backwards, then a seeded lot that anyone can repeat.

use crate::model::CandidateId;
use crate::report::TieBreak;

/// Which end of a tie the rule wants: the candidate to exclude is the lowest, the surplus to
/// transfer first (or the candidate to elect first) the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Lowest,
    Highest,
}

/// Narrows `tied` by looking back through `history` (totals at the end of each earlier
/// stage, oldest first) to the most recent stage at which the tied candidates differed.
///
/// With three or more tied, a stage may separate only some of them: the ones at the wanted
/// end are kept and the search goes on further back among those alone, so the order of
/// candidates who were never separated is still left to lot. Returns the narrowed set and the
/// 1-based stage that decided, if any did.
pub fn look_back<N: Ord + Clone>(
    tied: &[u32],
    history: &[Vec<N>],
    want: Want,
) -> (Vec<u32>, Option<usize>) {
    let mut set: Vec<u32> = tied.to_vec();
    let mut decided = None;
    for (stage, totals) in history.iter().enumerate().rev() {
        if set.len() <= 1 {
            break;
        }
        let best = match want {
            Want::Lowest => set.iter().map(|&c| &totals[c as usize]).min(),
            Want::Highest => set.iter().map(|&c| &totals[c as usize]).max(),
        }
        .cloned()
        .expect("set is not empty");
        let narrowed: Vec<u32> = set
            .iter()
            .copied()
            .filter(|&c| totals[c as usize] == best)
            .collect();
        if narrowed.len() < set.len() {
            set = narrowed;
            decided = Some(stage + 1);
        }
    }
    (set, decided)
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draws one of `tied` by lot. The draw depends only on the published seed, the round and
/// the tied candidates, so a scrutineer can repeat it, and it does not depend on the order
/// in which the tied candidates were listed.
pub fn draw_lot(seed: u64, round: u32, tied: &[u32]) -> u32 {
    let mut sorted = tied.to_vec();
    sorted.sort_unstable();
    let mut h = splitmix64(seed ^ splitmix64(round as u64));
    for &c in &sorted {
        h = splitmix64(h ^ c as u64);
    }
    sorted[(h % sorted.len() as u64) as usize]
}

/// Applies look-back then lot and records the outcome when there was a real tie.
pub fn break_tie<N: Ord + Clone>(
    tied: &[u32],
    history: &[Vec<N>],
    want: Want,
    seed: u64,
    round: u32,
    purpose: &str,
    log: &mut Vec<TieBreak>,
) -> u32 {
    if tied.len() == 1 {
        return tied[0];
    }
    let (set, stage) = look_back(tied, history, want);
    let (chosen, rule) = if set.len() == 1 {
        (
            set[0],
            format!(
                "{purpose}: totals at stage {}, the most recent at which they differed",
                stage.unwrap_or(0)
            ),
        )
    } else {
        (
            draw_lot(seed, round, &set),
            format!("{purpose}: lot, seed {seed} (equal at every earlier stage)"),
        )
    };
    let mut tied_ids: Vec<CandidateId> = tied.iter().map(|&c| CandidateId(c)).collect();
    tied_ids.sort();
    log.push(TieBreak {
        round,
        tied: tied_ids,
        chosen: CandidateId(chosen),
        rule,
    });
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_back_to_most_recent_difference() {
        let history = vec![vec![1, 5, 3], vec![4, 2, 3], vec![3, 3, 3]];
        let (set, stage) = look_back(&[0, 1, 2], &history, Want::Lowest);
        assert_eq!(set, vec![1]);
        assert_eq!(stage, Some(2));
        let (set, _) = look_back(&[0, 1, 2], &history, Want::Highest);
        assert_eq!(set, vec![0]);
    }

    #[test]
    fn narrows_step_by_step() {
        // Stage 2 separates candidate 2 (highest) from 0 and 1; stage 1 separates 0 from 1.
        let history = vec![vec![2, 1, 9], vec![4, 4, 5], vec![6, 6, 6]];
        let (set, stage) = look_back(&[0, 1, 2], &history, Want::Lowest);
        assert_eq!(set, vec![1]);
        assert_eq!(stage, Some(1));
    }

    #[test]
    fn lot_is_repeatable_and_order_free() {
        let a = draw_lot(0, 3, &[4, 1, 7]);
        assert_eq!(a, draw_lot(0, 3, &[7, 4, 1]));
        assert!([1, 4, 7].contains(&a));
        let picks: std::collections::HashSet<u32> =
            (0..64).map(|s| draw_lot(s, 3, &[1, 4, 7])).collect();
        assert_eq!(picks.len(), 3, "every tied candidate can be drawn");
    }

    #[test]
    fn records_tie_breaks() {
        let mut log = Vec::new();
        let c = break_tie::<i64>(&[2, 0], &[], Want::Lowest, 9, 4, "exclusion", &mut log);
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].chosen, CandidateId(c));
        assert_eq!(log[0].tied, vec![CandidateId(0), CandidateId(2)]);
        assert!(log[0].rule.contains("seed 9"));
    }
}
