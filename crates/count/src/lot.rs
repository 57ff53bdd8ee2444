//! Drawing lots reproducibly: the last resort for ties.
//!
//! A published seed makes the draw repeatable by anyone with the ballots, which a physical
//! draw is not. The generator is SplitMix64 (a fixed, well-known sequence that fits in a few
//! lines, so other counters can re-implement it), with rejection sampling so every tied
//! candidate is equally likely.

use crate::model::CandidateId;

#[derive(Debug, Clone)]
pub struct Lot {
    seed: u64,
    state: u64,
}

impl Lot {
    pub fn new(seed: u64) -> Self {
        Lot { seed, state: seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly drawn index below `n` (`n` must be at least 1).
    pub fn below(&mut self, n: usize) -> usize {
        let n = n.max(1) as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Draws one of `tied` (which must not be empty).
    pub fn draw(&mut self, tied: &[CandidateId]) -> CandidateId {
        tied[self.below(tied.len())]
    }

    /// How a tie-break by this lot is described in reports.
    pub fn rule(&self) -> String {
        format!("lot, seed {}", self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let mut a = Lot::new(42);
        let mut b = Lot::new(42);
        let xs: Vec<usize> = (0..20).map(|_| a.below(7)).collect();
        let ys: Vec<usize> = (0..20).map(|_| b.below(7)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 7));
        assert!(xs.iter().any(|&x| x != xs[0]));
    }

    #[test]
    fn splitmix_reference_value() {
        // First output of SplitMix64 seeded with 0, as published with the algorithm.
        assert_eq!(Lot::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }
}
