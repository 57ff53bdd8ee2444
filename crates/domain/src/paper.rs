//! Double entry of paper ballots. Tellers enter a batch of ballot papers (a bundle counted
//! out of the returned envelopes) each on their own, without seeing another's entry. The
//! batch goes into the box only when two different tellers' entries agree paper for paper;
//! when they differ the positions that differ are shown, and a teller's later entry (a third
//! teller's, or a correction) replaces that teller's earlier one and is compared again.

use crate::ids::MemberId;

/// One teller's entry of a batch: what each paper says, in the order the papers lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<P> {
    pub teller: MemberId,
    pub papers: Vec<P>,
}

/// Where a batch stands after its entries so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Fewer than two tellers have entered it.
    Waiting,
    /// Two tellers' latest entries agree; `entry` is the index (in the entries given) of the
    /// later of the two, whose papers go into the box.
    Agreed { entry: usize },
    /// No two tellers' latest entries agree; these positions (0-based, ascending) are where
    /// they differ.
    Differ { positions: Vec<usize> },
}

/// Why a teller may not enter a batch now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryRefusal {
    #[error("you entered this batch already: a second teller enters it on their own")]
    SameTeller,
    #[error("the batch has {expected} papers, but {got} were entered")]
    WrongLength { expected: usize, got: usize },
}

/// The index of each teller's latest entry, in order of their first entry.
fn latest<P>(entries: &[Entry<P>]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match out.iter_mut().find(|j| entries[**j].teller == e.teller) {
            Some(j) => *j = i,
            None => out.push(i),
        }
    }
    out
}

/// Whether `teller` may add an entry of `papers` papers to a batch of `expected` papers
/// entered so far as `earlier`. A teller enters once until a second teller has entered;
/// after that any teller may enter again (a correction replaces their own earlier entry).
pub fn may_enter<P>(
    earlier: &[Entry<P>],
    teller: MemberId,
    expected: usize,
    papers: usize,
) -> Result<(), EntryRefusal> {
    if papers != expected {
        return Err(EntryRefusal::WrongLength {
            expected,
            got: papers,
        });
    }
    let tellers = latest(earlier).len();
    if tellers < 2 && earlier.iter().any(|e| e.teller == teller) {
        return Err(EntryRefusal::SameTeller);
    }
    Ok(())
}

/// Resolves a batch from its entries in the order they were made: agreed as soon as two
/// different tellers' latest entries are equal.
pub fn resolve<P: Eq>(entries: &[Entry<P>]) -> Resolution {
    let latest = latest(entries);
    if latest.len() < 2 {
        return Resolution::Waiting;
    }
    let mut agreed: Option<usize> = None;
    for (a, i) in latest.iter().enumerate() {
        for j in &latest[a + 1..] {
            if entries[*i].papers == entries[*j].papers {
                let later = (*i).max(*j);
                agreed = Some(agreed.map_or(later, |x| x.min(later)));
            }
        }
    }
    if let Some(entry) = agreed {
        return Resolution::Agreed { entry };
    }
    let len = latest
        .iter()
        .map(|i| entries[*i].papers.len())
        .max()
        .unwrap_or(0);
    let positions = (0..len)
        .filter(|p| {
            let first = entries[latest[0]].papers.get(*p);
            latest[1..]
                .iter()
                .any(|i| entries[*i].papers.get(*p) != first)
        })
        .collect();
    Resolution::Differ { positions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(teller: i64, papers: &[u8]) -> Entry<u8> {
        Entry {
            teller: MemberId(teller),
            papers: papers.to_vec(),
        }
    }

    #[test]
    fn one_teller_alone_never_commits() {
        assert_eq!(resolve(&[e(1, &[1, 2])]), Resolution::Waiting);
        assert_eq!(
            may_enter(&[e(1, &[1, 2])], MemberId(1), 2, 2),
            Err(EntryRefusal::SameTeller)
        );
        assert!(may_enter(&[e(1, &[1, 2])], MemberId(2), 2, 2).is_ok());
        assert_eq!(
            may_enter(&[e(1, &[1, 2])], MemberId(2), 2, 3),
            Err(EntryRefusal::WrongLength {
                expected: 2,
                got: 3
            })
        );
    }

    #[test]
    fn a_mismatch_names_positions_and_a_correction_resolves_it() {
        let first = [e(1, &[1, 2, 3]), e(2, &[1, 3, 3])];
        assert_eq!(resolve(&first), Resolution::Differ { positions: vec![1] });
        // After a mismatch the first teller may correct their entry.
        assert!(may_enter(&first, MemberId(1), 3, 3).is_ok());
        let corrected = [e(1, &[1, 2, 3]), e(2, &[1, 3, 3]), e(1, &[1, 3, 3])];
        assert_eq!(resolve(&corrected), Resolution::Agreed { entry: 2 });
        // Or a third teller settles it with the first.
        let third = [e(1, &[1, 2, 3]), e(2, &[1, 3, 3]), e(3, &[1, 2, 3])];
        assert_eq!(resolve(&third), Resolution::Agreed { entry: 2 });
        // A teller's own earlier entry does not count beside their correction.
        let own = [e(1, &[1, 2, 3]), e(2, &[1, 3, 3]), e(2, &[9, 9, 9])];
        assert_eq!(
            resolve(&own),
            Resolution::Differ {
                positions: vec![0, 1, 2]
            }
        );
    }

    fn entries() -> impl Strategy<Value = Vec<Entry<u8>>> {
        proptest::collection::vec((1i64..4, proptest::collection::vec(0u8..3, 3)), 0..6).prop_map(
            |v| {
                v.into_iter()
                    .map(|(t, papers)| Entry {
                        teller: MemberId(t),
                        papers,
                    })
                    .collect()
            },
        )
    }

    proptest! {
        /// A batch is agreed exactly when two different tellers' latest entries are equal,
        /// and then what goes in is what both of them entered.
        #[test]
        fn agreed_iff_two_tellers_latest_entries_are_equal(es in entries()) {
            let mut last: Vec<(MemberId, &Vec<u8>)> = Vec::new();
            for x in &es {
                match last.iter_mut().find(|(t, _)| *t == x.teller) {
                    Some(slot) => slot.1 = &x.papers,
                    None => last.push((x.teller, &x.papers)),
                }
            }
            let two_agree = last.iter().enumerate().any(|(i, a)| {
                last[i + 1..].iter().any(|b| a.1 == b.1)
            });
            match resolve(&es) {
                Resolution::Agreed { entry } => {
                    prop_assert!(two_agree);
                    let chosen = &es[entry];
                    prop_assert!(last.iter().any(|(t, p)| *t != chosen.teller && *p == &chosen.papers));
                    prop_assert!(last.iter().any(|(t, p)| *t == chosen.teller && *p == &chosen.papers));
                }
                Resolution::Waiting => {
                    prop_assert!(!two_agree);
                    prop_assert!(last.len() < 2);
                }
                Resolution::Differ { positions } => {
                    prop_assert!(!two_agree);
                    prop_assert!(last.len() >= 2);
                    prop_assert!(!positions.is_empty());
                    for p in 0..3 {
                        let same = last.iter().all(|(_, x)| x[p] == last[0].1[p]);
                        prop_assert_eq!(same, !positions.contains(&p));
                    }
                }
            }
        }
    }
}
